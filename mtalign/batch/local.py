"""The local runner: one process, each model loaded once and kept for the whole job."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from mtalign.batch.config import JobConfig
from mtalign.batch.state import DocEntry
from mtalign.batch.work import DocWork, translate_entry
from mtalign.pipeline import TranslationSession


def run_local(
    cfg: JobConfig,
    todo: Sequence[DocEntry],
    sink: Callable[[DocWork], None],
    session: TranslationSession | None = None,
) -> None:
    """Translate ``todo`` document by document, handing each result to ``sink`` at once.

    ``sink`` writes and marks the document before the next one starts, so an interrupt
    loses at most the document in flight. ``session`` lets tests inject engines.
    """
    own = session is None
    session = session or TranslationSession(cfg.settings)
    langs = cfg.settings.targets
    try:
        src = cfg.settings.src
        if src not in (None, "auto"):
            # A missing model fails the job before any document is touched.
            session.prepare([(src, t) for t in langs if t != src])
        for entry in todo:
            sink(translate_entry(entry, cfg, session, langs))
    finally:
        if own:
            session.close()
