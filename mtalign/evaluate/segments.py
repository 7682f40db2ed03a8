"""Per-segment statistics and quality flags, and their aggregates per system."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from mtalign.langid import MISMATCH_CONFIDENCE, detect, letter_count

#: A segment is judged for its language only with at least this many letters: langdetect
#: guesses wildly on short strings (headlines, datelines, names).
MIN_LETTERS_TO_JUDGE = 30
#: Character length ratio hyp/ref outside these bounds is flagged (only for refs of at
#: least ``MIN_REF_CHARS`` characters, where the ratio means something).
SHORT_RATIO = 0.5
LONG_RATIO = 2.0
MIN_REF_CHARS = 15
#: The same word n-gram (n <= 4) this many times in a row is a decoding loop.
REPEAT_RUN = 3

#: Flag kinds, in the order reports list them.
FLAG_KINDS = (
    "empty",
    "wrong-lang",
    "copy-of-source",
    "too-short",
    "too-long",
    "repetition",
    "term-missing",
    "term-variant",
)

_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class TermOccurrence:
    """One source occurrence of a glossary term and how the hypothesis rendered it."""

    segment: int
    term: str
    expected: tuple[str, ...]
    found: str | None
    status: str
    source_form: str = ""
    src_span: tuple[int, int] | None = None
    tgt_span: tuple[int, int] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "segment": self.segment,
            "term": self.term,
            "source_form": self.source_form,
            "expected": list(self.expected),
            "found": self.found,
            "status": self.status,
            "src_span": list(self.src_span) if self.src_span else None,
            "tgt_span": list(self.tgt_span) if self.tgt_span else None,
        }


@dataclass(frozen=True)
class SegmentStat:
    """What the evaluation knows about one hypothesis segment."""

    index: int
    hyp: str
    refs: tuple[str, ...]
    src: str | None
    chrf: float
    length_ratio: float | None
    detected_lang: str | None = None
    detected_prob: float | None = None
    wrong_lang: bool | None = None
    flags: tuple[str, ...] = ()
    terms: tuple[TermOccurrence, ...] = ()
    hyp_lines: tuple[int, ...] = ()
    ref_lines: tuple[int, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "hyp": self.hyp,
            "refs": list(self.refs),
            "src": self.src,
            "chrf": round(self.chrf, 4),
            "length_ratio": None if self.length_ratio is None else round(self.length_ratio, 4),
            "detected_lang": self.detected_lang,
            "detected_prob": self.detected_prob,
            "wrong_lang": self.wrong_lang,
            "flags": list(self.flags),
            "terms": [t.as_dict() for t in self.terms],
            "hyp_lines": list(self.hyp_lines),
            "ref_lines": list(self.ref_lines),
        }


@dataclass(frozen=True)
class LangJudgement:
    """A detected language, and whether it contradicts the target (None: not judged)."""

    lang: str | None
    prob: float | None
    wrong: bool | None


def judge_language(
    text: str, target: str, detector: Callable[[str], Any] = detect
) -> LangJudgement:
    """Detect the language of ``text`` when long enough and compare it with ``target``.

    Only a confident detection of another language is "wrong": langdetect's low-confidence
    guesses on names and numbers would otherwise flag good translations.
    """
    if letter_count(text) < MIN_LETTERS_TO_JUDGE:
        return LangJudgement(None, None, None)
    guess = detector(text)
    if guess.lang == "und":
        return LangJudgement(None, None, None)
    wrong = guess.lang != target and guess.prob >= MISMATCH_CONFIDENCE
    return LangJudgement(guess.lang, float(guess.prob), wrong)


def has_repetition(text: str, run: int = REPEAT_RUN, max_n: int = 4) -> bool:
    """True when a word n-gram (n <= ``max_n``) repeats ``run`` times in a row."""
    words = [w.casefold() for w in _WORD.findall(text)]
    for n in range(1, max_n + 1):
        for start in range(0, len(words) - n * run + 1):
            gram = words[start : start + n]
            if all(words[start + k * n : start + (k + 1) * n] == gram for k in range(1, run)):
                # "50 50 50" style number lists are not a decoding loop.
                if not all(g.isdigit() for g in gram):
                    return True
    return False


def _norm_space(text: str) -> str:
    return " ".join(text.split()).casefold()


def segment_flags(
    hyp: str,
    refs: Sequence[str],
    src: str | None,
    length_ratio: float | None,
    wrong_lang: bool | None,
    terms: Sequence[TermOccurrence] = (),
) -> tuple[str, ...]:
    """Quality flags of one segment (kinds from :data:`FLAG_KINDS`)."""
    flags: list[str] = []
    if not hyp.strip():
        if any(r.strip() for r in refs):
            flags.append("empty")
        return tuple(flags)
    if wrong_lang:
        flags.append("wrong-lang")
    if src is not None and letter_count(src) >= 10 and _norm_space(src) == _norm_space(hyp):
        if not any(_norm_space(r) == _norm_space(hyp) for r in refs):
            flags.append("copy-of-source")
    if length_ratio is not None:
        if length_ratio < SHORT_RATIO:
            flags.append("too-short")
        elif length_ratio > LONG_RATIO:
            flags.append("too-long")
    if has_repetition(hyp) and not any(has_repetition(r) for r in refs):
        flags.append("repetition")
    statuses = {t.status for t in terms}
    if "missing" in statuses:
        flags.append("term-missing")
    if "variant" in statuses:
        flags.append("term-variant")
    return tuple(flags)


def length_ratio(hyp: str, refs: Sequence[str]) -> float | None:
    """Characters of the hypothesis over characters of the first reference (spaces ignored)."""
    ref_len = len("".join(refs[0].split())) if refs else 0
    if ref_len < MIN_REF_CHARS:
        return None
    return len("".join(hyp.split())) / ref_len


def segment_stats(
    hyps: Sequence[str],
    refs: Sequence[Sequence[str]],
    lang: str,
    srcs: Sequence[str] | None = None,
    terms: Sequence[TermOccurrence] = (),
    hyp_lines: Sequence[Sequence[int]] | None = None,
    ref_lines: Sequence[Sequence[int]] | None = None,
    detector: Callable[[str], Any] = detect,
) -> list[SegmentStat]:
    """Sentence chrF++, length ratio, language and flags for every segment of one system.

    ``refs`` holds one list per reference set; ``terms`` are term occurrences of this
    system (their ``segment`` indexes ``hyps``).
    """
    from sacrebleu.metrics import CHRF

    chrf = CHRF(word_order=2)
    by_seg: dict[int, list[TermOccurrence]] = {}
    for occ in terms:
        by_seg.setdefault(occ.segment, []).append(occ)
    out: list[SegmentStat] = []
    for i, hyp in enumerate(hyps):
        seg_refs = tuple(r[i] for r in refs)
        src = srcs[i] if srcs is not None else None
        score = float(chrf.sentence_score(hyp, list(seg_refs)).score)
        ratio = length_ratio(hyp, seg_refs)
        judged = judge_language(hyp, lang, detector)
        seg_terms = tuple(by_seg.get(i, ()))
        flags = segment_flags(hyp, seg_refs, src, ratio, judged.wrong, seg_terms)
        out.append(
            SegmentStat(
                index=i,
                hyp=hyp,
                refs=seg_refs,
                src=src,
                chrf=score,
                length_ratio=ratio,
                detected_lang=judged.lang,
                detected_prob=judged.prob,
                wrong_lang=judged.wrong,
                flags=flags,
                terms=seg_terms,
                hyp_lines=tuple(hyp_lines[i]) if hyp_lines is not None else (i,),
                ref_lines=tuple(ref_lines[i]) if ref_lines is not None else (i,),
            )
        )
    return out


@dataclass(frozen=True)
class Aggregates:
    """Per-system totals over its segments."""

    segments: int
    mean_chrf: float
    length_ratio: float | None
    judged: int
    wrong_lang: int
    flagged: int
    flag_counts: dict[str, int] = field(default_factory=dict)

    @property
    def wrong_lang_rate(self) -> float | None:
        return None if not self.judged else self.wrong_lang / self.judged

    def as_dict(self) -> dict[str, Any]:
        return {
            "segments": self.segments,
            "mean_sentence_chrf": round(self.mean_chrf, 4),
            "length_ratio": None if self.length_ratio is None else round(self.length_ratio, 4),
            "language_judged": self.judged,
            "wrong_lang": self.wrong_lang,
            "wrong_lang_rate": None
            if self.wrong_lang_rate is None
            else round(self.wrong_lang_rate, 4),
            "flagged_segments": self.flagged,
            "flag_counts": dict(self.flag_counts),
        }


def aggregate(stats: Sequence[SegmentStat]) -> Aggregates:
    """Totals of :func:`segment_stats`: mean chrF, corpus length ratio, wrong-language rate."""
    n = len(stats)
    hyp_chars = sum(len("".join(s.hyp.split())) for s in stats)
    ref_chars = sum(len("".join(s.refs[0].split())) for s in stats if s.refs)
    counts = Counter(f for s in stats for f in s.flags)
    return Aggregates(
        segments=n,
        mean_chrf=sum(s.chrf for s in stats) / n if n else 0.0,
        length_ratio=hyp_chars / ref_chars if ref_chars else None,
        judged=sum(1 for s in stats if s.wrong_lang is not None),
        wrong_lang=sum(1 for s in stats if s.wrong_lang),
        flagged=sum(1 for s in stats if s.flags),
        flag_counts={k: counts[k] for k in FLAG_KINDS if counts[k]},
    )
