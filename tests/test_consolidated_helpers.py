"""The helpers that replaced hand-rolled copies: codec decoding, the one progress bar, the
no-cache memory."""

from __future__ import annotations

import io
import sys

import pytest

from mtalign.progress import progress, progress_bar, progress_enabled
from mtalign.tm import MemoryEntry, NullMemory


@pytest.fixture(scope="module")
def codec(marian_tiny):
    from mtalign.models import MarianCodec

    return MarianCodec(marian_tiny("tr"))


@pytest.mark.parametrize(
    "text",
    ["Talks ended on Friday.", "Erdoğan'ın ziyareti", "3,5 percent", "ab  cd", ""],
)
def test_decode_is_the_inverse_of_encode_for_target_text(codec, text: str) -> None:
    pieces = [p for p in codec.target.encode(text, out_type=str)]
    assert codec.decode(pieces) == codec.target.decode_pieces(pieces)
    assert codec.decode(pieces) == " ".join(text.split())


def test_decode_keeps_pieces_the_target_model_does_not_know(codec) -> None:
    words = codec.target.encode("talks ended", out_type=str)
    assert words[0].startswith("\u2581") and codec.decode(words) == "talks ended"
    inner = next(p for p in codec.vocab if not p.startswith(("\u2581", "<")) and
                 codec.target.piece_to_id(p) != codec.target.unk_id())  # fmt: skip
    assert codec.decode(["<unk>"]) == "<unk>"
    assert codec.decode([*words, "<unk>", *words]) == "talks ended<unk> talks ended"
    assert codec.decode([*words, "<unk>", inner]) == f"talks ended<unk>{inner}"
    # a piece of the shared vocabulary that the target model lacks: kept, its ▁ a space
    assert codec.decode([*words, "\u2581zz\u2581qq"]) == "talks ended zz qq"
    assert codec.decode([]) == ""


def test_progress_is_off_when_asked_or_empty(monkeypatch) -> None:
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert progress_enabled(True) and not progress_enabled(False)
    assert not progress_enabled(None)  # not a terminal
    assert progress_bar(5, "x", "seg", False).disable
    assert progress_bar(0, "x", "seg", True).disable
    with progress(3, "x", True) as bar:
        assert not bar.disable
        bar.update(3)
    assert "3/3" in sys.stderr.getvalue()


def test_null_memory_opens_no_database() -> None:
    memory = NullMemory()
    memory.store("d", [("a", MemoryEntry("b"))])
    assert memory.lookup("d", ["a", "a", "c"]) == {}
    assert (memory.hits, memory.misses) == (0, 2)
    assert not hasattr(memory, "_db")
    memory.close()
