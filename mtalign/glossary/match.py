"""Source-side term matching.

The text is cut into tokens (runs of word characters, and single punctuation marks);
a term alias matches a run of whole tokens, so word boundaries are Unicode-aware by
construction. At each position the longest alias wins and matches never overlap.

Decisions (documented in docs/glossary.md#what-counts-as-correct):

* "Turkey's" / "Turkey’s" match "Turkey": the apostrophe is its own token.
* "Turkish-Russian" does not match "Turkey"; "Erdogan-Putin call" contains both
  Erdogan and Putin (a hyphen separates tokens), so both must be rendered.
* Case-sensitive aliases also match in ALL CAPS ("ANKARA/MOSCOW" datelines).
* Case-insensitive aliases fold with the source language's rules (Turkish I/ı).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from mtalign.glossary.textutil import TOKEN_RE, fold, nfc, norm_apostrophe
from mtalign.types import Term


@dataclass(frozen=True)
class SourceMatch:
    """One occurrence of a term in a source segment."""

    term_id: str
    start: int
    end: int
    surface: str


def tokenize(text: str) -> list[tuple[str, int, int]]:
    """``(token, start, end)`` for each token of ``text``."""
    return [(norm_apostrophe(m.group()), m.start(), m.end()) for m in TOKEN_RE.finditer(text)]


class SourceMatcher:
    """Finds terms' source aliases in text; build once, reuse for every segment."""

    def __init__(self, terms: Iterable[Term], lang: str) -> None:
        self.lang = lang
        self.exact: dict[tuple[str, ...], str] = {}
        self.folded: dict[tuple[str, ...], str] = {}
        # First token -> longest alias length starting with it: most positions stop at one
        # set lookup.
        self.first_exact: dict[str, int] = {}
        self.first_folded: dict[str, int] = {}
        for term in terms:
            for alias in term.source:
                toks = tuple(t for t, _, _ in tokenize(nfc(alias)))
                if not toks:
                    continue
                if term.case_sensitive:
                    variants = {toks, tuple(t.upper() for t in toks)}
                    for v in variants:
                        self.exact.setdefault(v, term.id)
                        self.first_exact[v[0]] = max(self.first_exact.get(v[0], 0), len(v))
                else:
                    v = tuple(fold(t, lang) for t in toks)
                    self.folded.setdefault(v, term.id)
                    self.first_folded[v[0]] = max(self.first_folded.get(v[0], 0), len(v))

    def find(self, text: str) -> list[SourceMatch]:
        """Non-overlapping matches, left to right, longest alias first at each position."""
        toks = tokenize(text)
        if not toks:
            return []
        words = [t for t, _, _ in toks]
        folded = [fold(t, self.lang) for t in words] if self.folded else words
        out: list[SourceMatch] = []
        i, n = 0, len(words)
        first_exact, first_folded = self.first_exact, self.first_folded
        while i < n:
            best_len = 0
            best_id = ""
            le = first_exact.get(words[i], 0)
            lf = first_folded.get(folded[i], 0) if first_folded else 0
            for length in range(min(max(le, lf), n - i), 0, -1):
                if length <= le:
                    tid = self.exact.get(tuple(words[i : i + length]))
                    if tid is not None:
                        best_len, best_id = length, tid
                        break
                if length <= lf:
                    tid = self.folded.get(tuple(folded[i : i + length]))
                    if tid is not None:
                        best_len, best_id = length, tid
                        break
            if best_len:
                start, end = toks[i][1], toks[i + best_len - 1][2]
                out.append(SourceMatch(best_id, start, end, text[start:end]))
                i += best_len
            else:
                i += 1
        return out
