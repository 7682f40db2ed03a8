"""SentencePiece models trained in memory on shipped news text, and the shared vocab.json."""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from importlib import resources

from mtalign.testing.presets import PRESETS


def corpus_lines(lang: str) -> list[str]:
    """Sentences shipped for ``lang`` (all shipped languages together when there are none)."""
    root = resources.files("mtalign") / "data" / "testing"
    own = root / f"{lang}.txt"
    files = (
        [own]
        if own.is_file()
        else sorted((f for f in root.iterdir() if f.name.endswith(".txt")), key=lambda f: f.name)
    )
    lines: list[str] = []
    for file in files:
        lines.extend(x.strip() for x in file.read_text(encoding="utf-8").splitlines() if x.strip())
    return lines


def train_spm(lines: Sequence[str], vocab_size: int, extra_lines: Sequence[str] = ()) -> bytes:
    """Train a unigram SentencePiece model in memory; deterministic for the same input."""
    import sentencepiece as spm

    out = io.BytesIO()

    def sentences() -> Iterator[str]:
        yield from lines
        yield from extra_lines

    spm.SentencePieceTrainer.train(
        sentence_iterator=sentences(),
        model_writer=out,
        model_type="unigram",
        vocab_size=vocab_size,
        hard_vocab_limit=False,  # a small corpus supports fewer pieces than asked for
        character_coverage=1.0,
        bos_id=-1,
        eos_id=1,
        unk_id=0,
        pad_id=-1,
        num_threads=1,
        shuffle_input_sentence=False,
        minloglevel=2,
    )
    return out.getvalue()


def spm_pieces(model: bytes) -> list[str]:
    """The ordinary pieces of a SentencePiece model (no control or unknown pieces)."""
    import sentencepiece as spm

    proc = spm.SentencePieceProcessor(model_proto=model)
    return [
        proc.id_to_piece(i)
        for i in range(proc.get_piece_size())
        if not (proc.is_control(i) or proc.is_unknown(i) or proc.is_unused(i))
    ]


def _filler_pieces(count: int, taken: set[str], letters: str) -> list[str]:
    """``count`` new word-like pieces (``▁`` + letters) that no real piece uses."""
    out: list[str] = []
    base = len(letters)
    n = 0
    while len(out) < count:
        digits, k = [], n + base * base  # at least three letters
        while k:
            k, r = divmod(k, base)
            digits.append(letters[r])
        piece = "\u2581" + "".join(reversed(digits))
        n += 1
        if piece not in taken:
            taken.add(piece)
            out.append(piece)
    return out


def build_vocab(
    src_lang: str,
    tgt_lang: str,
    preset: str = "tiny",
    lang_tokens: Sequence[str] = (),
    vocab_size: int | None = None,
) -> tuple[bytes, bytes, list[str]]:
    """(source.spm bytes, target.spm bytes, vocab.json pieces in id order) for a preset.

    One vocabulary for both sides, as OPUS-MT has (``separate_vocabs: false``), ``<pad>``
    last. Base layout: ``</s>`` and ``<unk>`` first, language tokens, source pieces, new
    target pieces, filler pieces up to the size. tc-big layout: language tokens first, and
    ``<unk>`` and ``</s>`` inside the vocabulary (a third and three quarters of the way in),
    as in the real checkpoints whose ``eos_token_id`` is 43741 of 57060 (en-tr).
    ``vocab_size`` overrides the preset's size (None: the preset's).
    """
    conf = PRESETS[preset]
    size = vocab_size if vocab_size is not None else conf.vocab_size
    src_lines, tgt_lines = corpus_lines(src_lang), corpus_lines(tgt_lang)
    src_spm = train_spm(src_lines, conf.spm_vocab)
    tgt_spm = src_spm if tgt_lines == src_lines else train_spm(tgt_lines, conf.spm_vocab)
    specials = ["</s>", "<unk>"]
    pieces = list(lang_tokens)
    seen = set(pieces) | set(specials) | {"<pad>"}
    for piece in spm_pieces(src_spm) + spm_pieces(tgt_spm):
        if piece not in seen:
            seen.add(piece)
            pieces.append(piece)
    if size is not None and len(pieces) + len(specials) + 1 < size:
        # The shipped corpus supports a few thousand pieces, not 58k: pad with word-like
        # pieces so embedding and output sizes (and so speed and memory) match real models.
        letters = "".join(sorted({c for line in tgt_lines for c in line if c.isalpha()}))[:40]
        pieces += _filler_pieces(size - len(specials) - 1 - len(pieces), seen, letters or "abc")
    if conf.layout.eos_first:
        pieces = specials + pieces
    else:
        pieces.insert(len(pieces) // 3, "<unk>")
        pieces.insert((len(pieces) * 3) // 4, "</s>")
    pieces.append("<pad>")
    return src_spm, tgt_spm, pieces
