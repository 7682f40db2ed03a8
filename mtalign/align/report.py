"""What an alignment looks like at a glance: bead types, score spread, where to look.

The least confident beads are the places a user should read first: low-scoring 1-1 and
many-sentence beads, and every 1-0 / 0-1 bead (a sentence left without a partner).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mtalign.types import Alignment, Bead

#: Upper edges of the score histogram bins (scores are in 0..1).
BINS = (0.2, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)


def alignment_report(al: Alignment, worst: int = 10) -> dict[str, Any]:
    """Bead-type counts, score distribution and the ``worst`` least confident beads."""
    kinds: dict[str, int] = {}
    for b in al.beads:
        kinds[b.kind] = kinds.get(b.kind, 0) + 1
    paired = [b for b in al.beads if b.src and b.tgt]
    scores = np.array([b.score for b in paired], dtype=np.float64)
    hist: dict[str, int] = {}
    lo = 0.0
    for hi in BINS:
        inside = (scores >= lo) & ((scores < hi) if hi < 1.0 else (scores <= hi))
        hist[f"{lo:.1f}-{hi:.1f}"] = int(inside.sum())
        lo = hi
    quantiles = {}
    if len(scores):
        for q in (0.05, 0.25, 0.5, 0.75, 0.95):
            quantiles[f"p{int(q * 100):02d}"] = round(float(np.quantile(scores, q)), 4)
    unpaired = [b for b in al.beads if not (b.src and b.tgt)]
    ranked = sorted(paired, key=lambda b: (b.score, b.src))
    look = unpaired + ranked
    return {
        "src_lang": al.src_lang,
        "tgt_lang": al.tgt_lang,
        "method": al.method,
        "sentences": {"src": len(al.src), "tgt": len(al.tgt)},
        "beads": len(al.beads),
        "bead_types": dict(sorted(kinds.items(), key=lambda kv: -kv[1])),
        "score": {
            "mean": round(float(scores.mean()), 4) if len(scores) else None,
            "quantiles": quantiles,
            "histogram": hist,
        },
        "least_confident": [_bead_record(al, b) for b in look[:worst]],
        # Timings stay out: the same input gives the same report, byte for byte.
        "meta": {k: v for k, v in al.meta.items() if k != "params" and not k.startswith("seconds")},
        "params": al.meta.get("params"),
    }


def _bead_record(al: Alignment, b: Bead) -> dict[str, Any]:
    return {
        "bead": b.kind,
        "src_ids": list(b.src),
        "tgt_ids": list(b.tgt),
        "score": b.score,
        "src": [al.src[i] for i in b.src],
        "tgt": [al.tgt[j] for j in b.tgt],
    }


def report_text(report: dict[str, Any]) -> str:
    """A few lines for a terminal: types, score quantiles, the weakest beads."""
    types = ", ".join(f"{k}: {v}" for k, v in report["bead_types"].items())
    q = report["score"]["quantiles"]
    lines = [
        f"{report['src_lang']}-{report['tgt_lang']}: {report['beads']} beads ({types})",
        "scores " + " ".join(f"{k}={v:.3f}" for k, v in q.items()) if q else "no scored beads",
        "least confident:",
    ]
    for r in report["least_confident"]:
        src = " ".join(r["src"])[:70]
        tgt = " ".join(r["tgt"])[:70]
        lines.append(
            f"  {r['bead']} {r['score']:.3f} src{r['src_ids']} tgt{r['tgt_ids']}: {src} | {tgt}"
        )
    return "\n".join(lines) + "\n"
