"""Reading raw input: paths or stdin, encodings, binary detection, NFC."""

from __future__ import annotations

import os
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from mtalign.errors import InputError

STDIN = "-"
#: Inputs larger than this are refused unless the caller raises the limit.
DEFAULT_MAX_BYTES = 512 * 1024 * 1024


@dataclass(frozen=True)
class DecodedText:
    """Text decoded from bytes plus what is needed to write it back the same way."""

    text: str
    encoding: str
    bom: bool
    newline: str
    final_newline: bool


def read_bytes(path: str | os.PathLike[str], max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """Read a whole file (or stdin for ``-``), with errors that name the path."""
    name = str(path)
    if name == STDIN:
        data = sys.stdin.buffer.read(max_bytes + 1)
    else:
        p = Path(path)
        if not p.exists():
            raise InputError(f"{name}: no such file; check the path")
        if p.is_dir():
            raise InputError(f"{name}: is a directory, not a file; give a file inside it")
        try:
            size = p.stat().st_size
            if size > max_bytes:
                raise InputError(
                    f"{name}: {size} bytes is over the {max_bytes}-byte input limit; "
                    "split the file or raise the limit"
                )
            data = p.read_bytes()
        except PermissionError:
            raise InputError(f"{name}: permission denied; make the file readable") from None
        except OSError as exc:
            raise InputError(f"{name}: cannot be read ({exc.strerror}); check the file") from None
    if len(data) > max_bytes:
        raise InputError(f"{name}: over the {max_bytes}-byte input limit; split the input")
    return data


def _looks_binary(data: bytes) -> bool:
    if b"\x00" in data:
        return True
    sample = data[:8192]
    if not sample:
        return False
    # Control bytes other than tab/newline/CR/FF are rare in text; many of them mean binary.
    ctrl = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return ctrl / len(sample) > 0.05


def decode(data: bytes, name: str = "<input>") -> DecodedText:
    """Decode UTF-8 (with or without BOM) or UTF-16 with BOM; NFC-normalise.

    ``encoding`` is ``utf-8``, ``utf-16-le`` or ``utf-16-be``; with ``bom`` it is what
    :func:`encode` needs to write text back in the same bytes form.

    Anything else (another encoding, binary content) is an :class:`InputError`.
    """
    bom = False
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        raise InputError(f"{name}: UTF-32 text is not supported; convert it to UTF-8 (iconv)")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # The byte order is kept so that writers give the file back as it came.
        encoding = "utf-16-le" if data.startswith(b"\xff\xfe") else "utf-16-be"
        try:
            text = data[2:].decode(encoding)
        except UnicodeDecodeError as exc:
            raise InputError(
                f"{name}: broken UTF-16 at byte {exc.start + 2}; re-save as UTF-8"
            ) from None
        bom = True
    else:
        if data.startswith(b"\xef\xbb\xbf"):
            data, bom = data[3:], True
        if _looks_binary(data):
            raise InputError(f"{name}: binary content, not text; give a UTF-8 text file")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            snippet = data[max(0, exc.start - 10) : exc.start + 10]
            raise InputError(
                f"{name}: not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}, "
                f"near {snippet!r}); it is probably Latin-1/Windows-1252: convert it with "
                f"`iconv -f latin1 -t utf-8`"
            ) from None
        encoding = "utf-8"
    if "\x00" in text:
        raise InputError(f"{name}: binary content (NUL characters); give a text file")
    newline = "\r\n" if "\r\n" in text else "\n"
    if newline == "\r\n":
        text = text.replace("\r\n", "\n")
    final_newline = text.endswith("\n")
    text = unicodedata.normalize("NFC", text)
    return DecodedText(text, encoding, bom, newline, final_newline)


def encode(text: str, encoding: str = "utf-8", bom: bool = False) -> bytes:
    """``text`` as bytes in the form :func:`decode` found it (encoding and BOM)."""
    name = encoding.lower().replace("_", "-")
    if name in ("utf-16", "utf-16-le", "utf-16-be"):
        enc = "utf-16-be" if name == "utf-16-be" else "utf-16-le"
        return "\ufeff".encode(enc) + text.encode(enc)  # UTF-16 is only read with a BOM
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


def read_text(path: str | os.PathLike[str], max_bytes: int = DEFAULT_MAX_BYTES) -> DecodedText:
    """Read and decode a file or stdin."""
    return decode(read_bytes(path, max_bytes), str(path))
