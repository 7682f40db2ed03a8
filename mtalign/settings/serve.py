"""The ``[server]`` table of a service config (``mtalign serve --config FILE``), declared once.

A service config has ``[server]`` (this table), ``[translate]`` (the
:class:`~mtalign.settings.TranslateSettings` keys of a batch job's ``[translate]``) and
``[glossary]`` (as in a job). Command-line options override the file.
"""

from __future__ import annotations

from typing import Annotated

import msgspec

from mtalign.settings.schema import setting

#: TranslateSettings keys a service config's [translate] table may set (the glossary comes
#: from [glossary]; progress is always off; the source is per request or [server] sources).
SERVE_TRANSLATE_KEYS = (
    "targets", "engine", "models", "beam", "device", "compute_type", "batch_tokens",
    "unit", "cache", "cache_path", "quality_gate", "retry", "min_length", "max_length",
    "threads", "consistency",
)  # fmt: skip


class ServerTable(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """``[server]``: where the service listens, what it accepts, how it protects itself."""

    host: Annotated[
        str,
        setting(
            "address to bind (0.0.0.0 listens on every interface: put API keys in front)",
            metavar="ADDRESS",
            cli="--host",
        ),
    ] = "127.0.0.1"
    port: Annotated[
        int, setting("TCP port (0: any free port, printed)", metavar="N", ge=0, le=65535)
    ] = 5000
    sources: Annotated[
        tuple[str, ...],
        setting("source languages served (source=auto picks among them)", metavar="LANG"),
    ] = ("en",)
    max_chars: Annotated[
        int,
        setting("most characters of text in one request (413 over it)", metavar="N", ge=1),
    ] = 20_000
    max_texts: Annotated[
        int, setting("most texts in one q list (413 over it)", metavar="N", ge=1, le=100_000)
    ] = 128
    max_body_bytes: Annotated[
        int, setting("largest request body in bytes (413 over it)", metavar="BYTES", ge=1024)
    ] = 1_000_000
    max_file_bytes: Annotated[
        int,
        setting("largest file for /translate_file in bytes (413 over it)", metavar="BYTES", ge=1),
    ] = 2_000_000
    max_glossary_terms: Annotated[
        int, setting("most terms of a glossary sent with a request", metavar="N", ge=0, le=10_000)
    ] = 200
    queue_size: Annotated[
        int,
        setting(
            "translations waiting for the engine; when full, 503 with Retry-After",
            metavar="N",
            ge=1,
            le=1_000_000,
        ),
    ] = 256
    batch_wait_ms: Annotated[
        float,
        setting(
            "how long a translation waits for others to share its engine batch",
            metavar="MS",
            ge=0,
            le=1000,
        ),
    ] = 5.0
    timeout_s: Annotated[
        float,
        setting("most seconds one request may take (503 after it)", metavar="SECONDS", ge=0.1),
    ] = 60.0
    drain_s: Annotated[
        float,
        setting("on SIGTERM, most seconds to finish requests in flight", metavar="SECONDS", ge=0),
    ] = 30.0
    api_keys: Annotated[
        str | None,
        setting(
            "file of API keys, one KEY[<TAB>REQUESTS_PER_MINUTE] per line; with it, every "
            "request needs a key",
            metavar="FILE",
            cli="--api-keys",
        ),
    ] = None
    rate_limit: Annotated[
        int,
        setting(
            "requests per minute per key (or per client address without keys; 0: none)",
            metavar="N",
            ge=0,
        ),
    ] = 0
    cors_origins: Annotated[
        tuple[str, ...],
        setting("origins allowed to call from a browser (default: none; CORS off)", metavar="URL"),
    ] = ()
    page: Annotated[bool, setting("serve the editors' page at /")] = True
