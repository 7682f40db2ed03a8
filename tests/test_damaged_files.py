"""Damaged SQLite files the tool owns (translation memory, job state), many random damages.

Pages of real files (written by the tool itself) are overwritten with random bytes or zeros,
as a bad disk or a torn write would leave them. The cache must be moved aside with a warning
and the run must go on with the same outputs; the job state must stop ``--resume`` with the
documented exit-2 message, or (damage on a page nobody reads) change nothing.
"""

from __future__ import annotations

import logging
import random
import shutil
import sqlite3
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mtalign.batch import run_job
from mtalign.cli import main
from mtalign.dbfile import OwnedDB, is_damage
from mtalign.errors import ConfigError
from mtalign.tm import TranslationMemory
from tests.test_batch import job_toml, read_outputs, write_records
from tests.test_pipeline import _run

PAGE = 4096
FAST = settings(
    max_examples=40,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

#: Which pages to damage and how: (page number as a fraction of the file, mode).
damages = st.lists(
    st.tuples(st.floats(0, 0.999), st.sampled_from(["garbage", "zero"])), min_size=1, max_size=3
)


def damage(path: Path, spots: list[tuple[float, str]], seed: int = 0) -> list[int]:
    """Overwrite whole pages of ``path`` in place; returns the page numbers hit."""
    data = bytearray(path.read_bytes())
    pages = max(1, len(data) // PAGE)
    rng = random.Random(seed)
    hit = []
    for where, mode in spots:
        n = int(where * pages)
        block = rng.randbytes(PAGE) if mode == "garbage" else bytes(PAGE)
        data[n * PAGE : (n + 1) * PAGE] = block
        hit.append(n)
    path.write_bytes(bytes(data))
    return hit


def pairs(n: int) -> list[tuple[str, str]]:
    return [(f"Source sentence number {i} about the talks.", f"Çıktı {i} ~tr") for i in range(n)]


@pytest.fixture(scope="module")
def real_tm(tmp_path_factory) -> Path:
    """A translation memory of 1500 entries (about 80 pages) written by the tool."""
    path = tmp_path_factory.mktemp("tm") / "tm.sqlite"
    tm = TranslationMemory(path)
    tm.put_many("digest", pairs(1500))
    tm.close()
    return path


# --------------------------------------------------------------------------- cache


@FAST
@given(spots=damages, seed=st.integers(0, 2**16), lookup=st.integers(1, 1500))
def test_damaged_cache_pages_never_stop_a_run(real_tm, spots, seed, lookup, caplog):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tm.sqlite"
        shutil.copy(real_tm, path)
        hit = damage(path, spots, seed)
        damaged_bytes = path.read_bytes()
        stored = dict(pairs(1500))
        wanted = list(stored)[:lookup]
        caplog.clear()
        tm = TranslationMemory(path)
        with caplog.at_level(logging.WARNING, logger="mtalign.dbfile"):
            found = tm.get_many("digest", wanted)
            tm.put_many("digest", [("new sentence", "yeni cümle")])
            again = tm.get_many("digest", ["new sentence", *wanted])
        tm.close()
        # Whatever is returned is what was stored; nothing is made up.
        assert all(stored[s] == out for s, out in found.items())
        assert all(again[s] == stored[s] for s in again if s != "new sentence")
        moved = sorted(p.name for p in Path(tmp).iterdir() if ".corrupt-" in p.name)
        if "not a translation cache mtalign made" in caplog.text:
            # The header page is gone: nothing proves mtalign made the file, so it is
            # neither moved nor written; the run goes on without a cache.
            assert 0 in hit and not moved and path.read_bytes() == damaged_bytes
            assert found == {} and again == {}
            return
        assert again["new sentence"] == "yeni cümle"
        if "is damaged" in caplog.text:
            assert moved and "moved to tm.sqlite.corrupt-" in caplog.text
        else:
            assert not moved and len(found) == lookup  # damage hit pages nobody needed


@pytest.mark.parametrize("seed", range(4))
def test_translate_with_a_damaged_cache_gives_the_same_outputs(tmp_path, seed, caplog):
    text = " ".join(f"Sentence {i} of the report says the talks went on." for i in range(120))
    (first,), _, out = _run(tmp_path, text=text + "\n")
    before = (out / "a.tr.txt").read_bytes()
    tm = tmp_path / "tm.sqlite"
    rng = random.Random(seed)
    pages = tm.stat().st_size // PAGE
    damage(tm, [(rng.random(), rng.choice(["garbage", "zero"])) for _ in range(3)], seed)
    assert pages > 3
    with caplog.at_level(logging.WARNING):
        (second,), _, out = _run(tmp_path, text=text + "\n")
    assert (out / "a.tr.txt").read_bytes() == before
    if "is damaged" in caplog.text:
        assert any(".corrupt-" in p.name for p in tmp_path.iterdir())


def test_cache_that_cannot_be_opened_is_skipped_with_a_warning(tmp_path, caplog):
    (tmp_path / "tm.sqlite").mkdir()  # not a file: SQLite cannot open it
    tm = TranslationMemory(tmp_path / "tm.sqlite")
    with caplog.at_level(logging.WARNING):
        tm.put_many("d", [("a", "b")])
        assert tm.get_many("d", ["a"]) == {}
    tm.close()
    assert "cannot be used" in caplog.text and "going on without it" in caplog.text


# --------------------------------------------------------------------------- one mechanism


def _malformed(con: sqlite3.Connection) -> None:
    raise sqlite3.DatabaseError("database disk image is malformed")


def _setup(con: sqlite3.Connection) -> None:
    con.execute("CREATE TABLE IF NOT EXISTS t (x)")


def test_damage_found_by_any_later_statement_goes_to_the_policy(tmp_path, caplog):
    stop = OwnedDB(tmp_path / "s.sqlite", _setup, "job state", error=lambda d, dmg: ConfigError(d))
    assert stop.query("SELECT count(*) FROM t") == [(0,)]
    with pytest.raises(ConfigError, match="malformed"):
        stop.run(_malformed)
    cache = OwnedDB(tmp_path / "c.sqlite", _setup, "translation cache")
    cache.run(lambda con: con.execute("INSERT INTO t VALUES (1)"))
    calls = []

    def flaky(con: sqlite3.Connection) -> list:
        calls.append(1)
        if len(calls) == 1:
            _malformed(con)
        return con.execute("SELECT x FROM t").fetchall()

    with caplog.at_level(logging.WARNING):
        assert cache.run(flaky) == []  # retried once on a fresh, empty file
    assert len(calls) == 2 and cache.moved_aside and cache.moved_aside[0].exists()
    assert "translation cache" in caplog.text and "moved to c.sqlite.corrupt-" in caplog.text


@pytest.mark.parametrize(
    ("exc", "damaged"),
    [
        (sqlite3.DatabaseError("database disk image is malformed"), True),
        (sqlite3.DatabaseError("file is not a database"), True),
        (sqlite3.OperationalError("Could not decode to UTF-8 column 'x'"), True),
        (sqlite3.OperationalError("database is locked"), False),
        (sqlite3.OperationalError("attempt to write a readonly database"), False),
    ],
)
def test_what_counts_as_damage(exc, damaged):
    assert is_damage(exc) is damaged


# --------------------------------------------------------------------------- job state


@pytest.fixture(scope="module")
def finished_job(tmp_path_factory, marian_tiny):
    root = tmp_path_factory.mktemp("job")
    write_records(root / "docs.jsonl", 16)
    cfg = job_toml(root, {"tr": marian_tiny("tr")}, jsonl=["docs.jsonl"])
    assert run_job(cfg).ok
    return root, read_outputs(root / "out")


@settings(max_examples=25, derandomize=True, deadline=None)
@given(spots=damages, seed=st.integers(0, 2**16))
def test_damaged_job_state_stops_resume_with_the_documented_message(finished_job, spots, seed):
    root, expected = finished_job
    with tempfile.TemporaryDirectory() as tmp:
        job = Path(tmp) / "job"
        shutil.copytree(root, job)
        state = job / "out" / ".mtalign-job.sqlite"
        damage(state, spots, seed)
        cfg = job / "job.toml"
        cfg.write_text(cfg.read_text(encoding="utf-8").replace(str(root), str(job)), "utf-8")
        try:
            summary = run_job(cfg, resume=True)
        except ConfigError as exc:
            assert "the job state is unreadable" in str(exc)
            assert "move it away to start the job over" in str(exc)
            return
        # Damage on a page nobody reads (free space): nothing changes, nothing is redone.
        assert summary.ok and summary.run.documents_processed == 0
        assert read_outputs(job / "out") == expected


def test_damaged_job_state_exit_code_and_message(finished_job, tmp_path, capsys):
    root, _ = finished_job
    job = tmp_path / "job"
    shutil.copytree(root, job)
    damage(job / "out" / ".mtalign-job.sqlite", [(0.5, "garbage"), (0.9, "garbage")], 1)
    cfg = job / "job.toml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace(str(root), str(job)), "utf-8")
    assert main(["batch", str(cfg), "--resume"]) == 2
    err = capsys.readouterr().err
    assert "mtalign: error:" in err and "the job state is unreadable" in err
    assert "Traceback" not in err
