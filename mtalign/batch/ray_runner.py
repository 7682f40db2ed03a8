"""The Ray runner: the same job on a local Ray or an existing cluster (``mtalign[ray]``).

Ray Data carries the documents through one ``map_batches`` stage per target language;
each stage is an actor pool whose workers load their model once and keep it. Documents
are loaded (decoded, checked, segmented) by the first stage. Workers only compute: the
results stream back to the driver, which writes every file and all job state itself.
"""

from __future__ import annotations

import logging
import os
import pickle
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from mtalign.batch.config import JobConfig
from mtalign.batch.state import DocEntry
from mtalign.batch.work import DocWork, load_entry, translate_into
from mtalign.errors import ConfigError

log = logging.getLogger(__name__)

#: Documents per call of a stage: small, so results stream back and work spreads evenly.
BATCH_SIZE = 4
#: Environment a worker needs to find models and caches like the driver does.
_ENV_KEYS = (
    "MTALIGN_HOME",
    "MTALIGN_MODELS",
    "HF_HOME",
    "HF_HUB_CACHE",
    "HF_HUB_OFFLINE",
    "TRANSFORMERS_OFFLINE",
    "TRANSFORMERS_VERBOSITY",
    "TOKENIZERS_PARALLELISM",
)


def import_ray() -> Any:
    """The ``ray`` module, or a ConfigError saying how to install it."""
    try:
        import ray
        import ray.data  # noqa: F401
    except ImportError:
        raise ConfigError(
            "the ray runner needs Ray Data: pip install 'mtalign[ray]' "
            "(or pip install 'ray[data]'), or use runner = \"local\""
        ) from None
    return ray


class TranslateStage:
    """A Ray Data actor translating documents into one language (model loaded once)."""

    def __init__(self, cfg_blob: bytes, tgt: str) -> None:
        from mtalign.pipeline import TranslationSession, set_threads

        self.cfg: JobConfig = pickle.loads(cfg_blob)
        self.tgt = tgt
        set_threads(self.cfg.settings)  # an actor is its own process: this is its edge
        self.session = TranslationSession(self.cfg.settings)

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        import numpy as np

        out = []
        langs = self.cfg.settings.targets
        for blob in batch["work"]:
            obj = pickle.loads(blob)
            work = load_entry(obj, self.cfg, langs) if isinstance(obj, DocEntry) else obj
            translate_into(work, self.session, self.tgt)
            out.append(_dumps(work))
        arr = np.empty(len(out), dtype=object)
        arr[:] = out
        return {"work": arr}


def _dumps(obj: Any) -> bytes:
    # Documents hold read-only mappings (MappingProxyType) that plain pickle refuses.
    from ray import cloudpickle

    return cloudpickle.dumps(obj)


def plan_pools(workers: int, n_targets: int) -> tuple[int, float]:
    """Actors per language and CPUs per actor for ``workers`` CPUs shared by the languages."""
    pool = max(1, workers // n_targets)
    cpus = min(1.0, workers / (n_targets * pool))
    return pool, cpus


@contextmanager
def ray_session(cfg: JobConfig) -> Iterator[Any]:
    """Ray, started for this job (or the running one), with Ray Data's chatter off.

    A missing model fails before Ray starts, with the pipeline's message; remote workers
    get the environment they need to find models and caches (``_ENV_KEYS``).
    """
    ray = import_ray()
    src = cfg.settings.src
    if src not in (None, "auto"):
        from mtalign.pipeline import resolve_pairs

        resolve_pairs([(src, t) for t in cfg.settings.targets if t != src], cfg.settings)
    started = False
    if not ray.is_initialized():
        env = {k: os.environ[k] for k in _ENV_KEYS if k in os.environ}
        kwargs: dict[str, Any] = dict(
            include_dashboard=False, log_to_driver=False, logging_level=logging.WARNING
        )
        if cfg.ray_address:
            # Remote workers do not inherit this process's environment.
            ray.init(address=cfg.ray_address, runtime_env={"env_vars": env}, **kwargs)
        else:
            ray.init(num_cpus=cfg.workers, **kwargs)
        started = True
    try:
        import ray.data

        ctx = ray.data.DataContext.get_current()
        ctx.enable_progress_bars = False
        ctx.print_on_execution_start = False
        yield ray
    finally:
        if started:
            ray.shutdown()


def run_ray(
    cfg: JobConfig,
    todo: Sequence[DocEntry],
    sink: Callable[[DocWork], None],
) -> None:
    """Translate ``todo`` on Ray; each finished document goes to ``sink`` on the driver."""
    with ray_session(cfg) as ray:
        langs = cfg.settings.targets
        pool, cpus = plan_pools(cfg.workers, len(langs))
        blob = _dumps(cfg)
        ds = ray.data.from_items([{"work": _dumps(e)} for e in todo])
        for tgt in langs:
            ds = ds.map_batches(
                TranslateStage,
                fn_constructor_kwargs={"cfg_blob": blob, "tgt": tgt},
                batch_size=BATCH_SIZE,
                compute=ray.data.ActorPoolStrategy(size=pool),
                num_cpus=cpus,
            )
        for row in ds.iter_rows():
            sink(pickle.loads(row["work"]))
