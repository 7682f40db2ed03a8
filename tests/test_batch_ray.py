"""The Ray runner (local Ray, 2 CPUs) writes exactly what the local runner writes.

One Ray start for the module: it is slow. Skipped when Ray Data is not installed
(``pip install 'mtalign[ray]'``).
"""

from __future__ import annotations

import json

import pytest

pytest.importorskip("ray.data", reason="Ray Data not installed (pip install 'mtalign[ray]')")

from mtalign.batch import run_job  # noqa: E402
from tests.test_batch import job_toml, read_outputs, write_records  # noqa: E402


@pytest.fixture(scope="module")
def runs(tmp_path_factory, marian_tiny):
    """The same job (good and bad documents) run locally and on Ray, separate caches."""
    models = {"tr": marian_tiny("tr"), "ru": marian_tiny("ru")}
    results = {}
    for runner in ("local", "ray"):
        root = tmp_path_factory.mktemp(f"job-{runner}")
        write_records(root / "docs.jsonl", 10)
        with (root / "docs.jsonl").open("a", encoding="utf-8") as fh:
            fh.write(json.dumps({"id": "../escape", "text": "Talks on the ports went on."}) + "\n")
            fh.write(json.dumps({"id": "empty", "text": ""}) + "\n")
        (root / "a.md").write_text(
            "# Ports\n\nOfficials met in Moscow on `Tuesday` to discuss the ports.\n",
            encoding="utf-8",
        )
        cfg = job_toml(
            root,
            models,
            files=["*.md"],
            jsonl=["docs.jsonl"],
            extra_job=f'runner = "{runner}"\nworkers = 2',
        )
        summary = run_job(cfg)
        results[runner] = (summary, read_outputs(root / "out"))
    return results


def test_ray_outputs_equal_local_outputs(runs):
    local, local_files = runs["local"]
    ray, ray_files = runs["ray"]
    assert ray.run.runner == "ray" and local.run.runner == "local"
    assert sorted(ray_files) == sorted(local_files)
    assert len([n for n in ray_files if n.endswith(".tr.txt")]) == 11
    assert "a.tr.md" in ray_files and "a.ru.md" in ray_files
    assert ray_files == local_files


def test_ray_state_and_summary_equal_local(runs):
    local, _ = runs["local"]
    ray, _ = runs["ray"]
    assert (ray.documents, ray.documents_done, ray.documents_failed) == (13, 12, 1)
    assert ray.tasks == local.tasks
    assert [(f["id"], f["languages"]) for f in ray.failures] == [("empty", ["ru", "tr"])]
    assert [(f["id"], f["languages"]) for f in local.failures] == [("empty", ["ru", "tr"])]
    assert ray.languages == local.languages
