"""Pair alignment on Ray (``mtalign[ray]``): an actor pool, each actor loads the encoder once.

The same rule as batch jobs: workers only compute (read, embed, align, render) and send
the result back; the driver writes every file and all job state.
"""

from __future__ import annotations

import logging
import os
import pickle
from collections.abc import Callable, Sequence
from typing import Any

from mtalign.batch.ray_runner import _ENV_KEYS, import_ray

log = logging.getLogger(__name__)

#: Pairs per call of the stage: small, so results stream back and work spreads evenly.
BATCH_SIZE = 2


class AlignStage:
    """A Ray Data actor that aligns pairs with one encoder loaded for its lifetime."""

    def __init__(self, settings_blob: bytes) -> None:
        from mtalign.batch.align_work import make_embedder

        self.settings = pickle.loads(settings_blob)
        self.embedder = make_embedder(self.settings)

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        import numpy as np

        from mtalign.batch.align_work import align_pair
        from mtalign.errors import MtalignError

        out = []
        for blob in batch["spec"]:
            spec = pickle.loads(blob)
            res: tuple[Any, dict[str, Any] | None, str | None]
            try:
                res = (spec, align_pair(spec, self.settings, self.embedder), None)
            except MtalignError as exc:
                res = (spec, None, str(exc))
            out.append(pickle.dumps(res))
        arr = np.empty(len(out), dtype=object)
        arr[:] = out
        return {"result": arr}


def run_pairs_on_ray(
    todo: Sequence[Any],
    settings: Any,
    sink: Callable[[Any, dict[str, Any] | None, str | None], None],
    workers: int,
    ray_address: str | None = None,
) -> None:
    """Align ``todo`` on a local Ray (``workers`` CPUs) or the cluster at ``ray_address``."""
    ray = import_ray()
    started = False
    if not ray.is_initialized():
        kwargs: dict[str, Any] = dict(
            include_dashboard=False, log_to_driver=False, logging_level=logging.WARNING
        )
        if ray_address:
            env = {k: os.environ[k] for k in _ENV_KEYS if k in os.environ}
            ray.init(address=ray_address, runtime_env={"env_vars": env}, **kwargs)
        else:
            ray.init(num_cpus=workers, **kwargs)
        started = True
    try:
        import ray.data

        ctx = ray.data.DataContext.get_current()
        ctx.enable_progress_bars = False
        ctx.print_on_execution_start = False
        ds = ray.data.from_items([{"spec": pickle.dumps(s)} for s in todo])
        ds = ds.map_batches(
            AlignStage,
            fn_constructor_kwargs={"settings_blob": pickle.dumps(settings)},
            batch_size=BATCH_SIZE,
            compute=ray.data.ActorPoolStrategy(size=max(1, min(workers, len(todo)))),
            num_cpus=1,
        )
        for row in ds.iter_rows():
            sink(*pickle.loads(row["result"]))
    finally:
        if started:
            ray.shutdown()
