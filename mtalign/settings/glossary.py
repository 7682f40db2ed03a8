"""The native TOML glossary format, declared once (see ``configs/glossaries/idlib.toml``).

``[glossary]`` is :class:`GlossaryHeader`; each ``[[term]]`` is a :class:`TermEntry`.
The reader in :mod:`mtalign.glossary.formats` checks every key against these declarations
and reports errors at ``path:line``.
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from mtalign.settings.schema import setting

EntityType = Literal["PER", "LOC", "ORG", "MISC"]
_Text = Annotated[str, msgspec.Meta(min_length=1)]


class _Table(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    pass


class GlossaryHeader(_Table, frozen=True):
    """``[glossary]``: what the glossary is."""

    name: Annotated[str, setting("name of the glossary (default: the file name)")] = ""
    source_lang: Annotated[str, setting("language of the source forms", metavar="LANG")] = "en"
    description: Annotated[str, setting("free text")] = ""
    version: Annotated[str | int | float, setting("free text or a number")] = ""


class TermEntry(_Table, frozen=True):
    """``[[term]]``: one entity, its source forms and its renderings per language."""

    source: Annotated[
        tuple[_Text, ...] | _Text,
        setting("source form and aliases; the longest alias found wins",
                example='source = ["Erdogan", "Recep Tayyip Erdogan"]'),
    ]  # fmt: skip
    id: Annotated[str, setting("stable identifier (default: made from the first source form)")] = ""
    type: Annotated[EntityType | None, setting("PER, LOC, ORG or MISC")] = None
    target: Annotated[
        dict[str, _Text],
        setting("canonical target form per language", example='target = { tr = "Erdoğan" }'),
    ] = {}
    forms: Annotated[
        dict[str, tuple[_Text, ...] | _Text],
        setting("extra accepted target forms per language", example='forms = { ar = ["..."] }'),
    ] = {}
    keep: Annotated[bool, setting("do not translate: the source form must appear unchanged")] = (
        False
    )
    case_sensitive: Annotated[
        bool, setting("match source forms case-sensitively (ALL CAPS always matches)")
    ] = True
    tr_attached: Annotated[bool, setting("Turkish suffixes may attach without an apostrophe")] = (
        False
    )
    ar_article: Annotated[bool, setting("the Arabic article may be prefixed")] = False
    note: Annotated[str, setting("free text for reviewers")] = ""
