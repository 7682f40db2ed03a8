"""report.json / report.md / report.html, the CLI command, and a headless-browser check."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from mtalign.cli.evaluate import evaluate_command
from mtalign.errors import InputError, OutputError
from mtalign.evaluate import (
    EvalOptions,
    Report,
    evaluate_files,
    evaluate_texts,
    render_html,
    write_reports,
)
from mtalign.evaluate.report import parse_formats
from mtalign.evaluate.report_html import highlight
from mtalign.evaluate.segments import TermOccurrence
from mtalign.evaluate.terms import summarize

DATA = Path(__file__).parent / "data"
EVAL = DATA / "eval"
FIX = DATA / "evaluate"
HOSTILE = "<script>document.title='pwned'</script>"


def lines_of(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A two-system Turkish report and an Arabic one, written by the CLI command function."""
    d = tmp_path_factory.mktemp("rep")
    ref = lines_of(EVAL / "idlib.tr.txt")
    a = [" ".join(line.split()[:-1]) for line in ref]
    b = list(a)
    b[3] = HOSTILE + " " + b[3]
    b[5] = 'Öğle <img src=x onerror="document.title=\'img\'"> & "tırnak"'
    write(d / "A.tr.txt", a)
    write(d / "B.tr.txt", b)
    evaluate_command(
        hyp=(str(d / "A.tr.txt"), str(d / "B.tr.txt")),
        ref=str(EVAL / "idlib.tr.txt"),
        lang="tr",
        src=str(EVAL / "idlib.en.txt"),
        significance="paired-bs",
        n_bootstrap=200,
        report=str(d / "out"),
    )
    return d


def test_three_formats_are_written(report_dir, capsys):
    out = report_dir / "out"
    assert sorted(p.name for p in out.iterdir()) == ["report.html", "report.json", "report.md"]


def test_stdout_table(tmp_path, capsys):
    hyp = write(
        tmp_path / "h.tr.txt", [" ".join(x.split()[:-2]) for x in lines_of(EVAL / "idlib.tr.txt")]
    )
    evaluate_command(hyp=(str(hyp),), ref=str(EVAL / "idlib.tr.txt"), lang="tr", n_bootstrap=0)
    out = capsys.readouterr().out
    assert re.search(r"^system\s+BLEU\s+chrF2\s+TER\s+wrong-lang\s+flagged$", out, re.M)
    assert re.search(r"^h\.tr\s+\d+\.\d\d\s+\d+\.\d\d\s+\d+\.\d\d", out, re.M)


def test_json_report_content(report_dir):
    data = json.loads((report_dir / "out" / "report.json").read_text(encoding="utf-8"))
    assert data["schema"] == 1
    assert data["tool"]["sacrebleu"] == "2.6.0"
    assert data["settings"]["significance"] == "paired-bs"
    assert data["settings"]["seed"] == 12345
    ev = data["evaluations"][0]
    assert ev["lang"] == "tr" and ev["significance"]["baseline"] == "A.tr"
    a, b = ev["systems"]
    assert a["baseline"] and not b["baseline"]
    assert a["scores"]["bleu"]["signature"].startswith("nrefs:1|bs:200|seed:12345")
    assert "p_value" in b["scores"]["chrf"] and "p_value" not in a["scores"]["chrf"]
    assert len(a["segments"]) == 28
    seg = b["segments"][3]
    assert seg["hyp"].startswith(HOSTILE) and seg["src"] and seg["refs"]
    assert {"chrf", "length_ratio", "wrong_lang", "flags"} <= set(seg)
    assert a["aggregates"]["segments"] == 28


def test_reports_are_reproducible(report_dir, tmp_path):
    ev = evaluate_files(
        [report_dir / "A.tr.txt", report_dir / "B.tr.txt"],
        [EVAL / "idlib.tr.txt"],
        "tr",
        options=EvalOptions(significance="paired-bs", n_bootstrap=200),
    )
    first = write_reports(Report((ev,)), tmp_path / "one")
    second = write_reports(Report((ev,)), tmp_path / "two")
    for fmt in ("json", "md", "html"):
        assert first[fmt].read_bytes() == second[fmt].read_bytes()


def test_markdown_report(report_dir):
    md = (report_dir / "out" / "report.md").read_text(encoding="utf-8")
    assert "| System | BLEU | chrF2 | TER |" in md
    assert "A.tr (baseline)" in md
    assert re.search(r"\| B\.tr \| \d+\.\d\d ± \d+\.\d\d \(p=0\.\d{4}\*?\)", md)
    assert "### Signatures" in md and "tok:13a" in md


def test_html_is_self_contained_and_escaped(report_dir):
    page = (report_dir / "out" / "report.html").read_text(encoding="utf-8")
    assert "<script" not in page.lower()
    assert "&lt;script&gt;document.title=&#x27;pwned&#x27;&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=" in page and "<img" not in page
    assert not re.search(r"(src|href)=\"?(https?:)?//", page)  # nothing remote
    assert "Content-Security-Policy" in page
    assert page.count("<svg") >= 2  # score chart + histogram
    assert 'lang="tr" dir="auto"' in page and 'lang="en" dir="auto"' in page


def test_arabic_cells_are_marked_for_rtl(tmp_path):
    ref = lines_of(EVAL / "idlib.ar.txt")
    hyp = [" ".join(x.split()[1:]) for x in ref]
    ev = evaluate_texts([("ar-sys", hyp)], [ref], "ar", options=EvalOptions(n_bootstrap=0))
    page = render_html(Report((ev,)))
    assert 'lang="ar" dir="auto"' in page
    assert ref[0].split()[1] in page


@pytest.mark.parametrize(
    ("text", "spans", "expected"),
    [
        ("a<b", [], "a&lt;b"),
        ("Putin <met>", [(0, 5, "ok", "t")], '<mark class="ok" title="t">Putin</mark> &lt;met&gt;'),
        ("ab", [(0, 1, "miss", "x"), (0, 2, "ok", "y")], '<mark class="miss" title="x">a</mark>b'),
        ("ab", [(1, 9, "miss", "x")], "ab"),  # out of range: ignored
        ("a", [(0, 1, "miss", '"><b>')], '<mark class="miss" title="&quot;&gt;&lt;b&gt;">a</mark>'),
    ],
)
def test_highlight_escapes(text, spans, expected):
    assert highlight(text, spans) == expected


def test_glossary_misses_are_highlighted():
    src = ["Erdogan met Putin.", "Putin left."]
    ref = ["Erdoğan, Putin ile görüştü.", "Putin ayrıldı."]
    hyp = ["Erdogan, Putin ile görüştü.", "O ayrıldı."]

    def checker(srcs, hyps):
        return summarize(
            [
                TermOccurrence(
                    0, "erdogan", ("Erdoğan",), "Erdogan", "variant", "Erdogan", (0, 7), (0, 7)
                ),
                TermOccurrence(0, "putin", ("Putin",), "Putin", "ok", "Putin", (12, 17), (9, 14)),
                TermOccurrence(1, "putin", ("Putin",), None, "missing", "Putin", (0, 5)),
            ]
        )

    ev = evaluate_texts(
        [("s", hyp)], [ref], "tr", srcs=src, terms=checker, options=EvalOptions(n_bootstrap=0)
    )
    page = render_html(Report((ev,)))
    assert "<h3>Glossary misses</h3>" in page
    assert '<mark class="miss" title="putin: missing; expected Putin">Putin</mark> left.' in page
    assert '<mark class="variant" title="erdogan: variant; expected Erdoğan">Erdogan</mark>' in page
    assert "term accuracy" in page


@pytest.mark.parametrize(
    ("spec", "expected"), [(None, ["json", "md", "html"]), ("HTML,markdown", ["html", "md"])]
)
def test_parse_formats(spec, expected):
    assert parse_formats(spec) == expected


def test_unknown_format():
    with pytest.raises(InputError, match="unknown report format 'pdf'"):
        parse_formats("json,pdf")


def test_report_path_that_is_a_file(report_dir, tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    ev = evaluate_files(
        [report_dir / "A.tr.txt"], [EVAL / "idlib.tr.txt"], "tr", options=EvalOptions(n_bootstrap=0)
    )
    with pytest.raises(OutputError, match="is a file, not a folder"):
        write_reports(Report((ev,)), f)


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium installed (apt-get install chromium)")
def test_html_in_headless_browser(report_dir, tmp_path):
    page = report_dir / "out" / "report.html"
    proc = subprocess.run(
        [
            CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
            "--disable-background-networking", "--disable-component-update", "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", page.as_uri(),
        ],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    dom = proc.stdout
    assert proc.returncode == 0, proc.stderr[-2000:]
    title = re.search(r"<title>(.*?)</title>", dom).group(1)
    assert title == "mtalign evaluation"  # neither the script nor the onerror handler ran
    assert "&lt;script&gt;document.title='pwned'&lt;/script&gt;" in dom
    assert "<svg" in dom and "Lowest sentence chrF++" in dom
