"""``--pivot``: a pair with no direct model goes through a third language (issue 23).

Fakes check the chaining contract (N in/N out, spans kept, flags); tiny Marian checkpoints
in a local registry check the command line, the Python API and the report end to end.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mtalign.cli import main
from mtalign.errors import ModelError
from mtalign.pipeline import (
    PairEngine,
    TranslateSettings,
    load_inputs,
    translate_documents,
    translate_texts,
    write_run_files,
)
from mtalign.pipeline.pivot import PIVOT_FLAG, relocate_spans
from mtalign.pipeline.session import pivot_hint, resolve_pairs
from tests.fakes import FakeModel, FakeTranslator

ROOT = Path(__file__).resolve().parents[1]
RU = ROOT / "tests" / "data" / "texts" / "ru.txt"


# -- the chain, with fakes -----------------------------------------------------------------


def _pivot_engines(src: str, tgt: str, via: str = "en") -> dict[tuple[str, str], PairEngine]:
    first = PairEngine(src, via, FakeModel(model_id="fake/a", src=src, tgt=via), "fake")
    second = PairEngine(via, tgt, FakeModel(model_id="fake/b", src=via, tgt=tgt), "fake")
    return {(src, tgt): PairEngine(src, tgt, second.model, "fake", legs=(first, second))}


def _run_fake(tmp_path: Path, text: str, name: str = "a.txt", **kw):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    settings = TranslateSettings(
        targets=("tr",), src="ru", cache_path=str(tmp_path / "tm.sqlite"), pivot="en", **kw
    )
    fakes: dict[tuple[str, str], FakeTranslator] = {}

    def factory(pe: PairEngine) -> FakeTranslator:
        return fakes.setdefault((pe.src, pe.tgt), FakeTranslator(lang=pe.tgt))

    engines = _pivot_engines("ru", "tr")
    out = tmp_path / "out"
    docs = load_inputs([str(path)], settings)
    (res,) = translate_documents(docs, settings, out, engines=engines, factory=factory)
    write_run_files(res, settings, out, engines)
    return res, fakes, out


@pytest.mark.parametrize("unit", ["sentence", "paragraph"])
def test_each_segment_goes_through_both_legs_in_order(tmp_path: Path, unit: str) -> None:
    text = "Один два три. Четыре пять.\n\nШесть семь.\n"
    res, fakes, out = _run_fake(tmp_path, text, unit=unit)
    assert set(fakes) == {("ru", "en"), ("en", "tr")}
    first, second = fakes[("ru", "en")], fakes[("en", "tr")]
    sent = [t for call in first.calls for t in call]
    # The second leg reads exactly what the first one wrote, in the same order.
    assert [t for call in second.calls for t in call] == [first.render(t) for t in sent]
    outs = [o.text for o in res.outcomes["tr"]]
    assert len(outs) == len(list(res.doc.segments()))
    if unit == "sentence":
        assert outs == [second.render(first.render(s.text)) for s in res.doc.segments()]
    for o in res.outcomes["tr"]:
        assert [f.kind for f in o.flags].count(PIVOT_FLAG) == 1
    records = [json.loads(line) for line in (out / "a.aligned.jsonl").read_text().splitlines()]
    assert all(any(f["kind"] == PIVOT_FLAG for f in r["flags"]["tr"]) for r in records)
    report = json.loads((out / "a.report.json").read_text())
    entry = report["targets"]["tr"]
    assert entry["pivot"]["via"] == "en"
    assert [leg["pair"] for leg in entry["pivot"]["legs"]] == ["ru-en", "en-tr"]
    assert [leg["id"] for leg in entry["pivot"]["legs"]] == ["fake/a", "fake/b"]
    assert entry["pivot"]["segments"] == len(records) == entry["flags"][PIVOT_FLAG]
    assert report["settings"]["pivot"] == "en"


def test_protected_spans_stay_away_from_both_models(tmp_path: Path) -> None:
    text = "Запустите `pip install mtalign` перед началом работы.\n"
    res, fakes, out = _run_fake(tmp_path, text, name="g.md")
    for fake in fakes.values():
        assert "pip install" not in " ".join(t for call in fake.calls for t in call)
    assert "`pip install mtalign`" in (out / "g.tr.md").read_text()
    assert not [f for o in res.outcomes["tr"] for f in o.flags if f.kind == "markup"]


def test_a_segment_with_nothing_to_translate_is_not_flagged(tmp_path: Path) -> None:
    res, fakes, _ = _run_fake(tmp_path, "Один два три.\n\n12345 67.5\n")
    flagged = [any(f.kind == PIVOT_FLAG for f in o.flags) for o in res.outcomes["tr"]]
    assert flagged == [True, False]


def test_first_leg_flags_are_kept_and_named(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("Один два три четыре.\n", encoding="utf-8")
    settings = TranslateSettings(targets=("tr",), src="ru", cache=False, pivot="en", retry=False)
    first = FakeTranslator(lang="en", bad={"Один два три четыре.": ""})

    def factory(pe: PairEngine) -> FakeTranslator:
        return first if pe.tgt == "en" else FakeTranslator(lang=pe.tgt)

    docs = load_inputs([str(path)], settings)
    (res,) = translate_documents(docs, settings, engines=_pivot_engines("ru", "tr"),
                                 factory=factory)  # fmt: skip
    details = [f.detail for f in res.outcomes["tr"][0].flags]
    assert any(d.startswith("ru-en leg: ") for d in details), details


def test_enforce_through_a_pivot_post_edits_the_terms(tmp_path: Path) -> None:
    gloss = tmp_path / "g.toml"
    gloss.write_text(
        '[glossary]\nsource_lang = "ru"\n[[term]]\nsource = ["Москва"]\n'
        'target = { tr = "Moskova" }\n',
        encoding="utf-8",
    )
    res, fakes, _ = _run_fake(
        tmp_path, "Переговоры прошли в Москва сегодня.\n", glossary=(str(gloss),),
        glossary_mode="enforce",
    )  # fmt: skip
    assert "Moskova" in res.outcomes["tr"][0].text
    (hit,) = res.glossary["tr"]["hits"]
    assert hit["status"] == "ok" and res.glossary["tr"]["mode"] == "enforce"


@pytest.mark.parametrize(
    "source, spans, kinds, text, expected",
    [
        ("a `x` b", [(2, 5)], [], "B `x` A", [((2, 5), "atom")]),
        ("a <b>c</b>", [(2, 5), (6, 10)], ["open", "close"], "<b>C</b> A",
         [((0, 3), "open"), ((4, 8), "close")]),
        ("`x` and `x`", [(0, 3), (8, 11)], [], "`x` `x`", [((0, 3), "atom"), ((4, 7), "atom")]),
        ("a `x` b", [(2, 5)], [], "dropped", []),
        ("a `x` b `y`", [(2, 5), (8, 11)], [], "`y` only", [((0, 3), "atom")]),
    ],
)  # fmt: skip
def test_relocate_spans(source, spans, kinds, text, expected) -> None:
    found = relocate_spans(source, spans, kinds, text)
    assert found == expected
    for (a, b), _ in found:
        assert text[a:b] in [source[x:y] for x, y in spans]


# -- resolution and the error without --pivot --------------------------------------------


@pytest.mark.parametrize(
    "src, tgt, hint",
    [("ru", "tr", "--pivot en"), ("ar", "ru", "--pivot en"), ("fr", "tr", None)],
)
def test_a_missing_pair_says_whether_pivot_would_do(src, tgt, hint) -> None:
    with pytest.raises(ModelError) as err:
        resolve_pairs([(src, tgt)], TranslateSettings(targets=(tgt,), src=src))
    if hint:
        assert hint in str(err.value) and f"{src}-en and en-{tgt}" in str(err.value)
    else:
        assert "--pivot" not in str(err.value)
    assert (pivot_hint(src, tgt) != "") == bool(hint)


def test_a_missing_leg_names_the_pivot(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("MTALIGN_MODELS", str(tmp_path / "none.toml"))
    (tmp_path / "none.toml").write_text("", encoding="utf-8")
    settings = TranslateSettings(targets=("tr",), src="fr", pivot="en")
    with pytest.raises(ModelError, match="no direct model for fr-tr .* no way through en"):
        resolve_pairs([("fr", "tr")], settings)


def test_pivot_is_a_checked_setting() -> None:
    from mtalign.settings import SettingError, check_settings

    assert check_settings(TranslateSettings(targets=("tr",), pivot="EN")).pivot == "en"
    with pytest.raises(SettingError, match="pivot"):
        check_settings(TranslateSettings(targets=("tr",), pivot="not a language"))


def test_a_job_config_may_set_pivot(tmp_path: Path) -> None:
    from mtalign.batch.config import load_job_config

    cfg = tmp_path / "job.toml"
    cfg.write_text(
        f'[job]\noutput_dir = "out"\n[inputs]\nfiles = ["{RU}"]\n'
        '[translate]\nsrc = "ru"\ntargets = ["tr"]\npivot = "en"\n',
        encoding="utf-8",
    )
    assert load_job_config(cfg).settings.pivot == "en"


def test_an_eval_suite_configuration_may_set_pivot(tmp_path: Path) -> None:
    from mtalign.evaluate.suite import load_suite

    text = (ROOT / "configs" / "eval" / "idlib.toml").read_text(encoding="utf-8")
    text = text.replace('name = "ct2-greedy"\n', 'name = "ct2-greedy"\npivot = "en"\n')
    text = text.replace('= "../', f'= "{ROOT}/configs/').replace('"../../', f'"{ROOT}/')
    (tmp_path / "suite.toml").write_text(text, encoding="utf-8")
    configs = {c.name: c.settings for c in load_suite(tmp_path / "suite.toml").configurations}
    assert configs["ct2-greedy"]["pivot"] == "en"


# -- end to end with tiny models in a local registry ---------------------------------------


@pytest.fixture()
def registry(tmp_path: Path, marian_tiny, monkeypatch) -> Path:
    """A registry overlay with ru-en and en-tr only (ru-tr has no model)."""
    reg = tmp_path / "models.toml"
    reg.write_text(
        f'[pairs.ru-en]\nmodel = "{marian_tiny("en", "ru")}"\n'
        f'[pairs.en-tr]\nmodel = "{marian_tiny("tr")}"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("MTALIGN_MODELS", str(reg))
    return reg


def test_cli_translates_through_english(tmp_path: Path, registry: Path, capsys) -> None:
    out = tmp_path / "out"
    args = ["translate", str(RU), "--src", "ru", "--to", "tr", "--out", str(out), "--beam", "1"]
    assert main(args) == 2
    assert "--pivot en" in capsys.readouterr().err
    assert main([*args, "--pivot", "en"]) == 0
    assert "ru->tr through en " in capsys.readouterr().out
    report = json.loads((out / "ru.report.json").read_text())
    pivot = report["targets"]["tr"]["pivot"]
    assert pivot["via"] == "en" and [leg["pair"] for leg in pivot["legs"]] == ["ru-en", "en-tr"]
    assert all(leg["id"].startswith("local:") and leg["revision"] for leg in pivot["legs"])
    records = [json.loads(x) for x in (out / "ru.aligned.jsonl").read_text().splitlines()]
    assert records and pivot["segments"] == len(records)
    assert all(PIVOT_FLAG in [f["kind"] for f in r["flags"]["tr"]] for r in records)


def test_api_pivot_is_the_two_legs_chained(registry: Path) -> None:
    from mtalign import api

    texts = ["В понедельник прошли переговоры.", "", "Стороны обсудили торговлю."]
    settings = TranslateSettings(targets=("tr",), src="ru", pivot="en", beam=1)
    pivoted = translate_texts(texts, "ru", "tr", settings)
    direct = TranslateSettings(targets=("tr",), beam=1)
    english = translate_texts(texts, "ru", "en", TranslateSettings(targets=("en",), beam=1))
    assert pivoted == translate_texts(english, "en", "tr", direct)
    assert pivoted[1] == ""
    out = api.translate(texts, to="tr", src="ru", pivot="en", beam=1)["tr"]
    assert len(out) == len(texts) and out[1] == ""


def test_a_batch_job_translates_through_english(tmp_path: Path, registry: Path) -> None:
    from mtalign.batch import run_job

    (tmp_path / "a.txt").write_text(RU.read_text(encoding="utf-8"), encoding="utf-8")
    cfg = tmp_path / "job.toml"
    cfg.write_text(
        '[job]\noutput_dir = "out"\n[inputs]\nfiles = ["a.txt"]\n'
        '[translate]\nsrc = "ru"\ntargets = ["tr"]\npivot = "en"\nbeam = 1\nmax_length = 8\n'
        'cache_path = "tm.sqlite"\n',
        encoding="utf-8",
    )
    assert run_job(cfg).ok
    report = json.loads((tmp_path / "out" / "a.report.json").read_text())
    pivot = report["targets"]["tr"]["pivot"]
    assert [leg["pair"] for leg in pivot["legs"]] == ["ru-en", "en-tr"]
    assert pivot["segments"] == report["counts"]["segments"]
