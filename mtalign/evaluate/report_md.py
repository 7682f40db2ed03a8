"""``report.md``: the evaluation as Markdown tables (for pull requests and notes)."""

from __future__ import annotations

from mtalign.evaluate.report_json import Report, tool_versions
from mtalign.evaluate.runner import Evaluation
from mtalign.evaluate.textfmt import fmt_frac, fmt_p, fmt_rate, fmt_score
from mtalign.safetext import md_code, md_text

#: Worst segments listed per system.
WORST = 5


def _cell(text: object) -> str:
    """User data safe in Markdown: one line, markup and control characters escaped."""
    return md_text(text) or " "


def _evaluation_md(ev: Evaluation, worst: int) -> list[str]:
    """One target language's section: header, score table, flags, worst segments, misses."""
    return [
        *_header_md(ev),
        *_scores_md(ev),
        *_flags_md(ev),
        *(_worst_md(ev, worst) if worst else []),
        *_misses_md(ev),
        "### Signatures",
        "",
        *(f"- {ev.systems[0].scores[k].name}: `{ev.systems[0].scores[k].signature}`"
          for k in ev.metrics),
        "",
    ]  # fmt: skip


def _header_md(ev: Evaluation) -> list[str]:
    sig = ev.significance
    out = [f"## {_cell(ev.title or 'Target')}: {_cell(ev.lang)}", ""]
    refs = ", ".join(md_code(r) for r in ev.refs)
    out.append(
        f"References: {refs}"
        + (f"; source: {md_code(ev.src)} ({_cell(ev.src_lang)})" if ev.src else "")
    )
    if sig.method:
        out.append(
            f"Significance: {sig.method}, {sig.n_samples} samples, seed {sig.seed}; baseline "
            f"**{_cell(sig.baseline)}**; * marks p < {sig.alpha}."
        )
    elif sig.n_bootstrap:
        out.append(
            f"95% confidence intervals from {sig.n_bootstrap} bootstrap resamples (seed {sig.seed})."
        )
    out.append("")
    out += [f"> Warning: {_cell(w)}" for w in ev.warnings]
    return out + ([""] if ev.warnings else [])


def _scores_md(ev: Evaluation) -> list[str]:
    names = [ev.systems[0].scores[k].name for k in ev.metrics]
    head = ["System", *names, "wrong language", "flagged"]
    has_terms = any(s.terms for s in ev.systems)
    if has_terms:
        head += ["term accuracy", "term consistency"]
    out = [
        "| " + " | ".join(head) + " |",
        "|" + "|".join(["---"] + ["---:"] * (len(head) - 1)) + "|",
    ]
    for i, s in enumerate(ev.systems):
        name = f"{s.name} (baseline)" if i == 0 and len(ev.systems) > 1 else s.name
        cells = [_cell(name)]
        for k in ev.metrics:
            p = fmt_p(s.scores[k])
            cells.append(fmt_score(s.scores[k]) + (f" ({p})" if p else ""))
        agg = s.aggregates
        cells += [fmt_rate(agg.wrong_lang, agg.judged), fmt_rate(agg.flagged, agg.segments)]
        if has_terms:
            cells += [
                fmt_frac(s.terms.accuracy if s.terms else None),
                fmt_frac(s.terms.consistency if s.terms else None),
            ]
        out.append("| " + " | ".join(cells) + " |")
    out.append("")
    for s in ev.systems:
        if s.alignment:
            a = s.alignment
            kinds = ", ".join(f"{k}: {v}" for k, v in a["bead_kinds"].items())
            out.append(
                f"Alignment of {_cell(s.name)}: {a['hyp_segments']} hypothesis vs {a['ref_segments']} "
                f"reference lines, {_cell(a['method'])}, beads {kinds}; scored on {a['units']} units."
            )
    return out


def _flags_md(ev: Evaluation) -> list[str]:
    out = ["", "### Quality flags", ""]
    for s in ev.systems:
        counts = s.aggregates.flag_counts
        text = ", ".join(f"{k}: {v}" for k, v in counts.items()) or "none"
        out.append(f"- {_cell(s.name)}: {text}")
    return out + [""]


def _worst_md(ev: Evaluation, worst: int) -> list[str]:
    out = [f"### Lowest sentence chrF++ (up to {worst} per system)", ""]
    for s in ev.systems:
        out += [f"**{_cell(s.name)}**", "", "| # | chrF++ | hypothesis | reference | flags |"]
        out.append("|---:|---:|---|---|---|")
        for seg in sorted(s.segments, key=lambda x: (x.chrf, x.index))[:worst]:
            out.append(
                f"| {seg.index + 1} | {seg.chrf:.1f} | {_cell(seg.hyp)} | "
                f"{_cell(seg.refs[0] if seg.refs else '')} | {_cell(', '.join(seg.flags))} |"
            )
        out.append("")
    return out


def _misses_md(ev: Evaluation) -> list[str]:
    misses = [
        (s.name, o)
        for s in ev.systems
        if s.terms
        for o in s.terms.occurrences
        if o.status in ("missing", "variant")
    ]
    if not misses:
        return []
    out = ["### Glossary misses", "", "| system | # | term | expected | found | status |"]
    out.append("|---|---:|---|---|---|---|")
    for name, o in misses:
        out.append(
            f"| {_cell(name)} | {o.segment + 1} | {_cell(o.source_form or o.term)} | "
            f"{_cell(' / '.join(o.expected))} | {_cell(o.found or '-')} | {o.status} |"
        )
    return out + [""]


def render_md(report: Report, worst: int = WORST) -> str:
    """``report.md`` text."""
    tools = tool_versions()
    lines = [f"# {_cell(report.title)}", ""]
    lines.append(
        f"mtalign {tools['mtalign']}, sacrebleu {tools['sacrebleu']}, langdetect "
        f"{tools['langdetect']}."
    )
    lines.append("")
    for ev in report.evaluations:
        lines += _evaluation_md(ev, worst)
    return "\n".join(lines).rstrip("\n") + "\n"
