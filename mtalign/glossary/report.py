"""Measures and reports: term accuracy, consistency, per-term tables (JSON-ready)."""

from __future__ import annotations

import unicodedata
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

from mtalign.glossary.check import Occurrence
from mtalign.safetext import printable

STATUSES = ("ok", "variant", "missing", "no-target")


def term_accuracy(occurrences: Sequence[Occurrence]) -> float | None:
    """Share of source term occurrences (with a target form) rendered with an accepted form.

    WMT21 terminology style, counted per occurrence; None when nothing was checkable.
    """
    checkable = [o for o in occurrences if o.hit.status != "no-target"]
    if not checkable:
        return None
    return sum(o.hit.status == "ok" for o in checkable) / len(checkable)


def consistency(occurrences: Sequence[Occurrence]) -> dict[str, Any]:
    """Share of entities rendered with one lemma across all their rendered occurrences.

    Entities seen rendered fewer than twice cannot be inconsistent and are not counted.
    """
    lemmas: dict[str, list[str]] = defaultdict(list)
    for o in occurrences:
        if o.found is not None and o.lemma is not None:
            lemmas[o.hit.term_id].append(o.lemma)
    multi = {k: v for k, v in lemmas.items() if len(v) > 1}
    consistent = [k for k, v in multi.items() if len(set(v)) == 1]
    return {
        "entities": len(multi),
        "consistent": len(consistent),
        "score": len(consistent) / len(multi) if multi else None,
        "inconsistent": {k: sorted(set(v)) for k, v in multi.items() if len(set(v)) > 1},
    }


def summary(occurrences: Sequence[Occurrence]) -> dict[str, Any]:
    """Totals, term accuracy, consistency and a per-term breakdown (JSON-ready)."""
    counts = Counter(o.hit.status for o in occurrences)
    per_term: dict[str, Counter[str]] = defaultdict(Counter)
    for o in occurrences:
        per_term[o.hit.term_id][o.hit.status] += 1
    acc = term_accuracy(occurrences)
    return {
        "occurrences": len(occurrences),
        **{s.replace("-", "_"): counts.get(s, 0) for s in STATUSES},
        "term_accuracy": acc,
        "consistency": consistency(occurrences),
        "per_term": {
            k: {s.replace("-", "_"): c.get(s, 0) for s in STATUSES}
            for k, c in sorted(per_term.items())
        },
    }


def occurrence_dict(o: Occurrence) -> dict[str, Any]:
    h = o.hit
    d: dict[str, Any] = {
        "segment": h.segment,
        "term": h.term_id,
        "source_form": h.source_form,
        "src_span": list(h.src_span),
        "expected": list(h.expected),
        "found": h.found,
        "status": h.status,
        "tgt_span": list(h.tgt_span) if h.tgt_span else None,
    }
    if h.stage is not None:
        d["stage"] = h.stage
    if o.found is not None and o.found.status == "variant":
        d["fix"] = o.found.replacement
    return d


def report_dict(occurrences: Sequence[Occurrence], **meta: Any) -> dict[str, Any]:
    """The glossary part of NAME.report.json: settings, totals and every occurrence."""
    return {
        **meta,
        "totals": summary(occurrences),
        "occurrences": [occurrence_dict(o) for o in occurrences],
    }


def _width(s: str) -> int:
    return sum(
        0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
        for c in s
    )


def _cell(s: str, width: int) -> str:
    s = printable(s)  # found text comes from documents: no raw control characters
    if _width(s) > width:
        s = s[: width - 1] + "…"
    return s + " " * max(0, width - _width(s))


def format_table(occurrences: Sequence[Occurrence], show_fix: bool = False) -> str:
    """A readable fixed-width table: seg, term, expected, found, status (and fix)."""
    head = ["seg", "term", "source", "expected", "found", "status"]
    widths = [5, 18, 22, 22, 24, 9]
    if show_fix:
        head.append("fix")
        widths.append(24)
    lines = ["  ".join(_cell(h, w) for h, w in zip(head, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    for o in occurrences:
        h = o.hit
        row = [
            str(h.segment),
            h.term_id,
            h.source_form,
            " | ".join(h.expected[:2]) + (" …" if len(h.expected) > 2 else "") or "-",
            h.found or "-",
            h.status + (f"@{h.stage}" if h.stage else ""),
        ]
        if show_fix:
            row.append(o.found.replacement if o.found and h.status == "variant" else "")
        lines.append("  ".join(_cell(c, w) for c, w in zip(row, widths, strict=True)))
    return "\n".join(lines)


def format_totals(occurrences: Sequence[Occurrence], label: str = "") -> str:
    s = summary(occurrences)
    acc = s["term_accuracy"]
    cons = s["consistency"]["score"]
    parts = [
        f"{label}occurrences {s['occurrences']}",
        f"ok {s['ok']}",
        f"variant {s['variant']}",
        f"missing {s['missing']}",
        f"no-target {s['no_target']}",
        "term accuracy " + ("n/a" if acc is None else f"{acc:.1%}"),
        "consistency " + ("n/a" if cons is None else f"{cons:.1%}"),
    ]
    return ", ".join(parts)
