"""A dataset job on local Ray (2 workers) writes the same rows as the local runner.

Skipped when Ray Data is not installed (``pip install 'mtalign[ray]'``).
"""

from __future__ import annotations

import json

import pytest

pytest.importorskip("ray.data", reason="Ray Data not installed (pip install 'mtalign[ray]')")
pytest.importorskip("pyarrow", reason="pyarrow not installed (pip install 'mtalign[datasets]')")

from mtalign.batch import run_job  # noqa: E402
from tests.test_batch_dataset import (  # noqa: E402
    BAD_LINES,
    dataset_toml,
    read_dataset,
    records,
    write_jsonl,
)


def test_ray_dataset_equals_local_dataset(tmp_path, marian_tiny):
    models = {"tr": marian_tiny("tr"), "ru": marian_tiny("ru")}
    write_jsonl(tmp_path / "a.jsonl.gz", records(9), BAD_LINES[:2], gz=True)
    write_jsonl(tmp_path / "b.jsonl.gz", records(3, start=9), gz=True)
    summaries = {}
    for runner in ("local", "ray"):
        cfg = dataset_toml(
            tmp_path, models, 'jsonl = ["*.jsonl.gz"]', out=runner,
            job_extra=f'runner = "{runner}"\nworkers = 2',
        )  # fmt: skip
        summaries[runner] = run_job(cfg)
    for sub in ("data", "sentences", "failures"):
        assert read_dataset(tmp_path / "ray" / sub) == read_dataset(tmp_path / "local" / sub)
    shards = [json.loads((tmp_path / r / "manifest.json").read_text())["shards"]
              for r in ("local", "ray")]  # fmt: skip
    assert shards[0] == shards[1] and len(shards[0]) == 4
    local, ray = summaries["local"], summaries["ray"]
    assert ray.run.runner == "ray"
    assert (ray.documents, ray.documents_done, ray.documents_failed) == (14, 12, 2)
    assert ray.tasks == local.tasks
