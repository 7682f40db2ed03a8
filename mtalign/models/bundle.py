"""A folder of models to carry to a machine without the hub (``mtalign models pull --to``).

``DIR/PAIR`` (``DIR/PAIR-CHOICE`` for an alternative) holds each checkpoint's files, copied
out of the Hugging Face cache; ``DIR/models.toml`` is a registry overlay whose entries point
at those folders; ``DIR/models.lock.json`` records what was pulled: model id, the exact
revision (commit), and each file's size and SHA-256. ``mtalign models use DIR`` names the
folder in the user config file, so its models become the defaults.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mtalign.errors import ConfigError, ModelError
from mtalign.models.registry import BUNDLE_REGISTRY, ModelEntry, Registry, parse_choice
from mtalign.models.resolve import ResolvedModel, resolve_model
from mtalign.paths import user_config_path

LOCK_FILE = "models.lock.json"


@dataclass(frozen=True)
class Pulled:
    """One pulled choice: its registry entry, the resolved model and its folder name."""

    entry: ModelEntry
    model: ResolvedModel
    folder: str


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _copy_checkpoint(source: Path, dest: Path) -> None:
    """Copy the checkpoint's files (following the HF cache's symlinks) into ``dest``."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{dest.name}-", dir=dest.parent))
    try:
        for file in sorted(source.iterdir()):
            if file.is_file():
                shutil.copyfile(file, tmp / file.name)
        if dest.exists():
            shutil.rmtree(dest)
        tmp.rename(dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def pull_to(specs: list[str], dest: Path, registry: Registry) -> list[Pulled]:
    """Get each ``PAIR[:CHOICE]`` (HF cache, else the hub) and copy it under ``dest``."""
    pulled: list[Pulled] = []
    for spec in specs:
        src, tgt, choice = parse_choice(spec)
        entry = registry.get(src, tgt, choice)
        model = resolve_model(spec, src=src, tgt=tgt, registry=registry)
        folder = entry.pair if entry.is_default else f"{entry.pair}-{entry.choice}"
        _copy_checkpoint(model.path, dest / folder)
        pulled.append(Pulled(entry, model, folder))
    write_bundle(dest, pulled)
    return pulled


def _registry_row(p: Pulled) -> dict[str, Any]:
    row: dict[str, Any] = {"model": f"./{p.folder}", "revision": p.model.revision}
    if p.entry.target_token:
        row["target_token"] = p.entry.target_token
    for key in ("licence", "family", "note"):
        if getattr(p.entry, key):
            row[key] = getattr(p.entry, key)
    if p.entry.labels:
        row["labels"] = list(p.entry.labels)
    return row


def write_bundle(dest: Path, pulled: list[Pulled]) -> None:
    """Write (merge into) ``models.toml`` and ``models.lock.json`` of the folder ``dest``."""
    import tomli_w

    from mtalign.io.atomic import atomic_write_text

    lock_path = dest / LOCK_FILE
    lock: dict[str, Any] = {"format": 1, "models": {}}
    if lock_path.is_file():
        lock = json.loads(lock_path.read_text(encoding="utf-8"))
    for p in pulled:
        files = sorted(f for f in (dest / p.folder).iterdir() if f.is_file())
        lock["models"][p.folder] = {
            "pair": p.entry.pair,
            "choice": p.entry.choice,
            "model": p.entry.model,
            "revision": p.model.revision,
            "files": {f.name: {"size": f.stat().st_size, "sha256": _sha256(f)} for f in files},
        }
    atomic_write_text(lock_path, json.dumps(lock, indent=2, sort_keys=True) + "\n")
    pairs: dict[str, Any] = {}
    for folder, info in sorted(lock["models"].items()):
        by_folder = {p.folder: p for p in pulled}
        row = (
            _registry_row(by_folder[folder])
            if folder in by_folder
            else {"model": f"./{folder}", "revision": info["revision"]}
        )
        table = pairs.setdefault(info["pair"], {})
        if info["choice"] == "default":
            table.update(row)
        else:
            table.setdefault("alternatives", {})[info["choice"]] = row
    for pair, table in pairs.items():
        if "model" not in table:  # only alternatives pulled: the shipped default stays
            raise ModelError(f"{dest}: pull {pair} (its default) too; a pair needs its default")
    header = (
        "# Written by `mtalign models pull --to`: models in this folder, as a registry overlay.\n"
        "# `mtalign models use DIR` (or MTALIGN_MODELS=DIR) makes them the defaults.\n"
    )
    atomic_write_text(dest / BUNDLE_REGISTRY, header + tomli_w.dumps({"pairs": pairs}))


def use_bundle(folder: Path) -> Path:
    """Name ``folder`` (a ``models pull --to`` folder) in the user config; the config file."""
    import tomllib

    import tomli_w

    from mtalign.io.atomic import atomic_write_text
    from mtalign.models.registry import load_registry

    folder = folder.expanduser().resolve()
    if not (folder / BUNDLE_REGISTRY).is_file():
        raise ConfigError(
            f"no such model folder: {folder} has no {BUNDLE_REGISTRY}; make one with "
            f"`mtalign models pull --to {folder} en-tr ...`"
        )
    load_registry(folder / BUNDLE_REGISTRY)  # refuse a broken one now, not on next use
    config = user_config_path()
    if config.is_symlink():
        raise ConfigError(
            f"{config}: the user config is a symbolic link; mtalign never reads or writes its "
            "files through a link (it could point at any file): remove it and run again"
        )
    data: dict[str, Any] = {}
    if config.is_file():
        try:
            data = tomllib.loads(config.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(
                f"{config}: the user config is not valid TOML ({exc}); fix it or remove it"
            ) from None
    data["models"] = str(folder)
    config.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(config, tomli_w.dumps(data))
    return config
