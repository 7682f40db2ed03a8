"""Request bodies (JSON or form, size-limited), API keys, and error answers.

Every error answer is ``{"error": "..."}`` (LibreTranslate's shape) with a message safe to
show: what was wrong and the fix, never a path on the server, a key or a stack trace.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from mtalign.errors import ConfigError, InputError, LanguageError
from mtalign.serve.service import ServeError, Service
from mtalign.settings import SettingError

log = logging.getLogger(__name__)

Handler = Callable[[Request], Awaitable[Response]]


def error(status: int, message: str, retry_after: int | None = None) -> JSONResponse:
    """LibreTranslate's error shape."""
    headers = {"Retry-After": str(retry_after)} if retry_after else None
    return JSONResponse({"error": message}, status_code=status, headers=headers)


def answer(handler: Handler) -> Handler:
    """Turn what a handler raises into an error answer (400/413/429/503/500)."""

    async def wrapped(request: Request) -> Response:
        try:
            return await handler(request)
        except ServeError as exc:
            return error(exc.status, exc.message, exc.retry_after)
        except (InputError, LanguageError, ConfigError) as exc:
            return error(400, str(exc))
        except SettingError as exc:
            return error(400, exc.render(lambda k: k))
        except Exception:
            log.exception("unexpected error answering %s", request.url.path)
            return error(500, "internal error (the server log has the details)")

    return wrapped


async def read_body(request: Request, limit: int) -> bytes:
    """The body, refused with 413 as soon as it is over ``limit`` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise ServeError(413, f"the request body is over {limit} bytes; send less")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ServeError(413, f"the request body is over {limit} bytes; send less")
        chunks.append(chunk)
    body = b"".join(chunks)
    request._body = body  # so request.form() parses what was read
    return body


async def params(request: Request, limit: int) -> dict[str, Any]:
    """The request's fields: a JSON object, a urlencoded or multipart form, or the query."""
    body = await read_body(request, limit)
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    fields: dict[str, Any] = {k: v for k, v in request.query_params.items()}
    if ctype == "application/json" or (not ctype and body.lstrip().startswith(b"{")):
        try:
            data = json.loads(body or b"{}")
        except (ValueError, UnicodeDecodeError):
            raise ServeError(400, "the body is not valid JSON; send a JSON object") from None
        if not isinstance(data, dict):
            raise ServeError(400, 'the body must be a JSON object such as {"q": "..."}')
        fields.update(data)
    elif ctype == "multipart/form-data":
        form = await request.form(max_files=1, max_fields=100)
        for key in form:
            values = form.getlist(key)
            fields[key] = values if len(values) > 1 else values[0]
    elif body:
        try:
            parsed = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=10_000)
        except (UnicodeDecodeError, ValueError):
            raise ServeError(400, "the form is not valid UTF-8 urlencoded text") from None
        fields.update({k: v if len(v) > 1 else v[0] for k, v in parsed.items()})
    return fields


def text_field(fields: dict[str, Any], name: str, default: str = "") -> str:
    """A string field (400 when it is something else)."""
    value = fields.get(name, default)
    if value is None:
        return default
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise ServeError(400, f"Invalid request: {name} must be a string")
    return value


def upload(fields: dict[str, Any], name: str) -> UploadFile:
    """The uploaded file field ``name`` (400 when absent)."""
    value = fields.get(name)
    if not isinstance(value, UploadFile):
        raise ServeError(400, f"Invalid request: missing {name} parameter (a file upload)")
    return value


class Guard:
    """API keys and rate limits, checked before a request reaches the engine."""

    def __init__(self, service: Service) -> None:
        from mtalign.serve.keys import RateLimiter, load_keys

        server = service.server
        self.keys = load_keys(server.api_keys) if server.api_keys else None
        self.default_rate = server.rate_limit
        self.limiter = RateLimiter()

    def check(self, request: Request, fields: dict[str, Any]) -> None:
        """403 without a valid key (when keys are configured), 429 over the rate."""
        given = fields.get("api_key") or _bearer(request)
        client = request.client.host if request.client else "?"
        rate = self.default_rate
        if self.keys is not None:
            if not isinstance(given, str) or not given:
                raise ServeError(403, "Please give an API key (api_key); this server needs one")
            found = self.keys.find(given)
            if found is None:
                raise ServeError(403, "Invalid API key")
            client = "key:" + str(hash(found))
            rate = self.keys.limits[found] or self.default_rate
        wait = self.limiter.take(client, rate)
        if wait > 0:
            raise ServeError(
                429, f"Slowdown: {rate} requests per minute; retry later", retry_after=int(wait) + 1
            )


def _bearer(request: Request) -> str:
    auth = request.headers.get("authorization", "")
    return auth[7:].strip() if auth.lower().startswith("bearer ") else ""


def route_label(path: str, known: set[str]) -> str:
    """The path as a metrics label; unknown paths share one label."""
    if path.startswith("/download_file/"):
        return "/download_file"
    return path if path in known else "other"


class Timing:
    """ASGI middleware: requests in flight and answered, with their latency."""

    def __init__(self, app: Any, service: Service, known: set[str]) -> None:
        self.app, self.service, self.known = app, service, known

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        metrics = self.service.metrics
        status = {"code": 500}
        t0 = time.perf_counter()

        async def send_status(message: Any) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        metrics.in_flight += 1
        try:
            await self.app(scope, receive, send_status)
        finally:
            metrics.in_flight -= 1
            label = route_label(scope["path"], self.known)
            metrics.request(scope["method"], label, status["code"], time.perf_counter() - t0)
