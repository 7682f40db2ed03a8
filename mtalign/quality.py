"""The quality gate: checks on each translated segment.

Flags: ``empty`` output, ``copy`` of the source, ``repetition`` loops, ``wrong-language``
output and ``numbers`` of the source missing from the output. The first three are worth
a retry with safer decoding (:func:`retry_flags`).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from mtalign.langid import MIN_LETTERS, detect, letter_count

#: Output language is judged only when the model is at least this sure of another language.
WRONG_LANG_CONFIDENCE = 0.90

# A number with optional thousands groups (1,000 / 1.000 / 1 000 / 1'000) and decimals.
_NUMBER = re.compile(
    r"(?<![\w.,])\d{1,3}(?:[ \u00a0\u202f.,'’]\d{3})+(?:[.,]\d+)?(?!\d)|\d+(?:[.,]\d+)?"
)
_WORD = re.compile(r"\w+", re.UNICODE)
_URL = re.compile(r"^(?:https?://|www\.)\S+$|^[\w.+-]+@[\w-]+\.[\w.-]+$", re.I)


def _digits(text: str) -> str:
    """Map any Unicode decimal digits (Arabic-Indic, Persian...) to ASCII."""
    return "".join(
        str(unicodedata.digit(c)) if c.isdigit() and not c.isascii() else c for c in text
    )


def number_values(text: str) -> list[str]:
    """Numbers in ``text`` with grouping removed, e.g. ``1,000.5`` and ``1 000,5`` -> ``1000.5``.

    A single separator followed by exactly three digits is read as grouping (``1,000``,
    ``1.000``): languages disagree on which mark is decimal, so that is the safe reading.
    """
    out = []
    for m in _NUMBER.finditer(_digits(text)):
        s = m.group(0)
        parts = re.split(r"[ \u00a0\u202f.,'’]", s)
        if len(parts) == 1:
            out.append(s)
            continue
        *head, last = parts
        if len(last) == 3 and all(len(p) == 3 for p in head[1:]):
            out.append("".join(parts))
        else:
            out.append("".join(head) + "." + last)
    return out


def missing_numbers(source: str, output: str) -> list[str]:
    """Numbers of the source that the output lacks (counted with multiplicity)."""
    src = Counter(number_values(source))
    tgt = Counter(number_values(output))
    # "1.5" in one language can be "1,5" in another: compare digit strings too.
    tgt_digits = Counter(v.replace(".", "") for v in tgt.elements())
    missing = []
    for val, n in src.items():
        have = tgt.get(val, 0)
        if have < n:
            have += tgt_digits.get(val.replace(".", ""), 0) - tgt.get(val, 0)
        if have < n:
            missing.extend([val] * (n - max(have, 0)))
    return missing


def repeated_ngram(text: str, min_repeats: int = 3, max_n: int = 4) -> str | None:
    """An n-gram (n <= max_n) repeated back to back ``min_repeats`` times, if any."""
    words = _WORD.findall(text.lower())
    for n in range(1, max_n + 1):
        for i in range(0, len(words) - n * min_repeats + 1):
            gram = words[i : i + n]
            if all(words[i + k * n : i + (k + 1) * n] == gram for k in range(1, min_repeats)):
                return " ".join(gram)
    return None


def has_content(text: str) -> bool:
    """False for text with nothing to translate: numbers, punctuation, URLs, e-mail, code."""
    t = text.strip()
    if not t:
        return False
    if _URL.match(t):
        return False
    if t.startswith("`") and t.endswith("`"):
        return False
    return letter_count(t) > 0


def _norm(text: str) -> str:
    return " ".join(text.casefold().split())


def retry_flags(source: str, output: str, src_lang: str, tgt_lang: str) -> list[tuple[str, str]]:
    """The cheap checks that decide a retry: ``empty``, ``copy``, ``repetition``."""
    flags: list[tuple[str, str]] = []
    if not has_content(source):
        return flags
    if not output.strip():
        return [("empty", "the output is empty")]
    if src_lang != tgt_lang and _norm(output) == _norm(source) and letter_count(source) >= 4:
        flags.append(("copy", "the output repeats the source"))
    gram = repeated_ngram(output)
    # A source that repeats itself ("no, no, no") may be translated with a repetition.
    if gram is not None and repeated_ngram(source) is None:
        flags.append(("repetition", f"'{gram}' repeated 3+ times"))
    return flags


def check_segment(source: str, output: str, src_lang: str, tgt_lang: str) -> list[tuple[str, str]]:
    """Quality flags ``(kind, detail)`` for one translated segment."""
    flags = retry_flags(source, output, src_lang, tgt_lang)
    # An empty output or a copy of the source already says what the language check would.
    if not has_content(source) or any(kind in ("empty", "copy") for kind, _ in flags):
        return flags
    if letter_count(output) >= MIN_LETTERS:
        # A few hundred characters are enough to judge a sentence's language, and
        # langdetect's cost grows with the text.
        guess = detect(output[:400])
        if guess.lang not in ("und", tgt_lang) and guess.prob >= WRONG_LANG_CONFIDENCE:
            flags.append(("wrong-language", f"looks like {guess.lang} ({guess.prob:.2f})"))
    lost = missing_numbers(source, output)
    if lost:
        flags.append(("numbers", "missing: " + ", ".join(lost)))
    return flags
