"""Source matching, target morphology (tr/ru/ar), check and fix on hand-written outputs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mtalign.glossary.check import check_segment
from mtalign.glossary.fix import fix_corpus, fix_segment
from mtalign.glossary.formats import load_glossary, parse_toml
from mtalign.glossary.morph_ru import case_forms
from mtalign.glossary.report import consistency, summary, term_accuracy
from mtalign.glossary.textutil import tr_lower, tr_upper

ROOT = Path(__file__).resolve().parents[1]
IDLIB = ROOT / "configs/glossaries/idlib.toml"


@pytest.fixture(scope="module")
def g():
    return load_glossary(IDLIB)


# Source side -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("Turkey's lira fell", ["Turkey"]),
        ("Turkey’s goodwill", ["Turkey"]),
        ("Turkish-Russian talks", []),
        ("the Erdogan-Putin call", ["Erdogan", "Putin"]),
        ("Recep Tayyip Erdogan said", ["Recep Tayyip Erdogan"]),
        ("the U.N. Security Council and the U.N.", ["U.N. Security Council", "U.N."]),
        ("ANKARA/MOSCOW, Feb 28", ["ANKARA", "MOSCOW"]),
        ("Turkeys and turkey", []),
        ("President Bashar al-Assad", ["Bashar al-Assad"]),
        ("Moscow.", ["Moscow"]),
        ("Erdogan and Erdogan", ["Erdogan", "Erdogan"]),
    ],
)
def test_source_matching(g, text, want):
    assert [m.surface for m in g.matcher("en").find(text)] == want


def test_case_insensitive_term_uses_source_language_folding():
    gl = parse_toml(
        '[[term]]\nsource = ["Istanbul"]\ncase_sensitive = false\ntarget = { en = "Istanbul" }\n'
    )
    assert [m.surface for m in gl.matcher("en").find("ISTANBUL istanbul")] == [
        "ISTANBUL",
        "istanbul",
    ]
    gt = parse_toml(
        '[glossary]\nsource_lang = "tr"\n[[term]]\nsource = ["Irak"]\n'
        'case_sensitive = false\ntarget = { en = "Iraq" }\n'
    )
    # Turkish folding: IRAK -> ırak, which is "Irak" folded; "irak" (dotted) is not.
    assert [m.surface for m in gt.matcher("tr").find("IRAK ve irak")] == ["IRAK"]


def test_turkish_casing():
    assert tr_lower("İDLİB IRAK") == "idlib ırak"
    assert tr_upper("idlib ırak") == "İDLİB IRAK"


# Turkish -------------------------------------------------------------------------------------

TR = [
    # (source, hypothesis, [(found, status)], fixed)
    ("Erdogan spoke.", "Erdoğan konuştu.", [("Erdoğan", "ok")], None),
    ("Erdogan's office", "Erdoğan'ın ofisi", [("Erdoğan'ın", "ok")], None),
    ("Erdogan's office", "Erdoğan’ın ofisi", [("Erdoğan’ın", "ok")], None),
    ("Erdogan's office", "Erdoğanın ofisi", [("Erdoğanın", "variant")], "Erdoğan'ın ofisi"),
    ("Erdogan's office", "Erdogan'ın ofisi", [("Erdogan'ın", "variant")], "Erdoğan'ın ofisi"),
    ("in Idlib", "Idlib'de", [("Idlib'de", "variant")], "İdlib'de"),
    ("in Idlib", "İdlib’de çatışma, İdlibde", [("İdlib’de", "ok")], None),
    ("in Idlib", "Suriye'nin kuzeyinde", [(None, "missing")], None),
    ("to Moscow", "Moskovaya gidecek", [("Moskovaya", "variant")], "Moskova'ya gidecek"),
    ("in Damascus", "Şam'da ve Samsun'da", [("Şam'da", "ok")], None),
    ("Syria's refugees", "Suriyeli mülteciler", [(None, "missing")], None),
    ("IDLIB", "İDLİB'DE", [("İDLİB'DE", "ok")], None),
    (
        "Erdogan met Erdogan",
        "Erdoğan, Erdoganla görüştü",
        [("Erdoğan", "ok"), ("Erdoganla", "variant")],
        "Erdoğan, Erdoğan'la görüştü",
    ),
    (
        "the U.N. Security Council and the U.N.",
        "BM Güvenlik Konseyine ve BM'ye",
        [("BM Güvenlik Konseyine", "ok"), ("BM'ye", "ok")],
        None,
    ),
    ("the U.N. Security Council", "BM'nin Güvenlik Konseyi", [("Güvenlik Konseyi", "ok")], None),
    ("Erdogan said", "Erdoan'ın açıklaması", [("Erdoan'ın", "variant")], "Erdoğan'ın açıklaması"),
    ("the White House", "Beyaz Saray'a göre", [("Beyaz Saray'a", "ok")], None),
]


@pytest.mark.parametrize(("src", "hyp", "want", "fixed"), TR)
def test_turkish_check_and_fix(g, src, hyp, want, fixed):
    occ = check_segment(src, hyp, g, "en", "tr")
    assert [(o.hit.found, o.hit.status) for o in occ] == want
    new, _ = fix_segment(src, hyp, g, "en", "tr")
    assert new == (fixed if fixed is not None else hyp)
    if fixed is not None:
        assert all(o.hit.status == "ok" for o in check_segment(src, new, g, "en", "tr"))


def test_turkish_apostrophe_style_follows_text(g):
    new, _ = fix_segment("Erdogan's office", "Erdoğanın ofisi, Türkiye’nin", g, "en", "tr")
    assert new == "Erdoğan’ın ofisi, Türkiye’nin"


# Russian ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phrase", "forms"),
    [
        ("Эрдоган", {"Эрдоган", "Эрдогана", "Эрдогану", "Эрдоганом", "Эрдогане"}),
        ("Москва", {"Москва", "Москвы", "Москве", "Москву", "Москвой"}),
        ("Белый дом", {"Белого дома", "Белому дому", "Белым домом", "Белом доме"}),
        ("Совет Безопасности ООН", {"Совета Безопасности ООН", "Советом Безопасности ООН"}),
        ("НАТО", {"НАТО"}),
        ("Сочи", {"Сочи"}),
        ("Лавров", {"Лаврова", "Лавровым"}),
    ],
)
def test_russian_case_forms(phrase, forms):
    got = {f for _, f in case_forms(phrase)}
    assert forms <= got
    if phrase in ("НАТО", "Сочи"):
        assert got == forms
    assert "Лавровой" not in got


RU = [
    ("Erdogan spoke", "Эрдоган заявил", [("Эрдоган", "ok")], None),
    ("with Erdogan", "Путин поговорил с Эрдоганом", [("Эрдоганом", "ok")], None),
    ("to Moscow", "поедет в Москву", [("Москву", "ok")], None),
    ("the White House", "в Белом доме заявили", [("Белом доме", "ok")], None),
    (
        "the U.N. Security Council",
        "Совету Безопасности ООН",
        [("Совету Безопасности ООН", "ok")],
        None,
    ),
    ("NATO ally", "союзник по НАТО", [("НАТО", "ok")], None),
    ("Erdogan's office", "офис Ердогана", [("Ердогана", "variant")], "офис Эрдогана"),
    ("the Kremlin", "Кремлём", [("Кремлём", "ok")], None),
    ("the Kremlin", "Кремлем", [("Кремлем", "variant")], "Кремлём"),
    ("in Idlib", "в идлибе", [("идлибе", "variant")], "в Идлибе"),
    ("in Idlib", "на севере Сирии", [(None, "missing")], None),
    ("Lavrov and Peskov", "Лавров и Песков", [("Лавров", "ok"), ("Песков", "ok")], None),
    ("Moscow and Moscow", "Москва и Москвы", [("Москва", "ok"), ("Москвы", "ok")], None),
]


@pytest.mark.parametrize(("src", "hyp", "want", "fixed"), RU)
def test_russian_check_and_fix(g, src, hyp, want, fixed):
    occ = check_segment(src, hyp, g, "en", "ru")
    assert [(o.hit.found, o.hit.status) for o in occ] == want
    new, _ = fix_segment(src, hyp, g, "en", "ru")
    assert new == (fixed if fixed is not None else hyp)


def test_russian_near_miss_takes_case(g):
    new, occ = fix_segment("with Erdogan", "с Эрдоганном", g, "en", "ru")
    assert occ[0].hit.status == "variant"
    assert new == "с Эрдоганом"


# Arabic -----------------------------------------------------------------------------------

AR = [
    ("Erdogan said", "قال أردوغان", [("أردوغان", "ok")], None),
    ("and Erdogan", "وأردوغان", [("وأردوغان", "ok")], None),
    ("for Erdogan", "لأردوغان", [("لأردوغان", "ok")], None),
    ("Erdogan said", "قال اردوغان", [("اردوغان", "variant")], "قال أردوغان"),
    ("and Erdogan", "واردوغان", [("واردوغان", "variant")], "وأردوغان"),
    ("to Assad", "للأسد", [("للأسد", "ok")], None),
    ("and to Assad", "وللاسد", [("وللاسد", "variant")], "وللأسد"),
    ("in Idlib", "في إِدْلِب", [("إِدْلِب", "ok")], None),
    ("in Idlib", "في ادلب", [("ادلب", "variant")], "في إدلب"),
    ("NATO", "حلف شمال الأطلسي", [("حلف شمال الأطلسي", "ok")], None),
    ("the U.N.", "وقالت الأمم المتحدة", [("الأمم المتحدة", "ok")], None),
    ("Syria", "سوريه", [("سوريه", "variant")], "سورية"),
    ("Moscow", "بموسكو", [("بموسكو", "ok")], None),
    ("Moscow", "الموسكو", [(None, "missing")], None),
    ("the Kremlin and Moscow", "الكرملين وموسكو", [("الكرملين", "ok"), ("وموسكو", "ok")], None),
]


@pytest.mark.parametrize(("src", "hyp", "want", "fixed"), AR)
def test_arabic_check_and_fix(g, src, hyp, want, fixed):
    occ = check_segment(src, hyp, g, "en", "ar")
    assert [(o.hit.found, o.hit.status) for o in occ] == want
    new, _ = fix_segment(src, hyp, g, "en", "ar")
    assert new == (fixed if fixed is not None else hyp)


# Other languages, keep terms ------------------------------------------------------------------


def test_other_language_exact_and_keep():
    gl = parse_toml(
        '[[term]]\nsource = ["Kremlin"]\ntarget = { de = "Kreml" }\n'
        '[[term]]\nsource = ["Reuters"]\nkeep = true\n'
    )
    occ = check_segment("The Kremlin told Reuters", "Der Kreml sagte KREML reuters", gl, "en", "de")
    assert [(o.hit.found, o.hit.status) for o in occ] == [("Kreml", "ok"), ("reuters", "variant")]
    occ = check_segment("Reuters reported", "Reuters'a göre", gl, "en", "tr")
    assert [(o.hit.found, o.hit.status) for o in occ] == [("Reuters'a", "ok")]


# Reports ----------------------------------------------------------------------------------


def test_term_accuracy_and_consistency(g):
    res = fix_corpus(
        ["Erdogan spoke.", "Erdogan left.", "Idlib burned.", "Pompeo spoke."],
        ["Erdoğan konuştu.", "Erdoganın ayrıldı.", "Yandı.", "Pompeo konuştu."],
        g,
        "en",
        "tr",
    )
    assert term_accuracy(res.before) == pytest.approx(2 / 4)
    cons = consistency(res.before)
    assert cons["entities"] == 1 and cons["consistent"] == 0
    after = summary(res.after)
    assert after["ok"] == 3 and after["missing"] == 1
    assert consistency(res.after)["score"] == 1.0
    assert res.texts[1] == "Erdoğan'ın ayrıldı."
    json.dumps(summary(res.before))
