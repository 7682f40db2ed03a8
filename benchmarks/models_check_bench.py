"""What ``mtalign models check`` costs on each registry family's real shapes.

    .venv/bin/python benchmarks/models_check_bench.py [--families opus-mt,tc-big]
                                                      [--length 40] [--threads 0]

Builds a random checkpoint in each family's real shape (``mtalign.testing`` presets
``opus-mt``: 6+6 x 512, vocabulary 58,101, ~74M parameters, float32; ``tc-big``:
6+6 x 1024, vocabulary 57,060, ~235M parameters, float16 with a stored lm_head, like
opus-mt-tc-big-en-tr) and, per engine in a child process of its own, measures what the
check does: load (for CTranslate2: the int8 conversion first, then the load), decode the
28 sentences of the reference article at beam 4 in one batch with every output fixed at
``--length`` tokens (random models never stop on their own; 40 is about the mean length
of a real translation of the article's sentences), and the child's peak RSS (the
kernel's high-water mark, Linux).

A real model's check runs each engine's first pass twice more than this (glossary enforce
decodes n-best lists with attention for the sentences with terms, and the quality gate
retries what it flags), so the estimate printed for a whole check is
``convert + 2 x load + 3 x decode``: an estimate, not a measurement of real weights.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_CHILD = """
import json, resource, sys, time
from mtalign.engines import DecodeOptions, load_translator
from mtalign.models import convert_to_ct2, resolve_model
from mtalign.pipeline.modelcheck import reference_texts
path, src, tgt, engine, length, threads = sys.argv[1:7]
model = resolve_model(path, src=src, tgt=tgt)
out = {"engine": engine, "convert_s": 0.0}
if engine == "ctranslate2":
    t0 = time.perf_counter(); convert_to_ct2(model, "int8"); out["convert_s"] = time.perf_counter() - t0
t0 = time.perf_counter()
tr = load_translator(engine, model, device="cpu", threads=int(threads))
out["load_s"] = time.perf_counter() - t0
srcs, _ = reference_texts(src, tgt)
n = int(length)
t0 = time.perf_counter()
res = tr.translate(srcs, DecodeOptions(beam_size=4, min_length=n, max_length=n, return_scores=False))
out["decode_s"] = time.perf_counter() - t0
out["tokens"] = sum(len(r.best.tokens) for r in res)
out["compute_type"] = tr.compute_type
out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
"""
PRESET = {"opus-mt": "en-ar:small", "tc-big": "en-tr"}


def bench(family: str, root: Path, length: int, threads: int) -> list[dict]:
    from mtalign.models import parse_choice
    from mtalign.testing import build_like

    spec = PRESET[family]
    src, tgt, _ = parse_choice(spec)
    path = build_like(root / family, spec, size="full")
    weights = sum(f.stat().st_size for f in path.glob("*.safetensors"))
    env = {**os.environ, "MTALIGN_HOME": str(root / "home"), "HF_HUB_OFFLINE": "1"}
    out = []
    for engine in ("ctranslate2", "transformers"):
        done = subprocess.run(
            [sys.executable, "-c", _CHILD, str(path), src, tgt, engine, str(length), str(threads)],
            env=env, capture_output=True, text=True, check=True,
        )  # fmt: skip
        result = json.loads(done.stdout.strip().splitlines()[-1])
        result |= {"family": family, "weights_mb": round(weights / 1e6)}
        out.append(result)
        print(json.dumps(result), file=sys.stderr)
    return out


def table(results: list[dict]) -> str:
    rows = ["| family | weights | engine | convert s | load s | decode s (28 sent.) | "
            "tokens/s | peak RSS MB | whole check, est. s |",
            "|---|---:|---|---:|---:|---:|---:|---:|---:|"]  # fmt: skip
    for r in results:
        est = r["convert_s"] + 2 * r["load_s"] + 3 * r["decode_s"]
        rows.append(
            f"| {r['family']} | {r['weights_mb']} MB | {r['engine']} {r['compute_type']} | "
            f"{r['convert_s']:.1f} | {r['load_s']:.1f} | {r['decode_s']:.1f} | "
            f"{r['tokens'] / r['decode_s']:.0f} | {r['peak_rss_mb']:.0f} | {est:.0f} |"
        )
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--families", default="opus-mt,tc-big")
    parser.add_argument("--length", type=int, default=40)
    parser.add_argument("--threads", type=int, default=0)
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for family in args.families.split(","):
            results += bench(family, Path(tmp), args.length, args.threads)
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}; --length {args.length}, "
          f"--threads {args.threads}")  # fmt: skip
    print(table(results))


if __name__ == "__main__":
    main()
