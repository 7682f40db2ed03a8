"""The README and docs/ stay true: every example runs, every relative link leads somewhere.

Each Markdown file's examples run in order in one fresh working folder holding copies of
``seeds/``, ``configs/`` and ``tests/data/`` (so examples use the paths a reader in the
repository root would), with ``HOME`` in a temp dir, offline. Shell blocks run through
``bash`` with ``set -e`` and ``mtalign``/``python`` on PATH (this checkout, this venv);
Python blocks run with this venv's python; ``pycon`` blocks run as doctests.

Examples that need models run unchanged on the tiny test checkpoints: they are placed in a
Hugging Face cache (``HF_HUB_CACHE``) under the registry's model ids (en-tr, en-ru, en-ar),
with downloads off, which is exactly how a real cached OPUS-MT model is found. The mtalign
home (CTranslate2 conversions, translation memory) is shared by all files of the session,
so each model is converted once and repeated sentences are not translated twice.

Markers (HTML comments before a block) are described in ``tests/mdcheck.py``; blocks marked
``<!-- not run: REASON -->`` are reported as skipped with their reason.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from mtalign.models import load_registry
from tests import mdcheck

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
#: What a reader's working folder (the repository root) holds that examples use.
COPIED = ("seeds", "configs", "tests/data")
#: Models the registry names for the pairs the examples translate (its defaults).
HUB_MODELS = {tgt: load_registry().get("en", tgt).model for tgt in ("tr", "ru", "ar")}
#: Not-run examples are for what cannot run here; keep them few.
MAX_NOT_RUN = 12
TIMEOUT = 300


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def _all_blocks() -> list[mdcheck.Block]:
    return [b for path in DOCS for b in mdcheck.blocks(path)]


def _not_run() -> list[mdcheck.Block]:
    return [b for b in _all_blocks() if b.marker == "not run"]


# --------------------------------------------------------------------------- environment


def _fake_hub(hub: Path, checkpoints: dict[str, Path]) -> None:
    """Lay out checkpoints as the Hugging Face cache lays out downloaded snapshots."""
    commit = "0123456789abcdef0123456789abcdef01234567"
    for tgt, model_id in HUB_MODELS.items():
        repo = hub / ("models--" + model_id.replace("/", "--"))
        shutil.copytree(checkpoints[tgt], repo / "snapshots" / commit)
        (repo / "refs").mkdir(parents=True)
        (repo / "refs" / "main").write_text(commit, encoding="utf-8")


@pytest.fixture(scope="session")
def docs_env(
    tmp_path_factory: pytest.TempPathFactory, marian_tiny: Callable[..., Path]
) -> Iterator[dict[str, str]]:
    """Environment for the examples: tiny models as the registry's, shims, shared home.

    ``mtalign`` in the examples is served by one warm process that forks per command
    (``tests/forkserver.py``): the same behaviour as a new process, without paying
    Python's and the libraries' start-up for each of the examples' commands.
    """
    base = tmp_path_factory.mktemp("docs-env")
    _fake_hub(base / "hub", {tgt: marian_tiny(tgt) for tgt in HUB_MODELS})
    # Local checkpoints where the examples say models/en-tr (Python API, --model LANG=PATH).
    for tgt in HUB_MODELS:
        (base / "models").mkdir(exist_ok=True)
        (base / "models" / f"en-{tgt}").symlink_to(marian_tiny(tgt))
    shims = base / "bin"
    shims.mkdir()
    for name, target in {
        "mtalign": f'exec "{sys.executable}" -m tests.forkserver --client "$@"',
        "python": f'exec "{sys.executable}" "$@"',
        "python3": f'exec "{sys.executable}" "$@"',
    }.items():
        (shims / name).write_text(f"#!/bin/sh\n{target}\n", encoding="utf-8")
        (shims / name).chmod(0o755)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MTALIGN_", "HF_", "PYTEST"))}
    env.update(
        PATH=f"{shims}{os.pathsep}{env.get('PATH', '')}",
        PYTHONPATH=str(ROOT),
        MTALIGN_HOME=str(base / "mtalign-home"),
        HF_HOME=str(base / "hf-home"),
        HF_HUB_CACHE=str(base / "hub"),
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        TRANSFORMERS_VERBOSITY="error",
        TOKENIZERS_PARALLELISM="false",
    )
    sock = base / "mtalign.sock"
    server = subprocess.Popen(
        [sys.executable, "-m", "tests.forkserver", str(sock)],
        env=env,
        cwd=base,
        stdout=subprocess.PIPE,
        text=True,
    )
    ready = server.stdout.readline() if server.stdout else ""
    if ready.strip() == "ready":
        env["MTALIGN_FORKSERVER"] = str(sock)
    try:
        yield env
    finally:
        server.kill()
        server.wait()


def _workdir(tmp_path: Path, env: dict[str, str]) -> tuple[Path, dict[str, str]]:
    work = tmp_path / "work"
    for rel in COPIED:
        shutil.copytree(ROOT / rel, work / rel)
    (work / "models").symlink_to(Path(env["MTALIGN_HOME"]).parent / "models")
    home = tmp_path / "home"
    home.mkdir()
    return work, {**env, "HOME": str(home), "XDG_CACHE_HOME": str(home / ".cache")}


# --------------------------------------------------------------------------- running


def _script(block: mdcheck.Block, scripts: Path) -> list[str]:
    scripts.mkdir(exist_ok=True)
    stem = f"{block.path.stem}-{block.line}"
    if block.kind == "shell":
        code = block.code
        if block.lang == "console":  # only the prompted lines are commands
            code = "\n".join(ln[2:] for ln in code.splitlines() if ln.startswith("$ ")) + "\n"
        script = scripts / f"{stem}.sh"
        script.write_text("set -e\n" + code, encoding="utf-8")
        return ["bash", str(script)]
    if block.kind == "python":
        script = scripts / f"{stem}.py"
        script.write_text(block.code, encoding="utf-8")
        return [sys.executable, str(script)]
    script = scripts / f"{stem}.py"  # pycon: a doctest of the block
    script.write_text(
        "import doctest, sys\n"
        f"text = {block.code!r}\n"
        "test = doctest.DocTestParser().get_doctest(text, {}, "
        f"{block.where!r}, {str(block.path)!r}, {block.line})\n"
        "runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)\n"
        "runner.run(test)\n"
        "sys.exit(1 if runner.failures else 0)\n",
        encoding="utf-8",
    )
    return [sys.executable, str(script)]


def _run(block: mdcheck.Block, work: Path, env: dict[str, str], scripts: Path) -> str:
    proc = subprocess.run(
        _script(block, scripts),
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    if proc.returncode != 0:
        pytest.fail(
            f"example {_rel(block.path)}:{block.line} ({block.lang}) exited with "
            f"{proc.returncode}\n--- example\n{block.code}--- stdout\n{proc.stdout[-3000:]}"
            f"--- stderr\n{proc.stderr[-3000:]}",
            pytrace=False,
        )
    return proc.stdout


def _same_output(shown: str, printed: str) -> bool:
    def norm(text: str) -> list[str]:
        return [ln.rstrip() for ln in text.strip("\n").splitlines()]

    return norm(shown) == norm(printed)


@pytest.mark.parametrize("doc", DOCS, ids=_rel)
def test_examples_run(
    doc: Path, docs_env: dict[str, str], tmp_path: Path, record_property: Callable[..., None]
) -> None:
    """Every example of ``doc`` runs, in order, in one working folder; shown output matches."""
    work, env = _workdir(tmp_path, docs_env)
    ran, last_out = 0, None
    for block in mdcheck.blocks(doc):
        if block.marker == "file":
            dest = work / block.arg
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_text(block.code, encoding="utf-8")
        elif block.marker == "output":
            assert last_out is not None, f"{block.where}: output block without an example"
            assert _same_output(block.code, last_out), (
                f"{_rel(block.path)}:{block.line}: the example above now prints\n{last_out}"
            )
        elif block.kind is not None and block.marker is None:
            last_out = _run(block, work, env, tmp_path / "scripts")
            ran += 1
    record_property("examples_run", ran)


@pytest.mark.parametrize("block", _not_run(), ids=lambda b: f"{_rel(b.path)}:{b.line}")
def test_not_run_examples_say_why(block: mdcheck.Block) -> None:
    """Each example that is not run says why (shown with -ra among the skips)."""
    assert block.kind is not None, f"{block.where}: 'not run' marks a block that is no example"
    assert len(block.arg) >= 10, f"{block.where}: say why the example is not run"
    pytest.skip(f"{_rel(block.path)}:{block.line} not run: {block.arg}")


def test_few_examples_not_run() -> None:
    skipped = _not_run()
    assert len(skipped) <= MAX_NOT_RUN, "\n".join(f"{b.where}: {b.arg}" for b in skipped)
    markers = [b for b in _all_blocks() if b.marker is not None]
    for b in markers:
        if b.marker == "file":
            assert b.arg and not b.arg.startswith(("/", "..")), f"{b.where}: relative file name"


def test_examples_exist() -> None:
    """Each page that shows code shows at least one example that runs (guards the parser)."""
    runnable = [b for b in _all_blocks() if b.kind and b.marker is None]
    assert {b.path for b in runnable} >= {ROOT / "README.md"}
    assert len(runnable) >= 20


# --------------------------------------------------------------------------- links


def test_relative_links_resolve() -> None:
    problems = mdcheck.broken_links(DOCS, ROOT)
    assert not problems, "broken links:\n" + "\n".join(problems)


def test_docs_are_linked_from_the_index() -> None:
    index = ROOT / "docs" / "index.md"
    linked = {(index.parent / t.partition("#")[0]).resolve() for _, t in mdcheck.links(index)}
    missing = [p.name for p in DOCS[1:] if p != index and p.resolve() not in linked]
    assert not missing, f"docs/index.md does not link {missing}"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[a](missing.md)", "no such file missing.md"),
        ("[a](other.md#nowhere)", "no heading or <a id> 'nowhere'"),
        ("[a](#not-here)", "no heading or <a id> 'not-here'"),
        ("[a](other.md#a-heading-with-code)", None),
        ("[a](other.md#repeat-1)", None),
        ("[a](#here)\n\n## Here", None),
        ("`[a](missing.md)` and\n```\n[b](missing.md)\n```", None),
        ("[a]: missing.md", "no such file missing.md"),
        ("[a](https://example.org/x)", None),
    ],
)
def test_link_checker(tmp_path: Path, text: str, problem: str | None) -> None:
    (tmp_path / "other.md").write_text(
        "# A heading with `code`!\n\n## Repeat\n\n## Repeat\n", encoding="utf-8"
    )
    page = tmp_path / "page.md"
    page.write_text(text + "\n", encoding="utf-8")
    found = mdcheck.broken_links([page], tmp_path)
    if problem is None:
        assert found == []
    else:
        assert len(found) == 1 and problem in found[0], found


def test_blocks_and_markers(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "<!-- not run: needs the hub -->\n```sh\nmtalign models pull en-tr\n```\n\n"
        "<!-- file: a.toml -->\n```toml\nx = 1\n```\n````markdown\n```sh\ninner\n```\n````\n"
        "```python\nprint(1)\n```\n<!-- output -->\n```text\n1\n```\n",
        encoding="utf-8",
    )
    found = [(b.lang, b.kind, b.marker, b.arg, b.line) for b in mdcheck.blocks(page)]
    assert found == [
        ("sh", "shell", "not run", "needs the hub", 2),
        ("toml", None, "file", "a.toml", 7),
        ("markdown", None, None, "", 10),
        ("python", "python", None, "", 15),
        ("text", None, "output", "", 19),
    ]


def test_code_points_at_real_doc_pages() -> None:
    """Comments in the code that name a docs page (docs/x.md#anchor) name one that exists."""
    ref = re.compile(r"docs/([\w.-]+\.md)(?:#([\w-]+))?")
    problems = []
    for path in sorted((ROOT / "mtalign").rglob("*.py")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for m in ref.finditer(line):
                page = ROOT / "docs" / m.group(1)
                if not page.is_file():
                    problems.append(f"{_rel(path)}:{n}: docs/{m.group(1)} does not exist")
                elif m.group(2) and m.group(2) not in mdcheck.anchors(page):
                    problems.append(f"{_rel(path)}:{n}: no #{m.group(2)} in docs/{m.group(1)}")
    assert not problems, "\n".join(problems)
