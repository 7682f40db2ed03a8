"""Tests for mtalign.segment: hard cases per language, invariants, gold sets, scale."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pytest

from mtalign.errors import InputError, LanguageError
from mtalign.io.gold import read_gold
from mtalign.segment import sentence_spans, split_sentences, supported_languages

GOLD_DIR = Path(__file__).resolve().parent / "data" / "segment"

EN_CASES = [
    ("He moved to the U.S. He said it was hard.", ["He moved to the U.S.", "He said it was hard."]),
    (
        "The U.S. Army said on Tuesday it would act.",
        ["The U.S. Army said on Tuesday it would act."],
    ),
    ("The U.N. Security Council met. It voted.", ["The U.N. Security Council met.", "It voted."]),
    (
        "Dr. Smith met Mr. and Mrs. Jones at 5 p.m. Tuesday.",
        ["Dr. Smith met Mr. and Mrs. Jones at 5 p.m. Tuesday."],
    ),
    (
        "The meeting ended at 5 p.m. Officials then left.",
        ["The meeting ended at 5 p.m.", "Officials then left."],
    ),
    (
        "Donald J. Trump spoke. J. R. R. Tolkien wrote books.",
        ["Donald J. Trump spoke.", "J. R. R. Tolkien wrote books."],
    ),
    (
        "It cost $3.5 million, or 1,000 units. The rest was 1 000.",
        ["It cost $3.5 million, or 1,000 units.", "The rest was 1 000."],
    ),
    ('He said "no." Then he left.', ['He said "no."', "Then he left."]),
    ("He said “no.” Then he left.", ["He said “no.”", "Then he left."]),
    ("She said ‘fine.’ We agreed.", ["She said ‘fine.’", "We agreed."]),
    ('"Stop!" she shouted. They stopped.', ['"Stop!" she shouted.', "They stopped."]),
    ('"Why?" he asked.', ['"Why?" he asked.']),
    ('"I did it!" Vega said. Fans cheered.', ['"I did it!" Vega said.', "Fans cheered."]),
    (
        "Wait... what happened? I don't know... Then silence.",
        ["Wait... what happened?", "I don't know...", "Then silence."],
    ),
    (
        "It was late… Nobody came. It was late… and cold.",
        ["It was late…", "Nobody came.", "It was late… and cold."],
    ),
    (
        "Visit example.com or get v2.0 of app.py today. Write to info@example.org. Thanks.",
        ["Visit example.com or get v2.0 of app.py today.", "Write to info@example.org.", "Thanks."],
    ),
    (
        "See No. 5 on the list. Vote no. The end.",
        ["See No. 5 on the list.", "Vote no.", "The end."],
    ),
    (
        "He joined Acme Inc. The company grew. Acme Inc. shares rose.",
        ["He joined Acme Inc.", "The company grew.", "Acme Inc. shares rose."],
    ),
    (
        "It began on Jan. 5 and ended in Dec. The end came fast.",
        ["It began on Jan. 5 and ended in Dec.", "The end came fast."],
    ),
    (
        "Fruit, e.g. apples, i.e. red ones, etc. are fine. Sen. Bell and Rep. Ruiz met Lt. Col. Diaz.",
        [
            "Fruit, e.g. apples, i.e. red ones, etc. are fine.",
            "Sen. Bell and Rep. Ruiz met Lt. Col. Diaz.",
        ],
    ),
    (
        "They met in St. Louis and in Washington, D.C. They left.",
        ["They met in St. Louis and in Washington, D.C.", "They left."],
    ),
    (
        "(He declined to comment.) The talks go on.",
        ["(He declined to comment.)", "The talks go on."],
    ),
    (
        "The firm (Acme Corp.) said it would hire. Good.",
        ["The firm (Acme Corp.) said it would hire.", "Good."],
    ),
    ("Council approves new bridge", ["Council approves new bridge"]),
    ("The iPhone sold well. iPhone sales rose.", ["The iPhone sold well.", "iPhone sales rose."]),
    ("Is it true?! Yes!! Done.", ["Is it true?!", "Yes!!", "Done."]),
    (
        "Profits rose 12%. Shares fell 3.2%. 25 people lost jobs.",
        ["Profits rose 12%.", "Shares fell 3.2%.", "25 people lost jobs."],
    ),
    (
        "Smith vs. Jones was settled. Thomas W. Reed Jr. said so.",
        ["Smith vs. Jones was settled.", "Thomas W. Reed Jr. said so."],
    ),
    ("1. Introduction", ["1. Introduction"]),
    ("It ended in World War II. The peace came.", ["It ended in World War II.", "The peace came."]),
]

NEWLINE_CASES = [
    ("Key points:\n- first item\n- second item", ["Key points:", "- first item", "- second item"]),
    (
        "Steps:\n1. Open it\n2. Close it.\n3) Done",
        ["Steps:", "1. Open it", "2. Close it.", "3) Done"],
    ),
    (
        "A line of a wrapped\nparagraph goes on here. Next one.",
        ["A line of a wrapped\nparagraph goes on here.", "Next one."],
    ),
    (
        "Headline without a stop\n\nBody text here. More.",
        ["Headline without a stop", "Body text here.", "More."],
    ),
    ("One.\r\n\r\nTwo\r\n  \r\nThree", ["One.", "Two", "Three"]),
    ("Para one\u2029Para two", ["Para one", "Para two"]),
]

TR_CASES = [
    (
        "1. Dünya Savaşı 1914'te başladı. Bu savaş dört yıl sürdü.",
        ["1. Dünya Savaşı 1914'te başladı.", "Bu savaş dört yıl sürdü."],
    ),
    (
        "Anayasa'nın 27. maddesi açıktır. Kurul 3. kez toplandı.",
        ["Anayasa'nın 27. maddesi açıktır.", "Kurul 3. kez toplandı."],
    ),
    (
        "Toplantı 27.02.2020 tarihinde yapıldı. İstanbul'da yağmur vardı.",
        ["Toplantı 27.02.2020 tarihinde yapıldı.", "İstanbul'da yağmur vardı."],
    ),
    (
        "Prof. Dr. Ayşe Yılmaz ile Doç. Dr. Ali Kaya konuştu. Sn. Av. Mehmet Öz katıldı.",
        ["Prof. Dr. Ayşe Yılmaz ile Doç. Dr. Ali Kaya konuştu.", "Sn. Av. Mehmet Öz katıldı."],
    ),
    (
        "Ofis Atatürk Cad. Lale Sok. No. 5, Cumhuriyet Mah. İzmir adresinde. Yrd. Doç. Ece geldi.",
        [
            "Ofis Atatürk Cad. Lale Sok. No. 5, Cumhuriyet Mah. İzmir adresinde.",
            "Yrd. Doç. Ece geldi.",
        ],
    ),
    (
        "Elma, armut vb. meyveler satıldı. Galatasaray vs. Fenerbahçe maçı bitti.",
        ["Elma, armut vb. meyveler satıldı.", "Galatasaray vs. Fenerbahçe maçı bitti."],
    ),
    (
        "II. Abdülhamit dönemi uzun sürdü. İlk demiryolu o dönemde yapıldı.",
        ["II. Abdülhamit dönemi uzun sürdü.", "İlk demiryolu o dönemde yapıldı."],
    ),
    (
        "Nüfus 1.000.000'u aştı. Oran yüzde 3,5 oldu.",
        ["Nüfus 1.000.000'u aştı.", "Oran yüzde 3,5 oldu."],
    ),
    ('"Neden?" diye sordu. Cevap gelmedi.', ['"Neden?" diye sordu.', "Cevap gelmedi."]),
    (
        "Işıklar söndü. İnsanlar korktu. ılık bir rüzgâr esti.",
        ["Işıklar söndü.", "İnsanlar korktu. ılık bir rüzgâr esti."],
    ),
    (
        "Bekledik… Sonra haber geldi. Bekledik… ve geldi.",
        ["Bekledik…", "Sonra haber geldi.", "Bekledik… ve geldi."],
    ),
    (
        "T.C. Cumhurbaşkanlığı açıklama yaptı. Demirağ A.Ş. yeni ihaleyi aldı.",
        ["T.C. Cumhurbaşkanlığı açıklama yaptı.", "Demirağ A.Ş. yeni ihaleyi aldı."],
    ),
    (
        "Kitap, harita vb. Bu konular da ele alındı.",
        ["Kitap, harita vb.", "Bu konular da ele alındı."],
    ),
]

RU_CASES = [
    (
        "В. В. Петров встретился с С. Лавровым. Встреча прошла спокойно.",
        ["В. В. Петров встретился с С. Лавровым.", "Встреча прошла спокойно."],
    ),
    ("Это было в 2020 г. Потом всё изменилось.", ["Это было в 2020 г.", "Потом всё изменилось."]),
    ("В 2020 г. Минфин выделил деньги.", ["В 2020 г. Минфин выделил деньги."]),
    (
        "Ремонт продлится до 2026 г. Компания довольна.",
        ["Ремонт продлится до 2026 г.", "Компания довольна."],
    ),
    ("Он живёт в г. Москве на ул. Ленина, д. 5.", ["Он живёт в г. Москве на ул. Ленина, д. 5."]),
    (
        "Мы купили хлеб, молоко и т. д. Потом пошли домой.",
        ["Мы купили хлеб, молоко и т. д.", "Потом пошли домой."],
    ),
    (
        "Речь идёт о правилах, т. е. о запретах, и т. п. вещах.",
        ["Речь идёт о правилах, т. е. о запретах, и т. п. вещах."],
    ),
    ("Цена выросла до 5 млн руб. Это рекорд.", ["Цена выросла до 5 млн руб.", "Это рекорд."]),
    (
        "МГУ им. Ломоносова открыл набор. Конкурс высокий.",
        ["МГУ им. Ломоносова открыл набор.", "Конкурс высокий."],
    ),
    (
        "— Почему? — спросил он. — Не знаю, — ответила она.",
        ["— Почему? — спросил он.", "— Не знаю, — ответила она."],
    ),
    (
        "«Мы победим!» — заявил он. Все засмеялись.",
        ["«Мы победим!» — заявил он.", "Все засмеялись."],
    ),
    (
        "Рост составил 3,5%, а выручка — 1 000 руб. Подробнее см. отчёт.",
        ["Рост составил 3,5%, а выручка — 1 000 руб.", "Подробнее см. отчёт."],
    ),
    (
        "Это было в 1990-х гг. Тогда всё было иначе.",
        ["Это было в 1990-х гг.", "Тогда всё было иначе."],
    ),
    (
        "Он ждал… Никто не пришёл. Он ждал… и ушёл.",
        ["Он ждал…", "Никто не пришёл.", "Он ждал… и ушёл."],
    ),
    ("Длина 5 см. Ширина 3 см.", ["Длина 5 см.", "Ширина 3 см."]),
    (
        "Статья 105 (ст. 105 УК) применяется редко. Так решил суд.",
        ["Статья 105 (ст. 105 УК) применяется редко.", "Так решил суд."],
    ),
]

AR_CASES = [
    (
        "قال د. أحمد إن الوضع مستقر. وأضاف أن الحكومة تعمل.",
        ["قال د. أحمد إن الوضع مستقر.", "وأضاف أن الحكومة تعمل."],
    ),
    ("هل انتهى الاجتماع؟ نعم، انتهى.", ["هل انتهى الاجتماع؟", "نعم، انتهى."]),
    ("وصل الوفد، وبدأ الاجتماع؛ ثم خرج الجميع.", ["وصل الوفد، وبدأ الاجتماع؛ ثم خرج الجميع."]),
    (
        "بلغ النمو 3.5% في عام 2020 م. وقال الوزير إن ذلك جيد.",
        ["بلغ النمو 3.5% في عام 2020 م.", "وقال الوزير إن ذلك جيد."],
    ),
    ("انتظرنا... ثم جاء الخبر.", ["انتظرنا... ثم جاء الخبر."]),
    (
        "سأل: «هل نحن مستعدون؟» قال الوزير ذلك ضاحكا.",
        ["سأل: «هل نحن مستعدون؟» قال الوزير ذلك ضاحكا."],
    ),
    ("توفي عام 250 هـ. وكان عالما كبيرا.", ["توفي عام 250 هـ.", "وكان عالما كبيرا."]),
    (
        "انظر ص. 45 من التقرير. أ.د. ليلى منصور توافق.",
        ["انظر ص. 45 من التقرير.", "أ.د. ليلى منصور توافق."],
    ),
    ("انتهى الاجتماع۔ بدأ الحفل.", ["انتهى الاجتماع۔", "بدأ الحفل."]),
    ("رائع! شكرا لكم.", ["رائع!", "شكرا لكم."]),
    ("زوروا الموقع www.example.com. شكرا.", ["زوروا الموقع www.example.com.", "شكرا."]),
    ("بلغت النسبة ٣٫٥٪ هذا العام. وهو رقم جيد.", ["بلغت النسبة ٣٫٥٪ هذا العام.", "وهو رقم جيد."]),
    ("تحدث م. عادل عن المشروع. ثم غادر.", ["تحدث م. عادل عن المشروع.", "ثم غادر."]),
    ("قال: «لا أعرف...» وغادر القاعة.", ["قال: «لا أعرف...»", "وغادر القاعة."]),
]

GENERIC_CASES = [
    ("de", "Das ist gut. Wir gehen jetzt.", ["Das ist gut.", "Wir gehen jetzt."]),
    ("fr", "M. Dupont est arrivé. Il pleut.", ["M. Dupont est arrivé.", "Il pleut."]),
    ("und", "Dr. Müller kam um 3.5 Uhr. Gut!", ["Dr. Müller kam um 3.5 Uhr.", "Gut!"]),
    ("es", "¿Qué pasó? No lo sé.", ["¿Qué pasó?", "No lo sé."]),
    ("en-US", "Mr. Smith left. He was tired.", ["Mr. Smith left.", "He was tired."]),
    ("TR", "Prof. Dr. Ali geldi. Bu iyi.", ["Prof. Dr. Ali geldi.", "Bu iyi."]),
]

ALL_CASES = (
    [("en", t, e) for t, e in EN_CASES + NEWLINE_CASES]
    + [("tr", t, e) for t, e in TR_CASES]
    + [("ru", t, e) for t, e in RU_CASES]
    + [("ar", t, e) for t, e in AR_CASES]
    + GENERIC_CASES
)


def check_spans(text: str, spans: list[tuple[int, int]]) -> None:
    """Ordered, non-overlapping, stripped spans that cover every non-whitespace char."""
    pos = 0
    for a, b in spans:
        assert pos <= a < b <= len(text), (pos, a, b)
        assert text[pos:a].strip() == "", "non-whitespace text left out between spans"
        assert not text[a].isspace() and not text[b - 1].isspace(), "span not stripped"
        pos = b
    assert text[pos:].strip() == "", "non-whitespace text left out at the end"


@pytest.mark.parametrize(("lang", "text", "expected"), ALL_CASES)
def test_hard_cases(lang: str, text: str, expected: list[str]) -> None:
    assert split_sentences(text, lang) == expected
    check_spans(text, sentence_spans(text, lang))


@pytest.mark.parametrize("lang", ["en", "tr", "ru", "ar", "und"])
@pytest.mark.parametrize("text", ["", " ", "\n\n\t \u00a0\u2029 "])
def test_empty_and_whitespace(lang: str, text: str) -> None:
    assert sentence_spans(text, lang) == []
    assert split_sentences(text, lang) == []


def test_supported_languages() -> None:
    assert supported_languages() == ("en", "tr", "ru", "ar")


@pytest.mark.parametrize("lang", ["", "e", "english language", "12", None, 5])
def test_bad_language_code(lang: object) -> None:
    with pytest.raises(LanguageError):
        sentence_spans("Hello.", lang)  # type: ignore[arg-type]


def test_text_must_be_str() -> None:
    with pytest.raises(InputError):
        sentence_spans(b"Hello.", "en")  # type: ignore[arg-type]


def gold_counts(lang: str) -> tuple[int, int, int, list[str]]:
    """True positives, false positives, false negatives of boundaries inside paragraphs."""
    tp = fp = fn = 0
    errors: list[str] = []
    for sentences in read_gold(GOLD_DIR / f"{lang}.txt"):
        text = " ".join(sentences)
        gold, pos = set(), 0
        for s in sentences[:-1]:
            pos += len(s)
            gold.add(pos)
            pos += 1
        spans = sentence_spans(text, lang)
        check_spans(text, spans)
        pred = {b for _, b in spans[:-1]}
        tp += len(gold & pred)
        fp += len(pred - gold)
        fn += len(gold - pred)
        errors += [f"extra: {text[max(0, b - 40) : b]}|" for b in sorted(pred - gold)]
        errors += [f"missed: {text[max(0, b - 40) : b]}|" for b in sorted(gold - pred)]
    return tp, fp, fn, errors


@pytest.mark.parametrize("lang", ["en", "tr", "ru", "ar"])
def test_gold_set_f1(lang: str) -> None:
    tp, fp, fn, errors = gold_counts(lang)
    assert tp + fn >= 80, f"the {lang} gold set must hold at least 80 boundaries"
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    assert f1 >= 0.98, "\n".join(errors)


@pytest.mark.parametrize("lang", ["en", "tr", "ru", "ar", "und"])
def test_random_text_invariants(lang: str) -> None:
    rng = random.Random(1234)
    pieces = [
        "Dr.", "U.S.", "a", "word", "İstanbul", "ılık", "т.", "д.", "г.", "د.", "؟", "،", "...",
        "…", ".", "!", "?", "\"", "“", "”", "«", "»", "(", ")", "1.", "27.", "3,5", "—", "-",
        "\n", "\n\n", " ", "  ", "\t", "No.", "e.g.", "\u00a0", "x.com", "?!", "'", "A.", "В.",
    ]  # fmt: skip
    for _ in range(300):
        text = "".join(rng.choice(pieces) + rng.choice(["", " ", " ", "\n"]) for _ in range(40))
        check_spans(text, sentence_spans(text, lang))


def test_five_megabyte_single_line() -> None:
    sentences = [s for p in read_gold(GOLD_DIR / "en.txt") for s in p]
    line = " ".join(sentences)
    big = " ".join([line] * (5_000_000 // len(line) + 1))
    assert "\n" not in big and len(big) >= 5_000_000
    spans = sentence_spans(big, "en")
    check_spans(big, spans)
    assert len(spans) > len(sentences) * (5_000_000 // len(line)) * 0.9


@pytest.mark.parametrize(
    "text",
    [
        "a" * 1_000_000,
        "." * 1_000_000,
        ". " * 500_000,
        "Mr. " * 250_000,
        "\n" * 1_000_000,
        " \n" * 500_000,
        "?" * 1_000_000 + "x",
        ("." * 50 + "x") * 20_000,
    ],
    ids=["letters", "dots", "dot-space", "titles", "newlines", "space-newline", "marks", "runs"],
)
def test_pathological_input_is_linear(text: str) -> None:
    check_spans(text, sentence_spans(text, "en"))


def test_data_is_loaded_lazily() -> None:
    code = (
        "import mtalign.segment as s\n"
        "assert s._load_rules.cache_info().currsize == 0\n"
        "s.sentence_spans('A. B.', 'tr')\n"
        "assert s._load_rules.cache_info().currsize == 1\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parent.parent)


@pytest.mark.parametrize("lang", ["en", "tr", "ru", "ar", "und"])
def test_data_files_parse(lang: str) -> None:
    from mtalign.segment import _load_rules

    rules = _load_rules(lang)
    assert rules.abbreviations
    if lang != "und":
        assert rules.starters
