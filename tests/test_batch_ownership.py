"""A batch job replaces or removes only files it can prove it wrote (recorded in its state).

Generated: random hand-made files in the output folder, some named like the job's outputs
(of documents that succeed and of one that fails), some not; with and without
``overwrite``. A fresh job refuses a folder whose files it would overwrite or remove,
naming them and leaving every byte as it was; with ``overwrite`` it takes them; files of
other names are never touched. The lock file is never followed through a symlink.
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mtalign.batch import load_job_config, run_config
from mtalign.batch.state import JobLock
from mtalign.errors import ConfigError
from mtalign.pipeline import PairEngine, TranslationSession
from tests.fakes import FakeModel, FakeTranslator

DOCS = {
    "a": "Officials met in Ankara on Monday to discuss the ports.",
    "b": "The talks in Moscow went on for hours.",
    "notes": "",  # fails: nothing to translate
}
TARGETS = ("tr", "ru")
JOB_NAMES = [
    f"{d}.{kind}" for d in DOCS for kind in ("tr.txt", "ru.txt", "aligned.jsonl", "report.json")
] + ["summary.json", "summary.md"]
OTHER_NAMES = ["notes.md", "notes.txt", "a.de.txt", "README", ".notes.tr.txt.swp", "b.tr"]


def _job(root: Path, overwrite: bool = False) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    recs = [json.dumps({"id": k, "text": v}) for k, v in DOCS.items()]
    (root / "docs.jsonl").write_text("\n".join(recs) + "\n", encoding="utf-8")
    cfg = root / "job.toml"
    cfg.write_text(
        f'[job]\noutput_dir = "out"\noverwrite = {str(overwrite).lower()}\n'
        '[inputs]\njsonl = ["docs.jsonl"]\n[translate]\nsrc = "en"\ntargets = ["tr", "ru"]\n'
        'cache = false\n[translate.models]\ntr = "/nonexistent/tr"\nru = "/nonexistent/ru"\n',
        encoding="utf-8",
    )
    return cfg


def _run(cfg_path: Path, resume: bool = False):
    cfg = load_job_config(cfg_path)
    engines = {("en", t): PairEngine("en", t, FakeModel(tgt=t), "fake") for t in TARGETS}
    session = TranslationSession(
        cfg.settings, engines=engines, factory=lambda pe: FakeTranslator(lang=pe.tgt)
    )
    return run_config(cfg, resume=resume, session=session)


def _snapshot(out: Path) -> dict[str, bytes]:
    return {
        p.name: p.read_bytes()
        for p in out.iterdir()
        if p.is_file() and not p.name.startswith(".mtalign-job")
    }


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(
    taken=st.sets(st.sampled_from(JOB_NAMES), max_size=4),
    others=st.sets(st.sampled_from(OTHER_NAMES), max_size=3),
    overwrite=st.booleans(),
    data=st.data(),
)
def test_a_job_never_touches_files_it_did_not_write(tmp_path_factory, taken, others,
                                                    overwrite, data):  # fmt: skip
    root = tmp_path_factory.mktemp("job")
    cfg = _job(root, overwrite)
    out = root / "out"
    out.mkdir()
    for name in taken | others:
        (out / name).write_bytes(f"hand-made {name} {data.draw(st.integers(0, 9))}\n".encode())
    before = _snapshot(out)
    if taken and not overwrite:
        with pytest.raises(ConfigError) as info:
            _run(cfg)
        msg = str(info.value)
        assert f"holds {len(taken)} file(s) this job did not write" in msg
        assert all(n in msg for n in sorted(taken)[:5])
        assert "overwrite = true" in msg
        assert _snapshot(out) == before  # every byte as it was
        # Moving them away is enough: the refused run left nothing that blocks a fresh one.
        for name in taken:
            (out / name).unlink()
        before = _snapshot(out)
    summary = _run(cfg)
    assert summary.documents_done == 2 and summary.documents_failed == 1
    after = _snapshot(out)
    for name in others:
        assert after[name] == before[name]
    for name in ("a.tr.txt", "b.ru.txt", "summary.md"):
        assert not after[name].startswith(b"hand-made")
    # The failed document's files: the job removed what it owned, nothing else exists.
    assert not [n for n in after if n.startswith("notes.") and n not in others]
    resumed = _run(cfg, resume=True)  # its own files are never "foreign" to it
    assert resumed.documents_done == 2


def test_a_failed_document_never_deletes_hand_made_files_of_its_name(tmp_path):
    """The reported case: out/notes.tr.txt and out/notes.report.json, hand-made."""
    cfg = _job(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.tr.txt").write_text("my notes\n", encoding="utf-8")
    (out / "notes.report.json").write_text('{"mine": true}\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"notes\.tr\.txt, notes\.report\.json"):
        _run(cfg)
    assert (out / "notes.tr.txt").read_text(encoding="utf-8") == "my notes\n"
    assert (out / "notes.report.json").read_text(encoding="utf-8") == '{"mine": true}\n'


def test_a_folder_where_an_output_goes_is_refused_even_with_overwrite(tmp_path):
    cfg = _job(tmp_path, overwrite=True)
    (tmp_path / "out" / "a.tr.txt").mkdir(parents=True)
    with pytest.raises(ConfigError, match=r"a\.tr\.txt is not a regular file"):
        _run(cfg)


def test_a_state_from_before_the_owned_table_keeps_its_files(tmp_path):
    cfg = _job(tmp_path)
    _run(cfg)
    state = tmp_path / "out" / ".mtalign-job.sqlite"
    db = sqlite3.connect(state)
    db.execute("DELETE FROM owned")
    db.execute("UPDATE meta SET value = '1' WHERE key = 'schema'")
    db.commit()
    db.close()
    (tmp_path / "out" / "a.tr.txt").unlink()  # a done document to redo
    summary = _run(cfg, resume=True)  # redoes a (and the failed notes), refuses nothing
    assert summary.documents_done == 2 and (tmp_path / "out" / "a.tr.txt").exists()
    db = sqlite3.connect(state)
    owned = {r[0] for r in db.execute("SELECT name FROM owned")}
    schema = db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()[0]
    db.close()
    assert set(JOB_NAMES) <= owned and schema == "2"


@pytest.mark.parametrize("kind", ["symlink-to-file", "dangling-symlink", "fifo"])
def test_the_lock_file_is_never_followed_or_waited_on(tmp_path, kind):
    out = tmp_path / "out"
    out.mkdir()
    lock = out / ".mtalign-job.lock"
    victim = tmp_path / "precious.txt"
    if kind == "symlink-to-file":
        victim.write_text("keep me\n", encoding="utf-8")
        lock.symlink_to(victim)
    elif kind == "dangling-symlink":
        lock.symlink_to(victim)
    else:
        os.mkfifo(lock)
    with pytest.raises(ConfigError, match="lock file"), JobLock(out):
        pass
    if kind == "symlink-to-file":
        assert victim.read_text(encoding="utf-8") == "keep me\n"
    else:
        assert not victim.exists()


def test_align_pairs_refuses_a_hand_made_file_of_a_pair_name(tmp_path):
    from mtalign.batch.align_job import AlignJobSettings, PairSpec, run_align_job

    for name in ("en.txt", "tr.txt"):
        (tmp_path / name).write_text("One sentence. Two sentences.\n", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "p.tsv").write_text("mine\n", encoding="utf-8")
    spec = PairSpec("p", str(tmp_path / "en.txt"), str(tmp_path / "tr.txt"), "en", "tr")
    with pytest.raises(ConfigError, match=r"p\.tsv; move them away, or use another --out"):
        run_align_job([spec], str(out), AlignJobSettings(fmt="tsv", method="length"))
    assert (out / "p.tsv").read_text(encoding="utf-8") == "mine\n"
