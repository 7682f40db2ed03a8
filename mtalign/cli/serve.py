"""``mtalign serve``."""

from __future__ import annotations

import sys
from typing import Any

from mtalign.cli import output
from mtalign.cli._args import as_bool, as_files, as_list, as_mapping, as_str
from mtalign.errors import ConfigError


def serve_command(
    config: Any = None,
    to: Any = None,
    sources: Any = None,
    host: Any = None,
    port: Any = None,
    model: Any = None,
    engine: Any = None,
    glossary: Any = None,
    glossary_mode: Any = None,
    batch_tokens: Any = None,
    threads: Any = None,
    no_cache: Any = False,
    api_keys: Any = None,
) -> None:
    """Load the config and the models, then serve until SIGTERM or Ctrl-C."""
    try:
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError:
        raise ConfigError(
            "mtalign serve needs Starlette and uvicorn; install them with "
            "pip install 'mtalign[serve]'"
        ) from None
    from mtalign.serve.config import load_serve_config
    from mtalign.serve.run import serve

    server = {
        "host": as_str(host, "host"),
        "port": port,
        "sources": tuple(as_list(sources, "sources")) or None,
        "api_keys": as_str(api_keys, "api-keys"),
    }
    gloss = tuple(as_files(glossary, "glossary"))
    translate = {
        "targets": tuple(as_list(to, "to")) or None,
        "models": as_mapping(model, "model") or None,
        "engine": engine,
        "glossary": gloss or None,
        "glossary_mode": glossary_mode,
        "batch_tokens": batch_tokens,
        "threads": threads,
        "cache": False if as_bool(no_cache, "no-cache") else None,
    }
    cfg = load_serve_config(as_str(config, "config"), server, translate)

    def ready(url: str) -> None:
        langs = ", ".join(cfg.settings.targets)
        print(f"mtalign serve: listening on {url} ({langs}); Ctrl-C or SIGTERM stops", flush=True)
        sys.stdout.flush()

    output.note("loading models…")
    serve(cfg, on_ready=ready)
    output.note("mtalign serve: stopped; every request in flight was answered")
