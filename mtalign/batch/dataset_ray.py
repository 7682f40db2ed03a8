"""Dataset jobs on Ray: units spread over an actor pool that keeps the models loaded.

Each actor reads its unit's rows from storage and writes the unit's parts to the output
folder itself (on a cluster: shared storage), so no row passes through the driver; only
each unit's counts come back, and the driver records the unit as done. The actors run the
same :func:`~mtalign.batch.dataset_unit.process_unit` as the local runner, so both runners
write the same rows.

Why not ``ray.data.read_json(...).map_batches(...).write_parquet(...)``: Ray's writers name
their files and cut their blocks themselves and record nothing per file, so a killed job
could neither tell which shards were complete nor resume into the same files; units with
fixed row ranges give shard-level resume and local-vs-Ray equality.
"""

from __future__ import annotations

import logging
import pickle
from collections.abc import Callable, Sequence
from typing import Any

from mtalign.batch.config import JobConfig
from mtalign.batch.dataset_unit import Unit, UnitResult
from mtalign.batch.ray_runner import _dumps, ray_session

log = logging.getLogger(__name__)


class UnitStage:
    """A Ray Data actor: one translation session (every target's model), many units."""

    def __init__(self, cfg_blob: bytes) -> None:
        from mtalign.pipeline import TranslationSession, set_threads

        self.cfg: JobConfig = pickle.loads(cfg_blob)
        set_threads(self.cfg.settings)  # an actor is its own process: this is its edge
        self.session = TranslationSession(self.cfg.settings)

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        import numpy as np

        from mtalign.batch.dataset_unit import process_unit

        out = []
        for blob in batch["unit"]:
            unit = pickle.loads(blob)
            res = process_unit(unit, self.cfg, self.session)
            out.append(_dumps((unit, res)))
        arr = np.empty(len(out), dtype=object)
        arr[:] = out
        return {"result": arr}


def run_units_ray(
    cfg: JobConfig,
    todo: Sequence[Unit],
    sink: Callable[[Unit, UnitResult], None],
    tick: Callable[[int, int], None] | None = None,
) -> None:
    """Process ``todo`` on a local Ray or a cluster; each finished unit goes to ``sink``."""
    with ray_session(cfg) as ray:
        ds = ray.data.from_items([{"unit": _dumps(u)} for u in todo])
        ds = ds.map_batches(
            UnitStage,
            fn_constructor_kwargs={"cfg_blob": _dumps(cfg)},
            batch_size=1,
            compute=ray.data.ActorPoolStrategy(size=min(cfg.workers, len(todo))),
            num_cpus=1,
        )
        for row in ds.iter_rows():
            unit, res = pickle.loads(row["result"])
            sink(unit, res)
            if tick is not None:
                tick(res.stats.records, 0)
