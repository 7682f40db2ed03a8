"""HTML pages and CMS fragments: text and translatable attributes out, the rest verbatim.

Parsed with the standard library's HTML tokenizer (:class:`html.parser.HTMLParser`, the
lenient tokenizer browsers' rules are modelled on) rather than a tree builder such as
lxml: it reports where every token starts, so everything that is not translated (scripts,
styles, comments, attribute quoting, entities, whitespace) is written back byte for byte.
The block/inline structure is tracked on top of the tokens with an element stack.

A *unit* is the text of one block element (``<p>``, ``<li>``, ``<td>``, ``<h1>`` ...):
its inline elements (``<b>``, ``<a href>``, ``<img>``, ``<code>...</code>``) become
placeholders inside the unit's one segment, so a sentence with a bold word is still one
sentence. In the segment text each placeholder is one private-use character chosen
absent from the document; the paragraph's ``meta["tags"]`` maps it back to the tag's
original text. ``script``, ``style``, ``code``, ``pre``, ``textarea``, ``svg``, ``math``,
``template`` and anything under ``translate="no"`` are never translated; ``href``,
``src`` and every other attribute are kept, except ``alt``, ``title``, ``aria-label``,
``placeholder`` and ``<meta name="description">``'s ``content``, which become segments
of their own (``kind="attr"`` paragraphs) and are written into their tag.
"""

from __future__ import annotations

import html
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from html.parser import HTMLParser
from typing import Any

from mtalign.errors import InputError
from mtalign.types import ATOM, CLOSE, OPEN, Document, Paragraph, Segment

INLINE = frozenset(
    "a abbr b bdi bdo big br cite code data del dfn em font i img ins kbd label mark q s "
    "samp small span strike strong sub sup time tt u var wbr".split()
)
VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())
SKIP = frozenset("script style code pre textarea svg math template noscript".split())
TRANSLATABLE_ATTRS = ("alt", "title", "aria-label", "placeholder")
RTL = frozenset({"ar", "he", "fa", "ur", "ps", "yi"})
_PUA = 0xE000


@dataclass(frozen=True)
class _Tok:
    kind: str  # start, end, startend, text, other
    raw: str
    tag: str = ""
    attrs: tuple[tuple[str, str | None], ...] = ()


class _Tokenizer(HTMLParser):
    """Records each token with its exact source text (sliced between token starts)."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=False)
        self.text = text
        self.line_starts = [0]
        for k, c in enumerate(text):
            if c == "\n":
                self.line_starts.append(k + 1)
        self.marks: list[tuple[int, str, str, tuple[tuple[str, str | None], ...]]] = []

    def _mark(self, kind: str, tag: str = "", attrs: Any = ()) -> None:
        line, col = self.getpos()
        self.marks.append((self.line_starts[line - 1] + col, kind, tag, tuple(attrs)))

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        self._mark("start", tag, attrs)

    def handle_startendtag(self, tag: str, attrs: Any) -> None:
        self._mark("startend", tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        self._mark("end", tag)

    def handle_data(self, data: str) -> None:
        self._mark("text")

    def handle_entityref(self, name: str) -> None:
        self._mark("text")

    def handle_charref(self, name: str) -> None:
        self._mark("text")

    def handle_comment(self, data: str) -> None:
        self._mark("other")

    def handle_decl(self, decl: str) -> None:
        self._mark("other")

    def handle_pi(self, data: str) -> None:
        self._mark("other")

    def unknown_decl(self, data: str) -> None:
        self._mark("other")


def tokenize(text: str, name: str = "<html>") -> list[_Tok]:
    """The document as tokens whose ``raw`` texts concatenate back to ``text``."""
    parser = _Tokenizer(text)
    parser.feed(text)
    parser.close()
    marks = parser.marks
    toks: list[_Tok] = []
    for k, (start, kind, tag, attrs) in enumerate(marks):
        end = marks[k + 1][0] if k + 1 < len(marks) else len(text)
        toks.append(_Tok(kind, text[start:end], tag, attrs))
    head = text[: marks[0][0]] if marks else text
    if head:
        toks.insert(0, _Tok("text", head))
    if "".join(t.raw for t in toks) != text:
        raise InputError(f"{name}: the HTML could not be read back exactly; check the markup")
    return toks


class _Builder:
    """Walks the tokens with an element stack and cuts them into paragraphs."""

    def __init__(self, doc_id: str, pua: Iterator[str]) -> None:
        self.doc_id = doc_id
        self.paras: list[Paragraph] = []
        self.pending_attrs: list[Paragraph] = []
        self.unit: list[tuple[str, _Tok | None]] = []  # (text or placeholder kind, token)
        self.raw: list[str] = []
        self.skip: list[str] = []  # stack of tags whose content is kept verbatim
        self.skip_raw: list[str] = []
        self.pua = pua
        self.tag_ids = 0
        self._skip_tok = _Tok("other", "")

    # Paragraph emitters ------------------------------------------------------------------
    def _emit(self, para: Paragraph) -> None:
        self.paras.append(replace(para, index=len(self.paras)))

    def _flush_raw(self) -> None:
        if self.raw:
            self._emit(Paragraph(index=0, kind="markup", raw="".join(self.raw)))
            self.raw = []

    def flush_unit(self) -> None:
        """Close the current unit: one translatable paragraph, or raw if no prose."""
        items, self.unit = self.unit, []
        if any(kind == "text" and tok and _has_words(_decoded(tok)) for kind, tok in items):
            self._flush_raw()
            self._emit(_unit_paragraph(self.doc_id, len(self.paras), items, self.pua))
        else:
            self.raw.extend(tok.raw for _, tok in items if tok is not None)
        for p in self.pending_attrs:
            self._flush_raw()
            self._emit(p)
        self.pending_attrs = []

    # Token handling ----------------------------------------------------------------------
    def feed(self, tok: _Tok) -> None:
        if self.skip:
            self._skipped(tok)
            return
        if tok.kind == "text":
            self.unit.append(("text", tok))
            return
        if tok.kind == "other":
            if self.unit:
                self.unit.append((ATOM, tok))
            else:
                self.raw.append(tok.raw)
            return
        tag = tok.tag
        starts_skip = (
            tok.kind == "start"
            and tag not in VOID
            and (tag in SKIP or dict(tok.attrs).get("translate") == "no")
        )
        if starts_skip:
            self.skip, self.skip_raw, self._skip_tok = [tag], [tok.raw], tok
            return
        attr_tok = self._attributes(tok)
        if tag in INLINE:
            kind = (
                ATOM
                if tok.kind == "startend" or tag in VOID
                else (OPEN if tok.kind == "start" else CLOSE)
            )
            self.unit.append((kind, attr_tok or tok))
            return
        self.flush_unit()
        if attr_tok is not None:
            self._flush_raw()
            self._emit(Paragraph(index=0, kind="tag", raw=tok.raw, meta=attr_tok_meta(attr_tok)))
        else:
            self.raw.append(tok.raw)

    def _skipped(self, tok: _Tok) -> None:
        """Inside script/code/translate=no: count nesting of the same tag, keep raw."""
        self.skip_raw.append(tok.raw)
        if tok.kind == "start" and tok.tag == self.skip[0] and tok.tag not in VOID:
            self.skip.append(tok.tag)
        elif tok.kind == "end" and tok.tag == self.skip[0]:
            self.skip.pop()
        if not self.skip:
            whole = _Tok("skipped", "".join(self.skip_raw), self._skip_tok.tag)
            if self._skip_tok.tag in INLINE and self.unit:
                self.unit.append((ATOM, whole))
            else:
                self.flush_unit()
                self.raw.append(whole.raw)

    def _attributes(self, tok: _Tok) -> _Tok | None:
        """A token standing for ``tok`` with an id, when it has attributes to translate."""
        if tok.kind not in ("start", "startend"):
            return None
        attrs = dict(tok.attrs)
        names = [a for a in TRANSLATABLE_ATTRS if _has_words(attrs.get(a) or "")]
        if tok.tag == "meta" and (attrs.get("name") or "").lower() == "description":
            names += ["content"] if _has_words(attrs.get("content") or "") else []
        if tok.tag == "html" or names:
            self.tag_ids += 1
            tid = f"t{self.tag_ids}"
            for a in names:
                seg = Segment(id=f"{self.doc_id}:{tid}:{a}", text=str(attrs[a]).strip())
                meta = {"tag_id": tid, "attr": a}
                self.pending_attrs.append(
                    Paragraph(index=0, kind="attr", segments=(seg,), raw=None, meta=meta)
                )
            return _Tok(tok.kind, tok.raw, tok.tag, tok.attrs + (("\x00id", tid),))
        return None


def attr_tok_meta(tok: _Tok) -> Mapping[str, Any]:
    """What the writer needs to rebuild a tag with translated attributes."""
    return {"tag": tok.tag, "attrs": tok.attrs, "void": tok.kind == "startend"}


def _decoded(tok: _Tok) -> str:
    return html.unescape(tok.raw) if tok.kind == "text" else ""


def _has_words(text: str) -> bool:
    return any(c.isalpha() for c in text)


def _unit_paragraph(
    doc_id: str, index: int, items: list[tuple[str, _Tok | None]], pua: Iterator[str]
) -> Paragraph:
    """The one segment of a unit: text with one private-use char per inline tag."""
    text, spans, kinds = "", [], []
    tags: dict[str, Any] = {}
    for kind, tok in items:
        assert tok is not None
        if kind == "text":
            text += _decoded(tok)
            continue
        ch = next(pua)
        tags[ch] = {**attr_tok_meta(tok), "raw": tok.raw}
        spans.append((len(text), len(text) + 1))
        kinds.append(kind)
        text += ch
    core = text.strip()
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()) :]
    shift = len(lead)
    spans = [(a - shift, b - shift) for a, b in spans]
    seg = Segment(id=f"{doc_id}:{index}:0", text=core, protected=tuple(spans), kinds=tuple(kinds))
    return Paragraph(
        index=index,
        kind="text",
        segments=(seg,),
        prefix=_escape(lead, {}),
        suffix=_escape(trail, {}),
        meta={"tags": tags},
    )


def _pua_chars(text: str) -> Iterator[str]:
    """Private-use characters that do not occur in ``text``, in order."""
    for cp in range(_PUA, 0xF900):
        ch = chr(cp)
        if ch not in text:
            yield ch
    raise InputError("the HTML has more inline tags than placeholders; split the document")


def parse_html(text: str, doc_id: str, name: str = "<html>") -> tuple[Paragraph, ...]:
    """Cut an HTML page or fragment into raw markup and translatable paragraphs."""
    builder = _Builder(doc_id, _pua_chars(text))
    for tok in tokenize(text, name):
        builder.feed(tok)
    if builder.skip:  # an unclosed <script>/<pre>: kept as it came
        builder.flush_unit()
        builder.raw.extend(builder.skip_raw)
    builder.flush_unit()
    builder._flush_raw()
    return tuple(builder.paras)


# Writing ----------------------------------------------------------------------------------


def _escape(
    text: str, tags: Mapping[str, Any], attrs: Mapping[str, Mapping[str, str]] | None = None
) -> str:
    """Text as HTML: characters escaped, placeholders back to their tags."""
    out = []
    for ch in text:
        if ch in tags:
            out.append(_tag_text(tags[ch], attrs or {}))
        elif ch == "\xa0":
            out.append("&nbsp;")
        else:
            out.append(html.escape(ch, quote=False))
    return "".join(out)


def _tag_text(meta: Mapping[str, Any], translated: Mapping[str, Mapping[str, str]]) -> str:
    """A tag as it came, or rebuilt with its translated attributes (and root lang/dir)."""
    attrs = dict(meta.get("attrs") or ())
    tid = attrs.pop("\x00id", None)
    new = translated.get(tid or "", {})
    if not new:
        return str(meta.get("raw", ""))
    attrs.update(new)
    parts = [f"<{meta['tag']}"]
    for k, v in attrs.items():
        parts.append(f" {k}" if v is None else f' {k}="{html.escape(v, quote=True)}"')
    parts.append(" />" if meta.get("void") else ">")
    return "".join(parts)


def render_html(doc: Document) -> str:
    """The document back: raw markup verbatim, translated text escaped, tags restored."""
    translated: dict[str, dict[str, str]] = {}
    for p in doc.paragraphs:
        if p.kind == "attr" and p.segments:
            translated.setdefault(p.meta["tag_id"], {})[p.meta["attr"]] = p.segments[0].text
    lang = doc.lang or ""
    for p in doc.paragraphs:
        if p.kind == "tag" and p.meta.get("tag") == "html" and lang:
            attrs = dict(p.meta["attrs"])
            if (attrs.get("lang") or "").split("-")[0].lower() != lang.split("-")[0]:
                # The page is now in another language: say so (and its direction).
                extra = {"lang": lang, "dir": "rtl" if lang.split("-")[0] in RTL else "ltr"}
                if "dir" not in attrs and extra["dir"] == "ltr":
                    del extra["dir"]
                translated.setdefault(str(attrs.get("\x00id", "")), {}).update(extra)
    out = []
    for p in doc.paragraphs:
        if p.kind == "attr":
            continue
        if p.kind == "tag":
            out.append(_tag_text(dict(p.meta) | {"raw": p.raw}, translated))
        elif p.raw is not None:
            out.append(p.raw)
        else:
            tags = p.meta.get("tags", {})
            body = "".join(s.text + s.ws_after for s in p.segments)
            out.append(p.prefix + _escape(body, tags, translated) + p.suffix)
    return "".join(out)
