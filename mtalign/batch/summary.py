"""The job summary: counts, failures, throughput, glossary and quality over the whole job.

Computed from the job state (so documents finished by earlier runs count too) and written
as ``summary.json`` and ``summary.md`` in the output folder.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from mtalign.io import atomic_write_text
from mtalign.safetext import md_code, md_text


@dataclass
class RunStats:
    """What this run (not earlier ones) did."""

    runner: str = "local"
    workers: int = 1
    resumed: bool = False
    documents_todo: int = 0
    documents_processed: int = 0
    segments_processed: int = 0
    seconds: float = 0.0
    setup_seconds: float = 0.0
    temp_files_removed: int = 0


@dataclass
class JobSummary:
    """The outcome of a batch job (``summary.json``)."""

    name: str
    config: str
    output_dir: str
    targets: list[str]
    documents: int
    documents_done: int
    documents_failed: int
    documents_pending: int
    tasks: dict[str, int]
    languages: dict[str, dict[str, Any]]
    failures: list[dict[str, Any]]
    run: RunStats
    glossary: dict[str, Any] | None = None
    quality_flags: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when every document is done in every language."""
        return self.documents_failed == 0 and self.documents_pending == 0

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        s = self.run.seconds
        d["run"]["documents_per_second"] = (
            round(self.run.documents_processed / s, 3) if s > 0 else None
        )
        d["run"]["segments_per_second"] = (
            round(self.run.segments_processed / s, 3) if s > 0 else None
        )
        d["ok"] = self.ok
        return d


def _num(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def aggregate_glossary(entries: Sequence[Mapping[str, Any]]) -> dict[str, Any] | None:
    """Term accuracy and consistency over many documents' glossary numbers.

    Pooled by occurrence counts when the reports have them (ok / variant / missing), else
    weighted by occurrences, else a plain mean. Consistency is pooled the same way from
    each document's entities (within-document consistency over the job).
    """
    entries = [e for e in entries if e]
    if not entries:
        return None
    out: dict[str, Any] = {"documents": len(entries)}
    for key in ("occurrences", "ok", "variant", "missing", "no_target"):
        if all(_num(e.get(key)) for e in entries):
            out[key] = sum(e[key] for e in entries)
    if all(_num(e.get(k)) for e in entries for k in ("ok", "variant", "missing")):
        checkable = sum(e["ok"] + e["variant"] + e["missing"] for e in entries)
        out["term_accuracy"] = sum(e["ok"] for e in entries) / checkable if checkable else None
        out["term_accuracy_method"] = "pooled occurrences"
    else:
        scored = [e for e in entries if _num(e.get("term_accuracy"))]
        if scored and all(_num(e.get("occurrences")) for e in scored):
            w = sum(e["occurrences"] for e in scored)
            out["term_accuracy"] = (
                sum(e["term_accuracy"] * e["occurrences"] for e in scored) / w if w else None
            )
            out["term_accuracy_method"] = "weighted by occurrences"
        elif scored:
            out["term_accuracy"] = sum(e["term_accuracy"] for e in scored) / len(scored)
            out["term_accuracy_method"] = "mean over documents"
        else:
            out["term_accuracy"] = None
    cons = [e for e in entries if _num(e.get("consistency_entities"))]
    if cons:
        ent = sum(e["consistency_entities"] for e in cons)
        out["consistency_entities"] = ent
        out["consistency"] = (
            sum(e.get("consistency_consistent", 0) for e in cons) / ent if ent else None
        )
    else:
        scores = [e["consistency_score"] for e in entries if _num(e.get("consistency_score"))]
        out["consistency"] = sum(scores) / len(scores) if scores else None
    return out


def build_summary(
    name: str,
    config: str,
    output_dir: str,
    targets: Sequence[str],
    rows: Iterable[Mapping[str, Any]],
    run: RunStats,
) -> JobSummary:
    """Summarise the state rows (one per document x language) of the job's documents."""
    rows = list(rows)
    by_doc: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for r in rows:
        by_doc[r["id"]].append(r)
    tasks = Counter(r["status"] for r in rows)
    langs, flags, gloss = _per_language(targets, rows)
    glossary = None
    if gloss:
        glossary = {t: aggregate_glossary(v) for t, v in gloss.items()}
        glossary["all"] = aggregate_glossary([g for v in gloss.values() for g in v])
    statuses = [{r["status"] for r in rs} for rs in by_doc.values()]
    return JobSummary(
        name=name,
        config=config,
        output_dir=output_dir,
        targets=list(targets),
        documents=len(by_doc),
        documents_done=sum(1 for s in statuses if s == {"done"}),
        documents_failed=sum(1 for s in statuses if "failed" in s),
        documents_pending=sum(1 for s in statuses if "pending" in s and "failed" not in s),
        tasks={k: tasks.get(k, 0) for k in ("done", "failed", "pending")},
        languages=langs,
        failures=_failures(by_doc),
        run=run,
        glossary=glossary,
        quality_flags={t: dict(sorted(c.items())) for t, c in flags.items() if c},
    )


def _lang_counts() -> dict[str, Any]:
    keys = ("done", "failed", "pending", "segments", "cached", "retried", "flagged_segments")
    return dict.fromkeys(keys, 0)


def _per_language(
    targets: Sequence[str], rows: list[Mapping[str, Any]]
) -> tuple[dict[str, dict[str, Any]], dict[str, Counter[str]], dict[str, list[Mapping[str, Any]]]]:
    """Counts, quality flags and glossary reports per target language."""
    langs: dict[str, dict[str, Any]] = {t: _lang_counts() for t in targets}
    flags: dict[str, Counter[str]] = defaultdict(Counter)
    gloss: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for r in rows:
        lang = langs.setdefault(r["lang"], _lang_counts())
        lang[r["status"]] += 1
        m = r.get("metrics") or {}
        for key in ("segments", "cached", "retried", "flagged_segments"):
            lang[key] += m.get(key, 0)
        flags[r["lang"]].update(m.get("flags", {}))
        if m.get("glossary"):
            gloss[r["lang"]].append(m["glossary"])
    return langs, flags, gloss


def _failures(by_doc: Mapping[str, list[Mapping[str, Any]]]) -> list[dict[str, Any]]:
    """One entry per document and reason, with the languages that failed for it."""
    failures = []
    for doc_id, rs in by_doc.items():
        reasons: dict[str, list[str]] = defaultdict(list)
        for r in rs:
            if r["status"] == "failed":
                reasons[r["reason"] or "unknown"].append(r["lang"])
        for reason, ls in reasons.items():
            failures.append(
                {
                    "id": doc_id,
                    "name": rs[0]["name"],
                    "source": rs[0]["source"],
                    "languages": sorted(ls),
                    "reason": reason,
                }
            )
    return failures


def _cell(x: Any) -> str:
    """Text safe inside a Markdown table cell (ids and reasons come from user data)."""
    return md_text(x)


def _pct(x: Any) -> str:
    return "n/a" if x is None else f"{x:.1%}"


def render_markdown(s: JobSummary) -> str:
    """``summary.md``: the same facts for people."""
    d = s.to_dict()
    run = d["run"]
    lines = [
        f"# Batch job {md_code(s.name)}",
        "",
        f"- config: {md_code(s.config)}",
        f"- output: {md_code(s.output_dir)}",
        f"- status: **{'complete' if s.ok else 'incomplete: see failures'}**",
        f"- documents: {s.documents} ({s.documents_done} done, {s.documents_failed} with "
        f"failures, {s.documents_pending} pending)",
        f"- tasks (document x language): {s.tasks['done']} done, {s.tasks['failed']} failed, "
        f"{s.tasks['pending']} pending",
        f"- this run: {run['runner']} runner, {run['workers']} worker(s), "
        f"{run['documents_processed']} of {run['documents_todo']} documents to do in "
        f"{run['seconds']:.1f} s"
        + (
            f" ({run['documents_per_second']} documents/s, {run['segments_per_second']} segments/s)"
            if run["documents_per_second"]
            else ""
        )
        + ("; resumed" if run["resumed"] else ""),
        "",
        "## Languages",
        "",
        "| target | done | failed | pending | segments | cached | retried | flagged segments |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for t, v in s.languages.items():
        lines.append(
            f"| {t} | {v['done']} | {v['failed']} | {v['pending']} | {v['segments']} | "
            f"{v['cached']} | {v['retried']} | {v['flagged_segments']} |"
        )
    if s.quality_flags:
        lines += ["", "## Quality flags", "", "| target | flag | segments |", "|---|---|---:|"]
        for t, c in s.quality_flags.items():
            lines += [f"| {t} | {k} | {n} |" for k, n in c.items()]
    if s.glossary:
        lines += [
            "",
            "## Glossary",
            "",
            "| target | documents | occurrences | term accuracy | consistency |",
            "|---|---:|---:|---:|---:|",
        ]
        for t, g in s.glossary.items():
            if g:
                lines.append(
                    f"| {t} | {g['documents']} | {g.get('occurrences', 'n/a')} | "
                    f"{_pct(g.get('term_accuracy'))} | {_pct(g.get('consistency'))} |"
                )
    if s.failures:
        lines += ["", "## Failures", "", "| document | languages | reason |", "|---|---|---|"]
        for f in s.failures:
            lines.append(
                f"| {_cell(f['id'])} | {', '.join(f['languages'])} | {_cell(f['reason'])} |"
            )
    return "\n".join(lines) + "\n"


def write_summary(s: JobSummary, out_dir: str | Path) -> tuple[Path, Path]:
    """Write ``summary.json`` and ``summary.md`` atomically."""
    out = Path(out_dir)
    j = out / "summary.json"
    m = out / "summary.md"
    atomic_write_text(j, json.dumps(s.to_dict(), ensure_ascii=False, indent=2) + "\n")
    atomic_write_text(m, render_markdown(s))
    return j, m
