"""A run that finds part of its work in the translation memory reports what an unbroken run
reports: the memory keeps each translation's ``retried`` flag and glossary stage.

Generated: random documents, random sentences the fake engine gets wrong on the first pass
(so the quality gate retries them), and a random part done first (by an earlier run, or by
a job interrupted after a random number of engine calls). The aligned records are byte for
byte those of an unbroken run; so are the reports, but for times, dates and cache counts.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mtalign.batch import load_job_config, run_config
from mtalign.pipeline import PairEngine, TranslateSettings, translate_documents
from mtalign.pipeline.inputs import load_inputs
from mtalign.pipeline.outputs import aligned_records, build_report
from mtalign.tm import MemoryEntry, TranslationMemory
from tests.fakes import FakeModel, FakeTranslator

SENTENCES = [
    "Officials met in Ankara on Monday.",
    "The talks in Moscow went on for hours.",
    "Erdogan said the ports would stay open.",
    "Prices rose by 12 percent in March.",
    "The envoy left the city at night.",
    "Putin spoke to reporters after the meeting.",
    "Ships waited outside the harbour.",
    "No agreement was reached.",
]
BAD = ["", "x x x x x x", "Officials met in Ankara on Monday."]  # empty, repetition, copy
GLOSSARY = '[[term]]\nsource = ["Erdogan"]\ntype = "PER"\ntarget = { tr = "Erdoğan" }\n'
TARGETS = ("tr",)


def _engines():
    return {("en", t): PairEngine("en", t, FakeModel(tgt=t), "fake") for t in TARGETS}


def _translate(paths, settings, bad):
    docs = load_inputs([str(p) for p in paths], settings)

    def factory(pe):
        return FakeTranslator(lang=pe.tgt, bad=dict(bad))

    res = translate_documents(docs, settings, None, engines=_engines(), factory=factory)
    return res


def _view(res, settings) -> list[str]:
    """What must not depend on the memory: aligned records, and the reports without run
    details (time, date, cache counts)."""
    out = []
    for r in res:
        out += [json.dumps(rec, ensure_ascii=False) for rec in aligned_records(r, TARGETS)]
        report = build_report(r, settings, _engines())
        report.pop("created")
        for entry in report["targets"].values():
            for key in ("seconds", "cached"):
                entry["stats"].pop(key)
            entry.pop("segments_per_second", None)
        out.append(json.dumps(report, ensure_ascii=False, sort_keys=True))
    return out


@settings(max_examples=15, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(
    docs=st.lists(st.lists(st.sampled_from(SENTENCES), min_size=1, max_size=5), min_size=1,
                  max_size=4),
    bad=st.dictionaries(st.sampled_from(SENTENCES), st.sampled_from(BAD), max_size=4),
    done_first=st.sets(st.integers(0, 3)),
    enforce=st.booleans(),
)  # fmt: skip
def test_outputs_do_not_depend_on_what_the_memory_had(tmp_path_factory, docs, bad,
                                                      done_first, enforce):  # fmt: skip
    root = tmp_path_factory.mktemp("run")
    paths = []
    for k, sents in enumerate(docs):
        p = root / f"doc{k}.txt"
        p.write_text(" ".join(sents) + "\n", encoding="utf-8")
        paths.append(p)
    gloss = root / "g.toml"
    gloss.write_text(GLOSSARY, encoding="utf-8")
    extra = {"glossary": (str(gloss),), "glossary_mode": "enforce"} if enforce else {}

    def settings_for(cache: str) -> TranslateSettings:
        return TranslateSettings(targets=TARGETS, src="en", force=True, progress=False,
                                 cache_path=str(root / cache), **extra)  # fmt: skip

    unbroken = _view(_translate(paths, settings_for("a.sqlite"), bad), settings_for("a.sqlite"))
    first = [p for k, p in enumerate(paths) if k in done_first]
    if first:
        _translate(first, settings_for("b.sqlite"), bad)  # an earlier, partial run
    resumed = _view(_translate(paths, settings_for("b.sqlite"), bad), settings_for("b.sqlite"))
    assert resumed == unbroken


def _job(root: Path, n_docs: int) -> Path:
    texts = [
        " ".join(SENTENCES[(k + j) % len(SENTENCES)] for j in range(3)) + f" Story {k} ends."
        for k in range(n_docs)
    ]
    recs = [json.dumps({"id": f"d{k}", "text": t}) for k, t in enumerate(texts)]
    (root / "docs.jsonl").write_text("\n".join(recs) + "\n", encoding="utf-8")
    cfg = root / "job.toml"
    cfg.write_text(
        '[job]\noutput_dir = "out"\n[inputs]\njsonl = ["docs.jsonl"]\n'
        '[translate]\nsrc = "en"\ntargets = ["tr"]\ncache_path = "tm.sqlite"\nbatch_tokens = 16\n'
        '[translate.models]\ntr = "/nonexistent/tr"\n',
        encoding="utf-8",
    )
    return cfg


def _run_job(cfg_path: Path, bad, fail_after=None, resume=False):
    cfg = load_job_config(cfg_path)
    from mtalign.pipeline import TranslationSession

    session = TranslationSession(
        cfg.settings,
        engines=_engines(),
        factory=lambda pe: FakeTranslator(lang=pe.tgt, bad=dict(bad), fail_after=fail_after),
    )
    return run_config(cfg, resume=resume, session=session)


def _files(out: Path) -> dict[str, object]:
    files: dict[str, object] = {}
    for p in sorted(out.iterdir()):
        if p.name.startswith((".", "summary.")):
            continue
        if p.name.endswith(".report.json"):
            report = json.loads(p.read_text(encoding="utf-8"))
            report.pop("created")
            report.pop("input")  # the job's folder
            report["job"].pop("source")
            for entry in report["targets"].values():
                for key in ("seconds", "cached"):
                    entry["stats"].pop(key)
                entry.pop("segments_per_second", None)
            files[p.name] = report
        else:
            files[p.name] = p.read_bytes()
    return files


@pytest.mark.parametrize("fail_after", [1, 4, 9])
def test_an_interrupted_job_resumes_to_the_same_bytes_with_retries(tmp_path, fail_after):
    bad = {SENTENCES[1]: "", SENTENCES[4]: "x x x x x x"}  # retried by the quality gate
    ref = tmp_path / "ref"
    ref.mkdir()
    assert _run_job(_job(ref, 40), bad).ok
    expected = _files(ref / "out")
    assert any(b'"retried": true' in v for v in expected.values() if isinstance(v, bytes))

    run = tmp_path / "run"
    run.mkdir()
    cfg = _job(run, 40)
    with pytest.raises(KeyboardInterrupt):
        # Stops after this many engine calls: batches of a few sentences each, so some
        # finished (and retried) batches are in the memory while their documents are not.
        _run_job(cfg, bad, fail_after=fail_after)
    summary = _run_job(cfg, bad, resume=True)
    assert summary.ok
    assert _files(run / "out") == expected


def test_a_cache_of_an_older_mtalign_is_upgraded_and_its_rows_made_again(tmp_path):
    path = tmp_path / "tm.sqlite"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE tm (key TEXT PRIMARY KEY, output TEXT NOT NULL, created REAL)")
    db.execute(
        "INSERT INTO tm VALUES (?, ?, 0)", (TranslationMemory.key("d", "Hello."), "Merhaba.")
    )
    db.commit()
    db.close()
    tm = TranslationMemory(path)
    try:
        assert tm.lookup("d", ["Hello."]) == {}  # flags unknown: a miss, made again
        tm.store("d", [("Hello.", MemoryEntry("Merhaba!", retried=True))])
        assert tm.lookup("d", ["Hello."]) == {"Hello.": MemoryEntry("Merhaba!", True, "")}
    finally:
        tm.close()
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == 2
    assert {r[1] for r in db.execute("PRAGMA table_info(tm)")} >= {"retried", "stage", "sum"}
    db.close()
