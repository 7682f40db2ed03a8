"""Evaluation: sacrebleu scores with signatures, paired significance tests, per-segment
statistics (sentence chrF++, length ratio, wrong language, glossary terms), and reports
in JSON, Markdown and self-contained HTML.

Typical use::

    from mtalign.evaluate import EvalOptions, Report, evaluate_files, write_reports
    options = EvalOptions(significance="paired-bs")
    ev = evaluate_files(["a.tr.txt", "b.tr.txt"], ["ref.tr.txt"], "tr", options=options)
    write_reports(Report((ev,)), "report/")
"""

from __future__ import annotations

from mtalign.evaluate.metrics import METRICS, TOKENIZERS, corpus_scores, parse_metrics
from mtalign.evaluate.report import FORMATS, parse_formats, write_reports
from mtalign.evaluate.report_html import render_html
from mtalign.evaluate.report_json import Report, render_json, report_dict
from mtalign.evaluate.report_md import render_md
from mtalign.evaluate.runner import (
    EvalNames,
    EvalOptions,
    Evaluation,
    SystemResult,
    evaluate_files,
    evaluate_texts,
)
from mtalign.evaluate.significance import METHODS, score_systems

__all__ = [
    "FORMATS",
    "METHODS",
    "METRICS",
    "TOKENIZERS",
    "Evaluation",
    "Report",
    "SystemResult",
    "corpus_scores",
    "EvalNames",
    "EvalOptions",
    "evaluate_files",
    "evaluate_texts",
    "parse_formats",
    "parse_metrics",
    "render_html",
    "render_json",
    "render_md",
    "report_dict",
    "score_systems",
    "write_reports",
]
