"""The morphology of each target language: a name -> module table, loaded on first use.

A language with rules of its own has a module ``morph_LANG`` with a class implementing
:class:`~mtalign.glossary.morph_base.TargetMorph`; every other language gets
:class:`~mtalign.glossary.morph_base.ExactMorph`.
"""

from __future__ import annotations

import importlib
from functools import lru_cache

from mtalign.glossary.morph_base import ExactMorph, Found, TargetMorph, dedupe
from mtalign.langs import canonical

__all__ = ["MORPHOLOGIES", "ExactMorph", "Found", "TargetMorph", "dedupe", "get_morph"]

#: Language -> ``module:Class`` of its morphology (imported only when first used:
#: Russian loads pymorphy3's dictionaries).
MORPHOLOGIES = {
    "tr": "mtalign.glossary.morph_tr:TurkishMorph",
    "ru": "mtalign.glossary.morph_ru:RussianMorph",
    "ar": "mtalign.glossary.morph_ar:ArabicMorph",
}


def get_morph(lang: str) -> TargetMorph:
    """The morphology for a target language (cached; heavy data loads on first use)."""
    return _get_morph(canonical(lang))


@lru_cache(maxsize=32)
def _get_morph(lang: str) -> TargetMorph:
    spec = MORPHOLOGIES.get(lang)
    if spec is None:
        return ExactMorph(lang)
    module, _, name = spec.partition(":")
    morph: TargetMorph = getattr(importlib.import_module(module), name)()
    return morph
