"""Hostile inputs, round 3: deep nesting, odd encodings and line endings, verbatim text.

Each bad input is one clear error for its record or file (a batch goes on); text promised
verbatim (code blocks, ids, other JSONL fields, line endings) comes back as it was.
"""

from __future__ import annotations

import json
import re
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mtalign.batch import run_job
from mtalign.batch.config import load_job_config
from mtalign.cli import main
from mtalign.errors import ConfigError, InputError, MtalignError
from mtalign.glossary.formats import load_glossary, parse_table, parse_tbx
from mtalign.io import decode, encode, parse_document, read_document, render_document
from mtalign.io.jsonvalue import load_json_line
from mtalign.settings.toml import read_toml
from tests.test_batch import job_toml

FAST = settings(
    max_examples=40,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def nested(depth: int, kind: str) -> str:
    return ('{"a":' * depth + "1" + "}" * depth) if kind == "{" else ("[" * depth + "]" * depth)


# --------------------------------------------------------------------------- deep nesting


@FAST
@given(st.integers(101, 20_000), st.sampled_from("[{"))
def test_deep_json_in_a_record_is_an_input_error_naming_the_line(depth, kind):
    line = '{"id": "a", "text": "Hello there.", "x": ' + nested(depth, kind) + "}"
    text = '{"id": "ok", "text": "Fine."}\n' + line + "\n"
    with pytest.raises(InputError, match=r"^in\.jsonl:2: .*nested"):
        parse_document(decode(text.encode()), "jsonl", "in", source="in.jsonl")


def test_records_nested_up_to_the_limit_are_read_and_written_back():
    line = '{"id": "a", "text": "Hello there.", "x": ' + nested(98, "[") + "}"
    doc = parse_document(decode((line + "\n").encode()), "jsonl", "in", source="in.jsonl")
    assert render_document(doc) == line + "\n"


@pytest.mark.parametrize(
    "record, message",
    [
        ('{"id": "a", "text": "Hi there.", "n": 1e400}', "too large"),
        ('{"id": "a", "text": "Hi there.", "n": -1E+999}', "too large"),
        ('{"id": "a", "text": "Hi there.", "n": ' + "7" * 5000 + "}", "too many digits"),
    ],
)
def test_numbers_json_cannot_write_back_are_refused(record, message):
    with pytest.raises(InputError, match=rf"^in\.jsonl:1: .*{message}"):
        parse_document(decode(record.encode()), "jsonl", "in", source="in.jsonl")


def test_big_numbers_that_json_can_hold_are_kept():
    rec = '{"id": "a", "text": "Hi there.", "n": 1e300, "big": ' + "9" * 400 + "}"
    doc = parse_document(decode(rec.encode()), "jsonl", "in", source="in.jsonl")
    texts = {s.id: "Merhaba." for s in doc.segments()}
    out = json.loads(render_document(doc.with_texts(texts)))
    assert out["n"] == 1e300 and out["big"] == int("9" * 400)
    assert load_json_line('{"n": 2.5}', "x") == {"n": 2.5}


@pytest.mark.parametrize("command", ["translate", "segment", "detect"])
def test_commands_stop_on_a_deep_record_with_exit_2(tmp_path, capsys, command):
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": "a", "text": "Hello.", "x": ' + nested(3000, "[") + "}\n")
    argv = {
        "translate": ["translate", str(src), "--to", "tr", "--out", str(tmp_path / "o")],
        "segment": ["segment", str(src), "--lang", "en"],
        "detect": ["detect", str(src)],
    }[command]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "in.jsonl:1" in err and "nested" in err and "Traceback" not in err


@FAST
@given(st.integers(60, 5000), st.sampled_from(["arr", "table"]))
def test_deep_toml_is_a_config_error_for_every_reader(tmp_path, depth, shape):
    body = (
        "x = " + "[" * depth + "]" * depth
        if shape == "arr"
        else "x = " + "{a = " * depth + "1" + "}" * depth
    )
    path = tmp_path / "deep.toml"
    path.write_text(body + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="nested too deeply"):
        read_toml(path, "job config")
    with pytest.raises(ConfigError, match="nested too deeply"):
        load_glossary(path)
    with pytest.raises(ConfigError, match="nested too deeply"):
        load_job_config(path)


@FAST
@given(st.integers(201, 50_000))
def test_deep_tbx_is_a_config_error(depth):
    inner = "<hi>" * depth + "x" + "</hi>" * depth
    data = (
        '<martif type="TBX"><text><body><termEntry><langSet xml:lang="en"><tig><term>'
        f"{inner}</term></tig></langSet></termEntry></body></text></martif>"
    ).encode()
    with pytest.raises(ConfigError, match=r"^g\.tbx:1: elements nested more than 200 deep"):
        parse_tbx(data, "g.tbx")


@pytest.mark.parametrize("encoding", ["foo-bar", "UTF-7", "utf-32", "shift_jis", "x-unknown"])
def test_tbx_declaring_an_unreadable_encoding_is_a_config_error(encoding):
    data = (
        f'<?xml version="1.0" encoding="{encoding}"?><martif><text><body><termEntry>'
        '<langSet xml:lang="en"><tig><term>Idlib</term></tig></langSet></termEntry>'
        "</body></text></martif>"
    ).encode()
    with pytest.raises(ConfigError, match=r"^g\.tbx: the XML declares an encoding"):
        parse_tbx(data, "g.tbx")


# --------------------------------------------------------------------------- line endings

ROWS = [("Idlib", "İdlib"), ("Moscow", "Moskova"), ("Ankara", "Ankara"), ("Putin", "Putin")]


@FAST
@given(
    st.lists(st.sampled_from(["\r", "\n", "\r\n"]), min_size=5, max_size=5),
    st.sampled_from(["\t", ","]),
)
def test_glossary_tables_with_any_line_endings_read_as_lines(endings, delim):
    lines = [f"en{delim}tr"] + [f"{a}{delim}{b}" for a, b in ROWS]
    text = "".join(line + end for line, end in zip(lines, endings + ["\n"], strict=False))
    g = parse_table(text, "g.tsv", delimiter=delim)
    assert [(t.source[0], t.targets["tr"]) for t in g.terms] == ROWS


lines_st = st.lists(
    st.text(st.characters(blacklist_categories=["Cs", "Cc", "Zl", "Zp"]), max_size=12).map(
        lambda t: "L" + t
    ),
    min_size=1,
    max_size=8,
)


@FAST
@given(lines_st, st.data(), st.sampled_from(["txt", "md"]), st.booleans())
def test_any_mix_of_line_endings_comes_back_line_for_line(lines, data, fmt, final):
    endings = data.draw(
        st.lists(st.sampled_from(["\r", "\n", "\r\n"]), min_size=len(lines), max_size=len(lines))
    )
    if not final:
        endings[-1] = ""
    raw = "".join(a + b for a, b in zip(lines, endings, strict=True)).encode()
    doc = parse_document(decode(raw, nfc=False), fmt, "d", source="d")
    assert encode(render_document(doc)) == raw
    if fmt == "txt":
        assert len(doc.paragraphs) == len(lines)  # N lines in, N paragraphs
        texts = {s.id: s.text + " x" for s in doc.segments()}
        out = render_document(doc.with_texts(texts))
        assert re.findall(r"\r\n|\r|\n", out) == [e for e in endings if e]


def test_a_cr_only_file_has_one_paragraph_per_line(tmp_path):
    path = tmp_path / "mac.txt"
    path.write_bytes(b"First line here.\rSecond line here.\rThird one.\r")
    doc = read_document(path)
    assert [p.text for p in doc.paragraphs] == [
        "First line here.",
        "Second line here.",
        "Third one.",
    ]
    assert render_document(doc).encode() == path.read_bytes()


# --------------------------------------------------------------------------- verbatim text

NFD = unicodedata.normalize("NFD", "Erdoğan İdlib çiçek")


def test_markdown_code_blocks_stay_as_written_and_prose_is_nfc(tmp_path):
    text = f"# {NFD}\n\n```\n{NFD}\n```\n\nProse {NFD}.\n"
    path = tmp_path / "a.md"
    path.write_text(text, encoding="utf-8")
    doc = read_document(path)
    nfc = unicodedata.normalize("NFC", NFD)
    assert render_document(doc) == f"# {nfc}\n\n```\n{NFD}\n```\n\nProse {nfc}.\n"
    texts = {s.id: s.text for s in doc.segments()}
    assert all(t == unicodedata.normalize("NFC", t) for t in texts.values())
    changed = render_document(doc.with_texts({k: v + "!" for k, v in texts.items()}))
    assert f"```\n{NFD}\n```" in changed


def test_jsonl_ids_and_other_fields_stay_as_written(tmp_path):
    rec = {"id": NFD, "note": NFD, "text": f"Hello {NFD}."}
    line = json.dumps(rec, ensure_ascii=False)
    doc = parse_document(decode((line + "\n").encode(), nfc=False), "jsonl", "d", source="d")
    assert render_document(doc) == line + "\n"
    (seg,) = doc.segments()
    assert seg.text == unicodedata.normalize("NFC", f"Hello {NFD}.")
    out = json.loads(render_document(doc.with_texts({seg.id: "Merhaba."})))
    assert out["id"] == NFD and out["note"] == NFD and out["text"] == "Merhaba."


# --------------------------------------------------------------------------- encodings


@FAST
@given(st.text(st.characters(min_codepoint=32, max_codepoint=0x6FF), min_size=2, max_size=60))
def test_utf16_without_a_bom_is_read_and_written_back(text):
    text = "Talks in Moscow. " + text.replace("\x7f", "")
    for enc in ("utf-16-le", "utf-16-be"):
        raw = text.encode(enc)
        decoded = decode(raw, "x.txt", nfc=False)
        assert (decoded.encoding, decoded.bom, decoded.text) == (enc, False, text)
        assert encode(decoded.text, decoded.encoding, decoded.bom) == raw


@pytest.mark.parametrize(
    "data, message",
    [
        (b"\x84\x31\x95\x33" + "北京会谈".encode("gb18030"), "GB18030"),
        (bytes(range(256)) * 4, "binary content"),
        (b"\x00\x01\x02\x03" * 100, "binary content"),
    ],
)
def test_encodings_are_named_right(data, message):
    with pytest.raises(InputError, match=message):
        decode(data, "x.txt")


# --------------------------------------------------------------------------- batch


def _job(tmp_path, models, records: list[str]):
    (tmp_path / "in.jsonl").write_text("\n".join(records) + "\n", encoding="utf-8")
    return job_toml(tmp_path, models, jsonl=["in.jsonl"])


GOOD = "Turkish soldiers were killed in an air strike near Idlib on Thursday."


@pytest.fixture(scope="module")
def one_model(marian_tiny):
    return {"tr": marian_tiny("tr")}


def test_a_batch_with_hostile_records_fails_them_alone_on_every_run(tmp_path, one_model):
    records = [
        "{not json",  # made-up id in:1 ...
        json.dumps({"id": "in:1", "text": GOOD}),  # ... never takes this real id
        '{"id": "deep", "text": "x", "n": ' + nested(2000, "[") + "}",
        '{"id": "inf", "text": "' + GOOD + '", "n": 1e400}',
        json.dumps({"id": None, "text": GOOD}),
        json.dumps({"id": True, "text": GOOD}),
        json.dumps({"id": 1.5, "text": GOOD}),
        json.dumps({"id": 7, "text": GOOD}),
        json.dumps({"id": "good", "text": GOOD}),
        json.dumps({"id": unicodedata.normalize("NFC", "café"), "text": GOOD}),
        json.dumps({"id": unicodedata.normalize("NFD", "café"), "text": GOOD}),  # no twin
    ]
    cfg = _job(tmp_path, one_model, records)
    for resume in (False, True):  # and again: no record stops the job on a rerun
        summary = run_job(cfg, resume=resume)
        assert summary.documents == len(records)
        failed = {f["id"]: f["reason"] for f in summary.failures}
        assert len(failed) == 6 and summary.documents_done == 5
        assert "in:1" not in failed and "7" not in failed and "good" not in failed
        reasons = " | ".join(failed.values())
        for expected in ("not valid JSON", "nested", "too large", "null", "true", "1.5"):
            assert expected in reasons
    names = {p.name for p in (tmp_path / "out").iterdir()}
    assert any(n.startswith("in_1-") for n in names)
    assert "7.tr.txt" in names and "good.tr.txt" in names
    assert not any("None" in n or "True" in n for n in names)


def test_errors_here_are_mtalign_errors():
    assert issubclass(InputError, MtalignError) and issubclass(ConfigError, MtalignError)


# --------------------------------------------------------------------------- glossary inputs

INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u200e\u200f\u00ad \t\u3000\u180e"


@FAST
@given(
    st.text(st.sampled_from(INVISIBLE), min_size=1, max_size=5),
    st.sampled_from(["source", "target"]),
    st.sampled_from(["tsv", "csv", "toml"]),
)
def test_a_term_that_shows_nothing_is_an_error_naming_path_and_line(tmp_path, form, where, fmt):
    if not form.strip():
        return  # blank cells are the empty-cell error, tested elsewhere
    src, tgt = (form, "Moskova") if where == "source" else ("Moscow", form)
    if fmt == "toml":
        body = (
            '[[term]]\nsource = ["Idlib"]\ntarget = { tr = "İdlib" }\n\n'
            f"[[term]]\nsource = [{json.dumps(src)}]\ntarget = {{ tr = {json.dumps(tgt)} }}\n"
        )
        line = 5
    else:
        sep = "\t" if fmt == "tsv" else ","
        body = f"en{sep}tr\nIdlib{sep}İdlib\n{src}{sep}{tgt}\n"
        line = 3
    path = tmp_path / f"g.{fmt}"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError, match=rf"g\.{fmt}:{line}: .*no visible character"):
        load_glossary(path)


@pytest.mark.parametrize(
    "body, message",
    [
        ("en\ttr\ttr\nIdlib\tİdlib\tIdlib\n", r"g\.tsv:1: column 'tr' appears twice"),
        ("en\ten\ttr\nIdlib\tIdlib\tİdlib\n", r"g\.tsv:1: column 'en' appears twice"),
        ("en\ttr\tkeep\nIdlib\tİdlib\tmaybe\n", r"g\.tsv:2: keep is 'maybe'; write true or false"),
        ("en\ttr\tcase_sensitive\nIdlib\tİdlib\tsometimes\n", r"g\.tsv:2: case_sensitive is"),
    ],
)
def test_glossary_tables_that_cannot_mean_one_thing_are_refused(tmp_path, body, message):
    path = tmp_path / "g.tsv"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_glossary(path)


@pytest.mark.parametrize("cell, keep", [("true", True), ("Yes", True), ("0", False), ("", False)])
def test_glossary_yes_no_cells_read_as_written(tmp_path, cell, keep):
    path = tmp_path / "g.tsv"
    path.write_text(f"en\ttr\tkeep\nIdlib\tİdlib\t{cell}\n", encoding="utf-8")
    assert load_glossary(path).terms[0].keep is keep


IDLIB = "configs/glossaries/idlib.toml"
FIX_SRC = ["Erdogan met Putin in Moscow.", "The U.N. Security Council met.", "Nothing here."]
FIX_HYP = ["Erdoganın Putin ile Moskova'da görüşmesi.", "Güvenlik Konseyi toplandı.", "Hiç."]


@FAST
@given(
    st.lists(st.sampled_from(["\n", "\r\n", "\r"]), min_size=3, max_size=3),
    st.sampled_from([("utf-8", False), ("utf-8", True), ("utf-16-le", True)]),
    st.booleans(),
)
def test_glossary_fix_keeps_the_form_of_its_input(tmp_path, endings, form, final):
    import fire

    from mtalign.cli.glossary import Glossary

    encoding, bom = form
    if not final:
        endings = [*endings[:2], ""]
    src, hyp, out = tmp_path / "src.txt", tmp_path / "hyp.txt", tmp_path / "fixed.txt"
    src.write_text("\n".join(FIX_SRC) + "\n", encoding="utf-8")
    hyp.write_bytes(
        encode("".join(a + b for a, b in zip(FIX_HYP, endings, strict=True)), encoding, bom)
    )
    command = ["fix", str(src), str(hyp), "--glossary", IDLIB, "--tgt-lang", "tr"]
    fire.Fire(Glossary, command=[*command, "--out", str(out)], name="glossary")
    fixed = ["Erdoğan'ın Putin ile Moskova'da görüşmesi.", *FIX_HYP[1:]]
    want = encode("".join(a + b for a, b in zip(fixed, endings, strict=True)), encoding, bom)
    assert out.read_bytes() == want


@pytest.mark.parametrize(
    "argv",
    [
        ["translate", "seeds/idlib.txt", "--to", "tr", "--model", "tr=/a", "--model", "tr=/b"],
        ["translate", "seeds/idlib.txt", "--to", "tr", "--model", "tr=/a", "--model", "TR=/a"],
        ["models", "check", "en-tr", "--model", "tr=/a", "--model", "tr=/b"],
    ],
)
def test_a_model_given_twice_for_one_language_is_an_error(argv, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "--model tr= is given twice" in err and "Traceback" not in err


def test_as_mapping_refuses_a_key_given_twice():
    from mtalign.cli._args import as_mapping

    assert as_mapping(["tr=/a", "ru=/b"], "model") == {"tr": "/a", "ru": "/b"}
    with pytest.raises(InputError, match="--model tr= is given twice"):
        as_mapping(["tr=/a", "tr=/b"], "model")


@pytest.mark.parametrize("out", [".", "docs", "./docs/.."])
def test_an_output_dir_that_holds_the_inputs_says_so_and_leaves_nothing(tmp_path, one_model, out):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text(GOOD + "\n", encoding="utf-8")
    cfg = job_toml(tmp_path, one_model, files=["docs/*.txt"], out=out)
    before = sorted(p.name for p in tmp_path.rglob("*"))
    with pytest.raises(InputError, match=r"output_dir .* holds the job's inputs \(1 matched"):
        run_job(cfg)
    assert sorted(p.name for p in tmp_path.rglob("*")) == before
