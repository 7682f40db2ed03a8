"""Every spelling of a language reaches the same rules: one table, one ``canonical()``."""

from __future__ import annotations

import pytest

from mtalign.engines import ALIASES as ENGINE_ALIASES_SEEN_BY_ENGINES
from mtalign.engines import engine_name
from mtalign.glossary.target import get_morph
from mtalign.langs import ALIASES, ISO3, canonical, is_code, normalize_lang, without_spaces
from mtalign.pipeline import check_settings
from mtalign.segment import sentence_spans
from mtalign.settings import TranslateSettings, build
from mtalign.settings.schema import SettingError

TEXT = {
    "tr": "Dr. Yılmaz geldi. Sonra 3. madde okundu. İyi mi?",
    "ru": "Г-н Иванов пришёл в 5 ч. вечера. Т. е. поздно. Хорошо?",
    "ar": "وصل الوفد. ثم بدأت المحادثات؟ نعم!",
    "en": "Mr. Smith arrived. He left at 5 p.m. yesterday. Fine?",
    "zh": "他来了。然后走了！好吗？",
}


def spellings(two: str) -> list[str]:
    """Every way of writing ``two`` that the table knows, plus case and region variants."""
    forms = {two, two.upper(), f"{two}-XX", f"{two}_xx"}
    forms |= {a for a, target in ALIASES.items() if target == two}
    forms |= {a.upper() for a, target in ALIASES.items() if target == two}
    return sorted(forms)


CASES = [(two, form) for two in TEXT for form in spellings(two)]


@pytest.mark.parametrize(("two", "form"), CASES)
def test_canonical_and_strict_agree(two: str, form: str) -> None:
    assert canonical(form) == two
    assert normalize_lang(form) == two


@pytest.mark.parametrize(("two", "form"), CASES)
def test_segment_uses_the_same_rules_for_every_spelling(two: str, form: str) -> None:
    assert sentence_spans(TEXT[two], form) == sentence_spans(TEXT[two], two)


def test_segment_rules_are_the_languages_own_not_the_generic_ones() -> None:
    # "Yrd. Doç." are abbreviations in the Turkish rules only: generic rules cut after them.
    text = "Yrd. Doç. Ali geldi. Evet."
    assert len(sentence_spans(text, "tur")) == len(sentence_spans(text, "tr")) == 2
    assert len(sentence_spans(text, "und")) == 4


@pytest.mark.parametrize(("two", "form"), CASES)
def test_glossary_morphology_for_every_spelling(two: str, form: str) -> None:
    assert type(get_morph(form)) is type(get_morph(two))


@pytest.mark.parametrize(
    ("form", "morph"),
    [
        ("tur", "TurkishMorph"),
        ("rus", "RussianMorph"),
        ("ara", "ArabicMorph"),
        ("arb", "ArabicMorph"),
    ],
)
def test_three_letter_codes_get_the_languages_morphology(form: str, morph: str) -> None:
    assert type(get_morph(form)).__name__ == morph


@pytest.mark.parametrize(("two", "form"), CASES)
def test_translate_settings_accept_every_spelling(two: str, form: str) -> None:
    settings = check_settings(TranslateSettings(targets=(form,), src=form, models={form: "m"}))
    assert (settings.targets, settings.src, list(settings.models)) == ((two,), two, [two])


@pytest.mark.parametrize(("two", "form"), CASES)
def test_spaces_follow_the_canonical_code(two: str, form: str) -> None:
    assert without_spaces(form) is (two == "zh")


def test_aliases_are_derived_from_the_iso3_table() -> None:
    for two, threes in ISO3.items():
        for three in threes:
            assert ALIASES[three.replace("_", "-")] == two
    assert is_code("zh_CN") and is_code("tur") and not is_code("tr-TR") and not is_code("xx")


@pytest.mark.parametrize(
    ("given", "engine"),
    [
        ("ct2", "ctranslate2"),
        ("CT2", "ctranslate2"),
        ("hf", "transformers"),
        ("torch", "transformers"),
        ("transformers", "transformers"),
        ("ctranslate2", "ctranslate2"),
    ],
)
def test_engine_aliases_are_accepted_by_the_settings_and_the_engines(
    given: str, engine: str
) -> None:
    assert build(TranslateSettings, {"targets": ("tr",), "engine": given}).engine == engine
    assert check_settings(TranslateSettings(targets=("tr",), engine=given)).engine == engine  # type: ignore[arg-type]
    assert engine_name(given) == engine


def test_one_engine_alias_table_and_a_bad_engine_still_fails() -> None:
    from mtalign.settings.translate import ENGINE_ALIASES

    assert ENGINE_ALIASES_SEEN_BY_ENGINES is ENGINE_ALIASES
    with pytest.raises(SettingError, match="expected one of auto, ctranslate2, transformers"):
        build(TranslateSettings, {"targets": ("tr",), "engine": "marian"})
