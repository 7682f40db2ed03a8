"""Translation settings in the pipeline: the declared settings and the decoding they imply.

:class:`TranslateSettings` and :func:`check_settings` are declared in
:mod:`mtalign.settings.translate`; this module turns them into engine decoding options.
"""

from __future__ import annotations

from dataclasses import replace

from mtalign.engines.base import DecodeOptions
from mtalign.settings import TranslateSettings, check_settings

__all__ = ["TranslateSettings", "check_settings", "decode_options", "safer_options"]


def decode_options(settings: TranslateSettings) -> DecodeOptions:
    """The decoding options of a first pass."""
    # Scores are not used downstream (n-best lists come best first); asking
    # transformers for them keeps every step's full-vocabulary logits in memory.
    return DecodeOptions(
        beam_size=settings.beam,
        max_length=settings.max_length,
        min_length=settings.min_length,
        return_scores=False,
    )


def safer_options(settings: TranslateSettings) -> DecodeOptions:
    """The retry settings: wider beam, repetition penalty, no repeated trigrams."""
    return replace(
        decode_options(settings),
        beam_size=max(settings.beam + 2, 6),
        repetition_penalty=1.3,
        no_repeat_ngram_size=3,
    )
