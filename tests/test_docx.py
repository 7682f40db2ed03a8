"""DOCX in and out: runs and formatting, links, tables, headers, footers; bad archives."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import pytest

from mtalign.errors import InputError
from mtalign.io import read_document, write_document
from mtalign.pipeline import TranslateSettings, load_inputs, translate_documents
from tests.fakes import FakeTranslator
from tests.test_pipeline import _engines

docx = pytest.importorskip("docx")
SEED = Path(__file__).parents[1] / "seeds" / "idlib.docx"


def _upper(tmp_path: Path) -> Path:
    doc = read_document(SEED)
    out = tmp_path / "up.docx"
    write_document(doc.with_texts({s.id: s.text.upper() for s in doc.segments()}, "tr"), out)
    return out


def test_every_text_place_is_read():
    texts = [s.text for s in read_document(SEED).segments()]
    assert texts[0].startswith("Putin and Erdogan")  # the heading
    for wanted in ("Country", "thousands", "World news - Wire", "Copyright Wire."):
        assert any(t.startswith(wanted) for t in texts), wanted  # table, header, footer


def test_formatting_links_and_package_are_kept(tmp_path):
    out = docx.Document(_upper(tmp_path))
    src = docx.Document(SEED)
    first = out.paragraphs[1]
    bold = [r.text for r in first.runs if r.bold]
    assert bold == [r.text.upper() for r in src.paragraphs[1].runs if r.bold]
    assert out.paragraphs[0].style.name == src.paragraphs[0].style.name  # Heading 1 kept
    assert out.sections[0].header.paragraphs[0].text == "WORLD NEWS - WIRE"
    assert out.tables[0].cell(1, 1).text == "THOUSANDS"
    links = first._p.findall(f"{{{_W}}}hyperlink")
    assert [lk.get(_RID) for lk in links] == [
        lk.get(_RID) for lk in src.paragraphs[1]._p.findall(f"{{{_W}}}hyperlink")
    ]
    assert "".join(t.text for t in links[0].iter(f"{{{_W}}}t")) == "IDLIB PROVINCE"
    with zipfile.ZipFile(SEED) as a, zipfile.ZipFile(tmp_path / "up.docx") as b:
        same = ("word/styles.xml", "word/settings.xml", "docProps/core.xml")
        for name in same:
            assert a.read(name) == b.read(name), name


def test_untranslated_document_reads_back_the_same(tmp_path):
    doc = read_document(SEED)
    write_document(doc, tmp_path / "same.docx")
    again = read_document(tmp_path / "same.docx")
    assert [s.text for s in again.segments()] == [s.text for s in doc.segments()]
    assert [s.kinds for s in again.segments()] == [s.kinds for s in doc.segments()]


def test_docx_through_the_pipeline(tmp_path):
    path = tmp_path / "art.docx"
    shutil.copy(SEED, path)
    settings = TranslateSettings(targets=("tr",), src="en", cache_path=str(tmp_path / "tm"))
    docs = load_inputs([str(path)], settings)
    out = tmp_path / "out"
    translate_documents(
        docs, settings, out, engines=_engines(("tr",)), factory=lambda pe: _InOrder()
    )
    result = docx.Document(out / "art.tr.docx")
    assert all("~tr" in p.text for p in result.paragraphs if p.text.strip())
    bold = sum(r.bold is True for r in docx.Document(SEED).paragraphs[1].runs)
    assert len(result.tables) == 1 and bold == 2
    assert sum(r.bold is True for r in result.paragraphs[1].runs) == bold


class _InOrder(FakeTranslator):
    """Tags every word, keeps the order (a model that keeps the markers in place)."""

    def render(self, text: str) -> str:
        return " ".join(f"{w}~{self.lang}" for w in text.split())


def _zip(members: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"just some text, not a zip", "not a zip"),
        (_zip({"word/document.xml": b"\0" * (8 * 1024 * 1024)}), "zip bomb"),
        (_zip({"other.txt": b"x"}), "without word/document.xml"),
        (_zip({"word/document.xml": b"<w:document/>"}), "damaged DOCX"),
    ],
)
def test_bad_docx_is_one_clear_line(tmp_path, data, message):
    path = tmp_path / "bad.docx"
    path.write_bytes(data)
    with pytest.raises(InputError, match=message):
        read_document(path)


_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_RID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


@pytest.mark.parametrize("name", ["seeds/idlib.docx", "tests/data/xliff/article20.xlf"])
def test_batch_items_of_binary_and_xml_formats_use_their_readers(name):
    from mtalign.batch.inputs import InputItem, _parse_item
    from mtalign.io import detect_format

    path = str(Path(__file__).parents[1] / name)
    item = InputItem("d", path, path, fmt=detect_format(path))
    doc = _parse_item(item, "d", cfg=None)  # type: ignore[arg-type]  # text formats only
    assert doc.id == "d" and doc.format in ("docx", "xliff") and list(doc.segments())
