"""An over-long segment is cut at linear cost, never truncated, and its progress is shown.

Generated: texts of random words, clause punctuation, space-free runs and whitespace;
random limits; three tokenizers (one whose counts add up over words, one by characters,
one whose counts grow when parts are joined). Every piece fits the limit, every
non-space character comes back in order, and the characters sent to the tokenizer stay
within a constant multiple of the text (the old cutter counted each growing candidate,
about 100 times the text; see docs/benchmarks.md#long-lines). Time is measured by the
benchmark, not here.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from mtalign.batching import split_long
from mtalign.pipeline import TranslateSettings
from mtalign.pipeline.stage import SegmentTranslator
from mtalign.tm import NullMemory
from tests.fakes import FakeTranslator


def _words(x: str) -> int:
    return len(x.split()) + sum(len(w) // 6 for w in x.split()) + 1


def _chars(x: str) -> int:
    return -(-len(x) // 4) + 1


def _joined_costs_more(x: str) -> int:  # each space between words costs a token too
    return len(x.split()) + x.count(" ") + sum(len(w) // 8 for w in x.split()) + 1


TOKENIZERS = {"words": _words, "chars": _chars, "superadditive": _joined_costs_more}

_word = st.text("abcdefghijklmnopqrstuvwxyzçğışöüжыع", min_size=1, max_size=14)
_chunk = st.one_of(
    _word,
    _word.map(lambda w: w + ","),
    _word.map(lambda w: w + ";"),
    st.just("—"),
    st.integers(50, 2500).map(lambda n: "x" * n),  # a space-free run (a URL, a hash)
)


@st.composite
def long_texts(draw) -> str:
    parts = draw(st.lists(_chunk, min_size=1, max_size=400))
    spaces = st.sampled_from([" ", " ", " ", "  ", "\t", " \n "])
    return "".join(p + draw(spaces) for p in parts).strip() or "x"


@settings(max_examples=150, deadline=None, derandomize=True)
@given(text=long_texts(), limit=st.integers(4, 600), name=st.sampled_from(sorted(TOKENIZERS)))
def test_pieces_fit_keep_every_character_and_cost_linear_time(text, limit, name):
    tokens = TOKENIZERS[name]
    seen = [0, 0]

    def count(texts: list[str]) -> list[int]:
        seen[0] += sum(len(t) for t in texts)
        seen[1] += 1
        return [tokens(t) for t in texts]

    pieces = split_long(text, count, limit)
    assert pieces and all(p.strip() for p in pieces)
    for p in pieces:
        assert tokens(p) <= limit or len(p) == 1
    assert "".join("".join(p.split()) for p in pieces) == "".join(text.split())
    # Linear: a bounded number of passes over the text (the halving of pieces a tokenizer
    # that does not add up makes too long stays small).
    bound = 8 if name != "superadditive" else 16
    assert seen[0] <= bound * len(text) + 64, (seen[0], len(text))


def test_text_is_given_back_between_words_when_no_word_is_cut():
    text = ", ".join(" ".join(f"w{i}x{j}" for j in range(9)) for i in range(300))
    pieces = split_long(text, lambda xs: [_words(x) for x in xs], 100)
    assert " ".join(pieces) == text


class Bar:
    """What the pipeline does to a progress bar (tqdm's interface)."""

    def __init__(self, total: int) -> None:
        self.total, self.n = total, 0

    def update(self, k: int) -> None:
        self.n += k

    def refresh(self) -> None:
        pass


@settings(max_examples=40, deadline=None, derandomize=True)
@given(
    texts=st.lists(
        st.one_of(
            st.sampled_from(["Talks began.", "Talks began.", "", "  ", "12345"]),
            st.integers(600, 4000).map(lambda n: " ".join(f"w{i}" for i in range(n))),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_progress_counts_the_pieces_of_a_long_line_and_ends_full(texts):
    settings_ = TranslateSettings(targets=("tr",), src="en", quality_gate=False)
    fake = FakeTranslator(lang="tr")
    stage = SegmentTranslator(lambda: fake, "en", "tr", settings_, NullMemory(), {"k": 1})
    bar = Bar(len(texts))
    outcomes = stage.translate_segments(texts, bar=bar)
    assert len(outcomes) == len(texts)
    assert bar.n == bar.total  # full at the end, whatever was repeated or empty
    pieces = [o.pieces for t, o in zip(texts, outcomes, strict=True) if len(t) > 600]
    if pieces:
        assert bar.total >= max(pieces) > 1  # a long line moves the bar piece by piece
