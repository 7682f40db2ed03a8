"""The reference article and glossary that ``models check`` translates (package data)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

#: The reference article (``mtalign/data/check/<STEM>.<lang>.txt``).
ARTICLE = "idlib"


def check_data_dir() -> Path:
    """The folder of the reference article, its translations and its glossary."""
    return Path(str(resources.files("mtalign") / "data" / "check"))


def reference_texts(src: str, tgt: str) -> tuple[list[str] | None, list[str] | None]:
    """(source sentences, reference sentences) of the article; None where not shipped."""
    root = check_data_dir()

    def lines(lang: str) -> list[str] | None:
        path = root / f"{ARTICLE}.{lang}.txt"
        return path.read_text(encoding="utf-8").splitlines() if path.is_file() else None

    return lines(src), lines(tgt)


def glossary_path() -> Path:
    """The article's glossary (English source; Turkish, Russian, Arabic targets)."""
    return check_data_dir() / f"{ARTICLE}.glossary.toml"
