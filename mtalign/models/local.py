"""Registry models found in a folder of downloaded checkpoints (the real-weights test tier).

A folder may hold checkpoints in any of the layouts users end up with:

* ``DIR/opus-mt-tc-big-en-ar`` or ``DIR/Helsinki-NLP/opus-mt-tc-big-en-ar``
  (``huggingface-cli download ID --local-dir ...``, ``git clone``);
* ``DIR/models--Helsinki-NLP--opus-mt-tc-big-en-ar/snapshots/REV`` (a Hugging Face cache:
  ``DIR`` is e.g. ``~/.cache/huggingface/hub``);
* ``DIR/en-ar`` (a pair's default model) or ``DIR/en-ar-small`` (a named alternative).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mtalign.models.registry import ModelEntry, Registry


@dataclass(frozen=True)
class FoundModel:
    """A registry choice and the folder its checkpoint is in."""

    entry: ModelEntry
    path: Path

    @property
    def id(self) -> str:
        """``en-ar:default``: what tests and reports call it."""
        return f"{self.entry.pair}:{self.entry.choice}"


def _hf_snapshot(repo: Path) -> Path | None:
    snaps = repo / "snapshots"
    ref = repo / "refs" / "main"
    if ref.is_file():
        snap = snaps / ref.read_text(encoding="utf-8").strip()
        if snap.is_dir():
            return snap
    found = sorted(p for p in snaps.iterdir() if p.is_dir()) if snaps.is_dir() else []
    return found[-1] if len(found) == 1 else None


def candidates(root: Path, entry: ModelEntry) -> list[Path]:
    """Where a choice's checkpoint may be under ``root``, in order of preference."""
    org, _, name = entry.model.rpartition("/")
    paths = [root / name, root / entry.model]
    snap = _hf_snapshot(root / f"models--{org}--{name}") if org else None
    if snap is not None:
        paths.append(snap)
    paths.append(root / (entry.pair if entry.is_default else f"{entry.pair}-{entry.choice}"))
    return paths


def find_checkpoints(root: Path, registry: Registry) -> list[FoundModel]:
    """Every registry choice whose checkpoint is under ``root`` (any layout above)."""
    out = []
    for entry in registry.all():
        for path in candidates(root, entry):
            if (path / "config.json").is_file():
                out.append(FoundModel(entry, path))
                break
    return out
