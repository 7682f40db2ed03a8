"""TMX ``xml:lang`` keeps the region or script the user wrote (``--src-lang en-GB``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mtalign.cli import main
from mtalign.errors import InputError
from mtalign.io.tmx import TmxUnit, language_tag, parse_tmx, render_tmx


@pytest.mark.parametrize(
    ("given", "tag"),
    [("en", "en"), ("en-gb", "en-GB"), ("de_DE", "de-DE"), ("sr-latn-rs", "sr-Latn-RS"),
     ("es-419", "es-419"), ("zh-Hant", "zh-Hant"), ("PT-br", "pt-BR")],
)  # fmt: skip
def test_language_tag_canonical_case(given: str, tag: str) -> None:
    assert language_tag(given) == tag


@pytest.mark.parametrize("bad", ["english", "en-GB-xx", "e", "en--GB", "en-G", "1n-GB"])
def test_language_tag_refuses_what_is_not_a_tag(bad: str) -> None:
    with pytest.raises(InputError, match="not a language tag for TMX"):
        language_tag(bad)


def test_render_writes_the_tags_and_reads_back() -> None:
    units = [TmxUnit({"en": "Hello.", "tr": "Merhaba."}, {})]
    text = render_tmx(units, srclang="en", tags={"en": "en-GB", "tr": "tr-TR"})
    header, back = parse_tmx(text)
    assert header["srclang"] == "en-GB"
    assert back[0].tuvs == {"en-GB": "Hello.", "tr-TR": "Merhaba."}


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (["--src-lang", "en-GB", "--tgt-lang", "tr"], {"en-GB", "tr"}),
        (["--src-lang", "en", "--tgt-lang", "tr-tr"], {"en", "tr-TR"}),
        (["--langs", "en-US,tr-TR,ru-RU"], {"en-US", "tr-TR", "ru-RU"}),
    ],
)
def test_align_cli_writes_region_codes(tmp_path: Path, options: list[str], expected: set) -> None:
    texts = {"en": "Hello there.\nHow are you?\n", "tr": "Merhaba.\nNasılsın?\n",
             "ru": "Привет.\nКак дела?\n"}  # fmt: skip
    files = []
    for lang in ("en", "tr", "ru")[: 3 if "--langs" in options else 2]:
        (tmp_path / f"{lang}.txt").write_text(texts[lang], encoding="utf-8")
        files.append(str(tmp_path / f"{lang}.txt"))
    out = tmp_path / "out.tmx"
    args = ["align", *files, *options, "--format", "tmx", "--presegmented", "--method", "length"]
    assert main([*args, "--out", str(out)]) == 0
    header, units = parse_tmx(out.read_text(encoding="utf-8"))
    assert {lang for u in units for lang in u.tuvs} == expected
    assert header["srclang"] in expected
