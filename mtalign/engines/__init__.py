"""Translation engines: a name -> loader table that imports heavy code only when chosen.

>>> from mtalign.models import resolve_model
>>> from mtalign.engines import load_translator, DecodeOptions
>>> model = resolve_model("en-tr")                                 # doctest: +SKIP
>>> tr = load_translator("auto", model)                            # doctest: +SKIP
>>> tr.translate(["Hello."], DecodeOptions(beam_size=4))[0].best.text  # doctest: +SKIP

``auto`` picks CTranslate2 when the package is importable, else transformers.
"""

from __future__ import annotations

import importlib
import importlib.util
import math
from typing import TYPE_CHECKING

from mtalign.engines.base import DecodeOptions, Hypothesis, TranslationResult, Translator
from mtalign.errors import ModelError
from mtalign.settings.translate import ENGINE_ALIASES

if TYPE_CHECKING:
    from mtalign.models import ResolvedModel

__all__ = [
    "ENGINES",
    "DecodeOptions",
    "Hypothesis",
    "TranslationResult",
    "Translator",
    "available_engines",
    "engine_name",
    "load_translator",
    "output_limit",
    "set_process_threads",
]

# name -> (module, class, the package it needs)
ENGINES: dict[str, tuple[str, str, str]] = {
    "ctranslate2": ("mtalign.engines.ct2", "CTranslate2Translator", "ctranslate2"),
    "transformers": ("mtalign.engines.hf", "TransformersTranslator", "transformers"),
}
#: Packages an engine needs besides the one above, and how to get them.
NEEDS: dict[str, tuple[tuple[str, str], ...]] = {
    "transformers": (
        ("torch", "pip install 'mtalign[torch]' (torch==2.13.0 first for the CPU build)"),
    ),
}
ALIASES = ENGINE_ALIASES


def _importable(package: str) -> bool:
    try:
        return importlib.util.find_spec(package) is not None
    except (ImportError, ValueError):  # a broken install, or an import hook that refuses it
        return False


def available_engines() -> list[str]:
    """Engine names whose libraries are installed."""
    return [
        name
        for name, (_, _, pkg) in ENGINES.items()
        if _importable(pkg) and all(_importable(p) for p, _ in NEEDS.get(name, ()))
    ]


def engine_name(engine: str) -> str:
    """Canonical engine name for ``engine`` (``auto``, an alias or a name)."""
    key = engine.strip().lower()
    key = ALIASES.get(key, key)
    if key == "auto":
        found = available_engines()
        if not found:
            raise ModelError(
                "no translation engine is installed; pip install ctranslate2 (recommended) "
                "or transformers torch"
            )
        return found[0]
    if key not in ENGINES:
        raise ModelError(
            f"unknown engine {engine!r}; use auto, {', '.join(ENGINES)} "
            f"(aliases: {', '.join(ALIASES)})"
        )
    return key


def load_translator(
    engine: str,
    model: ResolvedModel,
    device: str = "auto",
    compute_type: str | None = None,
    **kwargs: object,
) -> Translator:
    """Load ``model`` into the engine named ``engine`` (``auto``, ``ctranslate2``, ``transformers``).

    ``device`` is ``auto`` (CUDA when available), ``cpu`` or ``cuda``; ``compute_type``
    defaults to int8 (CPU) / int8_float16 (CUDA) for CTranslate2 and float32 / float16 for
    transformers. Extra keyword arguments (e.g. ``threads``) go to the engine class.
    """
    name = engine_name(engine)
    module_name, class_name, package = ENGINES[name]
    if not _importable(package) and name not in NEEDS:
        raise ModelError(
            f"engine {name} needs the {package} package, which is not installed; "
            f"pip install {package}, or choose --engine {'transformers' if name != 'transformers' else 'ctranslate2'}"
        )
    for extra, how in NEEDS.get(name, ()):
        if not _importable(extra):
            raise ModelError(
                f"engine {name} needs {extra}, which is not installed; {how}, "
                "or use --engine ctranslate2 (no torch needed)"
            )
    if device not in {"auto", "cpu", "cuda"}:
        raise ModelError(f"unknown device {device!r}; use auto, cpu or cuda")
    from mtalign.models import quiet_transformers

    cls = getattr(importlib.import_module(module_name), class_name)
    quiet_transformers()
    return cls(model, device=device, compute_type=compute_type, **kwargs)


def set_process_threads(engine: str, threads: int) -> None:
    """Give torch ``threads`` CPU threads when ``engine`` runs on torch; call it once at the edge.

    CTranslate2 takes its threads per engine object (``intra_threads``); torch has one pool
    for the whole process, so no engine object sets it: a front end (the command line, the
    Python API call, a batch worker) does, before it loads engines. Nothing happens for
    other engines (torch is not even imported), for ``threads <= 0``, or when the count is
    already ``threads``.
    """
    if threads <= 0 or engine_name(engine) != "transformers":
        return
    try:
        import torch
    except ImportError:  # the engine's own load says which extra to install
        return

    if torch.get_num_threads() != threads:
        torch.set_num_threads(threads)


def output_limit(options: DecodeOptions, source_tokens: int, max_positions: int = 512) -> int:
    """Most target tokens (without ``</s>``) an output may have.

    ``options.max_length`` when set, else ``max_length_a * source_tokens + max_length_b``;
    always within the decoder's positions (start token and ``</s>`` take two of them) and
    never below ``options.min_length``.
    """
    cap = max(1, max_positions - 2)
    if options.max_length is not None:
        limit = options.max_length
    else:
        limit = math.ceil(options.max_length_a * source_tokens + options.max_length_b)
    return max(1, min(cap, max(limit, options.min_length)))
