"""Reading a document and splitting its paragraphs into sentences.

The glue between ``io`` (paragraphs) and ``segment`` (sentences): ids become
``doc:para:sent``, inter-sentence whitespace is kept, protected spans follow their text.
"""

from __future__ import annotations

import os
from dataclasses import replace

from mtalign.errors import InputError
from mtalign.io import read_document
from mtalign.langid import LangGuess, check_language, detect, normalize_lang
from mtalign.segment import sentence_spans
from mtalign.types import Document, Paragraph, Segment, pair_up


def _merge_protected(
    spans: list[tuple[int, int]], protected: tuple[tuple[int, int], ...]
) -> list[tuple[int, int]]:
    """Join sentence spans that would cut through a protected span (inline code, URL)."""
    if not protected or len(spans) < 2:
        return spans
    out = [spans[0]]
    for s, e in spans[1:]:
        ps, pe = out[-1]
        if any(a < s and b > pe for a, b in protected) or any(a < s < b for a, b in protected):
            out[-1] = (ps, e)
        else:
            out.append((s, e))
    return out


def _pair_extents(seg: Segment) -> tuple[tuple[int, int], ...]:
    """Protected spans plus, for paired markup, the whole extent from opening to closing
    (a sentence boundary inside ``<b>...</b>`` must not cut the pair apart)."""
    if not seg.kinds:
        return seg.protected
    order = sorted(range(len(seg.protected)), key=lambda k: seg.protected[k])
    kinds = [seg.kinds[k] if k < len(seg.kinds) else "atom" for k in order]
    extents = list(seg.protected)
    for j, partner in enumerate(pair_up(kinds)):
        if partner is not None and partner > j:
            extents.append((seg.protected[order[j]][0], seg.protected[order[partner]][1]))
    return tuple(extents)


def split_paragraph(p: Paragraph, doc_id: str, lang: str) -> Paragraph:
    """The paragraph with each of its segments split into sentences."""
    if not p.segments:
        return p
    new: list[Segment] = []
    for seg in p.segments:
        text = seg.text
        spans = _merge_protected(sentence_spans(text, lang), _pair_extents(seg))
        if not spans:
            spans = [(0, len(text))]
        # Text before the first sentence cannot be dropped: it joins the first sentence.
        spans[0] = (0, spans[0][1])
        for k, (s, e) in enumerate(spans):
            nxt = spans[k + 1][0] if k + 1 < len(spans) else len(text)
            gap = text[e:nxt]
            if gap.strip():  # never lose characters the splitter left outside spans
                e, gap = nxt, ""
            ws = gap if k + 1 < len(spans) else gap + seg.ws_after
            inside = [k for k, (a, b) in enumerate(seg.protected) if a >= s and b <= e]
            prot = tuple((seg.protected[k][0] - s, seg.protected[k][1] - s) for k in inside)
            kinds = tuple(seg.kinds[k] for k in inside if k < len(seg.kinds))
            new.append(Segment(id="", text=text[s:e], ws_after=ws, protected=prot, kinds=kinds))
    segs = tuple(replace(sg, id=f"{doc_id}:{p.index}:{k}") for k, sg in enumerate(new))
    return replace(p, segments=segs)


def segment_document(doc: Document, lang: str | None = None) -> Document:
    """Split every translatable paragraph of ``doc`` into sentences in ``lang``."""
    lang = lang or doc.lang or "und"
    paras = tuple(split_paragraph(p, doc.id, lang) for p in doc.paragraphs)
    return replace(doc, paragraphs=paras, lang=doc.lang or (lang if lang != "und" else None))


def document_text(doc: Document) -> str:
    """All prose of the document, one paragraph per line (for language detection)."""
    return "\n".join(p.text for p in doc.paragraphs if p.segments)


def load_document(
    path: str | os.PathLike[str],
    lang: str | None = "auto",
    fmt: str | None = None,
    force: bool = False,
    segment: bool = True,
    flag: str = "--src",
) -> tuple[Document, LangGuess]:
    """Read, identify (or check) the language, and segment a document.

    ``lang`` ``auto``/None detects the language; a declared language is checked against
    the text and a confident mismatch raises ``LanguageError`` unless ``force``; its
    message names ``flag``, the setting that declared the language.
    """
    doc = read_document(path, fmt=fmt)
    text = document_text(doc)
    if lang in (None, "auto"):
        guess = detect(text)
        if guess.lang == "und":
            raise InputError(
                f"{path}: too little text to tell its language; pass the language ({flag})"
            )
        code = guess.lang
    else:
        code = normalize_lang(lang)
        guess = check_language(text, code, name=str(path), force=force, flag=flag)
    doc = doc.with_lang(code)
    if segment:
        doc = segment_document(doc, code)
    return doc, guess
