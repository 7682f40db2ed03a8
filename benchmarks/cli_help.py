"""How long ``mtalign --help`` and every ``mtalign COMMAND --help`` take, cold.

Each help page is asked for ``--runs`` times in a fresh process (the ``mtalign`` console
script of this environment, as a user runs it); the table gives the median and the worst
run, the interpreter's own start-up (``python -c pass``) for scale, and whether the help
imported torch, transformers or ctranslate2 (it must not). Target: every median under
0.3 s.

    .venv/bin/python benchmarks/cli_help.py [--runs 11] [--write docs/cli.md]

``--write`` replaces the table between the ``<!-- cli-help-bench -->`` markers of the file.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mtalign.cli.commands import TABLE  # noqa: E402

MARK = "<!-- cli-help-bench -->"
HEAVY = ("torch", "transformers", "ctranslate2")


def _command() -> list[str]:
    script = shutil.which("mtalign", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "mtalign"]


def _time(argv: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - t0)
    return times


def _heavy(path: list[str]) -> list[str]:
    code = (
        "import sys, contextlib, io\n"
        "from mtalign.cli import main\n"
        f"with contextlib.redirect_stdout(io.StringIO()): main({[*path, '--help']!r})\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return [m for m in out.stdout.strip().split(",") if m]


def _paths() -> list[list[str]]:
    out: list[list[str]] = [[]]
    for e in TABLE:
        out.append([e.name])
        out.extend([e.name, s.name] for s in e.subs)
    return out


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = ""
    if hasattr(os, "getloadavg"):
        load = f", load average {os.getloadavg()[0]:.1f} (the machine is shared)"
    return f"{cpu}, {cores} cores, Python {platform.python_version()}, {platform.system()}{load}"


def run(runs: int) -> str:
    cmd = _command()
    base = _time([sys.executable, "-c", "pass"], runs)
    rows = [
        "| command | median s | worst s | heavy modules imported |",
        "|---|---:|---:|---|",
        f"| (`python -c pass`, for scale) | {statistics.median(base):.3f} | {max(base):.3f} | - |",
    ]
    worst_median = 0.0
    for path in _paths():
        times = _time([*cmd, *path, "--help"], runs)
        med = statistics.median(times)
        worst_median = max(worst_median, med)
        heavy = ", ".join(_heavy(path)) or "none"
        label = " ".join(["mtalign", *path, "--help"])
        rows.append(f"| `{label}` | {med:.3f} | {max(times):.3f} | {heavy} |")
        print(rows[-1], file=sys.stderr)
    verdict = "under" if worst_median < 0.3 else "OVER"
    head = (
        f"{runs} cold runs per page of `{' '.join(Path(c).name for c in cmd)} ... --help`, "
        f"{time.strftime('%Y-%m-%d')}; machine: {_machine()}. Slowest median "
        f"{worst_median:.3f} s ({verdict} the 0.3 s target)."
    )
    return head + "\n\n" + "\n".join(rows) + "\n"


def write(path: Path, text: str) -> None:
    doc = path.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(MARK) + r".*?" + re.escape(MARK), re.S)
    if not pattern.search(doc):
        raise SystemExit(f"{path}: no {MARK} markers to write between")
    path.write_text(pattern.sub(lambda _: f"{MARK}\n{text}{MARK}", doc), encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=11)
    ap.add_argument("--write", type=Path, help="file whose marked block gets the table")
    args = ap.parse_args()
    text = run(args.runs)
    print(text)
    if args.write:
        write(args.write, text)


if __name__ == "__main__":
    main()
