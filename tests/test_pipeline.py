"""The translation pipeline with a fake engine: order, counts, cache, gate, outputs."""

from __future__ import annotations

import json
import logging

import pytest

from mtalign.batching import plan_batches, split_long
from mtalign.errors import InputError, LanguageError, MtalignError
from mtalign.pipeline import (
    PairEngine,
    TranslateSettings,
    load_inputs,
    mask_protected,
    translate_documents,
    unmask,
    write_run_files,
)
from tests.fakes import FakeModel, FakeTranslator

ARTICLE = (
    "Turkey says 33 soldiers killed in Idlib air strike\n"
    "ANKARA, Feb 28 - Thirty-three Turkish soldiers were killed late on Thursday. "
    "The U.N. said nearly 1,000,000 people had fled since December.\n"
    "\n"
    "12345 67.5\n"
    "https://example.com/story\n"
    "Source: Reporting by J. Smith; Editing by A. Jones\n"
)


def _engines(targets, src="en"):
    return {(src, t): PairEngine(src, t, FakeModel(tgt=t), "fake") for t in targets}


def _run(tmp_path, text=ARTICLE, targets=("tr",), name="a.txt", fakes=None, **kw):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    settings = TranslateSettings(
        targets=tuple(targets), src="en", cache_path=str(tmp_path / "tm.sqlite"), **kw
    )
    docs = load_inputs([str(path)], settings)
    fakes = fakes if fakes is not None else {}

    def factory(pe):
        fakes.setdefault(pe.tgt, FakeTranslator(lang=pe.tgt))
        return fakes[pe.tgt]

    out = tmp_path / "out"
    res = translate_documents(docs, settings, out, engines=_engines(targets), factory=factory)
    for r in res:
        write_run_files(r, settings, out, _engines(targets))
    return res, fakes, out


def test_every_segment_comes_back_in_order(tmp_path):
    (res,), fakes, out = _run(tmp_path, targets=("tr", "ru"))
    src = [s.text for s in res.doc.segments()]
    for lang in ("tr", "ru"):
        outs = [o.text for o in res.outcomes[lang]]
        assert len(outs) == len(src)
        for s, o in zip(src, outs, strict=True):
            if any(c.isalpha() for c in s) and not s.startswith("http"):
                assert o == FakeTranslator(lang=lang).render(s)
            else:
                assert o == s  # numbers and URLs pass through untouched
        assert fakes[lang].closed


def test_outputs_keep_paragraph_structure(tmp_path):
    (res,), _, out = _run(tmp_path)
    written = (out / "a.tr.txt").read_text(encoding="utf-8").split("\n")
    source = ARTICLE.split("\n")
    assert len(written) == len(source)
    assert written[2] == "" and written[3] == "12345 67.5"
    assert written[4] == "https://example.com/story"
    recs = [json.loads(x) for x in (out / "a.aligned.jsonl").read_text().splitlines()]
    assert [r["id"] for r in recs] == [s.id for s in res.doc.segments()]
    assert all(set(r["translations"]) == {"tr"} for r in recs)
    report = json.loads((out / "a.report.json").read_text())
    assert report["targets"]["tr"]["model"]["id"] == "fake/model"
    assert report["counts"]["segments"] == len(recs)
    assert report["targets"]["tr"]["stats"]["passthrough"] == 2


def test_rerun_is_served_by_the_cache(tmp_path):
    _run(tmp_path)
    fakes: dict = {}
    (res,), fakes, _ = _run(tmp_path, fakes=fakes)
    assert "tr" not in fakes  # the model was never even loaded
    assert res.stats["tr"].cached == res.stats["tr"].translated


def test_no_cache_translates_again(tmp_path):
    _run(tmp_path)
    (res,), fakes, _ = _run(tmp_path, cache=False)
    assert fakes["tr"].calls


def test_repeated_sentences_are_translated_once(tmp_path):
    text = "The same sentence again. The same sentence again.\nThe same sentence again.\n"
    (res,), fakes, _ = _run(tmp_path, text=text)
    sent = [t for call in fakes["tr"].calls for t in call]
    assert sent.count("The same sentence again.") == 1
    assert len(res.outcomes["tr"]) == 3


def test_quality_gate_retries_and_flags(tmp_path):
    text = "The army said the strike hit a convoy near the town.\nTurkey closed the border again.\n"
    bad = {
        "The army said the strike hit a convoy near the town.": "ordu ordu ordu ordu ordu",
        "Turkey closed the border again.": "",
    }
    fake = FakeTranslator(lang="tr", bad=bad)
    (res,), fakes, _ = _run(tmp_path, text=text, fakes={"tr": fake})
    outs = res.outcomes["tr"]
    assert all(o.retried for o in outs)
    assert outs[0].text == fake.render("The army said the strike hit a convoy near the town.")
    assert not any(f.kind in ("repetition", "empty") for o in outs for f in o.flags)
    assert len(fake.calls) == 2  # one normal batch, one retry batch


def test_flags_that_remain_are_reported(tmp_path):
    text = "Officials said 33 soldiers died in the attack on Thursday.\n"
    fake = FakeTranslator(lang="tr")
    fake.render = lambda t: "yetkililer askerlerin saldırıda öldüğünü söyledi"  # number lost
    (res,), _, out = _run(tmp_path, text=text, fakes={"tr": fake})
    kinds = {f.kind for f in res.outcomes["tr"][0].flags}
    assert "numbers" in kinds
    rec = json.loads((out / "a.aligned.jsonl").read_text().splitlines()[0])
    assert rec["flags"]["tr"][0]["kind"] == "numbers"


def test_long_segment_is_split_not_truncated(tmp_path):
    words = [f"w{i}" for i in range(1500)]
    text = ", ".join(" ".join(words[i : i + 10]) for i in range(0, 1500, 10)) + ".\n"
    (res,), fakes, _ = _run(tmp_path, text=text, force=True)
    assert res.outcomes["tr"][0].pieces > 2
    for call in fakes["tr"].calls:
        assert all(len(t.split()) + 1 <= 510 for t in call)
    out_words = {w.split("~")[0].rstrip(",.") for w in res.outcomes["tr"][0].text.split()}
    assert set(words) <= out_words


def test_interrupt_keeps_cache_and_finished_languages(tmp_path):
    text = "\n".join(f"Sentence number {i} about the talks in Moscow." for i in range(300)) + "\n"
    fakes = {"tr": FakeTranslator(lang="tr"), "ru": FakeTranslator(lang="ru", fail_after=1)}
    with pytest.raises(KeyboardInterrupt):
        _run(tmp_path, text=text, targets=("tr", "ru"), fakes=fakes, batch_tokens=256)
    out = tmp_path / "out"
    assert (out / "a.tr.txt").exists() and not (out / "a.ru.txt").exists()
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temp files left
    fakes2: dict = {}
    (res,), fakes2, _ = _run(
        tmp_path, text=text, targets=("tr", "ru"), fakes=fakes2, batch_tokens=256
    )
    assert "tr" not in fakes2  # finished language fully cached
    sent = sum(len(c) for c in fakes2["ru"].calls)
    assert sent < 300  # the batches done before the interrupt were not redone
    assert (out / "a.ru.txt").exists()


def test_a_cache_path_holding_a_file_mtalign_never_made_is_left_alone(tmp_path, caplog):
    """Issue 18: a typo (or an input) as cache_path is never "repaired" (renamed away)."""
    (tmp_path / "tm.sqlite").write_bytes(b"this is not a database" * 100)
    with caplog.at_level(logging.WARNING):
        (res,), fakes, _ = _run(tmp_path)
    assert res.outcomes["tr"]
    assert (tmp_path / "tm.sqlite").read_bytes() == b"this is not a database" * 100
    assert not any(".corrupt-" in p.name for p in tmp_path.iterdir())
    assert "not a translation cache mtalign made" in caplog.text


@pytest.mark.parametrize(
    "settings, message",
    [
        (dict(targets=()), "no target language"),
        (dict(targets=("xx",)), "unknown language code"),
        (dict(targets=("en",)), "both 'en'"),
        (dict(targets=("tr",), engine="marian"), "engine: expected one of auto, ctranslate2"),
        (dict(targets=("tr",), unit="word"), "unit: expected one of sentence, paragraph"),
        (dict(targets=("tr",), models={"ru": "/x"}), "a model is given for ru"),
        (dict(targets=("tr",), beam=100000), "beam: must be at most 32"),
        (dict(targets=("tr",), glossary_mode="enforce"), "'enforce' needs a glossary"),
    ],
)
def test_bad_settings(tmp_path, settings, message):
    path = tmp_path / "a.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    s = TranslateSettings(src="en", **settings)
    with pytest.raises(MtalignError, match=message):
        docs = load_inputs([str(path)], s)
        translate_documents(
            docs, s, None, engines=_engines(["en"]), factory=lambda pe: FakeTranslator()
        )


def test_two_inputs_with_the_same_name_are_refused(tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "y").mkdir()
    for d in ("x", "y"):
        (tmp_path / d / "a.txt").write_text(
            "Some English text about the meeting.", encoding="utf-8"
        )
    with pytest.raises(InputError, match="same output names"):
        load_inputs(
            [str(tmp_path / "x/a.txt"), str(tmp_path / "y/a.txt")],
            TranslateSettings(targets=("tr",), src="en"),
        )


def test_declared_language_is_checked(tmp_path):
    path = tmp_path / "tr.txt"
    path.write_text(
        "Türkiye Cumhurbaşkanı Erdoğan, Rusya lideri Putin ile telefonda görüştü.", encoding="utf-8"
    )
    with pytest.raises(LanguageError, match="looks like 'tr'"):
        load_inputs([str(path)], TranslateSettings(targets=("ru",), src="en"))
    docs = load_inputs([str(path)], TranslateSettings(targets=("ru",), src="en", force=True))
    assert docs[0][0].lang == "en"


def test_markdown_inline_code_is_not_sent_to_the_model(tmp_path):
    text = "# Install guide\n\nRun `pip install mtalign` before you start the translation job.\n"
    (res,), fakes, out = _run(tmp_path, text=text, name="g.md")
    sent = " ".join(t for call in fakes["tr"].calls for t in call)
    assert "pip install" not in sent
    written = (out / "g.tr.md").read_text()
    assert written.startswith("# ") and "`pip install mtalign`" in written


def test_mask_and_unmask_never_lose_spans():
    masked = mask_protected("a `x` b `y` c", [(2, 5), (8, 11)])
    assert masked.text == "a [0] b [1] c" and masked.kept == ["`x`", "`y`"]
    assert unmask("A [1] B [0]", masked).text == "A `y` B `x`"
    lost = unmask("lost everything", masked)
    assert sorted(lost.text.split()) == sorted(["lost", "everything", "`x`", "`y`"])
    assert lost.problems == ("dropped [0]", "dropped [1]")


def test_plan_batches_respects_budget_and_covers_all():
    lengths = [5, 300, 12, 12, 80, 1, 700, 40]
    batches = plan_batches(lengths, 400)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    for b in batches:
        assert len(b) == 1 or max(lengths[i] for i in b) * len(b) <= 400


def test_split_long_respects_limit_and_keeps_every_word():
    text = " ".join(f"word{i}" for i in range(1000))
    pieces = split_long(text, lambda xs: [len(x.split()) for x in xs], 100)
    assert all(len(p.split()) <= 100 for p in pieces)
    assert " ".join(pieces) == text


def test_consistency_without_glossary_unifies_renderings(tmp_path):
    text = (
        "Erdogan spoke to Putin on Friday.\n"
        "Later Erdogan met the Kremlin envoy.\n"
        "Officials said Erdogan would travel to Moscow.\n"
    )
    fake = FakeTranslator(lang="tr")

    def render(t):
        name = "Erdogan" if "Moscow" in t else "Erdoğan"  # one stray spelling
        return " ".join(name if w == "Erdogan" else f"{w}~tr" for w in t.split())

    fake.render = render
    (res,), _, _ = _run(tmp_path, text=text, fakes={"tr": fake}, consistency=True, cache=False)
    outs = [o.text for o in res.outcomes["tr"]]
    assert all("Erdoğan" in o and "Erdogan " not in o for o in outs), outs
    assert res.glossary["tr"]["mode"] == "consistency"


def test_paragraph_unit_keeps_inline_code_away_from_the_model(tmp_path):
    text = "Run `make demo` first. Then read the report about the talks in Moscow.\n"
    (res,), fakes, out = _run(tmp_path, text=text, name="p.md", unit="paragraph")
    sent = " ".join(t for call in fakes["tr"].calls for t in call)
    assert "make demo" not in sent
    assert "`make demo`" in (out / "p.tr.md").read_text()
    assert len(res.outcomes["tr"]) == 2
