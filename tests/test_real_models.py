"""The real-weights tier: properties any good model must keep on its way through mtalign.

Runs when ``MTALIGN_REAL_MODELS=DIR`` points at downloaded OPUS-MT checkpoints (every
registry pair found there, in any layout of :mod:`mtalign.models.local`); skipped, with
that reason, otherwise. ``make test-real`` runs it; docs/real-models.md says how to get
the checkpoints and what each assertion guards. Each test names its guard in its docstring.

The test article is the reference article of ``mtalign models check`` (28 sentences, with
the team's Turkish, Russian and Arabic translations). ``MTALIGN_REAL_MAX_LENGTH=N`` caps
output tokens; only the tier's own tests set it, to run it on random test models, which
never stop by themselves.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from mtalign.models import FoundModel, find_checkpoints, load_registry, resolve_model
from mtalign.pipeline import modelcheck as mc

ROOT = Path(__file__).resolve().parent.parent
REAL_ENV = "MTALIGN_REAL_MODELS"
CAP_ENV = "MTALIGN_REAL_MAX_LENGTH"
COMET_ENV = "MTALIGN_REAL_COMET"

#: Glossary enforce must reach this term accuracy ...
MIN_TERM_ACCURACY = 0.98
#: ... while losing at most this much chrF++ against the same model without it.
MAX_ENFORCE_CHRF_DROP = 1.0
#: Share of clean news sentences the quality gate may flag.
MAX_FLAGGED = 0.05
#: CTranslate2 and transformers at float32: identical tokens in this share of sentences ...
MIN_SAME_TOKENS = 0.8
#: ... and this chrF++ between their outputs.
MIN_ENGINE_CHRF = 90.0
#: Share of sentences whose output is closest to its own reference (not a neighbour's).
MIN_ALIGNED = 0.8
#: Strict precision and recall of translation-based sentence alignment.
MIN_ALIGN_F = 0.9


def _discover() -> tuple[list[FoundModel], str]:
    root = os.environ.get(REAL_ENV, "").strip()
    if not root:
        return [], (
            f"{REAL_ENV} is not set: the real-weights tier needs downloaded OPUS-MT "
            f"checkpoints ({REAL_ENV}=DIR make test-real; see docs/real-models.md)"
        )
    path = Path(root).expanduser()
    if not path.is_dir():
        return [], f"error: {REAL_ENV}={root} is not a folder"
    found = find_checkpoints(path, load_registry())
    if not found:
        return [], (
            f"no registry model in {REAL_ENV}={root}: looked for e.g. opus-mt-tc-big-en-tr/, "
            "Helsinki-NLP/opus-mt-tc-big-en-tr/, models--Helsinki-NLP--opus-mt-tc-big-en-tr/ "
            "or en-tr/ (see docs/real-models.md)"
        )
    return found, ""


FOUND, REASON = _discover()
if FOUND:
    MODELS = [pytest.param(f, id=f.id) for f in FOUND]
elif REASON.startswith("error:"):
    MODELS = [pytest.param(None, id="bad-dir")]
else:
    MODELS = [pytest.param(None, id="no-models", marks=pytest.mark.skip(reason=REASON))]
pytestmark = pytest.mark.real_model

_CACHE: dict[Any, Any] = {}


def _cap() -> int | None:
    value = os.environ.get(CAP_ENV, "").strip()
    return int(value) if value else None


def _model(found: FoundModel | None) -> Any:
    if found is None:
        pytest.fail(REASON)
    key = ("model", found.id)
    if key not in _CACHE:
        e = found.entry
        _CACHE[key] = resolve_model(found.path, src=e.src, tgt=e.tgt, target_token=e.target_token)
    return _CACHE[key]


def _check(found: FoundModel) -> mc.PairCheck:
    """``models check`` of the model: CTranslate2 int8 and transformers float32."""
    key = ("check", found.id)
    if key not in _CACHE:
        _CACHE[key] = mc.check_model(_model(found), max_length=_cap())
    return _CACHE[key]


def _texts(found: FoundModel) -> tuple[list[str], list[str]]:
    srcs, refs = mc.reference_texts(found.entry.src, found.entry.tgt)
    if srcs is None or refs is None:
        pytest.skip(f"no reference translation of the article for {found.entry.pair}")
    return srcs, refs


def _chrf(hyp: str, ref: str) -> float:
    from sacrebleu.metrics import CHRF

    return float(CHRF(word_order=2).sentence_score(hyp, [ref]).score)


@pytest.mark.parametrize("found", MODELS)
def test_chrf_above_the_floor(found):
    """Guards: a wrong model for the pair, a missing or wrong target token (another
    language or variety), a broken tokenizer or conversion: each scores far below the
    floor (broken outputs measured on these references: at most 17.4 chrF++)."""
    _texts(found)
    check = _check(found)
    for run in check.runs:
        assert run.chrf is not None and run.chrf >= mc.CHRF_FLOOR, (
            f"{found.id} on {run.engine}: chrF++ {run.chrf} < {mc.CHRF_FLOOR}; "
            f"first outputs: {run.outputs[:2]}"
        )


@pytest.mark.parametrize("found", MODELS)
def test_glossary_enforce_reaches_the_terms_without_hurting_the_rest(found):
    """Guards: glossary enforcement (n-best rerank, prefix repair, post-edit) on real
    n-best lists and attention: term accuracy >= 0.98, and at most 1 chrF++ lost."""
    _texts(found)
    runs = [run for run in _check(found).runs if run.terms_off is not None]
    if not runs:
        pytest.skip(f"the article's glossary has no {found.entry.pair} terms (English source)")
    for run in runs:  # CTranslate2: the check enforces on its first engine
        assert run.terms_enforce is not None and run.terms_enforce >= MIN_TERM_ACCURACY, (
            f"{run.engine}: term accuracy {run.terms_off} off -> {run.terms_enforce} enforce"
        )
        drop = (run.chrf or 0) - (run.chrf_enforce or 0)
        assert drop <= MAX_ENFORCE_CHRF_DROP, f"{run.engine}: enforce cost {drop:.2f} chrF++"


@pytest.mark.parametrize("found", MODELS)
def test_quality_gate_is_quiet_on_clean_news(found):
    """Guards: false alarms of the quality gate (wrong language, lost numbers, copies,
    loops) on good translations of clean news: at most 5% of the sentences flagged."""
    _texts(found)
    for run in _check(found).runs:
        assert run.flagged <= MAX_FLAGGED * run.segments, (
            f"{run.engine}: {run.flagged}/{run.segments} flagged ({run.flags})"
        )


@pytest.mark.parametrize("found", MODELS)
def test_ctranslate2_and_transformers_agree(found):
    """Guards: the CTranslate2 conversion (vocabulary, target token, shared embeddings,
    the stored lm_head of tc-big uploads) and both engines' tokenisation: at float32 they
    must give the same tokens for most sentences."""
    srcs, _ = mc.reference_texts(found.entry.src, found.entry.tgt)
    if srcs is None:
        pytest.skip(f"no article in {found.entry.src}")
    model = _model(found)
    runs = [
        mc.run_engine(model, engine, srcs, None, "float32", max_length=_cap(), glossary=False)
        for engine in ("ctranslate2", "transformers")
    ]
    same = sum(1 for s in srcs if runs[0].tokens.get(s) == runs[1].tokens.get(s))
    assert same >= MIN_SAME_TOKENS * len(srcs), f"same tokens in {same}/{len(srcs)} sentences"
    chrf = mc._corpus_chrf(runs[0].first_pass(srcs), runs[1].first_pass(srcs))
    assert chrf >= MIN_ENGINE_CHRF, f"chrF++ between the engines' outputs: {chrf:.1f}"


def _paragraph_source(found: FoundModel, srcs: list[str], folder: Path) -> Path:
    """The article as paragraphs in the source language (the English seed's grouping)."""
    from mtalign.document import load_document

    seed = ROOT / "seeds" / "idlib.txt"
    if found.entry.src == "en":
        return seed
    doc, _ = load_document(str(seed), lang="en")
    groups, i = [], 0
    for para in doc.paragraphs:
        if para.segments:
            groups.append(srcs[i : i + len(para.segments)])
            i += len(para.segments)
    path = folder / f"idlib.{found.entry.src}.txt"
    path.write_text("\n\n".join(" ".join(g) for g in groups) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("found", MODELS)
def test_paragraph_unit_keeps_sentence_alignment(found, tmp_path, capsys):
    """Guards: ``--unit paragraph`` (whole paragraphs to the model, the output split and
    aligned back to the source sentences): one output per source sentence, each closest to
    its own reference rather than a neighbour's, and chrF++ above the floor."""
    from mtalign.cli import main

    srcs, refs = _texts(found)
    e = found.entry
    src_file = _paragraph_source(found, srcs, tmp_path)
    out = tmp_path / "out"
    code = main(["translate", str(src_file), "--to", e.tgt, "--src", e.src, "--unit",
                 "paragraph", "--model", f"{e.tgt}={found.path}", "--out", str(out),
                 "--no-cache", "--engine", "ctranslate2"])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    records = [
        json.loads(line)
        for line in (out / f"{src_file.name.split('.')[0]}.aligned.jsonl").read_text().splitlines()
    ]
    sources = [r["source"] for r in records]
    if e.src != "en" and sources != srcs:
        pytest.skip(f"the {e.src} segmenter splits the paragraphs differently from the lines")
    assert sources == srcs
    hyps = [r["translations"][e.tgt] for r in records]
    assert all(h.strip() for h in hyps)
    closest = sum(
        1
        for i, h in enumerate(hyps)
        if _chrf(h, refs[i]) >= max(_chrf(h, refs[j]) for j in (i - 1, i + 1) if 0 <= j < len(refs))
    )
    assert closest >= MIN_ALIGNED * len(hyps), f"{closest}/{len(hyps)} closest to their own"
    chrf = mc._corpus_chrf(hyps, refs)
    assert chrf >= mc.CHRF_FLOOR, f"paragraph unit chrF++ {chrf:.1f}"


@pytest.mark.parametrize("found", MODELS)
def test_align_with_the_translation_method(found, tmp_path, capsys):
    """Guards: ``mtalign align --method translation`` with the real model (direction,
    target token, the translate callback): the article against its reference with two
    sentence pairs merged (2-1 beads) and one sentence dropped (1-0) is aligned with strict
    precision and recall >= 0.9."""
    from mtalign.align import score_beads
    from mtalign.cli import main

    srcs, refs = _texts(found)
    e = found.entry
    tgt_lines, gold, j, i = [], [], 0, 0
    while i < len(srcs):
        if i in (5, 15) and i + 1 < len(srcs):  # two source sentences, one target line
            tgt_lines.append(f"{refs[i]} {refs[i + 1]}")
            gold.append(((i, i + 1), (j,)))
            i, j = i + 2, j + 1
        elif i == 20:  # dropped from the target
            gold.append(((i,), ()))
            i += 1
        else:
            tgt_lines.append(refs[i])
            gold.append(((i,), (j,)))
            i, j = i + 1, j + 1
    src_file, tgt_file = tmp_path / f"a.{e.src}.txt", tmp_path / f"a.{e.tgt}.txt"
    src_file.write_text("\n".join(srcs) + "\n", encoding="utf-8")
    tgt_file.write_text("\n".join(tgt_lines) + "\n", encoding="utf-8")
    out = tmp_path / "beads.jsonl"
    code = main(["align", str(src_file), str(tgt_file), "--src-lang", e.src, "--tgt-lang",
                 e.tgt, "--presegmented", "--method", "translation", "--model",
                 f"{e.tgt}={found.path}", "--format", "jsonl", "--out", str(out)])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    beads = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert sorted(i for b in beads for i in b["src_ids"]) == list(range(len(srcs)))
    precision, recall, _ = score_beads([(b["src_ids"], b["tgt_ids"]) for b in beads], gold).strict
    assert precision >= MIN_ALIGN_F and recall >= MIN_ALIGN_F, (precision, recall)


@pytest.mark.parametrize("found", MODELS)
def test_comet_ranks_the_translation_above_broken_ones(found):
    """Guards: the COMET integration with a real checkpoint (source, hypothesis and
    reference in the right slots, the model id in the signature): the model's translation
    scores above a copy of the source and above translations shifted by one line."""
    from mtalign.evaluate import EvalOptions, evaluate_texts
    from mtalign.evaluate.comet import comet_available, load_scorer

    spec = os.environ.get(COMET_ENV, "").strip()
    if not spec or not comet_available():
        pytest.skip(f"set {COMET_ENV}=ID_OR_PATH and install mtalign[comet] to test COMET")
    srcs, refs = _texts(found)
    hyps = _check(found).runs[0].outputs
    systems = [("model", hyps), ("source copy", srcs), ("shifted", hyps[1:] + hyps[:1])]
    ev = evaluate_texts(
        systems, [refs], found.entry.tgt, srcs=srcs,
        options=EvalOptions(metrics="comet", n_bootstrap=0, comet=load_scorer(spec), aligner=False),
    )  # fmt: skip
    model, copy, shifted = (s.scores["comet"] for s in ev.systems)
    assert model.value > copy.value and model.value > shifted.value
    assert spec in model.signature
