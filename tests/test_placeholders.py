"""The placeholder layer: protected spans through the model, restored by identity."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mtalign.engines.base import Hypothesis
from mtalign.pipeline.masking import mask_protected, repair_dropped, unmask
from mtalign.types import CLOSE, OPEN, pair_up


def _spans(text: str, *parts: str) -> list[tuple[int, int]]:
    out, start = [], 0
    for p in parts:
        a = text.index(p, start)
        out.append((a, a + len(p)))
        start = a + len(p)
    return out


def test_literal_bracket_number_does_not_collide_with_a_marker():
    """Regression: ``[0]`` in the text used to swap with the inline code's marker."""
    text = "See note [0] and run `pip install x` now."
    masked = mask_protected(text, _spans(text, "`pip install x`"))
    assert "[0]" in masked.text and masked.holders[0].marker != "[0]"
    assert unmask(masked.text, masked).text == text
    # A model that moves the literal note still gets the code back in place of its marker.
    moved = masked.text.replace("See note [0] and", "and").replace("now.", "now [0].")
    assert unmask(moved, masked).text == "and run `pip install x` now [0]."


@pytest.mark.parametrize(
    ("output", "expected", "problem"),
    [
        ("A [1] B [0] C", "A `y` B `x` C", None),  # moved: identity, not order
        ("A [0] B [0] C [1]", "A `x` B C `y`", "doubled [0]"),
        ("A B C [1]", "`x` A B C `y`", "dropped [0]"),
        ("A [ 0 ] B [1 ]", "A `x` B `y`", None),  # the model spaced the brackets
    ],
)
def test_moved_doubled_dropped_markers(output, expected, problem):
    text = "a `x` b `y` c"
    masked = mask_protected(text, _spans(text, "`x`", "`y`"))
    assert masked.text == "a [0] b [1] c"
    got = unmask(output, masked)
    assert got.text == expected
    assert (problem in got.problems) if problem else not got.problems


def test_crossed_pairs_are_laid_back_in_source_order():
    text = "<b>bold</b> and <i>it</i>"
    spans = _spans(text, "<b>", "</b>", "<i>", "</i>")
    masked = mask_protected(text, spans, [OPEN, CLOSE, OPEN, CLOSE])
    assert masked.text == "[0]bold[1] and [2]it[3]"
    # The model put a closing marker before its opening one.
    got = unmask("[1]kalın[0] ve [2]o[3]", masked)
    assert got.text == "<b>kalın</b> ve <i>o</i>"
    assert "reordered paired markup" in got.problems
    assert _nested_ok(got.text, ["<b>", "</b>", "<i>", "</i>"])


def test_attention_puts_a_dropped_marker_back():
    source = "[0]Putin[1] spoke today"
    # Target tokens: "Putin", "bugün", "konuştu"; attention: token 0 <- "Putin" pieces.
    src_pieces = ("▁[0]", "Putin", "[1]", "▁spoke", "▁today")
    hyp = Hypothesis(
        text="bugün Putin konuştu",
        tokens=("▁bugün", "▁Putin", "▁konuştu"),
        attention=((0, 0, 0, 0, 1.0), (0.1, 0.8, 0.1, 0, 0), (0, 0, 0, 1.0, 0)),
        source_tokens=src_pieces,
    )
    assert repair_dropped(source, hyp) == "bugün [0]Putin[1] konuştu"


def _nested_ok(text: str, tags: list[str]) -> bool:
    """Opening/closing originals appear once each and in a well-nested order."""
    pos = sorted((text.index(t), t) for t in tags)
    stack = []
    for _, t in pos:
        if t.startswith("</"):
            if not stack or stack.pop() != t.replace("/", ""):
                return False
        else:
            stack.append(t)
    return not stack


# Property tests: generated segments with paired and atomic spans -----------------------------

_WORDS = st.sampled_from(["the", "ship", "[0]", "[2]", "sailed", "Ankara", "7", "[ 1 ]", "é"])


@st.composite
def segments(draw):
    """A text of words with random well-nested markup: ``<tK>``/``</tK>`` and ``{cK}``."""
    parts: list[tuple[str, str]] = []  # (text, kind or "")
    stack: list[int] = []
    n = 0
    for _ in range(draw(st.integers(1, 14))):
        choice = draw(st.integers(0, 5))
        if choice == 0:
            parts.append((f"<t{n}>", OPEN))
            stack.append(n)
            n += 1
        elif choice == 1 and stack:
            parts.append((f"</t{stack.pop()}>", CLOSE))
        elif choice == 2:
            parts.append((f"{{c{n}}}", "atom"))
            n += 1
        else:
            sep = draw(st.sampled_from([" ", "", "  "]))
            parts.append((draw(_WORDS) + sep, ""))
    while stack:
        parts.append((f"</t{stack.pop()}>", CLOSE))
    text, spans, kinds = "", [], []
    for p, kind in parts:
        if kind:
            spans.append((len(text), len(text) + len(p)))
            kinds.append(kind)
        text += p
    return text, spans, kinds


def _originals(text, spans):
    return [text[a:b] for a, b in spans]


@settings(max_examples=300, deadline=None)
@given(segments())
def test_identity_model_round_trips_exactly(seg):
    text, spans, kinds = seg
    masked = mask_protected(text, spans, kinds)
    got = unmask(masked.text, masked)
    assert got.text == text and not got.problems


@settings(max_examples=300, deadline=None)
@given(segments(), st.integers(0, 2**31), st.sampled_from(["drop", "double", "shuffle", "all"]))
def test_adversarial_model_never_loses_or_breaks_markup(seg, seed, attack):
    text, spans, kinds = seg
    masked = mask_protected(text, spans, kinds)
    rng = random.Random(seed)
    ours = {h.marker for h in masked.holders}
    words = masked.text.replace("[", " [").replace("]", "] ").split()
    out = []
    for w in words:
        is_ours = w in ours
        if is_ours and attack in ("drop", "all") and rng.random() < 0.4:
            continue
        out.append(w)
        if is_ours and attack in ("double", "all") and rng.random() < 0.4:
            out.append(w)
    if attack in ("shuffle", "all"):
        rng.shuffle(out)
    got = unmask(" ".join(out), masked).text
    originals = _originals(text, spans)
    for orig in set(originals):
        assert got.count(orig) >= originals.count(orig), (orig, got)
    # Paired markup stays well nested: walk the output's tags in order.
    partner = pair_up(kinds)
    assert len(partner) == len(kinds)
    tags = [(got.index(o), o) for o, k in zip(originals, kinds, strict=True) if k != "atom"]
    stack = []
    for _, tag in sorted(tags):
        if tag.startswith("</"):
            assert stack and stack.pop() == tag.replace("</", "<")
        else:
            stack.append(tag)
    assert not stack
