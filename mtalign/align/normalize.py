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

# Harakat, tanwin, shadda, sukun, superscript alef, Quranic annotation marks.
_AR_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u08d3-\u08ff]")
_AR_TATWEEL = "\u0640"
_AR_LETTERS = str.maketrans(
    {
        "\u0622": "\u0627",  # alef madda -> alef
        "\u0623": "\u0627",  # alef hamza above -> alef
        "\u0625": "\u0627",  # alef hamza below -> alef
        "\u0671": "\u0627",  # alef wasla -> alef
        "\u0649": "\u064a",  # alef maqsura -> ya
        "\u0629": "\u0647",  # ta marbuta -> ha
        "\u0624": "\u0648",  # waw hamza -> waw
        "\u0626": "\u064a",  # ya hamza -> ya
        "\u06cc": "\u064a",  # Farsi ya -> ya
        "\u06a9": "\u0643",  # keheh -> kaf
    }
)
_QUOTES = re.compile(r"\"{2,}|''+|[“”„«»]")
_SPACE = re.compile(r"\s+")
_ARABIC_LANGS = frozenset({"ar", "fa", "ur", "ps", "ckb"})


def normalize_arabic(text: str) -> str:
    """Remove diacritics and tatweel; fold alef/ya/ta-marbuta/hamza-carrier variants."""
    text = _AR_DIACRITICS.sub("", text).replace(_AR_TATWEEL, "")
    return text.translate(_AR_LETTERS)


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
