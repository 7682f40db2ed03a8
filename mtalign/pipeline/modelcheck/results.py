"""What ``models check`` measures (per engine, per pair) and the verdict's thresholds."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

#: chrF++ below this on the reference article means the model talks gibberish.
CHRF_FLOOR = 30.0
#: Share of ``<unk>`` source pieces above which the tokenizer is broken.
MAX_UNK = 0.02
#: Share of judged outputs in another language above which the target token is wrong.
MAX_WRONG_LANG = 0.2
#: chrF++ between the CTranslate2 and transformers outputs below which they disagree.
MIN_ENGINE_CHRF = 50.0
#: Share of segments the quality gate may flag on clean news.
MAX_FLAGGED = 0.2


@dataclass
class EngineRun:
    """What one engine did with the article."""

    engine: str
    compute_type: str
    chrf: float | None = None
    bleu: float | None = None
    chrf_enforce: float | None = None
    terms_off: float | None = None
    terms_enforce: float | None = None
    flags: dict[str, int] = field(default_factory=dict)
    flagged: int = 0
    wrong_lang: int = 0
    segments: int = 0
    out_tokens: int = 0
    decode_seconds: float = 0.0
    load_seconds: float = 0.0
    peak_rss_mb: float | None = None
    rss_before_mb: float | None = None
    outputs: list[str] = field(default_factory=list)
    tokens: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)
    first_texts: dict[str, str] = field(default_factory=dict, repr=False)

    def first_pass(self, srcs: Sequence[str]) -> list[str]:
        """The first decoding of each source (before a quality-gate retry), as text."""
        return [self.first_texts.get(s, "") for s in srcs]

    @property
    def tokens_per_s(self) -> float | None:
        return self.out_tokens / self.decode_seconds if self.decode_seconds > 0 else None

    def as_dict(self) -> dict[str, Any]:
        def r(x: float | None, n: int = 2) -> float | None:
            return None if x is None else round(x, n)

        return {
            "engine": self.engine,
            "compute_type": self.compute_type,
            "chrf": r(self.chrf),
            "bleu": r(self.bleu),
            "chrf_enforce": r(self.chrf_enforce),
            "term_accuracy": {"off": r(self.terms_off, 4), "enforce": r(self.terms_enforce, 4)},
            "quality_flags": dict(self.flags),
            "flagged_segments": self.flagged,
            "wrong_language": self.wrong_lang,
            "segments": self.segments,
            "output_tokens": self.out_tokens,
            "decode_seconds": r(self.decode_seconds, 3),
            "tokens_per_s": r(self.tokens_per_s, 1),
            "load_seconds": r(self.load_seconds, 3),
            "peak_rss_mb": r(self.peak_rss_mb, 1),
            "rss_before_load_mb": r(self.rss_before_mb, 1),
            "outputs": list(self.outputs),
        }


@dataclass
class PairCheck:
    """The check of one model for one pair, over every engine, with its verdict."""

    pair: str
    model_id: str
    revision: str
    origin: str
    target_token: str | None
    runs: list[EngineRun] = field(default_factory=list)
    has_reference: bool = False
    unk_rate: float = 0.0
    same_tokens: int | None = None
    engine_chrf: float | None = None
    verdict: str = "ok"
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        n = self.runs[0].segments if self.runs else 0
        return {
            "pair": self.pair,
            "model": self.model_id,
            "revision": self.revision,
            "origin": self.origin,
            "target_token": self.target_token,
            "reference": self.has_reference,
            "chrf_floor": CHRF_FLOOR,
            "source_unk_rate": round(self.unk_rate, 4),
            "engines_same_tokens": None
            if self.same_tokens is None
            else {"segments": self.same_tokens, "of": n},
            "engines_chrf": None if self.engine_chrf is None else round(self.engine_chrf, 2),
            "runs": [run.as_dict() for run in self.runs],
            "verdict": self.verdict,
            "ok": self.ok,
            "problems": list(self.problems),
        }
