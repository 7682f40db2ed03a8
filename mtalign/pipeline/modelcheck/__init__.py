"""``mtalign models check``: prove that installed models work, on the reference article.

Each model translates the project's reference news article (the Idlib story, 28 sentences,
shipped in ``mtalign/data/check/`` with the team's Turkish, Russian and Arabic translations)
through the real pipeline on CTranslate2 and on transformers. Per engine: chrF++ and BLEU
against the reference, the quality gate's flags, output tokens per second, load time, peak
memory; on the first engine also glossary term accuracy without and with ``enforce``; per
pair: whether both engines gave the same tokens, and a verdict.

The verdict's thresholds (documented in docs/models.md, "models check"):

* chrF++ below :data:`CHRF_FLOOR` (30) means gibberish: a wrong model, a missing or wrong
  target token, or a broken tokenizer. Broken outputs measured on the references score
  at most 17.4 (a copy of the English source scored against the Turkish reference; another
  language: 1.4-3.0; sentences shifted by one line: 13.9-16.4); the weakest published chrF
  of a registry model is 43.7 (opus-mt-en-ar, Tatoeba) and the defaults publish 56-73 on
  FLORES / newstest.
* More than :data:`MAX_UNK` of the source pieces unknown: source.spm does not match
  vocab.json (a broken tokenizer).
* More than :data:`MAX_WRONG_LANG` of the judged outputs in another language: a missing or
  wrong target token.
* chrF++ between the two engines' first decodings below :data:`MIN_ENGINE_CHRF`: a
  conversion problem (int8 and float32 outputs of a good model differ in a few words, not
  wholesale).
* The quality gate flagging more than :data:`MAX_FLAGGED` of these clean news sentences.
* Glossary ``enforce`` lowering term accuracy.

The jobs live in one module each: :mod:`.data` (the article), :mod:`.run` (running the
engines), :mod:`.memory` (peak memory from /proc), :mod:`.results` (what is measured, the
thresholds), :mod:`.judge` (the verdict), :mod:`.render` (the text report); this module
picks the models and runs the check over them.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from mtalign.errors import ModelError
from mtalign.pipeline.modelcheck.data import ARTICLE, check_data_dir, glossary_path, reference_texts
from mtalign.pipeline.modelcheck.judge import verdict
from mtalign.pipeline.modelcheck.render import render_checks
from mtalign.pipeline.modelcheck.results import (
    CHRF_FLOOR,
    MAX_FLAGGED,
    MAX_UNK,
    MAX_WRONG_LANG,
    MIN_ENGINE_CHRF,
    EngineRun,
    PairCheck,
)
from mtalign.pipeline.modelcheck.run import _corpus_chrf, check_model, run_engine

__all__ = [
    "ARTICLE",
    "CHRF_FLOOR",
    "MAX_FLAGGED",
    "MAX_UNK",
    "MAX_WRONG_LANG",
    "MIN_ENGINE_CHRF",
    "EngineRun",
    "PairCheck",
    "_corpus_chrf",
    "check_data_dir",
    "check_model",
    "check_models",
    "glossary_path",
    "installed_specs",
    "reference_texts",
    "render_checks",
    "run_engine",
    "verdict",
]

log = logging.getLogger(__name__)


def installed_specs(registry: Any) -> list[tuple[str, str, str]]:
    """(src, tgt, choice) of every registry model in the Hugging Face cache."""
    from mtalign.models import is_cached

    return [(e.src, e.tgt, e.choice) for e in registry.all() if is_cached(e.model, e.revision)]


def _known_pair(src: str, tgt: str, registry: Any) -> None:
    """A LanguageError for a pair that is not in the registry and names no language."""
    from mtalign.errors import LanguageError
    from mtalign.langs import flat_code, normalize_lang

    if (flat_code(src), flat_code(tgt)) in getattr(registry, "entries", {}):
        return
    for code in (src, tgt):
        try:
            normalize_lang(code)
        except LanguageError:
            raise LanguageError(
                f"{src}-{tgt}: unknown language pair ({code!r} is not a language code); "
                "`mtalign models list` shows the known pairs, e.g. en-tr"
            ) from None


def _targets(
    pairs: Sequence[str], models: Mapping[str, str], registry: Any
) -> list[tuple[str, str, str]]:
    """(src, tgt, spec) to check: ``--model`` entries, PAIRS, else every installed model."""
    from mtalign.models import parse_choice, parse_pair

    out: list[tuple[str, str, str]] = []
    for key, spec in models.items():
        src, tgt = parse_pair(key) if "-" in key else ("en", key)
        out.append((src, tgt, spec))
    for pair in pairs:
        src, tgt, choice = parse_choice(pair)
        _known_pair(src, tgt, registry)
        out.append((src, tgt, f"{src}-{tgt}:{choice}"))
    if not out and not models:
        out = [(s, t, f"{s}-{t}:{c}") for s, t, c in installed_specs(registry)]
    if not out:
        raise ModelError(
            "no installed model to check: download one with `mtalign models pull en-tr`, "
            "or pass a local checkpoint with --model tr=/path/to/model"
        )
    return out


def check_models(
    pairs: Sequence[str] = (),
    models: Mapping[str, str] | None = None,
    engines: Sequence[str] = ("ctranslate2", "transformers"),
    compute_type: str | None = None,
    threads: int = 0,
    registry: Any = None,
    progress: bool = False,
    max_length: int | None = None,
) -> list[PairCheck]:
    """Check the models of PAIRS and ``models`` (``{"tr": path}``), or every installed one.

    Nothing is downloaded: a model that is not installed is a :class:`ModelError`.
    """
    from mtalign.models import load_registry, resolve_model

    reg = registry if registry is not None else load_registry()
    todo = _targets(pairs, dict(models or {}), reg)
    resolved = [
        resolve_model(spec, src=src, tgt=tgt, registry=reg, local_files_only=True)
        for src, tgt, spec in todo
    ]  # every model found before any work
    results = []
    for model in resolved:
        if progress:
            log.warning("checking %s-%s: %s", model.src, model.tgt, model.model_id)
        results.append(check_model(model, engines, compute_type, threads, max_length))
    return results
