"""Language identification (langdetect, seeded) and language-code checks."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache

from mtalign.errors import LanguageError

#: Below this many letters a text is "und": too short to judge.
MIN_LETTERS = 20
#: A declared language is contradicted only when another is detected at least this sure.
MISMATCH_CONFIDENCE = 0.90
#: Detection looks at this many characters at most (langdetect's own default).
MAX_CHARS = 10_000

# ISO 639-1 codes; a code outside this set is a typo, not a language.
_ISO639_1 = frozenset(
    """aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu
    cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr
    ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky
    la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc
    oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su
    sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh
    zu""".split()
)
# Three-letter and regional codes that MT model names use, mapped to the two-letter code.
_ALIASES = {
    "eng": "en", "tur": "tr", "rus": "ru", "ara": "ar", "deu": "de", "ger": "de", "fra": "fr",
    "fre": "fr", "spa": "es", "ukr": "uk", "zho": "zh", "chi": "zh", "cmn": "zh", "zh-cn": "zh",
    "zh-tw": "zh", "zh_cn": "zh", "zh_tw": "zh", "ita": "it", "por": "pt", "pt-br": "pt",
    "nld": "nl", "dut": "nl", "pol": "pl", "ces": "cs", "ell": "el", "fas": "fa", "per": "fa",
    "heb": "he", "iw": "he", "jpn": "ja", "kor": "ko", "hin": "hi", "urd": "ur", "aze": "az",
    "kaz": "kk", "bul": "bg", "ron": "ro", "rum": "ro", "swe": "sv", "fin": "fi", "hun": "hu",
}  # fmt: skip

_lock = threading.Lock()


@dataclass(frozen=True)
class LangGuess:
    """A detected language and its probability (``und`` when too short to judge)."""

    lang: str
    prob: float

    def __str__(self) -> str:
        return f"{self.lang} ({self.prob:.2f})"


def normalize_lang(code: object) -> str:
    """Lower-case, validated ISO 639-1 code; ``LanguageError`` for unknown codes."""
    if not isinstance(code, str) or not code.strip():
        raise LanguageError(f"expected a language code like 'tr', got {code!r}")
    c = code.strip().lower().replace("_", "-")
    c = _ALIASES.get(c, c)
    if c not in _ISO639_1:
        base = c.split("-")[0]
        base = _ALIASES.get(base, base)
        if base in _ISO639_1:
            return base
        raise LanguageError(
            f"unknown language code {code!r}; use an ISO 639-1 code such as en, tr, ru, ar"
        )
    return c


def letter_count(text: str) -> int:
    """Number of alphabetic characters (what langdetect can use)."""
    return sum(1 for ch in text if ch.isalpha())


@lru_cache(maxsize=1)
def _factory_ready() -> bool:
    from langdetect import DetectorFactory
    from langdetect.detector_factory import init_factory

    DetectorFactory.seed = 0
    init_factory()
    return True


def _probabilities(text: str) -> list[tuple[str, float]]:
    from langdetect import DetectorFactory
    from langdetect.lang_detect_exception import LangDetectException

    _factory_ready()
    with _lock:
        # A fixed seed per call: the same text always gets the same answer.
        DetectorFactory.seed = 0
        from langdetect.detector_factory import _factory

        try:
            det = _factory.create()
            det.append(text[:MAX_CHARS])
            langs = det.get_probabilities()
        except LangDetectException:
            return []
    return [(_ALIASES.get(lp.lang, lp.lang), lp.prob) for lp in langs]


def detect(text: str) -> LangGuess:
    """The most likely language of ``text``; ``und`` under ~20 letters."""
    if letter_count(text[:MAX_CHARS]) < MIN_LETTERS:
        return LangGuess("und", 0.0)
    probs = _probabilities(text)
    if not probs:
        return LangGuess("und", 0.0)
    lang, prob = probs[0]
    return LangGuess(lang, round(prob, 4))


def check_language(text: str, declared: str, name: str = "input", force: bool = False) -> LangGuess:
    """Stop with ``LanguageError`` when ``text`` is confidently not in ``declared``."""
    guess = detect(text)
    if force or guess.lang in ("und", declared):
        return guess
    if guess.prob >= MISMATCH_CONFIDENCE:
        raise LanguageError(
            f"{name}: declared language is {declared!r} but the text looks like "
            f"{guess.lang!r} (confidence {guess.prob:.2f}); fix --src or pass --force"
        )
    return guess
