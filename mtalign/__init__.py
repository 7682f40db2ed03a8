"""mtalign: multilingual machine translation and sentence alignment for news text.

The Python API, one function per job (:mod:`mtalign.api`)::

    from mtalign import translate, align, evaluate, segment, detect, load_glossary, Glossary

Importing the package is cheap: the API and everything under it are imported on first
use, and no model, torch or network is touched until a function that needs one is called.
Errors are :class:`MtalignError` subclasses (``InputError``, ``ConfigError``,
``ModelError``, ``LanguageError``) whose message says what to fix.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mtalign.errors import ConfigError, InputError, LanguageError, ModelError, MtalignError
from mtalign.version import __version__

if TYPE_CHECKING:
    from mtalign.api import align, detect, evaluate, load_glossary, segment, translate
    from mtalign.glossary.model import Glossary

__all__ = [
    "ConfigError",
    "Glossary",
    "InputError",
    "LanguageError",
    "ModelError",
    "MtalignError",
    "__version__",
    "align",
    "detect",
    "evaluate",
    "load_glossary",
    "segment",
    "translate",
]

_API = {"align", "detect", "evaluate", "load_glossary", "segment", "translate"}


def __getattr__(name: str) -> Any:
    """The API functions and ``Glossary``, imported on first use (PEP 562)."""
    if name in _API:
        from mtalign import api

        return getattr(api, name)
    if name == "Glossary":
        from mtalign.glossary.model import Glossary

        return Glossary
    raise AttributeError(f"module 'mtalign' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_API, "Glossary"])
