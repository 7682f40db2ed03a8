"""Language codes: the one table of codes, aliases and script facts the package uses.

ISO 639-1 codes are the canonical form everywhere (``tr``, ``ru``, ``ar``). Model names and
vocabularies use ISO 639-3 and regional codes (``tur``, ``cmn_Hans``, ``>>ara<<``); the
tables here translate between them.
"""

from __future__ import annotations

from mtalign.errors import LanguageError

# ISO 639-1 codes; a code outside this set is a typo, not a language.
ISO639_1 = frozenset(
    """aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu
    cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr
    ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky
    la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc
    oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su
    sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh
    zu""".split()
)

#: ISO 639-1 -> the ISO 639-3, macro-language and legacy codes of the same language that
#: OPUS-MT names and vocabularies use.
ISO3: dict[str, frozenset[str]] = {
    two: frozenset(threes)
    for two, threes in {
        "en": {"eng"},
        "tr": {"tur"},
        "ru": {"rus"},
        "ar": {"ara", "arb", "arz", "ary", "apc", "afb", "arq"},
        "de": {"deu", "ger"},
        "fr": {"fra", "fre"},
        "es": {"spa"},
        "uk": {"ukr"},
        "zh": {"zho", "chi", "cmn", "yue", "cmn_hans", "cmn_hant", "zh_cn", "zh_tw"},
        "it": {"ita"},
        "pt": {"por"},
        "nl": {"nld", "dut"},
        "pl": {"pol"},
        "fa": {"fas", "per", "pes"},
        "he": {"heb"},
        "ja": {"jpn"},
        "ko": {"kor"},
        "el": {"ell", "gre"},
        "bg": {"bul"},
        "cs": {"ces", "cze"},
        "sv": {"swe"},
        "fi": {"fin"},
        "hu": {"hun"},
        "ro": {"ron", "rum"},
        "az": {"aze"},
        "kk": {"kaz"},
        "hi": {"hin"},
        "ur": {"urd"},
    }.items()
}

#: Spellings of a language that are neither ISO 639-1 nor in :data:`ISO3` (old or regional).
_OTHER_SPELLINGS: dict[str, str] = {"iw": "he", "pt-br": "pt", "zh-cn": "zh", "zh-tw": "zh"}

#: Other spellings accepted as a language code, mapped to ISO 639-1: derived from
#: :data:`ISO3` (every ISO 639-3 / legacy code of a language) plus a few old or regional
#: spellings, keys in the lower-case, hyphen form that :func:`canonical` looks up.
ALIASES: dict[str, str] = {
    **{three.replace("_", "-"): two for two, threes in ISO3.items() for three in threes},
    **_OTHER_SPELLINGS,
}

#: The target token a multi-target model uses for the standard variety (``>>ara<<``), in
#: order of preference, when the registry names none.
PRIMARY_TOKENS: dict[str, tuple[str, ...]] = {
    "ar": ("ara",),
    "zh": ("cmn_Hans", "zho"),
    "en": ("eng",),
    "tr": ("tur",),
    "ru": ("rus",),
    "de": ("deu",),
    "fr": ("fra",),
    "es": ("spa",),
    "uk": ("ukr",),
}

#: Scripts written without spaces between sentences (and words).
NO_SPACE_LANGS = frozenset({"zh", "ja", "th", "lo", "km", "my"})


def canonical(code: str) -> str:
    """The ISO 639-1 code of ``code`` (``tur``, ``TR``, ``tr-TR``, ``tr_TR`` -> ``tr``).

    Lenient: a code it does not know comes back lower-case with its region dropped
    (``xx-YY`` -> ``xx``), so callers with a generic fallback (sentence rules, glossary
    morphology) still get one; :func:`normalize_lang` is the strict form for user input.
    Every module that looks up a per-language fact goes through this one function.
    """
    c = code.strip().lower().replace("_", "-")
    c = ALIASES.get(c, c)
    if c in ISO639_1:
        return c
    base = c.split("-")[0]
    return ALIASES.get(base, base)


def without_spaces(lang: str | None) -> bool:
    """Whether ``lang`` (any alias form; None: unknown) is written without spaces."""
    return lang is not None and canonical(lang) in NO_SPACE_LANGS


def is_code(code: str) -> bool:
    """Whether ``code`` as a whole (no region dropped) is an ISO 639-1 code or an alias."""
    c = code.strip().lower().replace("_", "-")
    return c in ISO639_1 or c in ALIASES


def normalize_lang(code: object) -> str:
    """Lower-case, validated ISO 639-1 code; ``LanguageError`` for unknown codes."""
    if not isinstance(code, str) or not code.strip():
        raise LanguageError(f"expected a language code like 'tr', got {code!r}")
    c = canonical(code)
    if c not in ISO639_1:
        raise LanguageError(
            f"unknown language code {code!r}; use an ISO 639-1 code such as en, tr, ru, ar"
        )
    return c


def flat_code(code: str) -> str:
    """``zh-CN`` -> ``zh_cn``: the lower-case, underscore form model names use."""
    return code.strip().lower().replace("-", "_")


def same_language(a: str, b: str) -> bool:
    """Whether two language codes (ISO 639-1 or -3, any case) name the same language."""
    a, b = flat_code(a), flat_code(b)
    if a == b:
        return True
    for two, threes in ISO3.items():
        group = {two} | threes
        if a in group and b in group:
            return True
    return a.split("_")[0] == b.split("_")[0] and a.split("_")[0] != ""


def known_code(code: str) -> bool:
    """Whether ``code`` is one of the languages of :data:`ISO3` (group codes are not)."""
    code = flat_code(code)
    return any(code == two or code in threes for two, threes in ISO3.items())
