"""Issue 18: what reaches the terminal, and the files of the system itself.

* Terminal injection: ESC sequences, bidi overrides and newlines planted in every printed
  field (file names, ``[job] name``, system names, glossary entries, ``--out`` paths) come
  out as visible escapes, one line per line the command means to print.
* Model identity covers every byte of the weights (the full hash is remembered).
* ``MTALIGN_HOME`` that cannot hold the caches: one line, no traceback.
* Kernel pseudo files (``/proc``, ``/sys``) are refused without a read.
* ``**`` globs over folders with symlink loops end and find each file once.
"""

from __future__ import annotations

import glob
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mtalign.cli import main
from mtalign.errors import InputError
from mtalign.files import glob_files, read_regular
from tests.test_planted_files import EN, GLOSSARY, TR, _job, run_job

#: What must never reach a terminal raw.
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
#: Planted in names: clear the screen, a bidi override, and a forged line.
EVIL = "x\x1b[2J\u202eevil\nwrote passwd"


def _clean(text: str) -> None:
    assert not RAW.search(text), repr(text)
    assert "\nwrote passwd" not in text  # no line forged by a newline in a name


def test_translate_summary_and_wrote_lines_escape_the_file_name(tmp_path, capsys, marian_tiny):
    src = tmp_path / f"{EVIL}.txt"
    src.write_text(EN, encoding="utf-8")
    out = tmp_path / f"out{EVIL}"
    rc = main(["translate", str(src), "--to", "tr", "--src", "en", "--model",
               f"tr={marian_tiny('tr')}", "--out", str(out), "--no-cache"])  # fmt: skip
    captured = capsys.readouterr()
    assert rc == 0, captured.err
    _clean(captured.out)
    _clean(captured.err)
    assert len(captured.out.strip().splitlines()) == 1  # one summary line per language
    assert len([ln for ln in captured.err.splitlines() if "wrote" in ln]) == 1


def test_batch_summary_lines_escape_the_job_name(tmp_path, capsys, monkeypatch):
    cfg = _job(tmp_path)
    cfg.write_text(cfg.read_text("utf-8").replace('name = "j"', 'name = "j\\u001b[2J\\u202e"'))
    from mtalign.cli import batch as batch_cli

    monkeypatch.setattr("mtalign.batch.run_job", lambda path, **kw: run_job(Path(path)))
    batch_cli.batch_command(str(cfg))
    out = capsys.readouterr().out
    _clean(out)
    assert "j\\x1b[2J\\u202e" in out


def test_evaluate_table_escapes_system_names_and_files(tmp_path, capsys):
    hyp = tmp_path / f"{EVIL}.txt"
    hyp.write_text(TR, encoding="utf-8")
    ref = tmp_path / "ref.txt"
    ref.write_text(TR, encoding="utf-8")
    rc = main(["evaluate", "--hyp", str(hyp), "--hyp", str(ref), "--ref", str(ref), "--lang",
               "tr", "--names", "sys\x1b[31m\u202e\nA", "--names", "B", "--n-bootstrap", "0",
               "--metrics", "chrf"])  # fmt: skip
    captured = capsys.readouterr()
    assert rc == 0, captured.err
    _clean(captured.out)
    assert "sys\\x1b[31m\\u202e\\x0aA" in captured.out


def test_glossary_show_and_mine_escape_entries_and_paths(tmp_path, capsys):
    g = tmp_path / "g.toml"
    g.write_text(
        GLOSSARY.replace('id = "ankara"', 'id = "ank\\u001b[2Jara\\nforged"').replace(
            'source = ["Ankara"]', 'source = ["Ankara", "An\\u202ekara"]'
        ),
        encoding="utf-8",
    )
    assert main(["glossary", "show", str(g)]) == 0
    out = capsys.readouterr().out
    _clean(out)
    assert "ank\\x1b[2Jara\\x0aforged" in out
    en, tr = tmp_path / "en.txt", tmp_path / "tr.txt"
    en.write_text("Ankara hosted the talks.\nAnkara again.\n" * 3, encoding="utf-8")
    tr.write_text("Ankara'da görüşmeler.\nYine Ankara.\n" * 3, encoding="utf-8")
    out_path = tmp_path / f"{EVIL}.toml"
    rc = main(["glossary", "mine", str(en), str(tr), "--tgt-lang", "tr", "--out", str(out_path)])
    captured = capsys.readouterr()
    assert rc == 0, captured.err
    _clean(captured.out)
    assert out_path.is_file()


# --------------------------------------------------------------------------- model identity


def test_zeroed_middle_of_the_weights_is_a_new_revision_and_conversion(
    tmp_path, marian_tiny, monkeypatch
):
    import shutil

    from mtalign.models import ct2_cache_path, identity, resolve_model
    from mtalign.models.checkpoint import local_revision

    monkeypatch.setenv("MTALIGN_HOME", str(tmp_path / "home"))
    model = Path(shutil.copytree(marian_tiny("tr"), tmp_path / "m"))
    weights = next(p for p in (model / n for n in ("model.safetensors", "pytorch_model.bin"))
                   if p.is_file())  # fmt: skip
    before = local_revision(model)
    first = ct2_cache_path(resolve_model(str(model)), "int8")
    calls = []
    real = identity.hash_file
    monkeypatch.setattr(identity, "hash_file", lambda p: calls.append(p) or real(p))
    assert local_revision(model) == before and calls == []  # remembered, not hashed again
    st = weights.stat()
    data = bytearray(weights.read_bytes())
    mid = len(data) // 2
    data[mid - 4096 : mid + 4096] = bytes(8192)  # zero 8 KB far from the head and tail
    weights.write_bytes(bytes(data))
    os.utime(weights, ns=(st.st_atime_ns, st.st_mtime_ns))  # same size, same mtime
    after = local_revision(model)
    assert after != before and calls  # ctime changed: hashed again, whole file
    assert ct2_cache_path(resolve_model(str(model)), "int8") != first
    assert (tmp_path / "home" / identity.SIDECAR).is_file()


def test_a_damaged_sidecar_only_costs_a_rehash(tmp_path, marian_tiny, monkeypatch):
    from mtalign.models import identity
    from mtalign.models.checkpoint import local_revision

    monkeypatch.setenv("MTALIGN_HOME", str(tmp_path / "home"))
    model = marian_tiny("tr")
    rev = local_revision(model)
    side = tmp_path / "home" / identity.SIDECAR
    for junk in (b"\x00\xff", b"[]", b'{"x": 1}', b"{" * 5000):
        side.write_bytes(junk)
        assert local_revision(model) == rev
    # A wrong hash stored under the right facts would be believed: the facts must match.
    table = {
        k: {**v, "sha256": "0" * 64, "ino": -1}
        for k, v in __import__("json").loads(side.read_bytes()).items()
    }
    side.write_text(__import__("json").dumps(table), encoding="utf-8")
    assert local_revision(model) == rev


# --------------------------------------------------------------------------- MTALIGN_HOME


def _home(kind: str, tmp: Path, monkeypatch) -> str:
    if kind == "a file":
        (tmp / "f").write_text("x", encoding="utf-8")
        return str(tmp / "f")
    if kind == "under a file":
        (tmp / "f").write_text("x", encoding="utf-8")
        return str(tmp / "f" / "sub")
    if kind == "/dev/null":
        return "/dev/null"
    if kind == "uncreatable":
        return "/proc/mtalign-cannot-be-made"
    assert kind == "read-only"
    home = tmp / "ro"
    (home / "ct2").mkdir(parents=True)
    import filelock

    def refuse(self, *a, **kw):  # as on a read-only mount (root ignores chmod)
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(filelock.FileLock, "acquire", refuse)
    return str(home)


@pytest.mark.parametrize("kind", ["a file", "under a file", "/dev/null", "uncreatable",
                                  "read-only"])  # fmt: skip
def test_an_unusable_mtalign_home_is_one_line(tmp_path, capsys, monkeypatch, marian_tiny, kind):
    model = marian_tiny("tr")
    src = tmp_path / "a.txt"
    src.write_text(EN, encoding="utf-8")
    monkeypatch.setenv("MTALIGN_HOME", _home(kind, tmp_path, monkeypatch))
    rc = main(["translate", str(src), "--to", "tr", "--src", "en", "--engine", "ctranslate2",
               "--model", f"tr={model}", "--out", str(tmp_path / "out")])  # fmt: skip
    err = capsys.readouterr().err
    errors = [ln for ln in err.splitlines() if ln.startswith("mtalign: error:")]
    assert rc == 2 and "Traceback" not in err, err
    assert len(errors) == 1 and "MTALIGN_HOME" in errors[0], err
    assert not (tmp_path / "out" / "a.tr.txt").exists()


# --------------------------------------------------------------------------- pseudo files


@pytest.mark.parametrize(
    "path", ["/proc/self/status", "/proc/self/cmdline", "/proc/kmsg", "/sys/kernel/uevent_seqnum"]
)
def test_kernel_pseudo_files_are_refused_without_a_read(path):
    if not os.path.exists(path):
        pytest.skip(f"{path} does not exist here")
    with pytest.raises(InputError, match="kernel interface"):
        read_regular(path)


def test_segment_of_proc_kmsg_ends_at_once():
    """The reported hang: run as a separate process, so a block would fail the test."""
    path = "/proc/kmsg" if os.path.exists("/proc/kmsg") else "/proc/self/status"
    done = subprocess.run(
        [sys.executable, "-m", "mtalign", "segment", path, "--lang", "en"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2 and "kernel interface" in done.stderr


def test_regular_files_and_streams_are_still_read(tmp_path):
    (tmp_path / "a.txt").write_text("Hello.\n", encoding="utf-8")
    assert read_regular(tmp_path / "a.txt") == b"Hello.\n"
    r, w = os.pipe()
    os.write(w, b"piped\n")
    os.close(w)
    try:
        assert read_regular(f"/dev/fd/{r}") == b"piped\n"
    finally:
        os.close(r)


# --------------------------------------------------------------------------- globs


def _tree(root: Path, loops: int) -> set[str]:
    files = set()
    for d in ("a", "a/b", "a/b/c", "d"):
        (root / d).mkdir(parents=True, exist_ok=True)
        f = root / d / "x.txt"
        f.write_text(d, encoding="utf-8")
        files.add(str(f.resolve()))
    (root / ".hidden").mkdir()
    (root / ".hidden" / "h.txt").write_text("h", encoding="utf-8")
    if loops >= 1:
        (root / "a" / "b" / "c" / "up").symlink_to("../..")
    if loops >= 2:
        (root / "d" / "loop").symlink_to("../a")
        (root / "a" / "self").symlink_to(".")
    return files


@pytest.mark.parametrize("loops", [0, 1, 2])
@pytest.mark.parametrize("pattern", ["**/*.txt", "**", "a/**/*.txt", "**/b/**/x.txt", "*/x.txt"])
def test_globs_end_and_find_each_file_once(tmp_path, monkeypatch, loops, pattern):
    monkeypatch.chdir(tmp_path)
    files = _tree(tmp_path, loops)
    found = [p for p in glob_files(pattern) if os.path.isfile(p)]
    real = [os.path.realpath(p) for p in found]
    assert len(real) == len(set(real))  # each file once
    assert set(real) <= files and not any(".hidden" in p for p in found)
    if loops < 2:  # Python's glob ends here: the same files, without the repeats
        expected = {os.path.realpath(p) for p in glob.glob(pattern, recursive=True)}
        assert set(real) == {p for p in expected if os.path.isfile(p)}


@settings(max_examples=25, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(
    dirs=st.lists(st.sampled_from(["p", "q", "p/r", "q/s", "p/r/t"]), min_size=1, max_size=5),
    links=st.lists(
        st.tuples(
            st.sampled_from(["p", "q", "p/r", "q/s"]), st.sampled_from(["", "p", "q", "p/r"])
        ),
        max_size=4,
    ),
)
def test_random_trees_with_links_glob_to_each_file_once(tmp_path_factory, dirs, links):
    root = tmp_path_factory.mktemp("g")
    files = set()
    for d in dirs:
        (root / d).mkdir(parents=True, exist_ok=True)
        (root / d / "f.md").write_text(d, encoding="utf-8")
        files.add(os.path.realpath(root / d / "f.md"))
    for i, (where, to) in enumerate(links):
        if (root / where).is_dir():
            (root / where / f"l{i}").symlink_to(root / to)  # anywhere inside the tree
    found = [os.path.realpath(p) for p in glob_files(str(root / "**" / "*.md"))]
    assert sorted(found) == sorted(files)


def test_a_batch_job_over_a_looping_folder_finishes_with_each_file_once(tmp_path):
    docs = tmp_path / "docs"
    (docs / "a").mkdir(parents=True)
    (docs / "a" / "one.txt").write_text(EN, encoding="utf-8")
    (docs / "two.txt").write_text(EN, encoding="utf-8")
    (docs / "a" / "up").symlink_to("..")
    (docs / "a" / "again").symlink_to("../a")
    cfg = _job(tmp_path)
    cfg.write_text(cfg.read_text("utf-8").replace('["a.txt"]', '["docs/**/*.txt"]'), "utf-8")
    summary = run_job(cfg)
    assert summary.ok and summary.documents == 2


def test_progress_bar_labels_are_escaped(capsys):
    from mtalign.progress import progress

    with progress(2, f"{EVIL} -> tr", True) as bar:
        bar.update(2)
    _clean(capsys.readouterr().err.replace("\r", ""))
