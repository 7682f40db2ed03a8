"""Language-aware casing and normalisation used by matching and morphology.

Every function that returns a string of the same length as its input says so: those
keep character offsets valid, which the matchers rely on.
"""

from __future__ import annotations

import re
import unicodedata

from mtalign import arabic

#: Characters written for the Turkish apostrophe (and the English possessive).
APOSTROPHES = "'\u2019\u02bc\u2018"

_TR_LOWER = {ord("I"): "ı", ord("İ"): "i"}
_TR_UPPER = {ord("i"): "İ", ord("ı"): "I"}
#: Turkish letters and the ASCII letter a careless writer (or model) uses instead.
_TR_ASCII = str.maketrans("ğışçöüâîû", "giscouaiu")

# Word characters: \w plus the combining marks \w leaves out (Arabic harakat, accents).
WORD_CHARS = r"\w\u0300-\u036f\u0483-\u0489\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed"
WORD_RE = re.compile(f"[{WORD_CHARS}]+")
#: Source tokens: words and single punctuation marks (whitespace is not a token).
TOKEN_RE = re.compile(f"[{WORD_CHARS}]+|[^{WORD_CHARS}\\s]")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def tr_lower(text: str) -> str:
    """Turkish lower case (I -> ı, İ -> i); same length as ``text``."""
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text.translate(_TR_LOWER))


def tr_upper(text: str) -> str:
    """Turkish upper case (i -> İ, ı -> I)."""
    return text.translate(_TR_UPPER).upper()


def tr_skeleton(text: str) -> str:
    """Turkish lower case without the Turkish letters (ğ -> g, ı -> i ...); same length."""
    return tr_lower(text).translate(_TR_ASCII)


def fold(text: str, lang: str | None) -> str:
    """Case folding for matching: Turkish/Azerbaijani rules where they apply."""
    if lang in ("tr", "az"):
        return tr_lower(text)
    return text.casefold()


def norm_apostrophe(token: str) -> str:
    return "'" if token in APOSTROPHES else token


# Arabic ---------------------------------------------------------------------------------

# One folding for the whole package (mtalign.arabic); these names are the glossary's.
ar_strip_marks = arabic.strip_marks
ar_normalize = arabic.fold
ar_normalize_with_map = arabic.fold_with_offsets
