"""Encodings are written back as they came: UTF-8, UTF-8 with BOM, UTF-16 LE/BE with BOM.

The README promises that newline style, BOM and final newline are written back as they
were; generated documents in every accepted form must come back byte for byte, and a
translated UTF-16 document must be UTF-16 with the same BOM.
"""

from __future__ import annotations

import json
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from mtalign.io import decode, encode, read_document, write_document
from mtalign.pipeline import TranslateSettings, load_inputs, translate_documents
from tests.fakes import FakeTranslator
from tests.test_pipeline import _engines

FORMS = {
    "utf-8": (b"", "utf-8"),
    "utf-8-bom": (b"\xef\xbb\xbf", "utf-8"),
    "utf-16-le": (b"\xff\xfe", "utf-16-le"),
    "utf-16-be": (b"\xfe\xff", "utf-16-be"),
}
# Printable text of any script (controls, surrogates and BOM characters are other tests').
line = st.text(
    st.characters(
        exclude_categories=("Cc", "Cs", "Co", "Cn"), exclude_characters="\ufeff\u2028\u2029\x85"
    ),
    max_size=30,
).map(lambda s: unicodedata.normalize("NFC", s))


def as_bytes(text: str, form: str) -> bytes:
    bom, enc = FORMS[form]
    return bom + text.encode(enc)


@settings(max_examples=80, derandomize=True, deadline=None)
@given(
    lines=st.lists(line, min_size=1, max_size=6).filter(lambda ls: any(x.strip() for x in ls)),
    form=st.sampled_from(sorted(FORMS)),
    newline=st.sampled_from(["\n", "\r\n"]),
    final=st.booleans(),
    fmt=st.sampled_from(["txt", "jsonl"]),
)
def test_untranslated_documents_come_back_byte_for_byte(
    tmp_path_factory, lines, form, newline, final, fmt
):
    if fmt == "jsonl":
        lines = [json.dumps({"id": i, "text": x}, ensure_ascii=False) for i, x in enumerate(lines)]
    text = newline.join(lines) + (newline if final else "")
    data = as_bytes(text, form)
    folder = tmp_path_factory.mktemp("enc")
    src = folder / f"in.{fmt}"
    src.write_bytes(data)
    doc = read_document(src, allow_empty=True)
    write_document(doc, folder / f"out.{fmt}")
    assert (folder / f"out.{fmt}").read_bytes() == data
    decoded = decode(data)
    assert (
        encode(decoded.text.replace("\n", decoded.newline), decoded.encoding, decoded.bom) == data
    )


def _translate(path):
    """The pipeline with a fake engine on the file as it is (``_run`` would rewrite it)."""
    settings_ = TranslateSettings(
        targets=("tr",), src="en", cache_path=str(path.parent / "tm.sqlite")
    )
    docs = load_inputs([str(path)], settings_)
    fake = FakeTranslator(lang="tr")
    out = path.parent / "out"
    (res,) = translate_documents(
        docs, settings_, out, engines=_engines(("tr",)), factory=lambda pe: fake
    )
    return res, out


def test_translated_utf16_document_is_written_as_utf16_with_its_bom(tmp_path):
    text = "Turkish soldiers were killed in Idlib.\r\nTalks went on in Moscow on Monday.\r\n"
    for form in ("utf-16-le", "utf-16-be", "utf-8-bom"):
        path = tmp_path / form / "a.txt"
        path.parent.mkdir()
        path.write_bytes(as_bytes(text, form))
        res, out = _translate(path)
        data = (out / "a.tr.txt").read_bytes()
        bom, enc = FORMS[form]
        assert data.startswith(bom) and not data[len(bom) :].startswith(bom)
        body = data[len(bom) :].decode(enc)
        assert body.count("\r\n") == 2 and body.endswith("\r\n")
        assert body.split("\r\n")[0] == res.outcomes["tr"][0].text
