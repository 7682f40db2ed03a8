"""docs/reliability.md names a test for every promise; each named test must exist."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_test_named_in_the_reliability_page_exists():
    page = (ROOT / "docs" / "reliability.md").read_text(encoding="utf-8")
    named = re.findall(r"`(test_[\w]+\.py)::(test_\w+)`", page)
    assert len(named) > 30
    missing = [
        f"{f}::{t}"
        for f, t in named
        if not re.search(rf"^def {t}\(", (ROOT / "tests" / f).read_text(encoding="utf-8"), re.M)
    ]
    assert not missing
    rows = [line for line in page.splitlines() if line.startswith("| ") and "---" not in line]
    assert all("`test_" in row for row in rows if not row.startswith("| Promise"))
