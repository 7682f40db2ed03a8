"""``report.json``: everything an evaluation found, machine-readable and reproducible.

No timestamps: two runs with the same inputs and seed write the same bytes.
"""

from __future__ import annotations

import json
import platform
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mtalign.evaluate.runner import Evaluation, SystemResult
from mtalign.types import Score
from mtalign.version import __version__

#: Version of the report layout; bump when keys change meaning.
SCHEMA = 1


@dataclass(frozen=True)
class Report:
    """What the report writers render: one or more evaluations plus the run's settings."""

    evaluations: tuple[Evaluation, ...]
    title: str = "mtalign evaluation"
    settings: Mapping[str, Any] = field(default_factory=dict)
    suite: Mapping[str, Any] | None = None


def tool_versions() -> dict[str, str]:
    """mtalign, sacrebleu, langdetect and Python versions."""
    import sacrebleu

    out = {"mtalign": __version__, "sacrebleu": sacrebleu.__version__}
    try:
        from importlib.metadata import version

        out["langdetect"] = version("langdetect")
    except Exception:  # noqa: BLE001 - metadata is optional, the report is not
        out["langdetect"] = "unknown"
    out["python"] = platform.python_version()
    return out


def score_dict(score: Score) -> dict[str, Any]:
    """A score as JSON: value, sacrebleu signature, 95% CI and test results."""
    d: dict[str, Any] = {
        "name": score.name,
        "score": round(score.value, 4),
        "signature": score.signature,
    }
    if score.ci is not None:
        d["ci95"] = [round(score.ci[0], 4), round(score.ci[1], 4)]
    for key in ("mean", "ci_halfwidth", "p_value"):
        if key in score.extra:
            d[key] = round(float(score.extra[key]), 4)
    for key in ("significant", "lower_is_better", "verbose"):
        if key in score.extra:
            d[key] = score.extra[key]
    return d


def system_dict(system: SystemResult, baseline: bool) -> dict[str, Any]:
    segments = [s.as_dict() for s in system.segments]
    for key, values in system.segment_scores.items():  # neural metrics, per segment
        for seg, value in zip(segments, values, strict=True):
            seg[key] = round(value, 4)
    return {
        "name": system.name,
        "path": system.path,
        "baseline": baseline,
        "scores": {k: score_dict(s) for k, s in system.scores.items()},
        "aggregates": system.aggregates.as_dict(),
        "terms": system.terms.as_dict() if system.terms else None,
        "alignment": system.alignment,
        "segments": segments,
    }


def evaluation_dict(ev: Evaluation) -> dict[str, Any]:
    return {
        "title": ev.title,
        "lang": ev.lang,
        "src_lang": ev.src_lang,
        "references": list(ev.refs),
        "source": ev.src,
        "glossary": ev.glossary,
        "metrics": list(ev.metrics),
        "bleu_tokenizer": ev.bleu_tokenizer,
        "significance": ev.significance.as_dict(),
        "warnings": list(ev.warnings),
        "systems": [system_dict(s, i == 0) for i, s in enumerate(ev.systems)],
        **({"meta": dict(ev.meta)} if ev.meta else {}),
    }


def report_dict(report: Report) -> dict[str, Any]:
    """The whole report as plain JSON-able values."""
    return {
        "schema": SCHEMA,
        "title": report.title,
        "tool": tool_versions(),
        "settings": dict(report.settings),
        **({"suite": dict(report.suite)} if report.suite else {}),
        "evaluations": [evaluation_dict(ev) for ev in report.evaluations],
    }


def render_json(report: Report) -> str:
    """``report.json`` text (UTF-8, non-ASCII kept readable)."""
    return json.dumps(report_dict(report), ensure_ascii=False, indent=2) + "\n"
