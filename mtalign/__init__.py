"""mtalign: multilingual machine translation and sentence alignment for news text.

The Python API, one function per job (:mod:`mtalign.api`)::

    from mtalign import translate, align, evaluate, segment, detect, load_glossary, Glossary

Importing the package is cheap: the API and everything under it are imported on first
use, and no model, torch or network is touched until a function that needs one is called.
Errors are :class:`MtalignError` subclasses (``InputError``, ``ConfigError``,
``ModelError``, ``LanguageError``) whose message says what to fix.

``align``, ``evaluate`` and ``segment`` are also the names of sub-packages. Python would
replace the functions with those modules the moment one is imported, so here each name is
a :class:`_Shared` object: calling it calls the API function, any attribute is the
sub-package's (``import mtalign.align.dp``, ``mtalign.segment.split_sentences`` and
``from mtalign.evaluate import Report`` keep working).
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

from mtalign.errors import ConfigError, InputError, LanguageError, ModelError, MtalignError

if TYPE_CHECKING:
    from mtalign.api import (
        align,
        detect,
        evaluate,
        load_glossary,
        segment,
        translate,
        translate_file,
    )
    from mtalign.glossary.model import Glossary
    from mtalign.version import __version__  # noqa: F401 - resolved lazily below

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
    "translate_file",
]

_API = ("translate", "translate_file", "detect", "load_glossary")
_SHARED_NAMES = ("align", "evaluate", "segment")


class _Shared:
    # An API function that shares its name with a sub-package (see the module docstring);
    # its __doc__ is the function's, so help() and doctests show the API.

    def __init__(self, name: str) -> None:
        object.__setattr__(self, "_name", name)

    @property
    def _function(self) -> Any:
        return getattr(importlib.import_module("mtalign.api"), self._name)

    @property
    def _module(self) -> types.ModuleType:
        return importlib.import_module(f"mtalign.{self._name}")

    @property
    def __doc__(self) -> str | None:  # type: ignore[override]
        return self._function.__doc__

    @property
    def __wrapped__(self) -> Any:  # inspect.signature() follows it to the function
        return self._function

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._function(*args, **kwargs)

    def __getattr__(self, attr: str) -> Any:
        return getattr(self._module, attr)

    def __setattr__(self, attr: str, value: Any) -> None:  # monkeypatch of the sub-package
        setattr(self._module, attr, value)

    def __delattr__(self, attr: str) -> None:
        delattr(self._module, attr)

    def __dir__(self) -> list[str]:
        return dir(self._module)

    def __repr__(self) -> str:
        return f"<mtalign.{self._name}: the API function and the mtalign.{self._name} package>"


class _Package(types.ModuleType):
    """The package module: importing ``mtalign.align`` does not replace ``mtalign.align``."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _SHARED_NAMES and isinstance(value, types.ModuleType):
            return  # the sub-package stays reachable through the _Shared object
        super().__setattr__(name, value)


for _name in _SHARED_NAMES:
    globals()[_name] = _Shared(_name)
sys.modules[__name__].__class__ = _Package


def __getattr__(name: str) -> Any:
    """The other API functions and ``Glossary``, imported on first use (PEP 562)."""
    if name in _API:
        return getattr(importlib.import_module("mtalign.api"), name)
    if name == "Glossary":
        return importlib.import_module("mtalign.glossary.model").Glossary
    if name == "__version__":  # package metadata costs ~20 ms: read only when asked
        return importlib.import_module("mtalign.version").__version__
    raise AttributeError(f"module 'mtalign' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_API, "Glossary", "__version__"})
