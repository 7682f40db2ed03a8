"""Text normalisation applied before sentences are compared (never to the output).

Embedding models and char n-gram scores are sensitive to surface noise that carries no
meaning for alignment: Arabic diacritics (harakat), tatweel and letter variants, doubled
quotes, odd whitespace. Measured on the Quran benchmark
(docs/benchmarks.md#arabic-normalisation), Arabic without this step loses most of its
retrieval accuracy with USE-multilingual.
"""

from __future__ import annotations

import re
import unicodedata

from mtalign.arabic import fold

_QUOTES = re.compile(r"\"{2,}|''+|[“”„«»]")
_SPACE = re.compile(r"\s+")
_ARABIC_LANGS = frozenset({"ar", "fa", "ur", "ps", "ckb"})


def normalize_arabic(text: str) -> str:
    """Remove diacritics and tatweel; fold alef/ya/ta-marbuta/hamza-carrier variants
    (:func:`mtalign.arabic.fold`, the folding glossary matching uses too)."""
    return fold(text)


def normalize_for_matching(text: str, lang: str | None = None) -> str:
    """The form of ``text`` that similarity sources see.

    NFKC (folds compatibility forms), quotes unified, whitespace collapsed; Arabic-script
    languages also get :func:`normalize_arabic`. Arabic letters are folded for any
    language, since quoted Arabic names appear in other languages' text too.
    """
    text = unicodedata.normalize("NFKC", text)
    if lang in _ARABIC_LANGS or any("\u0600" <= ch <= "\u06ff" for ch in text[:200]):
        text = normalize_arabic(text)
    text = _QUOTES.sub('"', text)
    return _SPACE.sub(" ", text).strip()
