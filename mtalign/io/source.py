"""Reading raw input: paths or stdin, encodings, binary detection, NFC."""

from __future__ import annotations

import os
import re
import sys
import unicodedata
from collections import Counter
from dataclasses import dataclass

from mtalign.errors import InputError
from mtalign.files import read_regular

STDIN = "-"
#: Inputs larger than this are refused unless the caller raises the limit.
DEFAULT_MAX_BYTES = 512 * 1024 * 1024


_LINE_END = re.compile(r"\r\n|\r|\n")
#: GB18030's byte-order mark (a UTF-8 reader would call the file Latin-1).
_GB18030_BOM = b"\x84\x31\x95\x33"


@dataclass(frozen=True)
class DecodedText:
    """Text decoded from bytes plus what is needed to write it back the same way.

    ``newline`` is the most common line ending; ``newlines`` holds every line's own ending
    when a file mixes them (empty otherwise), so that writers give each line its own back.
    """

    text: str
    encoding: str
    bom: bool
    newline: str
    final_newline: bool
    newlines: tuple[str, ...] = ()


def read_bytes(path: str | os.PathLike[str], max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """Read a whole file (or stdin for ``-``), with errors that name the path.

    Only regular files are read by name: a named pipe, a device or a socket is refused
    with a message (see :func:`mtalign.files.read_regular`); ``-`` reads stdin.
    """
    name = str(path)
    if name == STDIN:
        data = sys.stdin.buffer.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise InputError(f"{name}: over the {max_bytes}-byte input limit; split the input")
        return data
    return read_regular(path, max_bytes)


def _looks_binary(data: bytes) -> bool:
    if b"\x00" in data:
        return True
    sample = data[:8192]
    if not sample:
        return False
    # Control bytes other than tab/newline/CR/FF are rare in text; many of them mean binary.
    ctrl = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return ctrl / len(sample) > 0.05


def bomless_utf16(data: bytes) -> str | None:
    """``utf-16-le`` / ``utf-16-be`` when ``data`` looks like UTF-16 text without a BOM.

    Text in Latin, Cyrillic or Arabic script as UTF-16 has a NUL byte in (nearly) every
    other position and (almost) none in the others; binary files do not look like that.
    """
    sample = data[:8192]
    if len(sample) < 4 or len(data) % 2:
        return None
    half = len(sample) // 2
    even = sample[0::2].count(0) / half
    odd = sample[1::2].count(0) / half
    if odd > 0.3 and even < odd / 4:
        encoding = "utf-16-le"
    elif even > 0.3 and odd < even / 4:
        encoding = "utf-16-be"
    else:
        return None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None
    return None if "\x00" in text or _looks_binary(text[:4096].encode("utf-8")) else encoding


def _decode_bytes(data: bytes, name: str) -> tuple[str, str, bool]:
    """(text, encoding, bom) of ``data``; an InputError that names the encoding seen."""
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        raise InputError(f"{name}: UTF-32 text is not supported; convert it to UTF-8 (iconv)")
    if data.startswith(_GB18030_BOM):
        raise InputError(
            f"{name}: GB18030 text (it starts with the GB18030 byte-order mark); convert it "
            "to UTF-8 with `iconv -f GB18030 -t UTF-8`"
        )
    bom = data.startswith((b"\xff\xfe", b"\xfe\xff"))
    encoding = None
    if bom:
        # The byte order is kept so that writers give the file back as it came.
        encoding = "utf-16-le" if data.startswith(b"\xff\xfe") else "utf-16-be"
        data = data[2:]
    elif b"\x00" in data[:8192]:
        encoding = bomless_utf16(data)
    if encoding:
        try:
            return data.decode(encoding), encoding, bom
        except UnicodeDecodeError as exc:
            at = exc.start + (2 if bom else 0)
            raise InputError(f"{name}: broken UTF-16 at byte {at}; re-save as UTF-8") from None
    if data.startswith(b"\xef\xbb\xbf"):
        data, bom = data[3:], True
    if _looks_binary(data):
        raise InputError(f"{name}: binary content, not text; give a UTF-8 text file")
    try:
        return data.decode("utf-8"), "utf-8", bom
    except UnicodeDecodeError as exc:
        snippet = data[max(0, exc.start - 10) : exc.start + 10]
        raise InputError(
            f"{name}: not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}, "
            f"near {snippet!r}); it is probably Latin-1/Windows-1252: convert it with "
            f"`iconv -f latin1 -t utf-8`"
        ) from None


def decode(data: bytes, name: str = "<input>", nfc: bool = True) -> DecodedText:
    """Decode UTF-8 (with or without BOM) or UTF-16 (with a BOM, or recognised without);
    line endings (``\\r\\n``, ``\\r`` or ``\\n``, mixed or not) become ``\\n``; NFC-normalise
    unless ``nfc`` is false (document readers normalise only the text they may change).

    ``encoding`` is ``utf-8``, ``utf-16-le`` or ``utf-16-be``; with ``bom`` it is what
    :func:`encode` needs to write text back in the same bytes form.

    Anything else (another encoding, binary content) is an :class:`InputError`.
    """
    text, encoding, bom = _decode_bytes(data, name)
    if "\x00" in text:
        raise InputError(f"{name}: binary content (NUL characters); give a text file")
    newline, newlines = "\n", ()
    if "\r" in text:
        endings = _LINE_END.findall(text)
        counts = Counter(endings)
        newline = max(counts, key=lambda e: (counts[e], e == "\r\n"))
        if len(counts) > 1:
            newlines = tuple(endings)
        text = _LINE_END.sub("\n", text)
    final_newline = text.endswith("\n")
    if nfc:
        text = unicodedata.normalize("NFC", text)
    return DecodedText(text, encoding, bom, newline, final_newline, newlines)


def encode(text: str, encoding: str = "utf-8", bom: bool = False) -> bytes:
    """``text`` as bytes in the form :func:`decode` found it (encoding and BOM).

    UTF-16 gets its BOM unless ``encoding`` names the byte order and ``bom`` is false (a
    file that was read without one).
    """
    name = encoding.lower().replace("_", "-")
    if name in ("utf-16", "utf-16-le", "utf-16-be"):
        enc = "utf-16-be" if name == "utf-16-be" else "utf-16-le"
        mark = "\ufeff".encode(enc) if bom or name == "utf-16" else b""
        return mark + text.encode(enc)
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


def read_text(path: str | os.PathLike[str], max_bytes: int = DEFAULT_MAX_BYTES) -> DecodedText:
    """Read and decode a file or stdin."""
    return decode(read_bytes(path, max_bytes), str(path))
