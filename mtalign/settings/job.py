"""The tables of a batch job config (``mtalign batch JOB.toml``), declared once.

``[translate]`` is :class:`~mtalign.settings.translate.TranslateSettings` itself (the keys
in :data:`JOB_TRANSLATE_KEYS`); ``[glossary]`` fills its glossary settings.
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from mtalign.settings.schema import setting

Runner = Literal["local", "ray"]

#: Documents over this many bytes fail (with the reason) unless the config raises it.
DEFAULT_MAX_BYTES = 2 * 1024 * 1024

#: TranslateSettings keys a job's [translate] table may set (the glossary comes from
#: [glossary], the document format from [inputs], progress is always off).
JOB_TRANSLATE_KEYS = (
    "src", "targets", "engine", "models", "beam", "device", "compute_type", "batch_tokens",
    "unit", "cache", "cache_path", "quality_gate", "retry", "force", "min_length",
    "max_length", "threads", "consistency",
    "pivot",
)  # fmt: skip


class _Table(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    pass


class JobTable(_Table, frozen=True):
    """``[job]``: the job's name, where results go, and how it runs."""

    output_dir: Annotated[
        str, setting("folder for outputs and the job state", metavar="PATH",
                     example='output_dir = "out/news"')
    ]  # fmt: skip
    name: Annotated[str, setting("a short name (default: the config's file name)")] = ""
    runner: Annotated[
        Runner, setting("where documents are translated", metavar="{local,ray}", cli="--runner")
    ] = "local"
    workers: Annotated[
        int, setting("Ray workers per language", metavar="N", ge=1, le=1024, cli="--workers")
    ] = 1
    ray_address: Annotated[
        str | None,
        setting('Ray cluster address ("auto", "ray://host:10001")', metavar="ADDRESS",
                cli="--ray-address"),
    ] = None  # fmt: skip
    overwrite: Annotated[
        bool,
        setting("replace files in output_dir that this job did not write (default: refuse)"),
    ] = False


class InputsTable(_Table, frozen=True):
    """``[inputs]``: which documents to translate."""

    files: Annotated[
        tuple[str, ...] | str, setting("glob patterns of document files", metavar="GLOB")
    ] = ()
    jsonl: Annotated[
        tuple[str, ...] | str, setting("JSONL files, one document per record", metavar="PATH")
    ] = ()
    format: Annotated[
        Literal["auto", "txt", "md"],
        setting("document format (auto: by extension)", shapes="document"),
    ] = "auto"
    record_format: Annotated[
        Literal["txt", "md"], setting("format of JSONL records' text", shapes="document")
    ] = "txt"
    max_bytes: Annotated[
        int,
        setting("larger documents fail with the reason", metavar="BYTES", ge=1, shapes="document"),
    ] = DEFAULT_MAX_BYTES
    parquet: Annotated[
        tuple[str, ...] | str,
        setting("Parquet files (globs of shards), one document per row", metavar="GLOB"),
    ] = ()
    id_field: Annotated[
        str,
        setting('field of the record id ("": made from the file and row)', metavar="NAME"),
    ] = "id"
    text_field: Annotated[
        str, setting("field holding a record's text", metavar="NAME", min_length=1)
    ] = "text"


OutputFormat = Literal["files", "jsonl", "parquet"]


class OutputTable(_Table, frozen=True):
    """``[output]``: per-document files, or a sharded dataset (JSONL or Parquet)."""

    format: Annotated[
        OutputFormat,
        setting("files (NAME.LANG.EXT per document) or a dataset: jsonl | parquet"),
    ] = "files"
    shard_rows: Annotated[
        int,
        setting("input rows per shard (the unit of work and of resume)", metavar="N", ge=1,
                le=100_000_000),
    ] = 100_000  # fmt: skip
    shard_bytes: Annotated[
        int,
        setting("an output shard rolls over to a new part past this size", metavar="BYTES",
                ge=1024),
    ] = 256 * 1024 * 1024  # fmt: skip
    compression: Annotated[
        Literal["auto", "none", "gzip", "zstd", "snappy"],
        setting("auto: gzip for jsonl, zstd for parquet"),
    ] = "auto"
    sentences: Annotated[
        bool, setting("also write the sentence-level dataset (one row per source sentence)")
    ] = True


class GlossaryTable(_Table, frozen=True):
    """``[glossary]``: the glossary and what it does."""

    path: Annotated[str | None, setting("glossary file", metavar="PATH")] = None
    mode: Annotated[
        Literal["off", "check", "enforce"] | None,
        setting("off, check or enforce (default: check when a path is given)"),
    ] = None
