"""Without torch: ``import mtalign``, the CLI, conversion and CTranslate2 translation work.

Each check runs in a subprocess through ``tests/torchless.py``, which makes ``import torch``
fail as if torch were not installed. The checkpoints themselves are built here, in the test
process, which has torch.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TORCHLESS = str(Path(__file__).with_name("torchless.py"))


def _run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MTALIGN_HOME": str(tmp_path / "home"), "HF_HUB_OFFLINE": "1"}
    return subprocess.run(
        [sys.executable, TORCHLESS, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=300,
    )


def test_blocker_really_blocks_torch(tmp_path: Path) -> None:
    p = _run(tmp_path, "-c", "import torch")
    assert p.returncode != 0 and "blocked by tests/torchless.py" in p.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("-c", "import mtalign, mtalign.api, mtalign.models, mtalign.engines"),
        ("-m", "mtalign", "--help"),
        ("-m", "mtalign", "translate", "--help"),
        ("-m", "mtalign", "models", "list"),
    ],
)
def test_light_paths_without_torch(tmp_path: Path, args: tuple[str, ...]) -> None:
    p = _run(tmp_path, *args)
    assert p.returncode == 0, p.stderr[-2000:]


def test_translate_on_ctranslate2_without_torch(
    tmp_path: Path, marian_tiny: Callable[..., Path]
) -> None:
    model = marian_tiny("tr")
    src = tmp_path / "a.txt"
    src.write_text("The minister spoke in Ankara.\n\nTalks go on today.\n", encoding="utf-8")
    out = tmp_path / "out"
    p = _run(
        tmp_path, "-m", "mtalign", "translate", str(src), "--to", "tr", "--src", "en",
        "--model", f"tr={model}", "--engine", "ctranslate2", "--out", str(out), "-q",
    )  # fmt: skip
    assert p.returncode == 0, p.stderr[-2000:]
    assert (tmp_path / "home" / "ct2").is_dir()  # converted there, without torch
    report = json.loads(next(out.glob("*.report.json")).read_text(encoding="utf-8"))
    assert "ctranslate2" in json.dumps(report)
    assert next(out.glob("a.tr.*")).read_text(encoding="utf-8").strip()


def test_transformers_engine_without_torch_says_install_the_extra(
    tmp_path: Path, marian_tiny: Callable[..., Path]
) -> None:
    src = tmp_path / "a.txt"
    src.write_text("Hello there.\n", encoding="utf-8")
    p = _run(
        tmp_path, "-m", "mtalign", "translate", str(src), "--to", "tr", "--src", "en",
        "--model", f"tr={marian_tiny('tr')}", "--engine", "transformers",
        "--out", str(tmp_path / "out"),
    )  # fmt: skip
    assert p.returncode == 2, p.stderr[-2000:]
    assert "mtalign[torch]" in p.stderr
    assert "Traceback" not in p.stderr


def test_demo_without_torch_builds_its_test_models_with_numpy(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    p = _run(tmp_path, "-m", "mtalign.cli.demo", "tests/data/texts/en_short.txt", str(out))
    assert p.returncode == 0, p.stderr[-2000:]
    assert "Traceback" not in p.stderr
    for lang in ("tr", "ru", "ar"):
        assert (out / f"en_short.{lang}.txt").read_text(encoding="utf-8").strip()
    # A second run reuses this demo's own memory, and says so.
    again = _run(tmp_path, "-m", "mtalign.cli.demo", "tests/data/texts/en_short.txt", str(out))
    assert again.returncode == 0, again.stderr[-2000:]
    assert "reused from an earlier demo run here" in again.stdout
    assert "(0 cached" not in again.stdout
