"""Resolution: a pair, a model id or a local directory -> a checked checkpoint on disk.

Lookup order: local directory, Hugging Face cache, download (unless offline:
``HF_HUB_OFFLINE=1`` or ``local_files_only=True``).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mtalign.errors import ModelError
from mtalign.langs import ISO3, PRIMARY_TOKENS, flat_code, known_code, same_language
from mtalign.models.checkpoint import (
    DamagedFile,
    check_checkpoint,
    checkpoint_pair,
    local_revision,
    one_line,
    read_json,
    vocab_lang_tokens,
)
from mtalign.models.registry import (
    CHOICE_RE,
    PAIR_RE,
    QUALIFIED_RE,
    ModelEntry,
    Registry,
    load_registry,
    parse_choice,
)

logger = logging.getLogger(__name__)

# The files fetched from the hub (plus one weights file).
HUB_FILES = (
    "config.json",
    "generation_config.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "vocab.json",
    "source.spm",
    "target.spm",
    "README.md",
)


@dataclass(frozen=True)
class ResolvedModel:
    """A Marian checkpoint on disk, checked, with what reports need to reproduce a run."""

    model_id: str
    revision: str
    path: Path
    src: str | None = None
    tgt: str | None = None
    target_token: str | None = None
    origin: str = "local"  # "local" | "cache" | "download"
    licence: str = ""
    config: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def max_positions(self) -> int:
        return int(self.config.get("max_position_embeddings", 512))


def resolve_model(
    spec: str | os.PathLike[str] | None = None,
    *,
    src: str | None = None,
    tgt: str | None = None,
    registry: Registry | None = None,
    target_token: str | None = None,
    revision: str | None = None,
    local_files_only: bool | None = None,
) -> ResolvedModel:
    """Find a Marian checkpoint for ``spec`` (or for the ``src``-``tgt`` pair).

    ``spec`` is a pair (``"en-tr"``), a pair and a registry choice (``"en-ar:small"``), a
    choice of the ``src``-``tgt`` pair (``"small"``, ``"default"``), a local directory, or a
    Hugging Face model id (``"Helsinki-NLP/opus-mt-en-de"``, optionally ``"...@revision"``).
    Local directories are used as they are; ids are looked up in the Hugging Face cache and
    downloaded when the hub is reachable (``HF_HUB_OFFLINE=1`` or ``local_files_only=True``
    forbid downloads). ``target_token`` overrides the registry's language token.
    """
    reg = registry if registry is not None else load_registry()
    spec_str = os.fspath(spec) if spec is not None else None
    entry = _registry_entry(reg, spec_str, src, tgt)
    if entry is not None:
        src, tgt = src or entry.src, tgt or entry.tgt

    local: str | None = None
    if entry is not None and os.path.isabs(entry.model):
        local = entry.model  # a registry entry that points at a folder (models pull --to)
    elif entry is None and spec_str is not None and _looks_like_path(spec_str):
        local = spec_str
    if local is not None:
        path, model_id, resolved_rev = _local_checkpoint(local)
        origin = "local"
        reg_entry = entry or (reg.get(src, tgt) if (src and tgt) else None)
        licence = entry.licence if entry is not None else ""
    else:
        path, model_id, resolved_rev, origin, reg_entry = _hub_checkpoint(
            reg, spec_str, entry, revision, local_files_only, src, tgt
        )
        licence = reg_entry.licence if reg_entry else ""
        if reg_entry is not None:
            src, tgt = src or reg_entry.src, tgt or reg_entry.tgt
    config = read_json(path / "config.json")

    declared = checkpoint_pair(path, model_id)
    if declared is not None:
        _check_pair(model_id, declared, src, tgt)
        # Base checkpoints declare eng/tur, tc-big ones en/tr (or a group code: zle).
        src = src or _iso1(declared[0])
        tgt = tgt or _iso1(declared[1])

    token = _pick_target_token(path, model_id, target_token, reg_entry, tgt)
    return ResolvedModel(
        model_id=model_id,
        revision=resolved_rev,
        path=path,
        src=flat_code(src) if src else None,
        tgt=flat_code(tgt) if tgt else None,
        target_token=token,
        origin=origin,
        licence=licence,
        config=config,
    )


def _local_checkpoint(local: str) -> tuple[Path, str, str]:
    """A checkpoint folder the user named: ``(path, model id, revision)``, checked."""
    path = Path(local).expanduser()
    if not path.is_dir():
        raise ModelError(
            f"no such folder: {path} (it does not exist); give an existing Marian checkpoint "
            "directory, a Hugging Face model id, or a pair such as en-tr"
        )
    check_checkpoint(path)
    return path, f"local:{path.resolve().name}", local_revision(path)


def _hub_checkpoint(
    reg: Registry,
    spec_str: str | None,
    entry: Any,
    revision: str | None,
    local_files_only: bool | None,
    src: str | None,
    tgt: str | None,
) -> tuple[Path, str, str, str, Any]:
    """A hub model (registry entry or id): ``(path, id, revision, origin, registry entry)``."""
    if entry is None:
        model_id, _, rev = str(spec_str).partition("@")
        revision = revision or rev or None
        reg_entry = reg.find_model(model_id, src, tgt)
    else:
        model_id, reg_entry = entry.model, entry
        revision = revision or entry.revision
    try:
        path, resolved_rev, origin = _fetch(model_id, revision, local_files_only, src, tgt)
    except ModelError as exc:
        if entry is None and "/" in model_id and not reg_entry:
            # An owner/name that is not on the hub may be a folder the user mistyped.
            raise ModelError(f"no such folder: {model_id}, and {exc}") from exc
        raise
    return path, model_id, resolved_rev, origin, reg_entry


def _iso1(code: str) -> str | None:
    """The ISO 639-1 code of a declared language (``eng`` -> ``en``); None for groups."""
    code = flat_code(code)
    return next((two for two, threes in ISO3.items() if code == two or code in threes), None)


def _registry_entry(
    reg: Registry, spec: str | None, src: str | None, tgt: str | None
) -> ModelEntry | None:
    """The registry entry ``spec`` names (a pair, ``pair:choice`` or a choice), else None."""
    if spec is None:
        if not (src and tgt):
            raise ModelError("resolve_model needs a model (pair, id or directory) or src and tgt")
        return reg.get(src, tgt)
    text = spec.strip()
    if Path(text).expanduser().exists():
        return None
    if PAIR_RE.match(text.lower()) or QUALIFIED_RE.match(text.lower()):
        src_p, tgt_p, choice = parse_choice(text)
        if (src and not same_language(src, src_p)) or (tgt and not same_language(tgt, tgt_p)):
            raise ModelError(f"model pair {text} does not match the request {src}-{tgt}")
        return reg.get(src_p, tgt_p, choice)
    if src and tgt and CHOICE_RE.match(text):
        if reg.has_choice(src, tgt, text):
            return reg.get(src, tgt, text)
        names = ", ".join(e.choice for e in reg.choices(src, tgt))
        raise ModelError(
            f"model {text!r} for {flat_code(src)}-{flat_code(tgt)} is neither a registry choice "
            f"of the pair ({names}), a directory, nor a Hugging Face id (owner/name); "
            "see `mtalign models list`"
        )
    return None


def _looks_like_path(spec: str) -> bool:
    """A directory path rather than a hub id: exists, is explicit, or has more than 'owner/name'."""
    return (
        Path(spec).expanduser().exists()
        or spec.startswith((".", "/", "~", "\\"))
        or spec.count("/") > 1
        or "\\" in spec
        # "my-models/en-tr" where a folder my-models/ is here: a path, not an owner/name id
        or ("/" in spec and Path(spec).expanduser().parent.is_dir())
    )


def _check_pair(model_id: str, declared: tuple[str, str], src: str | None, tgt: str | None) -> None:
    for want, have, side in ((src, declared[0], "source"), (tgt, declared[1], "target")):
        # Group codes (mul, roa, zle...) cover many languages: only contradict known codes.
        if want and known_code(have) and not same_language(want, have):
            raise ModelError(
                f"model {model_id} translates {declared[0]}->{declared[1]}, but {side} language "
                f"{want!r} was requested; pick the model for {src}-{tgt} (see `mtalign models "
                "list`) or fix the language"
            )


def _pick_target_token(
    path: Path,
    model_id: str,
    explicit: str | None,
    entry: ModelEntry | None,
    tgt: str | None,
) -> str | None:
    lang_tokens = vocab_lang_tokens(path)
    if explicit:
        if explicit not in lang_tokens:
            raise ModelError(
                f"target token {explicit} is not in {path / 'vocab.json'}; this model knows "
                f"{', '.join(lang_tokens[:20]) or 'no language tokens'}"
            )
        return explicit
    if not lang_tokens:
        return None
    if entry is not None and entry.target_token in lang_tokens:
        return entry.target_token
    if tgt:
        # Only the language's main code: picking a dialect (>>arz<<) silently would be wrong.
        candidates = [f">>{tgt}<<"] + [f">>{c}<<" for c in PRIMARY_TOKENS.get(tgt, ())]
        for cand in candidates:
            if cand in lang_tokens:
                return cand
    raise ModelError(
        f"model {model_id} is multi-target (it knows {', '.join(lang_tokens[:12])}...) and no "
        f"target token was chosen for {tgt or 'the target language'}; set target_token in the "
        f"registry (MTALIGN_MODELS) or pass target_token"
    )


def hf_offline() -> bool:
    """Whether the Hugging Face offline switches are set (HF_HUB_OFFLINE, TRANSFORMERS_OFFLINE)."""
    on = {"1", "ON", "YES", "TRUE"}
    return any(
        os.environ.get(k, "").upper() in on for k in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")
    )


def _pull_hint(model_id: str, src: str | None, tgt: str | None) -> str:
    pair = f"{src}-{tgt}" if src and tgt else model_id
    tgt_lang = tgt or "LANG"
    return (
        f"run `mtalign models pull {pair}` on a machine that can reach huggingface.co (then copy "
        f"its HF cache, ~/.cache/huggingface), or pass a local checkpoint with "
        f"--model {tgt_lang}=/path/to/model"
    )


def _fetch(
    model_id: str,
    revision: str | None,
    local_files_only: bool | None,
    src: str | None,
    tgt: str | None,
) -> tuple[Path, str, str]:
    """(path, revision, origin) of ``model_id`` from the HF cache, else from the hub."""
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import HFValidationError, LocalEntryNotFoundError

    try:
        snap = Path(snapshot_download(model_id, revision=revision, local_files_only=True))
        check_checkpoint(snap)
        return snap, snap.name, "cache"
    except HFValidationError as exc:
        raise ModelError(
            f"{model_id!r} is neither a pair (en-tr), an existing directory nor a valid "
            f"Hugging Face model id: {one_line(exc)}"
        ) from exc
    except DamagedFile as exc:
        repo = snap.parent.parent
        raise DamagedFile(
            exc.file,
            exc.problem,
            f"the copy in the Hugging Face cache is damaged: delete {repo} and run "
            f"`mtalign models pull {f'{src}-{tgt}' if src and tgt else model_id}` again",
        ) from exc
    except (LocalEntryNotFoundError, ModelError, OSError) as exc:
        logger.debug("%s not usable from the HF cache: %s", model_id, exc)

    offline = hf_offline() if local_files_only is None else local_files_only
    if offline:
        raise ModelError(
            f"model {model_id} is not in the Hugging Face cache and downloads are off "
            f"(offline); {_pull_hint(model_id, src, tgt)}"
        )
    snap = download_model(model_id, revision, src=src, tgt=tgt)
    return snap, snap.name, "download"


def download_model(
    model_id: str, revision: str | None = None, *, src: str | None = None, tgt: str | None = None
) -> Path:
    """Download the files mtalign needs of ``model_id`` into the HF cache; its snapshot path."""
    from huggingface_hub import HfApi, snapshot_download

    try:
        info = HfApi().model_info(model_id, revision=revision)
        names = {s.rfilename for s in (info.siblings or [])}
        weights = "model.safetensors" if "model.safetensors" in names else "pytorch_model.bin"
        snap = Path(
            snapshot_download(
                model_id,
                revision=info.sha or revision,
                allow_patterns=[*HUB_FILES, weights],
            )
        )
    except Exception as exc:  # noqa: BLE001 - network/hub errors have many types; all mean "cannot get it"
        raise ModelError(
            f"cannot download model {model_id} ({type(exc).__name__}: {one_line(exc)}); "
            f"{_pull_hint(model_id, src, tgt)}"
        ) from exc
    check_checkpoint(snap)
    return snap


def is_cached(model_id: str, revision: str | None = None) -> bool:
    """Whether ``model_id`` is complete in the local Hugging Face cache."""
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import HFValidationError, LocalEntryNotFoundError

    try:
        snap = Path(snapshot_download(model_id, revision=revision, local_files_only=True))
        check_checkpoint(snap)
    except (LocalEntryNotFoundError, HFValidationError, ModelError, OSError):
        return False
    return True
