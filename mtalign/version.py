"""The version of mtalign, from the installed package's metadata (pyproject.toml).

A module of its own so any layer may import it; a source tree that was never installed
reports ``0+unknown`` rather than a number nobody set.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("mtalign")
except PackageNotFoundError:  # running from a checkout that pip never installed
    __version__ = "0+unknown"
