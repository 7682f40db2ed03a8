"""eval-suite: config loading (strict keys), fake translators, the comparison report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mtalign.cli.evaluate import eval_suite_command
from mtalign.errors import ConfigError, MtalignError
from mtalign.evaluate.suite import SuiteConfiguration, load_suite, run_suite

ROOT = Path(__file__).parent.parent
EVAL = ROOT / "tests" / "data" / "eval"
EXAMPLE = ROOT / "configs" / "eval" / "idlib.toml"


def degrade(texts: list[str], keep: float) -> list[str]:
    """Deterministic: keep the first share of each line's words."""
    out = []
    for t in texts:
        words = t.split()
        out.append(" ".join(words[: max(1, int(len(words) * keep))]))
    return out


def fake_translate(texts, src_lang, tgt_lang, config: SuiteConfiguration, glossary):
    """'Translates' by reading the reference and degrading it more for a smaller beam."""
    ref = (EVAL / f"idlib.{tgt_lang}.txt").read_text(encoding="utf-8").splitlines()
    assert len(texts) == len(ref) and src_lang == "en"
    return degrade(ref, 0.95 if config.beam >= 4 else 0.6)


def test_example_config_loads():
    suite = load_suite(EXAMPLE)
    assert suite.name == "idlib" and suite.targets == ("tr", "ru", "ar")
    assert [c.name for c in suite.configurations] == [
        "ct2-beam4",
        "ct2-beam4-enforce",
        "ct2-greedy",
        "hf-beam4-big-tr",
    ]
    assert suite.configurations[3].models == {"tr": "Helsinki-NLP/opus-mt-tc-big-en-tr"}
    assert suite.configurations[1].glossary_mode == "enforce"
    assert suite.significance == "paired-bs" and suite.seed == 12345
    assert Path(suite.references["ar"]).samefile(EVAL / "idlib.ar.txt")
    assert Path(suite.source).samefile(EVAL / "idlib.en.txt")


def test_run_suite_with_fake_translator(tmp_path):
    suite = load_suite(EXAMPLE)
    result = run_suite(suite, fake_translate, report_dir=tmp_path / "rep", n_bootstrap=200)
    assert sorted(p.name for p in (tmp_path / "rep").iterdir()) == [
        "report.html", "report.json", "report.md", "translations",
    ]  # fmt: skip
    assert len(list((tmp_path / "rep" / "translations").iterdir())) == 12  # 4 configs x 3
    data = json.loads(result.paths["json"].read_text(encoding="utf-8"))
    assert data["suite"]["name"] == "idlib"
    assert [e["lang"] for e in data["evaluations"]] == ["tr", "ru", "ar"]
    for ev in result.report.evaluations:
        beam4, _enforce, greedy, hf = ev.systems
        assert ev.significance.method == "paired-bs" and ev.significance.baseline == "ct2-beam4"
        assert greedy.scores["chrf"].value < beam4.scores["chrf"].value
        assert greedy.scores["chrf"].extra["significant"]
        assert hf.scores["bleu"].value == beam4.scores["bleu"].value  # same fake output
    assert "ct2-greedy" in result.paths["md"].read_text(encoding="utf-8")


def test_precomputed_outputs_skip_translation(tmp_path):
    out = tmp_path / "beam4.tr.txt"
    ref = (EVAL / "idlib.tr.txt").read_text(encoding="utf-8").splitlines()
    out.write_text("\n".join(degrade(ref, 0.9)) + "\n", encoding="utf-8")
    cfg = tmp_path / "s.toml"
    cfg.write_text(
        f"""
[suite]
targets = ["tr"]
significance = "none"
n_bootstrap = 0
[testset]
source = "{EVAL / "idlib.en.txt"}"
[testset.references]
tr = "{EVAL / "idlib.tr.txt"}"
[[configuration]]
name = "given"
outputs = {{ tr = "beam4.tr.txt" }}
""",
        encoding="utf-8",
    )

    def never(*args):
        raise AssertionError("translation must not run")

    result = run_suite(load_suite(cfg), never)
    assert result.paths == {}
    (ev,) = result.report.evaluations
    assert ev.systems[0].name == "given" and 0 < ev.systems[0].scores["bleu"].value < 100


def test_translator_contract_is_checked(tmp_path):
    suite = load_suite(EXAMPLE)
    with pytest.raises(MtalignError, match="28 lines in, 27 out"):
        run_suite(suite, lambda texts, *a: texts[:-1])


def test_suite_without_models_offline_names_the_fix(tmp_path):
    """The example suite on a machine without the hub: a one-line error, nothing written."""
    with pytest.raises(MtalignError, match="mtalign models pull"):
        eval_suite_command(str(EXAMPLE), report=str(tmp_path / "r"))
    assert not (tmp_path / "r" / "report.json").exists()


BASE = """
[suite]
targets = ["tr"]
[testset]
source = "{src}"
[testset.references]
tr = "{ref}"
[[configuration]]
name = "a"
"""


@pytest.mark.parametrize(
    ("extra", "match"),
    [
        ('colour = "red"\n', r"\[\[configuration\]\] 'a': unknown key 'colour'; use one of .*beam"),
        ('[[configuration]]\nname = "a"\n', "duplicate name"),
        ('beam = "four"\n', r"beam: expected a whole number from 1 to 32, got 'four'"),
        ("beam = true\n", "beam: expected a whole number"),
        ('engine = "moses"\n', "engine: expected one of auto, ctranslate2, transformers, got"),
        ('glossary_mode = "enforce"\n', "needs a glossary"),
        ('models = { de = "x" }\n', r"a model is given for de, which is not in \[suite\] targets"),
        ('outputs = { tr = "missing.txt" }\n', "no such file"),
        ("[extra]\nx = 1\n", "top level: unknown key 'extra'"),
    ],
)
def test_bad_configs(tmp_path, extra, match):
    cfg = tmp_path / "bad.toml"
    cfg.write_text(
        BASE.format(src=EVAL / "idlib.en.txt", ref=EVAL / "idlib.tr.txt") + extra, encoding="utf-8"
    )
    with pytest.raises(ConfigError, match=match) as info:
        load_suite(cfg)
    assert str(cfg) in str(info.value)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("[suite]\nmetrics = ['bleu', 'meteor']\n", "unknown metric 'meteor'"),
        ("[suite]\nsignificance = 't-test'\n", "unknown test 't-test'"),
        ("[suite]\ntargets = ['tr']\nspeed = 1\n", r"\[suite\]: unknown key 'speed'"),
        ("[suite\n", r"bad\.toml:1: invalid TOML"),
        ("[suite]\n", "missing; add \\[testset\\]"),
    ],
)
def test_bad_suite_sections(tmp_path, text, match):
    cfg = tmp_path / "bad.toml"
    cfg.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=match):
        load_suite(cfg)


def test_missing_reference_for_a_target(tmp_path):
    cfg = tmp_path / "s.toml"
    cfg.write_text(
        BASE.format(src=EVAL / "idlib.en.txt", ref=EVAL / "idlib.tr.txt").replace(
            'targets = ["tr"]', 'targets = ["tr", "ru"]'
        ),
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="no reference for target 'ru'; add ru = "):
        load_suite(cfg)


def test_pipeline_translator_uses_only_the_target_languages_model(
    tiny_en_tr, tiny_en_ru, tmp_path, monkeypatch
):
    """A configuration's models table names every target; each run takes its own."""
    from mtalign.cli.evaluate import pipeline_translator

    monkeypatch.setenv("MTALIGN_HOME", str(tmp_path / "home"))
    config = SuiteConfiguration(
        name="both",
        settings={
            "models": {"tr": str(tiny_en_tr), "ru": str(tiny_en_ru)},
            "beam": 1,
            "max_length": 8,
            "quality_gate": False,
            "cache": False,
        },
    )
    out = pipeline_translator()(["One sentence.", "Another one."], "en", "ru", config, None)
    assert len(out) == 2 and all(isinstance(t, str) for t in out)
