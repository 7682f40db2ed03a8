"""Faults are not hidden: an engine's failure or a broken N-in/N-out contract propagates, and
provenance is returned, not left on an object between calls."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import pytest

from mtalign.engines.base import DecodeOptions, PrefixTooLong, TranslationResult, check_count
from mtalign.errors import ModelError
from mtalign.glossary.enforce import enforce_batch
from mtalign.glossary.formats import load_glossary
from mtalign.pipeline.settings import TranslateSettings
from mtalign.pipeline.stage import PieceOutputs, SegmentTranslator
from mtalign.tm import TranslationMemory
from tests.test_glossary_enforce import SRC, ScriptedTranslator, hyp

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def g():
    return load_glossary(ROOT / "configs/glossaries/idlib.toml")


@dataclass
class Failing(ScriptedTranslator):
    """Fails the prefix-repair call with ``error``; returns ``extra`` results too many."""

    error: BaseException | None = None
    extra: int = 0

    def translate(self, texts, options, target_prefix=None):
        if self.error is not None:
            raise self.error
        out = super().translate(texts, options, target_prefix)
        return out + out[: self.extra]


# Putin is rendered, Erdogan is missing: prefix repair is needed.
NEEDS_REPAIR = [TranslationResult((hyp("Putin ile görüştü .", [2, 0, 1, 3]),))]


def enforce(g, tr):
    return enforce_batch([SRC], NEEDS_REPAIR, tr, DecodeOptions(), g, "en", "tr")


@pytest.mark.parametrize(
    "error",
    [
        RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB"),
        ValueError("a broken model"),
        MemoryError(),
    ],
)
def test_an_engine_failure_during_prefix_repair_propagates(g, error) -> None:
    with pytest.raises(type(error)):
        enforce(g, Failing(error=error))


def test_an_engine_without_prefix_support_skips_the_stage_with_a_warning(g, caplog) -> None:
    with caplog.at_level(logging.WARNING, logger="mtalign.glossary.enforce"):
        segs = enforce(g, Failing(error=NotImplementedError("no target_prefix")))
    assert segs[0].stage == "postedit" and "Erdoğan" in segs[0].text
    assert "cannot force target prefixes" in caplog.text


def test_prefix_repair_checks_n_in_n_out(g) -> None:
    with pytest.raises(ModelError, match="returned 2 results for 1 texts"):
        enforce(g, Failing(extra=1))


@pytest.mark.parametrize(("texts", "results"), [(2, 1), (1, 2), (0, 1)])
def test_check_count(texts: int, results: int) -> None:
    with pytest.raises(ModelError, match=f"returned {results} results for {texts} texts"):
        check_count(ScriptedTranslator(), texts, [None] * results)
    check_count(ScriptedTranslator(), results, [None] * results)


def test_stage_returns_provenance_per_call(tmp_path: Path) -> None:
    memory = TranslationMemory(tmp_path / "tm.sqlite")
    tr = ScriptedTranslator()
    settings = TranslateSettings(targets=("tr",), src="en", quality_gate=False, retry=False)
    stage = SegmentTranslator(lambda: tr, "en", "tr", settings, memory, {"k": 1})
    try:
        first = stage.translate_pieces(["a b", "c d"])
        second = stage.translate_pieces(["a b", "e f"])
        assert isinstance(first, PieceOutputs)
        assert (first.from_memory, second.from_memory) == (frozenset(), frozenset({"a b"}))
        assert set(second.outputs) == {"a b", "e f"} and not second.retried
        # translate_segments reads the provenance of its own call only
        outcomes = stage.translate_segments(["c d", "g h"])
        assert [o.cached for o in outcomes] == [True, False]
        assert not hasattr(stage, "last_from_memory")
    finally:
        memory.close()


@dataclass
class ShortDecoder(ScriptedTranslator):
    """Refuses prefixes over ``limit`` words, like an engine whose decoder is full."""

    limit: int = 1

    def translate(self, texts, options, target_prefix=None):
        too_long = [
            i for i, p in enumerate(target_prefix or []) if p and len(p.split()) > self.limit
        ]
        if too_long:
            raise PrefixTooLong(too_long, self.limit)
        return super().translate(texts, options, target_prefix)


def test_a_prefix_too_long_for_the_decoder_is_left_out_and_the_rest_repaired(g, caplog) -> None:
    results = [
        TranslationResult((hyp("Putin ile görüştü .", [2, 0, 1, 3]),)),  # prefix "Putin Erdoğan"
        TranslationResult((hyp("ile Putin görüştü .", [0, 2, 1, 3]),)),  # prefix "Erdoğan"
    ]
    tr = ShortDecoder()
    with caplog.at_level(logging.WARNING, logger="mtalign.glossary.enforce"):
        segs = enforce_batch([SRC, SRC], results, tr, DecodeOptions(), g, "en", "tr")
    assert "1 prefix(es) too long" in caplog.text
    assert [c[1] for c in tr.calls] == [["Erdoğan"]]  # the retry holds only the one that fits
    assert segs[0].stage == "postedit"
    assert all("Erdoğan" in s.text for s in segs)


def test_the_engines_name_prefixes_their_decoder_cannot_hold(tiny_translator) -> None:
    for engine in ("ctranslate2", "transformers"):
        tr = tiny_translator(engine, "tr")
        long = " ".join(["ziyaret"] * tr.max_positions)
        with pytest.raises(PrefixTooLong) as err:
            tr.translate(["a", "b"], DecodeOptions(max_length=4), target_prefix=[None, long])
        assert err.value.indexes == (1,)
