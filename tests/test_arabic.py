"""One Arabic folding (mtalign.arabic), pinned on reference values, shared by align and glossary."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mtalign.align.normalize import normalize_arabic
from mtalign.arabic import LETTERS, MARKS, fold, fold_with_offsets, is_mark, strip_marks
from mtalign.glossary.model import TermOptions
from mtalign.glossary.morph_ar import ArabicMorph
from mtalign.glossary.textutil import ar_normalize, ar_normalize_with_map, ar_strip_marks


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("بِسْمِ اللَّهِ الرَّحْمَٰنِ الرَّحِيمِ", "بسم الله الرحمن الرحيم"),  # harakat, shadda, dagger alef
        ("كتــــاب", "كتاب"),  # tatweel
        ("أحمد إلى آمنة", "احمد الي امنه"),  # alef forms, alef maqsura, ta marbuta
        ("ٱلْحَمْدُ", "الحمد"),  # alef wasla
        ("مسؤول", "مسوول"),  # waw hamza
        ("رئيس", "رييس"),  # ya hamza
        ("کی", "كي"),  # Persian keheh and ya
        ("ذَٰلِكَ ٱلْكِتَٰبُ لَا رَيْبَ ۛ فِيهِ ۛ", "ذلك الكتب لا ريب  فيه "),  # Quranic marks; the dagger alef goes
        ("ﷺ", "ﷺ"),  # a ligature is a letter, not a mark (NFKC is align.normalize's job)
        ("Erdoğan أردوغان", "Erdoğan اردوغان"),  # other scripts untouched
    ],
)
def test_fold_reference_values(raw: str, folded: str) -> None:
    assert fold(raw) == folded
    # alignment and glossary matching use the same folding
    assert normalize_arabic(raw) == ar_normalize(raw) == folded


def test_the_tables() -> None:
    assert len(LETTERS) == 10 and set(LETTERS.values()) == {"ا", "ي", "ه", "و", "ك"}
    assert {0x064B, 0x0652, 0x0670, 0x0640, 0x0654, 0x0655, 0x0610, 0x06D6} <= MARKS
    assert not any(
        0x0621 <= m <= 0x064A and m != 0x0640 for m in MARKS
    )  # no letter (tatweel aside)
    assert is_mark("\u0651") and not is_mark("ب")


def test_strip_marks_keeps_letters() -> None:
    assert strip_marks("أَحْمَدُ إِلَى") == ar_strip_marks("أَحْمَدُ إِلَى") == "أحمد إلى"


@pytest.mark.parametrize(
    ("raw", "folded", "offsets"),
    [
        ("أَحْمَد", "احمد", [0, 2, 4, 6]),
        ("كتـاب", "كتاب", [0, 1, 3, 4]),
        ("", "", []),
    ],
)
def test_fold_with_offsets_points_back(raw: str, folded: str, offsets: list[int]) -> None:
    assert fold_with_offsets(raw) == (folded, offsets)
    assert ar_normalize_with_map(raw) == (folded, offsets)


@settings(deadline=None)  # a loaded CI machine must not fail on time
@given(
    st.text(
        alphabet=st.characters(min_codepoint=0x0600, max_codepoint=0x06FF) | st.sampled_from(" aİ")
    )
)
def test_offsets_agree_with_fold(text: str) -> None:
    out, index = fold_with_offsets(text)
    assert out == fold(text)
    assert len(index) == len(out) and index == sorted(set(index))
    assert all(fold(text[i]) == out[k] for k, i in enumerate(index))


def test_glossary_finds_a_hamza_carrier_variant() -> None:
    # "مسوول" is "مسؤول" with its hamza dropped: the glossary now folds the carrier like
    # the aligner always did, finds it as a variant and reports the span as written.
    morph = ArabicMorph()
    text = "قال المسوول إن"
    found = morph.scan(text, ("مسؤول",), TermOptions(ar_article=True))
    assert [(text[f.start : f.end], f.status) for f in found] == [("المسوول", "variant")]
