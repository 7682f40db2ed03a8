"""Time and peak memory of evaluation at scale (issue 18): mtalign's chunked statistics vs
sacrebleu's own corpus_score, which main's code called.

Each measurement runs in a fresh child process (peak RSS is the child's ``ru_maxrss``)
on generated text: references of ~20 words drawn from a Zipf-like 5,000-word vocabulary,
hypotheses the same with a fifth of the words replaced or dropped.

    python benchmarks/evaluate_scale.py --lines 20000 --metrics bleu,chrf,ter --bootstrap 1000
    python benchmarks/evaluate_scale.py --lines 200000,1000000 --metrics bleu --impl new

``--impl old`` is sacrebleu's path as main used it (references cached in the metric,
``corpus_score(n_bootstrap=...)``, which builds a resamples x lines x stats float32 array);
``new`` is ``mtalign.evaluate.score_systems``; ``full`` is ``evaluate_texts`` (scores plus
per-segment statistics, language checks and flags); ``full-base`` is the same call on the
code before this change, unpacked with ``git archive REV mtalign | tar -x -C DIR`` and
named by ``--base-src DIR``. ``--old-limit`` skips ``old`` and ``full-base`` runs whose
resampling array alone would exceed that many GiB.

``--realign 30000:3000`` times ``evaluate --realign``'s aligner instead: N hypothesis lines
whose first M are the M reference lines, the rest extra lines.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time


def generate(n: int, seed: int = 1) -> tuple[list[str], list[str]]:
    """``n`` reference lines and a degraded hypothesis for each."""
    rng = random.Random(seed)
    vocab = [f"{w}{i}" for i, w in enumerate(["haber", "kent", "yol", "gün", "su"] * 1000)]
    weights = [1 / (k + 1) for k in range(len(vocab))]
    refs, hyps = [], []
    for _ in range(n):
        words = rng.choices(vocab, weights, k=rng.randint(8, 32))
        refs.append(" ".join(words) + ".")
        hyp = [w if rng.random() < 0.8 else rng.choice(vocab) for w in words if rng.random() > 0.05]
        hyps.append(" ".join(hyp) + ".")
    return refs, hyps


def child(impl: str, n: int, metrics: list[str], n_boot: int, m: int = 0) -> dict:
    """One measurement in this process (called in a fresh child)."""
    refs, hyps = generate(m if impl == "realign" else n)
    t0 = time.perf_counter()
    if impl == "realign":
        from mtalign.evaluate.realign import realign

        extra, _ = generate(n - m, seed=2)
        al = realign(refs + extra, refs, "en", "en")
        right = sum(1 for b in al.beads if len(b.src) == 1 == len(b.tgt) and b.src == b.tgt)
        values = {"right 1-1 pairs": right, "cells": al.meta["cells"]}
    elif impl == "old":
        from mtalign.evaluate.metrics import make_metric

        values = {}
        for key in metrics:
            m = make_metric(key, "en", None, references=[refs])
            values[key] = float(m.corpus_score(hyps, None, n_bootstrap=max(1, n_boot)).score)
    elif impl == "new":
        from mtalign.evaluate import score_systems

        scores, _ = score_systems([("a", hyps)], [refs], metrics, "en", n_bootstrap=n_boot)
        values = {k: s.value for k, s in scores[0].items()}
    else:
        from mtalign.evaluate import EvalOptions, evaluate_texts

        try:
            opts = EvalOptions(metrics=metrics, n_bootstrap=n_boot, confidence=n_boot > 1)
        except TypeError:  # the code before the change: CIs whenever n_bootstrap > 1
            opts = EvalOptions(metrics=metrics, n_bootstrap=n_boot)
        ev = evaluate_texts([("a", hyps)], [refs], "en", options=opts)
        values = {k: s.value for k, s in ev.systems[0].scores.items()}
    secs = time.perf_counter() - t0
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": round(secs, 1), "peak_mib": round(peak_mib), "scores": values}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", default="20000", help="comma-separated line counts")
    ap.add_argument("--metrics", default="bleu,chrf,ter")
    ap.add_argument("--bootstrap", type=int, default=1000, help="resamples (0: none)")
    ap.add_argument("--impl", default="old,new", help="old, new, full (comma-separated)")
    ap.add_argument("--old-limit", type=float, default=6.0, help="GiB; larger old runs skipped")
    ap.add_argument("--base-src", help="folder holding the old mtalign package (full-base)")
    ap.add_argument("--realign", help="N:M: time realigning N hypothesis with M reference lines")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    metrics = args.metrics.split(",")
    if args.child:
        impl, n, *m = args.child.split(":")
        impl = impl.replace("full-base", "full")
        print(json.dumps(child(impl, int(n), metrics, args.bootstrap, int(m[0]) if m else 0)))
        return
    if args.realign:
        cmd = [sys.executable, __file__, "--child", f"realign:{args.realign}"]
        r = json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)
        print(
            f"realign {args.realign}: {r['seconds']} s, peak RSS {r['peak_mib']:,} MiB, {r['scores']}"
        )
        return
    width = {"bleu": 10, "chrf": 18, "chrf++": 24, "ter": 2}
    print("| lines | metrics | resamples | code | seconds | peak RSS MiB | scores |")
    print("|---:|---|---:|---|---:|---:|---|")
    for n in (int(x) for x in args.lines.split(",")):
        for impl in args.impl.split(","):
            need = args.bootstrap * n * max(width.get(k, 2) for k in metrics) * 4 / 2**30
            if impl in ("old", "full-base") and args.bootstrap > 1 and need > args.old_limit:
                print(f"| {n:,} | {args.metrics} | {args.bootstrap} | {impl} | skipped: "
                      f"needs {need:.1f} GiB for one resampling array | | |", flush=True)  # fmt: skip
                continue
            cmd = [sys.executable, __file__, "--child", f"{impl}:{n}", "--metrics", args.metrics,
                   "--bootstrap", str(args.bootstrap)]  # fmt: skip
            env = dict(os.environ)
            if impl == "full-base":
                env["PYTHONPATH"] = str(args.base_src)
            proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
            if proc.returncode != 0:
                tail = proc.stderr.strip().splitlines()[-1:] or ["killed"]
                print(
                    f"| {n:,} | {args.metrics} | {args.bootstrap} | {impl} | failed: {tail[0]} | | |"
                )
                continue
            r = json.loads(proc.stdout.strip().splitlines()[-1])
            scores = ", ".join(f"{k} {v:.4f}" for k, v in r["scores"].items())
            print(f"| {n:,} | {args.metrics} | {args.bootstrap} | {impl} | {r['seconds']} | "
                  f"{r['peak_mib']:,} | {scores} |", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
