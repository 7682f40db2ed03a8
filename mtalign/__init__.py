"""mtalign: multilingual machine translation and sentence alignment for news text.

Importing the package is cheap: no model, torch or network is touched until a
function that needs one is called.
"""

from __future__ import annotations

from mtalign.version import __version__

__all__ = ["__version__"]
