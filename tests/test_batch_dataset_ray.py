"""The shipped corpus job (configs/jobs/corpus.toml) on local Ray (2 workers) writes the
same dataset as on the local runner.

One Ray start: it is slow. Skipped when Ray Data or pyarrow is not installed
(``pip install 'mtalign[ray,datasets]'``).
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import msgspec
import pytest

pytest.importorskip("ray.data", reason="Ray Data not installed (pip install 'mtalign[ray]')")
pytest.importorskip("pyarrow", reason="pyarrow not installed (pip install 'mtalign[datasets]')")

from mtalign.batch import run_config  # noqa: E402
from tests.test_batch_dataset import TARGETS, corpus_config, read_dataset  # noqa: E402


def test_ray_dataset_equals_local_dataset(tmp_path, marian_tiny):
    models = {t: marian_tiny(t) for t in TARGETS}
    summaries, outs = {}, {}
    for runner in ("local", "ray"):
        cfg = corpus_config(tmp_path, models, runner).with_overrides(workers=2)
        # Units of 10 rows: 6 shards from the 2 input files, spread over both actors.
        cfg = replace(cfg, output=msgspec.structs.replace(cfg.output, shard_rows=10))
        summaries[runner] = run_config(cfg)
        outs[runner] = Path(cfg.output_dir)
    for sub in ("data", "sentences", "failures"):
        assert read_dataset(outs["ray"] / sub) == read_dataset(outs["local"] / sub), sub
    shards = [json.loads((outs[r] / "manifest.json").read_text())["shards"] for r in outs]
    assert shards[0] == shards[1] and len(shards[0]) == 6
    local, ray = summaries["local"], summaries["ray"]
    assert ray.run.runner == "ray" and ray.run.workers == 2
    assert (ray.documents, ray.documents_done, ray.documents_failed) == (48, 48, 0)
    assert ray.tasks == local.tasks
