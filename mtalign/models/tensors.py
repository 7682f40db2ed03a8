"""A checkpoint's weights as numpy arrays, without torch.

``model.safetensors`` is read with ``safetensors.numpy``. ``pytorch_model.bin`` in torch's
zip format (every file saved by torch 1.6 or later) is a zip of one pickle plus one raw file
per storage; it is unpickled with an allow-list that admits only the few torch names a
state dict uses, each mapped to a numpy stand-in, so no code from the file ever runs. Only
the legacy (pre-1.6, non-zip) format needs torch itself.
"""

from __future__ import annotations

import pickle
import zipfile
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mtalign.errors import ModelError

#: torch storage class name -> numpy dtype of its elements (bfloat16 is widened on read).
_STORAGE_DTYPES: dict[str, str] = {
    "FloatStorage": "<f4",
    "HalfStorage": "<f2",
    "DoubleStorage": "<f8",
    "BFloat16Storage": "<u2",
    "LongStorage": "<i8",
    "IntStorage": "<i4",
    "ShortStorage": "<i2",
    "CharStorage": "i1",
    "ByteStorage": "u1",
    "BoolStorage": "?",
}


@dataclass(frozen=True)
class _StorageType:
    name: str


@dataclass(frozen=True)
class _Storage:
    """One storage of the archive: its raw elements, read lazily by key."""

    array: np.ndarray
    bfloat16: bool


def _rebuild_tensor(
    storage: _Storage, offset: int, size: tuple[int, ...], stride: tuple[int, ...], *_: Any
) -> np.ndarray:
    """torch._utils._rebuild_tensor_v2 for numpy: a contiguous copy of the strided view."""
    base = storage.array[offset:]
    itemsize = base.dtype.itemsize
    if size and base.size:
        view = np.lib.stride_tricks.as_strided(
            base, shape=size, strides=tuple(s * itemsize for s in stride), writeable=False
        )
    else:
        view = base[: int(np.prod(size))].reshape(size)
    out = np.array(view, copy=True, order="C")  # writable, and never shared with a sibling
    if storage.bfloat16:
        out = (out.astype(np.uint32) << 16).view(np.float32)
    return out


def _rebuild_parameter(data: np.ndarray, *_: Any) -> np.ndarray:
    return data


class _StateDictUnpickler(pickle.Unpickler):
    """Unpickles a torch state dict into numpy arrays; refuses every other global."""

    _ALLOWED: dict[tuple[str, str], Any] = {
        ("collections", "OrderedDict"): OrderedDict,
        ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor,
        ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
    }

    def __init__(self, file: Any, archive: zipfile.ZipFile, prefix: str, source: Path) -> None:
        super().__init__(file)
        self.archive, self.prefix, self.source = archive, prefix, source
        self.storages: dict[str, _Storage] = {}

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in self._ALLOWED:
            return self._ALLOWED[module, name]
        if module == "torch" and name in _STORAGE_DTYPES:
            return _StorageType(name)
        raise ModelError(
            f"{self.source}: holds {module}.{name}, which a plain state dict does not; "
            "refusing to load it (convert the checkpoint to model.safetensors)"
        )

    def persistent_load(self, pid: Any) -> _Storage:
        if not (isinstance(pid, tuple) and pid and pid[0] == "storage"):
            raise ModelError(f"{self.source}: unexpected persistent id {pid!r}")
        kind, key = pid[1], str(pid[2])
        if not isinstance(kind, _StorageType):
            raise ModelError(f"{self.source}: unknown storage type {kind!r}")
        if key not in self.storages:
            raw = self.archive.read(f"{self.prefix}data/{key}")
            array = np.frombuffer(raw, dtype=np.dtype(_STORAGE_DTYPES[kind.name]))
            self.storages[key] = _Storage(array, kind.name == "BFloat16Storage")
        return self.storages[key]


def _read_torch_zip(path: Path) -> dict[str, np.ndarray]:
    with zipfile.ZipFile(path) as archive:
        pickles = [n for n in archive.namelist() if n.endswith("/data.pkl") or n == "data.pkl"]
        if len(pickles) != 1:
            raise ModelError(f"{path}: not a torch checkpoint (no single data.pkl inside)")
        prefix = pickles[0][: -len("data.pkl")]
        with archive.open(pickles[0]) as fh:
            state = _StateDictUnpickler(fh, archive, prefix, path).load()
    if not isinstance(state, dict):
        raise ModelError(f"{path}: expected a state dict, found {type(state).__name__}")
    return {str(k): v for k, v in state.items() if isinstance(v, np.ndarray)}


def _read_legacy_torch(path: Path) -> dict[str, np.ndarray]:
    try:
        import torch
    except ImportError as exc:
        raise ModelError(
            f"{path}: this weights file is in torch's legacy format, which only torch can read; "
            "pip install 'mtalign[torch]' (torch==2.13.0) once to convert it, or get the "
            "checkpoint's model.safetensors"
        ) from exc
    state = torch.load(path, map_location="cpu", weights_only=True)
    return {
        k: v.float().numpy() if v.dtype == torch.bfloat16 else v.numpy() for k, v in state.items()
    }


def read_tensors(path: Path) -> dict[str, np.ndarray]:
    """Every tensor of a ``model.safetensors`` or ``pytorch_model.bin`` file, by name."""
    if path.suffix == ".safetensors":
        from safetensors.numpy import load_file

        try:
            return dict(load_file(str(path)))
        except (TypeError, ValueError) as exc:  # e.g. bfloat16, which numpy has no type for
            raise ModelError(
                f"{path}: cannot read its tensors with numpy ({exc}); "
                "convert the checkpoint to float16 or float32"
            ) from exc
    if zipfile.is_zipfile(path):
        try:
            return _read_torch_zip(path)
        except (pickle.UnpicklingError, KeyError, ValueError, EOFError) as exc:
            raise ModelError(f"{path}: unreadable torch checkpoint ({exc})") from exc
    return _read_legacy_torch(path)
