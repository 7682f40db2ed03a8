"""Marian tokenisation shared by both engines: SentencePiece models plus ``vocab.json``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path


class MarianCodec:
    """Marian's tokenisation: source/target SentencePiece models plus the shared vocab.json.

    Mirrors ``MarianTokenizer``: a language token (``>>ara<<``) is kept whole at the start,
    the text is split by the source SentencePiece model, pieces missing from vocab.json become
    ``<unk>``, and ``</s>`` ends the source. Target pieces are turned back into text by the
    target SentencePiece model's own ``decode_pieces``; a piece it does not know (``<unk>``,
    a language token) is kept as written, as ``MarianTokenizer`` does.
    """

    eos = "</s>"
    unk = "<unk>"
    pad = "<pad>"

    def __init__(self, path: Path) -> None:
        import sentencepiece as spm

        self.path = path
        self.source = spm.SentencePieceProcessor(model_file=str(path / "source.spm"))
        self.target = spm.SentencePieceProcessor(model_file=str(path / "target.spm"))
        self.vocab: dict[str, int] = json.loads((path / "vocab.json").read_text(encoding="utf-8"))
        self.id_to_piece: dict[int, str] = {i: p for p, i in self.vocab.items()}
        self.eos_id = self.vocab[self.eos]
        self.unk_id = self.vocab[self.unk]
        self.pad_id = self.vocab.get(self.pad, max(self.vocab.values()) + 1)

    def encode_source(self, text: str, lang_token: str | None = None) -> list[str]:
        """Source pieces as the model sees them: [lang token] + pieces + ``</s>``."""
        pieces = [
            p if p in self.vocab else self.unk for p in self.source.encode(text, out_type=str)
        ]
        return ([lang_token] if lang_token else []) + pieces + [self.eos]

    def encode_target(self, text: str) -> list[str]:
        """Target-side pieces of ``text`` (no ``</s>``), e.g. for a forced prefix."""
        return [p if p in self.vocab else self.unk for p in self.target.encode(text, out_type=str)]

    def ids(self, pieces: Sequence[str]) -> list[int]:
        return [self.vocab.get(p, self.unk_id) for p in pieces]

    def pieces(self, ids: Sequence[int]) -> list[str]:
        return [self.id_to_piece.get(int(i), self.unk) for i in ids]

    def decode(self, pieces: Sequence[str]) -> str:
        """Target pieces as text: runs the target model knows through its ``decode_pieces``;
        a piece it does not know (``<unk>``, a source-only piece of the shared vocabulary) is
        kept as written, its ``▁`` a space."""
        sp = self.target
        unk = sp.unk_id()
        parts: list[str] = []
        run: list[str] = []

        def flush() -> None:
            if run:
                # decode_pieces drops the word boundary a run starts with; keep it
                parts.append((" " if run[0].startswith("\u2581") else "") + sp.decode_pieces(run))
                run.clear()

        for piece in pieces:
            if sp.piece_to_id(piece) == unk:
                flush()
                parts.append(piece.replace("\u2581", " "))
            else:
                run.append(piece)
        flush()
        return "".join(parts).strip()
