"""``mtalign models check``: runs on random test models and says their verdict honestly."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from mtalign.errors import ModelError
from mtalign.pipeline import modelcheck as mc
from mtalign.pipeline.modelcheck import EngineRun, PairCheck, check_models, verdict

ROOT = Path(__file__).resolve().parent.parent
#: Random models never stop on their own: cap their outputs to keep the tests fast.
CAP = 12


# The checks set torch's process-wide thread count (engines on one thread): put it back.
pytestmark = pytest.mark.usefixtures("restore_torch_threads")


@pytest.fixture(scope="module")
def like(tmp_path_factory):
    """Factory: a tiny checkpoint shaped like a registry choice (built once per spec)."""
    from mtalign.testing import build_like

    root = tmp_path_factory.mktemp("like")
    built: dict[str, Path] = {}

    def make(spec: str) -> Path:
        if spec not in built:
            built[spec] = build_like(root / spec.replace(":", "_"), spec)
        return built[spec]

    return make


@pytest.fixture(scope="module")
def en_ar_check(like):
    """The check of a tc-big-shaped en-ar test model on both engines."""
    return check_models(models={"ar": str(like("en-ar"))}, max_length=CAP, threads=1)[0]


def test_shipped_article_matches_the_test_references():
    """The check ships its article; it must stay the one the tests and docs use."""
    for lang in ("en", "tr", "ru", "ar"):
        shipped = (mc.check_data_dir() / f"idlib.{lang}.txt").read_bytes()
        assert shipped == (ROOT / "tests" / "data" / "eval" / f"idlib.{lang}.txt").read_bytes()
    assert (
        mc.glossary_path().read_bytes()
        == (ROOT / "configs" / "glossaries" / "idlib.toml").read_bytes()
    )
    srcs, refs = mc.reference_texts("en", "tr")
    assert len(srcs) == len(refs) == 28
    assert mc.reference_texts("en", "de")[1] is None
    assert mc.reference_texts("de", "en")[0] is None


def test_random_model_is_called_gibberish(en_ar_check):
    c = en_ar_check
    assert (c.pair, c.target_token, c.origin, c.has_reference) == (
        "en-ar",
        ">>ara<<",
        "local",
        True,
    )
    assert [r.engine for r in c.runs] == ["ctranslate2", "transformers"]
    assert [r.compute_type for r in c.runs] == ["int8", "float32"]
    for run in c.runs:
        assert run.segments == len(run.outputs) == 28
        assert run.chrf is not None and run.chrf < mc.CHRF_FLOOR
        assert run.bleu is not None and run.bleu < 5
        assert run.out_tokens > 0 and run.tokens_per_s > 0
        assert run.peak_rss_mb is None or run.peak_rss_mb > 50
        assert sum(run.flags.values()) >= run.flagged > 0
    # The glossary has Arabic targets: measured without and with enforce on CTranslate2.
    ct2, hf = c.runs
    assert ct2.terms_off is not None and ct2.terms_enforce is not None
    assert ct2.terms_enforce >= ct2.terms_off and ct2.chrf_enforce is not None
    assert hf.terms_off is None and hf.terms_enforce is None
    assert c.same_tokens is not None and 0 <= c.same_tokens <= 28
    assert not c.ok and c.verdict == "gibberish"
    assert "below the floor 30" in c.problems[0]


def test_json_is_complete(en_ar_check):
    data = json.loads(json.dumps(en_ar_check.as_dict()))
    assert set(data) >= {
        "pair", "model", "revision", "target_token", "chrf_floor", "source_unk_rate",
        "engines_same_tokens", "engines_chrf", "runs", "verdict", "ok", "problems",
    }  # fmt: skip
    run = data["runs"][0]
    assert set(run) >= {
        "engine", "compute_type", "chrf", "bleu", "chrf_enforce", "term_accuracy",
        "quality_flags", "flagged_segments", "tokens_per_s", "peak_rss_mb", "outputs",
    }  # fmt: skip
    assert set(run["term_accuracy"]) == {"off", "enforce"}
    assert data["engines_same_tokens"]["of"] == 28


def test_text_report(en_ar_check):
    text = mc.render_checks([en_ar_check])
    assert text.splitlines()[0].startswith("en-ar  local:en-ar  (local, sha256:")
    assert "target token >>ara<<" in text
    for word in ("chrF++", "BLEU", "terms off->enforce", "tok/s", "peak MB", "engines: the same"):
        assert word in text
    assert "verdict: FAIL: gibberish" in text


def test_reverse_pair_scores_against_english(like):
    """tr-en reads the Turkish translation and is scored against the English article; the
    glossary (English source) does not apply."""
    c = check_models(
        models={"tr-en": str(like("tr-en"))}, engines=("ctranslate2",), max_length=CAP, threads=1
    )[0]
    assert c.pair == "tr-en" and c.has_reference
    run = c.runs[0]
    assert run.chrf is not None and run.terms_off is None and run.terms_enforce is None
    assert c.same_tokens is None and c.verdict == "gibberish"


def test_no_reference_is_not_scored(like):
    c = check_models(
        models={"de": str(like("en-de"))}, engines=("ctranslate2",), max_length=CAP, threads=1
    )[0]
    assert not c.has_reference and c.runs[0].chrf is None
    assert "gibberish" not in c.verdict  # nothing to score against


def test_source_language_without_text(like):
    c = check_models(models={"de-en": str(like("de-en"))}, max_length=CAP)[0]
    assert c.verdict == "not checked" and "no test text in de" in c.problems[0]


def test_broken_tokenizer_is_named(tmp_path, like, tiny_en_ru):
    """An en-tr checkpoint whose source.spm is a Russian model: English falls apart into
    <unk> pieces, and the verdict says so before anything else."""
    broken = Path(shutil.copytree(like("en-tr"), tmp_path / "broken"))
    shutil.copy(tiny_en_ru / "target.spm", broken / "source.spm")
    c = check_models(
        models={"tr": str(broken)}, engines=("ctranslate2",), max_length=CAP, threads=1
    )[0]
    assert c.unk_rate > mc.MAX_UNK
    assert c.verdict == "broken tokenizer"
    assert "source.spm does not match vocab.json" in c.problems[0]


def _run(**kw) -> EngineRun:
    base = {"engine": "ctranslate2", "compute_type": "int8", "chrf": 55.0, "bleu": 25.0,
            "terms_off": 0.8, "terms_enforce": 1.0, "chrf_enforce": 54.5, "segments": 28,
            "flagged": 1}  # fmt: skip
    return EngineRun(**{**base, **kw})


@pytest.mark.parametrize(
    ("runs", "extra", "expected", "words"),
    [
        ([_run(), _run(engine="transformers")], {"engine_chrf": 92.0}, "ok", ""),
        ([_run(chrf=12.0)], {}, "gibberish", "chrF++ 12.0 is below the floor 30"),
        ([_run(wrong_lang=20)], {}, "wrong language", "20 of 28 outputs are not in ar"),
        ([_run(flagged=9)], {}, "flagged", "flags 9 of 28 clean news sentences"),
        ([_run(terms_enforce=0.5)], {}, "glossary", "lowered term accuracy from 0.80 to 0.50"),
        ([_run(), _run()], {"engine_chrf": 21.0}, "engines disagree", "conversion problem"),
        ([_run(chrf=9.0)], {"unk_rate": 0.4}, "broken tokenizer", "40% of the source pieces"),
        ([_run(chrf=None)], {"has_reference": False}, "ran (no reference: not scored)", ""),
        # Gibberish explains flags and disagreement: they are not listed beside it.
        (
            [_run(chrf=3.0, flagged=20), _run(chrf=2.0)],
            {"engine_chrf": 20.0},
            "gibberish",
            "ctranslate2: chrF++ 3.0 is below the floor 30",
        ),
        (
            [_run(chrf=None, flagged=20)],
            {"engine_chrf": 20.0, "has_reference": False},
            "flagged",
            "conversion problem",
        ),
    ],
)
def test_verdicts(runs, extra, expected, words):
    check = PairCheck("en-ar", "m", "r", "cache", ">>ara<<", runs=runs, has_reference=True)
    for key, value in extra.items():
        setattr(check, key, value)
    name, problems = verdict(check)
    assert name == expected
    assert (not problems) == (words == "")
    assert words in " ".join(problems)
    if expected == "gibberish":
        assert not any("flags" in p or "conversion" in p for p in problems)


def test_checks_what_models_pull_installed(tmp_path, monkeypatch, like):
    """Without arguments: every registry model in the Hugging Face cache."""
    from huggingface_hub import constants

    cache = tmp_path / "hf"
    commit = "0123456789abcdef0123456789abcdef01234567"
    repo = cache / "models--Helsinki-NLP--opus-mt-en-ru"
    shutil.copytree(like("en-ru:small"), repo / "snapshots" / commit)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(commit)
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(cache))
    assert mc.installed_specs(__import__("mtalign.models").models.load_registry()) == [
        ("en", "ru", "small")
    ]
    [c] = check_models(engines=("ctranslate2",), max_length=CAP, threads=1)
    assert (c.pair, c.model_id, c.origin, c.revision) == (
        "en-ru",
        "Helsinki-NLP/opus-mt-en-ru",
        "cache",
        commit,
    )


def test_nothing_installed(tmp_path, monkeypatch):
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "empty"))
    with pytest.raises(ModelError, match="no installed model to check.*models pull en-tr"):
        check_models()
    with pytest.raises(ModelError, match="not in the Hugging Face cache"):
        check_models(pairs=["en-ar:small"])  # never downloads


def test_cli(capsys, like):
    from mtalign.cli import main

    path = like("en-tr")
    code = main(["models", "check", "--model", f"tr={path}", "--engine", "ctranslate2", "--format",
                 "json", "--max-length", str(CAP), "--threads", "1"])  # fmt: skip
    captured = capsys.readouterr()
    assert code == 1  # a failing verdict is "not ok", not a user error
    [data] = json.loads(captured.out)
    assert data["verdict"] == "gibberish" and data["runs"][0]["engine"] == "ctranslate2"
    err = [line for line in captured.err.splitlines() if line.startswith("mtalign: error")]
    assert err == [
        "mtalign: error: 1 of 1 models failed the check: en-tr (local:en-tr); see the verdicts "
        "above (docs/models.md says what each one means)"
    ]


def test_cli_bad_engine(capsys):
    from mtalign.cli import main

    assert main(["models", "check", "--engine", "onnx"]) == 2
    assert "--engine: expected one of both, ctranslate2" in capsys.readouterr().err
