"""Rows of a dataset job: what a translated record becomes in each output dataset.

- the **data** dataset: the input row with every field kept, plus ``mt_lang``,
  ``mt_translations`` (one text per target), ``mt_flags`` (per-segment quality flags),
  ``mt_terms`` (glossary summary) and ``mt_models`` (model id and revision);
- the **sentences** dataset: one row per source sentence (a 1-1 bead with each
  translation), ready for training;
- the **failures** dataset: one row per record (and languages) that failed, with the reason.

Nothing here depends on timing, so the same input gives the same rows on every run.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from mtalign.batch.work import DocWork, glossary_numbers
from mtalign.io import render_document

#: Columns mtalign adds to each data row (an input field of one of these names is refused).
MT_COLUMNS = ("mt_lang", "mt_translations", "mt_flags", "mt_terms", "mt_models")
_TERM_KEYS = ("occurrences", "ok", "variant", "missing")


def record_id(value: Any, id_field: str, fallback: str) -> tuple[str | None, str | None]:
    """``(id, error)``: a record's id as text, or why it has none usable.

    Strings and integers are ids; null, booleans, floats, lists and objects are not (their
    text would be ambiguous: ``True`` and ``"True"``). No id field: ``fallback``.
    """
    if not id_field:
        return fallback, None
    if id_field not in value:
        return None, f'the record has no "{id_field}" field; add it or set [inputs] id_field'
    raw = value[id_field]
    if isinstance(raw, bool) or not isinstance(raw, (str, int)):
        return None, (
            f'the "{id_field}" field is {json.dumps(raw)[:40]}, not a string or an integer; '
            "give every record a string id"
        )
    return str(raw), None


def model_label(work: DocWork, tgt: str) -> str | None:
    pe = work.engines.get(tgt)
    if pe is None:
        return None
    return f"{pe.model.model_id}@{pe.model.revision}"


def mt_fields(work: DocWork, langs: Sequence[str]) -> dict[str, Any]:
    """The ``mt_*`` columns of one record (null for a language that failed)."""
    res = work.result
    out: dict[str, Any] = {
        "mt_lang": res.doc.lang if res else None,
        "mt_translations": {},
        "mt_flags": {},
        "mt_terms": {},
        "mt_models": {},
    }
    for t in langs:
        ok = res is not None and t not in work.errors and t in res.outputs
        out["mt_translations"][t] = render_document(res.outputs[t]) if ok and res else None
        out["mt_flags"][t] = _flags(work, t) if ok else None
        out["mt_terms"][t] = _terms(work, t) if ok else None
        out["mt_models"][t] = model_label(work, t) if ok else None
    if not any(v is not None for v in out["mt_terms"].values()):
        out["mt_terms"] = None
    return out


def _flags(work: DocWork, tgt: str) -> list[dict[str, Any]]:
    res = work.result
    if res is None:
        return []
    return [
        {"segment": k, "kind": f.kind, "detail": f.detail}
        for k, o in enumerate(res.outcomes[tgt])
        for f in o.flags
    ]


def _terms(work: DocWork, tgt: str) -> dict[str, Any] | None:
    res = work.result
    g = glossary_numbers(res.glossary.get(tgt)) if res else None
    if not g:
        return None
    out: dict[str, Any] = {k: int(g.get(k, 0)) for k in _TERM_KEYS}
    acc = g.get("term_accuracy")
    out["term_accuracy"] = float(acc) if acc is not None else None
    return out


def sentence_rows(work: DocWork, doc_id: str, langs: Sequence[str]) -> list[dict[str, Any]]:
    """One row per source sentence: the source, each translation and its flag kinds."""
    res = work.result
    if res is None:
        return []
    done = [t for t in langs if t not in work.errors and t in res.outcomes]
    rows = []
    for k, seg in enumerate(res.doc.segments()):
        rows.append(
            {
                "id": doc_id,
                "row": work.entry.item.line,
                "segment": k,
                "lang": res.doc.lang,
                "source": seg.text,
                "translations": {
                    t: (res.outcomes[t][k].text if t in done else None) for t in langs
                },  # fmt: skip
                "flags": {
                    t: ([f.kind for f in res.outcomes[t][k].flags] if t in done else None)
                    for t in langs
                },  # fmt: skip
            }
        )
    return rows


@dataclass
class UnitStats:
    """Counts of one unit of work (a shard of input rows), kept in the job state."""

    records: int = 0
    done: int = 0
    failed: int = 0
    langs: dict[str, dict[str, Any]] = field(default_factory=dict)
    failures: list[dict[str, Any]] = field(default_factory=list)

    def add(self, work: DocWork, langs: Sequence[str], failure_samples: int = 20) -> None:
        """Count one record's outcome in every language."""
        self.records += 1
        res = work.result
        failed = [t for t in langs if t in work.errors or res is None or t not in res.outputs]
        if failed:
            self.failed += 1
            if len(self.failures) < failure_samples:
                self.failures.append(
                    {
                        "id": work.entry.id,
                        "name": work.entry.name,
                        "source": work.entry.item.source,
                        "languages": sorted(failed),
                        "reason": next(iter(work.errors.values()), "no output came back"),
                    }
                )
        else:
            self.done += 1
        for t in langs:
            self._lang(t, work, t in failed)

    def _lang(self, tgt: str, work: DocWork, failed: bool) -> None:
        s = self.langs.setdefault(tgt, _lang_counts())
        if failed or work.result is None:
            s["failed"] += 1
            return
        res = work.result
        s["done"] += 1
        st = res.stats[tgt]
        s["segments"] += st.segments
        s["cached"] += st.cached
        s["retried"] += st.retried
        outcomes = res.outcomes[tgt]
        s["flagged_segments"] += sum(1 for o in outcomes if o.flags)
        flags = Counter(s["flags"])
        flags.update(f.kind for o in outcomes for f in o.flags)
        s["flags"] = dict(sorted(flags.items()))
        g = _terms(work, tgt)
        if g:
            gl = s.setdefault("glossary", dict.fromkeys(_TERM_KEYS, 0))
            for k in _TERM_KEYS:
                gl[k] += g[k]

    def to_json(self) -> dict[str, Any]:
        return {
            "records": self.records,
            "done": self.done,
            "failed": self.failed,
            "langs": self.langs,
            "failures": self.failures,
        }


def _lang_counts() -> dict[str, Any]:
    keys = ("done", "failed", "segments", "cached", "retried", "flagged_segments")
    return {**dict.fromkeys(keys, 0), "flags": {}}


def failure_row(
    source: str, row: int, doc_id: str | None, langs: Sequence[str], reason: str
) -> dict[str, Any]:
    """A row of the failures dataset."""
    return {"input": source, "row": row, "id": doc_id, "languages": list(langs), "reason": reason}


def jsonl_data_line(raw: bytes, mt: Mapping[str, Any]) -> bytes:
    """The input's JSONL line with the ``mt_*`` fields appended, every input byte kept.

    Appending to the object's text (instead of parsing and dumping it again) keeps number
    spellings, key order, escapes and duplicate keys exactly as the input had them.
    """
    body = raw.rstrip()
    if not body.endswith(b"}"):
        raise ValueError("not a JSON object line")
    extra = json.dumps(mt, ensure_ascii=False, allow_nan=False)[1:-1].encode("utf-8")
    head = body[:-1].rstrip()
    sep = b"" if head.endswith(b"{") else b", "
    return head + sep + extra + b"}\n"
