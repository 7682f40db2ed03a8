"""Aligned-corpus formats (TSV, JSONL, TMX, vecalign) and the ``mtalign align`` command."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from importlib import resources

import pytest

from mtalign.cli.align import align_command
from mtalign.errors import InputError, LanguageError
from mtalign.io.beads import parse_jsonl, parse_tsv, render_jsonl, render_tsv
from mtalign.io.tmx import TmxUnit, alignment_units, parse_tmx, read_tmx, render_tmx
from mtalign.io.vecalign import parse_vecalign, read_vecalign, render_vecalign, write_vecalign
from mtalign.types import Alignment, Bead

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _lines(lang: str, n: int = 12) -> list[str]:
    text = (resources.files("mtalign") / "data" / "testing" / f"{lang}.txt").read_text("utf-8")
    return [line.strip() for line in text.splitlines() if line.strip()][:n]


ALIGNMENT = Alignment(
    src_lang="en",
    tgt_lang="tr",
    src=("A <b> & c.", "Tab\there.", "Gone."),
    tgt=("Bir <b> & c.", "İki \x07 kontrol.", 'Üç "tırnak".', "Fazla."),
    beads=(
        Bead((0,), (0,), 0.91),
        Bead((1,), (1, 2), 0.5),
        Bead((2,), (), 0.0),
        Bead((), (3,), 0.0),
    ),
    method="length",
)


@pytest.mark.parametrize(
    "beads",
    [
        [Bead((0,), (0,), 0.866), Bead((1, 2), (1,), 0.5), Bead((3,), (), 0.0)],
        [Bead((), (0,), 0.0), Bead((0,), (1, 2, 3), 0.25)],
        [],
    ],
)
def test_vecalign_round_trip(beads, tmp_path):
    text = render_vecalign(beads)
    assert parse_vecalign(text) == beads
    path = tmp_path / "al.txt"
    write_vecalign(beads, path)
    assert read_vecalign(path) == beads


def test_vecalign_format_and_errors():
    assert render_vecalign([Bead((0, 1), (2,), 0.866)]) == "[0, 1]:[2]:0.134000\n"
    assert parse_vecalign("[0]:[1]:0.25\n\n[1,2]:[]")[1] == Bead((1, 2), (), 0.0)
    with pytest.raises(InputError, match="al.txt:2"):
        parse_vecalign("[0]:[0]:0.1\n0 -> 1\n", "al.txt")
    with pytest.raises(InputError, match="at least one sentence"):
        parse_vecalign("[]:[]:0.0")


def test_tmx_escaping_and_invalid_chars():
    text = render_tmx(alignment_units(ALIGNMENT), srclang="en")
    root = ET.fromstring(text)  # well-formed despite <, &, quotes and a BEL character
    header = root.find("header").attrib
    assert header["creationtool"] == "mtalign" and header["srclang"] == "en"
    assert header["segtype"] == "sentence" and header["datatype"] == "plaintext"
    assert header["o-tmf"] and header["adminlang"]
    assert "\x07" not in text and "&lt;b&gt; &amp; c." in text
    tus = root.findall("body/tu")
    assert len(tus) == 4
    assert [tuv.get(XML_LANG) for tuv in tus[0].findall("tuv")] == ["en", "tr"]
    assert [tuv.get(XML_LANG) for tuv in tus[2].findall("tuv")] == ["en"]  # 1-0: no empty tuv
    _, units = parse_tmx(text)
    assert units[0].tuvs == {"en": "A <b> & c.", "tr": "Bir <b> & c."}
    assert units[1].tuvs["tr"] == 'İki  kontrol. Üç "tırnak".'
    assert units[1].props == {"x-bead": "1-2", "x-score": "0.5000"}


def test_tmx_round_trip_nway(tmp_path):
    units = [
        TmxUnit({"en": "One.", "tr": "Bir.", "ru": "Один.", "ar": "واحد."}, {"x-a": "1"}),
        TmxUnit({"en": "Two & three.", "ar": "اثنان"}),
    ]
    path = tmp_path / "x.tmx"
    path.write_text(render_tmx(units, srclang="en"), encoding="utf-8")
    header, back = read_tmx(path)
    assert header["srclang"] == "en"
    assert back == units


def test_tmx_reader_errors():
    with pytest.raises(InputError, match="not well-formed"):
        parse_tmx("<tmx><body><tu></body></tmx>", "bad.tmx")
    with pytest.raises(InputError, match="<tmx>"):
        parse_tmx("<html/>")


def test_tsv_and_jsonl():
    rows = parse_tsv(render_tsv(ALIGNMENT))
    assert rows[1] == {"source": "Tab here.", "target": "İki \x07 kontrol. Üç \"tırnak\".",
                       "bead": "1-2", "score": "0.5000"}  # fmt: skip
    assert rows[2]["target"] == "" and rows[3]["source"] == ""
    back = parse_jsonl(render_jsonl(ALIGNMENT))
    assert back.beads == ALIGNMENT.beads
    assert back.src == ALIGNMENT.src and back.tgt == ALIGNMENT.tgt
    assert (back.src_lang, back.tgt_lang) == ("en", "tr")
    with pytest.raises(InputError, match=":1:"):
        parse_jsonl('{"src_ids": [0]}\n', "x.jsonl")


@pytest.fixture()
def parallel(tmp_path):
    paths = {}
    for lang in ("en", "tr", "ru", "ar"):
        p = tmp_path / f"{lang}.txt"
        p.write_text("\n".join(_lines(lang)) + "\n", encoding="utf-8")
        paths[lang] = str(p)
    return paths


@pytest.mark.parametrize("fmt", ["tsv", "jsonl", "tmx", "vecalign"])
def test_cli_pairwise_formats(parallel, tmp_path, fmt):
    out = tmp_path / f"out.{fmt}"
    align_command(
        parallel["en"], parallel["tr"], src_lang="en", tgt_lang="tr", method="length",
        out=str(out), format=fmt, presegmented=True,
    )  # fmt: skip
    text = out.read_text(encoding="utf-8")
    if fmt == "vecalign":
        assert parse_vecalign(text) == [Bead((i,), (i,), b.score) for i, b in
                                        enumerate(parse_vecalign(text))]  # fmt: skip
    elif fmt == "tmx":
        assert len(parse_tmx(text)[1]) == 12
    elif fmt == "jsonl":
        assert len(parse_jsonl(text).beads) == 12
    else:
        assert len(parse_tsv(text)) == 12


def test_cli_nway_tmx(parallel, tmp_path, capsys):
    out = tmp_path / "all.tmx"
    align_command(
        parallel["en"], parallel["tr"], parallel["ru"], parallel["ar"], langs="en,tr,ru,ar",
        method="length", out=str(out), format="tmx", presegmented=True,
    )  # fmt: skip
    root = ET.parse(out).getroot()
    tus = root.findall("body/tu")
    assert len(tus) == 12
    langs = [[tuv.get(XML_LANG) for tuv in tu.findall("tuv")] for tu in tus]
    assert all(ls == ["en", "tr", "ru", "ar"] for ls in langs)
    _, units = read_tmx(out)
    assert units[5].tuvs["ru"] == _lines("ru")[5]


def test_cli_segments_documents_on_the_fly(parallel, tmp_path):
    # Two sentences per line: the document reader + segmenter split them.
    src = tmp_path / "src.txt"
    tgt = tmp_path / "tgt.txt"
    en, tr = _lines("en", 6), _lines("tr", 6)
    src.write_text("\n\n".join(f"{en[k]} {en[k + 1]}" for k in (0, 2, 4)) + "\n", "utf-8")
    tgt.write_text("\n\n".join(tr) + "\n", "utf-8")
    out = tmp_path / "o.jsonl"
    align_command(str(src), str(tgt), langs=("en", "tr"), method="length", out=str(out),
                  format="jsonl")  # fmt: skip
    al = parse_jsonl(out.read_text("utf-8"))
    assert [b.kind for b in al.beads] == ["1-1"] * 6


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"langs": "en,tr"}, "expected 4 languages"),
        ({"langs": "en,tr,ru,ar", "format": "vecalign"}, "two languages only"),
        ({"langs": "en,tr,ru,ar", "format": "xml"}, "--format"),
        ({}, "--langs"),
        ({"langs": "en,tr,tr,ar"}, "different language"),
        ({"langs": "en,tr,ru,ar", "max_bead": 0}, "at least 1"),
        ({"langs": "en,tr,ru,ar", "method": "magic"}, "--method"),
    ],
)
def test_cli_bad_input(parallel, kwargs, match):
    paths = [parallel[k] for k in ("en", "tr", "ru", "ar")]
    with pytest.raises(InputError, match=match):
        align_command(*paths, presegmented=True, **kwargs)


def test_cli_two_files_need_languages(parallel, capsys):
    # Languages not given are detected (and said on stderr), as translate does.
    align_command(parallel["en"], parallel["tr"], presegmented=True, method="length")
    assert "detected" in capsys.readouterr().err
    with pytest.raises(InputError, match="at least one TGT"):
        align_command(parallel["en"], src_lang="en", tgt_lang="tr")
    with pytest.raises(LanguageError):
        align_command(parallel["en"], parallel["tr"], src_lang="en", tgt_lang="xx")


def test_cli_stdout(parallel, capsys):
    align_command(parallel["en"], parallel["tr"], src_lang="en", tgt_lang="tr", method="length",
                  format="jsonl", presegmented=True)  # fmt: skip
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 12 and json.loads(out[0])["bead"] == "1-1"
