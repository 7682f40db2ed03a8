"""XLIFF 1.2 and 2.0: targets filled, inline codes kept, done units left, states set."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mtalign.errors import InputError
from mtalign.io import read_document, render_document, write_document
from tests.test_pipeline import _run

DATA = Path(__file__).parent / "data" / "xliff"
translate_storage = pytest.importorskip("translate.storage.xliff")


def _upper(path: Path, lang: str = "tr") -> str:
    doc = read_document(path)
    return render_document(doc.with_texts({s.id: s.text.upper() for s in doc.segments()}, lang))


@pytest.mark.parametrize("name", ["article12.xlf", "article20.xlf"])
def test_only_open_units_are_read(name):
    texts = [s.text for s in read_document(DATA / name).segments()]
    assert texts and not any("Brand" in t or "Already" in t or "Done" in t for t in texts)


def test_xliff12_targets_read_back_in_translate_toolkit(tmp_path):
    out = tmp_path / "out.xlf"
    out.write_text(_upper(DATA / "article12.xlf"), encoding="utf-8")
    before = translate_storage.xlifffile.parsefile(str(DATA / "article12.xlf"))
    after = translate_storage.xlifffile.parsefile(str(out))
    assert [u.getid() for u in after.units] == [u.getid() for u in before.units]
    assert [u.source for u in after.units] == [u.source for u in before.units]
    targets = {u.xmlelement.get("id"): u.target for u in after.units}
    assert targets["1"] == "PUTIN AND ERDOGAN PASHA SPOKE ON FRIDAY."
    assert targets["3"] == "Onaylanmış metin."  # approved: untouched
    assert targets["4"] is None  # translate="no"
    assert targets["5"].startswith("THE STRIKE")


@pytest.mark.parametrize(
    ("name", "codes"),
    [
        (
            "article12.xlf",
            [
                '<g id="b1">',
                '<x id="img1"/>',
                '<ph id="c1">&lt;code&gt;</ph>',
                '<bx id="s1"/>',
                '<ex id="s1"/>',
            ],
        ),
        ("article20.xlf", ['<pc id="1">', '<ph id="2"/>', '<sc id="3"/>', '<ec startRef="3"/>']),
    ],
)
def test_inline_codes_are_kept_in_targets(name, codes):
    out = _upper(DATA / name)
    targets = out.split("<target")[1:]
    joined = "".join(targets)
    for code in codes:
        assert code in joined, code
    assert 'trgLang="tr"' in out or 'target-language="tr"' in out


def test_pipeline_sets_state_and_notes_from_the_quality_gate(tmp_path):
    src = (DATA / "article12.xlf").read_text(encoding="utf-8")
    (res,), _, out = _run(tmp_path, text=src, name="art.xlf")
    written = (out / "art.tr.xlf").read_text(encoding="utf-8")
    store = translate_storage.xlifffile.parsefile(str(out / "art.tr.xlf"))
    assert len(store.units) == 5
    # The fake model is flagged (wrong language, crossed markup): needs review, with a note.
    assert 'state="needs-review-translation"' in written and 'from="mtalign"' in written
    assert '<target state="final">Onaylanmış metin.</target>' in written


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ('<!DOCTYPE xliff [<!ENTITY e "x">]><xliff/>', "entity|DOCTYPE"),
        ("<xliff><unclosed></xliff>", "not well-formed"),
        ('<root xmlns="urn:x"/>', "not an XLIFF"),
    ],
)
def test_bad_xliff_is_one_clear_line(tmp_path, payload, message):
    path = tmp_path / "bad.xlf"
    path.write_text(payload, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        read_document(path)


def test_untouched_units_and_other_content_survive(tmp_path):
    path = tmp_path / "a.xlf"
    shutil.copy(DATA / "article20.xlf", path)
    doc = read_document(path)
    write_document(doc, tmp_path / "same.xlf")
    again = (tmp_path / "same.xlf").read_text(encoding="utf-8")
    assert '<segment id="s2" state="final">' in again and "<target>Zaten bitti.</target>" in again
    assert '<unit id="u3" translate="no">' in again


def test_glossary_misses_become_notes(tmp_path):
    root = Path(__file__).parents[1]
    src = (DATA / "article12.xlf").read_text(encoding="utf-8")
    glossary = str(root / "configs" / "glossaries" / "idlib.toml")
    (res,), _, out = _run(
        tmp_path, text=src, name="g.xlf", glossary=(glossary,), glossary_mode="check"
    )
    store = translate_storage.xlifffile.parsefile(str(out / "g.tr.xlf"))
    notes = " ".join(u.getnotes() for u in store.units)
    missed = [h for h in res.glossary["tr"]["hits"] if h["status"] not in ("ok", "no-target")]
    assert missed
    for h in missed:
        assert f"glossary: {h['source']} -> " in notes
