"""The exception family of mtalign.

Library code raises these; only ``cli/`` turns them into messages and exit codes.
Messages say what was expected, what was seen, and how to fix it.
"""

from __future__ import annotations

from mtalign.safetext import printable


class MtalignError(Exception):
    """Base class for every error mtalign raises on purpose.

    ``str(error)`` is safe to print: control characters, lone surrogates and bidi
    controls that came in with file names or texts are shown as escapes.
    """

    exit_code = 2

    def __str__(self) -> str:
        return printable(super().__str__())


class InputError(MtalignError):
    """An input file or stream cannot be read or is not what was expected."""


class ConfigError(MtalignError):
    """A configuration, registry or glossary file is malformed or inconsistent."""


class ModelError(MtalignError):
    """A model cannot be found, loaded, converted or does not fit the request."""


class LanguageError(MtalignError):
    """A language code is unknown, or the text is not in the declared language."""
