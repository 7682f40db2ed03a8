"""Arrow schemas of the Parquet datasets, and the input fields' types for JSONL inputs.

The columns mtalign adds have fixed types, declared here. The input's own fields keep
their Parquet types; for JSONL inputs written as Parquet, each field's type is inferred
over the whole shard before any row is written (so a field that is null in the first
rows and text later is text), and a field whose values disagree (a number here, a string
there) is stored as JSON text rather than guessed at.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

#: Records looked at together when inferring types.
INFER_CHUNK = 4096


def _per_lang(pa: Any, langs: Sequence[str], value: Any) -> Any:
    return pa.struct([pa.field(t, value) for t in langs])


def mt_fields(pa: Any, langs: Sequence[str]) -> list[Any]:
    """The ``mt_*`` columns of the data dataset."""
    flag = pa.struct(
        [pa.field("segment", pa.int32()), pa.field("kind", pa.string()),
         pa.field("detail", pa.string())]
    )  # fmt: skip
    terms = pa.struct(
        [pa.field(k, pa.int64()) for k in ("occurrences", "ok", "variant", "missing")]
        + [pa.field("term_accuracy", pa.float64())]
    )
    return [
        pa.field("mt_lang", pa.string()),
        pa.field("mt_translations", _per_lang(pa, langs, pa.string())),
        pa.field("mt_flags", _per_lang(pa, langs, pa.list_(flag))),
        pa.field("mt_terms", _per_lang(pa, langs, terms)),
        pa.field("mt_models", _per_lang(pa, langs, pa.string())),
    ]


def sentences_schema(pa: Any, langs: Sequence[str]) -> Any:
    """One row per source sentence."""
    return pa.schema(
        [
            pa.field("id", pa.string()),
            pa.field("row", pa.int64()),
            pa.field("segment", pa.int32()),
            pa.field("lang", pa.string()),
            pa.field("source", pa.string()),
            pa.field("translations", _per_lang(pa, langs, pa.string())),
            pa.field("flags", _per_lang(pa, langs, pa.list_(pa.string()))),
        ]
    )


def failures_schema(pa: Any) -> Any:
    """One row per failed record."""
    return pa.schema(
        [
            pa.field("input", pa.string()),
            pa.field("row", pa.int64()),
            pa.field("id", pa.string()),
            pa.field("languages", pa.list_(pa.string())),
            pa.field("reason", pa.string()),
        ]
    )


def infer_fields(pa: Any, records: Iterable[dict[str, Any]]) -> tuple[list[Any], set[str]]:
    """Arrow fields for the records' own fields, in first-seen order, and those kept as JSON.

    Types are inferred chunk by chunk and merged (null widens to anything, int to float);
    a field whose types cannot be merged becomes JSON text.
    """
    order: dict[str, None] = {}
    types: dict[str, Any] = {}
    as_json: set[str] = set()
    chunk: list[dict[str, Any]] = []

    def flush() -> None:
        for name in order:
            if name in as_json:
                continue
            try:
                t = pa.array([r.get(name) for r in chunk]).type
            except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError, TypeError):
                as_json.add(name)
                continue
            merged = _merge(pa, types.get(name), t)
            if merged is None:
                as_json.add(name)
            else:
                types[name] = merged
        chunk.clear()

    for rec in records:
        for key in rec:
            order.setdefault(key, None)
        chunk.append(rec)
        if len(chunk) >= INFER_CHUNK:
            flush()
    flush()
    fields = []
    for name in order:
        t = pa.string() if name in as_json else types.get(name, pa.null())
        fields.append(pa.field(name, pa.string() if pa.types.is_null(t) else t))
    return fields, as_json


def _merge(pa: Any, old: Any, new: Any) -> Any:
    if old is None or old == new:
        return new
    try:
        schema = pa.unify_schemas(
            [pa.schema([("f", old)]), pa.schema([("f", new)])], promote_options="permissive"
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return None
    return schema.field("f").type


def as_row(rec: dict[str, Any], as_json: set[str]) -> dict[str, Any]:
    """A record ready for its Arrow schema: disagreeing fields as JSON text."""
    if not as_json:
        return rec
    return {
        k: (json.dumps(v, ensure_ascii=False) if k in as_json and v is not None else v)
        for k, v in rec.items()
    }
