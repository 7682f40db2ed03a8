"""Reading the inputs of a run: every document read, checked and segmented up front."""

from __future__ import annotations

from collections.abc import Sequence

from mtalign.document import load_document
from mtalign.errors import InputError
from mtalign.langid import LangGuess
from mtalign.pipeline.settings import TranslateSettings
from mtalign.types import Document


def load_inputs(
    inputs: Sequence[str], settings: TranslateSettings
) -> list[tuple[Document, LangGuess]]:
    """Read, check and segment every input before any model is loaded."""
    if not inputs:
        raise InputError("no input file; give one or more files (or - for stdin)")
    docs = []
    seen: dict[str, str] = {}
    for path in inputs:
        doc, guess = load_document(
            path, lang=settings.src, fmt=settings.input_format, force=settings.force
        )
        if doc.id in seen:
            raise InputError(
                f"{path} and {seen[doc.id]} would write the same output names ({doc.id}.*); "
                "rename one or translate them in separate runs"
            )
        seen[doc.id] = path
        docs.append((doc, guess))
    return docs
