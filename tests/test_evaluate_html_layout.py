"""The HTML report carries no local folder names, and its score chart keeps whiskers and
labels apart (issue 23)."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from mtalign.cli import main
from mtalign.evaluate.report_html import score_chart, shown_path
from mtalign.types import Score

EVAL = Path(__file__).parent / "data" / "eval"
GLOSSARY = Path(__file__).parents[1] / "configs" / "glossaries" / "idlib.toml"


def test_report_html_has_no_absolute_paths(tmp_path, capsys):
    runs = tmp_path / "runs"
    runs.mkdir()
    ref = EVAL / "idlib.tr.txt"
    hyp = runs / "A.tr.txt"
    hyp.write_text(
        "\n".join(" ".join(x.split()[:-1]) for x in ref.read_text(encoding="utf-8").splitlines()),
        encoding="utf-8",
    )
    args = ["evaluate", "--hyp", str(hyp.resolve()), "--ref", str(ref.resolve()), "--lang", "tr",
            "--src", str((EVAL / "idlib.en.txt").resolve()), "--glossary", str(GLOSSARY.resolve())]  # fmt: skip
    assert main([*args, "--report", str(tmp_path / "out"), "--format", "html"]) == 0
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    for folder in (tmp_path, EVAL.resolve(), GLOSSARY.resolve().parent):
        assert str(folder) not in page
    assert "&#x27;../runs/A.tr.txt&#x27;" in page  # beside the report: relative to it
    assert "<code>idlib.tr.txt</code>" in page and "idlib.toml" in page  # far away: base names
    capsys.readouterr()
    assert main([*args, "--report", "-", "--format", "html"]) == 0
    printed = capsys.readouterr().out
    assert str(tmp_path) not in printed and str(EVAL.resolve()) not in printed
    assert "&#x27;A.tr.txt&#x27;" in printed


def test_shown_path_leaves_other_strings_alone(tmp_path):
    assert shown_path("Unbabel/wmt22-comet-da", tmp_path) == "Unbabel/wmt22-comet-da"
    assert shown_path("-", tmp_path) == "-"
    assert shown_path("/no/such/dir/ref.txt", None) == "ref.txt"
    inside = tmp_path / "data" / "ref.txt"
    assert shown_path(str(inside), tmp_path) == "data/ref.txt"


def _ev(values: list[tuple[float, float]]) -> SimpleNamespace:
    scores = [
        Score("TER", v, "", (v - h, v + h) if h else None, {"ci_halfwidth": h}) for v, h in values
    ]
    systems = [SimpleNamespace(name=f"system-{i}", scores={"ter": s}) for i, s in enumerate(scores)]
    return SimpleNamespace(metrics=("ter",), systems=systems)


_NUM = re.compile(r"-?\d+(?:\.\d+)?")


@settings(max_examples=60, derandomize=True, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 150), st.floats(0, 60)), min_size=1, max_size=4))
def test_whiskers_stay_right_of_the_system_names(values):
    svg = score_chart(_ev(values))
    width = float(re.search(r'width="(\d+)"', svg).group(1))
    name_ends = [float(x) for x in re.findall(r'<text x="([\d.]+)"[^>]*text-anchor="end"', svg)]
    assert len(name_ends) == len(values)
    rows = svg.split('text-anchor="end">')[1:]  # one chunk per system, from its name on
    for row in rows:
        xs = [float(x) for d in re.findall(r'<path d="([^"]+)"', row)
              for x in re.findall(r"[MH](-?[\d.]+)", d)]  # fmt: skip
        assert all(max(name_ends) < x <= width for x in xs), (xs, name_ends)
        label = float(re.search(r'<text x="([\d.]+)"[^>]*font-size="11">', row).group(1))
        assert max(xs, default=0) < label and label + 40 <= width  # the value after its whisker
