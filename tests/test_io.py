"""Readers and writers: round trips, encodings, bad inputs."""

from __future__ import annotations

import json

import pytest

from mtalign.errors import InputError
from mtalign.io import (
    decode,
    detect_format,
    parse_document,
    read_document,
    render_document,
    write_document,
)
from mtalign.io.markdown import parse_markdown

MARKDOWN = """---
title: "Idlib: what we know"
tags: [syria, turkey]
---

# Turkey vows response after *33 soldiers* die in Idlib #

ANKARA, Feb 28 - Turkey said on Friday that **33 soldiers** were killed. The U.N. called
for calm, and [Reuters](https://example.com/a "title") reported more.
  An indented continuation line stays part of the paragraph.

Setext heading
==============

- First item with `inline code` inside. Second sentence.
- Second item
  continued here.
  1. Nested *ordered* item
* [ ] task item
+ [x] done item

> Quoted text. Another sentence.
> continued quote line.
>
> - quoted list item
> ## quoted heading

```python
def f(x):
    return "not translated"
```

~~~
tilde fence
~~~

    indented code block
    second line

<div class="note">
Raw <b>HTML</b> block.
</div>

| col A | col B |
|-------|:-----:|
| a     | b     |

***

[ref]: https://example.com/ref
Text with <https://example.com/auto> and a bare https://example.com/x?y=1 link.
Trailing hard break\x20\x20
next line.
"""


def test_markdown_round_trip_is_byte_exact():
    doc = parse_document(decode(MARKDOWN.encode()), "md", "m")
    assert render_document(doc) == MARKDOWN


@pytest.mark.parametrize(
    "text",
    [
        "# only heading",
        "plain\n",
        "\n\n\n",
        "a\r\nb\r\n",
        "```\nunclosed fence\nstill code",
        "- \n-\n",
        "> \n>\n",
        "###### h6 ######   \n",
        "1) one\n2) two\n",
        "Text\n---\n",
        "   indented para\n",
    ],
)
def test_markdown_round_trip_edge_cases(text):
    doc = parse_document(decode(text.encode()), "md", "m")
    assert render_document(doc).encode() == text.encode()


def test_markdown_code_is_never_prose():
    doc = parse_document(decode(MARKDOWN.encode()), "md", "m")
    prose = " ".join(s.text for s in doc.segments())
    assert "not translated" not in prose
    assert "tilde fence" not in prose
    assert "indented code block" not in prose
    assert "Raw <b>HTML</b>" not in prose
    assert "col A" not in prose
    assert "title:" not in prose
    kinds = {p.kind for p in doc.paragraphs}
    assert {"frontmatter", "code", "html", "table", "rule", "heading", "list", "quote"} <= kinds


def test_markdown_markup_stays_out_of_segments():
    paras = parse_markdown("## Title here\n- item one\n> quoted\n", "d")
    assert [p.prefix for p in paras] == ["## ", "- ", "> "]
    assert [p.segments[0].text for p in paras] == ["Title here", "item one", "quoted"]


def test_markdown_inline_code_and_links_are_protected():
    (p,) = parse_markdown("Use `pip install x` and [docs](https://x.org/a).", "d")
    seg = p.segments[0]
    spans = [seg.text[a:b] for a, b in seg.protected]
    assert "`pip install x`" in spans
    assert "](https://x.org/a)" in spans


def test_markdown_translation_keeps_structure():
    doc = parse_document(decode(b"# Title\n\n- one\n- two\n\n```\ncode\n```\n"), "md", "d")
    texts = {s.id: s.text.upper() for s in doc.segments()}
    out = render_document(doc.with_texts(texts, lang="xx"))
    assert out == "# TITLE\n\n- ONE\n- TWO\n\n```\ncode\n```\n"


def test_markdown_wrapped_paragraph_keeps_continuation_markup():
    src = "> first line of a quote\n> second line of it\n"
    doc = parse_document(decode(src.encode()), "md", "d")
    assert len(list(doc.segments())) == 1
    assert render_document(doc) == src


def test_txt_round_trip_keeps_blank_lines_and_whitespace():
    text = "Headline\n\n  Indented paragraph.  \nLast line without newline"
    doc = parse_document(decode(text.encode()), "txt", "t")
    assert render_document(doc) == text
    assert [p.kind for p in doc.paragraphs] == ["text", "blank", "text", "text"]
    assert doc.paragraphs[2].segments[0].text == "Indented paragraph."


def test_txt_crlf_and_bom_round_trip(tmp_path):
    data = "\ufeffLine one\r\nLine two\r\n".encode()
    src = tmp_path / "a.txt"
    src.write_bytes(data)
    doc = read_document(src)
    assert doc.meta["newline"] == "\r\n"
    out = tmp_path / "b.txt"
    write_document(doc, out)
    assert out.read_bytes() == data


def test_utf16_with_bom_is_read(tmp_path):
    src = tmp_path / "u16.txt"
    src.write_bytes("Türkiye'nin başkenti Ankara'dır.\n".encode("utf-16"))
    doc = read_document(src)
    assert doc.segment_texts() == ["Türkiye'nin başkenti Ankara'dır."]


def test_text_is_nfc_normalised(tmp_path):
    src = tmp_path / "nfd.txt"
    src.write_bytes("Erdog\u0306an".encode())  # g + combining breve
    assert read_document(src).segment_texts() == ["Erdoğan"]


def test_jsonl_round_trip_keeps_extra_fields(tmp_path):
    lines = [
        {"id": "a1", "text": "First article.", "url": "https://x", "tags": ["a"]},
        {"id": 7, "text": "  Second. With space.  ", "nested": {"k": 1}},
    ]
    text = "\n".join(json.dumps(r, ensure_ascii=False) for r in lines) + "\n"
    src = tmp_path / "in.jsonl"
    src.write_text(text, encoding="utf-8")
    doc = read_document(src)
    assert doc.format == "jsonl"
    assert render_document(doc) == text
    new = doc.with_texts({s.id: "X" for s in doc.segments()}, lang="tr")
    recs = [json.loads(x) for x in render_document(new).splitlines()]
    assert recs[0] == {"id": "a1", "text": "X", "url": "https://x", "tags": ["a"], "lang": "tr"}
    assert recs[1]["nested"] == {"k": 1} and recs[1]["text"] == "  X  "


@pytest.mark.parametrize(
    "content, message",
    [
        ('{"id": 1, "text": "ok"}\n{"id": 2, "text": ', "in.jsonl:2: not valid JSON"),
        ('["a list"]\n', "in.jsonl:1: expected a JSON object"),
        ('{"id": 1}\n', 'in.jsonl:1: the record has no "text" field'),
        ('{"id": 1, "text": 5}\n', '"text" must be a string'),
    ],
)
def test_jsonl_errors_name_the_line(tmp_path, content, message):
    src = tmp_path / "in.jsonl"
    src.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message.replace("[", r"\[")):
        read_document(src)


def _write(tmp_path, name, data: bytes):
    p = tmp_path / name
    p.write_bytes(data)
    return p


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("empty.txt", b"", "empty"),
        ("spaces.txt", b"  \n\n \t\n", "empty"),
        ("binary.txt", bytes(range(256)) * 4, "binary"),
        ("png.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        ("latin1.txt", "Türkiye'nin başkenti".encode("latin-1", "replace"), "not valid UTF-8"),
        ("cp1252.txt", "“quoted” café".encode("cp1252"), "iconv"),
        ("utf32.txt", "text".encode("utf-32"), "UTF-32"),
        ("only_code.md", b"```\ncode\n```\n", "no text to process"),
    ],
)
def test_bad_inputs_raise_input_error(tmp_path, name, data, message):
    p = _write(tmp_path, name, data)
    with pytest.raises(InputError, match=message) as exc:
        read_document(p)
    assert name in str(exc.value)
    assert "\n" not in str(exc.value)


def test_missing_path_and_directory(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_document(tmp_path / "nope.txt")
    with pytest.raises(InputError, match="is a directory"):
        read_document(tmp_path)


def test_five_megabyte_single_line(tmp_path):
    line = ("The U.N. said nearly a million people were displaced. " * 90_000)[:5_000_000]
    p = _write(tmp_path, "big.txt", line.encode())
    doc = read_document(p)
    assert len(doc.paragraphs) == 1
    assert render_document(doc) == line


def test_write_is_atomic_and_leaves_no_temp_files(tmp_path):
    doc = parse_document(decode(b"one\ntwo\n"), "txt", "d")
    out = tmp_path / "sub" / "o.txt"
    write_document(doc, out)
    assert out.read_text() == "one\ntwo\n"
    assert [p.name for p in out.parent.iterdir()] == ["o.txt"]


@pytest.mark.parametrize(
    "path, fmt, expected",
    [("a.md", None, "md"), ("a.MARKDOWN", None, "md"), ("a.jsonl", None, "jsonl"),
     ("a.txt", None, "txt"), ("a.weird", None, "txt"), ("a.txt", "markdown", "md"), ("-", None, "txt")],
)  # fmt: skip
def test_detect_format(path, fmt, expected):
    assert detect_format(path, fmt) == expected


def test_unknown_format_is_an_error():
    with pytest.raises(InputError, match="unknown format"):
        detect_format("a.txt", "pdf")


@pytest.mark.parametrize(
    "text, not_prose",
    [
        ("> **Note**\n>\n> `x.toml` cannot be used.\n", None),
        ("> Tip\n>\n> ```sh\n> git clone repo\n> ```\n", "git clone"),
        ("1. Install:\n\n    ```sh\n    brew install pyenv\n    ```\n\n2. Done.\n", "brew install"),
        ("- item\n  ```\n  code here\n  ```\n", "code here"),
    ],
)
def test_markdown_found_in_the_wild(text, not_prose):
    """Cases seen in real READMEs: bare quote markers, fences inside quotes and lists."""
    doc = parse_document(decode(text.encode()), "md", "m")
    assert render_document(doc) == text
    prose = " ".join(s.text for s in doc.segments())
    if not_prose:
        assert not_prose not in prose and "```" not in prose
