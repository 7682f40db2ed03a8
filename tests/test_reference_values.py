"""Pinned reference values for the pure numeric and linguistic modules.

Property tests say "the output has the right shape"; these say "the output is this
number / this string", computed independently (``math.erfc``, hand-worked Turkish forms),
so a changed constant, a dropped factor or a flipped branch fails here (as sacrebleu's
tests pin scores). ``make mutate`` measures how many such changes the suite catches.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from mtalign.align import length
from mtalign.glossary.model import TermOptions
from mtalign.glossary.morph_tr import TurkishMorph
from mtalign.quality import (
    WRONG_LANG_CONFIDENCE,
    check_segment,
    missing_numbers,
    number_values,
    repeated_ngram,
    retry_flags,
)

# --------------------------------------------------------------------------- align/length


@pytest.mark.parametrize("x", [0.0, 0.05, 0.3, 0.7071, 1.0, 1.5, 2.0, 3.0, 4.5, 6.0, 9.0])
def test_log_erfc_matches_math_erfc(x):
    # Numerical Recipes' erfcc has a fractional error below 1.2e-7 everywhere.
    want = math.log(math.erfc(x))
    got = float(length.log_erfc(np.array([x]))[0])
    assert got == pytest.approx(want, rel=2e-7, abs=2e-7)


def test_log_erfc_far_tail_stays_finite_and_close():
    # erfc(30) underflows to ~2.6e-393 in doubles; the log form must not.
    got = float(length.log_erfc(np.array([30.0]))[0])
    want = -900.0 - math.log(30.0 * math.sqrt(math.pi))  # asymptotic: e^-x^2 / (x sqrt(pi))
    assert got == pytest.approx(want, rel=1e-6)


def test_gale_church_constants():
    assert length.GC_VARIANCE == 6.8
    assert length.GC_PRIORS[(1, 1)] == 0.89
    assert length.GC_PRIORS[(1, 0)] == length.GC_PRIORS[(0, 1)] == pytest.approx(0.00495)
    assert length.GC_PRIORS[(2, 1)] == length.GC_PRIORS[(1, 2)] == pytest.approx(0.0445)
    assert length.GC_PRIORS[(2, 2)] == 0.011
    assert length.GC_PRIORS[(3, 1)] == length.GC_PRIORS[(1, 3)] == 0.004


@pytest.mark.parametrize(
    "bead, want",
    [((1, 1), -math.log(0.89)), ((1, 2), -math.log(0.0445)), ((0, 1), -math.log(0.00495)),
     ((2, 2), -math.log(0.011)), ((4, 1), -math.log(0.001)), ((5, 5), -math.log(0.001))],
)  # fmt: skip
def test_prior_cost(bead, want):
    assert length.prior_cost(*bead) == pytest.approx(want, rel=1e-12)


def _gc_reference(ls: float, lt: float, ratio: float, variance: float) -> float:
    """Gale & Church's match cost, written out from the paper's formula."""
    mean = (ratio * ls + lt) / 2.0
    delta = abs(lt - ratio * ls) / math.sqrt(variance * max(mean, 1.0))
    return -math.log(math.erfc(delta / math.sqrt(2.0)))


@pytest.mark.parametrize(
    "ls, lt, ratio",
    [(100, 100, 1.0), (100, 130, 1.0), (100, 70, 1.0), (80, 100, 1.2), (40, 90, 1.1),
     (0, 30, 1.0), (1, 1, 1.0), (250, 180, 0.9)],
)  # fmt: skip
def test_gc_cost_matches_the_formula(ls, lt, ratio):
    got = length.gc_cost(np.array([[ls]], float), np.array([[lt]], float), ratio, 6.8)
    want = _gc_reference(ls, lt, ratio, 6.8)
    assert float(got[0, 0]) == pytest.approx(want, rel=1e-6, abs=1e-7)


def test_gc_cost_pinned_values():
    # Worked by hand: ls 100, lt 130, c 1: mean 115, delta 30/sqrt(6.8*115) = 1.07290,
    # cost -log(erfc(1.07290/sqrt 2)) = -log(erfc(0.75866)) = 1.26103.
    got = length.gc_cost(np.array([[100.0]]), np.array([[130.0]]), 1.0, 6.8)
    assert float(got[0, 0]) == pytest.approx(1.26103, abs=2e-5)
    same = length.gc_cost(np.array([[100.0]]), np.array([[100.0]]), 1.0, 6.8)
    assert float(same[0, 0]) == pytest.approx(0.0, abs=1e-7)


@pytest.mark.parametrize(
    "src, tgt, want",
    [([10, 20], [15, 30], 1.5), ([0], [5], 1.0), ([5], [0], 1.0), ([3, 1], [2, 2], 1.0),
     ([100], [80], 0.8)],
)  # fmt: skip
def test_length_ratio(src, tgt, want):
    assert length.length_ratio(np.array(src), np.array(tgt)) == pytest.approx(want)


# --------------------------------------------------------------------------- quality


def test_wrong_language_confidence_is_pinned():
    assert WRONG_LANG_CONFIDENCE == 0.90


def test_wrong_language_needs_confidence(monkeypatch):
    from mtalign import quality
    from mtalign.langid import LangGuess

    src = "Officials met in Moscow on Tuesday to discuss the ports."
    out = "Yetkililer limanları görüşmek için Salı günü Moskova'da bir araya geldi."
    for prob, flagged in ((0.95, True), (0.90, True), (0.89, False), (0.6, False)):
        monkeypatch.setattr(quality, "detect", lambda text, p=prob: LangGuess("de", p))
        kinds = [k for k, _ in check_segment(src, out, "en", "tr")]
        assert ("wrong-language" in kinds) is flagged, prob
    monkeypatch.setattr(quality, "detect", lambda text: LangGuess("tr", 0.99))
    assert check_segment(src, out, "en", "tr") == []


@pytest.mark.parametrize(
    "text, want",
    [("1,000 and 1.000 and 1 000", ["1000", "1000", "1000"]), ("3,5 or 3.5", ["3.5", "3.5"]),
     ("12,345,678", ["12345678"]), ("١٢٣ rockets", ["123"]), ("0.25", ["0.25"]),
     ("1'000'000", ["1000000"]), ("no numbers", [])],
)  # fmt: skip
def test_number_values(text, want):
    assert number_values(text) == want


@pytest.mark.parametrize(
    "src, out, want",
    [("12 ships and 3 ports", "12 gemi", ["3"]), ("5 and 5", "5", ["5"]),
     ("1.5 million", "1,5 milyon", []), ("2026", "2026", []), ("7 ships", "yedi gemi", ["7"])],
)  # fmt: skip
def test_missing_numbers(src, out, want):
    assert missing_numbers(src, out) == want


@pytest.mark.parametrize(
    "text, want",
    [("the the the", "the"), ("a b a b a b", "a b"), ("the the", None),
     ("one two three four one two three four one two three four", "one two three four"),
     ("x y z w v x y z w v x y z w v", None)],
)  # fmt: skip
def test_repeated_ngram(text, want):
    assert repeated_ngram(text) == want


@pytest.mark.parametrize(
    "src, out, want",
    [("Hello there.", "", ["empty"]), ("Good morning", "good  MORNING", ["copy"]),
     ("Hi", "hi", []), ("Talks went on.", "on on on", ["repetition"]),
     ("no, no, no", "hayır hayır hayır", []), ("12:30", "", [])],
)  # fmt: skip
def test_retry_flags(src, out, want):
    assert [k for k, _ in retry_flags(src, out, "en", "tr")] == want


# --------------------------------------------------------------------------- morph_tr


def _scan(text: str, form: str = "Erdoğan", attached: bool = False) -> list[tuple[str, str, str]]:
    found = TurkishMorph().scan(text, (form,), TermOptions(tr_attached=attached))
    return [(f.surface, f.status, f.replacement) for f in found]


@pytest.mark.parametrize(
    "text, want",
    [
        ("Erdoğan konuştu.", [("Erdoğan", "ok", "Erdoğan")]),
        ("Erdoğan'ın sözleri", [("Erdoğan'ın", "ok", "Erdoğan'ın")]),
        ("Erdogan'ın sözleri", [("Erdogan'ın", "variant", "Erdoğan'ın")]),
        ("Erdoğanın sözleri", [("Erdoğanın", "variant", "Erdoğan'ın")]),
        ("Erdoganla görüştü", [("Erdoganla", "variant", "Erdoğan'la")]),
        # Upper case stays upper case, with Turkish capitals.
        ("ERDOGAN'IN SÖZLERİ", [("ERDOGAN'IN", "variant", "ERDOĞAN'IN")]),
        ("ERDOĞAN KONUŞTU", [("ERDOĞAN", "ok", "ERDOĞAN")]),
        # The apostrophe the text already uses is kept: curly here, straight there.
        ("Erdoganın ve Putin’in ve Esad’ın", [("Erdoganın", "variant", "Erdoğan’ın")]),
        ("Erdoganın ve Putin'in", [("Erdoganın", "variant", "Erdoğan'ın")]),
        ("Erdoğan’ın sözleri", [("Erdoğan’ın", "ok", "Erdoğan’ın")]),
        # Suffix chains up to 8 letters are a name's inflection; longer is another word.
        ("Erdoğanlarımız", [("Erdoğanlarımız", "variant", "Erdoğan'larımız")]),
        ("Erdoğanlarımızda", []),
        # Not a word boundary before: not the name.
        ("XErdoğan", []),
        # Attached but not a suffix: another word.
        ("Erdoğanist", []),
    ],
)
def test_turkish_forms(text, want):
    assert _scan(text) == want


def test_turkish_attached_accepted_when_the_term_says_so():
    got = _scan("Güvenlik Konseyine gitti", form="Güvenlik Konseyi", attached=True)
    assert got == [("Güvenlik Konseyine", "ok", "Güvenlik Konseyine")]


@pytest.mark.parametrize(
    "text, form, want",
    [
        # Two mistakes at once only on names of 5+ letters: "Şam" + "sun" is Samsun.
        ("Samsun limanı", "Şam", []),
        ("Sam'da", "Şam", [("Sam'da", "variant", "Şam'da")]),
        ("Idlibde", "İdlib", [("Idlibde", "variant", "İdlib'de")]),
    ],
)
def test_turkish_short_names(text, form, want):
    assert _scan(text, form) == want


@pytest.mark.parametrize(
    "word, want",
    [("Erdoan'ın", "Erdoğan'ın"), ("Erdoanla", "Erdoğan'la"), ("Erdoğanlara", "Erdoğan'lara"),
     ("Erdo", "Erdoğan"), ("Erdoan’dan", "Erdoğan’dan")],
)  # fmt: skip
def test_turkish_render_like(word, want):
    assert TurkishMorph().render_like("Erdoğan", word, TermOptions()) == want


# --------------------------------------------------------------------------- edges found by make mutate


@pytest.mark.parametrize(
    "src, tgt, want", [([1], [5], 5.0), ([5], [1], 0.2), ([0.5], [2], 4.0), ([2], [0.5], 0.25)]
)
def test_length_ratio_small_totals(src, tgt, want):
    assert length.length_ratio(np.array(src, float), np.array(tgt, float)) == pytest.approx(want)


@pytest.mark.parametrize("ls, lt", [(0.0, 1.0), (1.0, 0.0), (0.0, 3.0), (2.0, 0.5)])
def test_gc_cost_short_lengths_use_a_floor_of_one(ls, lt):
    got = length.gc_cost(np.array([[ls]]), np.array([[lt]]), 1.0, 6.8)
    assert float(got[0, 0]) == pytest.approx(_gc_reference(ls, lt, 1.0, 6.8), rel=1e-6, abs=1e-7)


def test_number_grouping_needs_three_digit_groups():
    assert number_values("1,2345,678") == ["1.2345", "678"]
    assert number_values("12,345.5") == ["12345.5"]


@pytest.mark.parametrize(
    "src, out, want",
    [("15 ships", "1.5 gemi", []), ("1.5 million", "15 milyon", []), ("3 and 4", "", ["3", "4"])],
)
def test_missing_numbers_compares_digit_strings(src, out, want):
    assert missing_numbers(src, out) == want


def test_has_content_edges():
    from mtalign.quality import has_content

    assert has_content("`code") and has_content("code`") and has_content("a")
    assert (
        not has_content("`code`")
        and not has_content("https://example.com/a")
        and not has_content("12")
    )


def test_retry_flag_details_and_copy_threshold():
    assert retry_flags("Hello there.", " ", "en", "tr") == [("empty", "the output is empty")]
    assert retry_flags("Abcd", "abcd", "en", "tr") == [("copy", "the output repeats the source")]
    assert retry_flags("Abc", "abc", "en", "tr") == []
    assert retry_flags("Hello there", "Hello there", "en", "en") == []


def test_check_segment_stops_after_empty_and_copy(monkeypatch):
    from mtalign import quality

    calls = []
    monkeypatch.setattr(quality, "detect", lambda text: calls.append(text))
    assert check_segment("12 ships sank.", "", "en", "tr") == [("empty", "the output is empty")]
    got = check_segment("12 ships sank near the coast", "12 ships sank near the coast", "en", "tr")
    assert [k for k, _ in got] == ["copy"]
    assert check_segment("Same words here.", "Same words here.", "en", "en") == []
    assert calls == []


def test_check_segment_language_check_bounds(monkeypatch):
    from mtalign import quality
    from mtalign.langid import LangGuess, letter_count

    seen = []

    def fake(text):
        seen.append(text)
        return LangGuess("und", 0.99)

    monkeypatch.setattr(quality, "detect", fake)
    exactly = "abcde fghij klmno pqrst"  # 20 letters: judged
    assert letter_count(exactly) == quality.MIN_LETTERS
    assert check_segment("Twenty letters or so here.", exactly, "en", "tr") == []
    assert seen == [exactly]
    check_segment("A long one.", "word " * 200, "en", "tr")
    assert len(seen[-1]) == 400
    assert check_segment("3 and 4 ships", "3 gemi", "en", "tr") == [("numbers", "missing: 4")]
    monkeypatch.setattr(quality, "detect", lambda text: LangGuess("de", 0.99))
    got = check_segment("3 and 4 ships", "drei und vier Schiffe sanken gestern", "en", "tr")
    assert got == [("wrong-language", "looks like de (0.99)"), ("numbers", "missing: 3, 4")]


@pytest.mark.parametrize(
    "text, want",
    [
        ("Dün Erdoğan'ın sözleri", [("Erdoğan'ın", "ok", "Erdoğan'ın")]),
        ("Dün Erdoganın sözleri", [("Erdoganın", "variant", "Erdoğan'ın")]),
        ("Bunu dedi Erdogan'", [("Erdogan", "variant", "Erdoğan")]),
        ("Erdoganlarımızı gördü", [("Erdoganlarımızı", "variant", "Erdoğan'larımızı")]),
        ("Erdoganın, Putin'in, Esad'ın ve Şoygu’nun", [("Erdoganın", "variant", "Erdoğan'ın")]),
        ("Erdoğan ve Erdogan", [("Erdoğan", "ok", "Erdoğan"), ("Erdogan", "variant", "Erdoğan")]),
        ("ve XErdoğan", []),
    ],
)
def test_turkish_forms_inside_sentences(text, want):
    assert _scan(text) == want


def test_turkish_scan_skips_forms_without_letters():
    found = TurkishMorph().scan("Erdogan geldi", ("'", "Erdoğan"), TermOptions())
    assert [(f.surface, f.replacement) for f in found] == [("Erdogan", "Erdoğan")]


@pytest.mark.parametrize(
    "text, form, attached, want",
    [
        ("Samda gördü", "Şam", False, []),
        ("Şamda gördü", "Şam", False, [("Şamda", "variant", "Şam'da")]),
        ("Guvenlik Konseyi'ne gitti", "Güvenlik Konseyi", True,
         [("Guvenlik Konseyi'ne", "variant", "Güvenlik Konseyi'ne")]),
        ("Guvenlik Konseyine gitti", "Güvenlik Konseyi", True,
         [("Guvenlik Konseyine", "variant", "Güvenlik Konseyine")]),
        ("Erdoğan, Erdogan ve Erdoğan", "Erdoğan", False,
         [("Erdoğan", "ok", "Erdoğan"), ("Erdogan", "variant", "Erdoğan"),
          ("Erdoğan", "ok", "Erdoğan")]),
        ("Bunu Erdoğan'a", "Erdoğan", False, [("Erdoğan'a", "ok", "Erdoğan'a")]),
        ("Erdoğan' dedi", "Erdoğan", False, [("Erdoğan", "ok", "Erdoğan")]),
        ("Erdoğan'a dedi", "Erdoğan", False, [("Erdoğan'a", "ok", "Erdoğan'a")]),
        ("Erdoganlar dedi", "Erdoğan", False, [("Erdoganlar", "variant", "Erdoğan'lar")]),
    ],
)  # fmt: skip
def test_turkish_boundaries_and_attached_terms(text, form, attached, want):
    assert _scan(text, form, attached) == want


def test_turkish_scan_skips_empty_forms():
    found = TurkishMorph().scan("Erdogan geldi", ("", "Erdoğan"), TermOptions())
    assert [f.surface for f in found] == ["Erdogan"]
