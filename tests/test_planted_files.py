"""Issue 18, data loss and security: planted links, outputs that are inputs, files mtalign
never made, stale probes, checksummed cache entries.

Generated: every file mtalign opens for writing gets a symlink planted where it goes (to a
precious file, and dangling), and every command gets each of its outputs pointed at each
of its inputs (the same name, another spelling, a hard link, a symlink). A source scan
keeps the table of writers complete: a module that starts writing files fails
``test_every_module_that_writes_files_is_in_the_table`` until its files are planted here.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mtalign.batch import load_job_config, run_config
from mtalign.batch.align_job import AlignJobSettings, PairSpec, run_align_job
from mtalign.cli import main
from mtalign.errors import MtalignError
from mtalign.io.outputs import STALE_PROBE_SECONDS, check_output_dir, clean_stale_probes
from mtalign.pipeline import PairEngine, TranslationSession
from mtalign.tm import MemoryEntry, TranslationMemory
from tests.fakes import FakeModel, FakeTranslator
from tests.test_pipeline import _run as run_translate

ROOT = Path(__file__).resolve().parents[1]
VICTIM = b"precious bytes nobody may overwrite\n"
EN = "Officials met in Ankara on Monday. The talks went on for hours.\n"
TR = "Yetkililer pazartesi Ankara'da bir araya geldi. Gorusmeler saatlerce surdu.\n"
GLOSSARY = '[[term]]\nid = "ankara"\nsource = ["Ankara"]\ntarget = { tr = "Ankara" }\n'


# --------------------------------------------------------------------------- runners


def _job(root: Path, extra: str = "", tail: str = "") -> Path:
    (root / "a.txt").write_text(EN, encoding="utf-8")
    cfg = root / "job.toml"
    cfg.write_text(
        f'[job]\nname = "j"\noutput_dir = "out"\n[inputs]\nfiles = ["a.txt"]\n'
        f'[translate]\nsrc = "en"\ntargets = ["tr"]\ncache_path = "tm.sqlite"\n{extra}'
        f'[translate.models]\ntr = "/nonexistent/tr"\n{tail}',
        encoding="utf-8",
    )
    return cfg


def run_job(cfg_path: Path, resume: bool = False):
    """A batch job on fake engines (no model)."""
    cfg = load_job_config(cfg_path)
    engines = {("en", "tr"): PairEngine("en", "tr", FakeModel(tgt="tr"), "fake")}
    session = TranslationSession(
        cfg.settings, engines=engines, factory=lambda pe: FakeTranslator(lang=pe.tgt)
    )
    return run_config(cfg, resume=resume, session=session)


def _batch(root: Path) -> None:
    run_job(_job(root))


def _dataset(root: Path) -> None:
    """A dataset job (JSONL in, gzip JSONL datasets out) on fake engines."""
    (root / "a.jsonl").write_text('{"id": "x", "text": "Officials met."}\n', encoding="utf-8")
    cfg = root / "job.toml"
    cfg.write_text(
        '[job]\nname = "d"\noutput_dir = "out"\n[inputs]\njsonl = ["a.jsonl"]\n'
        '[output]\nformat = "jsonl"\n[translate]\nsrc = "en"\ntargets = ["tr"]\n'
        'cache_path = "tm.sqlite"\nforce = true\n[translate.models]\ntr = "/nonexistent/tr"\n',
        encoding="utf-8",
    )
    run_job(cfg)


def _align_pairs(root: Path) -> None:
    (root / "en.txt").write_text(EN, encoding="utf-8")
    (root / "tr.txt").write_text(TR, encoding="utf-8")
    spec = PairSpec("p", str(root / "en.txt"), str(root / "tr.txt"), "en", "tr")
    run_align_job([spec], str(root / "out"), AlignJobSettings(fmt="tsv", method="length"))


def _translate(root: Path) -> None:
    run_translate(root, text=EN)  # writes root/out/a.*, cache root/tm.sqlite


def _cli_ok(*argv: str) -> None:
    rc = main(list(argv))
    if rc != 0:
        raise MtalignError(f"exit {rc}")


def _inputs(root: Path) -> None:
    (root / "en.txt").write_text(EN, encoding="utf-8")
    (root / "tr.txt").write_text(TR, encoding="utf-8")
    (root / "g.toml").write_text(GLOSSARY, encoding="utf-8")


def _align(root: Path) -> None:
    _inputs(root)
    _cli_ok("align", str(root / "en.txt"), str(root / "tr.txt"), "--src-lang", "en",
            "--tgt-lang", "tr", "--method", "length", "--report", "--out",
            str(root / "out" / "al.tsv"))  # fmt: skip


def _glossary(cmd: str) -> Callable[[Path], None]:
    def run(root: Path) -> None:
        _inputs(root)
        out = root / "out"
        common = [str(root / "en.txt"), str(root / "tr.txt"), "--tgt-lang", "tr"]
        args = {
            "check": ["check", *common, "--glossary", str(root / "g.toml"),
                      "--report", str(out / "check.json")],
            "fix": ["fix", *common, "--glossary", str(root / "g.toml"),
                    "--out", str(out / "fixed.txt"), "--report", str(out / "fix.json")],
            "mine": ["mine", *common, "--out", str(out / "mined.toml"), "--min-count", "1"],
            "cldr": ["cldr", "--langs", "tr", "--out", str(out / "countries.toml")],
        }[cmd]  # fmt: skip
        _cli_ok("glossary", *args)

    return run


def _evaluate(root: Path) -> None:
    _inputs(root)
    _cli_ok("evaluate", "--hyp", str(root / "tr.txt"), "--ref", str(root / "tr.txt"),
            "--lang", "tr", "--n-bootstrap", "0", "--report", str(root / "out"))  # fmt: skip


def _revision(root: Path) -> None:
    from mtalign.models.checkpoint import local_revision
    from mtalign.testing import build_marian

    model = build_marian(root / "m", "en", "tr", preset="tiny", seed=0)
    os.environ["MTALIGN_HOME"] = str(root / "out")
    local_revision(model)


def _models_use(root: Path) -> None:
    bundle = root / "bundle"
    bundle.mkdir()
    (bundle / "models.toml").write_text(
        (ROOT / "configs" / "models.toml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    os.environ["XDG_CONFIG_HOME"] = str(root / "out")
    from mtalign.models.bundle import use_bundle

    use_bundle(bundle)


def _conversion_lock(root: Path) -> None:
    from mtalign.models.convert import _locked

    with _locked(root / "out" / ".model--rev--int8.lock"):
        pass


SIDE = ("", "-wal", "-shm", "-journal")
#: (runner, file it writes relative to the run's root folder, expected outcome):
#: "refused" (an error naming the link), "skipped" (a cache: a warning, run goes on),
#: "replaced" (an atomic write renames over the link itself, never writing through it).
WRITERS: dict[str, tuple[Callable[[Path], None], str, str]] = {
    **{f"batch state{s}": (_batch, f"out/.mtalign-job.sqlite{s}", "refused") for s in SIDE},
    "batch lock": (_batch, "out/.mtalign-job.lock", "refused"),
    **{
        f"batch {n}": (_batch, f"out/{n}", "refused")  # not the job's own: refused by claim
        for n in ("a.tr.txt", "a.aligned.jsonl", "a.report.json", "summary.json", "summary.md")
    },
    **{f"batch cache{s}": (_batch, f"tm.sqlite{s}", "skipped") for s in SIDE},
    **{
        f"dataset {n}": (_dataset, f"out/{n}", "refused")  # not the job's own: refused by claim
        for n in (
            "manifest.json",
            "summary.json",
            "data/a-00000-000.jsonl.gz",
            "sentences/a-00000-000.jsonl.gz",
            "failures/a-00000-000.jsonl.gz",
        )
    },  # fmt: skip
    **{
        f"align --pairs state{s}": (_align_pairs, f"out/.mtalign-align.sqlite{s}", "refused")
        for s in SIDE
    },  # fmt: skip
    "align --pairs output": (_align_pairs, "out/p.tsv", "refused"),
    **{f"translate cache{s}": (_translate, f"tm.sqlite{s}", "skipped") for s in SIDE},
    **{
        f"translate {n}": (_translate, f"out/{n}", "replaced")
        for n in ("a.tr.txt", "a.aligned.jsonl", "a.report.json")
    },
    "align --out": (_align, "out/al.tsv", "replaced"),
    "align --report": (_align, "out/al.report.json", "replaced"),
    "glossary check --report": (_glossary("check"), "out/check.json", "replaced"),
    "glossary fix --out": (_glossary("fix"), "out/fixed.txt", "replaced"),
    "glossary fix --report": (_glossary("fix"), "out/fix.json", "replaced"),
    "glossary mine --out": (_glossary("mine"), "out/mined.toml", "replaced"),
    "glossary cldr --out": (_glossary("cldr"), "out/countries.toml", "replaced"),
    **{
        f"evaluate {n}": (_evaluate, f"out/{n}", "replaced")
        for n in ("report.json", "report.md", "report.html")
    },  # fmt: skip
    "model revision sidecar": (_revision, "out/file-digests.json", "replaced"),
    "conversion lock": (_conversion_lock, "out/.model--rev--int8.lock", "refused"),
    "models use config": (_models_use, "out/mtalign/config.toml", "refused"),
}


def _plant(root: Path, rel: str, dangling: bool) -> Path:
    """A symlink at ``rel`` to a precious file (or to a file that does not exist)."""
    link = root / rel
    link.parent.mkdir(parents=True, exist_ok=True)
    victim = root / "elsewhere" / "precious.sqlite"
    victim.parent.mkdir(exist_ok=True)
    if not dangling:
        victim.write_bytes(VICTIM)
    link.symlink_to(victim)
    return victim


@pytest.mark.parametrize("dangling", [False, True], ids=["to-a-file", "dangling"])
@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_no_file_is_ever_written_through_a_planted_symlink(
    tmp_path, monkeypatch, caplog, writer, dangling
):
    monkeypatch.setenv("MTALIGN_HOME", os.environ.get("MTALIGN_HOME", str(tmp_path / "home")))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))  # restored afterwards
    run, rel, outcome = WRITERS[writer]
    victim = _plant(tmp_path, rel, dangling)
    link = tmp_path / rel
    error = None
    with caplog.at_level(logging.WARNING):
        try:
            run(tmp_path)
        except MtalignError as exc:
            error = str(exc)
    # Never written through: the target keeps its bytes, a dangling one is never made.
    if dangling:
        assert not victim.exists()
    else:
        assert victim.read_bytes() == VICTIM
    assert not list((tmp_path / "elsewhere").glob("precious.sqlite?*"))  # no -wal/-shm there
    if outcome == "refused":
        assert error is not None and str(link.name) in error, error
        assert "\n" not in error
    elif outcome == "skipped":
        assert error is None
        assert "symbolic link" in caplog.text and "going on without" in caplog.text
        assert link.is_symlink()
    else:
        assert error is None, error
        assert not link.is_symlink() and link.is_file()


#: Source lines that open a file for writing.
_WRITES = re.compile(
    r"atomic_write_(?:text|bytes)\(|OwnedDB\(|FileLock\(|mkstemp\(|os\.open\(|np\.save|"
    r"\.write_text\(|\.write_bytes\(|open\([^)]*[\"'][wax]b?[\"']"
)
#: Each writing module and the WRITERS rows (or other tests) that plant its files.
_COVERED = {
    "mtalign/batch/align_job.py": "align --pairs *",
    "mtalign/batch/state.py": "batch state*, batch lock, align --pairs state*",
    "mtalign/batch/summary.py": "batch summary.*",
    "mtalign/batch/dataset.py": "dataset manifest.json, summary.json (claimed, then atomic)",
    "mtalign/batch/dataset_io.py": "dataset data/, sentences/, failures/ parts (claimed; "
    "mkstemp + rename)",
    "mtalign/cli/glossary.py": "glossary *",
    "mtalign/dbfile.py": "* cache*, * state*",
    "mtalign/evaluate/report.py": "evaluate report.*",
    "mtalign/evaluate/suite.py": "eval-suite: report.* through evaluate.report, translations "
    "through atomic_write_text (test_output_paths.py)",
    "mtalign/files.py": "reads only (os.open without O_CREAT)",
    "mtalign/io/__init__.py": "translate a.tr.txt (write_document)",
    "mtalign/io/atomic.py": "every 'replaced' row",
    "mtalign/io/beads.py": "align --out",
    "mtalign/io/outputs.py": "probe files: mkstemp (O_EXCL, never follows a link)",
    "mtalign/io/vecalign.py": "align --out (vecalign format)",
    "mtalign/models/convert.py": "conversion lock; its folders are mkdtemp-made",
    "mtalign/models/identity.py": "model revision sidecar",
    "mtalign/models/bundle.py": "models use config; models pull --to writes models.toml and "
    "models.lock.json into the folder it made (atomic_write_text)",
    "mtalign/testing/numpy_marian.py": "test checkpoints (built into a fresh folder)",
    "mtalign/tm.py": "translate cache*, batch cache* (through OwnedDB)",
    "mtalign/align/usefast.py": "a mkdtemp folder renamed into place (no file opened by name)",
    "mtalign/pipeline/outputs.py": "translate a.aligned.jsonl, a.report.json",
    "mtalign/pipeline/modelcheck/memory.py": "/proc/self/clear_refs (a kernel file, not user data)",
    "mtalign/testing/marian.py": "test checkpoints (built into a fresh folder)",
    "mtalign/glossary/formats.py": "tomli_w.dumps only (strings)",
}


def test_every_module_that_writes_files_is_in_the_table():
    writing = sorted(
        str(p.relative_to(ROOT))
        for p in (ROOT / "mtalign").rglob("*.py")
        if _WRITES.search(p.read_text(encoding="utf-8"))
    )
    assert writing, "the scan found nothing: the pattern is wrong"
    missing = [m for m in writing if m not in _COVERED]
    assert not missing, f"plant the files of {missing} in WRITERS, then list them in _COVERED"


# --------------------------------------------------------------------------- outputs = inputs


def _same(kind: str, root: Path, target: Path) -> str:
    """A path naming ``target`` another way: as given, with ``..``, a hard link, a symlink."""
    if kind == "same":
        return str(target)
    if kind == "dotdot":
        return str(target.parent / ".." / target.parent.name / target.name)
    alias = root / f"alias-{target.name}"
    if kind == "hardlink":
        os.link(target, alias)
    else:
        alias.symlink_to(target)
    return str(alias)


def _pair(root: Path) -> list[str]:
    _inputs(root)
    return [str(root / "en.txt"), str(root / "tr.txt"), "--src-lang", "en", "--tgt-lang", "tr",
            "--method", "length"]  # fmt: skip


#: command -> (the input whose bytes must survive, argv built from (root, output path)).
SAME_FILE: dict[str, tuple[str, Callable[[Path, str], list[str]]]] = {
    "align --out SRC": ("en.txt", lambda r, o: ["align", *_pair(r), "--out", o]),
    "align --out TGT": ("tr.txt", lambda r, o: ["align", *_pair(r), "--out", o]),
    "glossary fix --out GLOSSARY": ("g.toml", lambda r, o: [
        "glossary", "fix", *_pair(r)[:2], "--tgt-lang", "tr", "--glossary", str(r / "g.toml"),
        "--out", o]),
    "glossary fix --out HYP": ("tr.txt", lambda r, o: [
        "glossary", "fix", *_pair(r)[:2], "--tgt-lang", "tr", "--glossary", str(r / "g.toml"),
        "--out", o]),
    "glossary fix --report SRC": ("en.txt", lambda r, o: [
        "glossary", "fix", *_pair(r)[:2], "--tgt-lang", "tr", "--glossary", str(r / "g.toml"),
        "--out", str(r / "fixed.txt"), "--report", o]),
    "glossary check --report SRC": ("en.txt", lambda r, o: [
        "glossary", "check", *_pair(r)[:2], "--tgt-lang", "tr", "--glossary", str(r / "g.toml"),
        "--report", o]),
    "glossary check --report GLOSSARY": ("g.toml", lambda r, o: [
        "glossary", "check", *_pair(r)[:2], "--tgt-lang", "tr", "--glossary", str(r / "g.toml"),
        "--report", o]),
    "glossary mine --out SRC": ("en.txt", lambda r, o: [
        "glossary", "mine", *_pair(r)[:2], "--tgt-lang", "tr", "--out", o]),
    "glossary mine --out TRANSLATION": ("tr.txt", lambda r, o: [
        "glossary", "mine", *_pair(r)[:2], "--tgt-lang", "tr", "--out", o]),
}  # fmt: skip


@pytest.mark.parametrize("kind", ["same", "dotdot", "hardlink", "symlink"])
@pytest.mark.parametrize("command", sorted(SAME_FILE))
def test_no_command_writes_over_its_own_input(tmp_path, capsys, command, kind):
    victim, argv = SAME_FILE[command]
    _inputs(tmp_path)
    target = tmp_path / victim
    before = target.read_bytes()
    out = _same(kind, tmp_path, target)
    assert main(argv(tmp_path, out)) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "writing it would destroy the input" in err[0], err
    assert target.read_bytes() == before


def test_align_report_beside_out_may_not_be_an_input(tmp_path, capsys):
    _inputs(tmp_path)
    os.replace(tmp_path / "en.txt", tmp_path / "x.report.json")
    before = (tmp_path / "x.report.json").read_bytes()
    rc = main(["align", str(tmp_path / "x.report.json"), str(tmp_path / "tr.txt"),
               "--src-lang", "en", "--tgt-lang", "tr", "--report", "--out",
               str(tmp_path / "x.tsv")])  # fmt: skip
    assert rc == 2 and "--report" in capsys.readouterr().err
    assert (tmp_path / "x.report.json").read_bytes() == before


def test_evaluate_report_may_not_be_a_scored_file(tmp_path, capsys):
    _inputs(tmp_path)
    rep = tmp_path / "rep"
    rep.mkdir()
    (rep / "report.md").write_text(TR, encoding="utf-8")
    rc = main(["evaluate", "--hyp", str(rep / "report.md"), "--ref", str(tmp_path / "tr.txt"),
               "--lang", "tr", "--report", str(rep)])  # fmt: skip
    assert rc == 2 and "report.md" in capsys.readouterr().err
    assert (rep / "report.md").read_text(encoding="utf-8") == TR


@pytest.mark.parametrize("what", ["glossary", "cache_path"])
def test_translate_outputs_and_cache_may_not_be_inputs(tmp_path, capsys, what):
    from mtalign.pipeline import TranslateSettings, translate_files

    src = tmp_path / "a.txt"
    src.write_text(EN, encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    if what == "glossary":
        victim = out / "a.aligned.jsonl"  # the glossary sits where an output goes
        victim.write_text(GLOSSARY, encoding="utf-8")
        settings = TranslateSettings(targets=("tr",), src="en", glossary=(str(victim),),
                                     models={"tr": "/nonexistent"})  # fmt: skip
    else:
        victim = src
        settings = TranslateSettings(targets=("tr",), src="en", cache_path=str(src),
                                     models={"tr": "/nonexistent"})  # fmt: skip
    before = victim.read_bytes()
    with pytest.raises(MtalignError, match="destroy the input"):
        translate_files([str(src)], settings, out)
    assert victim.read_bytes() == before


@pytest.mark.parametrize("what", ["cache_path = glossary", "cache_path = config"])
def test_batch_files_may_not_be_its_inputs(tmp_path, what):
    if what == "cache_path = glossary":
        victim = tmp_path / "g.toml"
        victim.write_text(GLOSSARY, encoding="utf-8")
        cfg = _job(tmp_path, tail=f'[glossary]\npath = "{victim}"\n')
        cfg.write_text(cfg.read_text("utf-8").replace('"tm.sqlite"', '"g.toml"'), "utf-8")
    else:
        cfg = _job(tmp_path)
        cfg.write_text(cfg.read_text("utf-8").replace('"tm.sqlite"', f'"{cfg}"'), "utf-8")
        victim = cfg
    before = victim.read_bytes()
    with pytest.raises(MtalignError, match="destroy the input"):
        run_job(cfg)
    assert victim.read_bytes() == before


# --------------------------------------------------------------------------- not ours


def _foreign_sqlite(path: Path, app_id: int = 0) -> None:
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE contacts (name TEXT)")
    con.execute("INSERT INTO contacts VALUES ('Ada')")
    if app_id:
        con.execute(f"PRAGMA application_id = {app_id}")
    con.commit()
    con.close()


FOREIGN = {
    "text": lambda p: p.write_text(EN * 50, encoding="utf-8"),
    "zeros": lambda p: p.write_bytes(bytes(8192)),
    "sqlite of another program": _foreign_sqlite,
    "sqlite with another application id": lambda p: _foreign_sqlite(p, 0x12345678),
    "sqlite holding a table named like ours and more": lambda p: (
        _foreign_sqlite(p),
        sqlite3.connect(p).executescript("CREATE TABLE tm (key TEXT); CREATE TABLE meta (k);"),
    ),
}


@pytest.mark.parametrize("kind", sorted(FOREIGN))
@pytest.mark.parametrize("owner", ["translation cache", "job state"])
def test_a_file_mtalign_never_made_is_never_repaired_or_written(tmp_path, caplog, owner, kind):
    cfg = _job(tmp_path)
    path = tmp_path / ("tm.sqlite" if owner == "translation cache" else "out/.mtalign-job.sqlite")
    path.parent.mkdir(exist_ok=True)
    FOREIGN[kind](path)
    before = path.read_bytes()
    with caplog.at_level(logging.WARNING):
        if owner == "job state":
            with pytest.raises(MtalignError) as info:
                run_job(cfg)
            assert "move it away" in str(info.value) and str(path) in str(info.value)
        else:
            assert run_job(cfg).ok  # a cache never stops the work
            assert "going on without the translation cache" in caplog.text
    assert path.read_bytes() == before
    assert not list(path.parent.glob("*.corrupt-*"))


def test_a_cache_mtalign_made_is_still_moved_aside_when_damaged(tmp_path, caplog):
    tm = TranslationMemory(tmp_path / "tm.sqlite")
    tm.put_many("d", [(f"s{i}", f"o{i}") for i in range(500)])
    tm.close()
    data = bytearray((tmp_path / "tm.sqlite").read_bytes())
    data[4096 : 3 * 4096] = b"\xff" * 8192  # pages after the header: the mark survives
    (tmp_path / "tm.sqlite").write_bytes(bytes(data))
    tm = TranslationMemory(tmp_path / "tm.sqlite")
    with caplog.at_level(logging.WARNING):
        tm.get_many("d", [f"s{i}" for i in range(500)])
        tm.put_many("d", [("new", "yeni")])
        assert tm.get_many("d", ["new"]) == {"new": "yeni"}
    tm.close()
    assert list(tmp_path.glob("tm.sqlite.corrupt-*")) and "is damaged" in caplog.text


def test_a_cache_of_an_older_mtalign_without_the_mark_is_adopted(tmp_path):
    path = tmp_path / "tm.sqlite"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE tm (key TEXT PRIMARY KEY, output TEXT NOT NULL, created REAL)")
    con.commit()
    con.close()
    tm = TranslationMemory(path)
    tm.put_many("d", [("a", "b")])
    assert tm.get_many("d", ["a"]) == {"a": "b"}
    tm.close()
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA application_id").fetchone()[0] == int.from_bytes(b"mtTM", "big")
    con.close()


# --------------------------------------------------------------------------- checksums


@settings(
    max_examples=30,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(which=st.integers(0, 19), pos=st.integers(0, 40), flip=st.integers(1, 255))
def test_a_flipped_byte_in_a_cached_translation_is_never_served(
    tmp_path_factory, caplog, which, pos, flip
):
    path = tmp_path_factory.mktemp("tm") / "tm.sqlite"
    outputs = {
        f"source {i}": f"Çeviri numarası {i:02d} ve biraz daha metin burada." for i in range(20)
    }
    tm = TranslationMemory(path)
    tm.put_many("d", outputs.items())
    tm.close()
    data = bytearray(path.read_bytes())
    text = outputs[f"source {which}"].encode()
    at = data.find(text)
    assert at > 0
    i = at + pos % len(text)
    data[i] ^= flip
    path.write_bytes(bytes(data))
    caplog.clear()
    tm = TranslationMemory(path)
    with caplog.at_level(logging.WARNING):
        found = tm.get_many("d", list(outputs))
    tm.close()
    # Every entry served is exactly what was stored; the changed one is a miss, logged.
    assert all(outputs[s] == o for s, o in found.items())
    if f"source {which}" not in found:
        assert "failed their checksum" in caplog.text or "is damaged" in caplog.text


def test_a_miss_from_a_bad_checksum_is_translated_again_and_stored_right(tmp_path):
    path = tmp_path / "tm.sqlite"
    tm = TranslationMemory(path)
    tm.store("d", [("hello", MemoryEntry("merhaba"))])
    tm.close()
    con = sqlite3.connect(path)  # a change SQLite cannot see: the text, not the structure
    con.execute("UPDATE tm SET output = 'merhabA'")
    con.commit()
    con.close()
    tm = TranslationMemory(path)
    assert tm.get_many("d", ["hello"]) == {}
    tm.put_many("d", [("hello", "merhaba")])
    assert tm.get_many("d", ["hello"]) == {"hello": "merhaba"}
    tm.close()


# --------------------------------------------------------------------------- probes


def test_stale_probes_of_a_killed_run_are_removed_and_nothing_else(tmp_path):
    old = time.time() - STALE_PROBE_SECONDS - 60
    names = {
        ".mtalign-probe.abcd1234.tmp": True,  # ours and old: removed
        ".mtalign-probe.zz_9yy8x.tmp": True,
        ".mtalign-probe.fresh123.tmp": False,  # ours but new: a running check's
        ".mtalign-probe.abcd1234.tmp.bak": False,  # not our name
        ".mtalign-probe.ABCD1234.tmp": False,
        "mtalign-probe.abcd1234.tmp": False,
        ".mtalign-probe.abc.tmp": False,
    }
    for name, stale in names.items():
        (tmp_path / name).write_text("x", encoding="utf-8")
        if stale or name != ".mtalign-probe.fresh123.tmp":
            os.utime(tmp_path / name, (old, old))
    os.mkdir(tmp_path / ".mtalign-probe.dir12345.tmp")  # a folder: never removed
    os.utime(tmp_path / ".mtalign-probe.dir12345.tmp", (old, old))
    (tmp_path / "elsewhere").write_text("keep", encoding="utf-8")
    os.symlink(tmp_path / "elsewhere", tmp_path / ".mtalign-probe.link1234.tmp")
    os.utime(tmp_path / ".mtalign-probe.link1234.tmp", (old, old), follow_symlinks=False)
    check_output_dir(tmp_path)
    left = {p.name for p in tmp_path.iterdir()}
    assert left == {n for n, stale in names.items() if not stale} | {
        ".mtalign-probe.dir12345.tmp",
        ".mtalign-probe.link1234.tmp",
        "elsewhere",
    }
    assert clean_stale_probes(tmp_path) == 0  # nothing more of ours to remove


def test_a_probe_killed_mid_check_is_gone_after_the_next_run(tmp_path, monkeypatch):
    import tempfile

    real = tempfile.mkstemp
    left: list[str] = []

    def killed(*args, **kw):  # the process dies between making the probe and removing it
        fd, name = real(*args, **kw)
        os.close(fd)
        left.append(name)
        raise KeyboardInterrupt

    monkeypatch.setattr(tempfile, "mkstemp", killed)
    with pytest.raises(KeyboardInterrupt):
        check_output_dir(tmp_path)
    monkeypatch.setattr(tempfile, "mkstemp", real)
    assert [Path(p).exists() for p in left] == [True]
    old = time.time() - STALE_PROBE_SECONDS - 1
    os.utime(left[0], (old, old))
    check_output_dir(tmp_path)
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- batch keeps outputs


@pytest.mark.parametrize("broken", [b"\xef\xbb\xbf", b"", b"\xff\xfe", b"\n\n"])
def test_a_briefly_broken_input_keeps_its_earlier_outputs(tmp_path, caplog, broken):
    cfg = _job(tmp_path)
    assert run_job(cfg).ok
    out = tmp_path / "out"
    good = {n: (out / n).read_bytes() for n in ("a.tr.txt", "a.aligned.jsonl", "a.report.json")}
    (tmp_path / "a.txt").write_bytes(broken)  # an editor truncating it while saving
    with caplog.at_level(logging.WARNING):
        summary = run_job(cfg, resume=True)
    assert summary.documents_failed == 1
    assert {n: (out / n).read_bytes() for n in good} == good
    assert "kept its earlier outputs" in caplog.text
    # Fixed again: a new good version replaces them.
    (tmp_path / "a.txt").write_text("A different text about Moscow.\n", encoding="utf-8")
    assert run_job(cfg, resume=True).ok
    assert (out / "a.tr.txt").read_bytes() != good["a.tr.txt"]
    report = json.loads((out / "a.report.json").read_bytes())
    assert report["job"]["failed"] == {}


def test_eval_suite_outputs_may_not_be_its_test_set(tmp_path):
    from mtalign.evaluate.suite import load_suite, run_suite

    rep = tmp_path / "rep"
    (rep / "translations").mkdir(parents=True)
    ref = rep / "translations" / "base.tr.txt"  # the reference sits where a translation goes
    ref.write_text(TR, encoding="utf-8")
    (tmp_path / "en.txt").write_text(EN, encoding="utf-8")
    cfg = tmp_path / "suite.toml"
    cfg.write_text(
        '[suite]\nsrc_lang = "en"\ntargets = ["tr"]\nreport = "rep"\n'
        '[testset]\nsource = "en.txt"\n[testset.references]\ntr = "rep/translations/base.tr.txt"\n'
        '[[configuration]]\nname = "base"\n',
        encoding="utf-8",
    )

    def translate(*args):  # reaching it means the check came too late
        raise AssertionError("translated before the outputs were checked")

    with pytest.raises(MtalignError, match="destroy the input"):
        run_suite(load_suite(cfg), translate)
    assert ref.read_text(encoding="utf-8") == TR


def test_a_jsonl_input_inside_output_dir_is_never_written_over(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    victim = out / "a.aligned.jsonl"  # named like the output of the document with id "a"
    victim.write_text(json.dumps({"id": "a", "text": EN.strip()}) + "\n", encoding="utf-8")
    cfg = _job(tmp_path)
    text = cfg.read_text("utf-8").replace('files = ["a.txt"]', f'jsonl = ["{victim}"]')
    cfg.write_text(text.replace('name = "j"', 'name = "j"\noverwrite = true'), "utf-8")
    before = victim.read_bytes()
    with pytest.raises(MtalignError, match="destroy the input"):
        run_job(cfg)
    assert victim.read_bytes() == before
