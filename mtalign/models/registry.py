"""The model registry: which model translates which language pair, and why.

The registry (``mtalign/data/models.toml``, overlaid by ``$MTALIGN_MODELS``) maps a language
pair to its default model (the strongest published OPUS-MT model for news) and named
alternatives (``small``: the older base model). Each choice records the Hugging Face id,
the target-language token multi-target models need (``>>ara<<``), the licence, the family
(``tc-big`` or ``opus-mt``), size, and the published benchmark figures with their test
sets. The tables are declared in :mod:`mtalign.settings.registry`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from mtalign.errors import ConfigError, ModelError
from mtalign.langs import flat_code
from mtalign.settings import ConfigContext, read_toml, specs
from mtalign.settings.registry import (
    ALTERNATIVES_KEY,
    BENCHMARKS_KEY,
    DEFAULT_FALLBACK,
    Benchmark,
    ModelChoice,
    RegistryTable,
)

MODELS_ENV = "MTALIGN_MODELS"
#: The registry file inside a `models pull --to DIR` folder.
BUNDLE_REGISTRY = "models.toml"
#: The name of a pair's default choice (``--model ar=default``).
DEFAULT_CHOICE = "default"

PAIR_RE = re.compile(r"^([a-z]{2,3})-([a-z]{2,3})$")
CHOICE_RE = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
#: ``en-ar:small``: a pair and one of its choices.
QUALIFIED_RE = re.compile(r"^([a-z]{2,3})-([a-z]{2,3}):([a-z][a-z0-9_-]{0,31})$")
_TOP_KEYS = ("registry", "pairs")


@dataclass(frozen=True)
class ModelEntry:
    """One registry choice: which model translates ``src`` into ``tgt``, and its facts."""

    src: str
    tgt: str
    model: str
    target_token: str | None = None
    licence: str = ""
    note: str = ""
    revision: str | None = None
    fallback: bool = False
    choice: str = DEFAULT_CHOICE
    family: str = ""
    params_m: float | None = None
    disk_mb: float | None = None
    estimated: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    benchmarks: tuple[Benchmark, ...] = ()
    card: str = ""

    @property
    def pair(self) -> str:
        return f"{self.src}-{self.tgt}"

    @property
    def is_default(self) -> bool:
        return self.choice == DEFAULT_CHOICE

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready facts of this choice (``mtalign models list --format json``)."""
        return {
            "pair": self.pair,
            "choice": self.choice,
            "default": self.is_default,
            "model": self.model,
            "revision": self.revision,
            "family": self.family or None,
            "licence": self.licence or None,
            "target_token": self.target_token,
            "labels": list(self.labels),
            "params_m": self.params_m,
            "disk_mb": self.disk_mb,
            "estimated": list(self.estimated),
            "benchmarks": [
                {k: getattr(b, k) for k in specs(Benchmark) if getattr(b, k) is not None}
                for b in self.benchmarks
            ],
            "card": self.card or None,
            "note": self.note,
            "fallback": self.fallback,
        }


@dataclass(frozen=True)
class Registry:
    """Language pair -> default :class:`ModelEntry` and its alternatives, with a fallback
    id pattern for unknown pairs."""

    entries: dict[tuple[str, str], ModelEntry]
    fallback: str = DEFAULT_FALLBACK
    sources: tuple[Path, ...] = ()
    alternatives: dict[tuple[str, str], dict[str, ModelEntry]] = field(default_factory=dict)

    def get(self, src: str, tgt: str, choice: str = DEFAULT_CHOICE) -> ModelEntry:
        """The entry for ``src``-``tgt`` (``choice``: default or an alternative's name).

        Unknown pairs get the fallback model id; an unknown choice is a ModelError that
        lists the pair's choices.
        """
        src, tgt = flat_code(src), flat_code(tgt)
        if choice != DEFAULT_CHOICE:
            alt = self.alternatives.get((src, tgt), {}).get(choice)
            if alt is None:
                names = ", ".join(e.choice for e in self.choices(src, tgt))
                raise ModelError(
                    f"the registry has no model {choice!r} for {src}-{tgt}; its choices are "
                    f"{names} (see `mtalign models list`)"
                )
            return alt
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

    def choices(self, src: str, tgt: str) -> list[ModelEntry]:
        """The default entry of a pair, then its alternatives (by name)."""
        src, tgt = flat_code(src), flat_code(tgt)
        alts = self.alternatives.get((src, tgt), {})
        return [self.get(src, tgt), *(alts[k] for k in sorted(alts))]

    def has_choice(self, src: str, tgt: str, name: str) -> bool:
        """Whether ``name`` is a choice of the pair (``default`` or an alternative)."""
        src, tgt = flat_code(src), flat_code(tgt)
        return name == DEFAULT_CHOICE or name in self.alternatives.get((src, tgt), {})

    def find_model(
        self, model_id: str, src: str | None = None, tgt: str | None = None
    ) -> ModelEntry | None:
        """The entry that names ``model_id``; one of the ``src``-``tgt`` pair first.

        One checkpoint may serve several pairs (``opus-mt-tc-big-en-zle``: en-ru with
        ``>>rus<<``, en-uk with ``>>ukr<<``), so the pair decides which entry applies.
        """
        found = [e for e in self.all() if e.model == model_id]
        if src and tgt:
            pair = (flat_code(src), flat_code(tgt))
            return next((e for e in found if (e.src, e.tgt) == pair), None)
        return found[0] if found else None

    def all(self) -> Iterator[ModelEntry]:
        """Every choice of every pair: by pair, the default first."""
        for entry in self:
            yield from self.choices(entry.src, entry.tgt)

    def __iter__(self) -> Iterator[ModelEntry]:
        return iter(sorted(self.entries.values(), key=lambda e: e.pair))


def default_registry_path() -> Path:
    """The registry shipped inside the package."""
    return Path(str(resources.files("mtalign") / "data" / "models.toml"))


def load_registry(path: str | os.PathLike[str] | None = None) -> Registry:
    """Load the shipped registry, overlaid by ``path`` or ``$MTALIGN_MODELS`` when given.

    A pair in the overlay replaces the shipped pair's default; its alternatives are added
    to the shipped ones (same name: the overlay's wins).
    """
    base = default_registry_path()
    entries, alternatives, fallback = _read_registry(base)
    sources = [base]
    user, named_in = (path, "") if path is not None else user_registry()
    if user is not None:
        user_path = Path(user).expanduser()
        if not user_path.is_file():
            hint = f" (from {named_in})" if named_in else ""
            raise ConfigError(
                f"model registry {user_path}{hint} does not exist; expected a TOML file like "
                f"configs/models.toml, fix the path or unset {MODELS_ENV}"
            )
        user_entries, user_alts, user_fallback = _read_registry(user_path)
        entries.update(user_entries)
        for key, alts in user_alts.items():
            alternatives.setdefault(key, {}).update(alts)
        fallback = user_fallback or fallback
        sources.append(user_path)
    return Registry(
        entries=entries,
        fallback=fallback or DEFAULT_FALLBACK,
        sources=tuple(sources),
        alternatives=alternatives,
    )


_Read = tuple[
    dict[tuple[str, str], ModelEntry], dict[tuple[str, str], dict[str, ModelEntry]], str | None
]


def user_registry() -> tuple[Path | None, str]:
    """The user's registry overlay and where it was named: ``$MTALIGN_MODELS`` (a TOML file,
    or a folder holding ``models.toml``), else ``models`` in the user config file
    (``mtalign models use DIR`` writes it), else none."""
    from mtalign.paths import user_config_path

    env = os.environ.get(MODELS_ENV)
    if env:
        path = Path(env).expanduser()
        return (path / BUNDLE_REGISTRY if path.is_dir() else path), f"${MODELS_ENV}"
    config = user_config_path()
    if config.is_file():
        data = read_toml(config, "mtalign config", "~/.config/mtalign/config.toml")
        value = data.get("models")
        if isinstance(value, str) and value:
            path = Path(value).expanduser()
            return (path / BUNDLE_REGISTRY if path.is_dir() else path), str(config)
    return None, ""


def _read_registry(path: Path) -> _Read:
    data = read_toml(path, "model registry", "configs/models.toml")
    ctx = ConfigContext(str(path))
    ctx.unknown(data, _TOP_KEYS, "top level")
    fallback = None
    if "registry" in data:
        fallback = ctx.build(RegistryTable, data["registry"], "[registry]").fallback
        if "{src}" not in fallback or "{tgt}" not in fallback:
            raise ctx.error(
                "[registry] fallback",
                f"must contain {{src}} and {{tgt}}, got {fallback!r}",
                'write e.g. fallback = "Helsinki-NLP/opus-mt-{src}-{tgt}"',
            )
    pairs = data.get("pairs", {})
    if not isinstance(pairs, dict):
        raise ctx.error("[pairs]", "must be a table of [pairs.SRC-TGT] tables", "fix it")
    entries: dict[tuple[str, str], ModelEntry] = {}
    alternatives: dict[tuple[str, str], dict[str, ModelEntry]] = {}
    for name, row in pairs.items():
        where = f"[pairs.{name}]"
        match = PAIR_RE.match(name)
        if not match:
            raise ctx.error(
                where,
                f"expected a language pair like 'en-tr' (lower-case codes), got {name!r}",
                "rename the table",
            )
        if not isinstance(row, dict):
            raise ctx.error(where, "must be a table", 'write it as a table with model = "..."')
        src, tgt = match.groups()
        alts = row.get(ALTERNATIVES_KEY, {})
        entries[(src, tgt)] = _choice(ctx, {k: v for k, v in row.items()
                                            if k != ALTERNATIVES_KEY}, where, src, tgt,
                                      DEFAULT_CHOICE, extra=(ALTERNATIVES_KEY,))  # fmt: skip
        if not isinstance(alts, dict):
            raise ctx.error(f"{where} alternatives", "must be a table of named tables",
                            f"write [pairs.{name}.alternatives.small]")  # fmt: skip
        for alt_name, alt in alts.items():
            alt_where = f"[pairs.{name}.alternatives.{alt_name}]"
            if not CHOICE_RE.match(alt_name) or alt_name == DEFAULT_CHOICE:
                raise ctx.error(
                    alt_where,
                    f"bad name {alt_name!r}",
                    "use a short lower-case name other than 'default' (small, big, ...)",
                )
            if not isinstance(alt, dict):
                raise ctx.error(alt_where, "must be a table", 'write model = "..." in it')
            alternatives.setdefault((src, tgt), {})[alt_name] = _choice(
                ctx, alt, alt_where, src, tgt, alt_name
            )
    return entries, alternatives, fallback


def _choice(
    ctx: ConfigContext,
    row: dict[str, Any],
    where: str,
    src: str,
    tgt: str,
    name: str,
    extra: tuple[str, ...] = (),
) -> ModelEntry:
    """One pair or alternative table as a :class:`ModelEntry` (keys checked)."""
    ctx.unknown(row, (*specs(ModelChoice), BENCHMARKS_KEY, *extra), where)
    if "model" not in row:
        raise ctx.error(where, "has no model", 'add model = "owner/name"')
    bench_rows = row.get(BENCHMARKS_KEY, [])
    if not isinstance(bench_rows, list):
        raise ctx.error(f"{where} benchmarks", "must be a list of inline tables",
                        'write benchmarks = [{ test_set = "flores101-devtest", bleu = 30.1 }]')  # fmt: skip
    benchmarks = tuple(
        ctx.build(Benchmark, b, f"{where} benchmarks[{i + 1}]") for i, b in enumerate(bench_rows)
    )
    choice = ctx.build(ModelChoice, {k: v for k, v in row.items() if k != BENCHMARKS_KEY}, where)
    token = choice.target_token or None
    if token is not None and not (token.startswith(">>") and token.endswith("<<")):
        raise ctx.error(
            f"{where} target_token", f"must look like '>>ara<<', got {token!r}", "fix the value"
        )
    model = choice.model
    if model.startswith(("./", "../", "/", "~")):
        # A local folder, relative to the registry file (a `models pull --to` bundle).
        model = str((ctx.base / Path(model).expanduser()).resolve())
    return ModelEntry(
        src=src,
        tgt=tgt,
        model=model,
        target_token=token,
        licence=choice.licence,
        note=choice.note,
        revision=choice.revision or None,
        choice=name,
        family=choice.family,
        params_m=choice.params_m,
        disk_mb=choice.disk_mb,
        estimated=tuple(choice.estimated),
        labels=tuple(choice.labels),
        benchmarks=benchmarks,
        card=choice.card,
    )


def parse_pair(pair: str) -> tuple[str, str]:
    """``'en-tr'`` -> ``('en', 'tr')``; ModelError for anything else."""
    match = PAIR_RE.match(pair.strip().lower())
    if not match:
        raise ModelError(f"expected a language pair like 'en-tr', got {pair!r}")
    return match.group(1), match.group(2)


def parse_choice(spec: str) -> tuple[str, str, str]:
    """``'en-ar'`` -> ``('en', 'ar', 'default')``, ``'en-ar:small'`` -> ``(..., 'small')``."""
    text = spec.strip()
    match = QUALIFIED_RE.match(text.lower())
    if match:
        return match.group(1), match.group(2), match.group(3)
    src, tgt = parse_pair(text)
    return src, tgt, DEFAULT_CHOICE
