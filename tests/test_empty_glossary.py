"""A glossary without terms, in any format, is an error naming the file, wherever it is used.

Generated: each format (TOML, TSV, CSV, TBX) with any mix of blank lines, whitespace,
comments, a BOM, a header or metadata, but no term. ``load_glossary`` says which file has
no terms; ``translate`` and ``batch`` stop before any model is read; ``evaluate`` and
``glossary check`` exit 2.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mtalign.cli import main
from mtalign.errors import ConfigError
from mtalign.glossary.formats import load_glossary

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "idlib.txt"
MISSING_MODEL = "/nonexistent/model/en-tr"

_TBX_EMPTY = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<martif type="TBX" xml:lang="en"><text><body>'
    "{inner}</body></text></martif>\n"
)
_FILLER = st.lists(st.sampled_from(["", " ", "\t", "   \t "]), max_size=3)


@st.composite
def empty_glossaries(draw) -> tuple[str, str]:
    """(suffix, content) of a glossary file with no terms."""
    fmt = draw(st.sampled_from(["toml", "tsv", "csv", "tbx"]))
    lines = [draw(st.sampled_from(["", "  ", "\t"])) for _ in range(draw(st.integers(0, 3)))]
    if fmt == "toml":
        lines += draw(st.lists(st.sampled_from([
            "# terms to come", "[glossary]", 'name = "news"', 'source_lang = "en"',
            'description = "nothing yet"',
        ]), max_size=4))  # fmt: skip
        if any(x.startswith(("name", "source", "desc")) for x in lines):
            lines.insert(0, "[glossary]")
        lines = list(dict.fromkeys(lines))  # a TOML key is set once
    elif fmt in ("tsv", "csv"):
        sep = "\t" if fmt == "tsv" else ","
        if draw(st.booleans()):
            lines.insert(0, sep.join(draw(st.sampled_from([["en", "tr"], ["en", "tr", "ru"],
                                                           ["id", "en", "tr", "note"]]))))  # fmt: skip
        lines += draw(st.lists(st.sampled_from(["# a comment", sep, sep * 2]), max_size=3))
    else:
        inner = draw(st.sampled_from(["", "\n", "<!-- none yet -->"]))
        return fmt, _TBX_EMPTY.format(inner=inner)
    text = "\n".join(lines) + ("\n" if draw(st.booleans()) else "")
    if draw(st.booleans()):
        text = "\ufeff" + text
    return fmt, text


@settings(max_examples=80, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(case=empty_glossaries())
def test_a_glossary_without_terms_is_an_error_naming_the_file(tmp_path, case):
    fmt, text = case
    path = tmp_path / f"terms.{fmt}"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_glossary(path, tgt_lang="tr")
    msg = str(info.value)
    assert msg.startswith(str(path)) and "no terms" in msg, msg


@pytest.fixture()
def empty(tmp_path) -> Path:
    path = tmp_path / "empty.tsv"
    path.write_text("en\ttr\n", encoding="utf-8")
    return path


def test_translate_with_an_empty_glossary_stops_before_the_model(tmp_path, empty):
    from mtalign.pipeline import TranslateSettings, translate_files

    settings = TranslateSettings(targets=("tr",), src="en", models={"tr": MISSING_MODEL},
                                 glossary=(str(empty),), glossary_mode="enforce")  # fmt: skip
    with pytest.raises(ConfigError, match="empty.tsv: the glossary has no terms"):
        translate_files([str(SEED)], settings, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_batch_with_an_empty_glossary_stops_before_the_model(tmp_path, empty):
    from mtalign.batch import run_job

    cfg = tmp_path / "job.toml"
    cfg.write_text(
        f'[job]\noutput_dir = "out"\n[inputs]\nfiles = ["{SEED}"]\n[translate]\nsrc = "en"\n'
        f'targets = ["tr"]\n[translate.models]\ntr = "{MISSING_MODEL}"\n'
        f'[glossary]\npath = "{empty}"\nmode = "enforce"\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="empty.tsv: the glossary has no terms"):
        run_job(cfg)


#: A Turkish file (the reference language is checked like the hypothesis').
TR = Path(__file__).resolve().parent / "data" / "eval" / "idlib.tr.txt"
EN = TR.with_name("idlib.en.txt")


@pytest.mark.parametrize(
    "argv",
    [
        ["evaluate", "--hyp", str(TR), "--ref", str(TR), "--src", str(EN), "--lang", "tr"],
        ["glossary", "check", str(SEED), str(SEED), "--tgt-lang", "tr"],
        ["glossary", "show"],
    ],
)
def test_commands_with_an_empty_glossary_exit_2(empty, capsys, argv):
    argv = [*argv, "--glossary", str(empty)] if argv[1] != "show" else [*argv, str(empty)]
    assert main(argv) == 2
    assert "empty.tsv: the glossary has no terms" in capsys.readouterr().err
