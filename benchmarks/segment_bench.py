"""Sentence segmentation benchmark: boundary P/R/F1 on the gold sets, and throughput.

Run: .venv/bin/python benchmarks/segment_bench.py [--mb 5] [--pysbd-mb 0.5] [--repeat 3]

Quality: for each language, each gold paragraph (tests/data/segment/<lang>.txt) is joined
with single spaces and segmented; a boundary is the end offset of every sentence but the
last of its paragraph. pysbd (if installed) is scored the same way in the same run.

Speed: the gold paragraphs of a language, joined by blank lines and repeated to ``--mb``
megabytes (UTF-8), segmented in one call in this process; best of ``--repeat`` runs.
pysbd is timed on a smaller text (``--pysbd-mb``) because it is much slower.
"""

from __future__ import annotations

import argparse
import platform
import time
from collections.abc import Callable
from pathlib import Path

from mtalign.io.gold import read_gold
from mtalign.segment import sentence_spans

#: The project's gold sets (test data, read here as benchmark input).
GOLD_DIR = Path(__file__).resolve().parents[1] / "tests" / "data" / "segment"

LANGS = ("en", "tr", "ru", "ar")
PYSBD_LANGS = ("en", "ru", "ar")  # pysbd 0.3.4 has no Turkish


def ends_from_sentences(text: str, sentences: list[str]) -> list[int]:
    """End offsets of ``sentences`` located in order in ``text`` (for tools without spans)."""
    ends, pos = [], 0
    for s in sentences:
        s = s.strip()
        if not s:
            continue
        i = text.find(s, pos)
        if i < 0:  # the tool changed the text; skip this sentence rather than guess
            continue
        pos = i + len(s)
        ends.append(pos)
    return ends


def score(paragraphs: list[list[str]], ends_of: Callable[[str], list[int]]) -> tuple[float, ...]:
    tp = fp = fn = 0
    for sentences in paragraphs:
        text = " ".join(sentences)
        gold, pos = set(), 0
        for s in sentences[:-1]:
            pos += len(s)
            gold.add(pos)
            pos += 1
        pred = set(ends_of(text)) - {len(text)}
        tp += len(gold & pred)
        fp += len(pred - gold)
        fn += len(gold - pred)
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f, tp + fn


def big_text(paragraphs: list[list[str]], megabytes: float) -> str:
    unit = "\n\n".join(" ".join(p) for p in paragraphs) + "\n\n"
    size = len(unit.encode("utf-8"))
    return unit * max(1, round(megabytes * 1e6 / size))


def throughput(fn: Callable[[str], object], text: str, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn(text)
        best = min(best, time.perf_counter() - t0)
    return len(text.encode("utf-8")) / 1e6 / best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=5.0, help="text size for mtalign timing")
    ap.add_argument("--pysbd-mb", type=float, default=0.5, help="text size for pysbd timing")
    ap.add_argument("--repeat", type=int, default=3, help="timing runs (best is kept)")
    args = ap.parse_args()

    try:
        import pysbd
    except ImportError:
        pysbd = None

    print(f"python {platform.python_version()} on {platform.machine()}, single process")
    print(f"pysbd {getattr(pysbd, '__version__', 'not installed')}")
    header = f"{'lang':<5}{'bounds':>7}  {'tool':<8}{'P':>7}{'R':>7}{'F1':>7}{'MB/s':>9}  timed on"
    print(header)
    print("-" * len(header))
    for lang in LANGS:
        paragraphs = read_gold(GOLD_DIR / f"{lang}.txt")

        def ours(text: str, lang: str = lang) -> list[int]:
            return [b for _, b in sentence_spans(text, lang)]

        p, r, f, n = score(paragraphs, ours)
        text = big_text(paragraphs, args.mb)
        speed = throughput(lambda t, lang=lang: sentence_spans(t, lang), text, args.repeat)
        mb = len(text.encode("utf-8")) / 1e6
        print(
            f"{lang:<5}{n:>7}  {'mtalign':<8}{p:>7.3f}{r:>7.3f}{f:>7.3f}{speed:>9.2f}  {mb:.1f} MB"
        )

        if pysbd is None or lang not in PYSBD_LANGS:
            print(f"{lang:<5}{n:>7}  {'pysbd':<8}{'n/a':>7}{'n/a':>7}{'n/a':>7}{'n/a':>9}")
            continue
        seg = pysbd.Segmenter(language=lang, clean=False)

        def theirs(text: str, seg: pysbd.Segmenter = seg) -> list[int]:
            return ends_from_sentences(text, seg.segment(text))

        p, r, f, n = score(paragraphs, theirs)
        small = big_text(paragraphs, args.pysbd_mb)
        speed = throughput(seg.segment, small, 1)
        mb = len(small.encode("utf-8")) / 1e6
        print(f"{lang:<5}{n:>7}  {'pysbd':<8}{p:>7.3f}{r:>7.3f}{f:>7.3f}{speed:>9.2f}  {mb:.1f} MB")


if __name__ == "__main__":
    main()
