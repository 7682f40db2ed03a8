"""Peak memory of ``mtalign align`` against the length of one line (flat by design).

    .venv/bin/python benchmarks/align_memory.py

For each length L, writes a German and a French document whose one paragraph is a single
line of L characters (words and commas, no sentence end, so it stays one sentence), plus a
short second paragraph, and runs ``mtalign align`` on them in a fresh process (not
presegmented: reading, segmentation, embedding, alignment, writing). Reports the child's
peak RSS. The encoder sees at most ``AlignParams.max_chars`` characters of any text.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORDS_DE = "der die das Fluss Stadt Wasser Brücke Regen Straße Haus alt neu groß klein".split()
WORDS_FR = "le la les fleuve ville eau pont pluie rue maison vieux neuf grand petit".split()


def line(words: list[str], n: int, rng: random.Random) -> str:
    out: list[str] = []
    size = 0
    while size < n:
        w = rng.choice(words) + ("," if rng.random() < 0.1 else "")
        out.append(w)
        size += len(w) + 1
    return " ".join(out)[:n]


def main() -> None:
    rng = random.Random(1)
    print("| line length | peak RSS MiB | seconds |")
    print("|---:|---:|---:|")
    with tempfile.TemporaryDirectory(prefix="mtalign-mem-") as tmp:
        d = Path(tmp)
        for n in (1_000, 10_000, 100_000, 300_000, 1_000_000, 2_000_000):
            (d / "de.txt").write_text(line(WORDS_DE, n, rng) + "\n\nKurz und gut.\n")
            (d / "fr.txt").write_text(line(WORDS_FR, n, rng) + "\n\nBref et bon.\n")
            cmd = [sys.executable, "-m", "mtalign", "align", str(d / "de.txt"), str(d / "fr.txt"),
                   "--src-lang", "de", "--tgt-lang", "fr", "--force", "--out", str(d / "o.tsv")]  # fmt: skip
            t0 = time.perf_counter()
            proc = subprocess.Popen(
                cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
            )
            _, status, usage = os.wait4(proc.pid, 0)
            secs = time.perf_counter() - t0
            if status != 0:
                print(f"| {n:,} | failed: {proc.stderr.read().decode()[-200:]} | |")
                continue
            print(f"| {n:,} | {usage.ru_maxrss / 1024:.0f} | {secs:.1f} |", flush=True)


if __name__ == "__main__":
    main()
