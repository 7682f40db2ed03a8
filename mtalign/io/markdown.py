"""Markdown: block structure kept byte for byte, only prose goes to translation.

A line-oriented block scanner rather than a full CommonMark parser: what matters here
is reproducing the file exactly and knowing which characters are prose. Parsers such as
markdown-it build an AST that loses the original spelling of markup, so a round trip
through them is not byte-exact.

Blocks: front matter, fenced and indented code, HTML blocks, tables, link reference
definitions and thematic breaks are kept verbatim and never translated. Headings, list
items, block quotes and paragraphs keep their markup in the paragraph prefix/suffix;
wrapped lines of one paragraph are joined (continuation markup in ``cont_prefixes``).
Inline code, link destinations, autolinks, inline HTML and bare URLs inside prose are
marked as protected spans of the segment.
"""

from __future__ import annotations

import re

from mtalign.types import Document, Paragraph, Segment

# CommonMark allows 0-3 spaces before a fence; fences nested in list items are indented
# further, so any indentation is accepted (a fence inside an indented code block is rare).
_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})")
_BLANK = re.compile(r"^\s*$")
_HR = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_HTML = re.compile(r"^ {0,3}<(?:!--|/?[A-Za-z][A-Za-z0-9-]*(?:\s|/?>|$))")
_LINKDEF = re.compile(r"^ {0,3}\[[^\]]+\]:\s")
_TABLE_DELIM = re.compile(r"^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")
_HEADING = re.compile(r"^( {0,3}#{1,6})(?:([ \t]+)(.*?))?([ \t]+#+)?([ \t]*)$")
_QUOTE = re.compile(r"^ {0,3}>[ \t]?")
_LIST = re.compile(r"^([ \t]*)([-*+]|\d{1,9}[.)])([ \t]+|$)(\[[ xX]\][ \t]+)?")
_INDENT_CODE = re.compile(r"^(?: {4}|\t)")
_EDGE = re.compile(r"^(\s*)(.*?)(\s*)$", re.DOTALL)

# Spans inside prose that are never translated.
_PROTECT = re.compile(
    r"(`+)(?:.+?)\1"  # inline code
    r"|\]\([^)\s]*(?:\s+\"[^\"]*\")?\)"  # link destination (and title)
    r"|\]\[[^\]]*\]"  # reference link label
    r"|<(?:https?|ftp|mailto):[^>\s]+>"  # autolink
    r"|</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>"  # inline HTML tag
    r"|\bhttps?://[^\s<>()\[\]]+"  # bare URL
)


def protected_spans(text: str) -> tuple[tuple[int, int], ...]:
    """Character spans of ``text`` that must not be translated."""
    return tuple(m.span() for m in _PROTECT.finditer(text))


def _split_container(line: str) -> tuple[str, str, str, bool]:
    """Return (markup prefix, content, kind, starts_new_block) for a prose line."""
    prefix = ""
    kind = "text"
    rest = line
    while True:
        m = _QUOTE.match(rest)
        if not m:
            break
        prefix += m.group(0)
        rest = rest[m.end() :]
        kind = "quote"
    m = _LIST.match(rest)
    if m and (m.group(3) or rest[m.end() :] == ""):
        return prefix + m.group(0), rest[m.end() :], "list" if kind == "text" else kind, True
    m = _HEADING.match(rest)
    if m:
        mark = m.group(1) + (m.group(2) or "")
        return prefix + mark, rest[len(mark) :], "heading", True
    return prefix, rest, kind, False


def _prose_paragraph(
    index: int, doc_id: str, kind: str, prefix: str, lines: list[str], conts: list[str]
) -> Paragraph:
    body = "\n".join(lines)
    if kind == "heading":
        m = re.match(r"^(.*?)([ \t]+#+)?([ \t]*)$", body, re.DOTALL)
        body, closing, trail = m.group(1), m.group(2) or "", m.group(3)
        suffix_extra = closing + trail
    else:
        suffix_extra = ""
    lead, core, trail = _EDGE.match(body).groups()  # type: ignore[union-attr]
    if not core:
        return Paragraph(index=index, kind=kind, raw=_join_raw(prefix, lines, conts))
    seg = Segment(id=f"{doc_id}:{index}:0", text=core, protected=protected_spans(core))
    meta = {"cont_prefixes": tuple(conts)} if conts else {}
    return Paragraph(
        index=index,
        kind=kind,
        segments=(seg,),
        prefix=prefix + lead,
        suffix=trail + suffix_extra,
        meta=meta,
    )


def _join_raw(prefix: str, lines: list[str], conts: list[str]) -> str:
    out = prefix + lines[0]
    for c, line in zip(conts, lines[1:], strict=True):
        out += "\n" + c + line
    return out


def parse_markdown(text: str, doc_id: str) -> tuple[Paragraph, ...]:
    """Scan Markdown text (``\\n`` newlines) into blocks."""
    text = text.removesuffix("\n")
    if not text:
        return ()
    lines = text.split("\n")
    paras: list[Paragraph] = []
    n = len(lines)
    i = 0

    def raw_block(kind: str, start: int, end: int) -> None:
        paras.append(Paragraph(index=len(paras), kind=kind, raw="\n".join(lines[start:end])))

    # YAML/TOML front matter at the very top.
    if lines[0] in ("---", "+++"):
        for j in range(1, n):
            if lines[j] == lines[0] or (lines[0] == "---" and lines[j] == "..."):
                raw_block("frontmatter", 0, j + 1)
                i = j + 1
                break

    prev_kind = "blank"
    while i < n:
        line = lines[i]
        if _BLANK.match(line):
            raw_block("blank", i, i + 1)
            prev_kind = "blank"
            i += 1
            continue
        m = _FENCE.match(line)
        if m:
            fence = m.group(1)
            j = i + 1
            while j < n:
                close = _FENCE.match(lines[j])
                if (
                    close
                    and close.group(1)[0] == fence[0]
                    and len(close.group(1)) >= len(fence)
                    and not lines[j].strip()[len(close.group(1)) :].strip()
                ):
                    break
                j += 1
            end = min(j + 1, n)
            raw_block("code", i, end)
            prev_kind = "code"
            i = end
            continue
        if _INDENT_CODE.match(line) and prev_kind == "blank" and not _LIST.match(line.lstrip()):
            j = i
            while j < n and (_INDENT_CODE.match(lines[j]) or _BLANK.match(lines[j])):
                j += 1
            while j > i and _BLANK.match(lines[j - 1]):
                j -= 1
            raw_block("code", i, j)
            prev_kind = "code"
            i = j
            continue
        if _HTML.match(line):
            j = i
            while j < n and not _BLANK.match(lines[j]):
                j += 1
            raw_block("html", i, j)
            prev_kind = "html"
            i = j
            continue
        if "|" in line and i + 1 < n and _TABLE_DELIM.match(lines[i + 1]) and "-" in lines[i + 1]:
            j = i + 2
            while j < n and "|" in lines[j] and not _BLANK.match(lines[j]):
                j += 1
            raw_block("table", i, j)
            prev_kind = "table"
            i = j
            continue
        if _LINKDEF.match(line):
            raw_block("linkdef", i, i + 1)
            prev_kind = "linkdef"
            i += 1
            continue
        if _HR.match(line) and not (prev_kind in ("text",) and _SETEXT.match(line)):
            raw_block("rule", i, i + 1)
            prev_kind = "rule"
            i += 1
            continue
        if _SETEXT.match(line) and prev_kind == "text":
            # Setext underline of the paragraph just read: the paragraph is a heading.
            last = paras[-1]
            paras[-1] = Paragraph(
                index=last.index,
                kind="heading",
                segments=last.segments,
                prefix=last.prefix,
                suffix=last.suffix,
                raw=last.raw,
                meta=last.meta,
            )
            raw_block("rule", i, i + 1)
            prev_kind = "rule"
            i += 1
            continue
        prefix, content, kind, _ = _split_container(line)
        if not content.strip():
            # A bare marker (">", "-"): nothing to translate, and it must not start a
            # paragraph whose first newline would then carry the next line's markup.
            raw_block(kind, i, i + 1)
            prev_kind = "blank" if kind == "quote" else kind
            i += 1
            continue
        fence = _FENCE.match(content)
        if fence and prefix.strip():
            # A fenced code block inside a block quote or list item: kept verbatim.
            mark = fence.group(1)
            j = i + 1
            while j < n:
                inner = _split_container(lines[j])[1]
                close = _FENCE.match(inner)
                if close and close.group(1)[0] == mark[0] and len(close.group(1)) >= len(mark):
                    break
                j += 1
            end = min(j + 1, n)
            raw_block("code", i, end)
            prev_kind = "code"
            i = end
            continue
        body = [content]
        conts: list[str] = []
        j = i + 1
        while kind != "heading" and j < n:
            nxt = lines[j]
            if (
                _BLANK.match(nxt)
                or _FENCE.match(nxt)
                or _HR.match(nxt)
                or _HTML.match(nxt)
                or (kind == "text" and _SETEXT.match(nxt))
            ):
                break
            if "|" in nxt and j + 1 < n and _TABLE_DELIM.match(lines[j + 1]):
                break
            npre, ncontent, nkind, new_block = _split_container(nxt)
            if (
                new_block
                or (nkind == "quote") != (kind == "quote")
                or not ncontent.strip()
                or _FENCE.match(ncontent.lstrip())
            ):
                break
            lead = re.match(r"^[ \t]*", ncontent).group(0)  # type: ignore[union-attr]
            conts.append(npre + lead)
            body.append(ncontent[len(lead) :])
            j += 1
        paras.append(_prose_paragraph(len(paras), doc_id, kind, prefix, body, conts))
        prev_kind = "text" if kind == "text" else kind
        i = j
    return tuple(paras)


def render_markdown(doc: Document) -> str:
    """Blocks back, joined by ``\\n``."""
    return "\n".join(p.render() for p in doc.paragraphs)
