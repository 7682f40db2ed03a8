"""Number formatting shared by the Markdown, HTML and terminal tables."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mtalign.safetext import printable
from mtalign.types import Score

if TYPE_CHECKING:
    from mtalign.evaluate.runner import Evaluation


def fmt_score(score: Score | None, ci: bool = True) -> str:
    """``23.41 ± 1.20`` (sacrebleu's half-width of the 95% interval), or ``23.41``."""
    if score is None:
        return "-"
    text = f"{score.value:.2f}"
    half = score.extra.get("ci_halfwidth")
    if ci and half is not None:
        text += f" ± {half:.2f}"
    return text


def fmt_p(score: Score | None) -> str:
    """``p=0.031*`` (star: significant at the report's alpha), or empty for the baseline."""
    if score is None or "p_value" not in score.extra:
        return ""
    star = "*" if score.extra.get("significant") else ""
    return f"p={score.extra['p_value']:.4f}{star}"


def fmt_rate(part: int, whole: int) -> str:
    """``3/40 (7.5%)``; ``-`` when nothing was counted."""
    if not whole:
        return "-"
    return f"{part}/{whole} ({100 * part / whole:.1f}%)"


def fmt_frac(value: float | None) -> str:
    """A 0..1 fraction as a percentage, ``-`` when undefined."""
    return "-" if value is None else f"{100 * value:.1f}%"


def score_table(ev: Evaluation) -> str:
    """A compact plain-text table of one evaluation (what the CLI prints)."""
    sig = ev.significance
    head = (
        ["system"] + [ev.systems[0].scores[k].name for k in ev.metrics] + ["wrong-lang", "flagged"]
    )
    has_terms = any(s.terms for s in ev.systems)
    if has_terms:
        head.append("terms")
    rows = [head]
    for i, s in enumerate(ev.systems):
        # System names and file names are user data: escaped, one line each.
        name = printable(s.name) + (" (baseline)" if i == 0 and len(ev.systems) > 1 else "")
        row = [name]
        for k in ev.metrics:
            p = fmt_p(s.scores[k])
            row.append(fmt_score(s.scores[k]) + (f" {p}" if p else ""))
        agg = s.aggregates
        row += [fmt_rate(agg.wrong_lang, agg.judged), f"{agg.flagged}/{agg.segments}"]
        if has_terms:
            row.append(fmt_frac(s.terms.accuracy if s.terms else None))
        rows.append(row)
    widths = [max(len(r[c]) for r in rows) for c in range(len(head))]
    lines = [
        printable(
            f"{ev.title + ': ' if ev.title else ''}target {ev.lang}, reference {', '.join(ev.refs)}"
        )
    ]
    for r in rows:
        cells = [r[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(r[1:], widths[1:], strict=True)
        ]
        lines.append("  ".join(cells).rstrip())
    if sig.method:
        lines.append(
            f"{sig.method}: {sig.n_samples} samples, seed {sig.seed}; * = p < {sig.alpha} vs "
            f"baseline {sig.baseline}"
        )
    elif sig.n_bootstrap:
        lines.append(
            f"± = 95% CI half-width, {sig.n_bootstrap} bootstrap resamples, seed {sig.seed}"
        )
    lines += signature_lines(ev)
    return "\n".join(lines)


def signature_lines(ev: Evaluation) -> list[str]:
    """``BLEU|nrefs:1|...|version:2.4.0`` per metric, as sacrebleu prints them."""
    scores = ev.systems[0].scores if ev.systems else {}
    return [f"{scores[k].name}|{scores[k].signature}" for k in ev.metrics if k in scores]
