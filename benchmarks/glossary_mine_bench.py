"""``glossary mine`` time and accuracy on a generated corpus of many names.

    .venv/bin/python benchmarks/glossary_mine_bench.py                  # 5,000 beads, 800 names
    .venv/bin/python benchmarks/glossary_mine_bench.py --beads 20000 --names 3000

Each bead names three random invented names (English → Turkish renderings that differ in
their last letter), so every name shares its beads with other names: the competitors the
miner must not pick. Prints wall and CPU seconds, the load average (the development
machine is shared), and how many names were kept right, kept wrong and dropped as unsure.
"""

from __future__ import annotations

import argparse
import os
import random
import string
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mtalign.glossary.mine import mine_candidates  # noqa: E402


def corpus(beads: int, names: int, seed: int) -> tuple[list[str], list[str], dict[str, str]]:
    """Line-aligned English and Turkish beads, and the true renderings."""
    rng = random.Random(seed)
    table: dict[str, str] = {}
    while len(table) < names:
        n = "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(4, 8)))
        table[n.capitalize()] = n.capitalize()[:-1] + "a"
    keys = list(table)
    src, tgt = [], []
    for _ in range(beads):
        a, b, c = rng.sample(keys, 3)
        src.append(f"Officials said {a} and {b} met {c} today.")
        tgt.append(f"Yetkililer {table[a]} ve {table[b]} bugün {table[c]} ile görüştü dedi.")
    return src, tgt, table


def main() -> None:
    """Run once and print one line."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--beads", type=int, default=5000)
    ap.add_argument("--names", type=int, default=800)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    src, tgt, table = corpus(args.beads, args.names, args.seed)
    wall, cpu = time.perf_counter(), time.process_time()
    mined = mine_candidates(src, tgt, "en", "tr")
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    kept = [m for m in mined if not m.unsure]
    right = sum(table.get(m.source) == m.target for m in kept)
    print(
        f"{args.beads} beads, {args.names} names: {wall:.1f} s wall, {cpu:.1f} s CPU "
        f"(load {os.getloadavg()[0]:.1f}); kept right {right}, kept wrong {len(kept) - right}, "
        f"unsure {len(mined) - len(kept)}"
    )


if __name__ == "__main__":
    main()
