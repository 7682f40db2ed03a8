"""``--consistency`` in a batch job: a job interrupted at any point and resumed writes the
bytes of an unbroken run. Names keep one rendering per document, a rule that does not
depend on which documents happened to share a chunk of model calls."""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass
from pathlib import Path

import pytest

from mtalign.batch import load_job_config, run_config
from mtalign.pipeline import PairEngine, TranslationSession
from tests.fakes import FakeModel, FakeTranslator

NAMES = {"Erdogan": ("Erdoğan", "Erdogan", "Erdoganı"), "Putin": ("Putin", "Putine", "Putin'e")}
SENTENCES = [
    "Erdogan met Putin in Ankara on Monday.",
    "Putin said the talks with Erdogan went well.",
    "Erdogan left Moscow after the meeting with Putin.",
    "Officials of Erdogan spoke to reporters.",
    "Putin and Erdogan agreed on a ceasefire in Idlib.",
]


@dataclass
class VaryingTranslator(FakeTranslator):
    """Renders each name in one of several spellings, chosen by the sentence: which
    spelling dominates depends on which sentences are counted together."""

    def render(self, text: str) -> str:
        words = []
        for w in reversed(text.split()):
            bare = w.strip(".,")
            if bare in NAMES:
                forms = NAMES[bare]
                words.append(forms[zlib.crc32(text.encode()) % len(forms)])
            else:
                words.append(f"{w}~{self.lang}")
        return " ".join(words)


def _engines():
    return {("en", "tr"): PairEngine("en", "tr", FakeModel(tgt="tr"), "fake")}


def _job(root: Path, n_docs: int, consistency: bool) -> Path:
    # Sentences differ by document (week k), so spellings are spread unevenly.
    texts = [
        " ".join(
            SENTENCES[(k * 3 + j * (k % 4 + 1)) % len(SENTENCES)].replace(".", f" in week {k}.")
            for j in range(2 + k % 3)
        )
        for k in range(n_docs)
    ]
    recs = [json.dumps({"id": f"d{k:02d}", "text": t}) for k, t in enumerate(texts)]
    (root / "docs.jsonl").write_text("\n".join(recs) + "\n", encoding="utf-8")
    cfg = root / "job.toml"
    cfg.write_text(
        '[job]\noutput_dir = "out"\n[inputs]\njsonl = ["docs.jsonl"]\n'
        '[translate]\nsrc = "en"\ntargets = ["tr"]\ncache_path = "tm.sqlite"\nbatch_tokens = 16\n'
        f"consistency = {'true' if consistency else 'false'}\n"
        '[translate.models]\ntr = "/nonexistent/tr"\n',
        encoding="utf-8",
    )
    return cfg


def _run(cfg_path: Path, fail_after: int | None = None, resume: bool = False, made=None):
    cfg = load_job_config(cfg_path)

    def factory(pe):
        translator = VaryingTranslator(lang=pe.tgt, fail_after=fail_after)
        if made is not None:
            made.append(translator)
        return translator

    session = TranslationSession(cfg.settings, engines=_engines(), factory=factory)
    return run_config(cfg, resume=resume, session=session)


def _texts(out: Path) -> dict[str, bytes]:
    """The translated documents and aligned records, byte for byte."""
    return {
        p.name: p.read_bytes()
        for p in sorted(out.iterdir())
        if p.name.endswith((".tr.jsonl", ".tr.txt", ".aligned.jsonl"))
    }


@pytest.fixture(scope="module")
def unbroken(tmp_path_factory):
    root = tmp_path_factory.mktemp("unbroken")
    made: list[VaryingTranslator] = []
    assert _run(_job(root, 20, True), made=made).ok
    plain = tmp_path_factory.mktemp("plain")
    assert _run(_job(plain, 20, False)).ok
    files, without = _texts(root / "out"), _texts(plain / "out")
    assert files and files != without  # consistency changed renderings: the test can fail
    return files, sum(len(t.calls) for t in made)


@pytest.mark.parametrize("share", [0.05, 0.3, 0.6, 0.8, 0.95])
def test_an_interrupted_consistency_job_resumes_to_the_same_bytes(tmp_path, unbroken, share):
    files, calls = unbroken
    cfg = _job(tmp_path, 20, True)
    with pytest.raises(KeyboardInterrupt):  # after this share of the engine calls
        _run(cfg, fail_after=max(1, int(calls * share)))
    assert _run(cfg, resume=True).ok
    assert _texts(tmp_path / "out") == files


def test_documents_done_in_any_order_give_the_same_bytes(tmp_path, unbroken):
    """A job run over the second half first, then over all: what a resume after a kill
    that finished some later chunk does."""
    cfg = _job(tmp_path, 20, True)
    recs = (tmp_path / "docs.jsonl").read_text(encoding="utf-8").splitlines()
    (tmp_path / "docs.jsonl").write_text("\n".join(recs[10:]) + "\n", encoding="utf-8")
    assert _run(cfg).ok
    (tmp_path / "docs.jsonl").write_text("\n".join(recs) + "\n", encoding="utf-8")
    assert _run(cfg, resume=True).ok
    assert _texts(tmp_path / "out") == unbroken[0]


@pytest.mark.parametrize("written", [1, 5, 9, 15, 17])
def test_a_job_stopped_between_two_written_documents_resumes_to_the_same_bytes(
    tmp_path, unbroken, monkeypatch, written
):
    """Stopped after ``written`` documents were written: the rest of their chunk is done
    again on resume, in another company of documents."""
    import mtalign.batch.job as job

    real = job.write_work
    count = {"n": 0}

    def write_then_stop(*args, **kwargs):
        if count["n"] == written:
            raise KeyboardInterrupt
        count["n"] += 1
        return real(*args, **kwargs)

    cfg = _job(tmp_path, 20, True)
    monkeypatch.setattr(job, "write_work", write_then_stop)
    with pytest.raises(KeyboardInterrupt):
        _run(cfg)
    monkeypatch.setattr(job, "write_work", real)
    assert _run(cfg, resume=True).ok
    assert _texts(tmp_path / "out") == unbroken[0]
