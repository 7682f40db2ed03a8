"""Glossary term accuracy and consistency of a hypothesis, through mtalign.glossary.

:func:`check_terms` is the one place that calls the glossary module; everything else in
the evaluation works on :class:`TermReport` values, so a fake checker can stand in for it.
"""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from mtalign.evaluate.segments import TermOccurrence

#: Statuses that count towards term accuracy (``no-target`` terms have nothing to check).
CHECKED = ("ok", "variant", "missing")


@dataclass(frozen=True)
class TermReport:
    """Per-occurrence results of a glossary check and their summary."""

    occurrences: tuple[TermOccurrence, ...]
    accuracy: float | None
    consistency: float | None
    counts: dict[str, int] = field(default_factory=dict)
    glossary: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "glossary": self.glossary,
            "accuracy": None if self.accuracy is None else round(self.accuracy, 4),
            "consistency": None if self.consistency is None else round(self.consistency, 4),
            "counts": dict(self.counts),
            "occurrences": len(self.occurrences),
        }


#: ``(sources, hypotheses) -> TermReport``: what the evaluation needs from a glossary.
TermChecker = Callable[[Sequence[str], Sequence[str]], TermReport]


def summarize(occurrences: Iterable[TermOccurrence], glossary: str = "") -> TermReport:
    """Accuracy (ok / checked occurrences) and consistency of a list of occurrences.

    Consistency: the share of terms found two or more times whose found forms are all
    the same (a name spelled one way throughout the text); None when no term is found twice.
    """
    occ = tuple(occurrences)
    counts = Counter(o.status for o in occ)
    checked = sum(counts[s] for s in CHECKED)
    accuracy = counts["ok"] / checked if checked else None
    forms: dict[str, set[str]] = defaultdict(set)
    seen: Counter[str] = Counter()
    for o in occ:
        if o.found:
            forms[o.term].add(o.found)
            seen[o.term] += 1
    repeated = [t for t, n in seen.items() if n >= 2]
    consistency = (
        sum(1 for t in repeated if len(forms[t]) == 1) / len(repeated) if repeated else None
    )
    return TermReport(occ, accuracy, consistency, dict(sorted(counts.items())), glossary)


def check_terms(
    glossary: str | os.PathLike[str] | Any,
    sources: Sequence[str],
    hypotheses: Sequence[str],
    src_lang: str,
    tgt_lang: str,
) -> TermReport:
    """Check every source occurrence of the glossary's terms in line-aligned hypotheses.

    The one call into mtalign.glossary (``check_corpus`` and its report measures):
    ``glossary`` is a file path or an already loaded ``Glossary``. Segments are numbered
    from 0 here (the glossary module counts lines from 1).
    """
    from mtalign.glossary.check import check_corpus
    from mtalign.glossary.formats import load_glossary
    from mtalign.glossary.report import consistency, term_accuracy

    name = getattr(glossary, "path", None) or str(glossary)
    if isinstance(glossary, (str, os.PathLike)):
        glossary = load_glossary(glossary, src_lang=src_lang, tgt_lang=tgt_lang)
    occ = check_corpus(list(sources), list(hypotheses), glossary, src_lang, tgt_lang)
    hits = [
        TermOccurrence(
            segment=o.hit.segment - 1,
            term=o.hit.term_id,
            expected=tuple(o.hit.expected),
            found=o.hit.found,
            status=o.hit.status,
            source_form=o.hit.source_form,
            src_span=o.hit.src_span or None,
            tgt_span=o.hit.tgt_span or None,
        )
        for o in occ
    ]
    counts = Counter(h.status for h in hits)
    return TermReport(
        occurrences=tuple(hits),
        accuracy=term_accuracy(occ),
        # The glossary module compares lemmas, so "Erdoğan'ın" and "Erdoğan" agree.
        consistency=consistency(occ)["score"],
        counts=dict(sorted(counts.items())),
        glossary=str(name),
    )


def glossary_checker(glossary: str | os.PathLike[str], src_lang: str, tgt_lang: str) -> TermChecker:
    """A :data:`TermChecker` bound to one glossary file and language pair.

    The file is read once, on the first call (so a bad glossary fails before scoring ends
    but after cheap checks), and reused for every system.
    """
    from mtalign.glossary.formats import load_glossary

    loaded: list[Any] = []

    def run(sources: Sequence[str], hypotheses: Sequence[str]) -> TermReport:
        if not loaded:
            loaded.append(load_glossary(glossary, src_lang=src_lang, tgt_lang=tgt_lang))
        report = check_terms(loaded[0], sources, hypotheses, src_lang, tgt_lang)
        return TermReport(
            report.occurrences, report.accuracy, report.consistency, report.counts, str(glossary)
        )

    return run
