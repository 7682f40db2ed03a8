"""A named pipe, a device, a socket or a folder given as an input is refused, never waited on.

Every reader (documents, line files, glossaries in each format, TOML configs, batch inputs,
alignment pairs) x every kind of non-regular file: a one-line error naming the path within
seconds (a FIFO without a writer used to block forever, ``/dev/zero`` to read 512 MB).
``-`` (stdin) and ``/dev/fd/N`` (a shell's ``<(...)``) are streams the user asked for and
are read.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from mtalign.errors import MtalignError

ROOT = Path(__file__).resolve().parents[1]


@contextmanager
def _deadline(seconds: int = 10) -> Iterator[None]:
    """Fail (instead of hanging the suite) when the body blocks."""

    def boom(*_):
        raise TimeoutError("blocked on a non-regular file")

    old = signal.signal(signal.SIGALRM, boom)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def _make(kind: str, tmp: Path, suffix: str) -> tuple[Path, Callable[[], None]]:
    """A non-regular file of ``kind`` named with ``suffix``; and how to clean it up."""
    path = tmp / f"input{suffix}"
    if kind == "fifo":
        os.mkfifo(path)
        return path, lambda: None
    if kind == "socket":
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind(str(path))
        return path, s.close
    if kind == "folder":
        path.mkdir()
        return path, lambda: None
    target = {"null-device": "/dev/null", "zero-device": "/dev/zero"}[kind]
    path.symlink_to(target)  # a name of the user's choosing, pointing at a device
    return path, lambda: None


KINDS = ("fifo", "socket", "folder", "null-device", "zero-device")


def _document(p: Path) -> None:
    from mtalign.io import read_document

    read_document(p)


def _lines(p: Path) -> None:
    from mtalign.io.lines import read_lines

    read_lines(p, "hypothesis")


def _glossary(p: Path) -> None:
    from mtalign.glossary.formats import load_glossary

    load_glossary(p, tgt_lang="tr")


def _job(p: Path) -> None:
    from mtalign.batch import load_job_config

    load_job_config(p)


def _suite(p: Path) -> None:
    from mtalign.evaluate.suite import load_suite

    load_suite(p)


def _evaluate(p: Path) -> None:
    from mtalign.evaluate import evaluate_files

    evaluate_files([str(p)], [str(ROOT / "tests" / "data" / "eval" / "idlib.tr.txt")], "tr")


READERS = {
    ".txt document": (".txt", _document),
    ".md document": (".md", _document),
    ".jsonl document": (".jsonl", _document),
    "line file": (".txt", _lines),
    "evaluate --hyp": (".txt", _evaluate),
    "toml glossary": (".toml", _glossary),
    "tsv glossary": (".tsv", _glossary),
    "csv glossary": (".csv", _glossary),
    "tbx glossary": (".tbx", _glossary),
    "job config": (".toml", _job),
    "suite config": (".toml", _suite),
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("reader", sorted(READERS))
def test_every_reader_refuses_every_non_regular_file(tmp_path, reader, kind):
    suffix, read = READERS[reader]
    path, cleanup = _make(kind, tmp_path, suffix)
    try:
        with _deadline(), pytest.raises(MtalignError) as info:
            read(path)
    finally:
        cleanup()
    msg = str(info.value)
    assert str(path) in msg and "\n" not in msg
    words = ("not a regular file", "is a directory", "no such", "not a folder")
    assert any(w in msg for w in words), msg


@pytest.mark.parametrize("kind", ("fifo", "zero-device"))
def test_batch_inputs_that_are_pipes_fail_that_document_and_the_job_goes_on(
    tmp_path, kind, marian_tiny
):
    from mtalign.batch import run_job

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "good.txt").write_text("Officials met in Ankara on Monday.\n", encoding="utf-8")
    _make(kind, docs, ".txt")
    cfg = tmp_path / "job.toml"
    cfg.write_text(
        '[job]\noutput_dir = "out"\n[inputs]\nfiles = ["docs/*.txt"]\n'
        '[translate]\nsrc = "en"\ntargets = ["tr"]\nengine = "ctranslate2"\nbeam = 1\n'
        f"max_length = 4\nquality_gate = false\ncache = false\n[translate.models]\n"
        f'tr = "{marian_tiny("tr")}"\n',
        encoding="utf-8",
    )
    with _deadline(60):
        summary = run_job(cfg)
    assert summary.documents == 2 and summary.documents_done == 1
    (failure,) = summary.failures
    assert "not a regular file" in failure["reason"]


def test_streams_the_user_asked_for_are_read(tmp_path):
    """``-`` reads stdin; ``/dev/fd/N`` (what ``<(cmd)`` gives) reads that pipe."""
    code = (
        "import os, sys; from mtalign.io import read_document; "
        "r, w = os.pipe(); os.write(w, b'From a pipe.\\n'); os.close(w); "
        "print(read_document(f'/dev/fd/{r}').paragraphs[0].segments[0].text); "
        "print(read_document('-').paragraphs[0].segments[0].text)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], input="From stdin.\n", capture_output=True, text=True,
        timeout=60, cwd=ROOT, check=True,
    )  # fmt: skip
    assert out.stdout.split("\n")[:2] == ["From a pipe.", "From stdin."]
