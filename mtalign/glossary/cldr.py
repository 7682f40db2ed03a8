"""Country and territory names from Unicode CLDR (through Babel) as a glossary."""

from __future__ import annotations

from mtalign.errors import LanguageError
from mtalign.glossary.model import Glossary, TermOptions, make_glossary
from mtalign.types import Term

# Two-letter CLDR region codes that are not ISO 3166-1 countries: groupings (EU, EZ, UN,
# QO), unknown/pseudo (ZZ, XA, XB), user-assigned (XK) and exceptionally reserved ones.
NOT_COUNTRIES = frozenset(
    {"EU", "EZ", "UN", "QO", "ZZ", "XA", "XB", "XK", "AC", "CP", "CQ", "DG", "EA", "IC", "TA"}
)


def country_codes() -> list[str]:
    """The ISO 3166-1 alpha-2 codes CLDR names (249 with current data)."""
    from babel import Locale

    return sorted(
        c
        for c in map(str, Locale("en").territories)
        if len(c) == 2 and c.isalpha() and c not in NOT_COUNTRIES
    )


def cldr_glossary(langs: list[str], src_lang: str = "en") -> Glossary:
    """One LOC term per country: the ``src_lang`` name -> the CLDR name in each of ``langs``."""
    from babel import Locale, UnknownLocaleError

    try:
        src = Locale.parse(src_lang).territories
        targets = {lang: Locale.parse(lang).territories for lang in langs}
    except (UnknownLocaleError, ValueError) as exc:
        raise LanguageError(f"CLDR has no locale for {exc}; use codes like tr, ru, ar") from None
    terms: list[Term] = []
    options: dict[str, TermOptions] = {}
    for code in country_codes():
        name = src.get(code)
        if not name:
            continue
        tid = f"cldr-{code.lower()}"
        terms.append(
            Term(
                id=tid,
                source=(name,),
                targets={lang: t[code] for lang, t in targets.items() if t.get(code)},
                type="LOC",
            )
        )
        options[tid] = TermOptions(note=f"CLDR region {code}", origin=f"CLDR {code}")
    return make_glossary(terms, options, name="cldr-countries", source_lang=src_lang)
