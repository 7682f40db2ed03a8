"""What a Marian (OPUS-MT) checkpoint on disk must hold, and what it declares.

:func:`check_checkpoint` checks that the files are there and intact before any engine
touches them, so a damaged download gives one line naming the file (:class:`DamagedFile`),
never a traceback from deep inside sentencepiece, safetensors or transformers.
"""

from __future__ import annotations

import hashlib
import json
import re
import struct
import zipfile
from pathlib import Path
from typing import Any

from mtalign.errors import ModelError

# Files a Marian checkpoint must have.
REQUIRED_FILES = ("config.json", "source.spm", "target.spm", "vocab.json")
WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")
#: Fewest positions a checkpoint must have: room for one long sentence and its markers.
MIN_POSITIONS = 64
#: JSON files read when present; each must hold a JSON object.
OPTIONAL_JSON = ("tokenizer_config.json", "generation_config.json", "special_tokens_map.json")
_FIX = "the checkpoint is damaged: download it again (mtalign models pull) or rebuild it"


class DamagedFile(ModelError):
    """A checkpoint file is there but unreadable (truncated, random bytes, wrong content)."""

    def __init__(self, file: Path, problem: str, fix: str = _FIX) -> None:
        self.file, self.problem = file, problem
        super().__init__(f"{file}: {problem}; {fix}")


def one_line(exc: BaseException, limit: int = 200) -> str:
    """The first line of an exception's message, shortened: for one-line errors."""
    text = next((ln.strip() for ln in str(exc).splitlines() if ln.strip()), type(exc).__name__)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def load_problem(exc: BaseException) -> str:
    """What a transformers/torch load failure means, in one line with its fix.

    torch's refusal of pickled Python objects and transformers' size-mismatch errors are
    many lines long and point at a "report above" that logging never shows; they are
    said here in a line each.
    """
    text = str(exc)
    if "Weights only load failed" in text or type(exc).__name__ == "UnpicklingError":
        found = re.search(r"Unsupported global: GLOBAL ([\w.]+)", text)
        what = f" ({found.group(1)})" if found else ""
        return (
            f"the weights file holds Python objects other than tensors{what}, and mtalign "
            "loads weights only (torch weights_only=True), never code from a checkpoint; "
            "save the weights as model.safetensors (save_pretrained(..., "
            "safe_serialization=True)) or use a checkpoint that has one"
        )
    if "above report" in text or "size mismatch" in text:
        return (
            "the weights do not fit config.json (tensor shapes differ: vocab_size, d_model, "
            "layers or max_position_embeddings); the folder mixes files of different "
            "models, download the checkpoint again"
        )
    return one_line(exc)


def damaged(path: Path, problem: str) -> DamagedFile:
    """The one error for a damaged file: ``PATH: problem; fix``."""
    return DamagedFile(path, problem)


def check_checkpoint(path: Path) -> None:
    """Raise ModelError unless ``path`` holds a complete, readable Marian checkpoint.

    Missing files are a plain :class:`ModelError` (an incomplete download); unreadable ones
    a :class:`DamagedFile` naming the file.
    """
    missing = [name for name in REQUIRED_FILES if not (path / name).is_file()]
    if not any((path / name).is_file() for name in WEIGHT_FILES):
        missing.append(" or ".join(WEIGHT_FILES))
    if missing:
        raise ModelError(
            f"{path} is not a Marian checkpoint: missing {', '.join(missing)}; expected an "
            "OPUS-MT model directory (config.json, source.spm, target.spm, vocab.json, weights)"
        )
    config = read_json(path / "config.json")
    if config.get("model_type") != "marian":
        raise ModelError(
            f"{path / 'config.json'}: model_type is {config.get('model_type')!r}, expected "
            "'marian'; mtalign engines only run MarianMT (OPUS-MT) checkpoints"
        )
    size = config.get("vocab_size")
    if isinstance(size, bool) or not isinstance(size, int) or size <= 0:
        raise damaged(path / "config.json", f"vocab_size is {size!r}, expected a whole number")
    positions = config.get("max_position_embeddings", 512)
    if isinstance(positions, bool) or not isinstance(positions, int) or positions < MIN_POSITIONS:
        raise damaged(
            path / "config.json",
            f"max_position_embeddings is {positions!r}; a Marian model needs at least "
            f"{MIN_POSITIONS} positions to translate a sentence (OPUS-MT models have 512)",
        )
    for name in OPTIONAL_JSON:
        if (path / name).is_file():
            read_json(path / name)
    _check_vocab(path / "vocab.json", size)
    for name in ("source.spm", "target.spm"):
        _check_spm(path / name)
    weights = next(path / n for n in WEIGHT_FILES if (path / n).is_file())
    _check_weights(weights)


def read_json(path: Path) -> dict[str, Any]:
    """A JSON object from ``path``; :class:`DamagedFile` naming it when unreadable."""
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except OSError as exc:
        raise damaged(path, f"cannot read it ({one_line(exc)})") from exc
    except UnicodeDecodeError as exc:
        raise damaged(path, f"not UTF-8 text (byte {exc.start})") from exc
    except json.JSONDecodeError as exc:
        raise damaged(path, f"not valid JSON ({exc.msg} at line {exc.lineno})") from exc
    except RecursionError as exc:
        raise damaged(path, "not valid JSON (nested too deeply)") from exc
    if not isinstance(data, dict):
        raise damaged(path, f"expected a JSON object, got {type(data).__name__}")
    return data


def _check_vocab(path: Path, vocab_size: int) -> None:
    vocab = read_json(path)
    bad = next((k for k, v in vocab.items() if isinstance(v, bool) or not isinstance(v, int)), None)
    if bad is not None:
        raise damaged(path, f"entry {bad!r} has id {vocab[bad]!r}, expected a whole number")
    for token in ("</s>", "<unk>"):
        if token not in vocab:
            raise damaged(path, f"has no {token} entry")
    top = max(vocab.values())
    if min(vocab.values()) < 0 or top >= vocab_size:
        raise damaged(
            path, f"ids run from {min(vocab.values())} to {top}, but config.json declares "
            f"vocab_size {vocab_size}"
        )  # fmt: skip


def _check_spm(path: Path) -> None:
    import sentencepiece as spm

    try:
        proc = spm.SentencePieceProcessor(model_proto=path.read_bytes())
    except (RuntimeError, OSError, ValueError) as exc:
        raise damaged(path, f"not a SentencePiece model ({one_line(exc, 80)})") from exc
    if proc.get_piece_size() == 0:
        raise damaged(path, "not a SentencePiece model (no pieces)")


def _check_weights(path: Path) -> None:
    """The weights file's header and size (cheap: no tensor is read)."""
    size = path.stat().st_size
    if path.suffix == ".safetensors":
        with path.open("rb") as fh:
            head = fh.read(8)
            n = struct.unpack("<Q", head)[0] if len(head) == 8 else -1
            if n <= 1 or n > size - 8:
                raise damaged(path, f"not a safetensors file (header length {n}, size {size})")
            try:
                header = json.loads(fh.read(n).decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise damaged(path, "not a safetensors file (unreadable header)") from exc
        if not isinstance(header, dict):
            raise damaged(path, "not a safetensors file (unreadable header)")
        ends = [
            t["data_offsets"][1] for k, t in header.items()
            if k != "__metadata__" and isinstance(t, dict) and len(t.get("data_offsets", ())) == 2
        ]  # fmt: skip
        if not ends or max(ends) + 8 + n != size:
            raise damaged(path, f"truncated or padded: the header describes "
                          f"{(max(ends) if ends else 0) + 8 + n} bytes, the file has {size}")  # fmt: skip
        return
    if zipfile.is_zipfile(path):
        try:
            with zipfile.ZipFile(path) as zf:
                zf.namelist()
        except (zipfile.BadZipFile, OSError) as exc:
            raise damaged(path, f"unreadable archive ({one_line(exc)})") from exc
        return
    with path.open("rb") as fh:
        if fh.read(1) != b"\x80":  # legacy torch files are pickles (protocol 2+)
            raise damaged(path, "not a PyTorch weights file")


def checkpoint_pair(path: Path, model_id: str = "") -> tuple[str, str] | None:
    """The (source, target) languages a checkpoint declares, if it declares them.

    Read from ``tokenizer_config.json`` (``source_lang``/``target_lang``, as real OPUS-MT
    checkpoints have) or else from an ``opus-mt-SRC-TGT`` model name.
    """
    tok_path = path / "tokenizer_config.json"
    if tok_path.is_file():
        tok = read_json(tok_path)
        s, t = tok.get("source_lang"), tok.get("target_lang")
        if isinstance(s, str) and isinstance(t, str) and s and t:
            return s, t
    match = re.search(r"opus-mt-(?:tc-(?:big|base)-)?([a-zA-Z_]+)-([a-zA-Z_]+)$", model_id)
    if match:
        return match.group(1), match.group(2)
    return None


def vocab_lang_tokens(path: Path) -> list[str]:
    vocab = read_json(path / "vocab.json")
    return [tok for tok in vocab if tok.startswith(">>") and tok.endswith("<<")]


def local_revision(path: Path) -> str:
    """A content hash identifying a local checkpoint: config, vocab, spm files and every
    byte of the weights (their full hash is remembered while size and times are unchanged,
    see :mod:`mtalign.models.identity`)."""
    from mtalign.models.identity import file_digest

    digest = hashlib.sha256()
    for name in (*REQUIRED_FILES, "tokenizer_config.json", "generation_config.json"):
        file = path / name
        if file.is_file():
            digest.update(name.encode())
            digest.update(file.read_bytes())
    for name in WEIGHT_FILES:
        file = path / name
        if file.is_file():
            size = file.stat().st_size
            digest.update(f"{name}:{size}:{file_digest(file)}".encode())
    return "sha256:" + digest.hexdigest()[:16]
