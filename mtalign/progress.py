"""Progress bars: the one tqdm wrapper (on stderr, on when stderr is a terminal unless asked).

tqdm is imported when a bar is made, never when this module is imported.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


def progress_enabled(setting: bool | None) -> bool:
    """Progress bars: as asked, else only when stderr is a terminal."""
    return sys.stderr.isatty() if setting is None else setting


def progress_bar(
    total: int, desc: str, unit: str, setting: bool | None = None, leave: bool = True
) -> Any:
    """A tqdm bar on stderr; off when ``setting`` says so (None: a terminal decides) or when
    there is nothing to do; ``leave`` False clears it when done (a bar nested under
    another). ``desc`` (a document id, a job name: user data) is escaped. The caller
    closes it (or use :func:`progress`)."""
    from tqdm import tqdm

    from mtalign.safetext import printable

    return tqdm(
        total=total,
        desc=printable(desc),
        unit=unit,
        disable=not progress_enabled(setting) or total == 0,
        file=sys.stderr,
        dynamic_ncols=True,
        leave=leave,
    )


@contextmanager
def progress(
    total: int, desc: str, enabled: bool | None, unit: str = "seg", leave: bool = True
) -> Iterator[Any]:
    """:func:`progress_bar` as a context manager that closes it."""
    bar = progress_bar(total, desc, unit, enabled, leave)
    try:
        yield bar
    finally:
        bar.close()
