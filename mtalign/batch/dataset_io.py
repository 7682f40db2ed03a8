"""Dataset shards in and out: JSONL (plain, gzip, zstd) and Parquet, streamed.

Readers yield one record at a time (or one Arrow batch); writers take rows chunk by chunk
and roll over to a new part file past a size bound, so neither side ever holds a shard.
Every part is written to a temp file beside its final name and renamed only when the
whole unit of work is done (:meth:`PartWriter.commit`), so a killed job never leaves a
part a rerun could mistake for a finished one.

pyarrow (``pip install 'mtalign[datasets]'``) is needed for Parquet and for zstd; gzip and
plain JSONL work without it.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from mtalign.errors import ConfigError, InputError
from mtalign.files import name_max
from mtalign.io.atomic import temp_prefix

#: Magic bytes of the compressed JSONL forms we read.
_MAGIC = {b"\x1f\x8b": "gzip", b"\x28\xb5\x2f\xfd": "zstd"}
#: Rows per Arrow batch when reading Parquet.
PARQUET_BATCH = 2048
#: Rows gathered into one Parquet row group (readers want large ones; memory stays bounded).
ROW_GROUP_ROWS = 8192


def import_arrow() -> Any:
    """The ``pyarrow`` module, or a ConfigError saying how to install it."""
    try:
        import pyarrow
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        raise ConfigError(
            "Parquet and zstd datasets need pyarrow: pip install 'mtalign[datasets]'"
        ) from None
    return pyarrow


def compression_of(path: str | os.PathLike[str]) -> str | None:
    """``gzip``, ``zstd`` or None (plain), from the file's first bytes (the extension may lie)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(4)
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror}); check the path") from None
    for magic, kind in _MAGIC.items():
        if head.startswith(magic):
            return kind
    return None


def open_input(path: str | os.PathLike[str]) -> IO[bytes]:
    """A binary reader of a JSONL file, decompressing gzip and zstd on the fly."""
    kind = compression_of(path)
    if kind == "gzip":
        return gzip.GzipFile(path, "rb")  # type: ignore[return-value]
    if kind == "zstd":
        pa = import_arrow()
        return io.BufferedReader(pa.input_stream(str(path), compression="zstd"))
    return open(path, "rb")


def file_digest(path: str | os.PathLike[str]) -> str:
    """SHA-256 of a file's bytes, read in blocks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def input_kind(path: str) -> str:
    """``parquet`` or ``jsonl`` for a dataset input (by its magic bytes, then its name)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(4)
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror}); check the path") from None
    if head == b"PAR1":
        return "parquet"
    if path.endswith(".parquet"):
        raise InputError(
            f"{path}: named .parquet but is not a Parquet file (no PAR1 header); "
            "give the real file or list it under [inputs] jsonl"
        )
    return "jsonl"


# --------------------------------------------------------------------------- reading


@dataclass
class Record:
    """One input row: its position, its raw JSONL line (JSONL inputs) and parsed value."""

    row: int
    raw: bytes | None = None
    value: Any = None
    error: str | None = None


def count_rows(path: str, kind: str) -> int:
    """Rows of an input: non-blank lines of JSONL, or the Parquet footer's count."""
    if kind == "parquet":
        pq = import_arrow().parquet
        return int(pq.ParquetFile(path).metadata.num_rows)
    n = 0
    with open_input(path) as fh:
        for line in fh:
            if line.strip():
                n += 1
    return n


def iter_jsonl(path: str, start: int = 0, stop: int | None = None) -> Iterator[Record]:
    """Records ``start <= row < stop`` of a JSONL file (rows count non-blank lines).

    A line that is not UTF-8 or not a JSON object comes back with its ``error``; nothing
    here raises for one bad line.
    """
    row = -1
    with open_input(path) as fh:
        for n, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            row += 1
            if row < start:
                continue
            if stop is not None and row >= stop:
                return
            raw = line.rstrip(b"\r\n")
            if n == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            yield _parse_line(raw, row, f"{path}:{n}")


def _parse_line(raw: bytes, row: int, where: str) -> Record:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Record(
            row, raw, error=f"{where}: not valid UTF-8 (byte 0x{raw[exc.start]:02x}); "
            "convert the file with `iconv -t utf-8`"
        )  # fmt: skip
    try:
        value = json.loads(text)
    except RecursionError:
        return Record(row, raw, error=f"{where}: JSON nested too deeply; flatten the record")
    except ValueError as exc:
        return Record(row, raw, error=f"{where}: not valid JSON ({exc}); fix or drop the line")
    if not isinstance(value, dict):
        return Record(row, raw, error=f"{where}: not a JSON object; write one {{...}} per line")
    return Record(row, raw, value)


def iter_parquet(path: str, start: int, stop: int) -> Iterator[tuple[int, Any]]:
    """``(first row, Arrow record batch)`` covering rows ``start <= row < stop``.

    Only the row groups that hold those rows are read.
    """
    pq = import_arrow().parquet
    pf = pq.ParquetFile(path)
    first = 0
    for g in range(pf.metadata.num_row_groups):
        size = pf.metadata.row_group(g).num_rows
        lo, hi = max(start, first), min(stop, first + size)
        if lo < hi:
            for offset, batch in _group_batches(pf, g, first):
                b_lo, b_hi = max(lo, offset), min(hi, offset + batch.num_rows)
                if b_lo < b_hi:
                    yield b_lo, batch.slice(b_lo - offset, b_hi - b_lo)
        first += size
        if first >= stop:
            return


def _group_batches(pf: Any, group: int, first: int) -> Iterator[tuple[int, Any]]:
    offset = first
    for batch in pf.iter_batches(batch_size=PARQUET_BATCH, row_groups=[group]):
        yield offset, batch
        offset += batch.num_rows


# --------------------------------------------------------------------------- writing


@dataclass
class PartInfo:
    """A finished part file: its name relative to the output folder, rows, bytes, digest."""

    path: str
    rows: int
    bytes: int = 0
    sha256: str = ""


def _json_default(value: Any) -> Any:
    """JSON for the Arrow values JSON has no type for (timestamps, bytes, decimals)."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "backslashreplace")
    return str(value)


def json_line(value: Any) -> bytes:
    """One JSONL line (UTF-8, no ASCII escaping, NaN/Infinity refused as invalid JSON)."""
    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=False, default=_json_default)
    except ValueError:
        # A float JSON cannot hold (inf, nan: from 1e400 in the input) is written as null.
        text = json.dumps(_finite(value), ensure_ascii=False, default=_json_default)
    return text.encode("utf-8") + b"\n"


def _finite(value: Any) -> Any:
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


@dataclass
class PartWriter:
    """Writes one unit's rows of one dataset as parts ``SUBDIR/UNIT-NNN.EXT``.

    ``fmt`` is ``jsonl`` or ``parquet``; JSONL rows come as ready lines (bytes), Parquet
    rows as dicts with ``schema``. A part rolls over past ``max_bytes`` (uncompressed
    size), so the same rows always give the same parts.
    """

    root: Path
    subdir: str
    unit: str
    fmt: str
    compression: str
    max_bytes: int
    schema: Any = None
    parts: list[PartInfo] = field(default_factory=list)
    _temps: list[tuple[str, str]] = field(default_factory=list)
    _fh: Any = None
    _raw: Any = None
    _pq: Any = None
    _size: int = 0
    _pending: list[Any] = field(default_factory=list)
    _pending_rows: int = 0

    @property
    def ext(self) -> str:
        if self.fmt == "parquet":
            return "parquet"
        return {"gzip": "jsonl.gz", "zstd": "jsonl.zst"}.get(self.compression, "jsonl")

    def part_name(self, k: int) -> str:
        return f"{self.subdir}/{self.unit}-{k:03d}.{self.ext}"

    def _open(self) -> None:
        name = self.part_name(len(self.parts))
        folder = self.root / self.subdir
        folder.mkdir(parents=True, exist_ok=True)
        prefix = temp_prefix(Path(name).name, name_max(folder))
        fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=folder)
        self._temps.append((tmp, name))
        self.parts.append(PartInfo(name, 0))
        self._size = 0
        raw = os.fdopen(fd, "wb")
        self._raw = raw
        if self.fmt == "parquet":
            pq = import_arrow().parquet
            self._pq = pq.ParquetWriter(raw, self.schema, compression=self.compression)
        elif self.compression == "gzip":
            # mtime 0 and no name: the same rows give byte-identical parts on every run.
            self._fh = gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0)
        elif self.compression == "zstd":
            pa = import_arrow()
            self._fh = pa.CompressedOutputStream(raw, "zstd")
        else:
            self._fh = raw

    def write_lines(self, lines: Sequence[bytes]) -> None:
        """Append ready JSONL lines (JSONL datasets)."""
        for line in lines:
            if self._raw is None or self._size >= self.max_bytes:
                self._close_part()
                self._open()
            self._fh.write(line)
            self._size += len(line)
            self.parts[-1].rows += 1

    def write_table(self, table: Any) -> None:
        """Append an Arrow table with this writer's schema (Parquet datasets)."""
        if table.num_rows == 0:
            return
        if self._raw is None or self._size >= self.max_bytes:
            self._close_part()
            self._open()
        self._pending.append(table)
        self._pending_rows += table.num_rows
        self._size += table.nbytes
        self.parts[-1].rows += table.num_rows
        if self._pending_rows >= ROW_GROUP_ROWS:
            self._flush_group()

    def _flush_group(self) -> None:
        if self._pending and self._pq is not None:
            pa = import_arrow()
            self._pq.write_table(pa.concat_tables(self._pending), row_group_size=ROW_GROUP_ROWS)
        self._pending.clear()
        self._pending_rows = 0

    def _close_part(self) -> None:
        if self._raw is None:
            return
        if self._pq is not None:
            self._flush_group()
            self._pq.close()
            self._pq = None
        elif self._fh is not self._raw and self._fh is not None:
            self._fh.close()
        if not self._raw.closed:
            self._raw.flush()
            os.fsync(self._raw.fileno())
            self._raw.close()
        self._raw = self._fh = None

    def finish(self, empty_part: bool = False) -> None:
        """Close the open part (``empty_part``: write one empty part when there were no rows)."""
        if empty_part and not self.parts:
            self._open()
            if self._pq is not None:
                self._pq.write_table(self.schema.empty_table())
        self._close_part()

    def commit(self) -> list[PartInfo]:
        """Rename every part into place; returns them with their sizes and digests."""
        self._close_part()
        for (tmp, name), info in zip(self._temps, self.parts, strict=True):
            os.chmod(tmp, 0o644)
            info.bytes = os.path.getsize(tmp)
            info.sha256 = file_digest(tmp)
            os.replace(tmp, self.root / name)
        self._temps.clear()
        return self.parts

    def abort(self) -> None:
        """Remove the temp files (an error or an interrupt)."""
        try:
            self._close_part()
        except Exception:  # noqa: BLE001 - closing a half-written part may fail; remove it anyway
            pass
        for tmp, _ in self._temps:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        self._temps.clear()


def remove_unit_temps(root: Path, subdirs: Iterable[str], unit: str) -> int:
    """Temp files a killed run left for a unit's parts (``.UNIT-NNN.EXT.XXXXXXXX.tmp``)."""
    n = 0
    for sub in subdirs:
        folder = root / sub
        if not folder.is_dir():
            continue
        for entry in os.listdir(folder):
            if entry.startswith(f".{unit}-") and entry.endswith(".tmp"):
                path = folder / entry
                if path.is_file() and not path.is_symlink():
                    path.unlink()
                    n += 1
    return n
