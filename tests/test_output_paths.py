"""Where a command writes is checked before any work: every command x every bad target.

A bad output (a file where a folder goes, a folder where a file goes, a FIFO, a folder
under a file, a read-only file system, a name over the file system's limit) ends in one
OutputError (exit 2) that names the option and the fix, before any input or model is
read: the commands below are given a model or input that does not exist, so reaching it
would be a different error. Temp names of atomic writes always fit, whatever the name.
"""

from __future__ import annotations

import errno
import os
import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mtalign.cli import main
from mtalign.errors import MtalignError, OutputError
from mtalign.files import name_bytes, name_max
from mtalign.io.atomic import TEMP_OVERHEAD, atomic_write_bytes, temp_files, temp_prefix
from mtalign.io.outputs import check_output_dir, check_output_file

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "idlib.txt"
MISSING_MODEL = "/nonexistent/model/en-tr"

# --------------------------------------------------------------------------- bad targets


def _bad_folder(kind: str, tmp: Path, monkeypatch) -> Path:
    """A path that cannot be an output folder, of the given kind."""
    if kind == "file":
        p = tmp / "taken"
        p.write_text("a file\n", encoding="utf-8")
        return p
    if kind == "under-a-file":
        (tmp / "plain").write_text("x", encoding="utf-8")
        return tmp / "plain" / "out"
    if kind == "fifo":
        p = tmp / "pipe"
        os.mkfifo(p)
        return p
    assert kind == "read-only"
    p = tmp / "ro"
    p.mkdir()
    _read_only(p, monkeypatch)
    return p


def _read_only(folder: Path, monkeypatch) -> None:
    """Make creating files in ``folder`` fail as on a read-only mount (root ignores chmod)."""
    import tempfile

    real = tempfile.mkstemp

    def mkstemp(*args, dir=None, **kw):  # noqa: A002 - tempfile's own name
        if dir is not None and Path(dir).resolve() == folder.resolve():
            raise OSError(errno.EROFS, "Read-only file system")
        return real(*args, dir=dir, **kw)

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)


def _bad_file(kind: str, tmp: Path, monkeypatch, suffix: str = ".txt") -> Path:
    """A path that cannot be an output file, of the given kind (its name ends in ``suffix``)."""
    if kind == "folder":
        p = tmp / ("adir" + ("" if suffix == ".txt" else suffix))
        p.mkdir()
        return p
    if kind == "fifo":
        p = tmp / ("pipe" + suffix)
        os.mkfifo(p)
        return p
    if kind == "under-a-file":
        (tmp / "plain").write_text("x", encoding="utf-8")
        return tmp / "plain" / ("out" + suffix)
    if kind == "too-long":
        return tmp / ("n" * 300 + suffix)
    assert kind == "read-only-folder"
    p = tmp / "ro"
    p.mkdir()
    _read_only(p, monkeypatch)
    return p / ("out" + suffix)


FOLDER_KINDS = ("file", "under-a-file", "fifo", "read-only")
FILE_KINDS = ("folder", "fifo", "under-a-file", "too-long", "read-only-folder")

# --------------------------------------------------------------------------- commands


def _translate(target: Path, tmp: Path) -> None:
    from mtalign.pipeline import TranslateSettings, translate_files

    settings = TranslateSettings(targets=("tr",), src="en", models={"tr": MISSING_MODEL})
    translate_files([str(SEED)], settings, target)


def _batch(target: Path, tmp: Path) -> None:
    from mtalign.batch import run_job

    cfg = tmp / "job.toml"
    cfg.write_text(
        f'[job]\noutput_dir = "{target}"\n[inputs]\nfiles = ["{SEED}"]\n'
        f'[translate]\nsrc = "en"\ntargets = ["tr"]\n[translate.models]\ntr = "{MISSING_MODEL}"\n',
        encoding="utf-8",
    )
    run_job(cfg)


def _align_pairs(target: Path, tmp: Path) -> None:
    from mtalign.batch.align_job import AlignJobSettings, PairSpec, run_align_job

    spec = PairSpec("p", str(tmp / "missing-en.txt"), str(tmp / "missing-tr.txt"), "en", "tr")
    run_align_job([spec], str(target), AlignJobSettings(fmt="tsv", method="length"))


def _eval_suite(target: Path, tmp: Path) -> None:
    from mtalign.evaluate.suite import load_suite, run_suite

    def translate(*args):  # reaching it means the check came too late
        raise AssertionError("translated before the report folder was checked")

    run_suite(load_suite(ROOT / "configs" / "eval" / "idlib.toml"), translate, target)


def _cli(*argv: str) -> None:
    rc = main(list(argv))
    if rc != 2:
        raise AssertionError(f"exit code {rc}")
    raise OutputError("(printed)")


def _evaluate(target: Path, tmp: Path) -> None:
    _cli("evaluate", "--hyp", str(tmp / "none.txt"), "--ref", str(tmp / "none.txt"),
         "--lang", "tr", "--report", str(target))  # fmt: skip


FOLDER_COMMANDS = {
    "translate --out": _translate,
    "batch [job] output_dir": _batch,
    "align --pairs --out": _align_pairs,
    "eval-suite --report": _eval_suite,
    "evaluate --report": _evaluate,
}


def _align_out(target: Path, tmp: Path) -> None:
    _cli("align", str(tmp / "no-en.txt"), str(tmp / "no-tr.txt"), "--src-lang", "en",
         "--tgt-lang", "tr", "--out", str(target))  # fmt: skip


def _align_report(target: Path, tmp: Path) -> None:
    """--report writes NAME.report.json beside the --out file NAME.tsv: that is the target."""
    out = str(target).removesuffix(".report.json") + ".tsv"
    _cli("align", str(tmp / "no-en.txt"), str(tmp / "no-tr.txt"), "--src-lang", "en",
         "--tgt-lang", "tr", "--report", "--out", out)  # fmt: skip


def _gloss(cmd: str, option: str):
    def run(target: Path, tmp: Path) -> None:
        missing = str(tmp / "no-such-glossary.toml")
        args = {
            "check": ["glossary", "check", str(SEED), str(SEED), "--glossary", missing],
            "fix": ["glossary", "fix", str(SEED), str(SEED), "--glossary", missing],
            "cldr": ["glossary", "cldr", "--langs", "tr"],
            "mine": ["glossary", "mine", str(tmp / "no.txt"), str(tmp / "no.txt")],
        }[cmd]
        if cmd != "cldr":
            args += ["--tgt-lang", "tr"]
        if cmd == "fix" and option == "--report":
            args += ["--out", str(tmp / "fixed.txt")]
        _cli(*args, option, str(target))

    return run


FILE_COMMANDS = {
    "align --out": _align_out,
    "align --report": _align_report,
    "glossary check --report": _gloss("check", "--report"),
    "glossary fix --out": _gloss("fix", "--out"),
    "glossary fix --report": _gloss("fix", "--report"),
    "glossary cldr --out": _gloss("cldr", "--out"),
    "glossary mine --out": _gloss("mine", "--out"),
}


def _stderr_line(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    return err[-1] if err else ""


@pytest.mark.parametrize("kind", FOLDER_KINDS)
@pytest.mark.parametrize("command", sorted(FOLDER_COMMANDS))
def test_every_command_checks_its_output_folder_first(tmp_path, monkeypatch, capsys, command,
                                                      kind):  # fmt: skip
    target = _bad_folder(kind, tmp_path, monkeypatch)
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(MtalignError) as info:
        FOLDER_COMMANDS[command](target, tmp_path)
    msg = _stderr_line(capsys) if str(info.value) == "(printed)" else str(info.value)
    assert info.type is OutputError or "(printed)" in str(info.value)
    assert str(target) in msg or str(target.parent) in msg, msg
    assert any(w in msg for w in ("not a folder", "cannot")), msg
    # Nothing was made: no folder, no state, no lock.
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "job.toml") == [
        n for n in before if n != "job.toml"
    ]


@pytest.mark.parametrize("kind", FILE_KINDS)
@pytest.mark.parametrize("command", sorted(FILE_COMMANDS))
def test_every_command_checks_its_output_file_first(tmp_path, monkeypatch, capsys, command,
                                                    kind):  # fmt: skip
    suffix = ".report.json" if command == "align --report" else ".txt"
    target = _bad_file(kind, tmp_path, monkeypatch, suffix)
    with pytest.raises(OutputError):
        FILE_COMMANDS[command](target, tmp_path)
    msg = _stderr_line(capsys)
    assert msg.startswith("mtalign: error: --"), msg
    assert any(
        w in msg
        for w in ("is a folder", "not a folder", "not a regular file", "cannot", "over the")
    ), msg
    assert "no such" not in msg  # the (missing) inputs were not read first


# --------------------------------------------------------------------------- names

_NAME_CHARS = st.sampled_from(
    list(string.ascii_letters + string.digits + "-_ .")
    + ["ü", "ı", "İ", "ж", "ع", "語", "🙂", "\u200f"]
)


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(name=st.text(_NAME_CHARS, min_size=1, max_size=120))
def test_any_name_that_fits_is_written_atomically_and_its_temp_name_fits(tmp_path, name):
    name = name.strip(" .") or "x"
    limit = name_max(tmp_path)
    while name_bytes(name) > limit:
        name = name[:-1]
    folder = tmp_path / "w"
    target = folder / name
    atomic_write_bytes(target, b"data")
    assert target.read_bytes() == b"data"
    assert os.listdir(folder) == [name]  # no temp file left
    prefix = temp_prefix(name, limit)
    assert name_bytes(prefix) + TEMP_OVERHEAD - 2 <= limit
    for p in folder.iterdir():
        p.unlink()


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(
    names=st.lists(st.text(_NAME_CHARS, min_size=1, max_size=140), min_size=2, max_size=5,
                   unique=True),
    others=st.lists(st.text(string.ascii_letters, min_size=1, max_size=40), max_size=4),
)  # fmt: skip
def test_temp_files_of_a_name_are_recognised_and_nothing_else(tmp_path, names, others):
    """``temp_files`` finds exactly the temp names mkstemp makes for the given outputs."""
    import tempfile

    folder = tmp_path / "f"
    folder.mkdir(exist_ok=True)
    for p in folder.iterdir():
        p.unlink()
    limit = name_max(folder)
    names = [n.strip() or "x" for n in names]
    ours, theirs = names[: len(names) // 2 + 1], names[len(names) // 2 + 1 :]
    made: dict[str, list[str]] = {}
    for n in ours + theirs:
        fd, tmp = tempfile.mkstemp(prefix=temp_prefix(n, limit), suffix=".tmp", dir=folder)
        os.close(fd)
        assert name_bytes(Path(tmp).name) <= limit
        made.setdefault(n, []).append(Path(tmp).name)
    for o in others:  # a user's hidden files that look alike
        for cand in (f".{o}.tmp", f".{o}.swp", f".{o}.abcdefghi.tmp", f"{o}.abcdefgh.tmp"):
            if name_bytes(cand) <= limit and not (folder / cand).exists():
                (folder / cand).write_text("mine", encoding="utf-8")
    found = {p.name for p in temp_files(folder, ours)}
    expected = {t for n in ours for t in made[n]}
    # A name of theirs whose prefix equals one of ours (same text) is the same output.
    expected |= {t for n in theirs if n in ours for t in made[n]}
    assert found == expected


def test_long_input_names_translate_or_stop_before_the_model(tmp_path, marian_tiny):
    """Input names near the limit: outputs that fit are written (their temp names would
    not have fit unshortened); outputs that do not fit stop the run before the model."""
    from mtalign.pipeline import TranslateSettings, translate_files

    limit = name_max(tmp_path)
    text = SEED.read_text(encoding="utf-8").split("\n\n")[0] + "\n"
    fits = tmp_path / ("ü" * ((limit - len(".aligned.jsonl")) // 2) + ".txt")
    fits.write_text(text, encoding="utf-8")
    settings = TranslateSettings(targets=("tr",), src="en", engine="ctranslate2",
                                 models={"tr": str(marian_tiny("tr"))}, beam=1, max_length=4,
                                 cache=False, force=True, progress=False)  # fmt: skip
    out = tmp_path / "out"
    translate_files([str(fits)], settings, out)
    assert len(os.listdir(out)) == 3 and not temp_files(out, os.listdir(out))
    too_long = tmp_path / ("a" * (limit - 4) + ".txt")
    too_long.write_text(text, encoding="utf-8")
    bad = TranslateSettings(targets=("tr",), src="en", models={"tr": MISSING_MODEL}, force=True)
    with pytest.raises(OutputError, match="over the file system's limit.*rename the input"):
        translate_files([str(too_long)], bad, tmp_path / "out2")
    assert not (tmp_path / "out2").exists()


def test_output_checks_accept_good_targets(tmp_path):
    assert check_output_dir(tmp_path / "new" / "deeper") == tmp_path / "new" / "deeper"
    assert not (tmp_path / "new").exists()  # a check makes nothing
    assert check_output_dir(tmp_path) == tmp_path
    assert os.listdir(tmp_path) == []  # the probe file is gone
    assert check_output_file("-") is None
    (tmp_path / "old.txt").write_text("x", encoding="utf-8")
    assert check_output_file(tmp_path / "old.txt") == tmp_path / "old.txt"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_really_read_only_folder_is_refused(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        with pytest.raises(OutputError, match="cannot write into this folder"):
            check_output_dir(ro)
        with pytest.raises(OutputError, match="cannot be made"):
            check_output_dir(ro / "sub")
    finally:
        ro.chmod(0o755)
