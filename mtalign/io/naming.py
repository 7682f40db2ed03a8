"""Names of the files a translation run writes: ``NAME.LANG.EXT``, ``NAME.aligned.jsonl``,
``NAME.report.json``. ``mtalign translate`` and batch jobs both name their outputs here."""

from __future__ import annotations

from collections.abc import Iterable

#: Output extension per document format.
_EXT = {"txt": "txt", "md": "md", "jsonl": "jsonl", "html": "html", "xliff": "xlf", "docx": "docx"}


def output_ext(fmt: str) -> str:
    """The extension translations of a ``fmt`` document are written with."""
    return _EXT.get(fmt, "txt")


def translation_name(name: str, lang: str, fmt: str) -> str:
    """``NAME.LANG.EXT``: one document's translation into ``lang``."""
    return f"{name}.{lang}.{output_ext(fmt)}"


def aligned_name(name: str) -> str:
    """``NAME.aligned.jsonl``: one record per source sentence with its translations."""
    return f"{name}.aligned.jsonl"


def report_name(name: str) -> str:
    """``NAME.report.json``: the machine-readable report of one document's run."""
    return f"{name}.report.json"


def expected_files(name: str, fmt: str, langs: Iterable[str]) -> list[str]:
    """The file names a finished document has in the output folder."""
    return [translation_name(name, lang, fmt) for lang in langs] + [
        aligned_name(name),
        report_name(name),
    ]
