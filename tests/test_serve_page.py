"""The editors' page at ``/`` in headless Chromium, against a server on the tiny models.

The page is filled from its URL (``?text=...&targets=tr,ar&run=1``), translates through
``/v1/translate`` and shows each target: Arabic right to left, flagged segments and
glossary terms marked. Skipped (with the reason) where no Chromium is installed.
"""

from __future__ import annotations

import shutil
import subprocess
import urllib.parse
from collections.abc import Callable
from pathlib import Path

import pytest

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")

from mtalign.serve.config import load_serve_config  # noqa: E402
from mtalign.serve.run import running  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BROWSER = next((b for b in ("chromium", "chromium-browser", "google-chrome")
                if shutil.which(b)), None)  # fmt: skip
TEXT = "The talks in Idlib ended on Friday. Officials in Moscow said more work was needed."


@pytest.mark.skipif(BROWSER is None, reason="no Chromium installed (apt-get install chromium)")
def test_page_translates_and_marks(marian_tiny: Callable[..., Path], tmp_path: Path) -> None:
    models = {t: str(marian_tiny(t)) for t in ("tr", "ar")}
    config = load_serve_config(
        None,
        {"port": 0},
        {"targets": ("tr", "ar"), "models": models, "max_length": 12, "threads": 1,
         "cache_path": str(tmp_path / "tm.sqlite"),
         "glossary": (str(ROOT / "configs" / "glossaries" / "idlib.toml"),)},
    )  # fmt: skip
    query = urllib.parse.urlencode({"text": TEXT, "targets": "tr,ar", "run": "1"})
    with running(config) as url:
        out = subprocess.run(
            [str(BROWSER), "--headless", "--no-sandbox", "--disable-gpu",
             f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=30000",
             "--dump-dom", f"{url}?{query}"],
            capture_output=True, text=True, timeout=180,
        )  # fmt: skip
    dom = out.stdout
    assert 'data-done="1"' in dom, out.stderr[-2000:]
    assert 'data-lang="ar"' in dom and 'dir="rtl"' in dom and 'lang="ar"' in dom
    assert 'data-lang="tr"' in dom and 'dir="ltr"' in dom
    assert 'class="term-ok"' in dom  # the glossary's names, enforced and marked
    assert "Done: source en" in dom
