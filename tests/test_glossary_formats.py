"""Glossary files: TOML, TSV/CSV, TBX, validation and errors with line numbers."""

from __future__ import annotations

from pathlib import Path

import pytest

from mtalign.errors import ConfigError
from mtalign.glossary.check import check_segment
from mtalign.glossary.formats import load_glossary, parse_tbx, parse_toml
from mtalign.glossary.model import make_glossary
from mtalign.types import Term

ROOT = Path(__file__).resolve().parents[1]


def test_idlib_glossary_loads_with_required_entries():
    g = load_glossary(ROOT / "configs/glossaries/idlib.toml")
    want = {
        "erdogan": ("Erdoğan", "Эрдоган", "أردوغان"),
        "idlib": ("İdlib", "Идлиб", "إدلب"),
        "moscow": ("Moskova", "Москва", "موسكو"),
        "damascus": ("Şam", "Дамаск", "دمشق"),
        "assad": ("Esad", "Асад", "الأسد"),
        "white-house": ("Beyaz Saray", "Белый дом", "البيت الأبيض"),
        "un": ("BM", "ООН", "الأمم المتحدة"),
        "kremlin": ("Kremlin", "Кремль", "الكرملين"),
    }
    for tid, (tr, ru, ar) in want.items():
        t = g.get(tid)
        assert (t.targets["tr"], t.targets["ru"], t.targets["ar"]) == (tr, ru, ar)
    assert "حلف شمال الأطلسي" in g.get("nato").extra_forms["ar"]
    assert {t.type for t in g.terms} <= {"PER", "LOC", "ORG"}


def test_idlib_glossary_finds_seed_entities():
    g = load_glossary(ROOT / "configs/glossaries/idlib.toml")
    text = (ROOT / "seeds/idlib.txt").read_text(encoding="utf-8")
    found = {m.term_id for m in g.matcher("en").find(text)}
    assert {
        "erdogan",
        "putin",
        "idlib",
        "kremlin",
        "un-security-council",
        "white-house",
        "lavrov",
        "peskov",
        "assad",
        "nato",
        "moscow",
        "ankara",
    } <= found


GOOD = """
[glossary]
name = "t"

[[term]]
source = ["Erdogan"]
target = { tr = "Erdoğan" }
"""


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (GOOD + "colour = 1\n", 8, "unknown key 'colour'"),
        (GOOD.replace('name = "t"', 'name = "t"\nauthor = "x"'), 4, "unknown key 'author'"),
        (GOOD + '[[term]]\nsource = ["A"\ntarget = {}\n', 10, "invalid TOML"),
        (GOOD + '\n[[term]]\nsource = ["X"]\ntype = "PERSON"\n', 11, "expected one of"),
        (GOOD + "\n[[term]]\nsource = []\n", 10, "needs source"),
        (GOOD + '\n[[term]]\nsource = ["X"]\nkeep = "yes"\n', 11, "true or false"),
        (GOOD + '\n[[term]]\nsource = ["X"]\nforms = { ru = ["Икс"] }\n', 11, "no target.ru"),
        (GOOD + "\nsurprise = 3\n", 9, "unknown key"),
    ],
)
def test_malformed_toml_names_line(text, line, words):
    with pytest.raises(ConfigError) as err:
        parse_toml(text, "g.toml")
    assert f"g.toml:{line}:" in str(err.value)
    assert words in str(err.value)


def test_conflicting_entries_name_both():
    text = GOOD + '\n[[term]]\nid = "other"\nsource = ["Erdogan"]\ntarget = { tr = "Erdoan" }\n'
    with pytest.raises(ConfigError) as err:
        parse_toml(text, "g.toml")
    msg = str(err.value)
    assert "'erdogan' (g.toml:5)" in msg and "'other' (g.toml:9)" in msg


def test_duplicate_entry_with_same_target_is_merged():
    text = (
        GOOD + '\n[[term]]\nid = "dup"\nsource = ["Erdogan", "R. T. Erdogan"]\n'
        'target = { tr = "Erdoğan", ru = "Эрдоган" }\n'
    )
    g = parse_toml(text, "g.toml")
    assert len(g) == 1 and g.terms[0].targets["ru"] == "Эрдоган"
    assert "R. T. Erdogan" in g.terms[0].source


def test_empty_glossary_matches_nothing(tmp_path):
    p = tmp_path / "empty.toml"
    p.write_text("# nothing yet\n", encoding="utf-8")
    g = load_glossary(p)
    assert len(g) == 0
    assert check_segment("Erdogan spoke.", "Erdoğan konuştu.", g, "en", "tr") == []


def test_term_without_target_language_is_no_target():
    g = parse_toml(GOOD)
    occ = check_segment("Erdogan spoke.", "Эрдоган сказал.", g, "en", "ru")
    assert [o.hit.status for o in occ] == ["no-target"]


def test_tsv_with_header_and_aliases(tmp_path):
    p = tmp_path / "g.tsv"
    p.write_text(
        "en\ttr\tru\tar\ttype\n"
        "# people\n"
        "Erdogan|Recep Tayyip Erdogan\tErdoğan\tЭрдоган\tأردوغان\tPER\n"
        "Moscow\tMoskova\tМосква|Масква\t\tLOC\n",
        encoding="utf-8",
    )
    g = load_glossary(p)
    e = g.get("erdogan")
    assert e.source == ("Erdogan", "Recep Tayyip Erdogan") and e.type == "PER"
    m = g.get("moscow")
    assert "ar" not in m.targets and m.extra_forms["ru"] == ("Масква",)


def test_csv_header_and_deepl_two_columns(tmp_path):
    c = tmp_path / "g.csv"
    c.write_text('en,tr\n"Washington, D.C.",Washington\n', encoding="utf-8")
    assert load_glossary(c).terms[0].source == ("Washington, D.C.",)
    d = tmp_path / "deepl.tsv"
    d.write_text("Kremlin\tKremlin\nWhite House\tBeyaz Saray\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="deepl.tsv:1: two-column"):
        load_glossary(d)
    g = load_glossary(d, tgt_lang="tr")
    assert g.get("white-house").targets == {"tr": "Beyaz Saray"}


def test_tsv_too_many_columns(tmp_path):
    p = tmp_path / "g.tsv"
    p.write_text("en\ttr\nA\tB\nC\tD\tE\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"g.tsv:3: 3 columns"):
        load_glossary(p)


TBX = """<?xml version="1.0" encoding="UTF-8"?>
<martif type="TBX" xml:lang="en"><text><body>
<termEntry id="erdogan">
  <langSet xml:lang="en"><tig><term>Erdogan</term></tig><tig><term>Erdoğan</term></tig></langSet>
  <langSet xml:lang="tr"><tig><term>Erdoğan</term></tig></langSet>
  <langSet xml:lang="ru-RU"><tig><term>Эрдоган</term></tig></langSet>
</termEntry>
</body></text></martif>
"""

TBX3 = """<?xml version="1.0"?>
<tbx xmlns="urn:iso:std:iso:30042:ed-2" type="TBX-Basic" xml:lang="en"><text><body>
<conceptEntry id="c1"><langSec xml:lang="en"><termSec><term>NATO</term></termSec></langSec>
<langSec xml:lang="ar"><termSec><term>الناتو</term></termSec>
<termSec><term>حلف شمال الأطلسي</term></termSec></langSec></conceptEntry>
</body></text></tbx>
"""


def test_tbx_basic_and_v3():
    g = parse_tbx(TBX.encode(), "g.tbx")
    t = g.get("erdogan")
    assert t.source == ("Erdogan", "Erdoğan") and t.targets == {"tr": "Erdoğan", "ru": "Эрдоган"}
    g3 = parse_tbx(TBX3.encode(), "g3.tbx")
    assert g3.get("c1").targets["ar"] == "الناتو"
    assert g3.get("c1").extra_forms["ar"] == ("حلف شمال الأطلسي",)


@pytest.mark.parametrize(
    ("data", "where"),
    [
        ('<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY a "aaaa">]>\n<martif/>', "g.tbx:2:"),
        ('<?xml version="1.0"?>\n<martif>\n<text>\n</martif>', "g.tbx:4:"),
    ],
)
def test_tbx_unsafe_or_malformed(tmp_path, data, where):
    p = tmp_path / "g.tbx"
    p.write_text(data, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_glossary(p)
    assert where in str(err.value)


def test_unknown_format(tmp_path):
    p = tmp_path / "g.yaml"
    p.write_text("a: b", encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown glossary format"):
        load_glossary(p)


def test_large_glossary_loads_and_matches():
    terms = [
        Term(id=f"t{i}", source=(f"Name{i} Place{i % 97}",), targets={"tr": f"Ad{i}"})
        for i in range(50_000)
    ]
    terms.append(Term(id="erdogan", source=("Erdogan",), targets={"tr": "Erdoğan"}))
    g = make_glossary(terms)
    found = g.matcher("en").find("Name49999 Place44 met Erdogan and Name7 Place7.")
    assert [m.term_id for m in found] == ["t49999", "erdogan", "t7"]
