"""``report.html``: one self-contained page (inline CSS, inline SVG, no script, no network).

Every piece of text from the inputs goes through :func:`html.escape`; a Content Security
Policy that forbids scripts and remote loads is a second line of defence. Segment cells
carry ``lang`` and ``dir="auto"`` so Arabic reads right-to-left.
"""

from __future__ import annotations

import html
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mtalign.evaluate.report_json import Report, tool_versions
from mtalign.evaluate.runner import Evaluation, SystemResult
from mtalign.evaluate.segments import SegmentStat
from mtalign.evaluate.textfmt import fmt_frac, fmt_p, fmt_rate, fmt_score

#: Worst segments shown per system.
WORST = 10
#: Series colours (colour-blind friendly, Okabe-Ito).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans Arabic",
sans-serif;margin:0;color:#1d2430;background:#f6f7f9}
main{max-width:1180px;margin:0 auto;padding:24px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:20px;margin:32px 0 8px;border-bottom:2px solid #d8dde5}
h3{font-size:16px;margin:20px 0 8px}
.meta{color:#5b6576;font-size:13px}
section.card{background:#fff;border:1px solid #dde2ea;border-radius:8px;padding:16px 20px;margin:16px 0}
table{border-collapse:collapse;width:100%;margin:8px 0}
th,td{border-bottom:1px solid #e6e9ef;padding:6px 8px;text-align:left;vertical-align:top}
th{background:#f0f2f6;font-weight:600}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.baseline td:first-child{font-weight:600}
.tag{display:inline-block;font-size:11px;padding:1px 6px;border-radius:9px;background:#eef1f5;
color:#3a4456;margin:1px 2px;white-space:nowrap}
.tag.bad{background:#fde8e4;color:#a3290f}.tag.base{background:#fff4d6;color:#7a5600}
.sig{color:#0b6b3a;font-weight:600}.nsig{color:#6b7280}
td>mark:only-child{white-space:nowrap}
mark.miss{background:#ffd5cc;color:#7c1d06;border-radius:3px;padding:0 2px}
mark.variant{background:#ffefb3;color:#6b4a00;border-radius:3px;padding:0 2px}
mark.ok{background:#d7f2e3;color:#0b5b31;border-radius:3px;padding:0 2px}
.seg td{font-size:13px;max-width:340px;overflow-wrap:anywhere}
.charts{display:flex;flex-wrap:wrap;gap:24px;margin:12px 0}
figure{margin:0}figcaption{font-weight:600;margin-bottom:6px}
.warn{background:#fff7e0;border-left:4px solid #e6a700;padding:6px 10px;margin:6px 0}
code{font-size:12px;background:#f0f2f6;padding:1px 4px;border-radius:3px;overflow-wrap:anywhere}
.legend span{display:inline-block;margin-right:14px;font-size:12px}
.legend i{display:inline-block;width:10px;height:10px;margin-right:4px;border-radius:2px}
"""


def e(text: object) -> str:
    """Escape any text for HTML element content and attribute values."""
    return html.escape(str(text), quote=True)


def shown_path(value: str, base: str | os.PathLike[str] | None) -> str:
    """A file path as the page shows it: relative to the report folder ``base`` when it lies
    under it or beside it (one ``..``), else its base name, so a page passed around carries
    no local folder names. Strings that are not paths (hub ids, ``-``) stay as they are."""
    if not value or value == "-" or not (os.path.isabs(value) or os.path.exists(value)):
        return value
    if base is not None:
        try:
            rel = os.path.relpath(os.path.abspath(value), os.path.abspath(base))
        except ValueError:  # another drive on Windows
            rel = ""
        if rel and Path(rel).parts.count("..") <= 1 and not os.path.isabs(rel):
            return Path(rel).as_posix()
    return Path(value).name or value


def _shown(value: Any, base: str | os.PathLike[str] | None) -> Any:
    """:func:`shown_path` through the lists and tables of the settings."""
    if isinstance(value, str):
        return shown_path(value, base)
    if isinstance(value, (list, tuple)):
        return [_shown(v, base) for v in value]
    if isinstance(value, dict):
        return {k: _shown(v, base) for k, v in value.items()}
    return value


def _color(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


def highlight(text: str, spans: Sequence[tuple[int, int, str, str]]) -> str:
    """Escaped ``text`` with ``(start, end, css_class, title)`` spans wrapped in ``<mark>``.

    Overlapping or out-of-range spans are skipped, never allowed to break the markup.
    """
    out: list[str] = []
    pos = 0
    for start, end, cls, title in sorted(spans):
        if start < pos or end <= start or end > len(text):
            continue
        out.append(e(text[pos:start]))
        out.append(f'<mark class="{e(cls)}" title="{e(title)}">{e(text[start:end])}</mark>')
        pos = end
    out.append(e(text[pos:]))
    return "".join(out)


def _term_spans(seg: SegmentStat, side: str) -> list[tuple[int, int, str, str]]:
    spans = []
    for occ in seg.terms:
        cls = {"missing": "miss", "variant": "variant", "ok": "ok"}.get(occ.status)
        if cls is None:
            continue
        title = f"{occ.term}: {occ.status}; expected {' / '.join(occ.expected) or '-'}"
        if side == "src":
            span = occ.src_span
            text = seg.src or ""
            if span is None and occ.source_form and occ.source_form in text:
                start = text.index(occ.source_form)
                span = (start, start + len(occ.source_form))
        else:
            span = occ.tgt_span
            text = seg.hyp
            if span is None and occ.found and occ.found in text:
                start = text.index(occ.found)
                span = (start, start + len(occ.found))
        if span is not None:
            spans.append((int(span[0]), int(span[1]), cls, title))
    return spans


# ---------------------------------------------------------------------------- charts


def score_chart(ev: Evaluation) -> str:
    """Horizontal bars per metric and system, with 95% CI whiskers, as inline SVG."""
    n_sys = len(ev.systems)
    bar_h, gap, label_w, plot_w, pad = 16, 4, 130, 300, 28
    panel_h = pad + n_sys * (bar_h + gap) + 24
    width = label_w + plot_w + 70
    height = panel_h * len(ev.metrics) + 8
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="scores per system">'
    ]
    for m, key in enumerate(ev.metrics):
        y0 = m * panel_h
        scores = [s.scores[key] for s in ev.systems]
        top = max([100.0] + [sc.ci[1] if sc.ci else sc.value for sc in scores])
        scale = plot_w / top
        lower = " (lower is better)" if key == "ter" else ""
        parts.append(
            f'<text x="0" y="{y0 + 16}" font-size="13" font-weight="600">{e(scores[0].name)}'
            f"{e(lower)}</text>"
        )
        for tick in range(0, int(top) + 1, 20 if top <= 120 else 50):
            x = label_w + tick * scale
            parts.append(
                f'<line x1="{x:.1f}" y1="{y0 + pad - 4}" x2="{x:.1f}" '
                f'y2="{y0 + pad + n_sys * (bar_h + gap)}" stroke="#e3e7ee"/>'
                f'<text x="{x:.1f}" y="{y0 + pad + n_sys * (bar_h + gap) + 12}" font-size="10" '
                f'text-anchor="middle" fill="#6b7280">{tick}</text>'
            )
        for i, (s, sc) in enumerate(zip(ev.systems, scores, strict=True)):
            y = y0 + pad + i * (bar_h + gap)
            w = max(0.0, sc.value) * scale
            parts.append(
                f'<text x="{label_w - 6}" y="{y + bar_h - 4}" font-size="12" text-anchor="end">'
                f"{e(_short(s.name, 22))}</text>"
                f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" rx="2" '
                f'fill="{_color(i)}" opacity="0.85"><title>{e(s.name)}: {e(fmt_score(sc))}'
                f"</title></rect>"
            )
            if sc.ci:
                parts.append(_whisker(sc.ci, label_w, scale, y + bar_h / 2))
            end = label_w + max(w, sc.ci[1] * scale if sc.ci else 0) + 6
            parts.append(
                f'<text x="{end:.1f}" y="{y + bar_h - 4}" font-size="11">{e(f"{sc.value:.2f}")}'
                "</text>"
            )
    parts.append("</svg>")
    return "".join(parts)


def _whisker(ci: tuple[float, float], left: float, scale: float, ym: float) -> str:
    """A CI whisker; a bound below 0 is cut at the axis (dashed, no cap) so it never runs
    into the system names left of the plot (TER's wide intervals do)."""
    lo, hi = ci
    x1, x2 = left + max(0.0, lo) * scale, left + max(0.0, hi) * scale
    cap = f"M{x1:.1f} {ym - 5}v10" if lo >= 0 else ""
    out = (
        f'<path d="{cap}M{x1:.1f} {ym}H{x2:.1f}M{x2:.1f} {ym - 5}v10" '
        f'stroke="#1d2430" stroke-width="1.5" fill="none"/>'
    )
    if lo < 0:
        out += (
            f'<path d="M{x1:.1f} {ym - 5}v10" stroke="#1d2430" stroke-width="1" '
            f'stroke-dasharray="2 2" fill="none"><title>lower bound {lo:.2f} is below 0</title></path>'
        )
    return out


def histogram(ev: Evaluation, bins: int = 10) -> str:
    """Distribution of sentence chrF++ (0-100 in ``bins`` bins), one bar series per system."""
    n_sys = len(ev.systems)
    counts = []
    for s in ev.systems:
        c = [0] * bins
        for seg in s.segments:
            c[min(bins - 1, max(0, int(seg.chrf * bins / 100)))] += 1
        counts.append(c)
    peak = max([1] + [x for c in counts for x in c])
    left, bottom, plot_w, plot_h = 36, 36, 470, 180
    width, height = left + plot_w + 10, plot_h + bottom + 14
    group_w = plot_w / bins
    bar_w = max(2.0, (group_w - 6) / n_sys)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="sentence chrF++ histogram">'
    ]
    step = max(1, peak // 5)
    for tick in range(0, peak + 1, step):
        y = 10 + plot_h - tick * plot_h / peak
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#e3e7ee"/>'
            f'<text x="{left - 4}" y="{y + 3:.1f}" font-size="10" text-anchor="end" '
            f'fill="#6b7280">{tick}</text>'
        )
    for b in range(bins):
        x0 = left + b * group_w + 3
        for i, c in enumerate(counts):
            h = c[b] * plot_h / peak
            parts.append(
                f'<rect x="{x0 + i * bar_w:.1f}" y="{10 + plot_h - h:.1f}" width="{bar_w - 1:.1f}" '
                f'height="{h:.1f}" fill="{_color(i)}" opacity="0.85"><title>'
                f"{e(ev.systems[i].name)}: {c[b]} segments with chrF++ "
                f"{b * 100 // bins}-{(b + 1) * 100 // bins}</title></rect>"
            )
        parts.append(
            f'<text x="{left + b * group_w:.1f}" y="{plot_h + 24}" font-size="10" '
            f'fill="#6b7280">{b * 100 // bins}</text>'
        )
    parts.append(
        f'<text x="{left + plot_w - 2}" y="{plot_h + 24}" font-size="10" text-anchor="end" '
        f'fill="#6b7280">100</text><text x="{left + plot_w / 2}" y="{plot_h + 40}" '
        'font-size="11" text-anchor="middle">sentence chrF++</text>'
    )
    parts.append("</svg>")
    return "".join(parts)


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


# ---------------------------------------------------------------------------- tables


def _summary_table(ev: Evaluation) -> str:
    has_terms = any(s.terms for s in ev.systems)
    head = ["System"] + [ev.systems[0].scores[k].name for k in ev.metrics]
    if ev.significance.method:
        head.append(f"vs baseline ({ev.significance.method})")
    head += ["wrong language", "flagged"]
    if has_terms:
        head += ["term accuracy", "term consistency"]
    rows = ["<table><thead><tr>"]
    rows += [f'<th class="{"num" if i else ""}">{e(h)}</th>' for i, h in enumerate(head)]
    rows.append("</tr></thead><tbody>")
    for i, s in enumerate(ev.systems):
        rows.append(f'<tr class="{"baseline" if i == 0 else ""}">')
        tag = ' <span class="tag base">baseline</span>' if i == 0 and len(ev.systems) > 1 else ""
        rows.append(f'<td><i style="color:{_color(i)}">■</i> {e(s.name)}{tag}</td>')
        for k in ev.metrics:
            rows.append(f'<td class="num">{e(fmt_score(s.scores[k]))}</td>')
        if ev.significance.method:
            ps = [fmt_p(s.scores[k]) for k in ev.metrics]
            cells = []
            for k, p in zip(ev.metrics, ps, strict=True):
                if p:
                    cls = "sig" if s.scores[k].extra.get("significant") else "nsig"
                    cells.append(f'<span class="{cls}">{e(s.scores[k].name)} {e(p)}</span>')
            rows.append(f'<td class="num">{"<br>".join(cells) or "-"}</td>')
        agg = s.aggregates
        rows.append(f'<td class="num">{e(fmt_rate(agg.wrong_lang, agg.judged))}</td>')
        rows.append(f'<td class="num">{e(fmt_rate(agg.flagged, agg.segments))}</td>')
        if has_terms:
            rows.append(
                f'<td class="num">{e(fmt_frac(s.terms.accuracy if s.terms else None))}</td>'
            )
            rows.append(
                f'<td class="num">{e(fmt_frac(s.terms.consistency if s.terms else None))}</td>'
            )
        rows.append("</tr>")
    rows.append("</tbody></table>")
    return "".join(rows)


def _flags(flags: Sequence[str]) -> str:
    return "".join(f'<span class="tag bad">{e(f)}</span>' for f in flags)


def _worst_table(ev: Evaluation, s: SystemResult, worst: int) -> str:
    comet = s.segment_scores.get("comet")
    if ev.refs:
        segs = sorted(s.segments, key=lambda x: (x.chrf, x.index))[:worst]
    else:  # reference-free (COMET-QE): the lowest COMET scores
        segs = sorted(s.segments, key=lambda x: (comet[x.index] if comet else 0, x.index))[:worst]
    has_src = ev.src is not None
    head = ["#", "chrF++"] + (["COMET"] if comet else []) + (["source"] if has_src else [])
    head += ["reference", "hypothesis", "flags"]
    out = ['<table class="seg"><thead><tr>']
    out += [
        f'<th class="{"num" if h in ("#", "chrF++", "COMET") else ""}">{e(h)}</th>' for h in head
    ]
    out.append("</tr></thead><tbody>")
    for seg in segs:
        out.append("<tr>")
        chrf = f"{seg.chrf:.1f}" if ev.refs else "-"
        out.append(f'<td class="num">{seg.index + 1}</td><td class="num">{chrf}</td>')
        if comet:
            out.append(f'<td class="num">{comet[seg.index]:.4f}</td>')
        if has_src:
            src = highlight(seg.src or "", _term_spans(seg, "src"))
            out.append(f'<td lang="{e(ev.src_lang)}" dir="auto">{src}</td>')
        ref = "<br>".join(e(r) for r in seg.refs)
        out.append(f'<td lang="{e(ev.lang)}" dir="auto">{ref}</td>')
        hyp = highlight(seg.hyp, _term_spans(seg, "hyp"))
        out.append(f'<td lang="{e(ev.lang)}" dir="auto">{hyp}</td>')
        extra = ""
        if seg.detected_lang and seg.wrong_lang:
            extra = f'<br><span class="tag">detected {e(seg.detected_lang)}</span>'
        out.append(f"<td>{_flags(seg.flags)}{extra}</td></tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _misses_table(ev: Evaluation) -> str:
    rows = []
    for s in ev.systems:
        if not s.terms:
            continue
        segs = {seg.index: seg for seg in s.segments}
        for o in s.terms.occurrences:
            if o.status not in ("missing", "variant"):
                continue
            seg = segs.get(o.segment)
            cls = "miss" if o.status == "missing" else "variant"
            src = highlight(seg.src or "", _term_spans(seg, "src")) if seg else ""
            hyp = highlight(seg.hyp, _term_spans(seg, "hyp")) if seg else ""
            rows.append(
                f'<tr><td>{e(s.name)}</td><td class="num">{o.segment + 1}</td>'
                f"<td>{e(o.source_form or o.term)}</td>"
                f'<td lang="{e(ev.lang)}" dir="auto">{e(" / ".join(o.expected) or "-")}</td>'
                f'<td lang="{e(ev.lang)}" dir="auto">{e(o.found or "-")}</td>'
                f'<td><mark class="{cls}">{e(o.status)}</mark></td>'
                f'<td lang="{e(ev.src_lang)}" dir="auto">{src}</td>'
                f'<td lang="{e(ev.lang)}" dir="auto">{hyp}</td></tr>'
            )
    if not rows:
        return ""
    head = ["system", "#", "term", "expected", "found", "status", "source", "hypothesis"]
    return (
        '<h3>Glossary misses</h3><table class="seg"><thead><tr>'
        + "".join(f"<th>{h}</th>" for h in head)
        + "</tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
    )


def _evaluation_html(ev: Evaluation, worst: int, base: str | os.PathLike[str] | None) -> str:
    sig = ev.significance
    out = [f'<section class="card"><h2>{e(ev.title or "Target")}: {e(ev.lang)}</h2>']
    refs = ", ".join(f"<code>{e(shown_path(r, base))}</code>" for r in ev.refs)
    src = (
        f"; source <code>{e(shown_path(ev.src, base))}</code> ({e(ev.src_lang)})" if ev.src else ""
    )
    out.append(f'<p class="meta">References {refs}{src}; BLEU tokenizer {e(ev.bleu_tokenizer)}.')
    if sig.method:
        out.append(
            f" Paired test {e(sig.method)}, {sig.n_samples} samples, seed {sig.seed}, baseline "
            f"<b>{e(sig.baseline)}</b>; green p-values are below {sig.alpha}."
        )
    elif sig.n_bootstrap:
        out.append(
            f" 95% confidence intervals from {sig.n_bootstrap} bootstrap resamples, seed {sig.seed}."
        )
    out.append("</p>")
    out += [f'<div class="warn">{e(w)}</div>' for w in ev.warnings]
    out.append(_summary_table(ev))
    legend = "".join(
        f'<span><i style="background:{_color(i)}"></i>{e(s.name)}</span>'
        for i, s in enumerate(ev.systems)
    )
    out.append(
        '<div class="charts"><figure><figcaption>Scores with 95% confidence intervals'
        f"</figcaption>{score_chart(ev)}</figure><figure><figcaption>Sentence chrF++ "
        f'distribution</figcaption>{histogram(ev)}<div class="legend">{legend}</div></figure></div>'
    )
    for s in ev.systems:
        if s.alignment:
            a = s.alignment
            kinds = ", ".join(f"{k}: {v}" for k, v in a["bead_kinds"].items())
            out.append(
                f'<p class="meta">Alignment of {e(s.name)}: {a["hyp_segments"]} hypothesis vs '
                f"{a['ref_segments']} reference lines, {e(a['method'])}, beads {e(kinds)}; "
                f"scored on {a['units']} units.</p>"
            )
    flag_rows = "".join(
        f"<tr><td>{e(s.name)}</td><td>"
        + (
            " ".join(
                f'<span class="tag bad">{e(k)}: {v}</span>'
                for k, v in s.aggregates.flag_counts.items()
            )
            or "none"
        )
        + "</td></tr>"
        for s in ev.systems
    )
    out.append(f"<h3>Quality flags</h3><table><tbody>{flag_rows}</tbody></table>")
    for s in ev.systems:
        lowest = "sentence chrF++" if ev.refs else "COMET-QE"
        out.append(f"<h3>Lowest {lowest}: {e(s.name)}</h3>")
        out.append(_worst_table(ev, s, worst))
    out.append(_misses_table(ev))
    sigs = "".join(
        f"<li>{e(ev.systems[0].scores[k].name)}: <code>{e(ev.systems[0].scores[k].signature)}</code></li>"
        for k in ev.metrics
    )
    out.append(f"<h3>Signatures</h3><ul>{sigs}</ul></section>")
    return "".join(out)


def render_html(
    report: Report, worst: int = WORST, base: str | os.PathLike[str] | None = None
) -> str:
    """``report.html`` text: a single page that needs nothing but a browser.

    File paths are shown relative to ``base`` (the report's folder) or as base names.
    """
    tools = tool_versions()
    settings = "".join(
        f"<tr><th>{e(k)}</th><td><code>{e(_shown(v, base))}</code></td></tr>"
        for k, v in report.settings.items()
    )
    body = "".join(_evaluation_html(ev, worst, base) for ev in report.evaluations)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{e(report.title)}</title><style>{_CSS}</style></head><body><main>"
        f"<h1>{e(report.title)}</h1>"
        f'<p class="meta">mtalign {e(tools["mtalign"])} · sacrebleu {e(tools["sacrebleu"])} · '
        f"langdetect {e(tools['langdetect'])} · Python {e(tools['python'])}</p>"
        f"{body}"
        f'<section class="card"><h2>Settings</h2><table><tbody>{settings}</tbody></table>'
        "</section></main></body></html>\n"
    )
