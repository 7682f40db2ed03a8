"""What a translation run produces: per-segment outcomes, per-language counters, documents."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mtalign.langid import LangGuess
from mtalign.types import Document, QualityFlag


@dataclass
class LangStats:
    """Counters of one target language for one document."""

    segments: int = 0
    translated: int = 0
    cached: int = 0
    passthrough: int = 0
    split: int = 0
    retried: int = 0
    seconds: float = 0.0


@dataclass
class SegmentOutcome:
    """The final translation of one segment and what happened on the way."""

    text: str
    flags: list[QualityFlag] = field(default_factory=list)
    cached: bool = False
    passthrough: bool = False
    retried: bool = False
    pieces: int = 1


@dataclass
class DocResult:
    """One input document and its translations."""

    doc: Document
    guess: LangGuess
    outputs: dict[str, Document] = field(default_factory=dict)
    outcomes: dict[str, list[SegmentOutcome]] = field(default_factory=dict)
    stats: dict[str, LangStats] = field(default_factory=dict)
    glossary: dict[str, Any] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
