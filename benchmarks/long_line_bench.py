"""One huge line without punctuation: cutting it for the model, and translating it, scale linearly.

A line of random words from the seed articles, with no sentence or clause punctuation, of
``--sizes`` megabytes. For each size:

* **split**: :func:`mtalign.batching.split_long` with the tiny test model's real
  tokenizer (source SentencePiece + vocab), limit 510 tokens as for OPUS-MT; seconds,
  pieces, and how many characters went through the tokenizer per character of text;
* **translate** (``--translate``): ``translate_files`` end to end on that line (read,
  language check, segmentation, split, CTranslate2 with the tiny model, beam 1,
  ``max_length`` 8, no cache, quality gate on, write), seconds.

    .venv/bin/python benchmarks/long_line_bench.py [--sizes 0.25,0.5,1,2] [--translate]

Seconds per megabyte that stay flat as the size doubles is the linear cost this measures.
"""

from __future__ import annotations

import argparse
import platform
import random
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from mtalign.batching import split_long  # noqa: E402
from mtalign.models.codec import MarianCodec  # noqa: E402
from mtalign.testing import build_marian  # noqa: E402


def make_line(megabytes: float, seed: int = 0) -> str:
    """Random words of the seed articles, no punctuation, ``megabytes`` of UTF-8."""
    words = re.findall(r"[A-Za-z]+", " ".join(p.read_text() for p in (ROOT / "seeds").glob("*")))
    rng = random.Random(seed)
    out, size, limit = [], 0, int(megabytes * 1_000_000)
    while size < limit:
        w = rng.choice(words)
        out.append(w)
        size += len(w) + 1
    return " ".join(out)


def bench_split(codec: MarianCodec, text: str) -> tuple[float, int, float]:
    seen = [0]

    def count(texts: list[str]) -> list[int]:
        seen[0] += sum(len(t) for t in texts)
        return [len(codec.encode_source(t)) for t in texts]

    t0 = time.perf_counter()
    pieces = split_long(text, count, 510)
    return time.perf_counter() - t0, len(pieces), seen[0] / len(text)


def bench_translate(model: Path, text: str, work: Path) -> float:
    from mtalign.pipeline import TranslateSettings, translate_files

    src = work / "line.txt"
    src.write_text(text + "\n", encoding="utf-8")
    settings = TranslateSettings(
        targets=("tr",), src="en", engine="ctranslate2", models={"tr": str(model)}, beam=1,
        max_length=8, cache=False, force=True, progress=False,
    )  # fmt: skip
    t0 = time.perf_counter()
    translate_files([str(src)], settings, work / "out")
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="0.25,0.5,1,2", help="megabytes, comma separated")
    ap.add_argument("--translate", action="store_true", help="also time translate_files")
    args = ap.parse_args()
    print(f"# {platform.machine()}, Python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as tmp:
        model = build_marian(Path(tmp) / "en-tr", "en", "tr", preset="tiny", seed=0)
        codec = MarianCodec(model)
        print("| MB | split s | s/MB | pieces | chars tokenized per char |"
              + (" translate s | s/MB |" if args.translate else ""))  # fmt: skip
        for mb in (float(x) for x in args.sizes.split(",")):
            text = make_line(mb)
            secs, pieces, ratio = bench_split(codec, text)
            row = f"| {mb:g} | {secs:.2f} | {secs / mb:.2f} | {pieces} | {ratio:.2f} |"
            if args.translate:
                work = Path(tmp) / f"run-{mb:g}"
                work.mkdir()
                t = bench_translate(model, text, work)
                row += f" {t:.1f} | {t / mb:.1f} |"
            print(row, flush=True)


if __name__ == "__main__":
    main()
