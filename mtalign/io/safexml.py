"""Parsing XML that comes from outside (TBX glossaries, TMX memories) with defusedxml.

Entity declarations (billion laughs), external entities and external references are
refused by the parser itself, so the check holds whatever the file's encoding (UTF-8,
UTF-16, a declared legacy charset) and wherever the declaration sits (after any amount
of padding). A DOCTYPE is refused too, unless the format commonly carries a bare one
(TMX's ``<!DOCTYPE tmx SYSTEM "tmx14.dtd">``): that one names a DTD that is never
fetched, and any internal subset (``[...]``) is still refused.

Elements nested deeper than :data:`MAX_DEPTH` are refused while parsing (walking such a
tree would exhaust Python's stack), and an encoding the parser cannot read (an unknown
name, UTF-7 or another multi-byte legacy charset) is an error naming the file.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from defusedxml import DefusedXmlException, DTDForbidden
from defusedxml.ElementTree import DefusedXMLParser

from mtalign.errors import MtalignError

#: Deepest element nesting accepted; TBX and TMX need fewer than 20 levels.
MAX_DEPTH = 200


class _TooDeep(Exception):
    pass


class _Parser(DefusedXMLParser):
    """defusedxml's parser; with ``bare_doctype`` a DOCTYPE without internal subset passes."""

    def __init__(self, bare_doctype: bool) -> None:
        super().__init__(forbid_dtd=not bare_doctype, forbid_entities=True, forbid_external=True)
        if bare_doctype:
            self.parser.StartDoctypeDeclHandler = self._refuse_internal_subset
        self.depth = 0
        start, end = self.parser.StartElementHandler, self.parser.EndElementHandler

        def counted_start(*args: Any) -> Any:
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise _TooDeep
            return start(*args)

        def counted_end(*args: Any) -> Any:
            self.depth -= 1
            return end(*args)

        self.parser.StartElementHandler = counted_start
        self.parser.EndElementHandler = counted_end

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
    except _TooDeep:
        line = parser.parser.CurrentLineNumber
        raise error(
            f"{name}:{line}: elements nested more than {MAX_DEPTH} deep; this is not a "
            "glossary or memory file mtalign can read (flatten the markup)"
        ) from None
    except (LookupError, ValueError) as exc:
        # pyexpat: an unknown encoding name (LookupError), or UTF-7 / another multi-byte
        # legacy charset it cannot decode (ValueError).
        raise error(
            f"{name}: the XML declares an encoding that cannot be read ({exc}); "
            'save the file as UTF-8 (and declare encoding="UTF-8")'
        ) from None
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
