"""Markup formats through the pipeline: HTML in and out, Markdown inline markup kept."""

from __future__ import annotations

import html as stdhtml
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mtalign.errors import InputError
from mtalign.io import parse_document, read_document, render_document
from mtalign.io.html import render_html
from mtalign.io.source import decode
from mtalign.pipeline.results import SegmentOutcome
from tests.fakes import FakeTranslator
from tests.test_pipeline import _run

PAGE = """<!DOCTYPE html>
<html>
<head><meta charset="utf-8"><title>Idlib &amp; the talks</title>
<meta name="description" content="Putin and Erdogan spoke.">
<script>var x = "<p>not text</p>";</script><style>p { color: red }</style></head>
<body>
  <!-- a comment -->
  <h1 class='main'>Putin and <b>Erdogan Pasha</b> speak</h1>
  <p>Hours after the <a href="https://x.org/a?b=1&amp;c=2" title="Source story">strike</a>,
  they spoke&nbsp;again. See <code>pip install x</code>.<br>
  New line <img src="m.png" alt="A map of Idlib"></p>
  <p translate="no">Brand Name Here</p>
  <pre>  keep   this </pre>
  <ul><li>One <em>item</em></li><li>Two</li></ul>
  <table><tr><td>Cell one</td><td>5</td></tr></table>
</body>
</html>
"""


class _Tags(HTMLParser):
    """Start/end tags with attributes, in order (what must survive translation)."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(("start", tag, tuple(a for a in attrs if a[0] not in _TR)))

    def handle_endtag(self, tag):
        self.tags.append(("end", tag))


_TR = {"alt", "title", "aria-label", "placeholder", "content", "lang", "dir"}


def _tags(text: str) -> list[tuple]:
    p = _Tags()
    p.feed(text)
    p.close()
    return p.tags


_VOID = {"meta", "img", "br"}


def _well_nested(tags: list[tuple]) -> bool:
    stack = []
    for t in tags:
        if t[0] == "start" and t[1] not in _VOID:
            stack.append(t[1])
        elif t[0] == "end" and (not stack or stack.pop() != t[1]):
            return False
    return not stack


def _doc(text: str, name: str = "p"):
    return parse_document(decode(text.encode()), "html", name)


def test_untouched_page_round_trips_byte_for_byte():
    assert render_document(_doc(PAGE)) == PAGE


def test_what_is_translated_and_what_is_not():
    doc = _doc(PAGE)
    texts = [s.text for s in doc.segments()]
    joined = " ".join(texts)
    for never in ("not text", "color", "Brand Name", "keep", "pip install", "x.org"):
        assert never not in joined
    for wanted in ("Idlib & the talks", "Putin and Erdogan spoke.", "Source story", "Two"):
        assert any(wanted in t for t in texts), wanted
    heading = next(s for s in doc.segments() if s.text.endswith("speak"))
    assert len(heading.protected) == 2 and heading.kinds == ("open", "close")


def test_translated_page_keeps_dom_and_sets_lang_and_dir():
    doc = _doc(PAGE)
    out = render_document(doc.with_texts({s.id: s.text.upper() for s in doc.segments()}, "ar"))
    assert _tags(out)[1:] == _tags(PAGE)[1:]  # the <html> tag gains lang/dir only
    assert '<html lang="ar" dir="rtl">' in out
    assert 'alt="A MAP OF IDLIB"' in out and 'content="PUTIN AND ERDOGAN SPOKE."' in out
    assert '<script>var x = "<p>not text</p>";</script>' in out
    assert "<pre>  keep   this </pre>" in out and "Brand Name Here" in out
    assert "IDLIB &amp; THE TALKS" in out and "SPOKE&nbsp;AGAIN" in out


def test_html_through_the_pipeline_with_a_reordering_model(tmp_path):
    """The fake model reverses word order: paired tags come back crossed, are repaired."""
    (res,), _, out = _run(tmp_path, text=PAGE, name="page.html")
    written = (out / "page.tr.html").read_text(encoding="utf-8")
    # Words (and atoms such as <img>) move with the model; the tags do not change.
    assert sorted(_tags(written)[1:]) == sorted(_tags(PAGE)[1:])
    assert _well_nested(_tags(written))
    assert '<html lang="tr">' in written
    assert "<code>pip install x</code>" in written
    flags = [f.kind for o in res.outcomes["tr"] for f in o.flags]
    assert "markup" in flags  # the crossed <b>...</b> was reported


@pytest.mark.parametrize(
    ("text", "fix"),
    [
        ("<p>unclosed <b>bold</p>", "<p>UNCLOSED <b>BOLD</p>"),
        ("Fragment with <i>it</i> &lt;tag&gt;", "FRAGMENT WITH <i>IT</i> &lt;TAG&gt;"),
        ("<div><p>a</p></div>", "<div><p>A</p></div>"),
    ],
)
def test_fragments_and_broken_markup(text, fix):
    doc = _doc(text)
    assert render_html(doc) == text
    out = render_html(doc.with_texts({s.id: s.text.upper() for s in doc.segments()}))
    assert out == fix


def test_markdown_emphasis_links_and_images_are_kept(tmp_path):
    text = (
        "Putin met **Erdogan** in _Moscow_ and [read the *story*](https://x.org/a) with "
        "![a map of Idlib](map.png) and `code`.\n"
    )
    (res,), _, out = _run(tmp_path, text=text, name="a.md", fakes={"tr": _Identity()})
    written = (out / "a.tr.md").read_text(encoding="utf-8")
    assert written == text
    assert "markup" not in [f.kind for o in res.outcomes["tr"] for f in o.flags]


class _Identity(FakeTranslator):
    def render(self, text: str) -> str:
        return text


_WORD = st.sampled_from(["news", "Putin", "&", "<", "[0]", "é", "5", "sehr"])
_INLINE = st.sampled_from(["b", "i", "a", "span", "em"])


@st.composite
def _fragments(draw, depth=0):
    parts = []
    for _ in range(draw(st.integers(1, 4))):
        c = draw(st.integers(0, 3 if depth < 3 else 1))
        if c <= 1:
            parts.append(stdhtml.escape(draw(_WORD), quote=False) + " ")
        elif c == 2:
            tag = draw(_INLINE)
            attr = ' href="u?a=1&amp;b=2"' if tag == "a" else ' class="k"'
            parts.append(f"<{tag}{attr}>{draw(_fragments(depth + 1))}</{tag}>")
        else:
            parts.append('<img src="x.png" alt="a photo"> ')
    return "".join(parts)


@settings(max_examples=150, deadline=None)
@given(st.lists(_fragments(), min_size=1, max_size=3))
def test_generated_html_round_trips_and_keeps_tags(blocks):
    page = "".join(f"<p>{b}</p>\n" for b in blocks)
    doc = _doc(page)
    assert render_html(doc) == page
    out = render_html(doc.with_texts({s.id: s.text.upper() for s in doc.segments()}))
    assert _tags(out) == _tags(page)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("a.txt", b"<!DOCTYPE html>\n<html><body><p>Hello there.</p></body></html>\n", "HTML"),
        ("a.md", b'<?xml version="1.0"?>\n<xliff version="1.2"></xliff>\n', "XLIFF"),
        ("a.txt", b"PK\x03\x04 rest of a zip", "zip archive"),
        ("a.docx", b"plain text, not a zip", "not a zip"),
        ("a.html", b"\x00\x01\x02 binary", "binary"),
    ],
)
def test_an_extension_that_lies_is_refused(tmp_path, name, data, message):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(InputError, match=message):
        read_document(path)


def test_markdown_bold_survives_a_reordering_model(tmp_path):
    text = "Putin met **Erdogan Pasha** in Moscow on Friday.\n"
    (res,), _, out = _run(tmp_path, text=text, name="b.md")
    written = (out / "b.tr.md").read_text(encoding="utf-8")
    assert written.count("**") == 2
    first, second = written.index("**"), written.rindex("**")
    assert first < second
    assert "markup" in [f.kind for o in res.outcomes["tr"] for f in o.flags]


def test_glossary_finds_terms_inside_and_across_markup(tmp_path):
    from mtalign.glossary.formats import parse_toml
    from mtalign.pipeline.terms import glossary_report

    gl = parse_toml(
        '[[term]]\nsource = ["Erdogan Pasha"]\ntarget = { tr = "Erdoğan Paşa" }\n'
        '[[term]]\nsource = ["Idlib"]\ntarget = { tr = "İdlib" }\n'
    )
    doc = _doc('<p>Erdogan <b>Pasha</b> spoke about <a href="/i">Idlib</a> today.</p>')
    segs = list(doc.segments())
    outcomes = [SegmentOutcome(text=s.text.replace("Idlib", "İdlib")) for s in segs]
    report = glossary_report(gl, segs, outcomes, "en", "tr")
    status = {h["source"]: h["status"] for h in report["hits"]}
    # The term across the </b> boundary is found (and reported: left as a variant).
    assert status == {"Erdogan Pasha": "variant", "Idlib": "ok"}


def test_align_reads_html_through_the_same_extraction(tmp_path):
    from mtalign.api import _sentences

    page = tmp_path / "a.html"
    page.write_text(PAGE, encoding="utf-8")
    sents = _sentences(page, "en", presegmented=False, force=True)
    assert "Putin and Erdogan Pasha speak" in sents
    assert not any("not text" in s or "\ue000" in s for s in sents)
