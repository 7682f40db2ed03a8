"""LibreTranslate-compatible endpoints: /translate, /languages, /detect, /translate_file.

Field names, status codes and the ``{"error": ...}`` shape follow LibreTranslate, so its
clients and CMS plugins work unchanged. ``alternatives`` is accepted and answered with an
empty list per text: n-best outputs would bypass the quality gate and the glossary.
"""

from __future__ import annotations

import os
import secrets
import time
from collections import OrderedDict
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from mtalign.serve import formats
from mtalign.serve.http import Guard, answer, params, text_field, upload
from mtalign.serve.service import ServeError, Service

#: Translated files kept for /download_file (in memory: nothing is written to disk).
_KEEP_FILES = 64
_KEEP_SECONDS = 600


class FileStore:
    """Translated files waiting to be downloaded, newest last, bounded in count and age."""

    def __init__(self) -> None:
        self._files: OrderedDict[str, tuple[float, str, bytes]] = OrderedDict()

    def put(self, name: str, data: bytes) -> str:
        token = secrets.token_urlsafe(16)
        self._files[token] = (time.monotonic(), name, data)
        while len(self._files) > _KEEP_FILES:
            self._files.popitem(last=False)
        return token

    def get(self, token: str) -> tuple[str, bytes] | None:
        now = time.monotonic()
        for key in [k for k, v in self._files.items() if now - v[0] > _KEEP_SECONDS]:
            del self._files[key]
        found = self._files.get(token)
        return (found[1], found[2]) if found else None


class LibreAPI:
    """The LibreTranslate endpoints, bound to a service."""

    def __init__(self, service: Service, guard: Guard) -> None:
        self.service, self.guard, self.server = service, guard, service.server
        self.store = FileStore()

    def routes(self) -> list[Route]:
        return [
            Route("/translate", answer(self.translate), methods=["POST"]),
            Route("/languages", self.languages, methods=["GET", "POST"]),
            Route("/detect", answer(self.detect), methods=["POST"]),
            Route("/translate_file", answer(self.translate_file), methods=["POST"]),
            Route("/download_file/{token}", self.download, methods=["GET"]),
            Route("/frontend/settings", self.settings, methods=["GET"]),
        ]

    async def translate(self, request: Request) -> Response:
        fields = await params(request, self.server.max_body_bytes)
        self.guard.check(request, fields)
        q = fields.get("q")
        if q is None:
            raise ServeError(400, "Invalid request: missing q parameter")
        texts = q if isinstance(q, list) else [q]
        if not all(isinstance(t, str) for t in texts):
            raise ServeError(400, "Invalid request: q must be a string or a list of strings")
        source = text_field(fields, "source", "auto")
        target = text_field(fields, "target")
        if not target:
            raise ServeError(400, "Invalid request: missing target parameter")
        fmt = formats.text_format(text_field(fields, "format", "text"))
        alternatives = _count(fields.get("alternatives", 0))
        result = await self.service.translate(texts, source, [target], fmt, glossary=False)
        outs = [t.text for t in result.by_target[self.service.target(target, result.src)]]
        many = isinstance(q, list)
        body: dict[str, Any] = {"translatedText": outs if many else outs[0]}
        if alternatives:
            body["alternatives"] = [[] for _ in outs] if many else []
        if result.detected is not None:
            detected = {"confidence": round(result.detected * 100, 1), "language": result.src}
            body["detectedLanguage"] = [detected] * len(outs) if many else detected
        return JSONResponse(body)

    async def languages(self, request: Request) -> Response:
        return JSONResponse(self.service.languages())

    async def detect(self, request: Request) -> Response:
        fields = await params(request, self.server.max_body_bytes)
        self.guard.check(request, fields)
        q = fields.get("q")
        if not isinstance(q, str):
            raise ServeError(400, "Invalid request: missing q parameter")
        return JSONResponse(self.service.detect(q))

    async def translate_file(self, request: Request) -> Response:
        server = self.server
        fields = await params(request, server.max_file_bytes + 64 * 1024)
        self.guard.check(request, fields)
        up = upload(fields, "file")
        data = await up.read()
        if len(data) > server.max_file_bytes:
            raise ServeError(413, f"the file is over {server.max_file_bytes} bytes; send less")
        name = os.path.basename(up.filename or "document.txt") or "document.txt"
        source = text_field(fields, "source", "auto")
        target = text_field(fields, "target")
        if not target:
            raise ServeError(400, "Invalid request: missing target parameter")
        fmt = formats.format_of(name)
        result = await self.service.translate([data], source, [target], fmt, glossary=False)
        tgt = self.service.target(target, result.src)
        stem, ext = os.path.splitext(name)
        token = self.store.put(f"{stem}.{tgt}{ext}", result.by_target[tgt][0].data)
        return JSONResponse({"translatedFileUrl": f"{request.base_url}download_file/{token}"})

    async def download(self, request: Request) -> Response:
        found = self.store.get(request.path_params["token"])
        if found is None:
            return JSONResponse({"error": "no such file (files are kept 10 minutes)"}, 404)
        name, data = found
        safe = name.encode("ascii", "replace").decode().replace('"', "_")
        headers = {"Content-Disposition": f'attachment; filename="{safe}"'}
        return Response(data, media_type="application/octet-stream", headers=headers)

    async def settings(self, request: Request) -> Response:
        service, server = self.service, self.server
        return JSONResponse(
            {
                "apiKeys": self.guard.keys is not None,
                "keyRequired": self.guard.keys is not None,
                "charLimit": server.max_chars,
                "frontendTimeout": int(server.timeout_s * 1000),
                "filesTranslation": True,
                "glossary": service.has_glossary,
                "supportedFilesFormat": [f".{f}" for f in formats.served()],
                "language": {
                    "source": {"code": service.sources[0]},
                    "target": {"code": service.targets[0]},
                },
            }
        )


def routes(service: Service, guard: Guard) -> list[Route]:
    """The LibreTranslate routes, bound to ``service``."""
    return LibreAPI(service, guard).routes()


def _count(value: Any) -> int:
    try:
        return max(0, min(int(value or 0), 3))
    except (TypeError, ValueError):
        raise ServeError(400, "Invalid request: alternatives must be a number") from None
