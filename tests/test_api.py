"""The Python API (``from mtalign.api import ...``): types, errors, nothing printed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import mtalign
from mtalign import Glossary, InputError, MtalignError
from mtalign.api import align, detect, evaluate, load_glossary, segment, translate
from mtalign.settings import SettingError

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT / "tests" / "data" / "eval"
SHORT = ROOT / "tests" / "data" / "texts" / "en_short.txt"


@pytest.fixture(autouse=True)
def _nothing_printed(capsys):
    yield
    cap = capsys.readouterr()
    assert cap.out == "" and cap.err == "", "the API printed something"


def test_everything_listed_is_there_and_documented():
    for name in mtalign.__all__:
        obj = getattr(mtalign, name)
        if callable(obj):
            assert obj.__doc__, name
    assert set(mtalign.__all__) <= set(dir(mtalign))
    with pytest.raises(AttributeError):
        mtalign.nothing_here  # noqa: B018


def test_translate_texts_and_files(tmp_path, tiny_en_tr, monkeypatch):
    monkeypatch.setenv("MTALIGN_HOME", str(tmp_path / "home"))
    texts = [
        "The talks ended on Friday. Officials said more work was needed.",
        "",
        "Moscow agreed.",
    ]
    out = translate(texts, to="tr", src="en", models={"tr": str(tiny_en_tr)}, beam=1)
    assert list(out) == ["tr"] and len(out["tr"]) == 3 and out["tr"][1] == ""
    assert all(isinstance(t, str) and t for t in (out["tr"][0], out["tr"][2]))
    doc = translate(SHORT, to=["tr"], models={"tr": str(tiny_en_tr)}, beam=1, out=tmp_path / "o")
    assert len(doc["tr"]) == len(SHORT.read_text().splitlines())
    assert (tmp_path / "o" / "en_short.tr.txt").read_text().splitlines() == doc["tr"]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"beam": 0}, "beam: must be at least 1"),
        ({"beem": 4}, "unknown setting (did you mean 'beam'?)"),
        ({"engine": "marian"}, "engine: expected one of auto, ctranslate2, transformers"),
    ],
)
def test_translate_settings_are_checked_by_their_declarations(kwargs, message):
    with pytest.raises(SettingError, match=re.escape(message)):
        translate(["Hello there."], to="tr", **kwargs)


def test_translate_refuses_out_for_texts():
    with pytest.raises(InputError, match="out="):
        translate(["Hello."], to="tr", out="x")


def test_align_files_or_sentences():
    en, tr = EVAL / "idlib.en.txt", EVAL / "idlib.tr.txt"
    from_files = align(en, str(tr), "en", "tr", presegmented=True, method="length")
    lines = [en.read_text().splitlines(), tr.read_text().splitlines()]
    from_lists = align(*lines, "en", "tr", method="length")
    assert from_files.beads == from_lists.beads and len(from_files.src) == 28
    with pytest.raises(MtalignError, match="looks like 'ru'"):
        align(en, EVAL / "idlib.ru.txt", "en", "tr", presegmented=True)


def test_evaluate_files_lines_and_named_systems():
    ref = EVAL / "idlib.tr.txt"
    lines = ref.read_text(encoding="utf-8").splitlines()
    ev = evaluate(ref, ref, "tr", n_bootstrap=0)
    assert ev.baseline.scores["bleu"].value == pytest.approx(100)
    assert ev.baseline.scores["bleu"].signature.startswith("nrefs:1|")
    two = evaluate({"copy": lines, "short": lines[:-1] + [""]}, lines, "tr", n_bootstrap=0)
    assert [s.name for s in two.systems] == ["copy", "short"]
    with pytest.raises(InputError, match="27 lines but reference .* has 28"):
        evaluate(lines[:-1], ref, "tr", n_bootstrap=0)
    assert evaluate(lines[:-1], ref, "tr", realign=True, n_bootstrap=0).warnings


def test_small_helpers():
    assert segment("Dr. Smith left. He said no.", "en") == ["Dr. Smith left.", "He said no."]
    assert detect("Türkiye ve Rusya Perşembe günü ateşkes konusunda anlaştı.").lang == "tr"
    g = load_glossary(ROOT / "configs" / "glossaries" / "idlib.toml")
    assert isinstance(g, Glossary) and "tr" in g.languages


def test_each_name_is_one_thing_whatever_the_import_order():
    """``mtalign.align``/``evaluate``/``segment`` are plain packages in every import order,
    the API functions live in ``mtalign.api``, and ``translate``/``detect``/``load_glossary``
    are the same objects at the top level."""
    import subprocess
    import sys
    import types

    orders = [
        "from mtalign import align, evaluate, segment\nimport mtalign.align.dp",
        "import mtalign.align.dp, mtalign.evaluate.runner\nfrom mtalign import align, evaluate, segment",
    ]
    check = (
        "\nimport types, mtalign, mtalign.api as api\n"
        "assert all(isinstance(m, types.ModuleType) for m in (align, evaluate, segment))\n"
        "assert type(mtalign) is types.ModuleType\n"
        "assert mtalign.translate is api.translate and mtalign.detect is api.detect\n"
        "assert callable(api.align) and not isinstance(api.align, types.ModuleType)\n"
        "assert segment.split_sentences('He left. She stayed.', 'en') == api.segment('He left. She stayed.', 'en')\n"
        "print('ok')\n"
    )
    for order in orders:
        done = subprocess.run(
            [sys.executable, "-c", order + check], capture_output=True, text=True, cwd=ROOT
        )
        assert done.stdout.strip() == "ok", done.stderr
    assert isinstance(mtalign.api, types.ModuleType)
