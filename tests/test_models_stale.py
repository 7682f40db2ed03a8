"""A killed CTranslate2 conversion leaves ``ct2/.tmp-*``; reruns remove their own stale ones.

A temporary folder is stale when the lock of its conversion is not held: the process that
made it is gone. Folders of a conversion that is still running are kept.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from mtalign.models import convert_to_ct2, ct2_cache_path, is_converted, sweep_stale

CHILD_HOLDS_LOCK = """
import sys, time
from filelock import FileLock
lock = FileLock(sys.argv[1]); lock.acquire()
print("locked", flush=True)
time.sleep(120)
"""

CHILD_CONVERTS_AND_HANGS = """
import sys, time
from pathlib import Path
import mtalign.models.convert as conv
from mtalign.models import convert_to_ct2, resolve_model

def hang(source, out, quantization):
    Path(out, "model.bin").write_bytes(b"half a model")
    print("converting", flush=True)
    time.sleep(120)

conv._write_ct2 = hang
convert_to_ct2(resolve_model(sys.argv[1], src="en", tgt="tr"), "int8")
"""


def _start(script: str, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(script), *args],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    proc.stdout.readline()  # wait until it holds the lock / is converting
    return proc


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("MTALIGN_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def test_killed_conversion_is_cleaned_up_by_the_rerun(home, tiny_en_tr, tiny_model):
    env = {**os.environ, "MTALIGN_HOME": str(home)}
    child = _start(CHILD_CONVERTS_AND_HANGS, str(tiny_en_tr), env=env)
    try:
        model = tiny_model("tr")
        final = ct2_cache_path(model, "int8")
        left = [p for p in final.parent.iterdir() if p.name.startswith(f".tmp-{final.name}-")]
        assert len(left) == 1 and (left[0] / "model.bin").is_file()
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    assert left[0].is_dir()  # kill -9: nothing cleaned up
    path = convert_to_ct2(model, "int8")
    assert is_converted(path)
    assert not left[0].exists()
    assert not [p for p in path.parent.iterdir() if p.name.startswith((".tmp-", ".old-"))]


def test_only_stale_folders_of_our_naming_are_removed(home, tmp_path):
    cache = home / "ct2"
    cache.mkdir(parents=True)
    stale = [cache / ".tmp-a--r1--int8-abcd1234", cache / ".old-b--r2--float32-x_y0z9w8"]
    running = cache / ".tmp-c--r3--int8-qwer5678"
    keep = [cache / ".tmp-short", cache / "notes", cache / "a--r1--int8", running]
    for d in stale + keep:
        d.mkdir()
        (d / "f").write_text("x")
    (cache / ".tmp-d--r4--int8-file0000").write_text("a file, not a folder")
    holder = _start(CHILD_HOLDS_LOCK, str(cache / ".c--r3--int8.lock"))
    try:
        removed = sweep_stale(cache)
    finally:
        holder.kill()
        holder.wait()
    assert sorted(removed) == sorted(stale)
    assert all(not d.exists() for d in stale)
    assert all(d.is_dir() for d in keep)  # c's conversion was running: its folder stays
    assert (cache / ".tmp-d--r4--int8-file0000").is_file()
    # Once its process is gone, the next sweep takes it.
    assert sweep_stale(cache) == [running]


def test_sweep_of_a_missing_cache(tmp_path):
    assert sweep_stale(tmp_path / "nothing") == []
