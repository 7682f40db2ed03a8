"""Documents split into sentences: stable ids, whitespace kept, nothing lost."""

from __future__ import annotations

import pytest

from mtalign.document import load_document, segment_document
from mtalign.errors import InputError
from mtalign.io import decode, parse_document, render_document

SAMPLES = {
    "en": "ANKARA, Feb 28 - The U.S. and the U.N. urged calm.  Mr. Erdogan spoke to Putin.\n\nSource: Wire\n",
    "tr": "Cumhurbaşkanı Erdoğan, Putin ile görüştü. Prof. Dr. Ayşe Kaya 1. Dünya Savaşı'nı anlattı.\n",
    "ru": "В. В. Путин провёл переговоры с Эрдоганом. Об этом сообщил Кремль, т. е. Д. Песков.\n",
    "ar": "قال أردوغان إن بلاده سترد. هل سيزور موسكو؟ لم يتضح ذلك بعد.\n",
}


@pytest.mark.parametrize("lang", sorted(SAMPLES))
def test_segmented_document_round_trips(lang):
    doc = parse_document(decode(SAMPLES[lang].encode()), "txt", "d", lang=lang)
    seg = segment_document(doc)
    assert render_document(seg) == SAMPLES[lang]
    ids = [s.id for s in seg.segments()]
    assert len(ids) == len(set(ids))
    assert all(i.startswith("d:") and i.count(":") == 2 for i in ids)


def test_ids_are_doc_para_sent():
    doc = parse_document(decode(SAMPLES["en"].encode()), "txt", "wire", lang="en")
    seg = segment_document(doc)
    assert [s.id for s in seg.segments()] == ["wire:0:0", "wire:0:1", "wire:2:0"]
    assert [s.text for s in seg.segments()][:2] == [
        "ANKARA, Feb 28 - The U.S. and the U.N. urged calm.",
        "Mr. Erdogan spoke to Putin.",
    ]
    assert list(seg.segments())[0].ws_after == "  "


def test_markdown_sentences_keep_protected_spans():
    text = "Run `make demo. Then wait` first. Read [the docs](https://x.org/a.b) next.\n"
    doc = segment_document(parse_document(decode(text.encode()), "md", "m", lang="en"))
    segs = list(doc.segments())
    assert "`make demo. Then wait`" in segs[0].text  # not split inside inline code
    for s in segs:
        for a, b in s.protected:
            assert s.text[a:b] in ("`make demo. Then wait`", "[", "](https://x.org/a.b)")
    assert render_document(doc) == text


def test_load_document_detects_and_checks(tmp_path):
    p = tmp_path / "ru.txt"
    p.write_text(SAMPLES["ru"], encoding="utf-8")
    doc, guess = load_document(p)
    assert doc.lang == "ru" and guess.lang == "ru"
    assert len(list(doc.segments())) == 2


def test_too_short_to_detect_needs_a_language(tmp_path):
    p = tmp_path / "short.txt"
    p.write_text("OK.", encoding="utf-8")
    with pytest.raises(InputError, match="too little text"):
        load_document(p)
    doc, _ = load_document(p, lang="en")
    assert doc.segment_texts() == ["OK."]
