"""Language identification and language-code checks."""

from __future__ import annotations

import pytest

from mtalign.errors import LanguageError
from mtalign.langid import check_language, detect, normalize_lang

TEXTS = {
    "en": "Turkey said on Friday that an air strike in Idlib killed dozens of its soldiers.",
    "tr": "Türkiye Cuma günü İdlib'deki hava saldırısında çok sayıda askerinin öldüğünü açıkladı.",
    "ru": "Турция заявила в пятницу, что авиаудар в Идлибе унёс жизни десятков её военных.",
    "ar": "أعلنت تركيا يوم الجمعة أن غارة جوية في إدلب أودت بحياة العشرات من جنودها.",
    "de": "Die Türkei erklärte am Freitag, bei einem Luftangriff seien Dutzende Soldaten getötet worden.",
}


@pytest.mark.parametrize("lang", sorted(TEXTS))
def test_detect_news_sentences(lang):
    guess = detect(TEXTS[lang])
    assert guess.lang == lang
    assert guess.prob > 0.9


@pytest.mark.parametrize("text", ["", "   ", "Hi!", "OK 123 456 789", "NATO, U.N.", "1.000.000"])
def test_short_texts_are_undetermined(text):
    assert detect(text).lang == "und"


def test_detection_is_reproducible():
    mixed = "Erdogan Putin Moscow Ankara talks ceasefire Idlib Kremlin said"
    assert len({detect(mixed) for _ in range(5)}) == 1


@pytest.mark.parametrize(
    "code, expected",
    [("tr", "tr"), ("TR", "tr"), ("tur", "tr"), ("ara", "ar"), ("zh-CN", "zh"), ("pt_BR", "pt"),
     (" ru ", "ru"), ("no", "no")],
)  # fmt: skip
def test_normalize_lang(code, expected):
    assert normalize_lang(code) == expected


@pytest.mark.parametrize("code", ["xx", "english", "", None, 12, "t r"])
def test_unknown_codes_are_language_errors(code):
    with pytest.raises(LanguageError):
        normalize_lang(code)


def test_check_language_mismatch_and_force():
    with pytest.raises(LanguageError, match=r"looks like 'tr' \(confidence"):
        check_language(TEXTS["tr"], "en", name="a.txt")
    assert check_language(TEXTS["tr"], "en", force=True).lang == "tr"
    assert check_language(TEXTS["en"], "en").lang == "en"
    assert check_language("Short.", "en").lang == "und"
