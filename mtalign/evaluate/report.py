"""Writing the report files (json, md, html) atomically into a folder."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from mtalign.errors import InputError
from mtalign.evaluate.report_html import render_html
from mtalign.evaluate.report_json import Report, render_json
from mtalign.evaluate.report_md import render_md
from mtalign.io import atomic_write_text
from mtalign.io.outputs import check_output_dir

#: Report formats and their file names.
FORMATS = {"json": "report.json", "md": "report.md", "html": "report.html"}
_RENDER = {"json": render_json, "md": render_md, "html": render_html}


def parse_formats(spec: str | Iterable[str] | None) -> list[str]:
    """Canonical format names from ``"json,md,html"`` or a list; unknown ones are errors."""
    items = (spec or "json,md,html").split(",") if isinstance(spec, str) or spec is None else spec
    out: list[str] = []
    for item in items:
        key = str(item).strip().lower().lstrip(".")
        key = {"markdown": "md", "htm": "html"}.get(key, key)
        if not key:
            continue
        if key not in FORMATS:
            raise InputError(
                f"--format: unknown report format {str(item).strip()!r}; use {', '.join(FORMATS)}"
            )
        if key not in out:
            out.append(key)
    if not out:
        raise InputError(f"--format: give one or more of {', '.join(FORMATS)}")
    return out


def write_reports(
    report: Report, folder: str | os.PathLike[str], formats: Iterable[str] = FORMATS
) -> dict[str, Path]:
    """Write ``report.<fmt>`` files into ``folder`` (created if needed); returns the paths."""
    base = check_output_dir(folder, "--report")
    out: dict[str, Path] = {}
    for fmt in parse_formats(list(formats)):
        text = render_html(report, base=base) if fmt == "html" else _RENDER[fmt](report)
        out[fmt] = atomic_write_text(base / FORMATS[fmt], text)
    return out
