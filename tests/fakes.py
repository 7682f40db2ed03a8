"""A fake Translator for pipeline tests: deterministic, counts its calls, no model."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from mtalign.engines.base import DecodeOptions, Hypothesis, TranslationResult


@dataclass
class FakeTranslator:
    """Reverses word order and tags words with the language, like a very bad model.

    ``bad`` maps a source text to an output to produce under default decoding (to
    exercise the quality gate); safer decoding (no_repeat_ngram_size > 0) fixes it.
    """

    lang: str = "tr"
    name: str = "fake"
    model_id: str = "fake/model"
    model_revision: str | None = "0"
    device: str = "cpu"
    compute_type: str = "float32"
    calls: list[list[str]] = field(default_factory=list)
    bad: dict[str, str] = field(default_factory=dict)
    fail_after: int | None = None
    closed: bool = False

    def render(self, text: str) -> str:
        return " ".join(f"{w}~{self.lang}" for w in reversed(text.split()))

    def translate(self, texts, options: DecodeOptions, target_prefix=None):
        if self.fail_after is not None and len(self.calls) >= self.fail_after:
            raise KeyboardInterrupt
        self.calls.append(list(texts))
        out = []
        for t in texts:
            if t in self.bad and options.no_repeat_ngram_size == 0:
                text = self.bad[t]
            else:
                text = self.render(t)
            hyps = tuple(
                Hypothesis(
                    text=text if k == 0 else f"{text} #{k}",
                    tokens=tuple(text.split()),
                    score=-float(k),
                )
                for k in range(max(1, options.num_hypotheses))
            )
            out.append(TranslationResult(hyps))
        return out

    def count_tokens(self, texts):
        return [len(t.split()) + 1 for t in texts]

    def close(self):
        self.closed = True


@dataclass(frozen=True)
class FakeModel:
    model_id: str = "fake/model"
    revision: str = "0"
    path: Path = Path("/nonexistent")
    src: str | None = "en"
    tgt: str | None = "tr"
    target_token: str | None = None
    origin: str = "local"
    licence: str = "test"
    max_positions: int = 512
