"""Service configs: TOML ``[server]``, ``[translate]``, ``[glossary]`` + command-line values.

The tables are declared in :mod:`mtalign.settings.serve` (``[server]``),
:class:`~mtalign.settings.TranslateSettings` (``[translate]``, the keys of
:data:`~mtalign.settings.serve.SERVE_TRANSLATE_KEYS`) and :mod:`mtalign.settings.job`
(``[glossary]``, as in a batch job). Relative paths start at the config file's folder.
Only the files named here (glossary, API keys, models, memory) are ever read: no request
can name another.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec

from mtalign.errors import ConfigError
from mtalign.settings import (
    ConfigContext,
    SettingError,
    TranslateSettings,
    build,
    check_settings,
    read_toml,
)
from mtalign.settings.job import GlossaryTable
from mtalign.settings.serve import SERVE_TRANSLATE_KEYS, ServerTable

__all__ = ["ServeConfig", "load_serve_config"]

_SECTIONS = ("server", "translate", "glossary")


@dataclass(frozen=True)
class ServeConfig:
    """A checked service configuration."""

    server: ServerTable
    settings: TranslateSettings
    path: str = ""


def load_serve_config(
    path: str | None = None,
    server: Mapping[str, Any] | None = None,
    translate: Mapping[str, Any] | None = None,
) -> ServeConfig:
    """The config file (if any) with ``server`` and ``translate`` values laid over it.

    Errors name the file and table, or the setting (front ends render a
    :class:`SettingError` in their words).
    """
    data = read_toml(path, "service config", "configs/serve.toml") if path else {}
    ctx = ConfigContext(path or "<command line>")
    for key in data:
        if key not in _SECTIONS:
            raise ctx.error(
                "top level",
                f"unknown table or key {key!r}",
                f"use the tables {', '.join(f'[{s}]' for s in _SECTIONS)} (check the spelling)",
            )
    srv = dict(_table(ctx, data, "server"))
    for key in ("api_keys",):
        if srv.get(key):
            srv[key] = ctx.resolve(srv[key], f"[server] {key}")
    ctx.unknown(srv, [f.name for f in msgspec.structs.fields(ServerTable)], "[server]")
    srv.update({k: v for k, v in (server or {}).items() if v is not None})
    tr = dict(_table(ctx, data, "translate"))
    ctx.unknown(tr, SERVE_TRANSLATE_KEYS, "[translate]")
    if path:
        tr = _resolve_paths(ctx, tr)
        gl = ctx.build(GlossaryTable, _table(ctx, data, "glossary"), "[glossary]")
        if gl.path:
            tr["glossary"] = (ctx.resolve(gl.path, "[glossary] path"),)
            tr["glossary_mode"] = gl.mode or "enforce"
    tr.update({k: v for k, v in (translate or {}).items() if v is not None})
    if tr.get("glossary") and "glossary_mode" not in tr:
        tr["glossary_mode"] = "enforce"
    tr["progress"] = False
    try:
        table = build(ServerTable, srv)
        settings = check_settings(build(TranslateSettings, tr))
    except SettingError:
        raise
    _check_files(settings, table)
    return ServeConfig(server=table, settings=settings, path=path or "")


def _table(ctx: ConfigContext, data: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    table = data.get(name, {})
    if not isinstance(table, Mapping):
        raise ctx.error(f"[{name}]", f"expected a table, got {table!r}", f"write [{name}]")
    return table


def _resolve_paths(ctx: ConfigContext, tr: dict[str, Any]) -> dict[str, Any]:
    if tr.get("cache_path"):
        tr["cache_path"] = ctx.resolve(tr["cache_path"], "[translate] cache_path")
    models = tr.get("models")
    if isinstance(models, Mapping):
        tr["models"] = {
            k: ctx.resolve(v, "[translate.models]")
            if isinstance(v, str) and (v.startswith((".", "/", "~")) or (ctx.base / v).is_dir())
            else v
            for k, v in models.items()
        }
    return tr


def _check_files(settings: TranslateSettings, server: ServerTable) -> None:
    for g in settings.glossary:
        if not Path(g).is_file():
            raise ConfigError(f"glossary {g!r}: no such file; fix the path")
    if server.api_keys and not Path(server.api_keys).is_file():
        raise ConfigError(f"API keys {server.api_keys!r}: no such file; fix the path")
