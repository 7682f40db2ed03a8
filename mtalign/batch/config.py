"""Batch job configs: TOML -> :class:`JobConfig`; unknown keys are errors.

The tables are declared once in :mod:`mtalign.settings.job`; ``[translate]`` is a
:class:`~mtalign.settings.TranslateSettings`. Relative paths are resolved against the
folder of the config file, so a job config can live next to its inputs and be run from
anywhere.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import msgspec

from mtalign.errors import ConfigError
from mtalign.files import kind_of
from mtalign.hashing import file_digest, json_digest
from mtalign.settings import (
    ConfigContext,
    SettingError,
    TranslateSettings,
    check_settings,
    check_value,
    output_fields,
    read_toml,
    shaping,
)
from mtalign.settings.job import (
    DEFAULT_MAX_BYTES,
    JOB_TRANSLATE_KEYS,
    GlossaryTable,
    InputsTable,
    JobTable,
    OutputTable,
)

__all__ = ["DEFAULT_MAX_BYTES", "STATE_FILE", "JobConfig", "JobExists", "load_job_config"]

#: Name of the job state database inside the output directory.
STATE_FILE = ".mtalign-job.sqlite"
_SECTIONS = ("job", "inputs", "translate", "glossary", "output")
#: [inputs] key -> JobConfig attribute.
_INPUT_ATTRS = {"format": "doc_format", "record_format": "record_format", "max_bytes": "max_bytes"}


class JobExists(ConfigError):
    """The output folder already holds this job and --resume was not given."""


@dataclass(frozen=True)
class JobConfig:
    """A validated batch job: where the documents are, what to do, where results go."""

    path: str
    name: str
    output_dir: str
    settings: TranslateSettings
    files: tuple[str, ...] = ()
    jsonl: tuple[str, ...] = ()
    doc_format: str = "auto"
    record_format: str = "txt"
    max_bytes: int = DEFAULT_MAX_BYTES
    runner: str = "local"
    workers: int = 1
    ray_address: str | None = None
    base_dir: str = "."
    overwrite: bool = False
    parquet: tuple[str, ...] = ()
    id_field: str = "id"
    text_field: str = "text"
    output: OutputTable = OutputTable()

    @property
    def dataset(self) -> bool:
        """Whether the job writes a sharded dataset instead of per-document files."""
        return self.output.format != "files"

    @property
    def state_path(self) -> Path:
        return Path(self.output_dir) / STATE_FILE

    def digest_fields(self) -> dict[str, Any]:
        """What shapes the outputs (declared on the settings): a change here makes finished
        outputs stale."""
        return {
            **output_fields(self.settings, ("segment", "document")),
            "glossary_sha256": [_file_sha(g) for g in self.settings.glossary],
            **{key: getattr(self, _INPUT_ATTRS[key]) for key in shaping(InputsTable)},
            **self._dataset_fields(),
        }

    def _dataset_fields(self) -> dict[str, Any]:
        """What shapes a dataset's rows; empty for a files job with the default fields, so
        the digest of a job started before datasets existed does not change."""
        fields: dict[str, Any] = {}
        if self.id_field != "id" or self.text_field != "text" or self.dataset:
            fields.update(id_field=self.id_field, text_field=self.text_field)
        if self.dataset:
            fields.update(
                output_format=self.output.format,
                shard_rows=self.output.shard_rows,
                shard_bytes=self.output.shard_bytes,
                compression=self.output.compression,
                sentences=self.output.sentences,
            )
        return fields

    def digest(self) -> str:
        """A short digest of :meth:`digest_fields`."""
        return json_digest(self.digest_fields(), 16)

    def with_overrides(
        self,
        runner: str | None = None,
        workers: int | None = None,
        ray_address: str | None = None,
        overwrite: bool | None = None,
        **settings: Any,
    ) -> JobConfig:
        """The same job with command-line overrides (and settings changes, for tests).

        Values are checked against the declared settings (:class:`SettingError`).
        """
        cfg = self
        if runner is not None:
            cfg = replace(cfg, runner=check_value(JobTable, "runner", runner))
        if workers is not None:
            cfg = replace(cfg, workers=check_value(JobTable, "workers", workers))
        if ray_address is not None:
            cfg = replace(cfg, ray_address=ray_address or None)
        if overwrite is not None:
            cfg = replace(cfg, overwrite=bool(overwrite))
        if settings:
            new = msgspec.structs.replace(cfg.settings, **settings)
            cfg = replace(cfg, settings=check_settings(new))
        return cfg


def _file_sha(path: str) -> str | None:
    return file_digest([path], 16) if Path(path).is_file() else None


def _strings(value: tuple[str, ...] | str) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def _model_spec(ctx: ConfigContext, spec: str) -> str:
    """A folder (resolved against the config's folder) or a hub id / pair kept as it is."""
    if spec.startswith((".", "/", "~")) or (ctx.base / spec).is_dir():
        return ctx.resolve(spec, "[translate.models]")
    return spec


def _tables(ctx: ConfigContext, data: dict[str, Any]) -> tuple[Any, Any, dict, Any, Any]:
    """The five tables, each checked against its schema ([translate] as a plain dict)."""
    for key in data:
        if key not in _SECTIONS:
            raise ctx.error(
                "top level",
                f"unknown table or key {key!r}",
                f"use the tables {', '.join(f'[{s}]' for s in _SECTIONS)} (check the spelling)",
            )
    tables = {}
    schemas = (
        ("job", JobTable),
        ("inputs", InputsTable),
        ("glossary", GlossaryTable),
        ("output", OutputTable),
    )
    for name, cls in schemas:
        table = data.get(name, {})
        ctx.unknown(table if isinstance(table, dict) else {}, _names(cls), f"[{name}]")
        tables[name] = ctx.build(cls, table, f"[{name}]")
    tr = data.get("translate", {})
    if not isinstance(tr, dict):
        raise ctx.error("[translate]", f"expected a table, got {tr!r}", "write [translate]")
    ctx.unknown(tr, JOB_TRANSLATE_KEYS, "[translate]")
    return tables["job"], tables["inputs"], tr, tables["glossary"], tables["output"]


def _names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in msgspec.structs.fields(cls))


def _inputs(
    ctx: ConfigContext, inputs: InputsTable, output: OutputTable
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    files = tuple(ctx.resolve(v, "[inputs] files") for v in _strings(inputs.files))
    jsonl = tuple(ctx.resolve(v, "[inputs] jsonl") for v in _strings(inputs.jsonl))
    parquet = tuple(ctx.resolve(v, "[inputs] parquet") for v in _strings(inputs.parquet))
    if not files and not jsonl and not parquet:
        raise ctx.error(
            "[inputs]",
            "no inputs",
            'add files = ["articles/*.txt"] (globs) or jsonl = ["articles.jsonl"]',
        )
    if output.format == "files" and parquet:
        raise ctx.error(
            "[inputs] parquet",
            "Parquet inputs are read as a dataset",
            'add [output] format = "parquet" (or "jsonl")',
        )
    if output.format == "files" and (inputs.id_field, inputs.text_field) != ("id", "text"):
        raise ctx.error(
            "[inputs] id_field / text_field",
            "other field names are read by dataset jobs only",
            'add [output] format = "jsonl" (or "parquet"), or name the fields id and text',
        )
    if output.format != "files":
        if files:
            raise ctx.error(
                "[inputs] files",
                f"a dataset job ([output] format = {output.format!r}) reads records",
                'give jsonl = [...] or parquet = [...] globs, or set [output] format = "files"',
            )
        return files, jsonl, parquet  # globs of shards: matched when the job scans
    for j in jsonl:
        if Path(j).exists() and not Path(j).is_file():
            raise ctx.error(
                "[inputs] jsonl",
                f"{j!r} is {kind_of(os.stat(j).st_mode)}, not a regular file",
                "give a JSONL file (a pipe or device is never read by name)",
            )
        if not Path(j).is_file():
            raise ctx.error(
                "[inputs] jsonl",
                f"no such file {j!r}",
                "fix the path (relative paths start at the config's folder)",
            )
    return files, jsonl, parquet


def _glossary(ctx: ConfigContext, gl: GlossaryTable) -> tuple[tuple[str, ...], str]:
    path = ctx.resolve(gl.path, "[glossary] path") if gl.path is not None else None
    if path is not None and not Path(path).is_file():
        raise ctx.error(
            "[glossary] path",
            f"no such file {path!r}",
            "fix the path (relative paths start at the config's folder)",
        )
    mode = gl.mode or ("check" if path else "off")
    if mode != "off" and path is None:
        raise ctx.error(
            "[glossary]",
            f"mode is {mode!r} but there is no path",
            'add path = "../glossaries/news.toml" or set mode = "off"',
        )
    return ((path,) if path else ()), mode


def _settings(
    ctx: ConfigContext, tr: dict[str, Any], glossary: tuple[str, ...], mode: str
) -> TranslateSettings:
    """[translate] (+ [glossary]) as checked TranslateSettings; errors name the table."""
    if not tr.get("targets"):
        raise ctx.error("[translate] targets", "no target language", 'add targets = ["tr", "ru"]')
    values = dict(tr)
    models = values.get("models", {})
    if isinstance(models, dict):
        values["models"] = {
            k: _model_spec(ctx, v) if isinstance(v, str) and v.strip() else v
            for k, v in models.items()
        }
    if isinstance(values.get("cache_path"), str):
        values["cache_path"] = ctx.resolve(values["cache_path"], "[translate] cache_path")
    values.update(glossary=glossary, glossary_mode=mode, progress=False)
    try:
        return check_settings(ctx.build(TranslateSettings, values, "[translate]"))
    except SettingError as exc:
        raise ctx.setting_error(exc, "[translate]") from None


def load_job_config(path: str | os.PathLike[str]) -> JobConfig:
    """Read and validate a job config; every problem is a ConfigError naming path and fix."""
    name = str(path)
    data = read_toml(path, "job config", "configs/jobs/example.toml")
    ctx = ConfigContext(name)
    job, inputs, tr, gl, output = _tables(ctx, data)
    files, jsonl, parquet = _inputs(ctx, inputs, output)
    glossary, mode = _glossary(ctx, gl)
    settings = _settings(ctx, tr, glossary, mode)
    return JobConfig(
        path=name,
        name=job.name or Path(name).stem,
        output_dir=ctx.resolve(job.output_dir, "[job] output_dir"),
        settings=settings,
        files=files,
        jsonl=jsonl,
        doc_format=inputs.format,
        record_format=inputs.record_format,
        max_bytes=inputs.max_bytes,
        runner=job.runner,
        workers=job.workers,
        ray_address=job.ray_address or None,
        base_dir=str(ctx.base),
        overwrite=job.overwrite,
        parquet=parquet,
        id_field=inputs.id_field,
        text_field=inputs.text_field,
        output=output,
    )
