"""The engine thread: models loaded once, requests coalesced into shared engine batches.

Engines are not assumed thread-safe, so one thread owns them, the translation memory
(SQLite) and the sessions. Requests become :class:`Job` values on a bounded queue; the
thread takes the first waiting job, waits a few milliseconds for more (up to
``batch_tokens`` source tokens), and translates each group of jobs that share a language
pair and glossary with one :func:`mtalign.pipeline.translate_group` call, whose engine
batches then hold sentences of many requests. A job's answer is a
:class:`concurrent.futures.Future`, which the event loop awaits.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

import msgspec

from mtalign.engines.base import Translator
from mtalign.errors import MtalignError
from mtalign.glossary.model import Glossary
from mtalign.hashing import json_digest
from mtalign.langid import LangGuess
from mtalign.pipeline import DocResult, PairEngine, TranslationSession, translate_group
from mtalign.pipeline.session import resolve_pairs
from mtalign.settings import TranslateSettings
from mtalign.tm import NullMemory, TranslationMemory
from mtalign.types import Document

log = logging.getLogger(__name__)

#: Glossary choices of a job: none, the one configured at start, or one sent with it.
OFF, SERVER = "off", "server"


class QueueFull(MtalignError):
    """The engine queue is full; the client should retry after a while."""


class Stopped(MtalignError):
    """The service is shutting down and takes no new work."""


@dataclass
class Job:
    """Documents of one request for one target language, and where the answer goes."""

    docs: Sequence[Document]
    src: str
    tgt: str
    glossary: str = OFF  # OFF, SERVER, or a request glossary's digest
    request_glossary: Glossary | None = None
    future: Future[list[DocResult]] = field(default_factory=Future)

    @property
    def tokens(self) -> int:
        return sum(len(s.text.split()) for d in self.docs for s in d.segments())


class _Shared:
    """A loaded engine shared by every session; sessions' close() leaves it loaded."""

    def __init__(self, inner: Translator) -> None:
        self.inner = inner

    def translate(self, *args: Any, **kwargs: Any) -> Any:
        return self.inner.translate(*args, **kwargs)

    def close(self) -> None:  # the worker closes the real engine at shutdown
        pass

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


class Worker:
    """Owns the engines; translates queued jobs in coalesced batches on its own thread."""

    def __init__(
        self,
        settings: TranslateSettings,
        sources: Sequence[str],
        queue_size: int = 256,
        batch_wait_ms: float = 5.0,
        metrics: Any = None,
    ) -> None:
        self.settings = settings
        self.sources = tuple(sources)
        self.pairs = [(s, t) for s in self.sources for t in settings.targets if s != t]
        self.batch_wait = batch_wait_ms / 1000.0
        self.metrics = metrics
        self._queue: queue.Queue[Job | None] = queue.Queue(maxsize=queue_size)
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._accepting = False
        self._engines: dict[tuple[str, str], PairEngine] = {}
        self._loaded: dict[tuple[str, str], Translator] = {}
        self._sessions: dict[str, TranslationSession] = {}
        self._memory: Any = None
        self.models: dict[str, dict[str, str]] = {}

    # -- life cycle -------------------------------------------------------------------

    def start(self, timeout: float | None = None) -> None:
        """Resolve and load every model on the engine thread; raise what failed.

        A second call (the app's startup after the command line started it) does nothing.
        """
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._main, name="mtalign-engine", daemon=True)
        self._thread.start()
        self._ready.wait(timeout)
        if self._error is not None:
            raise self._error
        self._accepting = True

    def stop(self) -> None:
        """Take no new jobs, finish the queued ones, close engines and memory."""
        self._accepting = False
        if self._thread is not None and self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()

    @property
    def depth(self) -> int:
        return self._queue.qsize()

    @property
    def alive(self) -> bool:
        return self._accepting and self._thread is not None and self._thread.is_alive()

    def submit(self, job: Job) -> Future[list[DocResult]]:
        """Queue ``job``; :class:`QueueFull` when the queue is full, :class:`Stopped` when
        shutting down."""
        if not self.alive:
            raise Stopped("the service is shutting down; retry on another instance")
        try:
            self._queue.put_nowait(job)
        except queue.Full:
            raise QueueFull("the translation queue is full; retry after a few seconds") from None
        if self.metrics is not None:
            self.metrics.set_queue(self._queue.qsize())
        return job.future

    # -- the engine thread --------------------------------------------------------------

    def _main(self) -> None:
        try:
            self._open()
        except BaseException as exc:  # reported to start(), which raises it
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        try:
            self._loop()
        finally:
            self._close()

    def _open(self) -> None:
        settings = self.settings
        self._engines = resolve_pairs(self.pairs, settings)
        self._memory = TranslationMemory(settings.cache_path) if settings.cache else NullMemory()
        for key, pe in self._engines.items():
            self._loaded[key] = _Shared(_load(pe, settings))
            self.models[f"{key[0]}-{key[1]}"] = {
                "model": pe.model.model_id,
                "revision": pe.model.revision,
                "engine": pe.engine,
            }

    def _close(self) -> None:
        for translator in self._loaded.values():
            translator.inner.close()  # type: ignore[attr-defined]
        self._loaded.clear()
        if self._memory is not None:
            self._memory.close()

    def _loop(self) -> None:
        stop = False
        while not stop:
            first = self._queue.get()
            if first is None:
                break
            batch, budget = [first], first.tokens
            deadline = time.monotonic() + self.batch_wait
            while budget < self.settings.batch_tokens:
                try:
                    nxt = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
                except queue.Empty:
                    break
                if nxt is None:
                    stop = True
                    break
                batch.append(nxt)
                budget += nxt.tokens
            if self.metrics is not None:
                self.metrics.set_queue(self._queue.qsize())
            self._run_batch([j for j in batch if j.future.set_running_or_notify_cancel()])
        while not self._queue.empty():  # a stop that raced a submit: answer, never drop
            job = self._queue.get_nowait()
            if job is not None and job.future.set_running_or_notify_cancel():
                self._run_batch([job])

    def _run_batch(self, jobs: list[Job]) -> None:
        groups: dict[tuple[str, str, str], list[Job]] = {}
        for job in jobs:
            groups.setdefault((job.src, job.tgt, job.glossary), []).append(job)
        for (_, tgt, gloss), group in groups.items():
            t0 = time.perf_counter()
            try:
                session = self._session(gloss, group[0].request_glossary)
                results = [DocResult(doc=d, guess=LangGuess(j.src, 1.0)) for j in group
                           for d in j.docs]  # fmt: skip
                translate_group(session, results, tgt)
            except Exception as exc:  # every job of the group gets the error as its answer
                log.warning(
                    "translation failed: %s", exc, exc_info=not isinstance(exc, MtalignError)
                )
                for job in group:
                    job.future.set_exception(exc)
                continue
            self._count(results, time.perf_counter() - t0)
            start = 0
            for job in group:
                job.future.set_result(results[start : start + len(job.docs)])
                start += len(job.docs)

    def _count(self, results: list[DocResult], seconds: float) -> None:
        if self.metrics is None:
            return
        segments = sum(st.segments for r in results for st in r.stats.values())
        cached = sum(st.cached for r in results for st in r.stats.values())
        tokens = sum(len(s.text.split()) for r in results for s in r.doc.segments())
        self.metrics.add(batches=1, segments=segments, cached=cached, tokens=tokens,
                         engine_seconds=seconds)  # fmt: skip

    def _session(self, gloss: str, request_glossary: Glossary | None) -> TranslationSession:
        """The session of a glossary choice (engines and memory shared by all)."""
        if gloss in self._sessions:
            return self._sessions[gloss]
        base = self.settings
        off = msgspec.structs.replace(base, glossary=(), glossary_mode="off", consistency=False)
        factory = self._factory
        if gloss == SERVER:
            session = TranslationSession(base, self._engines, factory, self._memory)
        elif gloss == OFF:
            session = TranslationSession(off, self._engines, factory, self._memory)
        else:
            session = TranslationSession(off, self._engines, factory, self._memory)
            # A glossary sent with a request: enforced, keyed in the memory by its content.
            session.settings = msgspec.structs.replace(
                off, glossary=("<request>",), glossary_mode="enforce"
            )
            session.glossary = request_glossary
            session.glossary_fingerprint = gloss
            return session  # not kept: each request glossary is its own
        self._sessions[gloss] = session
        return session

    def _factory(self, pe: PairEngine) -> Translator:
        return self._loaded[(pe.src, pe.tgt)]


def _load(pe: PairEngine, settings: TranslateSettings) -> Translator:
    from mtalign.engines import load_translator
    from mtalign.pipeline.session import engine_threads

    log.info("loading %s (%s) for %s-%s", pe.model.model_id, pe.engine, pe.src, pe.tgt)
    return load_translator(
        pe.engine,
        pe.model,
        device=settings.device,
        compute_type=settings.compute_type,
        threads=engine_threads(settings),
    )


def glossary_digest(glossary: Glossary) -> str:
    """A content key for a glossary sent with a request."""
    terms = [[t.id, t.source, dict(t.targets)] for t in glossary]
    return "request:" + json_digest(terms, 16)
