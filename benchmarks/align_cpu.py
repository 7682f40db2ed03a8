"""CPU seconds per German-French document, in process, one thread (robust to a busy machine).

    .venv/bin/python benchmarks/align_cpu.py            # default vs round 1's scoring
    .venv/bin/python benchmarks/align_cpu.py --docs 6

Wall time on a shared machine measures the other jobs; CPU time of a single-threaded run
(``OMP_NUM_THREADS=1``, set here before numpy loads) is what one core spends on encoding
and the DP, so it is an upper bound for a quiet 2-core run. Uses the held-out Bible
documents of ``align_bible.py`` and a fresh embedding cache per configuration (encoding
counts). Process start-up (imports, encoder load) is measured separately, through the CLI.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from align_bible import bible_docs  # noqa: E402

from mtalign.align import AlignParams, align  # noqa: E402
from mtalign.align.embed import CachedEmbedder, USEEmbedder  # noqa: E402

CONFIGS = {
    "default": AlignParams(),
    "round1": AlignParams(
        scoring="cosine",
        overlap=1,
        length_weight=0.1,
        refine=False,
        anchor_ratio=False,
        lexical_weight=0.0,
    ),
}


def startup_cpu() -> float:
    """User+system CPU seconds of ``mtalign align`` on a one-line document (cold process)."""
    with tempfile.TemporaryDirectory() as tmp:
        a, b = Path(tmp) / "a.de", Path(tmp) / "b.fr"
        a.write_text("Hallo Welt.\n", encoding="utf-8")
        b.write_text("Bonjour le monde.\n", encoding="utf-8")
        cmd = [sys.executable, "-m", "mtalign", "align", str(a), str(b), "--src-lang", "de",
               "--tgt-lang", "fr", "--presegmented", "--out", str(Path(tmp) / "o.tsv")]  # fmt: skip
        before = os.times()
        subprocess.run(cmd, check=True, capture_output=True)
        after = os.times()
    return (
        after.children_user - before.children_user + after.children_system - before.children_system
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=int, default=6)
    args = ap.parse_args()
    docs = [d for d in bible_docs("heldout", 4) if d.tgt_lang == "fr"][: args.docs]
    n = sum(len(d.src) + len(d.tgt) for d in docs)
    enc = USEEmbedder(threads=1)
    enc.embed(["warm-up"])
    print(f"{len(docs)} documents, {n} sentences; load average {os.getloadavg()[0]:.2f}")
    print(f"CLI start-up on a one-line document: {startup_cpu():.2f} CPU s")
    print("| config | CPU s per document | CPU s per 1,000 sentences |")
    print("|---|---:|---:|")
    for name, params in CONFIGS.items():
        t = time.process_time()
        for d in docs:
            align(d.src, d.tgt, d.src_lang, d.tgt_lang, embedder=CachedEmbedder(enc), params=params)
        cpu = time.process_time() - t
        print(f"| {name} | {cpu / len(docs):.2f} | {cpu / n * 1000:.2f} |", flush=True)
    print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
