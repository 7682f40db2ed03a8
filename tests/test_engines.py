"""Engines on tiny random Marian models: agreement, order, n-best, prefixes, attention."""

from __future__ import annotations

import pytest

from mtalign.engines import (
    DecodeOptions,
    Translator,
    available_engines,
    engine_name,
    load_translator,
    output_limit,
)
from mtalign.errors import ModelError

ENGINES = ["ctranslate2", "transformers"]
SENTENCES = [
    "The city council approved a new budget on Tuesday.",
    "Heavy rain caused flooding in several coastal towns.",
    "Shares fell sharply.",
    "The minister told reporters that negotiations with the unions would continue next week.",
    "Voters will choose a new parliament in early June, the electoral commission confirmed.",
    "A court sentenced the former mayor to four years in prison for corruption.",
    "Oil prices rose.",
    "İstanbul, Moskova ve Kahire'de üç konser.",
]
GREEDY = DecodeOptions(beam_size=1, max_length=24)


@pytest.mark.parametrize("tgt", ["tr", "ru", "ar"])
def test_greedy_float32_same_tokens_on_both_engines(tiny_translator, tgt):
    ct2 = tiny_translator("ctranslate2", tgt).translate(SENTENCES, GREEDY)
    hf = tiny_translator("transformers", tgt).translate(SENTENCES, GREEDY)
    assert [r.best.tokens for r in ct2] == [r.best.tokens for r in hf]
    assert [r.best.text for r in ct2] == [r.best.text for r in hf]


def test_outputs_are_not_all_identical(tiny_translator):
    results = tiny_translator("ctranslate2", "tr").translate(SENTENCES, GREEDY)
    assert len({r.best.tokens for r in results}) > 1
    assert all(len(r.best.tokens) > 0 for r in results)


@pytest.mark.parametrize("engine", ENGINES)
def test_n_in_n_out_in_order(tiny_translator, engine):
    tr = tiny_translator(engine, "ru")
    together = tr.translate(SENTENCES, GREEDY)
    one_by_one = [tr.translate([s], GREEDY)[0] for s in SENTENCES]
    assert len(together) == len(SENTENCES)
    # Same batch limit for everyone: compare prefixes up to the shorter length.
    for a, b in zip(together, one_by_one, strict=True):
        n = min(len(a.best.tokens), len(b.best.tokens))
        assert a.best.tokens[:n] == b.best.tokens[:n]


@pytest.mark.parametrize("engine", ENGINES)
def test_empty_list(tiny_translator, engine):
    assert tiny_translator(engine, "tr").translate([], GREEDY) == []


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(("beam", "n"), [(4, 3), (2, 2), (1, 1), (2, 4)])
def test_n_best_sorted(tiny_translator, engine, beam, n):
    options = DecodeOptions(beam_size=beam, num_hypotheses=n, max_length=12)
    results = tiny_translator(engine, "tr").translate(SENTENCES[:3], options)
    for result in results:
        assert len(result.hypotheses) == n
        scores = [h.score for h in result.hypotheses]
        assert all(s is not None for s in scores)
        assert scores == sorted(scores, reverse=True)
        assert result.best is result.hypotheses[0]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("beam", [1, 4])
def test_target_prefix_is_forced(tiny_translator, engine, beam):
    tr = tiny_translator(engine, "tr")
    prefixes = ["Belediye meclisi", None, "yeni bütçeyi onayladı"]
    options = DecodeOptions(beam_size=beam, num_hypotheses=min(beam, 2), max_length=16)
    results = tr.translate(SENTENCES[:3], options, target_prefix=prefixes)
    free = tr.translate(SENTENCES[:3], options)
    for prefix, result in zip(prefixes, results, strict=True):
        if prefix is None:
            continue
        pieces = tuple(tr.codec.encode_target(prefix))
        for hyp in result.hypotheses:
            assert hyp.tokens[: len(pieces)] == pieces
            assert hyp.text.startswith(prefix)
    assert results[0].best.tokens != free[0].best.tokens
    # The segment without a prefix is decoded freely.
    assert results[1].best.tokens[:3] == free[1].best.tokens[:3]


def test_target_prefix_same_on_both_engines(tiny_translator):
    prefixes = ["Şirket", "Merkez bankası faiz"]
    args = (SENTENCES[:2], GREEDY, prefixes)
    ct2 = tiny_translator("ctranslate2", "tr").translate(*args)
    hf = tiny_translator("transformers", "tr").translate(*args)
    assert [r.best.tokens for r in ct2] == [r.best.tokens for r in hf]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("beam", [1, 3])
def test_attention_shape(tiny_translator, engine, beam):
    tr = tiny_translator(engine, "ar")
    options = DecodeOptions(
        beam_size=beam, num_hypotheses=beam, max_length=10, return_attention=True
    )
    results = tr.translate(SENTENCES[:3], options)
    counts = tr.count_tokens(SENTENCES[:3])
    for result, count in zip(results, counts, strict=True):
        for hyp in result.hypotheses:
            assert hyp.attention is not None
            assert len(hyp.source_tokens) == count
            assert hyp.source_tokens[0] == ">>ara<<"
            assert hyp.source_tokens[-1] == "</s>"
            assert len(hyp.attention) == len(hyp.tokens)
            assert all(len(row) == count for row in hyp.attention)
            assert all(sum(row) == pytest.approx(1.0, abs=1e-3) for row in hyp.attention)


@pytest.mark.parametrize("engine", ENGINES)
def test_no_attention_unless_asked(tiny_translator, engine):
    result = tiny_translator(engine, "tr").translate(SENTENCES[:1], GREEDY)[0]
    assert result.best.attention is None


@pytest.mark.parametrize("engine", ENGINES)
def test_max_length_scales_with_input(tiny_translator, engine):
    tr = tiny_translator(engine, "tr")
    options = DecodeOptions(beam_size=1, max_length_a=1.0, max_length_b=2)
    short, long = SENTENCES[6], SENTENCES[3]
    n_short, n_long = tr.count_tokens([short, long])
    assert n_short < n_long
    # The tiny model never emits </s> by itself, so outputs run to the limit.
    assert len(tr.translate([short], options)[0].best.tokens) == n_short + 2
    assert len(tr.translate([long], options)[0].best.tokens) == n_long + 2


@pytest.mark.parametrize("engine", ENGINES)
def test_min_and_max_length_fix_the_output_length(tiny_translator, engine):
    options = DecodeOptions(beam_size=2, min_length=7, max_length=7)
    results = tiny_translator(engine, "ru").translate(SENTENCES[:4], options)
    assert [len(r.best.tokens) for r in results] == [7] * 4


@pytest.mark.parametrize(
    ("options", "n_source", "expected"),
    [
        (DecodeOptions(), 10, 36),
        (DecodeOptions(max_length_a=1.5, max_length_b=3), 11, 20),
        (DecodeOptions(max_length=5), 100, 5),
        (DecodeOptions(), 400, 510),
        (DecodeOptions(max_length=3, min_length=8), 4, 8),
    ],
)
def test_output_limit(options, n_source, expected):
    assert output_limit(options, n_source, 512) == expected


@pytest.mark.parametrize("engine", ENGINES)
def test_deterministic(tiny_translator, engine):
    tr = tiny_translator(engine, "ar")
    options = DecodeOptions(beam_size=3, num_hypotheses=2, max_length=12)
    first = tr.translate(SENTENCES, options)
    second = tr.translate(SENTENCES, options)
    assert first == second


@pytest.mark.parametrize("engine", ENGINES)
def test_count_tokens_includes_language_token_and_eos(tiny_translator, engine):
    tr = tiny_translator(engine, "ar")
    pieces = tr.codec.encode_source(SENTENCES[0])
    assert tr.count_tokens([SENTENCES[0], ""]) == [len(pieces) + 1, 2]


@pytest.mark.parametrize("engine", ENGINES)
def test_engine_metadata(tiny_translator, tiny_model, engine):
    tr = tiny_translator(engine, "tr")
    model = tiny_model("tr")
    assert isinstance(tr, Translator)
    assert tr.name == engine
    assert tr.model_id == model.model_id
    assert tr.model_revision == model.revision
    assert tr.device == "cpu"


def test_ct2_int8_default_on_cpu(tiny_model):
    model = tiny_model("tr")
    int8 = load_translator("ct2", model, device="cpu")
    try:
        assert int8.compute_type == "int8"
        assert int8.model_path.name.endswith("--int8")
        assert len(int8.translate(SENTENCES[:2], GREEDY)) == 2
    finally:
        int8.close()


@pytest.mark.parametrize("engine", ENGINES)
def test_close_then_translate_is_an_error(tiny_model, engine):
    tr = load_translator(engine, tiny_model("ru"), device="cpu", compute_type="float32")
    tr.close()
    with pytest.raises(ModelError, match="closed"):
        tr.translate(["x"], GREEDY)


@pytest.mark.parametrize(
    ("name", "expected"),
    [("ct2", "ctranslate2"), ("HF", "transformers"), ("transformers", "transformers")],
)
def test_engine_names(name, expected):
    assert engine_name(name) == expected


def test_auto_prefers_ctranslate2():
    assert available_engines()[0] == "ctranslate2"
    assert engine_name("auto") == "ctranslate2"


@pytest.mark.parametrize(("engine", "device"), [("marian", "cpu"), ("ct2", "tpu")])
def test_bad_engine_or_device(tiny_model, engine, device):
    with pytest.raises(ModelError):
        load_translator(engine, tiny_model("tr"), device=device)


def test_hf_rejects_int8(tiny_model):
    with pytest.raises(ModelError, match="int8"):
        load_translator("transformers", tiny_model("tr"), device="cpu", compute_type="int8")


def test_engine_modules_not_imported_by_package():
    import subprocess
    import sys

    code = (
        "import sys, mtalign.engines, mtalign.models; "
        "bad = [m for m in ('torch', 'transformers', 'ctranslate2') if m in sys.modules]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
