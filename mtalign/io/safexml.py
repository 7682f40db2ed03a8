"""Parsing XML that comes from outside (TBX glossaries, TMX memories) with defusedxml.

Entity declarations (billion laughs), external entities and external references are
refused by the parser itself, so the check holds whatever the file's encoding (UTF-8,
UTF-16, a declared legacy charset) and wherever the declaration sits (after any amount
of padding). A DOCTYPE is refused too, unless the format commonly carries a bare one
(TMX's ``<!DOCTYPE tmx SYSTEM "tmx14.dtd">``): that one names a DTD that is never
fetched, and any internal subset (``[...]``) is still refused.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from defusedxml import DefusedXmlException, DTDForbidden
from defusedxml.ElementTree import DefusedXMLParser

from mtalign.errors import MtalignError


class _Parser(DefusedXMLParser):
    """defusedxml's parser; with ``bare_doctype`` a DOCTYPE without internal subset passes."""

    def __init__(self, bare_doctype: bool) -> None:
        super().__init__(forbid_dtd=not bare_doctype, forbid_entities=True, forbid_external=True)
        if bare_doctype:
            self.parser.StartDoctypeDeclHandler = self._refuse_internal_subset

    def _refuse_internal_subset(
        self, name: str, sysid: Any, pubid: Any, has_internal_subset: bool
    ) -> None:
        if has_internal_subset:
            raise DTDForbidden(name, sysid, pubid)


def parse_xml(
    data: bytes | str,
    name: str,
    error: type[MtalignError],
    bare_doctype: bool = False,
) -> ET.Element:
    """The root element of ``data``; unsafe or malformed XML raises ``error`` with path:line."""
    parser = _Parser(bare_doctype)
    try:
        parser.feed(data)
        return parser.close()
    except DefusedXmlException as exc:
        line = parser.parser.CurrentLineNumber
        raise error(f"{name}:{line}: {_REFUSED.get(type(exc).__name__, _REFUSED[''])}") from None
    except ET.ParseError as exc:
        line, col = exc.position
        raise error(
            f"{name}:{line}: not well-formed XML at column {col + 1} ({exc}); fix the markup"
        ) from None


_REFUSED = {
    "DTDForbidden": "a DOCTYPE with a DTD is not accepted (unsafe XML); remove the "
    "<!DOCTYPE ...> block",
    "EntitiesForbidden": "entity declarations are not accepted (unsafe XML); remove the "
    "<!DOCTYPE ...> block with its <!ENTITY ...> lines",
    "": "external references are not accepted (unsafe XML); remove them",
}
