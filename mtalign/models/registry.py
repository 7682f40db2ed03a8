"""The model registry: which model translates which language pair.

The registry (``mtalign/data/models.toml``, overlaid by ``$MTALIGN_MODELS``) maps a language
pair to a Hugging Face model id, the target-language token multi-target OPUS-MT models need
(``>>ara<<``), the licence and a note.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from mtalign.errors import ConfigError, ModelError
from mtalign.langs import flat_code
from mtalign.settings import read_toml

DEFAULT_FALLBACK = "Helsinki-NLP/opus-mt-{src}-{tgt}"
MODELS_ENV = "MTALIGN_MODELS"

_PAIR_KEYS = {"model", "revision", "target_token", "licence", "note"}
_REGISTRY_KEYS = {"fallback"}
_TOP_KEYS = {"registry", "pairs"}
PAIR_RE = re.compile(r"^([a-z]{2,3})-([a-z]{2,3})$")


@dataclass(frozen=True)
class ModelEntry:
    """One registry row: which model translates ``src`` into ``tgt``."""

    src: str
    tgt: str
    model: str
    target_token: str | None = None
    licence: str = ""
    note: str = ""
    revision: str | None = None
    fallback: bool = False

    @property
    def pair(self) -> str:
        return f"{self.src}-{self.tgt}"


@dataclass(frozen=True)
class Registry:
    """Language pair -> :class:`ModelEntry`, with a fallback id pattern for unknown pairs."""

    entries: dict[tuple[str, str], ModelEntry]
    fallback: str = DEFAULT_FALLBACK
    sources: tuple[Path, ...] = ()

    def get(self, src: str, tgt: str) -> ModelEntry:
        """The entry for ``src``-``tgt``; unknown pairs get the fallback model id."""
        src, tgt = flat_code(src), flat_code(tgt)
        entry = self.entries.get((src, tgt))
        if entry is not None:
            return entry
        return ModelEntry(
            src=src,
            tgt=tgt,
            model=self.fallback.format(src=src, tgt=tgt),
            note="not in the registry: guessed from the fallback pattern",
            fallback=True,
        )

    def find_model(self, model_id: str) -> ModelEntry | None:
        """The registry entry that names ``model_id``, if any."""
        for entry in self.entries.values():
            if entry.model == model_id:
                return entry
        return None

    def __iter__(self) -> Iterator[ModelEntry]:
        return iter(sorted(self.entries.values(), key=lambda e: e.pair))


def default_registry_path() -> Path:
    """The registry shipped inside the package."""
    return Path(str(resources.files("mtalign") / "data" / "models.toml"))


def load_registry(path: str | os.PathLike[str] | None = None) -> Registry:
    """Load the shipped registry, overlaid by ``path`` or ``$MTALIGN_MODELS`` when given."""
    base = default_registry_path()
    entries, fallback = _read_registry(base)
    sources = [base]
    user = path if path is not None else os.environ.get(MODELS_ENV) or None
    if user is not None:
        user_path = Path(user).expanduser()
        if not user_path.is_file():
            hint = f" (from ${MODELS_ENV})" if path is None else ""
            raise ConfigError(
                f"model registry {user_path}{hint} does not exist; expected a TOML file like "
                f"configs/models.toml, fix the path or unset {MODELS_ENV}"
            )
        user_entries, user_fallback = _read_registry(user_path)
        entries.update(user_entries)
        fallback = user_fallback or fallback
        sources.append(user_path)
    return Registry(entries=entries, fallback=fallback or DEFAULT_FALLBACK, sources=tuple(sources))


def _read_registry(path: Path) -> tuple[dict[tuple[str, str], ModelEntry], str | None]:
    data = read_toml(path, "model registry", "configs/models.toml")
    _check_keys(path, "top level", data, _TOP_KEYS)
    reg = data.get("registry", {})
    if not isinstance(reg, dict):
        raise ConfigError(f"{path}: [registry] must be a table")
    _check_keys(path, "[registry]", reg, _REGISTRY_KEYS)
    fallback = reg.get("fallback")
    if fallback is not None and (
        not isinstance(fallback, str) or "{src}" not in fallback or "{tgt}" not in fallback
    ):
        raise ConfigError(
            f"{path}: [registry] fallback must be a string containing {{src}} and {{tgt}}, "
            f"got {fallback!r}"
        )
    pairs = data.get("pairs", {})
    if not isinstance(pairs, dict):
        raise ConfigError(f"{path}: [pairs] must be a table of [pairs.SRC-TGT] tables")
    entries: dict[tuple[str, str], ModelEntry] = {}
    for name, row in pairs.items():
        where = f"[pairs.{name}]"
        match = PAIR_RE.match(name)
        if not match:
            raise ConfigError(
                f"{path}: {where}: expected a language pair like 'en-tr' (lower-case codes), "
                f"got {name!r}"
            )
        if not isinstance(row, dict):
            raise ConfigError(f'{path}: {where} must be a table with model = "..."')
        _check_keys(path, where, row, _PAIR_KEYS)
        for key in _PAIR_KEYS:
            if key in row and not isinstance(row[key], str):
                raise ConfigError(
                    f"{path}: {where} {key} must be a string, got {type(row[key]).__name__}"
                )
        if not row.get("model"):
            raise ConfigError(f'{path}: {where} has no model; add model = "owner/name"')
        token = row.get("target_token") or None
        if token is not None and not (token.startswith(">>") and token.endswith("<<")):
            raise ConfigError(
                f"{path}: {where} target_token must look like '>>ara<<', got {token!r}"
            )
        src, tgt = match.groups()
        entries[(src, tgt)] = ModelEntry(
            src=src,
            tgt=tgt,
            model=row["model"],
            target_token=token,
            licence=row.get("licence", ""),
            note=row.get("note", ""),
            revision=row.get("revision") or None,
        )
    return entries, fallback


def _check_keys(path: Path, where: str, table: dict[str, Any], allowed: set[str]) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise ConfigError(
            f"{path}: {where}: unknown key(s) {', '.join(unknown)}; "
            f"allowed: {', '.join(sorted(allowed))} (fix the spelling or remove them)"
        )


def parse_pair(pair: str) -> tuple[str, str]:
    """``'en-tr'`` -> ``('en', 'tr')``; ModelError for anything else."""
    match = PAIR_RE.match(pair.strip().lower())
    if not match:
        raise ModelError(f"expected a language pair like 'en-tr', got {pair!r}")
    return match.group(1), match.group(2)
