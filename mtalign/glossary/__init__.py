"""Glossaries: formats, source matching, per-language target morphology, check/fix,
enforcement during translation, consistency and mining.

Entry points: :func:`load_glossary`, :func:`check_corpus`, :func:`fix_corpus`,
:func:`mtalign.glossary.enforce.enforce_batch`, :func:`summary`.
Heavy data (pymorphy3 dictionaries, Babel CLDR) loads on first use, never on import.
"""

from __future__ import annotations

from mtalign.glossary.check import Occurrence, check_corpus, check_segment
from mtalign.glossary.fix import FixResult, fix_corpus, fix_segment
from mtalign.glossary.formats import dump_toml, load_glossaries, load_glossary
from mtalign.glossary.model import Glossary, TermOptions, make_glossary
from mtalign.glossary.report import consistency, report_dict, summary, term_accuracy

__all__ = [
    "FixResult",
    "Glossary",
    "Occurrence",
    "TermOptions",
    "check_corpus",
    "check_segment",
    "consistency",
    "dump_toml",
    "fix_corpus",
    "fix_segment",
    "load_glossaries",
    "load_glossary",
    "make_glossary",
    "report_dict",
    "summary",
    "term_accuracy",
]
