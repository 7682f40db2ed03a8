"""``mtalign translate`` end to end with tiny random Marian checkpoints (both engines)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mtalign.cli import main

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "idlib.txt"
GLOSSARY = ROOT / "configs" / "glossaries" / "idlib.toml"


@pytest.fixture(scope="module")
def models(marian_tiny):
    return {t: marian_tiny(t) for t in ("tr", "ru", "ar")}


def _model_args(models, langs):
    out = []
    for t in langs:
        out += ["--model", f"{t}={models[t]}"]
    return out


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split("\n")


@pytest.mark.parametrize(
    "engine, article",
    [("ctranslate2", SEED), ("transformers", ROOT / "tests/data/texts/en_short.txt")],
)
def test_translate_article_into_three_languages(tmp_path, models, engine, article, capsys):
    out = tmp_path / "out"
    rc = main(
        [
            "translate",
            str(article),
            "--to",
            "tr,ru,ar",
            "--src",
            "en",
            "--out",
            str(out),
            "--engine",
            engine,
            "--beam",
            "2",
            *_model_args(models, ("tr", "ru", "ar")),
        ]
    )
    assert rc == 0
    source = _lines(article)
    name = article.stem
    for lang in ("tr", "ru", "ar"):
        written = _lines(out / f"{name}.{lang}.txt")
        assert len(written) == len(source)  # one paragraph per line, kept
        assert all(w.strip() for w, s in zip(written, source, strict=True) if s.strip())
    recs = [json.loads(x) for x in (out / f"{name}.aligned.jsonl").read_text().splitlines()]
    report = json.loads((out / f"{name}.report.json").read_text())
    assert len(recs) == report["counts"]["segments"] > 5
    assert all(set(r["translations"]) == {"tr", "ru", "ar"} for r in recs)
    assert report["targets"]["ar"]["model"]["target_token"] == ">>ara<<"
    assert report["targets"]["tr"]["engine"] == engine
    assert report["targets"]["tr"]["model"]["revision"].startswith("sha256:")
    summary = capsys.readouterr().out
    assert f"{name}: en->tr" in summary and f"{name}: en->ar" in summary


def test_engines_agree_through_the_pipeline(tmp_path, models):
    """Greedy float32: the CTranslate2 and transformers engines give the same text."""
    outs = {}
    for engine in ("ctranslate2", "transformers"):
        out = tmp_path / engine
        rc = main(
            [
                "translate",
                str(ROOT / "tests/data/texts/en_short.txt"),
                "--to",
                "tr",
                "--src",
                "en",
                "--out",
                str(out),
                "--engine",
                engine,
                "--beam",
                "1",
                "--compute-type",
                "float32",
                "--no-cache",
                "--no-gate",
                *_model_args(models, ("tr",)),
            ]
        )
        assert rc == 0
        outs[engine] = (out / "en_short.tr.txt").read_text(encoding="utf-8")
    assert outs["ctranslate2"] == outs["transformers"]


def test_stdout_output(tmp_path, models, capsys):
    src = tmp_path / "a.txt"
    src.write_text("The talks in Moscow ended without a deal on Friday.\n", encoding="utf-8")
    rc = main(
        [
            "translate",
            str(src),
            "--to",
            "tr",
            "--src",
            "en",
            "--out",
            "-",
            *_model_args(models, ("tr",)),
        ]
    )
    assert rc == 0
    out = capsys.readouterr().out
    assert out.endswith("\n") and out.count("\n") == 1 and out.strip()


def test_glossary_enforce_renders_every_term(tmp_path, models):
    out = tmp_path / "out"
    rc = main(
        [
            "translate",
            str(SEED),
            "--to",
            "tr,ru",
            "--src",
            "en",
            "--out",
            str(out),
            "--glossary",
            str(GLOSSARY),
            "--glossary-mode",
            "enforce",
            *_model_args(models, ("tr", "ru")),
        ]
    )
    assert rc == 0
    report = json.loads((out / "idlib.report.json").read_text())
    for lang in ("tr", "ru"):
        g = report["targets"][lang]["glossary"]
        assert g["occurrences"] > 20
        assert g["term_accuracy"] == 1.0, g["hits_by_stage"]
        assert g["mode"] == "enforce"
    text = (out / "idlib.tr.txt").read_text(encoding="utf-8")
    assert "Erdoğan" in text and "İdlib" in text


def test_glossary_check_mode_changes_nothing(tmp_path, models):
    plain, checked = tmp_path / "plain", tmp_path / "checked"
    base = ["translate", str(SEED), "--to", "tr", "--src", "en", *_model_args(models, ("tr",))]
    assert main([*base, "--out", str(plain)]) == 0
    assert main([*base, "--out", str(checked), "--glossary", str(GLOSSARY)]) == 0
    assert (plain / "idlib.tr.txt").read_text() == (checked / "idlib.tr.txt").read_text()
    report = json.loads((checked / "idlib.report.json").read_text())
    g = report["targets"]["tr"]["glossary"]
    assert g["mode"] == "check" and g["occurrences"] == len(g["hits"]) > 0


def test_markdown_and_jsonl_keep_their_format(tmp_path, models):
    md = tmp_path / "a.md"
    md.write_text(
        "# Talks in Moscow\n\n- Putin met Erdogan.\n- They spoke for hours.\n\n"
        "```\nkeep = this\n```\n",
        encoding="utf-8",
    )
    jl = tmp_path / "b.jsonl"
    jl.write_text(
        '{"id": "x1", "text": "Turkey closed its border with Syria.", "src": "wire"}\n'
        '{"id": "x2", "text": "Talks will resume next week in Ankara."}\n',
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert (
        main(
            [
                "translate",
                str(md),
                str(jl),
                "--to",
                "ru",
                "--src",
                "en",
                "--out",
                str(out),
                *_model_args(models, ("ru",)),
            ]
        )
        == 0
    )
    text = (out / "a.ru.md").read_text(encoding="utf-8")
    assert text.startswith("# ") and "\n- " in text and "```\nkeep = this\n```\n" in text
    recs = [json.loads(x) for x in (out / "b.ru.jsonl").read_text().splitlines()]
    assert [r["id"] for r in recs] == ["x1", "x2"] and recs[0]["src"] == "wire"
    assert all(r["lang"] == "ru" for r in recs)


def test_paragraph_unit_returns_sentences(tmp_path, models):
    out = tmp_path / "out"
    assert (
        main(
            [
                "translate",
                str(SEED),
                "--to",
                "tr",
                "--src",
                "en",
                "--out",
                str(out),
                "--unit",
                "paragraph",
                *_model_args(models, ("tr",)),
            ]
        )
        == 0
    )
    recs = [json.loads(x) for x in (out / "idlib.aligned.jsonl").read_text().splitlines()]
    report = json.loads((out / "idlib.report.json").read_text())
    assert len(recs) == report["counts"]["segments"]
    assert report["settings"]["unit"] == "paragraph"
    assert len(_lines(out / "idlib.tr.txt")) == len(_lines(SEED))


@pytest.mark.parametrize(
    "content, name, message",
    [
        ("", "empty.txt", "empty"),
        ("12 345\n6.7\n", "numbers.txt", "too little text"),
    ],
)
def test_inputs_with_nothing_to_translate(tmp_path, models, content, name, message, capsys):
    f = tmp_path / name
    f.write_text(content, encoding="utf-8")
    rc = main(
        [
            "translate",
            str(f),
            "--to",
            "tr",
            "--out",
            str(tmp_path / "o"),
            *_model_args(models, ("tr",)),
        ]
    )
    assert rc == 2
    assert message in capsys.readouterr().err


def test_only_numbers_with_declared_language_passes_through(tmp_path, models):
    f = tmp_path / "numbers.txt"
    f.write_text("12 345\n6.7\n", encoding="utf-8")
    out = tmp_path / "o"
    assert (
        main(
            [
                "translate",
                str(f),
                "--to",
                "tr",
                "--src",
                "en",
                "--out",
                str(out),
                *_model_args(models, ("tr",)),
            ]
        )
        == 0
    )
    assert (out / "numbers.tr.txt").read_text() == "12 345\n6.7\n"


def test_huge_paragraph_is_split_not_truncated(tmp_path, models):
    sentence = "The ministry said the aid convoy, which carried food and medicine, reached Idlib"
    para = ", ".join([sentence] * 2600)[:200_000] + "."
    f = tmp_path / "big.txt"
    f.write_text(para + "\n", encoding="utf-8")
    out = tmp_path / "o"
    assert (
        main(
            [
                "translate",
                str(f),
                "--to",
                "tr",
                "--src",
                "en",
                "--out",
                str(out),
                "--beam",
                "1",
                "--no-gate",
                *_model_args(models, ("tr",)),
            ]
        )
        == 0
    )
    report = json.loads((out / "big.report.json").read_text())
    assert report["targets"]["tr"]["stats"]["split"] >= 1
    assert (out / "big.tr.txt").read_text().strip()


@pytest.mark.parametrize(
    "model_arg, message",
    [
        ("tr={tmp}", "config.json"),
        ("tr={ru}", "ru"),
        ("tr=/does/not/exist", "does not exist"),
    ],
)
def test_bad_models(tmp_path, models, model_arg, message, capsys):
    (tmp_path / "junk.txt").write_text("x")
    arg = model_arg.format(tmp=tmp_path, ru=models["ru"])
    rc = main(["translate", str(SEED), "--to", "tr", "--out", str(tmp_path / "o"), "--model", arg])
    assert rc == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not (tmp_path / "o").exists()  # failed before any work


def test_missing_model_offline_names_the_fix(tmp_path, capsys):
    rc = main(["translate", str(SEED), "--to", "tr", "--out", str(tmp_path / "o")])
    assert rc == 2
    err = capsys.readouterr().err
    assert "opus-mt-tc-big-en-tr" in err and "mtalign models pull en-tr" in err


def test_ctrl_c_keeps_finished_languages_and_resumes(tmp_path, models):
    """SIGINT in the middle of a run: finished outputs and cache stay; a rerun completes."""
    text = "\n".join(
        f"Officials in Ankara said talks number {i} with Moscow would continue next week."
        for i in range(200)
    )
    src = tmp_path / "long.txt"
    src.write_text(text + "\n", encoding="utf-8")
    out = tmp_path / "out"
    env = dict(os.environ, MTALIGN_HOME=str(tmp_path / "home"))
    cmd = [
        sys.executable,
        "-m",
        "mtalign",
        "translate",
        str(src),
        "--to",
        "tr,ru",
        "--src",
        "en",
        "--out",
        str(out),
        "--batch-tokens",
        "512",
        "--beam",
        "1",
        *_model_args(models, ("tr", "ru")),
    ]
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while not (out / "long.tr.txt").exists() and time.time() < deadline and proc.poll() is None:
        time.sleep(0.05)
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    if proc.returncode == 0:
        pytest.skip("the run finished before it could be interrupted")
    assert proc.returncode == 130, err
    assert "interrupted" in err
    assert (out / "long.tr.txt").exists() and not (out / "long.ru.txt").exists()
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]
    rerun = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert "en->tr 200 segments (200 cached" in rerun.stdout
    assert len(_lines(out / "long.ru.txt")) == 201


def test_eval_suite_translates_and_compares(tmp_path, models):
    data = ROOT / "tests" / "data" / "eval"
    config = tmp_path / "suite.toml"
    config.write_text(
        f"""
[suite]
name = "tiny"
src_lang = "en"
targets = ["tr"]
significance = "paired-bs"
n_bootstrap = 100
report = "{tmp_path / "report"}"

[testset]
source = "{data / "idlib.en.txt"}"
glossary = "{GLOSSARY}"

[testset.references]
tr = "{data / "idlib.tr.txt"}"

[[configuration]]
name = "greedy"
beam = 1
[configuration.models]
tr = "{models["tr"]}"

[[configuration]]
name = "beam2-enforce"
beam = 2
glossary_mode = "enforce"
[configuration.models]
tr = "{models["tr"]}"
""",
        encoding="utf-8",
    )
    assert main(["eval-suite", str(config)]) == 0
    report = json.loads((tmp_path / "report" / "report.json").read_text())
    text = json.dumps(report)
    assert "greedy" in text and "beam2-enforce" in text
    assert (tmp_path / "report" / "report.html").exists()


def test_align_with_translation_method(tmp_path, models, capsys):
    src = ROOT / "tests/data/eval/idlib.en.txt"
    tgt = ROOT / "tests/data/eval/idlib.tr.txt"
    out = tmp_path / "al.jsonl"
    rc = main(
        [
            "align",
            str(src),
            str(tgt),
            "--src-lang",
            "en",
            "--tgt-lang",
            "tr",
            "--presegmented",
            "--method",
            "translation+length",
            "--model",
            f"tr={models['tr']}",
            "--format",
            "jsonl",
            "--out",
            str(out),
        ]
    )
    assert rc == 0, capsys.readouterr().err
    beads = [json.loads(x) for x in out.read_text().splitlines()]
    assert sum(len(b["src_ids"]) for b in beads) == len(src.read_text().splitlines())


def test_align_translation_method_needs_a_model(tmp_path, capsys):
    src = ROOT / "tests/data/eval/idlib.en.txt"
    tgt = ROOT / "tests/data/eval/idlib.tr.txt"
    rc = main(
        [
            "align",
            str(src),
            str(tgt),
            "--src-lang",
            "en",
            "--tgt-lang",
            "tr",
            "--presegmented",
            "--method",
            "translation",
        ]
    )
    assert rc == 2
    assert "model" in capsys.readouterr().err


def test_demo_falls_back_to_test_models_with_a_clear_message(tmp_path):
    env = dict(os.environ, MTALIGN_HOME=str(tmp_path / "home"))
    p = subprocess.run(
        [sys.executable, "-m", "mtalign.cli.demo", "tests/data/texts/en_short.txt", str(tmp_path / "demo")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert p.returncode == 0, p.stderr[-2000:]
    assert "real OPUS-MT models are not available" in p.stdout
    assert "mtalign models pull en-tr en-ru en-ar" in p.stdout
    assert "Traceback" not in p.stderr
    for lang in ("tr", "ru", "ar"):
        assert (tmp_path / "demo" / f"en_short.{lang}.txt").exists()
    # Its own translation memory, new on the first run: nothing reused from elsewhere.
    assert "translation memory: " in p.stdout and "new: nothing is reused" in p.stdout
    assert (tmp_path / "demo" / "demo-tm.sqlite").is_file()
    assert "(0 cached" in p.stdout and "cached, " in p.stdout
