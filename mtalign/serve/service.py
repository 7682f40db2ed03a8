"""What the endpoints share: limits, language choice, documents in and out, the engine.

No web framework here: :class:`Service` takes plain values and raises
:class:`ServeError` (an HTTP status and a message safe to show a client) or an
:class:`~mtalign.errors.MtalignError` (a bad request, its message says the fix).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from mtalign.document import document_text, segment_document
from mtalign.errors import InputError, LanguageError, MtalignError
from mtalign.glossary.model import Glossary
from mtalign.langs import normalize_lang
from mtalign.pipeline import DocResult
from mtalign.serve import formats
from mtalign.serve.config import ServeConfig
from mtalign.serve.engine import OFF, SERVER, Job, QueueFull, Stopped, Worker, glossary_digest
from mtalign.serve.metrics import Metrics
from mtalign.types import Document

log = logging.getLogger(__name__)


class ServeError(Exception):
    """An answer other than 200: status, a message for the client, optional Retry-After."""

    def __init__(self, status: int, message: str, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.retry_after = retry_after


@dataclass
class Translated:
    """One text translated into one language, with what happened on the way."""

    data: bytes  # the document in its format (UTF-8 for text)
    result: DocResult | None = None  # None: nothing to translate (blank or markup only)

    @property
    def text(self) -> str:
        return self.data.decode("utf-8", errors="replace")


@dataclass
class Translation:
    """The answer to one translation request."""

    src: str
    detected: float | None  # confidence (0-1) when the source was detected
    by_target: dict[str, list[Translated]] = field(default_factory=dict)


class Service:
    """The translation service behind every endpoint."""

    def __init__(self, config: ServeConfig, worker: Worker | None = None) -> None:
        self.config = config
        self.server = config.server
        self.metrics = Metrics()
        self.targets = tuple(config.settings.targets)
        self.sources = tuple(normalize_lang(s) for s in self.server.sources)
        self.worker = worker or Worker(
            config.settings,
            self.sources,
            queue_size=self.server.queue_size,
            batch_wait_ms=self.server.batch_wait_ms,
            metrics=self.metrics,
        )
        self.has_glossary = bool(config.settings.glossary) and (
            config.settings.glossary_mode != "off"
        )

    # -- checks ----------------------------------------------------------------------

    def check_texts(self, texts: Sequence[str]) -> None:
        """Refuse too many texts or too many characters (413)."""
        if len(texts) > self.server.max_texts:
            raise ServeError(
                413,
                f"too many texts ({len(texts)}); send at most {self.server.max_texts} per request",
            )
        chars = sum(len(t) for t in texts)
        if chars > self.server.max_chars:
            raise ServeError(
                413,
                f"too much text ({chars} characters); send at most {self.server.max_chars} per "
                "request or split it",
            )

    def source(self, value: str, texts: Sequence[str]) -> tuple[str, float | None]:
        """The source language: as given, or detected among the served ones (auto)."""
        value = (value or "auto").strip()
        if value == "auto":
            from mtalign.langid import detect

            guess = detect("\n".join(texts))
            if guess.lang == "und":
                raise LanguageError("too little text to tell its language; give source")
            if guess.lang not in self.sources:
                raise LanguageError(
                    f"the text looks like {guess.lang}, which this server does not translate "
                    f"from ({', '.join(self.sources)}); give source"
                )
            return guess.lang, guess.prob
        try:
            lang = normalize_lang(value)
        except LanguageError:
            raise LanguageError(f"{value} is not a language code; use one of {self._src}") from None
        if lang not in self.sources:
            raise LanguageError(f"{value} is not supported as a source; use one of {self._src}")
        return lang, None

    @property
    def _src(self) -> str:
        return ", ".join(self.sources)

    def target(self, value: str, src: str) -> str:
        """A served target language (other than the source)."""
        try:
            lang = normalize_lang((value or "").strip())
        except LanguageError:
            raise LanguageError(
                f"{value!r} is not a language code; use one of {', '.join(self.targets)}"
            ) from None
        if lang not in self.targets or lang == src:
            raise LanguageError(
                f"{value} is not supported as a target from {src}; use one of "
                f"{', '.join(t for t in self.targets if t != src)}"
            )
        return lang

    # -- translation -----------------------------------------------------------------

    def documents(self, texts: Sequence[str | bytes], fmt: str) -> list[Document]:
        """Each text (or file's bytes) read as a document of ``fmt``, segmented in ``src``."""
        reader = formats.reader(fmt)
        docs = []
        for i, text in enumerate(texts):
            if not isinstance(text, (str, bytes)):
                raise InputError(f"q[{i}] is not a string; send text")
            data = text.encode("utf-8") if isinstance(text, str) else text
            docs.append(reader.read(data, f"q{i}"))
        return docs

    async def translate(
        self,
        texts: Sequence[str | bytes],
        source: str,
        targets: Sequence[str],
        fmt: str = "txt",
        glossary: bool | Glossary | None = None,
    ) -> Translation:
        """Translate ``texts`` (or a file's bytes) into each of ``targets``; ``glossary``
        True uses the server's, a :class:`Glossary` is enforced for this request."""
        strings = [t for t in texts if isinstance(t, str)]
        self.check_texts(strings)  # files are bounded by max_file_bytes instead
        docs = self.documents(texts, fmt)
        prose = [document_text(d) for d in docs]
        src, confidence = self.source(source, prose)
        tgts = list(dict.fromkeys(self.target(t, src) for t in targets))
        if not tgts:
            raise InputError("no target language; give target")
        docs = [segment_document(d.with_lang(src), src) for d in docs]
        reader = formats.reader(fmt)
        gloss, request_glossary = self._glossary_choice(glossary)
        todo = [i for i, d in enumerate(docs) if any(True for _ in d.segments())]
        answer = Translation(src=src, detected=confidence)
        pending = {}
        for tgt in tgts:
            if todo:
                job = Job([docs[i] for i in todo], src, tgt, gloss, request_glossary)
                pending[tgt] = self._submit(job)
        outs = await self._wait(pending)
        for tgt in tgts:
            results = dict(zip(todo, outs.get(tgt, []), strict=True))
            answer.by_target[tgt] = [
                Translated(reader.render(results[i].outputs[tgt]), results[i])
                if i in results
                else Translated(reader.render(docs[i]))
                for i in range(len(texts))
            ]
        return answer

    def _glossary_choice(self, glossary: bool | Glossary | None) -> tuple[str, Glossary | None]:
        if isinstance(glossary, Glossary):
            return glossary_digest(glossary), glossary
        if glossary and self.has_glossary:
            return SERVER, None
        if glossary:
            raise InputError("this server has no glossary; start it with --glossary FILE")
        return OFF, None

    def _submit(self, job: Job) -> asyncio.Future[list[DocResult]]:
        try:
            return asyncio.wrap_future(self.worker.submit(job))
        except QueueFull as exc:
            raise ServeError(503, str(exc), retry_after=2) from None
        except Stopped as exc:
            raise ServeError(503, str(exc), retry_after=5) from None

    async def _wait(
        self, pending: dict[str, asyncio.Future[list[DocResult]]]
    ) -> dict[str, list[DocResult]]:
        if not pending:
            return {}
        futures = list(pending.values())
        try:
            done = await asyncio.wait_for(asyncio.gather(*futures), self.server.timeout_s)
        except TimeoutError:
            for f in futures:
                f.cancel()
            raise ServeError(
                503,
                f"the translation took longer than {self.server.timeout_s:g} s; retry later "
                "or send less text",
                retry_after=5,
            ) from None
        except MtalignError:
            raise
        except Exception:
            log.exception("translation failed")
            raise ServeError(
                500, "the translation failed (the server log has the details)"
            ) from None
        return dict(zip(pending, done, strict=True))

    # -- other services --------------------------------------------------------------

    def languages(self) -> list[dict[str, Any]]:
        """LibreTranslate's /languages: every served language with its targets."""
        out = []
        for code in dict.fromkeys((*self.sources, *self.targets)):
            targets = [t for t in self.targets if t != code] if code in self.sources else []
            out.append({"code": code, "name": _name(code), "targets": targets})
        return out

    def detect(self, text: str) -> list[dict[str, Any]]:
        """LibreTranslate's /detect: the language and a confidence out of 100."""
        from mtalign.langid import detect

        self.check_texts([text])
        guess = detect(text)
        return [{"confidence": round(guess.prob * 100, 1), "language": guess.lang}]


def _name(code: str) -> str:
    """The English name of a language (the code when babel does not know it)."""
    from babel import Locale, UnknownLocaleError

    try:
        return str(Locale.parse(code).get_display_name("en") or code)
    except (UnknownLocaleError, ValueError):
        return code
