"""The API's rule: a ``str`` is a text, a ``pathlib.Path`` is a file (``translate_file``
takes either); a ``str`` that looks like a file name is refused with the three ways out."""

from __future__ import annotations

from pathlib import Path

import pytest

from mtalign import InputError, translate, translate_file

ROOT = Path(__file__).resolve().parents[1]
SHORT = ROOT / "tests" / "data" / "texts" / "en_short.txt"


def test_a_str_is_translated_as_text(tiny_en_tr):
    out = translate("Hello there.", to="tr", src="en", models={"tr": str(tiny_en_tr)}, beam=1)
    assert list(out) == ["tr"] and len(out["tr"]) == 1 and out["tr"][0]
    as_list = translate(["Hello there."], to="tr", src="en", models={"tr": str(tiny_en_tr)}, beam=1)
    assert out == as_list


def test_path_and_translate_file_read_the_file(tiny_en_tr):
    kw = {"to": "tr", "src": "en", "models": {"tr": str(tiny_en_tr)}, "beam": 1}
    by_path = translate(SHORT, **kw)
    assert len(by_path["tr"]) == len(SHORT.read_text(encoding="utf-8").splitlines())
    assert translate_file(str(SHORT), **kw) == by_path == translate_file(SHORT, **kw)


@pytest.mark.parametrize(
    "source",
    ["article.txt", "notes/draft.md", "feed.jsonl", str(SHORT), "  page.HTML "],
)
def test_a_str_that_looks_like_a_file_is_refused(source: str) -> None:
    with pytest.raises(InputError) as err:
        translate(source, to="tr", src="en")
    msg = str(err.value)
    assert "looks like a file name" in msg
    assert "pathlib.Path(" in msg and "translate_file(" in msg and f"[{source!r}]" in msg


@pytest.mark.parametrize(
    "text", ["Hello there.", "See report.txt for details.", "Fine.txt is a word"]
)
def test_sentences_mentioning_files_are_texts(text: str, tiny_en_tr) -> None:
    out = translate(text, to="tr", src="en", models={"tr": str(tiny_en_tr)}, beam=1)
    assert len(out["tr"]) == 1


def test_out_needs_a_file(tiny_en_tr, tmp_path):
    with pytest.raises(InputError, match="translate_file"):
        translate("Hello there.", to="tr", src="en", out=tmp_path)
