"""Batch job throughput: local runner vs Ray runner, and the cost of resuming a finished job.

    .venv/bin/python benchmarks/batch_bench.py [--docs 1000] [--workers 2] [--max-length 32]

Documents are short news items made from the seed articles (single paragraphs and pairs
of neighbouring paragraphs, numbered so no two are alike) written as one JSONL file;
the job translates en -> tr,ru with the tiny random Marian models
(``mtalign.testing.build_marian``, preset ``tiny``) on CTranslate2. The random models never
stop on their own, so every output runs to ``--max-length`` tokens: a fixed amount of work
per sentence. The translation cache is off (every run translates everything) and so is the
quality gate (gibberish would trigger retries). Each run is a child process; peak memory is
the largest sum of RSS over the child and all its descendants (Ray's processes included),
sampled every 50 ms from /proc (Linux).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_CHILD = """
import json, sys, time
from mtalign.batch import run_job
t0 = time.perf_counter()
s = run_job(sys.argv[1], resume=sys.argv[2] == "resume", runner=sys.argv[3],
            workers=int(sys.argv[4]), progress=False)
d = s.to_dict()
print(json.dumps({"call_seconds": time.perf_counter() - t0, "run": d["run"], "ok": d["ok"],
                  "documents": d["documents"]}))
"""


def make_documents(n: int) -> list[dict[str, str]]:
    """``n`` short distinct documents from the seed paragraphs."""
    paras: list[str] = []
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        paras += [p for p in path.read_text(encoding="utf-8").split("\n") if len(p) > 60]
    units = paras + [f"{a}\n\n{b}" for a, b in zip(paras, paras[1:], strict=False)]
    return [{"id": f"item-{i:05d}", "text": f"Item {i}. {units[i % len(units)]}"} for i in range(n)]


def _children(pid: int) -> list[int]:
    out = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as fh:
                out += [int(x) for x in fh.read().split()]
    except OSError:
        pass
    return out


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return 0


def tree_rss(pid: int) -> int:
    """RSS of ``pid`` and all its descendants, in bytes."""
    total, todo, seen = 0, [pid], set()
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        total += _rss(p)
        todo += _children(p)
    return total


def run_child(
    config: Path, mode: str, runner: str, workers: int, extra_env: dict[str, str] | None = None
) -> dict:
    """Run the job in a child process; its result plus wall time and peak tree RSS."""
    env = dict(
        os.environ,
        **(extra_env or {}),
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_VERBOSITY="error",
        TOKENIZERS_PARALLELISM="false",
    )
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(config), mode, runner, str(workers)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, tree_rss(proc.pid))
            stop.wait(0.05)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    out, err = proc.communicate()
    stop.set()
    thread.join()
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"{runner} run failed ({proc.returncode}):\n{err[-3000:]}")
    result = json.loads(out.strip().splitlines()[-1])
    result.update(wall=wall, peak_rss=peak)
    return result


def ray_start_seconds(workers: int) -> float | None:
    """How long ``ray.init(num_cpus=workers)`` + shutdown takes here (fixed overhead)."""
    code = (
        "import logging, time, ray; t = time.perf_counter(); "
        f"ray.init(num_cpus={workers}, include_dashboard=False, log_to_driver=False, "
        "logging_level=logging.WARNING); ray.shutdown(); print(time.perf_counter() - t)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    return float(proc.stdout.strip().splitlines()[-1]) if proc.returncode == 0 else None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=int, default=1000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--max-length", type=int, default=32)
    ap.add_argument("--beam", type=int, default=4)
    ap.add_argument("--no-ray", action="store_true", help="only the local runner")
    args = ap.parse_args()

    from mtalign.testing import build_marian

    try:
        import ray.data  # noqa: F401

        have_ray = not args.no_ray
    except ImportError:
        have_ray = False
        print("ray not installed: pip install 'mtalign[ray]'; only the local runner runs")

    with tempfile.TemporaryDirectory(prefix="mtalign-batch-bench-") as tmp:
        root = Path(tmp)
        os.environ.setdefault("MTALIGN_HOME", str(root / "home"))
        models = {
            t: build_marian(root / f"en-{t}", "en", t, preset="tiny", seed=0) for t in ("tr", "ru")
        }
        docs = make_documents(args.docs)
        with open(root / "docs.jsonl", "w", encoding="utf-8") as fh:
            fh.writelines(json.dumps(d, ensure_ascii=False) + "\n" for d in docs)
        n_segments = None
        rows = []
        # CTranslate2 picks its thread count from OMP_NUM_THREADS (Ray sets it to 1 in each
        # actor); the local runner is measured with the default and with one thread.
        variants = [("local", "local", {}), ("local", "local-1t", {"OMP_NUM_THREADS": "1"})]
        if have_ray:
            variants.append(("ray", "ray", {}))
        for runner, label, extra_env in variants:
            config = root / f"{label}.toml"
            model_lines = "\n".join(f'{k} = "{v}"' for k, v in models.items())
            config.write_text(
                f'[job]\noutput_dir = "out-{label}"\n'
                '[inputs]\njsonl = ["docs.jsonl"]\n'
                '[translate]\nsrc = "en"\ntargets = ["tr", "ru"]\nengine = "ctranslate2"\n'
                f"beam = {args.beam}\nmax_length = {args.max_length}\n"
                "quality_gate = false\ncache = false\n"
                f"[translate.models]\n{model_lines}\n",
                encoding="utf-8",
            )
            first = run_child(config, "new", runner, args.workers, extra_env)
            again = run_child(config, "resume", runner, args.workers, extra_env)
            summary = json.loads((root / f"out-{label}" / "summary.json").read_text())
            n_segments = summary["languages"]["tr"]["segments"]
            name = runner + "".join(f", {k}={v}" for k, v in extra_env.items())
            rows.append((name, runner, first, again))
        ray_start = ray_start_seconds(args.workers) if have_ray else None

    print(
        f"\n{args.docs} documents ({n_segments} sentences, each into tr and ru), tiny Marian, "
        f"CTranslate2 beam {args.beam}, max_length {args.max_length}, cache off, "
        f"{os.cpu_count()} CPUs\n"
    )
    print(
        "| runner | workers | wall s | job s | documents/s | sentences/s | peak RSS MiB |"
        " resume (finished job) s |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, runner, first, again in rows:
        run = first["run"]
        secs = run["seconds"]
        workers = args.workers if runner == "ray" else 1
        print(
            f"| {name} | {workers} | {first['wall']:.1f} | {secs:.1f} | "
            f"{run['documents_processed'] / secs:.1f} | "
            f"{2 * (n_segments or 0) / secs:.1f} | {first['peak_rss'] / 2**20:.0f} | "
            f"{again['run']['seconds']:.3f} (process {again['wall']:.1f}) |"
        )
    if ray_start is not None:
        print(f"\nray.init + shutdown alone: {ray_start:.1f} s (included in the ray rows)")


if __name__ == "__main__":
    main()
