"""The plain-text report of ``mtalign models check``."""

from __future__ import annotations

from collections.abc import Sequence

from mtalign.pipeline.modelcheck.judge import flag_kinds
from mtalign.pipeline.modelcheck.results import PairCheck


def _fmt(x: float | None, spec: str = ".1f") -> str:
    return "-" if x is None else format(x, spec)


def render_checks(results: Sequence[PairCheck]) -> str:
    """The plain-text report of ``mtalign models check``."""
    blocks = []
    for c in results:
        head = f"{c.pair}  {c.model_id}  ({c.origin}, {c.revision[:16]})"
        if c.target_token:
            head += f"  target token {c.target_token}"
        lines = [head]
        if c.runs:
            rows = [("engine", "chrF++", "BLEU", "terms off->enforce", "chrF++ enforce",
                     "flagged", "tok/s", "load s", "peak MB")]  # fmt: skip
            for r in c.runs:
                terms = "-" if r.terms_off is None else (
                    f"{r.terms_off:.2f}->{_fmt(r.terms_enforce, '.2f')}"
                )  # fmt: skip
                rows.append((
                    f"{r.engine} {r.compute_type}", _fmt(r.chrf), _fmt(r.bleu), terms,
                    _fmt(r.chrf_enforce), f"{r.flagged}/{r.segments}", _fmt(r.tokens_per_s, ".0f"),
                    _fmt(r.load_seconds), _fmt(r.peak_rss_mb, ".0f"),
                ))  # fmt: skip
            widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
            for row in rows:
                cells = [row[0].ljust(widths[0])] + [
                    cell.rjust(w) for cell, w in zip(row[1:], widths[1:], strict=True)
                ]
                lines.append("  " + "  ".join(cells))
            for r in c.runs:
                if r.flags:
                    lines.append(f"  quality flags ({r.engine}): {flag_kinds(r.flags)}")
            if c.same_tokens is not None:
                lines.append(
                    f"  engines: the same tokens in {c.same_tokens}/{c.runs[0].segments} "
                    f"segments; chrF++ between their outputs {_fmt(c.engine_chrf)}"
                )
            lines.append(f"  source <unk> pieces: {c.unk_rate:.1%}")
        status = "OK" if c.ok else "FAIL"
        lines.append(f"  verdict: {status}: {c.verdict}")
        lines += [f"    - {p}" for p in c.problems]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)
