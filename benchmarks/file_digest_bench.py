"""Cost of a model's full-weights identity (``mtalign.models.identity``).

``local_revision`` hashes every byte of the weights once and remembers the hash (with
size, mtime, ctime, inode, device) in ``<cache root>/file-digests.json``. This measures,
for a weights-sized file of random bytes: the first (full) hash, a remembered lookup,
and the rehash after a block in the middle is zeroed with the mtime put back.

    .venv/bin/python benchmarks/file_digest_bench.py            # 300 MB (an opus-mt model)
    .venv/bin/python benchmarks/file_digest_bench.py --mb 32    # quick
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path


def _time(fn, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=int, default=300)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["MTALIGN_HOME"] = str(Path(tmp) / "home")
        from mtalign.models import identity

        weights = Path(tmp) / "model.safetensors"
        with open(weights, "wb") as fh:
            for _ in range(args.mb):
                fh.write(os.urandom(1 << 20))
        side = identity.sidecar_path()

        def first() -> None:
            side.unlink(missing_ok=True)
            identity.file_digest(weights)

        full = _time(first, args.repeat)
        remembered = _time(lambda: identity.file_digest(weights), args.repeat * 10)
        st = weights.stat()
        with open(weights, "r+b") as fh:
            fh.seek(st.st_size // 2)
            fh.write(bytes(1 << 20))
        os.utime(weights, ns=(st.st_atime_ns, st.st_mtime_ns))
        t0 = time.perf_counter()
        identity.file_digest(weights)
        changed = time.perf_counter() - t0
        result = {
            "mb": args.mb,
            "full_hash_s": round(full, 3),
            "remembered_ms": round(remembered * 1000, 3),
            "after_zeroing_s": round(changed, 3),
            "cpus": os.cpu_count(),
            "python": sys.version.split()[0],
        }
        print(json.dumps(result))


if __name__ == "__main__":
    main()
