"""The quality gate's checks, one table per check."""

from __future__ import annotations

import pytest

from mtalign.quality import (
    check_segment,
    has_content,
    missing_numbers,
    number_values,
    repeated_ngram,
    retry_flags,
)


@pytest.mark.parametrize(
    "text, values",
    [
        ("1,000 people", ["1000"]),
        ("1.000 kişi", ["1000"]),
        ("1 000 человек", ["1000"]),
        ("3.5 percent", ["3.5"]),
        ("%3,5", ["3.5"]),
        ("27 February 2020", ["27", "2020"]),
        ("٣٣ جنديا", ["33"]),
        ("1,234,567.89", ["1234567.89"]),
        ("no digits", []),
    ],
)
def test_number_values(text, values):
    assert number_values(text) == values


@pytest.mark.parametrize(
    "source, output, missing",
    [
        ("33 soldiers and 1,000 people", "33 asker ve 1.000 kişi", []),
        ("3.5 percent", "yüzde 3,5", []),
        ("33 soldiers", "askerler", ["33"]),
        ("33 and 33 again", "33", ["33"]),
        ("In 2018 a ceasefire", "В 2018 году перемирие", []),
        ("33 Turkish soldiers", "٣٣ جنديا تركيا", []),
    ],
)
def test_missing_numbers(source, output, missing):
    assert missing_numbers(source, output) == missing


@pytest.mark.parametrize(
    "text, gram",
    [
        ("the the the cat", "the"),
        ("a b a b a b", "a b"),
        ("Moskova'da Moskova'da Moskova'da görüştü", "moskova da"),
        ("fine text here", None),
        ("a b a b c", None),
    ],
)
def test_repeated_ngram(text, gram):
    assert repeated_ngram(text) == gram


@pytest.mark.parametrize(
    "text, content",
    [("", False), ("  ", False), ("12 345", False), ("https://example.com/x", False),
     ("a@b.org", False), ("`code`", False), ("—", False), ("Hello", True), ("33 soldiers", True)],
)  # fmt: skip
def test_has_content(text, content):
    assert has_content(text) is content


@pytest.mark.parametrize(
    "source, output, kinds",
    [
        ("The talks ended without a deal.", "", {"empty"}),
        ("The talks ended without a deal.", "The talks ended without a deal.", {"copy"}),
        ("The talks ended.", "görüşme görüşme görüşme görüşme", {"repetition"}),
        ("He said no, no, no to the plan.", "Plana hayır, hayır, hayır dedi.", set()),
        ("Talks in Moscow ended on Friday without any deal.",
         "Moskova'daki görüşmeler Cuma günü anlaşma olmadan sona erdi.", set()),
        ("33 soldiers were killed in the attack on Thursday night.",
         "Perşembe gecesi saldırıda askerler öldü ve yaralananlar var.", {"numbers"}),
        ("Talks in Moscow ended on Friday without any deal.",
         "Переговоры в Москве завершились в пятницу без соглашения.", {"wrong-language"}),
        ("12 345", "", set()),
    ],
)  # fmt: skip
def test_check_segment(source, output, kinds):
    assert {k for k, _ in check_segment(source, output, "en", "tr")} == kinds


def test_retry_flags_are_the_cheap_subset():
    src, out = "Talks in Moscow ended on Friday.", "Переговоры в Москве завершились в пятницу."
    assert retry_flags(src, out, "en", "tr") == []
    assert {k for k, _ in check_segment(src, out, "en", "tr")} == {"wrong-language"}
