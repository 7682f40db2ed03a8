"""mtalign's own endpoints, versioned under ``/v1``: several targets, glossaries, per-segment
quality flags and term reports, alignment of two texts; the schema at ``/v1/openapi.json``.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from mtalign.glossary.model import Glossary
from mtalign.serve import formats
from mtalign.serve.http import Guard, answer, params, text_field
from mtalign.serve.openapi import schema
from mtalign.serve.service import ServeError, Service, Translated

#: Longest source or target form in a glossary sent with a request.
MAX_FORM_CHARS = 200


def request_glossary(entries: Any, src: str, limit: int) -> Glossary:
    """A glossary from ``[{"en": "Idlib", "tr": "İdlib"}, ...]`` (``|`` separates forms)."""
    from mtalign.glossary.formats import parse_table

    if not isinstance(entries, list) or not entries:
        raise ServeError(400, 'glossary must be "server", "none" or a list of terms')
    if len(entries) > limit:
        raise ServeError(413, f"the glossary has {len(entries)} terms; send at most {limit}")
    langs: dict[str, None] = {src: None}
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict) or src not in entry:
            raise ServeError(400, f"glossary[{i}]: expected an object with a {src!r} form")
        for lang, form in entry.items():
            ok = isinstance(lang, str) and lang.isascii() and lang.replace("-", "").isalpha()
            if not ok or not isinstance(form, str) or len(form) > MAX_FORM_CHARS:
                raise ServeError(
                    400, f"glossary[{i}]: each key is a language code, each value a string "
                    f"of at most {MAX_FORM_CHARS} characters",
                )  # fmt: skip
            if any(c in form for c in "\t\r\n"):
                raise ServeError(400, f"glossary[{i}]: a form may not hold tabs or line breaks")
            langs[lang] = None
    header = list(langs)
    rows = ["\t".join(header)]
    rows += ["\t".join(str(e.get(lang, "")) for lang in header) for e in entries]
    return parse_table("\n".join(rows) + "\n", "request glossary", "\t", src_lang=src)


def _segments(item: Translated, tgt: str) -> dict[str, Any]:
    res = item.result
    out: dict[str, Any] = {"text": item.text, "segments": [], "terms": []}
    if res is None:
        return out
    segs = list(res.doc.segments())
    for seg, outcome in zip(segs, res.outcomes[tgt], strict=True):
        out["segments"].append(
            {
                "id": seg.id,
                "source": seg.text,
                "text": outcome.text,
                "flags": [{"kind": f.kind, "detail": f.detail} for f in outcome.flags],
                "cached": outcome.cached,
                "retried": outcome.retried,
            }
        )
    report = res.glossary.get(tgt) or {}
    out["terms"] = report.get("hits", [])
    return out


def routes(service: Service, guard: Guard) -> list[Route]:
    """The /v1 routes, bound to ``service``."""
    server = service.server
    aligner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mtalign-align")

    @answer
    async def translate(request: Request) -> Response:
        fields = await params(request, server.max_body_bytes)
        guard.check(request, fields)
        texts = fields.get("texts", [fields["text"]] if "text" in fields else None)
        if not isinstance(texts, list) or not texts:
            raise ServeError(400, "give text (a string) or texts (a list of strings)")
        targets = fields.get("targets") or service.targets
        if isinstance(targets, str):
            targets = [t for t in targets.split(",") if t]
        if not isinstance(targets, list) or not all(isinstance(t, str) for t in targets):
            raise ServeError(400, "targets must be a list of language codes")
        source = text_field(fields, "source", "auto")
        fmt = formats.text_format(text_field(fields, "format", "text"))
        choice = fields.get("glossary", "server" if service.has_glossary else "none")
        glossary: bool | Glossary
        if choice in ("server", "none"):
            glossary = choice == "server"
        else:
            service.check_texts([t for t in texts if isinstance(t, str)])
            src, _ = service.source(source, [t for t in texts if isinstance(t, str)])
            source = src
            glossary = request_glossary(choice, src, server.max_glossary_terms)
        result = await service.translate(texts, source, targets, fmt, glossary=glossary)
        body: dict[str, Any] = {"source": result.src, "translations": {}}
        if result.detected is not None:
            body["detected_confidence"] = result.detected
        for tgt, items in result.by_target.items():
            body["translations"][tgt] = [_segments(item, tgt) for item in items]
        body["models"] = {k: v for k, v in service.worker.models.items()
                          if k.startswith(result.src + "-")}  # fmt: skip
        return JSONResponse(body)

    @answer
    async def align(request: Request) -> Response:
        fields = await params(request, server.max_body_bytes)
        guard.check(request, fields)
        src_text, tgt_text = text_field(fields, "source"), text_field(fields, "target")
        if not src_text.strip() or not tgt_text.strip():
            raise ServeError(400, "give source and target (the two texts to align)")
        service.check_texts([src_text, tgt_text])
        src_lang = text_field(fields, "source_lang", "en")
        tgt_lang = text_field(fields, "target_lang")
        if not tgt_lang:
            raise ServeError(400, "give target_lang (the language of target)")
        method = text_field(fields, "method", "length")
        if method not in ("length", "embedding", "embedding+length", "auto"):
            raise ServeError(400, "method must be length, embedding, embedding+length or auto")
        max_bead = fields.get("max_bead", 3)
        if not isinstance(max_bead, int) or not 1 <= max_bead <= 4:
            raise ServeError(400, "max_bead must be a whole number from 1 to 4")
        loop = asyncio.get_running_loop()
        out = await loop.run_in_executor(
            aligner, _align, src_text, tgt_text, src_lang, tgt_lang, method, max_bead
        )
        return JSONResponse(out)

    async def languages(request: Request) -> Response:
        return JSONResponse(service.languages())

    async def openapi(request: Request) -> Response:
        return JSONResponse(schema(service))

    return [
        Route("/v1/translate", translate, methods=["POST"]),
        Route("/v1/align", align, methods=["POST"]),
        Route("/v1/languages", languages, methods=["GET"]),
        Route("/v1/openapi.json", openapi, methods=["GET"]),
    ]


def _align(
    src_text: str, tgt_text: str, src_lang: str, tgt_lang: str, method: str, max_bead: int
) -> dict[str, Any]:
    from mtalign.align import align
    from mtalign.langs import normalize_lang
    from mtalign.segment import split_sentences

    s_lang, t_lang = normalize_lang(src_lang), normalize_lang(tgt_lang)
    src = [s for s in split_sentences(src_text, s_lang) if s.strip()]
    tgt = [s for s in split_sentences(tgt_text, t_lang) if s.strip()]
    result = align(src, tgt, s_lang, t_lang, method=method, max_bead=max_bead)
    beads = [
        {
            "src": list(b.src),
            "tgt": list(b.tgt),
            "kind": b.kind,
            "score": round(float(b.score), 4),
            "source": " ".join(src[i] for i in b.src),
            "target": " ".join(tgt[i] for i in b.tgt),
        }
        for b in result.beads
    ]
    return {"source_sentences": src, "target_sentences": tgt, "beads": beads}
