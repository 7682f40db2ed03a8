"""Scores, significance, per-segment statistics and bad input of mtalign.evaluate."""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest

from mtalign.errors import InputError
from mtalign.evaluate import EvalOptions, evaluate_files, evaluate_texts, parse_metrics
from mtalign.evaluate.alignment import common_units, hyp_lines_per_unit
from mtalign.evaluate.inputs import split_lines
from mtalign.evaluate.metrics import bleu_tokenizer
from mtalign.evaluate.segments import TermOccurrence, has_repetition, judge_language
from mtalign.evaluate.terms import TermReport, summarize
from mtalign.types import Alignment, Bead

DATA = Path(__file__).parent / "data"
EVAL = DATA / "eval"
FIX = DATA / "evaluate"
N = 200  # bootstrap resamples in tests


def perturb(lines: list[str], drop: float, seed: int) -> list[str]:
    """A deterministic degraded copy: words dropped, some neighbours swapped."""
    rng = random.Random(seed)
    out = []
    for line in lines:
        words = [w for w in line.split() if rng.random() > drop]
        if len(words) > 3 and rng.random() < 0.5:
            i = rng.randrange(len(words) - 1)
            words[i], words[i + 1] = words[i + 1], words[i]
        out.append(" ".join(words))
    return out


def lines_of(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def sacrebleu_cli(*args: str, seed: int = 12345) -> str:
    env = {**os.environ, "SACREBLEU_SEED": str(seed)}
    proc = subprocess.run(
        [sys.executable, "-m", "sacrebleu", *args],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return proc.stdout


@pytest.fixture(scope="module")
def systems_tr(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Two degraded copies of the Turkish idlib reference, and the reference itself."""
    d = tmp_path_factory.mktemp("tr")
    ref = lines_of(EVAL / "idlib.tr.txt")
    return {
        "ref": EVAL / "idlib.tr.txt",
        "a": write(d / "a.tr.txt", perturb(ref, 0.1, 1)),
        "b": write(d / "b.tr.txt", perturb(ref, 0.3, 2)),
    }


# --------------------------------------------------------------- equal to sacrebleu's CLI

CLI_CASES = [
    # (target, hyp source, ref files, tokenize, sacrebleu extra args)
    ("tr", "idlib.tr.txt", ["idlib.tr.txt"], None, []),
    ("tr", "idlib.tr.txt", ["idlib.tr.txt"], "intl", ["-tok", "intl"]),
    ("ru", "moscow_ports.ru.txt", ["moscow_ports.ru.txt"], None, []),
    ("ar", "ankara_economy.ar.txt", ["ankara_economy.ar.txt"], None, []),
    ("zh", None, None, None, ["-tok", "zh"]),
]


@pytest.mark.parametrize(("lang", "hyp_src", "refs", "tok", "extra"), CLI_CASES)
def test_scores_equal_sacrebleu_cli(tmp_path, lang, hyp_src, refs, tok, extra):
    if hyp_src is None:
        hyp, ref_paths = FIX / "hyp_zh.txt", [FIX / "ref_zh.txt"]
    else:
        hyp = write(tmp_path / f"hyp.{lang}.txt", perturb(lines_of(EVAL / hyp_src), 0.2, 7))
        ref_paths = [EVAL / r for r in refs]
    ev = evaluate_files([hyp], ref_paths, lang, options=EvalOptions(tokenize=tok))
    out = sacrebleu_cli(
        *map(str, ref_paths), "-i", str(hyp), "-m", "bleu", "chrf", "ter",
        "-w", "4", "-f", "json", *extra,
    )  # fmt: skip
    expected = {d["name"]: d for d in json.loads(out)}
    got = {s.name: s for s in ev.systems[0].scores.values()}
    assert set(got) == set(expected) == {"BLEU", "chrF2", "TER"}
    for name, d in expected.items():
        assert round(got[name].value, 4) == d["score"], name
        assert got[name].signature == d["signature"], name


def test_two_references_equal_cli(tmp_path):
    ref1 = lines_of(EVAL / "idlib.tr.txt")
    ref2 = write(tmp_path / "ref2.tr.txt", perturb(ref1, 0.15, 3))
    hyp = write(tmp_path / "hyp.tr.txt", perturb(ref1, 0.25, 4))
    ev = evaluate_files(
        [hyp], [EVAL / "idlib.tr.txt", ref2], "tr",
        options=EvalOptions(metrics="bleu,chrf++,ter", n_bootstrap=0),
    )  # fmt: skip
    out = sacrebleu_cli(
        str(EVAL / "idlib.tr.txt"), str(ref2), "-i", str(hyp), "-m", "bleu", "chrf", "ter",
        "--chrf-word-order", "2", "-w", "4", "-f", "json",
    )  # fmt: skip
    for d in json.loads(out):
        score = next(s for s in ev.systems[0].scores.values() if s.name == d["name"])
        assert round(score.value, 4) == d["score"]
        assert "nrefs:2" in score.signature


def test_confidence_interval_equals_cli(systems_tr):
    ev = evaluate_files(
        [systems_tr["a"]],
        [systems_tr["ref"]],
        "tr",
        options=EvalOptions(metrics="bleu,chrf++,ter", n_bootstrap=N, seed=777, confidence=True),
    )
    out = sacrebleu_cli(
        str(systems_tr["ref"]), "-i", str(systems_tr["a"]), "-m", "bleu", "chrf", "ter",
        "--chrf-word-order", "2", "-w", "4", "-f", "json", "--confidence",
        "--confidence-n", str(N), seed=777,
    )  # fmt: skip
    for d in json.loads(out):
        score = next(s for s in ev.systems[0].scores.values() if s.name == d["name"])
        assert round(score.extra["mean"], 4) == d["confidence_mean"]
        assert round(score.extra["ci_halfwidth"], 4) == d["confidence_var"]
        assert "seed:777" in score.signature and f"bs:{N}" in score.signature


_CELL = re.compile(r"(\d+\.\d+) \((\d+\.\d+) ± (\d+\.\d+)\)")
_P = re.compile(r"\(p = (\d\.\d+)\)")


def test_paired_bootstrap_equals_cli(systems_tr):
    ev = evaluate_files(
        [systems_tr["a"], systems_tr["b"]],
        [systems_tr["ref"]],
        "tr",
        options=EvalOptions(metrics="bleu,chrf++,ter", significance="paired-bs", n_bootstrap=N),
    )
    out = sacrebleu_cli(
        str(systems_tr["ref"]), "-i", str(systems_tr["a"]), str(systems_tr["b"]),
        "-m", "bleu", "chrf", "ter", "--chrf-word-order", "2", "--paired-bs",
        "--paired-bs-n", str(N), "-w", "4", "-f", "text", "--no-color",
    )  # fmt: skip
    cells = _CELL.findall(out)
    pvals = [float(p) for p in _P.findall(out)]
    assert len(cells) == 6 and len(pvals) == 3
    ours = [s for sys_ in ev.systems for s in sys_.scores.values()]
    for (score, mean, half), mine in zip(cells, ours, strict=True):
        assert round(mine.value, 4) == float(score)
        assert round(mine.extra["mean"], 4) == float(mean)
        assert round(mine.extra["ci_halfwidth"], 4) == float(half)
    b = ev.systems[1].scores
    assert [round(b[k].extra["p_value"], 4) for k in ("bleu", "chrf++", "ter")] == pvals
    assert "p_value" not in ev.systems[0].scores["bleu"].extra
    assert ev.significance.baseline == "a.tr"


@pytest.mark.parametrize("method", ["paired-bs", "paired-ar"])
def test_significance_is_seeded_and_reproducible(systems_tr, method):
    def run(seed: int):
        ev = evaluate_files(
            [systems_tr["a"], systems_tr["b"]],
            [systems_tr["ref"]],
            "tr",
            options=EvalOptions(
                metrics="bleu,chrf",
                significance=method,
                n_bootstrap=N,
                n_trials=300,
                seed=seed,
                confidence=True,
            ),
        )
        return [
            (k, s.value, s.ci, s.extra.get("p_value"))
            for sy in ev.systems
            for k, s in sy.scores.items()
        ]

    before = os.environ.get("SACREBLEU_SEED")
    first = run(42)
    assert first == run(42)
    assert first != run(43)  # CIs move with the seed
    assert os.environ.get("SACREBLEU_SEED") == before  # the seed is restored


def test_significance_needs_two_systems(systems_tr):
    with pytest.raises(InputError, match="two or more"):
        evaluate_files(
            [systems_tr["a"]],
            [systems_tr["ref"]],
            "tr",
            options=EvalOptions(significance="paired-bs"),
        )


# --------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("bleu,chrf,ter", ["bleu", "chrf", "ter"]),
        ("chrF++", ["chrf++"]),
        ("chrf,chrF2,chrf2++,chrfpp", ["chrf", "chrf++"]),
        (["TER", "bleu", "ter"], ["ter", "bleu"]),
    ],
)
def test_parse_metrics(spec, expected):
    assert parse_metrics(spec) == expected


def test_unknown_metric_lists_known_ones(systems_tr):
    with pytest.raises(
        InputError, match="unknown metric 'bleurt'.*bleu, chrf, chrf\\+\\+, ter, comet"
    ):
        evaluate_files(
            [systems_tr["a"]], [systems_tr["ref"]], "tr", options=EvalOptions(metrics="bleu,bleurt")
        )


@pytest.mark.parametrize(
    ("lang", "tok", "expected"),
    [("tr", None, "13a"), ("ar", "intl", "intl"), ("zh", None, "zh"), ("ru", "char", "char")],
)
def test_bleu_tokenizer(lang, tok, expected):
    assert bleu_tokenizer(lang, tok) == expected


@pytest.mark.parametrize(
    ("tok", "match"), [("flores200", "downloads"), ("spm", "downloads"), ("xx", "unknown")]
)
def test_refused_tokenizers(tok, match):
    with pytest.raises(InputError, match=match):
        bleu_tokenizer("tr", tok)


def test_different_lengths_without_aligner_name_both_counts(tmp_path, systems_tr):
    short = write(tmp_path / "short.tr.txt", lines_of(systems_tr["a"])[:-3])
    with pytest.raises(InputError, match=r"short\.tr\.txt has 25 lines.*idlib\.tr\.txt has 28"):
        evaluate_files(
            [short], [systems_tr["ref"]], "tr", options=EvalOptions(aligner=None, n_bootstrap=0)
        )


def test_empty_hypothesis_file(tmp_path, systems_tr):
    empty = tmp_path / "empty.tr.txt"
    empty.write_text("\n  \n", encoding="utf-8")
    with pytest.raises(InputError, match=r"hypothesis .*empty\.tr\.txt: the file is empty"):
        evaluate_files([empty], [systems_tr["ref"]], "tr")


def test_empty_reference_file(tmp_path, systems_tr):
    empty = tmp_path / "ref.tr.txt"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match=r"reference .*ref\.tr\.txt: the file is empty"):
        evaluate_files([systems_tr["a"]], [empty], "tr")


def test_missing_reference(tmp_path, systems_tr):
    with pytest.raises(InputError, match=r"nope\.tr\.txt: no such file"):
        evaluate_files([systems_tr["a"]], [tmp_path / "nope.tr.txt"], "tr")
    with pytest.raises(InputError, match="no reference"):
        evaluate_files([systems_tr["a"]], [], "tr")


def test_latin1_hypothesis_is_refused_naming_the_file():
    with pytest.raises(InputError, match=r"hyp_latin1\.tr\.txt: not valid UTF-8.*iconv"):
        evaluate_files([FIX / "hyp_latin1.tr.txt"], [FIX / "ref_utf16.tr.txt"], "tr")


def test_utf16_reference_with_bom_is_read():
    ev = evaluate_files(
        [FIX / "hyp_utf8.tr.txt"],
        [FIX / "ref_utf16.tr.txt"],
        "tr",
        options=EvalOptions(n_bootstrap=0),
    )
    seg = ev.systems[0].segments
    assert seg[0].refs == ("Bugün hava çok güzel.",)
    assert seg[0].chrf == 100.0
    assert ev.systems[0].scores["bleu"].value > 30


def test_source_and_references_must_be_parallel(tmp_path, systems_tr):
    src = write(tmp_path / "src.en.txt", lines_of(EVAL / "idlib.en.txt")[:10])
    with pytest.raises(InputError, match="source .* has 10 lines .* has 28"):
        evaluate_files([systems_tr["a"]], [systems_tr["ref"]], "tr", src=src)
    ref2 = write(tmp_path / "ref2.tr.txt", lines_of(systems_tr["ref"])[:20])
    with pytest.raises(InputError, match="references differ in length"):
        evaluate_files([systems_tr["a"]], [systems_tr["ref"], ref2], "tr")


def test_glossary_needs_source(systems_tr):
    with pytest.raises(InputError, match="--glossary needs --src"):
        evaluate_files([systems_tr["a"]], [systems_tr["ref"]], "tr", glossary="g.toml")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a\nb\n", ["a", "b"]),
        ("a\nb", ["a", "b"]),
        ("a  \n\nb\t\n", ["a", "", "b"]),
        ("x\u2028y\n", ["x\u2028y"]),  # only \n ends a line, like sacrebleu
    ],
)
def test_split_lines(text, expected):
    assert split_lines(text) == expected


# --------------------------------------------------------------- per segment


def test_segment_stats_and_flags():
    src = lines_of(EVAL / "idlib.en.txt")
    ref = lines_of(EVAL / "idlib.tr.txt")
    hyp = list(ref)
    hyp[1] = src[1]  # untranslated English
    hyp[2] = ""  # dropped
    hyp[3] = ref[3] + " askerler askerler askerler askerler"
    hyp[4] = " ".join(ref[4].split()[:3])
    ev = evaluate_texts([("sys", hyp)], [ref], "tr", srcs=src, options=EvalOptions(n_bootstrap=0))
    segs = ev.systems[0].segments
    assert segs[0].chrf == 100.0 and segs[0].flags == ()
    assert {"wrong-lang", "copy-of-source"} <= set(segs[1].flags)
    assert segs[1].detected_lang == "en"
    assert segs[2].flags == ("empty",)
    assert "repetition" in segs[3].flags
    assert "too-short" in segs[4].flags and segs[4].length_ratio < 0.5
    agg = ev.systems[0].aggregates
    assert agg.wrong_lang == 1 and agg.flagged == 4
    assert agg.flag_counts["empty"] == 1
    assert 0 < agg.wrong_lang_rate < 0.1


@pytest.mark.parametrize(
    ("text", "lang", "wrong"),
    [
        ("Kısa", "tr", None),  # too short to judge
        ("Rusya Devlet Başkanı Vladimir Putin cuma günü telefonda görüştü.", "tr", False),
        ("Russian President Vladimir Putin spoke on the phone on Friday.", "tr", True),
        ("Президент России Владимир Путин в пятницу провёл телефонный разговор.", "ru", False),
    ],
)
def test_judge_language(text, lang, wrong):
    assert judge_language(text, lang).wrong is wrong


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("the the the cat", True),
        ("to be to be to be or not", True),
        ("yüzde 50 50 50 arttı", False),
        ("Putin ve Erdoğan görüştü", False),
    ],
)
def test_has_repetition(text, expected):
    assert has_repetition(text) is expected


def test_fake_glossary_checker_feeds_terms():
    src = ["Putin met Erdogan in Ankara.", "Putin spoke.", "Erdogan spoke."]
    ref = ["Putin, Ankara'da Erdoğan ile görüştü.", "Putin konuştu.", "Erdoğan konuştu."]
    hyp = ["Putin, Ankara'da Erdogan ile görüştü.", "Putin konuştu.", "O konuştu."]

    def checker(srcs, hyps):
        assert list(srcs) == src and list(hyps) == hyp
        occ = [
            TermOccurrence(0, "putin", ("Putin",), "Putin", "ok", "Putin", (0, 5), (0, 5)),
            TermOccurrence(0, "erdogan", ("Erdoğan",), "Erdogan", "variant", "Erdogan", (10, 17)),
            TermOccurrence(1, "putin", ("Putin",), "Putin", "ok", "Putin", (0, 5)),
            TermOccurrence(2, "erdogan", ("Erdoğan",), None, "missing", "Erdogan", (0, 7)),
        ]
        return summarize(occ, "fake")

    ev = evaluate_texts(
        [("sys", hyp)], [ref], "tr", srcs=src, terms=checker, options=EvalOptions(n_bootstrap=0)
    )
    s = ev.systems[0]
    assert s.terms.accuracy == 0.5
    assert s.terms.consistency == 1.0  # putin found twice, same form; erdogan once
    assert s.terms.counts == {"missing": 1, "ok": 2, "variant": 1}
    assert s.segments[0].flags == ("term-variant",)
    assert s.segments[2].flags == ("term-missing",)


@pytest.mark.parametrize(
    ("statuses_forms", "accuracy", "consistency"),
    [
        ([("ok", "A"), ("ok", "A")], 1.0, 1.0),
        ([("ok", "A"), ("variant", "A'")], 0.5, 0.0),
        ([("no-target", None)], None, None),
    ],
)
def test_term_summary(statuses_forms, accuracy, consistency):
    occ = [TermOccurrence(i, "t", ("A",), f, s) for i, (s, f) in enumerate(statuses_forms)]
    rep: TermReport = summarize(occ)
    assert rep.accuracy == accuracy and rep.consistency == consistency


# --------------------------------------------------------------- alignment


def fake_aligner(hyps, refs, src_lang, tgt_lang, method=None):
    """Pairs a hypothesis line that contains ' || ' with two reference lines (1-2 beads)."""
    beads, r = [], 0
    for h, text in enumerate(hyps):
        n = 2 if " || " in text else 1
        beads.append(Bead((h,), tuple(range(r, r + n)), 0.0))
        r += n
    return Alignment(src_lang, tgt_lang, tuple(hyps), tuple(refs), tuple(beads), method="fake")


def test_different_lengths_are_aligned_with_a_warning(caplog):
    ref = lines_of(EVAL / "idlib.tr.txt")[:6]
    merged = [ref[0], ref[1] + " || " + ref[2], *ref[3:]]  # 5 lines for 6
    other = list(ref)
    ev = evaluate_texts(
        [("merged", merged), ("full", other)],
        [ref],
        "tr",
        options=EvalOptions(aligner=fake_aligner, n_bootstrap=0),
    )
    assert len(ev.warnings) == 1 and "5 hypothesis lines vs 6 reference lines" in ev.warnings[0]
    assert ev.systems[0].alignment == {
        "method": "fake",
        "hyp_segments": 5,
        "ref_segments": 6,
        "beads": 5,
        "bead_kinds": {"1-1": 4, "1-2": 1},
        "units": 5,
    }
    # Both systems are scored on the same 5 units; the full one has its lines 1 and 2 joined.
    assert [s.ref_lines for s in ev.systems[1].segments][1] == (1, 2)
    assert ev.systems[1].segments[1].hyp == ref[1] + " " + ref[2]
    assert ev.systems[1].alignment is None
    assert "aligned with fake" in caplog.text


@pytest.mark.parametrize(
    ("beads", "units", "hyp_groups"),
    [
        # hyp-only bead (1-0) joins the unit before it
        ([((0,), (0,)), ((1,), ()), ((2,), (1,))], [(0,), (1,)], [(0, 1), (2,)]),
        # reference-only bead (0-1) is a unit with no hypothesis
        ([((0,), (0,)), ((), (1,)), ((1,), (2,))], [(0,), (1,), (2,)], [(0,), (), (1,)]),
        # 2-1 bead
        ([((0, 1), (0,)), ((2,), (1,))], [(0,), (1,)], [(0, 1), (2,)]),
    ],
)
def test_units_from_beads(beads, units, hyp_groups):
    from mtalign.evaluate.alignment import SystemAlignment

    al = SystemAlignment("x", 3, len({r for _, rs in beads for r in rs}), tuple(beads))
    got_units = common_units(al.ref_segments, [al, None])
    assert got_units == units
    assert hyp_lines_per_unit(got_units, 3, al) == hyp_groups


def test_real_aligner_regroups_merged_and_dropped_lines():
    ref = lines_of(EVAL / "idlib.tr.txt")
    hyp = [ref[0], ref[1] + " " + ref[2], *ref[3:10], *ref[11:]]  # 1+2 merged, 10 dropped
    ev = evaluate_texts(
        [("merged", hyp), ("copy", ref)], [ref], "tr", options=EvalOptions(n_bootstrap=0)
    )
    al = ev.systems[0].alignment
    assert al["method"] == "mtalign.evaluate token overlap"
    assert al["bead_kinds"] == {"0-1": 1, "1-1": 25, "1-2": 1}
    assert ev.systems[1].scores["bleu"].value == pytest.approx(100.0)
    assert ev.systems[0].aggregates.flag_counts == {"empty": 1}
    assert "26 hypothesis lines vs 28 reference lines" in ev.warnings[0]


def test_real_glossary_terms(tmp_path):
    glossary = Path(__file__).parent.parent / "configs" / "glossaries" / "idlib.toml"
    if not glossary.is_file():
        pytest.skip("configs/glossaries/idlib.toml not present")
    src = lines_of(EVAL / "idlib.en.txt")
    ref = lines_of(EVAL / "idlib.tr.txt")
    bad = [line.replace("Erdoğan", "Erdogan") for line in ref]
    ev = evaluate_files(
        [EVAL / "idlib.tr.txt", write(tmp_path / "bad.tr.txt", bad)],
        [EVAL / "idlib.tr.txt"],
        "tr",
        src=EVAL / "idlib.en.txt",
        glossary=glossary,
        options=EvalOptions(n_bootstrap=0),
    )
    good, worse = ev.systems
    assert len(good.terms.occurrences) == len(worse.terms.occurrences) > 0
    assert worse.terms.accuracy < good.terms.accuracy
    erdogan = [o for o in worse.terms.occurrences if o.term == "erdogan"]
    assert erdogan and all(o.status in ("variant", "missing") for o in erdogan)
    assert all(0 <= o.segment < len(src) for o in erdogan)
    assert any("term-" in f for s in worse.segments for f in s.flags)
