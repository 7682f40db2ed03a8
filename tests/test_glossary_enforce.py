"""Enforcement stages: fake translator for each stage, tiny Marian models for the engines."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from mtalign.engines.base import DecodeOptions, Hypothesis, TranslationResult
from mtalign.glossary.enforce import (
    STAGES,
    enforce_batch,
    enforcement_report,
    predicted_position,
)
from mtalign.glossary.formats import load_glossary

ROOT = Path(__file__).resolve().parents[1]
SRC = "Erdogan met Putin ."
SRC_PIECES = ("▁Erdogan", "▁met", "▁Putin", "▁.", "</s>")


def hyp(text: str, peaks: list[int] | None = None, score: float = 0.0) -> Hypothesis:
    """A hypothesis of whitespace tokens; ``peaks[t]`` is the source piece token t looks at."""
    tokens = tuple("▁" + w for w in text.split())
    att = None
    if peaks is not None:
        att = tuple(
            tuple(
                0.9 if c == peaks[t] else 0.1 / (len(SRC_PIECES) - 1)
                for c in range(len(SRC_PIECES))
            )
            for t in range(len(tokens))
        )
    return Hypothesis(
        text=text, tokens=tokens, score=score, attention=att, source_tokens=SRC_PIECES
    )


@dataclass
class ScriptedTranslator:
    """Answers prefix-repair calls from a table: prefix -> continuation."""

    continuations: dict[str, str] = field(default_factory=dict)
    calls: list[tuple[list[str], list[str | None] | None]] = field(default_factory=list)
    name: str = "scripted"
    model_id: str = "test/scripted"
    model_revision: str | None = None
    device: str = "cpu"
    compute_type: str = "float32"

    def translate(self, texts, options, target_prefix=None):
        self.calls.append((list(texts), target_prefix))
        out = []
        for k, _t in enumerate(texts):
            prefix = (target_prefix or [None] * len(texts))[k] or ""
            text = prefix + self.continuations.get(prefix, " görüştü .")
            out.append(TranslationResult((hyp(text, [0] * len(text.split())),)))
        return out

    def count_tokens(self, texts):
        return [len(t.split()) for t in texts]

    def close(self):
        pass


@pytest.fixture(scope="module")
def g():
    return load_glossary(ROOT / "configs/glossaries/idlib.toml")


def run(g, results, tr=None, mode="enforce", sources=None):
    tr = tr if tr is not None else ScriptedTranslator()
    segs = enforce_batch(
        sources or [SRC] * len(results), results, tr, DecodeOptions(), g, "en", "tr", mode=mode
    )
    return segs, tr


def test_stage_best(g):
    segs, tr = run(g, [TranslationResult((hyp("Erdoğan Putin ile görüştü ."),))])
    assert segs[0].stage == "best" and not tr.calls
    assert [h.stage for h in segs[0].hits] == ["best", "best"]


def test_stage_nbest(g):
    res = TranslationResult(
        (
            hyp("Erdogan Putin ile görüştü ."),
            hyp("Putin görüştü ."),
            hyp("Erdoğan, Putin ile görüştü ."),
        )
    )
    segs, tr = run(g, [res])
    assert segs[0].stage == "nbest" and segs[0].text == "Erdoğan, Putin ile görüştü ."
    assert not tr.calls
    assert [h.stage for h in segs[0].hits] == ["nbest", "best"]  # Putin was ok already


def test_stage_prefix_uses_attention(g):
    # "ile" (token 1) looks at Erdogan: the term belongs there.
    res = TranslationResult((hyp("Putin ile görüştü .", [2, 0, 1, 3]),))
    tr = ScriptedTranslator({"Putin Erdoğan": "'la görüştü ."})
    segs, tr = run(g, [res], tr)
    assert tr.calls == [([SRC], ["Putin Erdoğan"])]
    assert segs[0].text == "Putin Erdoğan'la görüştü ."
    assert segs[0].stage == "prefix"
    assert [h.stage for h in segs[0].hits] == ["prefix", "best"]


def test_stage_postedit_replaces_aligned_word(g):
    res = TranslationResult((hyp("Putin Erdoanla görüştü .", [2, 0, 1, 3]),))
    segs, tr = run(g, [res])
    # A near miss is a variant: post-edit repairs it, no model call needed.
    assert not tr.calls
    assert segs[0].text == "Putin Erdoğan'la görüştü ." and segs[0].stage == "postedit"


def test_stage_postedit_after_failed_prefix(g):
    res = TranslationResult((hyp("Putin ile görüştü .", [2, 0, 1, 3]),))
    tr = ScriptedTranslator({"Putin Erdoğan": "X"})  # the model ignores the term
    tr.continuations["Putin Erdoğan"] = ""
    segs, tr = run(g, [res], tr)
    assert len(tr.calls) == 1
    assert "Erdoğan" in segs[0].text and segs[0].stage in ("prefix", "postedit")


def test_postedit_inserts_without_attention(g):
    segs, _ = run(g, [TranslationResult((hyp("Putin görüştü ."),))], tr=None)
    # The scripted prefix repair gives "Erdoğan görüştü ." (no attention: proportional).
    assert "Erdoğan" in segs[0].text
    assert all(h.status == "ok" for h in segs[0].hits)


def test_check_mode_changes_nothing(g):
    res = TranslationResult((hyp("Erdoganın Putin ."),))
    segs, tr = run(g, [res], mode="check")
    assert segs[0].text == "Erdoganın Putin ." and not tr.calls
    assert segs[0].stage == "unresolved"
    assert [(h.status, h.stage) for h in segs[0].hits] == [("variant", None), ("ok", "best")]


def test_off_mode_and_no_terms(g):
    segs, _ = run(g, [TranslationResult((hyp("x"),))], mode="off")
    assert segs[0].stage == "none" and segs[0].hits == ()
    segs, _ = run(g, [TranslationResult((hyp("merhaba"),))], sources=["hello ."])
    assert segs[0].stage == "none"


def test_prefix_repair_is_one_batched_call(g):
    sources = [SRC, "Idlib burned .", "Putin spoke ."]
    results = [
        TranslationResult((hyp("Putin ile görüştü .", [2, 0, 1, 3]),)),
        TranslationResult((hyp("yandı ."),)),
        TranslationResult((hyp("Putin konuştu ."),)),
    ]
    segs, tr = run(g, results, sources=sources)
    assert len(tr.calls) == 1 and len(tr.calls[0][0]) == 2
    assert [s.stage for s in segs][2] == "best"
    rep = enforcement_report(segs)
    assert rep["occurrences"] == 4 and rep["term_accuracy"] == 1.0


def test_predicted_position_maps_pieces():
    h = hyp("Putin ile görüştü .", [2, 0, 1, 3])
    pos, mass = predicted_position(SRC, (0, 7), h)
    assert h.text[pos:].startswith("ile") and mass > 0.8
    assert predicted_position(SRC, (0, 7), hyp("x")) is None


@pytest.mark.parametrize("engine", ["ctranslate2", "transformers"])
@pytest.mark.parametrize("lang", ["tr", "ru"])
def test_enforce_with_tiny_models(g, tiny_translator, engine, lang):
    tr = tiny_translator(engine, lang)
    sources = ["Erdogan met Putin in Moscow .", "The weather was cold .", "Idlib and Damascus ."]
    opts = DecodeOptions(beam_size=2, num_hypotheses=2, return_attention=True, max_length=12)
    results = tr.translate(sources, opts)
    assert results[0].best.attention is not None
    calls = []
    real = tr.translate

    class Spy:
        name, model_id, model_revision = tr.name, tr.model_id, tr.model_revision
        device, compute_type = tr.device, tr.compute_type

        def translate(self, texts, options, target_prefix=None):
            calls.append(target_prefix)
            return real(texts, options, target_prefix=target_prefix)

        def count_tokens(self, texts):
            return tr.count_tokens(texts)

        def close(self):
            pass

    segs = enforce_batch(sources, results, Spy(), opts, g, "en", lang)
    assert len(segs) == 3 and segs[1].stage == "none"
    assert len(calls) <= 1
    for s in (segs[0], segs[2]):
        assert s.stage in STAGES
        assert all(h.status == "ok" for h in s.hits), (s.text, s.hits)
