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
import unicodedata

from mtalign.types import ATOM, CLOSE, OPEN, Document, Paragraph, Segment

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


# Emphasis delimiters: CommonMark's flanking rules, simplified (an opening run is followed
# by a non-space, a closing one preceded by one; ``_`` only at word edges).
_EMPHASIS = (
    re.compile(r"(?<![\\*])(\*\*)(?=[^\s*]).*?(?<=[^\s*])(\*\*)(?!\*)"),
    re.compile(r"(?<!\w)(__)(?=\S).*?(?<=\S)(__)(?!\w)"),
    re.compile(r"(~~)(?=\S).*?(?<=\S)(~~)"),
    re.compile(r"(?<![\\*])(\*)(?=[^\s*]).*?(?<=[^\s*])(\*)(?!\*)"),
    re.compile(r"(?<![\w\\])(_)(?=\S).*?(?<=\S)(_)(?!\w)"),
)


def protected_spans(text: str) -> tuple[tuple[int, int], ...]:
    """Character spans of ``text`` that must not be translated."""
    return inline_markup(text)[0]


def inline_markup(text: str) -> tuple[tuple[tuple[int, int], ...], tuple[str, ...]]:
    """Protected spans of ``text`` in order, and each one's kind (atom/open/close).

    Inline code, URLs, inline HTML and link destinations are atoms; a link's ``[`` (or an
    image's ``![``) opens a pair its destination closes, so the link text (and alt text)
    is translated; emphasis delimiters (``**``, ``__``, ``*``, ``_``, ``~~``) are pairs.
    Pairs that would cross another are left as text, so the markup stays well nested.
    """
    atoms = [m.span() for m in _PROTECT.finditer(text)]
    marks: dict[tuple[int, int], str] = {span: ATOM for span in atoms}
    pairs: list[tuple[tuple[int, int], tuple[int, int]]] = []
    for a, b in atoms:
        if text.startswith("](", a):
            start = _link_start(text, a, atoms)
            if start is not None:
                open_span = (start - 1, start + 1) if text[start - 1 : start] == "!" else None
                pairs.append((open_span or (start, start + 1), (a, b)))
    for rx in _EMPHASIS:
        for m in rx.finditer(text):
            pairs.append((m.span(1), m.span(2)))
    for o, c in pairs:
        new = [sp for sp in (o, c) if sp not in marks]
        free = all(sp[1] <= x or sp[0] >= y for sp in new for x, y in marks)
        if free and _nests(o, c, marks):
            marks[o], marks[c] = OPEN, CLOSE
    spans = tuple(sorted(marks))
    return spans, tuple(marks[sp] for sp in spans)


def _link_start(text: str, close: int, atoms: list[tuple[int, int]]) -> int | None:
    """The index of the ``[`` that the ``]`` at ``close`` ends, outside protected spans."""
    depth = 0
    for k in range(close - 1, -1, -1):
        if any(a <= k < b for a, b in atoms):
            continue
        if text[k] == "]" and (k == 0 or text[k - 1] != "\\"):
            depth += 1
        elif text[k] == "[" and (k == 0 or text[k - 1] != "\\"):
            if depth == 0:
                return k
            depth -= 1
    return None


def _nests(o: tuple[int, int], c: tuple[int, int], marks: dict[tuple[int, int], str]) -> bool:
    """Whether a new pair ``o..c`` keeps the pairs already marked well nested."""
    stack = 0
    for span in sorted(marks):
        if o[1] <= span[0] < c[0] and marks[span] != ATOM:
            stack += 1 if marks[span] == OPEN else -1
            if stack < 0:
                return False
    return stack == 0


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
    # Only prose is brought to NFC: code, HTML, tables and front matter stay as written.
    raw_lines = lines
    lines = [unicodedata.normalize("NFC", line) for line in lines]
    body = "\n".join(lines)
    if kind == "heading":
        m = re.match(r"^(.*?)([ \t]+#+)?([ \t]*)$", body, re.DOTALL)
        assert m is not None  # the pattern matches any text
        body, closing, trail = m.group(1), m.group(2) or "", m.group(3)
        suffix_extra = closing + trail
    else:
        suffix_extra = ""
    lead, core, trail = _EDGE.match(body).groups()  # type: ignore[union-attr]
    if not core:
        return Paragraph(index=index, kind=kind, raw=_join_raw(prefix, raw_lines, conts))
    spans, kinds = inline_markup(core)
    seg = Segment(id=f"{doc_id}:{index}:0", text=core, protected=spans, kinds=kinds)
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
    return _Scanner(text.split("\n"), doc_id).scan()


class _Scanner:
    """One pass over the lines; each ``_block_*`` method reads one kind of block.

    A block method gets the line index and returns the index after its block, or None
    when the line does not start that kind of block. They are tried in CommonMark's
    order of precedence; prose paragraphs are what is left.
    """

    def __init__(self, lines: list[str], doc_id: str) -> None:
        self.lines = lines
        self.n = len(lines)
        self.doc_id = doc_id
        self.paras: list[Paragraph] = []
        self.prev_kind = "blank"

    def scan(self) -> tuple[Paragraph, ...]:
        i = self._front_matter()
        rules = (
            self._block_blank,
            self._block_fence,
            self._block_indented_code,
            self._block_html,
            self._block_table,
            self._block_linkdef,
            self._block_rule,
            self._block_setext,
            self._block_container,
        )
        while i < self.n:
            for rule in rules:
                end = rule(i)
                if end is not None:
                    i = end
                    break
        return tuple(self.paras)

    def _raw(self, kind: str, start: int, end: int) -> int:
        """Keep lines ``start:end`` verbatim as one block; the index after it."""
        raw = "\n".join(self.lines[start:end])
        self.paras.append(Paragraph(index=len(self.paras), kind=kind, raw=raw))
        self.prev_kind = kind
        return end

    def _front_matter(self) -> int:
        """YAML/TOML front matter at the very top."""
        first = self.lines[0]
        if first in ("---", "+++"):
            for j in range(1, self.n):
                if self.lines[j] == first or (first == "---" and self.lines[j] == "..."):
                    end = self._raw("frontmatter", 0, j + 1)
                    self.prev_kind = "blank"
                    return end
        return 0

    def _block_blank(self, i: int) -> int | None:
        return self._raw("blank", i, i + 1) if _BLANK.match(self.lines[i]) else None

    def _block_fence(self, i: int) -> int | None:
        m = _FENCE.match(self.lines[i])
        if not m:
            return None
        fence = m.group(1)
        j = i + 1
        while j < self.n:
            close = _FENCE.match(self.lines[j])
            if (
                close
                and close.group(1)[0] == fence[0]
                and len(close.group(1)) >= len(fence)
                and not self.lines[j].strip()[len(close.group(1)) :].strip()
            ):
                break
            j += 1
        return self._raw("code", i, min(j + 1, self.n))

    def _block_indented_code(self, i: int) -> int | None:
        line = self.lines[i]
        if not (
            _INDENT_CODE.match(line)
            and self.prev_kind == "blank"
            and not _LIST.match(line.lstrip())
        ):
            return None
        j = i
        while j < self.n and (_INDENT_CODE.match(self.lines[j]) or _BLANK.match(self.lines[j])):
            j += 1
        while j > i and _BLANK.match(self.lines[j - 1]):
            j -= 1
        return self._raw("code", i, j)

    def _block_html(self, i: int) -> int | None:
        if not _HTML.match(self.lines[i]):
            return None
        j = i
        while j < self.n and not _BLANK.match(self.lines[j]):
            j += 1
        return self._raw("html", i, j)

    def _starts_table(self, i: int) -> bool:
        return (
            "|" in self.lines[i] and i + 1 < self.n and bool(_TABLE_DELIM.match(self.lines[i + 1]))
        )

    def _block_table(self, i: int) -> int | None:
        if not (self._starts_table(i) and "-" in self.lines[i + 1]):
            return None
        j = i + 2
        while j < self.n and "|" in self.lines[j] and not _BLANK.match(self.lines[j]):
            j += 1
        return self._raw("table", i, j)

    def _block_linkdef(self, i: int) -> int | None:
        return self._raw("linkdef", i, i + 1) if _LINKDEF.match(self.lines[i]) else None

    def _block_rule(self, i: int) -> int | None:
        line = self.lines[i]
        if _HR.match(line) and not (self.prev_kind == "text" and _SETEXT.match(line)):
            return self._raw("rule", i, i + 1)
        return None

    def _block_setext(self, i: int) -> int | None:
        if not (_SETEXT.match(self.lines[i]) and self.prev_kind == "text"):
            return None
        # Setext underline of the paragraph just read: the paragraph is a heading.
        last = self.paras[-1]
        self.paras[-1] = Paragraph(
            index=last.index,
            kind="heading",
            segments=last.segments,
            prefix=last.prefix,
            suffix=last.suffix,
            raw=last.raw,
            meta=last.meta,
        )
        return self._raw("rule", i, i + 1)

    def _block_container(self, i: int) -> int:
        """Prose, in a heading, list item or block quote (or bare markup, or nested code)."""
        prefix, content, kind, _ = _split_container(self.lines[i])
        if not content.strip():
            # A bare marker (">", "-"): nothing to translate, and it must not start a
            # paragraph whose first newline would then carry the next line's markup.
            end = self._raw(kind, i, i + 1)
            self.prev_kind = "blank" if kind == "quote" else kind
            return end
        fence = _FENCE.match(content)
        if fence and prefix.strip():
            return self._nested_fence(i, fence.group(1))
        body, conts, j = self._continuation(i, content, kind)
        self.paras.append(_prose_paragraph(len(self.paras), self.doc_id, kind, prefix, body, conts))
        self.prev_kind = "text" if kind == "text" else kind
        return j

    def _nested_fence(self, i: int, mark: str) -> int:
        """A fenced code block inside a block quote or list item: kept verbatim."""
        j = i + 1
        while j < self.n:
            close = _FENCE.match(_split_container(self.lines[j])[1])
            if close and close.group(1)[0] == mark[0] and len(close.group(1)) >= len(mark):
                break
            j += 1
        return self._raw("code", i, min(j + 1, self.n))

    def _ends_paragraph(self, j: int, kind: str) -> bool:
        nxt = self.lines[j]
        return bool(
            _BLANK.match(nxt)
            or _FENCE.match(nxt)
            or _HR.match(nxt)
            or _HTML.match(nxt)
            or (kind == "text" and _SETEXT.match(nxt))
            or self._starts_table(j)
        )

    def _continuation(self, i: int, content: str, kind: str) -> tuple[list[str], list[str], int]:
        """The wrapped lines of a paragraph: their text, their markup, the index after."""
        body = [content]
        conts: list[str] = []
        j = i + 1
        while kind != "heading" and j < self.n and not self._ends_paragraph(j, kind):
            npre, ncontent, nkind, new_block = _split_container(self.lines[j])
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
        return body, conts, j


def render_markdown(doc: Document) -> str:
    """Blocks back, joined by ``\\n``."""
    return "\n".join(p.render() for p in doc.paragraphs)
