"""Batch jobs: configs, safe output names, quarantined inputs, state, resume, summary.

Jobs run the real pipeline on the tiny random Marian models (gibberish output, fixed
length): tests check files, counts and state, never translation quality.
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import pytest

from mtalign.batch import JobExists, JobFailures, load_job_config, run_config, run_job, safe_name
from mtalign.batch.inputs import MAX_NAME_BYTES
from mtalign.batch.state import JobState
from mtalign.batch.summary import aggregate_glossary
from mtalign.batch.work import glossary_numbers
from mtalign.cli.batch import batch_command
from mtalign.errors import ConfigError, InputError
from mtalign.settings import SettingError

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))


def seed_paragraphs() -> list[str]:
    """Paragraphs of the seed articles (longer than a dateline), in a fixed order."""
    out = []
    for path in SEEDS:
        out += [p for p in path.read_text(encoding="utf-8").split("\n") if len(p) > 60]
    return out


def write_records(path: Path, n: int, start: int = 0) -> list[str]:
    paras = seed_paragraphs()
    ids = [f"story-{start + i:03d}" for i in range(n)]
    lines = [
        json.dumps({"id": doc_id, "text": paras[(start + i) % len(paras)], "section": "world"})
        for i, doc_id in enumerate(ids)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return ids


def output_files(out_dir) -> list[str]:
    """Names of the visible files in an output folder."""
    return sorted(n for n in os.listdir(out_dir) if not n.startswith("."))


def job_toml(
    tmp: Path,
    models: dict[str, Path],
    files: list[str] | None = None,
    jsonl: list[str] | None = None,
    out: str = "out",
    cache: str = "tm.sqlite",
    extra_translate: str = "",
    extra_inputs: str = "",
    extra_job: str = "",
) -> Path:
    """A job config for the tiny models: short fixed-length outputs, no retries."""
    model_lines = "\n".join(f'{lang} = "{path}"' for lang, path in models.items())
    text = f"""
[job]
output_dir = "{out}"
{extra_job}
[inputs]
files = {json.dumps(files or [])}
jsonl = {json.dumps(jsonl or [])}
{extra_inputs}
[translate]
src = "en"
targets = {json.dumps(list(models))}
engine = "ctranslate2"
beam = 1
max_length = 8
quality_gate = false
cache_path = "{cache}"
{extra_translate}
[translate.models]
{model_lines}
"""
    path = tmp / "job.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def models(marian_tiny):
    return {"tr": marian_tiny("tr"), "ru": marian_tiny("ru")}


def read_outputs(out: Path) -> dict[str, object]:
    """Visible output files (but the summaries): their text, reports without run details.

    Timings, timestamps and cache counts differ from run to run; everything else must not.
    """
    files: dict[str, object] = {}
    for n in output_files(out):
        if n.startswith("summary."):
            continue
        text = (out / n).read_text(encoding="utf-8")
        if n.endswith(".report.json"):
            report = json.loads(text)
            report.pop("created")
            report.pop("input")
            report["job"].pop("source")
            for entry in report["targets"].values():
                entry.pop("stats")
                entry.pop("segments_per_second", None)
            files[n] = report
        else:
            files[n] = text
    return files


# --------------------------------------------------------------------------- config


def test_example_config_loads_and_resolves_paths():
    cfg = load_job_config(ROOT / "configs/jobs/example.toml")
    assert cfg.settings.targets == ("tr", "ru", "ar")
    assert cfg.settings.src == "en"
    assert cfg.files == (str(ROOT / "seeds/*.txt"),)
    assert cfg.output_dir == str(ROOT / "out/jobs/example")
    assert cfg.settings.glossary == (str(ROOT / "configs/glossaries/idlib.toml"),)
    assert cfg.settings.glossary_mode in ("check", "enforce")
    assert cfg.settings.models["tr"].startswith("Helsinki-NLP/")
    assert cfg.runner == "local"


def test_example_config_runs_with_tiny_models(tmp_path, models):
    cfg = load_job_config(ROOT / "configs/jobs/example.toml")
    cfg = replace(cfg, output_dir=str(tmp_path / "out")).with_overrides(
        targets=("tr", "ru"),
        models={k: str(v) for k, v in models.items()},
        glossary=(),
        glossary_mode="off",
        max_length=8,
        beam=1,
        quality_gate=False,
        cache_path=str(tmp_path / "tm.sqlite"),
    )
    summary = run_config(cfg)
    assert summary.ok and summary.documents == len(SEEDS)
    names = output_files(tmp_path / "out")
    for seed in SEEDS:
        for kind in ("tr.txt", "ru.txt", "aligned.jsonl", "report.json"):
            assert f"{seed.stem}.{kind}" in names
    assert {"summary.json", "summary.md"} <= set(names)


@pytest.mark.parametrize(
    "body, where, fix",
    [
        (
            "[job]\noutput_dir='o'\nworkrs=2\n[inputs]\nfiles=['*.txt']\n[translate]\n"
            "targets=['tr']\n",
            "[job]: unknown key 'workrs'",
            "use one of",
        ),
        (
            "[job]\noutput_dir='o'\n[inputs]\nfiles=['*.txt']\n[translate]\ntargets=['tr']\n"
            "[outputs]\nx=1\n",
            "unknown table or key 'outputs'",
            "[translate]",
        ),
        (
            "[job]\noutput_dir='o'\n[inputs]\n[translate]\ntargets=['tr']\n",
            "[inputs]: no inputs",
            "files = ",
        ),
        (
            "[job]\noutput_dir='o'\n[inputs]\nfiles=['*.txt']\n[translate]\ntargets=[]\n",
            "no target language",
            "targets = ",
        ),
        (
            "[job]\noutput_dir='o'\n[inputs]\nfiles=['*.txt']\n[translate]\ntargets=['tr']\n"
            "beam=true\n",
            "[translate] beam: expected a whole number",
            "fix the value",
        ),
        (
            "[job]\noutput_dir='o'\n[inputs]\nfiles=['*.txt']\n[translate]\ntargets=['xx']\n",
            "unknown language code",
            "fix the value",
        ),
        (
            "[job]\noutput_dir='o'\nrunner='spark'\n[inputs]\nfiles=['*.txt']\n[translate]\n"
            "targets=['tr']\n",
            "[job] runner: expected one of local, ray",
            "fix the value",
        ),
        (
            "[job]\noutput_dir='o'\n[inputs]\nfiles=['*.txt']\n[translate]\ntargets=['tr']\n"
            "[glossary]\nmode='enforce'\n",
            "mode is 'enforce' but there is no path",
            "path = ",
        ),
        (
            "[job]\noutput_dir='o'\n[inputs]\nfiles=['*.txt']\n[translate]\ntargets=['tr']\n"
            "[glossary]\npath='missing.toml'\n",
            "no such file",
            "relative paths start",
        ),
        (
            "[job]\noutput_dir='o'\n[inputs]\njsonl=['nope.jsonl']\n[translate]\ntargets=['tr']\n",
            "[inputs] jsonl: no such file",
            "relative paths start",
        ),
        (
            "[inputs]\nfiles=['*.txt']\n[translate]\ntargets=['tr']\n",
            "no output_dir",
            "output_dir = ",
        ),
        (
            "[job]\noutput_dir='o'\n[inputs]\nfiles=['*.txt']\n[translate]\ntargets=['tr']\n"
            "[translate.models]\nru='x'\n",
            "[translate] models: a model is given for ru",
            "drop its model",
        ),
        ("[job]\noutput_dir = \nworkers = 2\n", "job.toml:2: invalid TOML", "fix the syntax"),
    ],
)
def test_config_errors_name_path_and_fix(tmp_path, body, where, fix):
    path = tmp_path / "job.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_job_config(path)
    msg = str(info.value)
    assert msg.startswith(str(path))
    assert where in msg and fix in msg


def test_missing_config_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="no such job config"):
        load_job_config(tmp_path / "nope.toml")


def test_command_line_overrides_are_checked(tmp_path, models):
    cfg = load_job_config(job_toml(tmp_path, models, files=["*.txt"]))
    assert cfg.with_overrides(runner="ray", workers=3).workers == 3
    with pytest.raises(SettingError, match="runner"):
        cfg.with_overrides(runner="dask")
    with pytest.raises(SettingError, match="workers"):
        cfg.with_overrides(workers=0)


# --------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    "doc_id, expect",
    [
        ("idlib", "idlib"),
        ("story-001", "story-001"),
        ("İstanbul_haber", "İstanbul_haber"),
        ("../../etc/x", None),
        ("a/b", None),
        ("a\\b", None),
        ("x\x00y", None),
        ("line\nbreak\ttab", None),
        ("..", None),
        ("", None),
        (".hidden", None),
        ("CON", None),
        ("nul.txt", None),
        ("trailing. ", None),
        ("x" * 300, None),
        ("ü" * 200, None),
        ('a:b*c?"d<e>f|g', None),
    ],
)
def test_safe_name(doc_id, expect):
    name = safe_name(doc_id)
    if expect is not None:
        assert name == expect
        return
    assert name != doc_id
    assert "/" not in name and "\\" not in name and "\x00" not in name
    assert not name.startswith(".") and name not in ("", ".", "..")
    assert all(c.isprintable() and not c.isspace() for c in name)
    assert name.split(".")[0].lower() not in ("con", "nul")
    assert len(name.encode()) <= MAX_NAME_BYTES + 9
    assert safe_name(doc_id) == name  # stable


@pytest.mark.parametrize(
    "a, b",
    [("a/b", "a_b"), ("a/b", "a\\b"), ("x" * 300, "x" * 301), ("../x", "x/.."), ("a b", "a\tb")],
)
def test_ids_that_sanitise_alike_get_different_names(a, b):
    assert safe_name(a) != safe_name(b)


def test_hostile_ids_stay_inside_the_output_dir(tmp_path, models):
    ids = [
        "../../etc/passwd",
        "/abs/path",
        "a/b",
        "a_b",
        "nul\x00byte",
        "CON",
        "x" * 400,
        "..",
        "Story",
        "story",
        "ctrl\x1b[31m",
        ".mtalign-job",
    ]
    text = "Turkish soldiers were killed in an air strike in Idlib on Thursday night."
    recs = [json.dumps({"id": i, "text": text}) for i in ids]
    (tmp_path / "docs.jsonl").write_text("\n".join(recs) + "\n", encoding="utf-8")
    cfg = job_toml(tmp_path, {"tr": models["tr"]}, jsonl=["docs.jsonl"])
    summary = run_job(cfg)
    assert summary.ok and summary.documents == len(ids)
    out = tmp_path / "out"
    names = output_files(out)
    assert len([n for n in names if n.endswith(".tr.txt")]) == len(ids)
    assert not (tmp_path / "etc").exists() and not Path("/abs/path.tr.txt").exists()
    for n in os.listdir(out):
        assert (out / n).resolve().parent == out.resolve()
    state = JobState(out / ".mtalign-job.sqlite")
    try:
        stored = {r[0]: r[1] for r in state.db.query("SELECT id, name FROM docs")}
    finally:
        state.close()
    assert set(stored) == set(ids)
    assert len({n.casefold() for n in stored.values()}) == len(ids)  # no collisions
    for doc_id, name in stored.items():
        report = json.loads((out / f"{name}.report.json").read_text(encoding="utf-8"))
        assert report["job"]["document_id"] == doc_id


# --------------------------------------------------------------------------- bad inputs


BAD_FILES = {
    "empty.txt": (b"", "empty document"),
    "blank.txt": (b"  \n\n \t\n", "empty document"),
    "binary.txt": (bytes(range(256)) * 2, "binary content"),
    "latin1.txt": (
        "Le président a déclaré que la réunion était terminée.".encode("latin-1"),
        "not valid UTF-8",
    ),
    "turkish.txt": (
        "Türkiye Cumhurbaşkanı Erdoğan, Rusya lideri Putin ile telefonda "
        "görüştü ve İdlib'deki son durumu değerlendirdi.".encode(),
        "looks like 'tr'",
    ),
    "big.txt": (("The talks went on for a long time. " * 40).encode(), "over the job's limit"),
}
BAD_RECORDS = [
    (
        '{"id": "nul", "text": "Soldiers were killed \\u0000 in the strike near Idlib town."}',
        "nul",
        "binary content",
    ),
    ('{"id": "no-text"}', "no-text", 'no "text"'),
    (
        '{"text": "An article without an id field about the talks in Moscow."}',
        "docs:3",
        'no usable "id"',
    ),
    ("{not json", "docs:4", "not valid JSON"),
    (
        '{"id": "good-1", "text": "Turkish soldiers were killed in an air strike on Thursday."}',
        "good-1",
        None,
    ),
    (
        '{"id": "good-1", "text": "A second record that reuses the id of the first one here."}',
        None,
        "duplicate id 'good-1'",
    ),
    ('{"id": "empty-rec", "text": "   "}', "empty-rec", "empty document"),
]


def test_bad_documents_are_quarantined_and_the_job_goes_on(tmp_path, models):
    docs = tmp_path / "docs"
    docs.mkdir()
    for name, (data, _) in BAD_FILES.items():
        (docs / name).write_bytes(data)
    (docs / "good.txt").write_text(
        "Turkey says 33 soldiers killed in Idlib air strike.\n\nTalks will go on in Moscow.\n",
        encoding="utf-8",
    )
    lines = [r[0] for r in BAD_RECORDS]
    raw = "\n".join(lines).encode() + b'\n{"id": "latin", "text": "caf\xe9 au lait"}\n'
    (tmp_path / "docs.jsonl").write_bytes(raw)
    cfg = job_toml(
        tmp_path,
        models,
        files=["docs/*.txt"],
        jsonl=["docs.jsonl"],
        extra_inputs="max_bytes = 1000",
    )
    with pytest.raises(JobFailures) as info:
        batch_command(str(cfg))
    assert info.value.exit_code == 1
    assert "--resume" in str(info.value)
    summary = json.loads((tmp_path / "out/summary.json").read_text(encoding="utf-8"))
    reasons = {(f["id"], tuple(f["languages"])): f["reason"] for f in summary["failures"]}
    by_id = {k[0]: v for k, v in reasons.items()}
    for name, (_, why) in BAD_FILES.items():
        assert why in by_id[name.removesuffix(".txt")], name
        assert (name.removesuffix(".txt"), ("ru", "tr")) in reasons
    for _, doc_id, why in BAD_RECORDS:
        if why and doc_id:
            assert why in by_id[doc_id], doc_id
    assert any("duplicate id 'good-1'" in r for r in by_id.values())
    assert "not valid UTF-8" in by_id["latin"]
    names = output_files(tmp_path / "out")
    for good in ("good", "good-1"):
        assert f"{good}.tr.txt" in names and f"{good}.ru.txt" in names
    for bad in ("empty", "binary", "latin1", "turkish", "big", "nul", "no-text", "latin"):
        assert not [n for n in names if n.startswith(f"{bad}.")], bad
    assert summary["documents_done"] == 2
    assert summary["documents_failed"] == summary["documents"] - 2
    md = (tmp_path / "out/summary.md").read_text(encoding="utf-8")
    assert "## Failures" in md and "binary content" in md


def test_fixed_document_is_done_on_resume(tmp_path, models):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_bytes("Le café était fermé hier soir à Paris.".encode("latin-1"))
    (docs / "b.txt").write_text(
        "Officials met in Ankara on Monday to discuss trade.\n", encoding="utf-8"
    )
    cfg = job_toml(
        tmp_path, {"tr": models["tr"]}, files=["docs/*.txt"], extra_translate="force = true"
    )
    assert not run_job(cfg).ok
    (docs / "a.txt").write_text(
        "Officials met in Moscow on Tuesday to discuss ports.\n", encoding="utf-8"
    )
    summary = run_job(cfg, resume=True)
    assert summary.ok and summary.run.documents_processed == 1
    assert "a.tr.txt" in output_files(tmp_path / "out")


# --------------------------------------------------------------------------- state


@pytest.fixture()
def small_job(tmp_path, models):
    write_records(tmp_path / "docs.jsonl", 6)
    cfg = job_toml(tmp_path, models, jsonl=["docs.jsonl"])
    first = run_job(cfg)
    assert first.ok and first.run.documents_processed == 6
    return cfg, tmp_path / "out", read_outputs(tmp_path / "out")


def test_rerun_without_resume_is_refused(small_job):
    cfg, out, _ = small_job
    with pytest.raises(JobExists, match="--resume"):
        run_job(cfg)


def test_resume_of_a_finished_job_does_nothing(small_job):
    cfg, out, before = small_job
    mtimes = {n: (out / n).stat().st_mtime_ns for n in before}
    summary = run_job(cfg, resume=True)
    assert summary.ok and summary.run.documents_todo == 0 and summary.run.resumed
    assert {n: (out / n).stat().st_mtime_ns for n in before} == mtimes


def test_done_document_with_a_missing_file_is_redone(small_job):
    cfg, out, before = small_job
    (out / "story-002.ru.txt").unlink()
    (out / ".story-004.tr.txt.abcd1234.tmp").write_text("half a transl", encoding="utf-8")
    summary = run_job(cfg, resume=True)
    assert summary.run.documents_processed == 1 and summary.run.temp_files_removed == 1
    assert read_outputs(out) == before
    assert not [n for n in os.listdir(out) if n.endswith(".tmp")]


def test_changed_settings_are_detected(small_job, tmp_path):
    cfg, out, _ = small_job
    text = cfg.read_text(encoding="utf-8").replace("beam = 1", "beam = 2")
    cfg.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        run_job(cfg, resume=True)
    msg = str(info.value)
    assert "settings changed" in msg and "beam: 1 -> 2" in msg and "new output_dir" in msg


def test_changed_targets_are_detected(small_job, models):
    cfg, out, _ = small_job
    text = cfg.read_text(encoding="utf-8").replace('targets = ["tr", "ru"]', 'targets = ["tr"]')
    text = text.replace(f'ru = "{models["ru"]}"', "")
    cfg.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"targets: \['tr', 'ru'\] -> \['tr'\]"):
        run_job(cfg, resume=True)


def test_new_and_edited_documents_are_picked_up_on_resume(small_job, tmp_path):
    cfg, out, before = small_job
    path = tmp_path / "docs.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    rec = json.loads(lines[1])
    rec["text"] = "A corrected text: officials met in Ankara on Monday."
    lines[1] = json.dumps(rec)
    lines.append(json.dumps({"id": "late", "text": "A late story about ports in Moscow."}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    summary = run_job(cfg, resume=True)
    assert summary.ok and summary.documents == 7 and summary.run.documents_processed == 2
    after = read_outputs(out)
    assert after["story-000.tr.txt"] == before["story-000.tr.txt"]
    assert after["story-001.tr.txt"] != before["story-001.tr.txt"]
    assert "late.ru.txt" in after


def test_a_second_run_of_the_same_job_is_locked_out(small_job):
    from mtalign.batch.state import JobLock

    cfg, out, _ = small_job
    with JobLock(out), pytest.raises(ConfigError, match="another run"):
        run_job(cfg, resume=True)


def test_outputs_match_translate_layout(small_job):
    cfg, out, files = small_job
    recs = [json.loads(x) for x in files["story-000.aligned.jsonl"].splitlines()]
    assert recs and all(set(r["translations"]) == {"tr", "ru"} for r in recs)
    assert recs[0]["id"].startswith("story-000:")
    report = files["story-000.report.json"]
    assert set(report["targets"]) == {"tr", "ru"}
    assert report["outputs"]["tr"] == "story-000.tr.txt"
    assert report["targets"]["tr"]["model"]["path"]
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["tasks"] == {"done": 12, "failed": 0, "pending": 0}
    segments = sum(len(files[f"story-00{i}.aligned.jsonl"].splitlines()) for i in range(6))
    assert summary["languages"]["tr"]["segments"] == segments


# --------------------------------------------------------------------------- summary


@pytest.mark.parametrize(
    "reports, accuracy, consistency",
    [
        # pooled by occurrence counts: (3 + 1) / (4 + 4), not the mean of 0.75 and 0.25
        (
            [
                {
                    "totals": {
                        "occurrences": 4,
                        "ok": 3,
                        "variant": 1,
                        "missing": 0,
                        "no_target": 0,
                        "term_accuracy": 0.75,
                        "consistency": {"entities": 2, "consistent": 2, "score": 1.0},
                    }
                },
                {
                    "totals": {
                        "occurrences": 5,
                        "ok": 1,
                        "variant": 1,
                        "missing": 2,
                        "no_target": 1,
                        "term_accuracy": 0.25,
                        "consistency": {"entities": 2, "consistent": 1, "score": 0.5},
                    }
                },
            ],
            0.5,
            0.75,
        ),
        # flat reports with scores and occurrence counts only: weighted by occurrences
        (
            [
                {"term_accuracy": 1.0, "occurrences": 3, "consistency": 1.0},
                {"term_accuracy": 0.0, "occurrences": 1, "consistency": 0.0},
            ],
            0.75,
            0.5,
        ),
        # scores alone: plain mean
        ([{"term_accuracy": 1.0}, {"term_accuracy": 0.5}], 0.75, None),
    ],
)
def test_glossary_aggregation(reports, accuracy, consistency):
    agg = aggregate_glossary([glossary_numbers(r) for r in reports])
    assert agg["term_accuracy"] == pytest.approx(accuracy)
    if consistency is None:
        assert agg["consistency"] is None
    else:
        assert agg["consistency"] == pytest.approx(consistency)


def test_no_glossary_gives_no_glossary_section():
    assert aggregate_glossary([]) is None
    assert glossary_numbers(None) is None


def test_a_job_that_never_started_work_may_change_its_settings(tmp_path, models):
    cfg = job_toml(tmp_path, {"tr": models["tr"]}, files=["docs/*.txt"])
    with pytest.raises(InputError, match="matched no documents"):
        run_job(cfg)
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("beam = 1", "beam = 2"), "utf-8")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs/a.txt").write_text("Officials met in Ankara on Monday.\n", "utf-8")
    assert run_job(cfg).ok


def test_markdown_summary_cells_cannot_break_the_table():
    from mtalign.batch.summary import _cell

    assert _cell("a|b`c\nd") == "a\\|b\\`c d"


def test_glossary_enforced_job_reports_term_accuracy(tmp_path, models):
    """The example job with its glossary in enforce mode, on the tiny models."""
    cfg = load_job_config(ROOT / "configs/jobs/example.toml")
    cfg = replace(cfg, output_dir=str(tmp_path / "out")).with_overrides(
        targets=("tr", "ru"),
        models={k: str(v) for k, v in models.items()},
        glossary_mode="enforce",
        max_length=24,
        beam=2,
        quality_gate=False,
        cache_path=str(tmp_path / "tm.sqlite"),
    )
    summary = run_config(cfg)
    assert summary.ok
    data = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    text = json.dumps(data)
    assert "term_accuracy" in text
    report = json.loads((tmp_path / "out" / "idlib.report.json").read_text(encoding="utf-8"))
    g = report["targets"]["tr"]["glossary"]
    assert g["mode"] == "enforce" and g["occurrences"] > 20
    assert g["term_accuracy"] == 1.0
    assert "Erdoğan" in (tmp_path / "out" / "idlib.tr.txt").read_text(encoding="utf-8")
