"""One unit of a dataset job: a range of input rows in, one shard of each dataset out.

:func:`process_unit` runs in the local loop or inside a Ray actor, reads its rows from the
input straight from storage, translates them in chunks with one session, and writes its
parts straight to the output folder (temp files, renamed when the unit is complete). Only
the unit's counts travel back to the driver, which records it as done. Memory is bounded
by one chunk of records, whatever the size of the corpus.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mtalign.batch.config import JobConfig
from mtalign.batch.dataset_io import (
    PartInfo,
    PartWriter,
    Record,
    import_arrow,
    iter_jsonl,
    iter_parquet,
    json_line,
)
from mtalign.batch.dataset_rows import (
    MT_COLUMNS,
    UnitStats,
    failure_row,
    jsonl_data_line,
    mt_fields,
    record_id,
    sentence_rows,
)
from mtalign.batch.dataset_schema import (
    as_row,
    failures_schema,
    infer_fields,
    sentences_schema,
)
from mtalign.batch.dataset_schema import (
    mt_fields as mt_arrow_fields,
)
from mtalign.batch.inputs import InputItem
from mtalign.batch.state import DocEntry
from mtalign.batch.work import DocWork, load_entry, translate_chunk
from mtalign.pipeline import TranslationSession

log = logging.getLogger(__name__)

#: Records translated together in one round of model calls.
CHUNK_RECORDS = 256
#: The datasets a job writes, each in its own folder.
DATA, SENTENCES, FAILURES = "data", "sentences", "failures"


@dataclass(frozen=True)
class Unit:
    """Rows ``start <= row < stop`` of one input file: the unit of work and of resume."""

    name: str
    input: str
    kind: str
    start: int
    stop: int
    digest: str
    label: str = ""

    @property
    def where(self) -> str:
        """The input as messages and the failures dataset show it (relative to the config)."""
        return self.label or self.input


@dataclass
class UnitResult:
    """What a finished unit wrote and counted (travels back from a worker)."""

    name: str
    files: dict[str, list[PartInfo]] = field(default_factory=dict)
    stats: UnitStats = field(default_factory=UnitStats)


@dataclass
class _Chunk:
    """Records of one round of model calls, with their Arrow rows for Parquet inputs."""

    records: list[Record]
    arrow: Any = None


def _chunks(unit: Unit) -> Iterator[_Chunk]:
    if unit.kind == "jsonl":
        buf: list[Record] = []
        for rec in iter_jsonl(unit.input, unit.start, unit.stop):
            buf.append(rec)
            if len(buf) >= CHUNK_RECORDS:
                yield _Chunk(buf)
                buf = []
        if buf:
            yield _Chunk(buf)
        return
    for first, batch in iter_parquet(unit.input, unit.start, unit.stop):
        for off in range(0, batch.num_rows, CHUNK_RECORDS):
            part = batch.slice(off, CHUNK_RECORDS)
            values = part.to_pylist()
            recs = [Record(first + off + i, None, v) for i, v in enumerate(values)]
            yield _Chunk(recs, part)


def _work(rec: Record, unit: Unit, cfg: JobConfig, langs: Sequence[str]) -> DocWork:
    """Check and load one record; a bad one comes back with every language failed."""
    where = f"{unit.where}#{rec.row}"
    fallback = f"{Path(unit.input).name}:{rec.row}"
    doc_id, error = (None, rec.error) if rec.error else record_id(rec.value, cfg.id_field, fallback)
    text = rec.value.get(cfg.text_field) if isinstance(rec.value, dict) else None
    if error is None and not isinstance(text, str):
        error = f'the record has no "{cfg.text_field}" string; add it or set [inputs] text_field'
    if error is None:
        clash = [c for c in MT_COLUMNS if c in rec.value]
        if clash:
            error = f"the record has a field {clash[0]!r}, a name mtalign adds; rename it"
    if (
        error is None
        and isinstance(text, str)
        and len(text.encode("utf-8", "replace")) > cfg.max_bytes
    ):
        error = (
            f"the text is over the job's limit of {cfg.max_bytes} bytes; split the record or "
            "raise [inputs] max_bytes"
        )
    item = InputItem(
        id=doc_id or fallback,
        source=where,
        path=unit.input,
        line=rec.row,
        fmt=cfg.record_format,
        text=text if error is None else None,
        error=None if error is None else _located(error, unit, where),
    )  # fmt: skip
    return load_entry(DocEntry(item.id, f"r{rec.row}", item), cfg, langs)


def _located(error: str, unit: Unit, where: str) -> str:
    """The reason with the record's place in front (JSONL parse errors carry their own)."""
    if error.startswith(unit.input):
        return unit.where + error[len(unit.input) :]
    return f"{where}: {error}"


class _Writers:
    """The unit's three part writers in the job's output format."""

    def __init__(self, unit: Unit, cfg: JobConfig, data_schema: Any) -> None:
        out, o = Path(cfg.output_dir), cfg.output
        fmt = o.format
        comp = o.compression
        if comp == "auto":
            comp = "zstd" if fmt == "parquet" else "gzip"
        langs = cfg.settings.targets
        pa = import_arrow() if fmt == "parquet" else None
        self.fmt = fmt
        self.pa = pa

        def writer(sub: str, schema: Any) -> PartWriter:
            return PartWriter(out, sub, unit.name, fmt, comp, o.shard_bytes, schema)

        self.data = writer(DATA, data_schema)
        self.sentences = (
            writer(SENTENCES, sentences_schema(pa, langs) if pa else None) if o.sentences else None
        )
        self.failures = writer(FAILURES, failures_schema(pa) if pa else None)

    def all(self) -> list[PartWriter]:
        return [w for w in (self.data, self.sentences, self.failures) if w is not None]

    def rows(self, w: PartWriter, rows: Sequence[dict[str, Any]]) -> None:
        if not rows:
            return
        if self.pa is None:
            w.write_lines([json_line(r) for r in rows])
        else:
            w.write_table(self.pa.Table.from_pylist(list(rows), schema=w.schema))


def _data_schema(unit: Unit, cfg: JobConfig) -> tuple[Any, set[str]]:
    """The data dataset's Arrow schema (Parquet output) and the input fields kept as JSON."""
    if cfg.output.format != "parquet":
        return None, set()
    pa = import_arrow()
    mt = mt_arrow_fields(pa, cfg.settings.targets)
    if unit.kind == "parquet":
        base = list(pa.parquet.ParquetFile(unit.input).schema_arrow)
        return pa.schema(base + mt), set()
    values = (r.value for r in iter_jsonl(unit.input, unit.start, unit.stop) if r.error is None)
    fields, as_json = infer_fields(pa, values)
    fields = [f for f in fields if f.name not in MT_COLUMNS]
    return pa.schema(fields + mt), as_json


def process_unit(
    unit: Unit,
    cfg: JobConfig,
    session: TranslationSession,
    on_records: Callable[[int, int], None] | None = None,
) -> UnitResult:
    """Translate one unit and write its parts (renamed into place at the end).

    ``on_records(records, sentences)`` is called after each chunk (progress). Any error or
    interrupt removes the unit's temp files; finished units are not affected.
    """
    langs = cfg.settings.targets
    schema, as_json = _data_schema(unit, cfg)
    writers = _Writers(unit, cfg, schema)
    result = UnitResult(unit.name)
    try:
        for chunk in _chunks(unit):
            works = [_work(r, unit, cfg, langs) for r in chunk.records]
            for tgt in langs:
                translate_chunk(works, session, tgt)
            n_sent = _write_chunk(chunk, works, unit, writers, langs, as_json, result.stats)
            if on_records is not None:
                on_records(len(works), n_sent)
        for w in writers.all():
            w.finish(empty_part=w is writers.data)
        result.files = {w.subdir: w.commit() for w in writers.all()}
    except BaseException:
        for w in writers.all():
            w.abort()
        raise
    return result


def _write_chunk(
    chunk: _Chunk,
    works: list[DocWork],
    unit: Unit,
    writers: _Writers,
    langs: Sequence[str],
    as_json: set[str],
    stats: UnitStats,
) -> int:
    """Rows of one chunk into the three datasets; returns the sentences written."""
    data_lines: list[bytes] = []
    data_rows: list[dict[str, Any]] = []
    keep: list[int] = []
    sents: list[dict[str, Any]] = []
    fails: list[dict[str, Any]] = []
    for i, (rec, work) in enumerate(zip(chunk.records, works, strict=True)):
        stats.add(work, langs)
        res = work.result
        failed = [t for t in langs if t in work.errors or res is None or t not in res.outputs]
        doc_id = work.entry.id if rec.error is None else None
        for reason, group in _reasons(work, failed).items():
            fails.append(failure_row(unit.where, rec.row, doc_id, group, reason))
        if len(failed) == len(langs):
            continue  # nothing translated: the record is in the failures dataset only
        mt = mt_fields(work, langs)
        keep.append(i)
        if writers.pa is None and rec.raw is not None:
            data_lines.append(jsonl_data_line(rec.raw, mt))
        else:
            data_rows.append({**as_row(rec.value, as_json), **mt})
        if writers.sentences is not None:
            sents.extend(sentence_rows(work, work.entry.id, langs))
    _write_data(writers, chunk, keep, data_lines, data_rows)
    if writers.sentences is not None:
        writers.rows(writers.sentences, sents)
    writers.rows(writers.failures, fails)
    return len(sents)


def _reasons(work: DocWork, failed: Sequence[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for t in failed:
        out.setdefault(work.errors.get(t, "no output came back"), []).append(t)
    return out


def _write_data(
    writers: _Writers,
    chunk: _Chunk,
    keep: list[int],
    lines: list[bytes],
    rows: list[dict[str, Any]],
) -> None:
    if writers.pa is None:
        if lines:
            writers.data.write_lines(lines)
        else:
            writers.data.write_lines([json_line(r) for r in rows])
        return
    if chunk.arrow is None:
        writers.rows(writers.data, rows)
        return
    # Parquet in, Parquet out: the input's columns are taken as Arrow data, types intact.
    pa = writers.pa
    kept = chunk.arrow.take(pa.array(keep, type=pa.int32()))
    table = pa.Table.from_batches([kept])
    mt_schema = pa.schema([writers.data.schema.field(c) for c in MT_COLUMNS])
    mt = pa.Table.from_pylist([{c: r[c] for c in MT_COLUMNS} for r in rows], schema=mt_schema)
    for name in MT_COLUMNS:
        table = table.append_column(mt_schema.field(name), mt.column(name))
    writers.data.write_table(table.cast(writers.data.schema))
