"""Running the service on uvicorn: bind, serve, drain on SIGTERM, exit."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from mtalign.errors import ModelError
from mtalign.serve.config import ServeConfig

log = logging.getLogger(__name__)


def make_server(config: ServeConfig, worker: Any = None) -> object:
    """A ``uvicorn.Server`` for the service (not started); ``worker`` replaces the engine
    thread (tests give a stand-in)."""
    import uvicorn

    from mtalign.serve.app import create_app

    app = create_app(config, worker)
    app.state.service.worker.start()  # models load now: a missing one fails before binding
    uv = uvicorn.Config(
        app,
        host=config.server.host,
        port=config.server.port,
        log_level="warning",
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=int(config.server.drain_s) or None,
        limit_concurrency=config.server.queue_size * 4 + 64,
        server_header=False,
    )
    return _drained_server_class()(uv)


def _drained_server_class() -> type:
    import uvicorn

    class DrainedServer(uvicorn.Server):
        """uvicorn's server, but a SIGTERM/SIGINT that it has drained is a normal exit
        (uvicorn re-raises the signal after its graceful shutdown; mtalign exits 0)."""

        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            with super().capture_signals():
                yield
                captured = getattr(self, "_captured_signals", None)
                if isinstance(captured, list):
                    captured.clear()

    return DrainedServer


def serve(config: ServeConfig, on_ready: Callable[[str], None] | None = None) -> None:
    """Serve until SIGTERM/SIGINT; requests in flight are answered before the exit.

    uvicorn stops accepting connections on the signal, waits for requests in flight
    (at most ``drain_s``), then the app's shutdown finishes queued translations and
    closes the engines and the translation memory.
    """
    import asyncio

    server = make_server(config)

    async def main() -> None:
        task = asyncio.create_task(server.serve())  # type: ignore[attr-defined]
        while not server.started and not task.done():  # type: ignore[attr-defined]
            await asyncio.sleep(0.05)
        if server.started and on_ready is not None:  # type: ignore[attr-defined]
            sock = server.servers[0].sockets[0]  # type: ignore[attr-defined]
            host, port = sock.getsockname()[:2]
            on_ready(f"http://{host}:{port}/")
        await task

    asyncio.run(main())
    if not server.started:  # type: ignore[attr-defined]
        raise ModelError("the service did not start (see the messages above)")


@contextlib.contextmanager
def running(config: ServeConfig, timeout: float = 120.0, worker: Any = None) -> Iterator[str]:
    """Serve on a background thread (for tests, benchmarks, notebooks); yields the URL.

    With ``port = 0`` the system picks a free port. The server stops (answering the
    requests in flight) when the block ends.
    """
    server: Any = make_server(config, worker)
    thread = threading.Thread(target=server.run, name="mtalign-serve", daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            thread.join(timeout=5)
            raise ModelError("the service did not start (see the log)")
        time.sleep(0.02)
    host, port = server.servers[0].sockets[0].getsockname()[:2]
    try:
        yield f"http://{host}:{port}/"
    finally:
        server.should_exit = True
        thread.join(timeout=config.server.drain_s + 30)
