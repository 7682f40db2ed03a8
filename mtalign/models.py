"""Model registry, model resolution and the CTranslate2 conversion cache.

* The registry (``mtalign/data/models.toml``, overridable with ``MTALIGN_MODELS``) maps a
  language pair to a Hugging Face model id, the target-language token multi-target OPUS-MT
  models need (``>>ara<<``), the licence and a note.
* :func:`resolve_model` turns a pair, a model id or a local directory into a
  :class:`ResolvedModel`: a checked Marian checkpoint on disk plus its id and revision.
  Lookup order: local directory, Hugging Face cache, download (unless offline).
* :func:`convert_to_ct2` converts a checkpoint once into ``$MTALIGN_HOME/ct2`` (default
  ``~/.cache/mtalign/ct2``), atomically, keyed by model id, revision and quantization.
* :class:`MarianCodec` is the SentencePiece + ``vocab.json`` tokenisation both engines share.

Heavy libraries (huggingface_hub, sentencepiece, ctranslate2, transformers) are imported
inside the functions that need them.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import shutil
import sys
import tempfile
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from mtalign.errors import ConfigError, ModelError
from mtalign.paths import ct2_cache_dir

logger = logging.getLogger(__name__)

DEFAULT_FALLBACK = "Helsinki-NLP/opus-mt-{src}-{tgt}"
MODELS_ENV = "MTALIGN_MODELS"

# Files a Marian checkpoint must have, and the files we fetch from the hub.
REQUIRED_FILES = ("config.json", "source.spm", "target.spm", "vocab.json")
WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")
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
CT2_MARKER = "mtalign-complete.json"

_PAIR_KEYS = {"model", "revision", "target_token", "licence", "note"}
_REGISTRY_KEYS = {"fallback"}
_TOP_KEYS = {"registry", "pairs"}
_PAIR_RE = re.compile(r"^([a-z]{2,3})-([a-z]{2,3})$")

# ISO 639-1 <-> 639-3 (and a few macro/legacy codes) for the languages OPUS-MT names use.
# Only used to decide whether a checkpoint's declared languages contradict a request.
_ISO3 = {
    "en": {"eng"},
    "tr": {"tur"},
    "ru": {"rus"},
    "ar": {"ara", "arb", "arz", "ary", "apc", "afb", "arq"},
    "de": {"deu", "ger"},
    "fr": {"fra", "fre"},
    "es": {"spa"},
    "uk": {"ukr"},
    "zh": {"zho", "chi", "cmn", "yue", "cmn_hans", "cmn_hant", "zh_cn", "zh_tw"},
    "it": {"ita"},
    "pt": {"por"},
    "nl": {"nld", "dut"},
    "pl": {"pol"},
    "fa": {"fas", "per", "pes"},
    "he": {"heb"},
    "ja": {"jpn"},
    "ko": {"kor"},
    "el": {"ell", "gre"},
    "bg": {"bul"},
    "cs": {"ces", "cze"},
    "sv": {"swe"},
    "fi": {"fin"},
    "hu": {"hun"},
    "ro": {"ron", "rum"},
    "az": {"aze"},
    "kk": {"kaz"},
    "hi": {"hin"},
    "ur": {"urd"},
}

# The token a multi-target model uses for the standard variety, when the registry has none.
_PRIMARY3 = {
    "ar": ("ara",),
    "zh": ("cmn_Hans", "zho"),
    "en": ("eng",),
    "tr": ("tur",),
    "ru": ("rus",),
    "de": ("deu",),
    "fr": ("fra",),
    "es": ("spa",),
    "uk": ("ukr",),
}


# --------------------------------------------------------------------------- registry


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
        src, tgt = _norm_lang(src), _norm_lang(tgt)
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
    from mtalign.config import read_toml

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
        match = _PAIR_RE.match(name)
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
    match = _PAIR_RE.match(pair.strip().lower())
    if not match:
        raise ModelError(f"expected a language pair like 'en-tr', got {pair!r}")
    return match.group(1), match.group(2)


def _norm_lang(code: str) -> str:
    return code.strip().lower().replace("-", "_")


def same_language(a: str, b: str) -> bool:
    """Whether two language codes (ISO 639-1 or -3, any case) name the same language."""
    a, b = _norm_lang(a), _norm_lang(b)
    if a == b:
        return True
    for two, threes in _ISO3.items():
        group = {two} | threes
        if a in group and b in group:
            return True
    return a.split("_")[0] == b.split("_")[0] and a.split("_")[0] != ""


def _known_code(code: str) -> bool:
    code = _norm_lang(code)
    return any(code == two or code in threes for two, threes in _ISO3.items())


# --------------------------------------------------------------------------- resolution


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

    ``spec`` is a pair (``"en-tr"``), a local directory, or a Hugging Face model id
    (``"Helsinki-NLP/opus-mt-en-de"``, optionally ``"...@revision"``). Local directories are
    used as they are; ids are looked up in the Hugging Face cache and downloaded when the hub
    is reachable (``HF_HUB_OFFLINE=1`` or ``local_files_only=True`` forbid downloads).
    ``target_token`` overrides the registry's language token.
    """
    reg = registry if registry is not None else load_registry()
    entry: ModelEntry | None = None
    spec_str = os.fspath(spec) if spec is not None else None
    if spec_str is None:
        if not (src and tgt):
            raise ModelError("resolve_model needs a model (pair, id or directory) or src and tgt")
        entry = reg.get(src, tgt)
    elif _PAIR_RE.match(spec_str.strip().lower()) and not Path(spec_str).exists():
        src_p, tgt_p = parse_pair(spec_str)
        if (src and not same_language(src, src_p)) or (tgt and not same_language(tgt, tgt_p)):
            raise ModelError(f"model pair {spec_str} does not match the request {src}-{tgt}")
        src, tgt = src or src_p, tgt or tgt_p
        entry = reg.get(src_p, tgt_p)

    if entry is None and spec_str is not None and _looks_like_path(spec_str):
        path = Path(spec_str).expanduser()
        if not path.is_dir():
            raise ModelError(
                f"model directory {path} does not exist; give an existing Marian checkpoint "
                "directory, a Hugging Face model id, or a pair such as en-tr"
            )
        check_checkpoint(path)
        config = _read_json(path / "config.json")
        model_id = f"local:{path.resolve().name}"
        resolved_rev = local_revision(path)
        origin = "local"
        reg_entry = reg.get(src, tgt) if (src and tgt) else None
        licence = ""
    else:
        if entry is None:
            model_id, _, rev = str(spec_str).partition("@")
            revision = revision or rev or None
            reg_entry = reg.find_model(model_id) or (reg.get(src, tgt) if src and tgt else None)
            if reg_entry is not None and reg_entry.model != model_id:
                reg_entry = None
        else:
            model_id, reg_entry = entry.model, entry
            revision = revision or entry.revision
        path, resolved_rev, origin = _fetch(model_id, revision, local_files_only, src, tgt)
        config = _read_json(path / "config.json")
        licence = reg_entry.licence if reg_entry else ""
        if reg_entry is not None:
            src, tgt = src or reg_entry.src, tgt or reg_entry.tgt

    declared = checkpoint_pair(path, model_id)
    if declared is not None:
        _check_pair(model_id, declared, src, tgt)
        src = src or (declared[0] if _known_code(declared[0]) else None)
        tgt = tgt or (declared[1] if _known_code(declared[1]) else None)

    token = _pick_target_token(path, model_id, target_token, reg_entry, tgt)
    return ResolvedModel(
        model_id=model_id,
        revision=resolved_rev,
        path=path,
        src=_norm_lang(src) if src else None,
        tgt=_norm_lang(tgt) if tgt else None,
        target_token=token,
        origin=origin,
        licence=licence,
        config=config,
    )


def _looks_like_path(spec: str) -> bool:
    """A directory path rather than a hub id: exists, is explicit, or has more than 'owner/name'."""
    return (
        Path(spec).expanduser().exists()
        or spec.startswith((".", "/", "~", "\\"))
        or spec.count("/") > 1
        or "\\" in spec
    )


def check_checkpoint(path: Path) -> None:
    """Raise ModelError unless ``path`` looks like a Marian checkpoint (says what is missing)."""
    missing = [name for name in REQUIRED_FILES if not (path / name).is_file()]
    if not any((path / name).is_file() for name in WEIGHT_FILES):
        missing.append(" or ".join(WEIGHT_FILES))
    if missing:
        raise ModelError(
            f"{path} is not a Marian checkpoint: missing {', '.join(missing)}; expected an "
            "OPUS-MT model directory (config.json, source.spm, target.spm, vocab.json, weights)"
        )
    config = _read_json(path / "config.json")
    if config.get("model_type") != "marian":
        raise ModelError(
            f"{path / 'config.json'}: model_type is {config.get('model_type')!r}, expected "
            "'marian'; mtalign engines only run MarianMT (OPUS-MT) checkpoints"
        )


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ModelError(f"{path}: cannot read JSON ({exc}); the checkpoint is damaged") from exc
    if not isinstance(data, dict):
        raise ModelError(f"{path}: expected a JSON object")
    return data


def checkpoint_pair(path: Path, model_id: str = "") -> tuple[str, str] | None:
    """The (source, target) languages a checkpoint declares, if it declares them.

    Read from ``tokenizer_config.json`` (``source_lang``/``target_lang``, as real OPUS-MT
    checkpoints have) or else from an ``opus-mt-SRC-TGT`` model name.
    """
    tok_path = path / "tokenizer_config.json"
    if tok_path.is_file():
        tok = _read_json(tok_path)
        s, t = tok.get("source_lang"), tok.get("target_lang")
        if isinstance(s, str) and isinstance(t, str) and s and t:
            return s, t
    match = re.search(r"opus-mt-(?:tc-(?:big|base)-)?([a-zA-Z_]+)-([a-zA-Z_]+)$", model_id)
    if match:
        return match.group(1), match.group(2)
    return None


def _check_pair(model_id: str, declared: tuple[str, str], src: str | None, tgt: str | None) -> None:
    for want, have, side in ((src, declared[0], "source"), (tgt, declared[1], "target")):
        # Group codes (mul, roa, zle...) cover many languages: only contradict known codes.
        if want and _known_code(have) and not same_language(want, have):
            raise ModelError(
                f"model {model_id} translates {declared[0]}->{declared[1]}, but {side} language "
                f"{want!r} was requested; pick the model for {src}-{tgt} (see `mtalign models "
                "list`) or fix the language"
            )


def _vocab_lang_tokens(path: Path) -> list[str]:
    vocab = _read_json(path / "vocab.json")
    return [tok for tok in vocab if tok.startswith(">>") and tok.endswith("<<")]


def _pick_target_token(
    path: Path,
    model_id: str,
    explicit: str | None,
    entry: ModelEntry | None,
    tgt: str | None,
) -> str | None:
    lang_tokens = _vocab_lang_tokens(path)
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
        candidates = [f">>{tgt}<<"] + [f">>{c}<<" for c in _PRIMARY3.get(tgt, ())]
        for cand in candidates:
            if cand in lang_tokens:
                return cand
    raise ModelError(
        f"model {model_id} is multi-target (it knows {', '.join(lang_tokens[:12])}...) and no "
        f"target token was chosen for {tgt or 'the target language'}; set target_token in the "
        f"registry (MTALIGN_MODELS) or pass target_token"
    )


def local_revision(path: Path) -> str:
    """A content hash identifying a local checkpoint (config, vocab, spm, weight sizes)."""
    digest = hashlib.sha256()
    for name in (*REQUIRED_FILES, "tokenizer_config.json", "generation_config.json"):
        file = path / name
        if file.is_file():
            digest.update(name.encode())
            digest.update(file.read_bytes())
    for name in WEIGHT_FILES:
        file = path / name
        if file.is_file():
            size = file.stat().st_size
            digest.update(f"{name}:{size}".encode())
            # Head and tail of the weights: cheap, and different random seeds differ there.
            with file.open("rb") as fh:
                digest.update(fh.read(1 << 20))
                fh.seek(max(0, size - (1 << 20)))
                digest.update(fh.read(1 << 20))
    return "sha256:" + digest.hexdigest()[:16]


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
            f"Hugging Face model id: {exc}"
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
            f"cannot download model {model_id} ({type(exc).__name__}: {exc}); "
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


# --------------------------------------------------------------------------- CT2 cache


def ct2_quantization(compute_type: str) -> str:
    """Storage quantization to convert with for a CTranslate2 ``compute_type``."""
    if compute_type.startswith("int8"):
        return "int8"
    if compute_type in {"float16", "bfloat16", "float32", "int16"}:
        return compute_type
    if compute_type in {"auto", "default"}:
        return "int8"
    raise ModelError(
        f"unknown CTranslate2 compute type {compute_type!r}; use int8, int8_float16, "
        "int8_float32, int16, float16, bfloat16 or float32"
    )


def ct2_cache_path(model: ResolvedModel, quantization: str) -> Path:
    """The cache directory for ``model`` converted with ``quantization`` (may not exist)."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "--", model.model_id).strip("-") or "model"
    rev = re.sub(r"[^A-Za-z0-9]+", "", model.revision)[:20] or "norev"
    return ct2_cache_dir() / f"{slug}--{rev}--{quantization}"


def is_converted(path: Path) -> bool:
    """A finished conversion: the marker is written last, so its presence means complete."""
    return (path / CT2_MARKER).is_file() and (path / "model.bin").is_file()


@contextlib.contextmanager
def _lock(path: Path) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # not POSIX: fall back on the rename race below
        yield
        return
    with path.open("a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def quiet_transformers() -> None:
    """Keep transformers' progress bars and advice off the user's terminal.

    mtalign shows its own progress; "Loading weights" bars per model and the advice to
    install sacremoses (mtalign tokenises without Moses on purpose) are noise there.
    """
    import warnings

    warnings.filterwarnings("ignore", message="Recommended: pip install sacremoses")
    if "transformers" not in sys.modules:
        return  # never import transformers (hundreds of MB) just to quiet it
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()


def convert_to_ct2(model: ResolvedModel, quantization: str = "int8", force: bool = False) -> Path:
    """Convert ``model`` to CTranslate2 once; the cached directory.

    The conversion goes into a temporary directory next to its final place; the marker
    file is written last and the directory renamed into place, so an interrupted conversion
    never looks finished. A lock file serialises concurrent conversions of the same model;
    if another process still wins the rename, its result is used.
    """
    final = ct2_cache_path(model, quantization)
    if is_converted(final) and not force:
        return final
    final.parent.mkdir(parents=True, exist_ok=True)
    with _lock(final.parent / f".{final.name}.lock"):
        if is_converted(final) and not force:
            return final
        try:
            from ctranslate2.converters import TransformersConverter
        except ImportError as exc:
            raise ModelError(
                "converting to CTranslate2 needs the ctranslate2 package; "
                "pip install ctranslate2, or use --engine transformers"
            ) from exc
        import transformers  # noqa: F401 - the converter needs it; imported here to quiet it

        quiet_transformers()
        tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{final.name}-", dir=final.parent))
        try:
            copy = [n for n in ("source.spm", "target.spm") if (model.path / n).is_file()]
            converter = TransformersConverter(str(model.path), copy_files=copy)
            logger.info(
                "converting %s to CTranslate2 (%s) in %s", model.model_id, quantization, final
            )
            with warnings.catch_warnings():
                # MarianTokenizer asks for sacremoses, which conversion does not use.
                warnings.filterwarnings("ignore", message=".*sacremoses")
                converter.convert(str(tmp), quantization=quantization, force=True)
            marker = {
                "model_id": model.model_id,
                "revision": model.revision,
                "quantization": quantization,
                "source": str(model.path),
            }
            (tmp / CT2_MARKER).write_text(json.dumps(marker, indent=2) + "\n", encoding="utf-8")
            if final.exists():
                # A stale, unfinished or forced-over directory: move it aside, then drop it.
                stale = Path(tempfile.mkdtemp(prefix=f".old-{final.name}-", dir=final.parent))
                os.replace(final, stale / "x")
                shutil.rmtree(stale, ignore_errors=True)
            try:
                os.replace(tmp, final)
            except OSError:
                if not is_converted(final):
                    raise
                logger.info("another process finished converting %s first", model.model_id)
        except Exception as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            if isinstance(exc, ModelError):
                raise
            raise ModelError(
                f"CTranslate2 conversion of {model.model_id} ({model.path}) failed: "
                f"{type(exc).__name__}: {exc}; check the checkpoint or use --engine transformers"
            ) from exc
        shutil.rmtree(tmp, ignore_errors=True)
    return final


# --------------------------------------------------------------------------- tokenisation


class MarianCodec:
    """Marian's tokenisation: source/target SentencePiece models plus the shared vocab.json.

    Mirrors ``MarianTokenizer``: a language token (``>>ara<<``) is kept whole at the start,
    the text is split by the source SentencePiece model, pieces missing from vocab.json become
    ``<unk>``, and ``</s>`` ends the source. Target pieces are joined back into text the way
    SentencePiece decodes (concatenate, ``▁`` -> space).
    """

    eos = "</s>"
    unk = "<unk>"
    pad = "<pad>"

    def __init__(self, path: Path) -> None:
        import sentencepiece as spm

        self.path = path
        self.source = spm.SentencePieceProcessor(model_file=str(path / "source.spm"))
        self.target = spm.SentencePieceProcessor(model_file=str(path / "target.spm"))
        self.vocab: dict[str, int] = json.loads((path / "vocab.json").read_text(encoding="utf-8"))
        self.id_to_piece: dict[int, str] = {i: p for p, i in self.vocab.items()}
        self.eos_id = self.vocab[self.eos]
        self.unk_id = self.vocab[self.unk]
        self.pad_id = self.vocab.get(self.pad, max(self.vocab.values()) + 1)

    def encode_source(self, text: str, lang_token: str | None = None) -> list[str]:
        """Source pieces as the model sees them: [lang token] + pieces + ``</s>``."""
        pieces = [
            p if p in self.vocab else self.unk for p in self.source.encode(text, out_type=str)
        ]
        return ([lang_token] if lang_token else []) + pieces + [self.eos]

    def encode_target(self, text: str) -> list[str]:
        """Target-side pieces of ``text`` (no ``</s>``), e.g. for a forced prefix."""
        return [p if p in self.vocab else self.unk for p in self.target.encode(text, out_type=str)]

    def ids(self, pieces: Sequence[str]) -> list[int]:
        return [self.vocab.get(p, self.unk_id) for p in pieces]

    def pieces(self, ids: Sequence[int]) -> list[str]:
        return [self.id_to_piece.get(int(i), self.unk) for i in ids]

    @staticmethod
    def decode(pieces: Sequence[str]) -> str:
        """Join target pieces into text, as SentencePiece does."""
        return "".join(pieces).replace("\u2581", " ").strip()
