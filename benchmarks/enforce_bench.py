"""Glossary enforcement overhead: ``mtalign translate`` with ``--glossary-mode enforce``
versus ``off`` on the seed articles, on an opus-mt-sized random model.

    .venv/bin/python benchmarks/enforce_bench.py [--langs tr,ru,ar] [--max-length 40]

Both modes run the whole pipeline on the three seed articles (their sentences, the seed
glossary), with the translation memory off, the same decoding settings and the same output
length cap, each in a fresh process so neither warms the other. Prints seconds per mode,
the ratio, and the share of term occurrences rendered with an accepted form. The random
model never renders a name by itself, so every term occurrence exercises the repair stages:
this measures repair mechanics and their cost, not translation quality.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def run_mode(mode: str, models: dict[str, str], langs: list[str], out: Path, args) -> dict:
    """Translate the seeds in a child process; return its timing and glossary totals."""
    seeds = sorted(str(p) for p in (ROOT / "seeds").glob("*.txt"))
    code = f"""
import json, sys, time
from mtalign.pipeline import TranslateSettings, translate_files
settings = TranslateSettings(
    targets={tuple(langs)!r}, src="en", models={models!r}, beam={args.beam},
    max_length={args.max_length}, cache=False, threads={args.threads}, progress=False,
    glossary=({str(ROOT / "configs/glossaries/idlib.toml")!r},) if {mode!r} != "off" else (),
    glossary_mode={mode!r},
)
t0 = time.perf_counter()
results = translate_files({seeds!r}, settings, {str(out)!r})
seconds = time.perf_counter() - t0
occ = ok = 0
for r in results:
    for g in r.glossary.values():
        occ += g["occurrences"]
        ok += g["ok"]
segs = sum(len(list(r.doc.segments())) for r in results)
rss = [int(x.split()[1]) / 1024 for x in open("/proc/self/status") if x.startswith("VmHWM:")][0]
heavy = [m for m in ("torch", "transformers") if m in sys.modules]
print(json.dumps({{"seconds": seconds, "occurrences": occ, "ok": ok, "segments": segs,
                  "rss": rss, "heavy": heavy}}))
"""
    env = dict(os.environ, HF_HUB_OFFLINE="1", MTALIGN_HOME=str(out / "home"))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          cwd=ROOT, check=False)  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--langs", default="tr,ru,ar")
    parser.add_argument("--beam", type=int, default=4)
    parser.add_argument("--max-length", type=int, default=40)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    langs = [x for x in args.langs.split(",") if x]
    from mtalign.glossary import load_glossary
    from mtalign.pipeline import TranslateSettings, load_inputs
    from mtalign.testing import build_marian

    seeds = sorted(str(p) for p in (ROOT / "seeds").glob("*.txt"))
    docs = load_inputs(seeds, TranslateSettings(targets=("tr",), src="en"))
    matcher = load_glossary(ROOT / "configs/glossaries/idlib.toml").matcher("en")
    sents = [s.text for d, _ in docs for s in d.segments()]
    with_terms = sum(1 for s in sents if matcher.find(s))
    with tempfile.TemporaryDirectory(prefix="mtalign-enforce-") as tmp:
        models = {}
        t0 = time.perf_counter()
        for lang in langs:
            models[lang] = str(build_marian(Path(tmp) / f"en-{lang}", "en", lang, "opus-mt"))
        print(f"built {len(langs)} opus-mt models in {time.perf_counter() - t0:.0f}s",
              file=sys.stderr)  # fmt: skip
        # Convert once, outside the timed runs (both modes share the conversion cache).
        run_mode("off", models, langs, Path(tmp) / "warm", args)
        rows = {}
        for mode in ("off", "enforce"):
            out = Path(tmp) / mode
            out.mkdir()
            (out / "home").symlink_to(Path(tmp) / "warm" / "home")
            rows[mode] = run_mode(mode, models, langs, out, args)
    off, enf = rows["off"], rows["enforce"]
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, python "
        f"{platform.python_version()}; opus-mt preset (random weights), ctranslate2 int8, "
        f"beam {args.beam}, max {args.max_length} output tokens, {args.threads} threads; "
        f"{len(sents)} sentences x {len(langs)} languages ({','.join(langs)}), "
        f"{with_terms} sentences ({with_terms / len(sents):.0%}) contain glossary terms\n"
    )
    print("| mode | seconds | sentences/s | peak RSS MiB | term occurrences | accepted form |")
    print("|---|---:|---:|---:|---:|---:|")
    n = off["segments"] * len(langs)
    print(f"| off | {off['seconds']:.1f} | {n / off['seconds']:.2f} | {off['rss']:.0f} | - | - |")
    share = enf["ok"] / enf["occurrences"] if enf["occurrences"] else 0.0
    print(f"| enforce | {enf['seconds']:.1f} | {n / enf['seconds']:.2f} | {enf['rss']:.0f} "
          f"| {enf['occurrences']} | {enf['ok']} ({share:.1%}) |")  # fmt: skip
    print(f"\nheavy modules imported by the runs: {off['heavy']} / {enf['heavy']}")
    print(f"\nenforce / off: {enf['seconds'] / off['seconds']:.2f}x (target < 1.3x)")


if __name__ == "__main__":
    main()
