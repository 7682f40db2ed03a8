"""COMET in evaluate and eval-suite, through a stub scorer behind the real interface.

The unbabel-comet implementation is exercised with a fake ``comet`` module (its documented
API: ``download_model``, ``load_from_checkpoint``, ``predict(...).scores``); the real
checkpoint runs only in the real-weights tier (tests/test_real_models.py).
"""

from __future__ import annotations

import dataclasses
import json
import sys
import types
from pathlib import Path

import pytest

from mtalign.errors import InputError, ModelError
from mtalign.evaluate import EvalOptions, Report, evaluate_texts, render_html, render_json
from mtalign.evaluate.comet import CometScorer, Scorer, is_reference_free, load_scorer
from mtalign.evaluate.qe import evaluate_qe
from mtalign.testing.comet import StubScorer

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT / "tests" / "data" / "eval"


def lines(name: str) -> list[str]:
    return (EVAL / name).read_text(encoding="utf-8").splitlines()


def degrade(texts: list[str], keep: float) -> list[str]:
    return [" ".join(t.split()[: max(1, int(len(t.split()) * keep))]) for t in texts]


@pytest.fixture(scope="module")
def data():
    src, ref = lines("idlib.en.txt"), lines("idlib.tr.txt")
    return {"src": src, "ref": ref, "good": degrade(ref, 0.95), "bad": degrade(ref, 0.5)}


def _evaluate(data, scorer, **kw):
    systems = [("good", data["good"]), ("bad", data["bad"])]
    options = EvalOptions(
        **{"metrics": "bleu,chrf,ter,comet", "n_bootstrap": 200, "confidence": True, **kw}
    )
    options = dataclasses.replace(options, comet=scorer)
    return evaluate_texts(systems, [data["ref"]], "tr", srcs=data["src"], options=options)


def test_stub_is_a_scorer():
    assert isinstance(StubScorer(), Scorer)
    assert isinstance(CometScorer("Unbabel/wmt22-comet-da"), Scorer)


def test_system_and_segment_scores(data):
    stub = StubScorer()
    ev = _evaluate(data, stub)
    assert ev.metrics == ("bleu", "chrf", "ter", "comet")
    good, bad = ev.systems
    seg = good.segment_scores["comet"]
    assert len(seg) == 28 == len(good.segments)
    comet = good.scores["comet"]
    assert comet.name == "COMET"
    assert comet.value == pytest.approx(100 * sum(seg) / len(seg), abs=1e-4)
    assert comet.ci is not None and comet.ci[0] < comet.value < comet.ci[1]
    assert bad.scores["comet"].value < comet.value
    assert "model:stub/comet-da" in comet.signature and "scale:100" in comet.signature
    assert "nrefs:1" in comet.signature and "bs:200" in comet.signature
    assert stub.calls == [28, 28]  # each system scored once


@pytest.mark.parametrize("method", ["paired-bs", "paired-ar"])
def test_paired_significance_like_the_other_metrics(data, method):
    stub = StubScorer()
    ev = _evaluate(data, stub, significance=method, n_trials=500)
    base, other = (s.scores["comet"] for s in ev.systems)
    assert "p_value" not in base.extra
    assert other.extra["p_value"] < 0.05 and other.extra["significant"]
    assert f"{method[-2:]}:" in other.signature and "seed:12345" in other.signature
    assert stub.calls == [28, 28]
    again = _evaluate(data, StubScorer(), significance=method, n_trials=500)
    assert again.systems[1].scores["comet"].extra["p_value"] == other.extra["p_value"]
    # The same resampling as chrF++: a tie gets the p-value chrF++ gets for a tie.
    tie = evaluate_texts(
        [("a", data["good"]), ("b", data["good"])], [data["ref"]], "tr", srcs=data["src"],
        options=EvalOptions(
            metrics="chrf,comet", significance=method, n_bootstrap=100, n_trials=100,
            comet=StubScorer(),
        ),
    )  # fmt: skip
    scores = tie.systems[1].scores
    assert scores["comet"].extra["p_value"] == scores["chrf"].extra["p_value"]


def test_reports_carry_comet(data):
    ev = _evaluate(data, StubScorer())
    report = Report((ev,))
    js = json.loads(render_json(report))
    system = js["evaluations"][0]["systems"][0]
    assert system["scores"]["comet"]["signature"].startswith("nrefs:1|bs:200|seed:12345|model:")
    assert all(0 <= s["comet"] <= 1 for s in system["segments"])
    html = render_html(report)
    assert '<th class="num">COMET</th>' in html
    assert "model:stub/comet-da" in html


def test_reference_free_qe(data):
    stub = StubScorer(model_id="stub/cometkiwi-da", reference_free=True)
    systems = [("good", data["good"]), ("copy", data["src"])]
    options = EvalOptions(significance="paired-bs", n_bootstrap=100)
    ev = evaluate_qe(systems, data["src"], "tr", stub, options=options)
    assert ev.metrics == ("comet",) and ev.refs == () and ev.meta == {"reference_free": True}
    copy = ev.systems[1].scores["comet"]
    assert copy.value < ev.systems[0].scores["comet"].value
    assert "nrefs:0" in copy.signature and "model:stub/cometkiwi-da" in copy.signature
    assert "p_value" in copy.extra
    html = render_html(Report((ev,)))
    assert "Lowest COMET-QE" in html
    with pytest.raises(InputError, match="needs one; pass --ref.*wmt22-cometkiwi-da"):
        evaluate_qe(systems, data["src"], "tr", StubScorer())
    with pytest.raises(InputError, match="one line per source line"):
        evaluate_qe([("short", data["good"][:5])], data["src"], "tr", stub)


def test_without_the_extra_the_error_names_extra_and_checkpoint(monkeypatch):
    import mtalign.evaluate.comet as comet_mod

    monkeypatch.setattr(comet_mod, "comet_available", lambda: False)
    with pytest.raises(ModelError) as info:
        load_scorer("Unbabel/wmt22-comet-da")
    message = str(info.value)
    assert "mtalign[comet]" in message and "checkpoint" in message
    assert "Unbabel/wmt22-comet-da" in message and "\n" not in message


def test_cli_errors(tmp_path, capsys, monkeypatch):
    import mtalign.evaluate.comet as comet_mod
    from mtalign.cli import main

    monkeypatch.setattr(comet_mod, "comet_available", lambda: False)
    hyp, ref, src = (str(EVAL / f"idlib.{x}.txt") for x in ("tr", "tr", "en"))
    base = ["evaluate", "--hyp", hyp, "--lang", "tr"]
    cases = [
        (["--ref", ref, "--src", src, "--metrics", "bleu,comet"], "mtalign[comet]"),
        (["--ref", ref, "--metrics", "bleu,comet"], "needs --src"),
        (["--ref", ref, "--comet-model", "x"], "add comet to --metrics"),
        (["--src", src, "--metrics", "bleu"], "only --metrics comet"),
        (["--src", src, "--metrics", "comet"], "checkpoint"),  # QE: still needs the extra
    ]
    for extra, words in cases:
        assert main(base + extra) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and words in err[0], err


def test_cli_with_a_scorer(tmp_path, capsys, monkeypatch):
    """The command line end to end, the stub standing in for the loaded checkpoint."""
    import mtalign.evaluate.comet as comet_mod
    from mtalign.cli import main

    monkeypatch.setattr(
        comet_mod, "load_scorer", lambda model, has_refs=True: StubScorer(
            model_id=model or "stub/default", reference_free=not has_refs
        ),
    )  # fmt: skip
    src, ref = EVAL / "idlib.en.txt", EVAL / "idlib.tr.txt"
    report = tmp_path / "rep"
    args = ["evaluate", "--hyp", str(ref), "--ref", str(ref), "--src", str(src), "--lang", "tr",
            "--metrics", "chrf,comet", "--comet-model", "my/comet", "--report", str(report),
            "--format", "json", "--n-bootstrap", "50"]  # fmt: skip
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "COMET" in out and "100.00" in out
    data = json.loads((report / "report.json").read_text(encoding="utf-8"))
    assert data["settings"]["comet_model"] == "my/comet"
    # Without --ref: reference-free.
    assert main(["evaluate", "--hyp", str(ref), "--src", str(src), "--lang", "tr",
                 "--metrics", "comet", "--n-bootstrap", "50"]) == 0  # fmt: skip
    assert "COMET" in capsys.readouterr().out


# ------------------------------------------------------------------ the unbabel-comet side


@pytest.fixture
def fake_comet(monkeypatch):
    """A ``comet`` module with unbabel-comet's API, recording what it is given."""
    seen: dict = {"predict": []}
    mod = types.ModuleType("comet")

    def download_model(model, saving_directory=None, local_files_only=False):
        seen["download"] = (model, local_files_only)
        if model == "missing/model":
            raise KeyError(f"Model '{model}' not supported by COMET.")
        return f"/cache/{model}/checkpoints/model.ckpt"

    class Model:
        def __init__(self, path):
            self.qe = "kiwi" in path

        def requires_references(self):
            return not self.qe

        def predict(self, samples, batch_size=8, gpus=1, progress_bar=True):
            seen["predict"].append((samples, gpus))
            return types.SimpleNamespace(scores=[0.5 + 0.01 * i for i in range(len(samples))])

    def load_from_checkpoint(path, reload_hparams=False, strict=False, local_files_only=False):
        seen["load"] = path
        return Model(path)

    mod.download_model = download_model
    mod.load_from_checkpoint = load_from_checkpoint
    monkeypatch.setitem(sys.modules, "comet", mod)
    import mtalign.evaluate.comet as comet_mod

    monkeypatch.setattr(comet_mod, "comet_available", lambda: True)
    return seen


def test_unbabel_comet_reference_based(fake_comet):
    scorer = load_scorer(None)
    assert scorer.model_id == "Unbabel/wmt22-comet-da" and not scorer.reference_free
    assert scorer.score(["a", "b"], ["x", "y"], ["r", "s"]) == [0.5, 0.51]
    samples, gpus = fake_comet["predict"][0]
    assert samples == [{"src": "a", "mt": "x", "ref": "r"}, {"src": "b", "mt": "y", "ref": "s"}]
    assert gpus == 0
    assert fake_comet["download"] == ("Unbabel/wmt22-comet-da", True)  # tests run offline
    with pytest.raises(ModelError, match="needs references"):
        scorer.score(["a"], ["x"], None)


def test_unbabel_comet_reference_free(fake_comet):
    scorer = load_scorer(None, has_refs=False)
    assert scorer.model_id == "Unbabel/wmt22-cometkiwi-da" and scorer.reference_free
    scorer.score(["a"], ["x"], ["ignored"])
    assert fake_comet["predict"][0][0] == [{"src": "a", "mt": "x"}]
    assert is_reference_free("Unbabel/wmt23-cometkiwi-da-xl")
    assert not is_reference_free("Unbabel/wmt22-comet-da")


def test_missing_checkpoint_names_it_and_the_extra(fake_comet):
    with pytest.raises(ModelError) as info:
        load_scorer("missing/model").score(["a"], ["x"], ["r"])
    message = str(info.value)
    assert "COMET checkpoint missing/model is not available" in message
    assert "mtalign[comet] is installed" in message and "--comet-model" in message


def test_local_checkpoint(tmp_path, fake_comet):
    folder = tmp_path / "comet"
    folder.mkdir()
    with pytest.raises(ModelError, match="hparams.yaml and checkpoints/model.ckpt"):
        load_scorer(str(folder)).score(["a"], ["x"], ["r"])
    (folder / "checkpoints").mkdir()
    (folder / "checkpoints" / "model.ckpt").write_bytes(b"x")
    (folder / "hparams.yaml").write_text("pretrained_model: xlm-roberta-large\n")
    load_scorer(str(folder)).score(["a"], ["x"], ["r"])
    assert fake_comet["load"] == str(folder / "checkpoints" / "model.ckpt")
    assert "download" not in fake_comet


def test_eval_suite_with_comet(tmp_path):
    from mtalign.evaluate.suite import load_suite, run_suite

    config = tmp_path / "suite.toml"
    config.write_text(
        f"""
[suite]
metrics = ["chrf", "comet"]
comet_model = "stub/comet-da"
n_bootstrap = 50
[testset]
source = "{EVAL / "idlib.en.txt"}"
[testset.references]
tr = "{EVAL / "idlib.tr.txt"}"
[[configuration]]
name = "a"
[[configuration]]
name = "b"
beam = 1
""",
        encoding="utf-8",
    )
    suite = load_suite(config)
    assert suite.metrics == ("chrf", "comet") and suite.comet_model == "stub/comet-da"

    def translate(texts, src, tgt, conf, glossary):
        ref = lines(f"idlib.{tgt}.txt")
        return degrade(ref, 0.9 if conf.beam >= 4 else 0.5)

    stub = StubScorer()
    result = run_suite(suite, translate, comet=stub)
    ev = result.report.evaluations[0]
    assert [s.scores["comet"].value > 0 for s in ev.systems] == [True, True]
    assert ev.systems[1].scores["comet"].extra["p_value"] < 0.05
    assert result.report.settings["comet_model"] == "stub/comet-da"
