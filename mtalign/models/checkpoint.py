"""What a Marian (OPUS-MT) checkpoint on disk must hold, and what it declares."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

from mtalign.errors import ModelError

# Files a Marian checkpoint must have.
REQUIRED_FILES = ("config.json", "source.spm", "target.spm", "vocab.json")
WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")


def check_checkpoint(path: Path) -> None:
    """Raise ModelError unless ``path`` looks like a Marian checkpoint (says what is missing)."""
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


def read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ModelError(f"{path}: cannot read JSON ({exc}); the checkpoint is damaged") from exc
    if not isinstance(data, dict):
        raise ModelError(f"{path}: expected a JSON object")
    return data


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
    """A content hash identifying a local checkpoint (config, vocab, spm, weight sizes)."""
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
            digest.update(f"{name}:{size}".encode())
            # Head and tail of the weights: cheap, and different random seeds differ there.
            with file.open("rb") as fh:
                digest.update(fh.read(1 << 20))
                fh.seek(max(0, size - (1 << 20)))
                digest.update(fh.read(1 << 20))
    return "sha256:" + digest.hexdigest()[:16]
