"""The local runner: one process, each model loaded once and kept for the whole job."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import msgspec

from mtalign.batch.config import JobConfig
from mtalign.batch.state import DocEntry
from mtalign.batch.work import DocWork, load_entry, translate_chunk
from mtalign.pipeline import TranslationSession, set_threads

#: Documents translated together in one round of model calls.
CHUNK_DOCS = 16


def run_local(
    cfg: JobConfig,
    todo: Sequence[DocEntry],
    sink: Callable[[DocWork], None],
    session: TranslationSession | None = None,
    progress: bool = False,
) -> None:
    """Translate ``todo`` in chunks of documents, handing each result to ``sink``.

    The documents of a chunk share model calls (many short articles batch as well as one
    long one); ``sink`` writes and marks each document before the next chunk starts, so an
    interrupt loses at most one chunk, whose sentences the translation memory still has.
    ``session`` lets tests inject engines; ``progress`` shows each chunk's sentences as
    they finish (under the job's document bar).
    """
    own = session is None
    if session is None:
        set_threads(cfg.settings)
        # Sentence bars under the job's document bar, so a chunk shows work as it finishes.
        settings = msgspec.structs.replace(cfg.settings, progress=progress)
        session = TranslationSession(settings)
        session.nested_progress = True
    langs = cfg.settings.targets
    try:
        src = cfg.settings.src
        if src not in (None, "auto"):
            # A missing model fails the job before any document is touched.
            session.prepare([(src, t) for t in langs if t != src])
        for start in range(0, len(todo), CHUNK_DOCS):
            works = [load_entry(e, cfg, langs) for e in todo[start : start + CHUNK_DOCS]]
            for tgt in langs:
                translate_chunk(works, session, tgt)
            for work in works:
                sink(work)
    finally:
        if own:
            session.close()
