"""Models: the registry, resolution, the CTranslate2 conversion cache and the tokenizer codec.

* :mod:`~mtalign.models.registry`: language pair -> default model and alternatives, with
  target token, licence, size and published figures (``mtalign/data/models.toml``,
  overridable with ``MTALIGN_MODELS``).
* :mod:`~mtalign.models.resolve`: a pair, a model id or a local directory -> a checked
  Marian checkpoint on disk (:class:`ResolvedModel`); local directory, HF cache, download.
* :mod:`~mtalign.models.checkpoint`: what a checkpoint must hold and what it declares.
* :mod:`~mtalign.models.convert`: each checkpoint converted to CTranslate2 once, atomically.
* :mod:`~mtalign.models.codec`: :class:`MarianCodec`, the tokenisation both engines share.
* :mod:`~mtalign.models.local`: registry models found in a folder of downloads.

Heavy libraries (huggingface_hub, sentencepiece, ctranslate2, transformers) are imported
inside the functions that need them.
"""

from __future__ import annotations

from mtalign.langs import same_language
from mtalign.models.checkpoint import (
    REQUIRED_FILES,
    WEIGHT_FILES,
    DamagedFile,
    check_checkpoint,
    checkpoint_pair,
    load_problem,
    local_revision,
    one_line,
)
from mtalign.models.codec import MarianCodec
from mtalign.models.convert import (
    CT2_MARKER,
    convert_to_ct2,
    ct2_cache_path,
    ct2_quantization,
    is_converted,
    quiet_transformers,
    sweep_stale,
)
from mtalign.models.local import FoundModel, find_checkpoints
from mtalign.models.registry import (
    DEFAULT_CHOICE,
    DEFAULT_FALLBACK,
    MODELS_ENV,
    ModelEntry,
    Registry,
    default_registry_path,
    load_registry,
    parse_choice,
    parse_pair,
)
from mtalign.models.resolve import (
    HUB_FILES,
    ResolvedModel,
    download_model,
    hf_offline,
    is_cached,
    resolve_model,
)
from mtalign.paths import ct2_cache_dir, mtalign_home

__all__ = [
    "CT2_MARKER",
    "DamagedFile",
    "FoundModel",
    "DEFAULT_CHOICE",
    "DEFAULT_FALLBACK",
    "HUB_FILES",
    "MODELS_ENV",
    "REQUIRED_FILES",
    "WEIGHT_FILES",
    "MarianCodec",
    "ModelEntry",
    "Registry",
    "ResolvedModel",
    "check_checkpoint",
    "checkpoint_pair",
    "convert_to_ct2",
    "ct2_cache_dir",
    "ct2_cache_path",
    "ct2_quantization",
    "default_registry_path",
    "download_model",
    "find_checkpoints",
    "hf_offline",
    "is_cached",
    "is_converted",
    "load_problem",
    "load_registry",
    "local_revision",
    "mtalign_home",
    "one_line",
    "parse_choice",
    "parse_pair",
    "quiet_transformers",
    "resolve_model",
    "same_language",
    "sweep_stale",
]
