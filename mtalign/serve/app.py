"""The ASGI application: LibreTranslate routes, /v1 routes, health, metrics, the page."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from importlib import resources

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from mtalign.serve import libre, native
from mtalign.serve.config import ServeConfig
from mtalign.serve.engine import Worker
from mtalign.serve.http import Guard, Timing
from mtalign.serve.service import Service


def create_app(config: ServeConfig, worker: Worker | None = None) -> Starlette:
    """The service's ASGI app; the engine thread starts (models load) at startup."""
    service = Service(config, worker)
    guard = Guard(service)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await asyncio.to_thread(service.worker.start)
        try:
            yield
        finally:
            await asyncio.to_thread(service.worker.stop)

    async def health(request: Request) -> Response:
        ok = service.worker.alive
        body = {
            "status": "ok" if ok else "stopping",
            "queue": service.worker.depth,
            "in_flight": service.metrics.in_flight,
            "models": service.worker.models,
        }
        return JSONResponse(body, status_code=200 if ok else 503)

    async def metrics(request: Request) -> Response:
        service.metrics.set_queue(service.worker.depth)
        return PlainTextResponse(
            service.metrics.render(), media_type="text/plain; version=0.0.4; charset=utf-8"
        )

    async def page(request: Request) -> Response:
        html = resources.files("mtalign").joinpath("data/serve/index.html").read_text("utf-8")
        return HTMLResponse(html, headers={"Content-Security-Policy": _CSP})

    routes = [
        *libre.routes(service, guard),
        *native.routes(service, guard),
        Route("/health", health, methods=["GET"]),
        Route("/metrics", metrics, methods=["GET"]),
    ]
    if config.server.page:
        routes.append(Route("/", page, methods=["GET"]))
    known = {r.path for r in routes}
    middleware = [Middleware(Timing, service=service, known=known)]
    if config.server.cors_origins:
        from starlette.middleware.cors import CORSMiddleware

        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(config.server.cors_origins),
                allow_methods=["GET", "POST"],
                allow_headers=["Content-Type", "Authorization"],
            )
        )
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    app.state.service = service
    return app


#: The page loads nothing from elsewhere and runs only its own inline script.
_CSP = "default-src 'self'; script-src 'unsafe-inline' 'self'; style-src 'unsafe-inline' 'self'"
