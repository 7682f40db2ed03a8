"""``translate`` interrupted anywhere inside its writes leaves no temp file behind for long.

* Ctrl-C (KeyboardInterrupt) at a random point of a random write (before the data is
  flushed, before the permissions, before the rename; *generated*): no temp file is left,
  and a rerun gives the same bytes as an unbroken run.
* ``kill -9`` just before the rename of the 1st, 2nd, 3rd or 4th file: the temp file stays
  (nothing can remove it), and the next run removes it, and only it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mtalign.io.atomic import temp_files, temp_prefix
from mtalign.pipeline import TranslateSettings, translate_files

ROOT = Path(__file__).resolve().parents[1]
TEXT = (
    "Officials met in Ankara on Monday. The talks went on for hours.\n\n"
    "Ships waited outside the harbour, and no agreement was reached.\n"
)


def _settings(models: dict[str, Path], cache: Path) -> TranslateSettings:
    return TranslateSettings(
        targets=tuple(models), src="en", engine="ctranslate2", beam=1, max_length=6,
        models={k: str(v) for k, v in models.items()}, cache_path=str(cache), force=True,
        progress=False,
    )  # fmt: skip


@pytest.fixture(scope="module")
def setup(tmp_path_factory, marian_tiny):
    root = tmp_path_factory.mktemp("interrupts")
    models = {"tr": marian_tiny("tr"), "ru": marian_tiny("ru")}
    src = root / ("a-rather-long-input-name-" + "ı" * 100 + ".txt")  # temp names need a hash
    src.write_text(TEXT, encoding="utf-8")
    ref = root / "ref"
    translate_files([str(src)], _settings(models, root / "ref.sqlite"), ref)
    expected = {p.name: p.read_bytes() for p in ref.iterdir() if not p.name.endswith(".json")}
    return models, src, expected


def _outputs(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in out.iterdir() if not p.name.endswith(".json")}


@settings(max_examples=8, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(op=st.sampled_from(["fsync", "chmod", "replace"]), nth=st.integers(1, 4))
def test_ctrl_c_anywhere_in_a_write_leaves_no_temp_file(tmp_path_factory, monkeypatch, setup,
                                                        op, nth):  # fmt: skip
    models, src, expected = setup
    root = tmp_path_factory.mktemp("run")
    out = root / "out"
    real = getattr(os, op)
    calls = [0]

    def interrupted(*args, **kw):
        calls[0] += 1
        if calls[0] == nth:
            raise KeyboardInterrupt
        return real(*args, **kw)

    with monkeypatch.context() as m:
        m.setattr(os, op, interrupted)
        with pytest.raises(KeyboardInterrupt):
            translate_files([str(src)], _settings(models, root / "tm.sqlite"), out)
    assert not [n for n in os.listdir(out) if n.endswith(".tmp")]
    translate_files([str(src)], _settings(models, root / "tm.sqlite"), out)
    assert _outputs(out) == expected


_KILLER = """
import os, signal, sys
from pathlib import Path
from mtalign.pipeline import TranslateSettings, translate_files
nth, src, out, cache, tr, ru = sys.argv[1:]
real, calls = os.replace, [0]
def replace(a, b):
    calls[0] += 1
    if calls[0] == int(nth):
        os.kill(os.getpid(), signal.SIGKILL)   # the temp file is whole, the rename never comes
    return real(a, b)
os.replace = replace
settings = TranslateSettings(targets=("tr", "ru"), src="en", engine="ctranslate2", beam=1,
    max_length=6, models={"tr": tr, "ru": ru}, cache_path=cache, force=True, progress=False)
translate_files([src], settings, out)
"""


@pytest.mark.parametrize("nth", [1, 2, 3, 4])
def test_kill_9_before_a_rename_then_the_next_run_removes_its_temp_file(tmp_path, setup, nth):
    models, src, expected = setup
    out = tmp_path / "out"
    out.mkdir()
    mine = [".notes.txt.swp", ".a.tr.txt.abcdefgh.tmp", "." + src.name + ".x.tmp"]
    for name in mine:  # hidden files of the user's, some looking almost like ours
        (out / name).write_text("mine\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-c", _KILLER, str(nth), str(src), str(out), str(tmp_path / "tm"),
         str(models["tr"]), str(models["ru"])],
        cwd=ROOT, capture_output=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == -9, proc.stderr.decode()[-2000:]
    ours = [f"{src.stem}.{kind}" for kind in ("tr.txt", "ru.txt", "aligned.jsonl", "report.json")]
    (left,) = temp_files(out, ours)  # exactly one write was cut short
    assert left.name.startswith(temp_prefix(ours[nth - 1], 255))
    translate_files([str(src)], _settings(models, tmp_path / "tm"), out)
    assert _outputs(out) == {**expected, **{n: b"mine\n" for n in mine}}
    assert not temp_files(out, os.listdir(out))
