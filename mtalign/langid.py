"""Language identification (langdetect, seeded) and language checks of texts.

Language codes themselves live in :mod:`mtalign.langs`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from mtalign.errors import LanguageError
from mtalign.langs import canonical, normalize_lang

__all__ = ["LangGuess", "check_language", "detect", "letter_count", "normalize_lang"]

#: Below this many letters a text is "und": too short to judge.
MIN_LETTERS = 20
#: A declared language is contradicted only when another is detected at least this sure.
MISMATCH_CONFIDENCE = 0.90
#: Detection looks at this many characters at most (langdetect's own default).
MAX_CHARS = 10_000

_lock = threading.Lock()


@dataclass(frozen=True)
class LangGuess:
    """A detected language and its probability (``und`` when too short to judge)."""

    lang: str
    prob: float

    def __str__(self) -> str:
        return f"{self.lang} ({self.prob:.2f})"


def letter_count(text: str) -> int:
    """Number of alphabetic characters (what langdetect can use)."""
    return sum(1 for ch in text if ch.isalpha())


_factory: object | None = None


def _our_factory() -> object:
    """mtalign's own langdetect factory, profiles loaded once and seeded (thread-safe).

    langdetect's module-level ``detect`` shares one factory and a class-wide seed with every
    other user of the library; ours is a separate instance with its own seed, and each call
    makes its own ``Detector`` (with its own random generator), so concurrent calls neither
    race nor change anyone else's results.
    """
    global _factory
    with _lock:
        if _factory is None:
            from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

            factory = DetectorFactory()
            factory.load_profile(PROFILES_DIRECTORY)
            factory.set_seed(0)  # langdetect is random without a seed
            _factory = factory
        return _factory


def _probabilities(text: str) -> list[tuple[str, float]]:
    from langdetect.lang_detect_exception import LangDetectException

    factory: Any = _our_factory()
    try:
        det = factory.create()
        det.append(text[:MAX_CHARS])
        langs = det.get_probabilities()
    except LangDetectException:
        return []
    return [(canonical(lp.lang), lp.prob) for lp in langs]


def detect(text: str) -> LangGuess:
    """The most likely language of ``text``; ``und`` under ~20 letters."""
    if letter_count(text[:MAX_CHARS]) < MIN_LETTERS:
        return LangGuess("und", 0.0)
    probs = _probabilities(text)
    if not probs:
        return LangGuess("und", 0.0)
    lang, prob = probs[0]
    return LangGuess(lang, round(prob, 4))


def check_language(
    text: str,
    declared: str,
    name: str = "input",
    force: bool = False,
    flag: str = "--src",
    force_flag: str = "--force",
) -> LangGuess:
    """Stop with ``LanguageError`` when ``text`` is confidently not in ``declared``.

    The message names the setting that declared the language (``flag``) and the one
    that skips the check (``force_flag``; empty when there is none).
    """
    guess = detect(text)
    if force or guess.lang in ("und", declared):
        return guess
    if guess.prob >= MISMATCH_CONFIDENCE:
        fix = f"fix {flag} or pass {force_flag}" if force_flag else f"fix {flag} or the file"
        raise LanguageError(
            f"{name}: declared language is {declared!r} but the text looks like "
            f"{guess.lang!r} (confidence {guess.prob:.2f}); {fix}"
        )
    return guess
