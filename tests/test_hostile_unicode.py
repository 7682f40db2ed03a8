"""Any Unicode JSON or a file system can carry: lone surrogates, terminal controls, bidi.

Generated texts and names go through the readers, the batch inputs, the command line's
printing and the Markdown reports. Text with a lone surrogate is an input error for its
document; a name with one is made safe; nothing raw reaches a terminal, a message or a
Markdown file, and nothing crashes on encoding.
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mtalign.batch import run_job
from mtalign.batch.summary import render_markdown
from mtalign.cli import main
from mtalign.errors import InputError, MtalignError
from mtalign.io import read_document, render_document
from mtalign.io.jsonl import parse_jsonl, render_jsonl
from mtalign.safetext import SafeLogFilter, json_safe, md_code, md_text, printable
from mtalign.types import Document
from tests.test_batch import job_toml

FAST = settings(
    max_examples=60,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
#: The characters that break things, often, plus anything at all.
HOSTILE = (
    "\x00\x07\x08\t\n\r\x1b\x7f\x85\x9b\u2028\u2029\u202e\u2066\ud800\udc00\udcff\udfff|`*_[]<>&\\"
)
chars = st.one_of(st.sampled_from(HOSTILE), st.characters(exclude_categories=()))
hostile_text = st.text(chars, max_size=40)
#: What must never be written raw to a terminal, a message or a Markdown report.
RAW = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def utf8_ok(text: str) -> bool:
    text.encode("utf-8")
    return True


# --------------------------------------------------------------------------- the helpers


@FAST
@given(hostile_text)
def test_printable_and_messages_hold_nothing_raw(text):
    shown = printable(text)
    assert not RAW.search(shown) and utf8_ok(shown)
    if not RAW.search(text):
        assert shown == text  # ordinary text of any script is left alone
    msg = str(InputError(f"{text}: no such file; check the path"))
    assert not RAW.search(msg) and "\n" not in msg


@FAST
@given(st.recursive(st.none() | hostile_text | st.integers(), lambda c: st.lists(c, max_size=3)))
def test_json_safe_keeps_the_value_and_can_be_written(value):
    rec = {"id": value, "text": "x"}
    line = json_safe(json.dumps(rec, ensure_ascii=False))
    assert json.loads(line) == rec
    assert not RAW.search(line) and utf8_ok(line)


@FAST
@given(st.lists(hostile_text, min_size=1, max_size=4))
def test_markdown_cells_and_code_spans_cannot_break_out(cells):
    row = "| " + " | ".join(md_text(c) for c in cells) + " |"
    assert "\n" not in row and not RAW.search(row)
    # Every pipe a cell holds is escaped: the row has exactly as many columns as cells.
    assert len(re.findall(r"(?<!\\)(?:\\\\)*\|", row)) == len(cells) + 1
    for c in cells:
        span = md_code(c)
        fence = re.match(r"`+", span).group()
        assert span.endswith(fence) and fence not in span[len(fence) : -len(fence)]
        assert not RAW.search(span)


def test_log_filter_escapes_what_the_records_carry():
    record = logging.LogRecord(
        "mtalign.x", logging.WARNING, "f", 1, "%s is odd", ("a\x1b[2J",), None
    )
    assert SafeLogFilter().filter(record)
    assert record.getMessage() == "a\\x1b[2J is odd"


# --------------------------------------------------------------------------- readers


@FAST
@given(hostile_text, hostile_text, st.text(max_size=5))
def test_jsonl_reader_takes_any_record(text, rec_id, other):
    line = json.dumps({"id": rec_id, "text": text, "extra": other})
    try:
        paras = parse_jsonl(line + "\n", "d", "in.jsonl")
    except InputError as exc:
        assert "lone surrogate" in str(exc) and "in.jsonl:1" in str(exc)
        assert re.search("[\ud800-\udfff]", text)
        return
    doc = Document(id="d", paragraphs=paras, format="jsonl")
    out = render_jsonl(doc)
    assert utf8_ok(out) and json.loads(out)["id"] == rec_id


@FAST
@given(st.lists(hostile_text, min_size=1, max_size=4))
def test_documents_with_hostile_records_read_or_fail_cleanly(tmp_path, texts):
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(json.dumps({"id": i, "text": t}) for i, t in enumerate(texts)))
    try:
        doc = read_document(path)
    except InputError:
        return
    assert utf8_ok(render_document(doc))


# --------------------------------------------------------------------------- command line

NAMES = [
    b"plain",
    b"caf\xe9",  # not UTF-8: a lone surrogate in Python
    b"esc\x1b[2Jclear",
    b"bell\x07tab\tnl\nend",
    b"bidi\xe2\x80\xaeevil",
    b"c1\xc2\x9bcsi",
]


@pytest.mark.parametrize("raw", NAMES)
def test_segment_and_detect_print_names_safely(tmp_path, raw, capsys, monkeypatch):
    name = os.fsdecode(raw + b".txt")
    (tmp_path / name).write_text(
        "The talks went on in Moscow on Monday. They ended \x1b[31m late \u202e at night.\n",
        encoding="utf-8",
    )
    path = str(tmp_path / name)
    for fmt in ("txt", "jsonl"):
        assert main(["segment", path, "--lang", "en", "--format", fmt]) == 0
        out = capsys.readouterr().out
        ids = [line.split("\t")[0] for line in out.splitlines()] if fmt == "txt" else []
        assert all(not RAW.search(i) for i in ids) and utf8_ok(out)
        if fmt == "jsonl":
            assert not RAW.search(out.replace("\n", " "))
            assert [json.loads(line)["id"] for line in out.splitlines()][0].startswith(
                os.fsdecode(raw)
            )
    tty = io.StringIO()
    tty.isatty = lambda: True  # type: ignore[method-assign]
    monkeypatch.setattr(sys, "stdout", tty)
    assert main(["segment", path, "--lang", "en"]) == 0
    assert not RAW.search(tty.getvalue().replace("\t", " ").replace("\n", " "))
    monkeypatch.undo()
    assert main(["detect", path]) == 0
    out = capsys.readouterr().out
    assert utf8_ok(out) and not RAW.search(out.replace("\t", " ").replace("\n", " "))


@pytest.mark.parametrize("raw", NAMES)
def test_error_messages_never_carry_raw_controls(tmp_path, raw, capsys):
    missing = str(tmp_path / os.fsdecode(raw + b".txt"))
    assert main(["segment", missing, "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert "no such file" in err and "Traceback" not in err
    assert not RAW.search(err.rstrip("\n"))


def test_jsonl_with_a_lone_surrogate_is_an_input_error_for_translate_and_segment(tmp_path, capsys):
    path = tmp_path / "s.jsonl"
    path.write_text('{"id": "a1", "text": "Hello \\ud800 world, the talks went on."}\n')
    assert main(["segment", str(path), "--lang", "en"]) == 2
    assert main(["translate", str(path), "--to", "tr", "--src", "en"]) == 2
    err = capsys.readouterr().err
    assert err.count("lone surrogate") == 2 and "s.jsonl:1" in err and "Traceback" not in err


# --------------------------------------------------------------------------- batch and reports


def test_batch_with_surrogates_and_controls_goes_on_every_run(tmp_path, marian_tiny):
    text = "Turkish soldiers were killed in an air strike in Idlib on Thursday night."
    recs = [
        {"id": "ok", "text": text},
        {"id": "bad-text", "text": "Hello \ud800 world. " + text},
        {"id": "a\ud800b", "text": text},
        {"id": "esc\x1b[2J\x9b|`x`", "text": text},
        {"id": "low\udc00", "text": "Broken \udfff too. " + text},
    ]
    lines = [json.dumps(r) for r in recs]
    (tmp_path / "docs.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / os.fsdecode(b"caf\xe9\x1b[2J.txt")).write_text(text + "\n")
    cfg = job_toml(tmp_path, {"tr": marian_tiny("tr")}, jsonl=["docs.jsonl"], files=["docs/*.txt"])
    for resume in (False, True):  # the second run must not crash either
        summary = run_job(cfg, resume=resume)
        assert summary.documents == 6
        failed = {f["id"]: f["reason"] for f in summary.failures}
        assert set(failed) == {"bad-text", "low\\udc00"}
        assert all("lone surrogate" in r for r in failed.values())
    out = tmp_path / "out"
    for name in os.listdir(out):
        assert (out / name).resolve().parent == out.resolve()
        assert not RAW.search(name), name
    md = (out / "summary.md").read_text(encoding="utf-8")
    assert not RAW.search(md.replace("\n", " "))
    table = [line for line in md.splitlines() if line.startswith("| low")]
    assert len(re.findall(r"(?<!\\)(?:\\\\)*\|", table[0])) == 4
    assert render_markdown(summary) == md
    json.loads((out / "summary.json").read_text(encoding="utf-8"))


def test_evaluation_report_escapes_names_and_texts(tmp_path):
    from mtalign.evaluate.report import write_reports
    from mtalign.evaluate.report_json import Report
    from mtalign.evaluate.runner import EvalOptions, evaluate_texts

    ref = ["The talks went on.", "They ended late | at \x1b[2J night."]
    hyp = ["The talks went on \x1b[31m.", "They ended `late` at\u202e night."]
    ev = evaluate_texts(
        [("sys|\x1b[2Jname\nx", hyp)], [ref], "en", options=EvalOptions(n_bootstrap=0)
    )
    paths = write_reports(Report(title="T\x1b]0;x\x07", evaluations=[ev]), tmp_path, ["md"])
    md = paths["md"].read_text(encoding="utf-8")
    assert not RAW.search(md.replace("\n", " "))
    assert utf8_ok(md)


def test_mtalign_error_subclasses_share_the_safe_text():
    class Custom(MtalignError):
        pass

    assert str(Custom("a\x1bb")) == "a\\x1bb"


@FAST
@given(st.lists(hostile_text, min_size=3, max_size=3))
def test_glossary_check_table_holds_nothing_raw(texts):
    from mtalign.glossary.check import Occurrence
    from mtalign.glossary.report import format_table
    from mtalign.types import TermHit

    term, source, found = texts
    hit = TermHit(0, term, source, (0, 1), (found,), found, "variant")
    table = format_table([Occurrence(hit)], show_fix=True)
    assert not RAW.search(table.replace("\n", " ")) and utf8_ok(table)
