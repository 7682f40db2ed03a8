"""mtalign: multilingual machine translation and sentence alignment for news text.

Importing the package is cheap: no model, torch or network is touched until a
function that needs one is called.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
