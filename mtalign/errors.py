"""The exception family of mtalign.

Library code raises these; only ``cli.py`` turns them into messages and exit codes.
Messages say what was expected, what was seen, and how to fix it.
"""

from __future__ import annotations


class MtalignError(Exception):
    """Base class for every error mtalign raises on purpose."""

    exit_code = 2


class InputError(MtalignError):
    """An input file or stream cannot be read or is not what was expected."""


class ConfigError(MtalignError):
    """A configuration, registry or glossary file is malformed or inconsistent."""


class ModelError(MtalignError):
    """A model cannot be found, loaded, converted or does not fit the request."""


class LanguageError(MtalignError):
    """A language code is unknown, or the text is not in the declared language."""
