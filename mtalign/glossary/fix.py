"""Post-editing translations of any MT system: rewrite wrong variants of glossary terms.

Only what can be aligned without a model is changed: variants (wrong apostrophe use,
lost Turkish letters, е/ё and case errors, Arabic spelling variants) and near-miss
renderings. The Turkish suffix, the Russian case and the Arabic proclitics are kept.
Missing terms are reported, not inserted (that needs the model's attention: see
``enforce``).
"""

from __future__ import annotations

from dataclasses import dataclass

from mtalign.glossary.check import Occurrence, check_corpus, check_segment
from mtalign.glossary.model import Glossary


def apply_edits(text: str, edits: list[tuple[int, int, str]]) -> str:
    """Replace ``(start, end, new)`` spans (non-overlapping) in ``text``."""
    for start, end, new in sorted(edits, reverse=True):
        text = text[:start] + new + text[end:]
    return text


def fix_occurrences(target: str, occurrences: list[Occurrence]) -> str:
    """``target`` with every variant occurrence replaced by its repaired form."""
    edits = [
        (o.found.start, o.found.end, o.found.replacement)
        for o in occurrences
        if o.hit.status == "variant" and o.found is not None
    ]
    return apply_edits(target, edits)


def fix_segment(
    source: str, target: str, glossary: Glossary, src_lang: str, tgt_lang: str, segment: int = 0
) -> tuple[str, list[Occurrence]]:
    """The repaired target and the occurrences found before repair."""
    occ = check_segment(source, target, glossary, src_lang, tgt_lang, segment)
    return fix_occurrences(target, occ), occ


@dataclass(frozen=True)
class FixResult:
    texts: list[str]
    before: list[Occurrence]
    after: list[Occurrence]


def fix_corpus(
    sources: list[str], targets: list[str], glossary: Glossary, src_lang: str, tgt_lang: str
) -> FixResult:
    """Repair every segment; the result carries the check before and after."""
    before = check_corpus(sources, targets, glossary, src_lang, tgt_lang)
    by_seg: dict[int, list[Occurrence]] = {}
    for o in before:
        by_seg.setdefault(o.hit.segment, []).append(o)
    fixed = [fix_occurrences(t, by_seg.get(i, [])) for i, t in enumerate(targets, start=1)]
    after = check_corpus(sources, fixed, glossary, src_lang, tgt_lang)
    return FixResult(fixed, before, after)
