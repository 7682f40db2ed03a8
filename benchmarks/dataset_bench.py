"""Dataset jobs at corpus scale: records/s, tokens/s, memory over time, state size, resume.

    .venv/bin/python benchmarks/dataset_bench.py [--records 100000] [--runners local,ray1,ray2]
                                                 [--shard-rows 10000] [--format parquet]

The corpus is ``--records`` one-sentence news records (seed-article sentences, numbered so
no two are alike) in one gzip-compressed JSONL file, with an extra field per record that
the output must keep. The job translates en -> tr,ru with the tiny random Marian models
(``build_marian`` preset ``tiny``) on CTranslate2, beam 1, ``max_length`` 8 (the random
model always runs to the limit, so every sentence costs the same), translation cache off,
quality gate off, the per-record language check off (``force = true``; ``--check-language``
turns it on: langdetect costs about as much as translating with the tiny model), into a Parquet (or JSONL) dataset with the sentence dataset on. Each run
is a child process; RSS (the child and all its descendants, Ray's processes included) is
sampled every 0.2 s. "tokens/s" counts output tokens (8 per sentence and language).

Also measured: the job state's size, a resume of the finished job, and the cost of a kill:
the job is killed (SIGKILL) halfway and resumed, and the resumed dataset is compared with
the uninterrupted one row for row.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from batch_bench import tree_rss  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
_CHILD = """
import json, sys, time
from mtalign.batch import run_job
t0 = time.perf_counter()
s = run_job(sys.argv[1], resume=sys.argv[2] == "resume", runner=sys.argv[3],
            workers=int(sys.argv[4]), progress=False)
d = s.to_dict()
print(json.dumps({"call_seconds": time.perf_counter() - t0, "run": d["run"], "ok": d["ok"],
                  "documents": d["documents"], "languages": d["languages"]}))
"""


def sentences() -> list[str]:
    """Sentences of the seed articles (a rough cut on '. ')."""
    out = []
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        for para in path.read_text(encoding="utf-8").split("\n"):
            out += [s.strip().rstrip(".") + "." for s in para.split(". ") if len(s) > 30]
    return out


def write_corpus(path: Path, n: int) -> None:
    sents = sentences()
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=1) as fh:
        for i in range(n):
            rec = {"id": f"r{i:07d}", "text": f"{i}. {sents[i % len(sents)]}", "source": "wire"}
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")


def run_child(config: Path, mode: str, runner: str, workers: int, kill_after: float = 0) -> dict:
    """Run the job in a child; wall time, peak RSS and an RSS series (or killed at a time)."""
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_VERBOSITY="error")
    env.setdefault("OMP_NUM_THREADS", "1")
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(config), mode, runner, str(workers)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,
    )
    series: list[tuple[float, int]] = []
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            series.append((time.perf_counter() - t0, tree_rss(proc.pid)))
            if kill_after and time.perf_counter() - t0 > kill_after:
                os.killpg(proc.pid, signal.SIGKILL)
                return
            stop.wait(0.2)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    out, err = proc.communicate()
    stop.set()
    thread.join()
    wall = time.perf_counter() - t0
    if kill_after:
        return {"wall": wall, "killed": proc.returncode != 0}
    if proc.returncode not in (0,):
        raise SystemExit(f"{runner} run failed ({proc.returncode}):\n{err[-3000:]}")
    result = json.loads(out.strip().splitlines()[-1])
    result.update(wall=wall, peak_rss=max(r for _, r in series), series=series)
    return result


def config_text(label: str, models: dict[str, Path], args: argparse.Namespace) -> str:
    model_lines = "\n".join(f'{k} = "{v}"' for k, v in models.items())
    return (
        f'[job]\noutput_dir = "out-{label}"\n'
        '[inputs]\njsonl = ["corpus.jsonl.gz"]\n'
        f'[output]\nformat = "{args.format}"\nshard_rows = {args.shard_rows}\n'
        '[translate]\nsrc = "en"\ntargets = ["tr", "ru"]\nengine = "ctranslate2"\n'
        f"beam = 1\nmax_length = {args.max_length}\nquality_gate = false\ncache = false\n"
        f"force = {'false' if args.check_language else 'true'}\n"
        f"[translate.models]\n{model_lines}\n"
    )


def dataset_rows(folder: Path) -> list[dict]:
    import pyarrow.parquet as pq

    rows: list[dict] = []
    for part in sorted(folder.glob("*.parquet")):
        rows += pq.read_table(part).to_pylist()
    return rows


def series_text(series: list[tuple[float, int]], points: int = 8) -> str:
    """A few (seconds, MiB) points of the RSS series, evenly spaced."""
    if not series:
        return ""
    step = max(1, len(series) // points)
    picked = series[::step][:points] + [series[-1]]
    return ", ".join(f"{t:.0f}s {r / 2**20:.0f}" for t, r in picked)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--runners", default="local,ray1,ray2")
    ap.add_argument("--shard-rows", type=int, default=10_000)
    ap.add_argument("--max-length", type=int, default=8)
    ap.add_argument("--format", default="parquet", choices=("parquet", "jsonl"))
    ap.add_argument("--kill-test", action="store_true", help="kill the local run halfway, resume")
    ap.add_argument(
        "--check-language",
        action="store_true",
        help="check each record is in src (langdetect, about 6 ms a record; off: force = true)",
    )
    args = ap.parse_args()

    from mtalign.testing import build_marian

    with tempfile.TemporaryDirectory(prefix="mtalign-dataset-bench-") as tmp:
        root = Path(tmp)
        os.environ.setdefault("MTALIGN_HOME", str(root / "home"))
        models = {
            t: build_marian(root / f"en-{t}", "en", t, preset="tiny", seed=0) for t in ("tr", "ru")
        }
        t0 = time.perf_counter()
        write_corpus(root / "corpus.jsonl.gz", args.records)
        size = (root / "corpus.jsonl.gz").stat().st_size
        print(f"corpus: {args.records} records, {size / 2**20:.1f} MiB gzip, "
              f"written in {time.perf_counter() - t0:.1f} s")  # fmt: skip
        rows = []
        for label in args.runners.split(","):
            runner = "ray" if label.startswith("ray") else "local"
            workers = int(label[3:] or 1) if runner == "ray" else 1
            config = root / f"{label}.toml"
            config.write_text(config_text(label, models, args), encoding="utf-8")
            first = run_child(config, "new", runner, workers)
            again = run_child(config, "resume", runner, workers)
            out = root / f"out-{label}"
            state = (out / ".mtalign-job.sqlite").stat().st_size
            rows.append((label, workers, first, again, state))
            print(f"{label}: {first['wall']:.1f} s, peak {first['peak_rss'] / 2**20:.0f} MiB; "
                  f"RSS over time (MiB): {series_text(first['series'])}", flush=True)  # fmt: skip
        if args.kill_test:
            kill_test(root, models, args, rows)
    report(args, rows)


def kill_test(root: Path, models: dict[str, Path], args: argparse.Namespace, rows: list) -> None:
    """Kill a local run halfway, resume it, compare with the uninterrupted local dataset."""
    local = next((r for r in rows if r[0] == "local"), None)
    if local is None:
        return
    config = root / "killed.toml"
    config.write_text(config_text("killed", models, args), encoding="utf-8")
    killed = run_child(config, "new", "local", 1, kill_after=local[2]["wall"] / 2)
    resumed = run_child(config, "resume", "local", 1)
    same = all(
        dataset_rows(root / "out-killed" / sub) == dataset_rows(root / "out-local" / sub)
        for sub in ("data", "sentences", "failures")
    )
    print(
        f"\nkill -9 at {killed['wall']:.1f} s, resume: {resumed['wall']:.1f} s for "
        f"{resumed['run']['documents_processed']} records left; resumed dataset equals the "
        f"uninterrupted one row for row: {same}"
    )


def report(args: argparse.Namespace, rows: list) -> None:
    print(
        f"\n{args.records} records, en -> tr,ru, tiny Marian, CTranslate2 beam 1, "
        f"max_length {args.max_length}, {args.format}, shard_rows {args.shard_rows}, "
        f"language check {'on' if args.check_language else 'off (force = true)'}, "
        f"OMP_NUM_THREADS=1, {os.cpu_count()} CPUs\n"
    )
    print(
        "| runner | workers | wall s | records/s | sentences/s | output tokens/s | "
        "peak RSS MiB | state KiB | resume of finished job s |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    base = None
    for label, workers, first, again, state in rows:
        wall = first["wall"]
        segs = first["languages"]["tr"]["segments"]
        n_langs = len(first["languages"])
        tokens = segs * n_langs * args.max_length
        rate = first["documents"] / wall
        base = base or rate
        print(
            f"| {label} | {workers} | {wall:.1f} | {rate:,.0f} | {segs / wall:,.0f} | "
            f"{tokens / wall:,.0f} | {first['peak_rss'] / 2**20:,.0f} | {state / 1024:.0f} | "
            f"{again['wall']:.2f} |"
        )
    if len(rows) > 1:
        print("\nscaling vs the first row: " + ", ".join(
            f"{r[0]} {r[2]['documents'] / r[2]['wall'] / base:.2f}x" for r in rows))  # fmt: skip


if __name__ == "__main__":
    main()
