"""``mtalign serve`` under load and under faults, against ``mtalign translate`` on the same text.

    .venv/bin/python benchmarks/serve_load.py                       # 64 clients, 60 s
    .venv/bin/python benchmarks/serve_load.py --clients 64 --seconds 20

Builds the tiny test model (en-tr) in a temp dir, starts ``mtalign serve`` as a
subprocess on 127.0.0.1 and a free port (translation memory off, so every request is
translated by the engine), and runs, with asyncio clients in this process:

1. load: ``--clients`` clients, each sending one paragraph of ``seeds/idlib.txt`` after
   another to ``POST /translate`` for ``--seconds``: latency p50/p95/p99, requests/s,
   source tokens/s (whitespace words), status codes;
2. baseline: ``mtalign.translate`` (the function ``mtalign translate`` runs; its own
   process, cache off) on the paragraphs the load phase translated (the first
   ``--baseline-max`` of them, same round-robin mix) in one call: tokens/s and tokens per
   CPU second. Output length is fixed (``--length`` tokens per sentence, as in
   ``benchmarks/throughput.py``) in both, since random weights never stop by themselves;
3. faults: clients that disconnect mid-request, malformed JSON, 10 MB bodies, slow bodies,
   each while normal requests go on; then SIGTERM under load: every request the server
   accepted must get an answer; no temp file is left; the memory (on for this phase) is a
   sound SQLite file.

Prints a JSON summary (``--json FILE`` writes it too). The machine and its load are
printed with it: figures from a shared 2-core machine are not comparable with others.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
PARAGRAPHS = [p for p in (ROOT / "seeds" / "idlib.txt").read_text("utf-8").split("\n") if p.strip()]


def _words(text: str) -> int:
    return len(text.split())


def _pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def start_server(model: Path, work: Path, extra: str = "") -> tuple[subprocess.Popen, str]:
    """``mtalign serve`` on a free port; returns the process and its URL."""
    cfg = work / "serve.toml"
    cfg.write_text(
        "[server]\nqueue_size = 1024\nmax_texts = 256\n"
        f'[translate]\ncache_path = "{work / "tm.sqlite"}"\n{extra}',
        encoding="utf-8",
    )
    cmd = [sys.executable, "-m", "mtalign", "serve", "--config", str(cfg), "--to", "tr",
           "--model", f"tr={model}", "--port", "0"]  # fmt: skip
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, cwd=work,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})  # fmt: skip
    line = proc.stdout.readline() if proc.stdout else ""
    if "listening on" not in line:
        proc.kill()
        raise SystemExit(f"the server did not start: {line!r}")
    return proc, line.split("listening on ")[1].split()[0]


async def load(url: str, clients: int, seconds: float) -> dict[str, Any]:
    """``clients`` clients sending paragraphs for ``seconds``."""
    latencies: list[float] = []
    codes: dict[int, int] = {}
    errors: dict[str, int] = {}
    sent: list[str] = []
    stop = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def client(n: int, http: httpx.AsyncClient) -> None:
        i = n
        while time.monotonic() < stop:
            text = PARAGRAPHS[i % len(PARAGRAPHS)]
            i += clients
            t0 = time.perf_counter()
            try:
                r = await http.post("translate", json={"q": text, "source": "en", "target": "tr"})
            except httpx.HTTPError as exc:
                errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
                continue
            latencies.append(time.perf_counter() - t0)
            codes[r.status_code] = codes.get(r.status_code, 0) + 1
            if r.status_code == 200:
                sent.append(text)

    t0 = time.perf_counter()
    async with httpx.AsyncClient(base_url=url, timeout=300, limits=limits) as http:
        await asyncio.gather(*(client(n, http) for n in range(clients)))
    wall = time.perf_counter() - t0
    tokens = sum(_words(t) for t in sent)
    return {
        "clients": clients,
        "seconds": round(wall, 2),
        "requests": len(latencies),
        "status": {str(k): v for k, v in sorted(codes.items())},
        "client_errors": errors,
        "requests_per_second": round(len(sent) / wall, 2),
        "tokens_per_second": round(tokens / wall, 1),
        "latency_ms": {
            f"p{int(q * 100)}": round(_pct(latencies, q) * 1000, 1) for q in (0.5, 0.95, 0.99)
        },  # fmt: skip
        "_sent": sent,
    }


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a running process (all its threads), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


_BASELINE = """
import json, resource, sys, time
from mtalign import translate
texts, model, length = json.load(open(sys.argv[1])), sys.argv[2], int(sys.argv[3])
kw = dict(to="tr", src="en", models={"tr": model}, cache=False, min_length=length,
          max_length=length)
translate(texts[:1], **kw)  # imports and the CTranslate2 conversion, untimed
r0, t0 = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
translate(texts, **kw)
r1, t1 = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
print(json.dumps({"seconds": t1 - t0, "cpu": cpu}))
"""


def baseline(model: Path, texts: list[str], work: Path, length: int) -> dict[str, Any]:
    """``mtalign.translate`` (what ``mtalign translate`` runs) on the same paragraphs in one
    call, cache off, same output length, in its own process."""
    src = work / "same.json"
    src.write_text(json.dumps(texts), encoding="utf-8")
    cmd = [sys.executable, "-c", _BASELINE, str(src), str(model), str(length)]
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=work, check=True)
    got = json.loads(out.stdout.strip().splitlines()[-1])
    tokens = sum(_words(t) for t in texts)
    return {"paragraphs": len(texts), "tokens": tokens, "seconds": round(got["seconds"], 2),
            "tokens_per_second": round(tokens / got["seconds"], 1),
            "cpu_seconds": round(got["cpu"], 2),
            "tokens_per_cpu_second": round(tokens / got["cpu"], 1)}  # fmt: skip


async def _normal(http: httpx.AsyncClient, n: int) -> list[int]:
    body = {"q": PARAGRAPHS[0], "source": "en", "target": "tr"}
    return [r.status_code for r in await asyncio.gather(*(http.post("translate", json=body)
                                                          for _ in range(n)))]  # fmt: skip


async def faults(url: str) -> dict[str, Any]:
    """Bad clients beside normal ones: the normal ones must still get 200."""
    out: dict[str, Any] = {}
    async with httpx.AsyncClient(base_url=url, timeout=120) as http:
        # Clients that give up after 50 ms: the server must carry on.
        quick = httpx.AsyncClient(base_url=url, timeout=0.05)
        body = {"q": PARAGRAPHS[1], "source": "en", "target": "tr"}
        gave_up = await asyncio.gather(*(quick.post("translate", json=body) for _ in range(32)),
                                       return_exceptions=True)  # fmt: skip
        await quick.aclose()
        out["disconnects"] = {"sent": 32, "gave_up": sum(isinstance(g, Exception) for g in gave_up),
                              "normal_after": await _normal(http, 8)}  # fmt: skip
        bad = await asyncio.gather(*(http.post("translate", content=b'{"q": "x", ',
                                               headers={"Content-Type": "application/json"})
                                     for _ in range(50)))  # fmt: skip
        out["malformed_json"] = sorted({r.status_code for r in bad})
        big = b'{"q": "' + b"a" * (10 * 1024 * 1024) + b'", "target": "tr"}'
        t0 = time.perf_counter()
        huge = await asyncio.gather(*(http.post("translate", content=big,
                                                headers={"Content-Type": "application/json"})
                                      for _ in range(4)), _normal(http, 8))  # fmt: skip
        out["body_10mb"] = {"status": sorted({r.status_code for r in huge[:4]}),
                            "seconds": round(time.perf_counter() - t0, 2),
                            "normal_beside": huge[4]}  # fmt: skip

        async def slow_body() -> Any:
            for piece in (b'{"q": "The talks ', b"ended on ", b'Friday.", ', b'"target": "tr"}'):
                await asyncio.sleep(1.0)
                yield piece

        t0 = time.perf_counter()
        slow = await asyncio.gather(
            *(http.post("translate", content=slow_body(),
                        headers={"Content-Type": "application/json"}) for _ in range(8)),
            _normal(http, 8),
        )  # fmt: skip
        out["slow_bodies"] = {"status": sorted({r.status_code for r in slow[:8]}),
                              "seconds": round(time.perf_counter() - t0, 2),
                              "normal_beside": slow[8]}  # fmt: skip
        out["health_after"] = (await http.get("health")).json()["status"]
    return out


async def sigterm_under_load(proc: subprocess.Popen, url: str, clients: int) -> dict[str, Any]:
    """SIGTERM after 3 s of load: count answers, refusals, and requests lost mid-way."""
    outcome: dict[str, int] = {}
    stop = time.monotonic() + 20

    async def client(n: int, http: httpx.AsyncClient) -> None:
        i = n
        while time.monotonic() < stop and proc.poll() is None:
            text = PARAGRAPHS[i % len(PARAGRAPHS)] + f" ({i})"  # new text: memory misses
            i += clients
            try:
                r = await http.post("translate", json={"q": text, "source": "en", "target": "tr"})
                key = f"answered_{r.status_code}"
            except httpx.ConnectError:
                outcome["refused_after_close"] = outcome.get("refused_after_close", 0) + 1
                return  # not accepted, so nothing was lost; this client stops
            except httpx.HTTPError as exc:
                key = f"lost_{type(exc).__name__}"  # accepted, never answered
            outcome[key] = outcome.get(key, 0) + 1

    async with httpx.AsyncClient(base_url=url, timeout=120) as http:
        tasks = [asyncio.create_task(client(n, http)) for n in range(clients)]
        await asyncio.sleep(3)
        proc.send_signal(signal.SIGTERM)
        t0 = time.perf_counter()
        await asyncio.gather(*tasks)
    code = await asyncio.to_thread(proc.wait, 120)
    return {"outcomes": outcome, "exit_code": code,
            "drain_seconds": round(time.perf_counter() - t0, 2)}  # fmt: skip


def _engine_seconds(url: str) -> float:
    for line in httpx.get(url + "metrics").text.splitlines():
        if line.startswith("mtalign_engine_seconds_total "):
            return float(line.split()[1])
    return 0.0


def _loadavg() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--clients", type=int, default=64)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--json", default="")
    ap.add_argument("--preset", default="tiny", help="test model preset (tiny, opus-mt, ...)")
    ap.add_argument("--length", type=int, default=24, help="output tokens per sentence (fixed)")
    ap.add_argument(
        "--baseline-max", type=int, default=96, help="paragraphs (of those served) for the baseline"
    )
    args = ap.parse_args()
    from mtalign.testing import build_marian

    with tempfile.TemporaryDirectory(prefix="serve-load-") as tmp:
        work = Path(tmp)
        os.environ["MTALIGN_HOME"] = str(work / "home")
        os.environ["HF_HUB_OFFLINE"] = "1"
        model = build_marian(work / "en-tr", "en", "tr", preset=args.preset, seed=0)
        result: dict[str, Any] = {"machine": f"{platform.machine()}, {os.cpu_count()} cores",
                                  "preset": args.preset, "length": args.length,
                                  "load_average_before": _loadavg()}  # fmt: skip
        fixed = f"min_length = {args.length}\nmax_length = {args.length}\n"
        proc, url = start_server(model, work, "cache = false\n" + fixed)
        try:
            asyncio.run(load(url, 4, 2.0))  # warm-up (conversion done, caches warm)
            import resource

            cpu0, eng0 = cpu_seconds(proc.pid), _engine_seconds(url)
            own0 = resource.getrusage(resource.RUSAGE_SELF)
            result["load"] = asyncio.run(load(url, args.clients, args.seconds))
            cpu = cpu_seconds(proc.pid) - cpu0
            own1 = resource.getrusage(resource.RUSAGE_SELF)
            result["load"]["engine_busy_seconds"] = round(_engine_seconds(url) - eng0, 2)
            result["load"]["client_cpu_seconds"] = round(
                own1.ru_utime - own0.ru_utime + own1.ru_stime - own0.ru_stime, 2
            )
            tokens = sum(_words(t) for t in result["load"]["_sent"])
            result["load"]["server_cpu_seconds"] = round(cpu, 2)
            result["load"]["tokens_per_cpu_second"] = round(tokens / cpu, 1)
            result["faults"] = asyncio.run(faults(url))
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(60)
        sent = result["load"].pop("_sent")
        result["baseline"] = baseline(model, sent[: args.baseline_max], work, args.length)
        result["serve_vs_translate"] = {
            "tokens_per_second": round(
                result["load"]["tokens_per_second"] / result["baseline"]["tokens_per_second"], 3
            ),
            "tokens_per_cpu_second": round(
                result["load"]["tokens_per_cpu_second"]
                / result["baseline"]["tokens_per_cpu_second"],
                3,
            ),
        }
        proc, url = start_server(model, work, fixed)
        result["sigterm"] = asyncio.run(sigterm_under_load(proc, url, args.clients))
        with sqlite3.connect(work / "tm.sqlite") as db:
            result["sigterm"]["memory_integrity"] = db.execute("PRAGMA integrity_check").fetchone()[
                0
            ]
        leftovers = [p.name for p in work.rglob("*") if p.name.endswith((".tmp", "-journal"))]
        result["sigterm"]["temp_files_left"] = leftovers
        result["load_average_after"] = _loadavg()
    text = json.dumps(result, indent=2)
    print(text)
    if args.json:
        Path(args.json).write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
