"""Dataset jobs: JSONL(.gz/.zst) and Parquet corpora in, sharded datasets out.

The real pipeline runs on the tiny random Marian models (gibberish, fixed length): tests
check rows, fields, shards, manifests, failures and resume, never translation quality.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

pa = pytest.importorskip(
    "pyarrow", reason="pyarrow not installed (pip install 'mtalign[datasets]')"
)
pq = pytest.importorskip("pyarrow.parquet")

from mtalign.batch import load_job_config, run_job  # noqa: E402
from mtalign.batch.dataset import UnitTable  # noqa: E402
from mtalign.batch.dataset_io import iter_jsonl, json_line  # noqa: E402
from mtalign.batch.dataset_rows import jsonl_data_line, record_id  # noqa: E402
from mtalign.batch.dataset_schema import infer_fields  # noqa: E402
from mtalign.errors import ConfigError, InputError  # noqa: E402
from tests.test_batch import seed_paragraphs  # noqa: E402

TARGETS = ("tr", "ru")


@pytest.fixture(scope="module")
def models(marian_tiny):
    return {t: marian_tiny(t) for t in TARGETS}


def records(n: int, start: int = 0) -> list[dict]:
    paras = seed_paragraphs()
    return [
        {"id": f"doc-{start + i:04d}", "text": paras[(start + i) % len(paras)],
         "section": "world", "n": start + i}
        for i in range(n)
    ]  # fmt: skip


def write_jsonl(path: Path, rows: list, bad: list[bytes] = (), gz: bool = False) -> Path:
    data = b"".join(json.dumps(r, ensure_ascii=False).encode() + b"\n" for r in rows)
    data += b"".join(b + b"\n" for b in bad)
    if gz:
        path.write_bytes(gzip.compress(data, mtime=0))
    else:
        path.write_bytes(data)
    return path


def dataset_toml(
    tmp: Path,
    models: dict[str, Path],
    inputs: str,
    fmt: str = "parquet",
    out: str = "out",
    output_extra: str = "",
    job_extra: str = "",
) -> Path:
    model_lines = "\n".join(f'{lang} = "{path}"' for lang, path in models.items())
    text = f"""
[job]
output_dir = "{out}"
{job_extra}
[inputs]
{inputs}
[output]
format = "{fmt}"
shard_rows = 4
{output_extra}
[translate]
src = "en"
targets = {json.dumps(list(models))}
engine = "ctranslate2"
beam = 1
max_length = 8
quality_gate = false
cache_path = "tm.sqlite"
[translate.models]
{model_lines}
"""
    path = tmp / f"job-{fmt}-{out.replace('/', '_')}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def read_dataset(folder: Path) -> list[dict]:
    """Every row of a dataset folder (Parquet or JSONL parts), in part order."""
    rows: list[dict] = []
    if not folder.exists():  # a dataset with no rows at all (no failures) has no parts
        return rows
    for part in sorted(folder.iterdir()):
        if part.name.startswith("."):
            continue
        if part.suffix == ".parquet":
            rows += pq.read_table(part).to_pylist()
        else:
            raw = gzip.decompress(part.read_bytes()) if part.suffix == ".gz" else part.read_bytes()
            rows += [json.loads(x) for x in raw.splitlines() if x.strip()]
    return rows


BAD_LINES = [
    b'{"id": "broken", "text": ',  # not JSON
    b'{"id": null, "text": "An id that is null is not an id."}',
    b'{"id": "no-text"}',
    b"[1, 2, 3]",
    b'{"id": "deep", "text": "x", "meta": ' + b"[" * 3000 + b"]" * 3000 + b"}",
]


# --------------------------------------------------------------------------- end to end


@pytest.fixture(scope="module")
def gz_to_parquet(tmp_path_factory, models):
    root = tmp_path_factory.mktemp("gz2pq")
    write_jsonl(root / "corpus-a.jsonl.gz", records(6), BAD_LINES, gz=True)
    write_jsonl(root / "corpus-b.jsonl.gz", records(3, start=6), gz=True)
    cfg = dataset_toml(root, models, 'jsonl = ["corpus-*.jsonl.gz"]')
    summary = run_job(cfg)
    return root, summary


def test_jsonl_gz_to_parquet_rows_keep_fields_and_add_translations(gz_to_parquet):
    root, summary = gz_to_parquet
    rows = read_dataset(root / "out" / "data")
    assert [r["id"] for r in rows] == [f"doc-{i:04d}" for i in range(9)]
    for i, r in enumerate(rows):
        assert r["section"] == "world" and r["n"] == i
        assert set(r["mt_translations"]) == set(TARGETS)
        assert all(isinstance(t, str) and t.strip() for t in r["mt_translations"].values())
        assert r["mt_lang"] == "en"
        assert all("@" in m for m in r["mt_models"].values())
    assert summary.documents == 9 + len(BAD_LINES)
    assert summary.documents_failed == len(BAD_LINES)
    assert summary.documents_done == 9


def test_failures_dataset_lists_each_bad_record_with_its_reason(gz_to_parquet):
    root, _ = gz_to_parquet
    fails = read_dataset(root / "out" / "failures")
    assert len(fails) == len(BAD_LINES)
    reasons = " | ".join(f["reason"] for f in fails)
    for needle in ("not valid JSON", "not a string or an integer", '"text"', "not a JSON object"):
        assert needle in reasons
    assert all(sorted(f["languages"]) == sorted(TARGETS) for f in fails)
    assert {f["row"] for f in fails} == {6, 7, 8, 9, 10}


def test_sentences_dataset_one_row_per_source_sentence(gz_to_parquet):
    root, _ = gz_to_parquet
    data = read_dataset(root / "out" / "data")
    sents = read_dataset(root / "out" / "sentences")
    assert {s["id"] for s in sents} == {r["id"] for r in data}
    for s in sents:
        assert s["source"].strip() and set(s["translations"]) == set(TARGETS)
    # A record's sentences are consecutive and numbered from 0.
    first = [s for s in sents if s["id"] == "doc-0000"]
    assert [s["segment"] for s in first] == list(range(len(first)))


def test_manifest_lists_every_shard_with_rows_and_digests(gz_to_parquet):
    import hashlib

    root, _ = gz_to_parquet
    out = root / "out"
    manifest = json.loads((out / "manifest.json").read_text())
    # corpus-a: 11 rows -> 3 units of 4; corpus-b: 3 rows -> 1 unit.
    assert manifest["units"] == manifest["units_done"] == 4
    assert [s["unit"] for s in manifest["shards"]] == [
        "corpus-a-00000", "corpus-a-00001", "corpus-a-00002", "corpus-b-00000"
    ]  # fmt: skip
    assert manifest["rows"]["data"] == 9 and manifest["rows"]["failures"] == len(BAD_LINES)
    for shard in manifest["shards"]:
        for part in shard["data"]:
            blob = (out / part["path"]).read_bytes()
            assert hashlib.sha256(blob).hexdigest() == part["sha256"]
            assert pq.read_metadata(out / part["path"]).num_rows == part["rows"]


def test_state_is_per_shard_not_per_record(gz_to_parquet):
    import sqlite3

    root, _ = gz_to_parquet
    db = sqlite3.connect(root / "out" / ".mtalign-job.sqlite")
    try:
        assert db.execute("SELECT COUNT(*) FROM units").fetchone()[0] == 4
        assert db.execute("SELECT COUNT(*) FROM docs").fetchone()[0] == 0
    finally:
        db.close()


def test_finished_job_reruns_with_resume_and_does_nothing(gz_to_parquet):
    root, _ = gz_to_parquet
    before = {p.name: p.read_bytes() for p in (root / "out" / "data").iterdir()}
    cfg = next(root.glob("job-*.toml"))
    summary = run_job(cfg, resume=True)
    assert summary.run.documents_processed == 0
    assert {p.name: p.read_bytes() for p in (root / "out" / "data").iterdir()} == before
    with pytest.raises(ConfigError, match="--resume"):
        run_job(cfg)


# --------------------------------------------------------------------------- JSONL out


def test_jsonl_out_keeps_every_input_byte_and_appends_mt_fields(tmp_path, models):
    lines = [
        b'{"text": "Officials met in Moscow on Tuesday.", "id": 7, "big": 1e400, "x": 1.50}',
        b'{"id": "u", "text": "The port handled grain.", "dup": 1, "dup": 2, "e": "\\u00e9"}',
    ]
    (tmp_path / "in.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    cfg = dataset_toml(tmp_path, models, 'jsonl = ["in.jsonl"]', fmt="jsonl")
    run_job(cfg)
    parts = sorted((tmp_path / "out" / "data").glob("*.jsonl.gz"))
    out = gzip.decompress(b"".join(p.read_bytes() for p in parts)).splitlines()
    assert len(out) == 2
    for src, got in zip(lines, out, strict=True):
        assert got.startswith(src[:-1])  # the input object, byte for byte
        rec = json.loads(got)
        assert set(rec["mt_translations"]) == set(TARGETS)


def test_gzip_parts_are_byte_identical_between_runs(tmp_path, models):
    write_jsonl(tmp_path / "in.jsonl", records(5))
    for out in ("a", "b"):
        run_job(dataset_toml(tmp_path, models, 'jsonl = ["in.jsonl"]', fmt="jsonl", out=out))
    a = {p.relative_to(tmp_path / "a"): p.read_bytes() for p in (tmp_path / "a").rglob("*.gz")}
    b = {p.relative_to(tmp_path / "b"): p.read_bytes() for p in (tmp_path / "b").rglob("*.gz")}
    assert a and a == b


def test_zstd_jsonl_in_and_out(tmp_path, models):
    src = tmp_path / "in.jsonl.zst"
    with pa.output_stream(str(src), compression="zstd") as fh:
        fh.write(b"".join(json_line(r) for r in records(3)))
    cfg = dataset_toml(
        tmp_path, models, 'jsonl = ["in.jsonl.zst"]', fmt="jsonl",
        output_extra='compression = "zstd"',
    )  # fmt: skip
    run_job(cfg)
    parts = sorted((tmp_path / "out" / "data").glob("*.jsonl.zst"))
    assert parts
    rows = []
    for p in parts:
        with pa.input_stream(str(p), compression="zstd") as fh:
            rows += [json.loads(x) for x in fh.read().splitlines()]
    assert [r["id"] for r in rows] == ["doc-0000", "doc-0001", "doc-0002"]


# --------------------------------------------------------------------------- Parquet in


def test_parquet_in_keeps_column_types(tmp_path, models):
    import datetime as dt

    recs = records(5)
    table = pa.table(
        {
            "id": [r["id"] for r in recs],
            "text": [r["text"] for r in recs],
            "when": pa.array([dt.datetime(2026, 1, i + 1) for i in range(5)], pa.timestamp("ms")),
            "tags": [["a", "b"]] * 5,
            "score": pa.array([0.5] * 5, pa.float32()),
        }
    )
    pq.write_table(table, tmp_path / "in.parquet", row_group_size=2)
    run_job(dataset_toml(tmp_path, models, 'parquet = ["in.parquet"]'))
    parts = sorted((tmp_path / "out" / "data").glob("*.parquet"))
    got = pa.concat_tables([pq.read_table(p) for p in parts])
    for name in ("id", "text", "when", "tags", "score"):
        assert got.schema.field(name).type == table.schema.field(name).type
        assert got.column(name).to_pylist() == table.column(name).to_pylist()
    assert got.num_rows == 5


def test_id_field_and_text_field_are_configurable(tmp_path, models):
    rows = [{"key": i, "body": r["text"]} for i, r in enumerate(records(3))]
    write_jsonl(tmp_path / "in.jsonl", rows)
    cfg = dataset_toml(
        tmp_path, models, 'jsonl = ["in.jsonl"]\nid_field = "key"\ntext_field = "body"'
    )
    run_job(cfg)
    got = read_dataset(tmp_path / "out" / "data")
    assert [r["key"] for r in got] == [0, 1, 2]
    sents = read_dataset(tmp_path / "out" / "sentences")
    assert {s["id"] for s in sents} == {"0", "1", "2"}


def test_empty_id_field_makes_ids_from_file_and_row(tmp_path, models):
    write_jsonl(tmp_path / "in.jsonl", [{"text": r["text"]} for r in records(2)])
    run_job(dataset_toml(tmp_path, models, 'jsonl = ["in.jsonl"]\nid_field = ""'))
    sents = read_dataset(tmp_path / "out" / "sentences")
    assert {s["id"] for s in sents} == {"in.jsonl:0", "in.jsonl:1"}


# --------------------------------------------------------------------------- resume


class Killed(BaseException):
    """Stands for kill -9 between two units (nothing after it runs)."""


def test_interrupted_job_resumes_to_the_same_dataset(tmp_path, models, monkeypatch):
    write_jsonl(tmp_path / "in.jsonl", records(10), BAD_LINES[:2])
    whole = dataset_toml(tmp_path, models, 'jsonl = ["in.jsonl"]', out="whole")
    run_job(whole)
    broken = dataset_toml(tmp_path, models, 'jsonl = ["in.jsonl"]', out="broken")
    real = UnitTable.finish
    calls = {"n": 0}

    def finish_then_die(self, unit, res):
        calls["n"] += 1
        if calls["n"] == 2:
            raise Killed()
        real(self, unit, res)

    monkeypatch.setattr(UnitTable, "finish", finish_then_die)
    with pytest.raises(Killed):
        run_job(broken)
    monkeypatch.setattr(UnitTable, "finish", real)
    summary = run_job(broken, resume=True)
    assert summary.run.resumed
    assert summary.run.documents_processed == 8  # units 2 and 3 (4 + 4 rows); unit 1 kept
    for sub in ("data", "sentences", "failures"):
        a = read_dataset(tmp_path / "whole" / sub)
        b = read_dataset(tmp_path / "broken" / sub)
        assert a == b, sub
    ma = json.loads((tmp_path / "whole" / "manifest.json").read_text())
    mb = json.loads((tmp_path / "broken" / "manifest.json").read_text())
    for m in (ma, mb):
        m.pop("name")
    assert ma["shards"] == mb["shards"]
    leftovers = [p for p in (tmp_path / "broken").rglob(".*.tmp")]
    assert leftovers == []


def test_changed_input_shard_is_redone_and_others_kept(tmp_path, models):
    write_jsonl(tmp_path / "a.jsonl", records(3))
    write_jsonl(tmp_path / "b.jsonl", records(3, start=3))
    cfg = dataset_toml(tmp_path, models, 'jsonl = ["*.jsonl"]')
    run_job(cfg)
    write_jsonl(tmp_path / "b.jsonl", records(2, start=10))
    summary = run_job(cfg, resume=True)
    assert summary.run.documents_processed == 2
    ids = [r["id"] for r in read_dataset(tmp_path / "out" / "data")]
    assert ids == ["doc-0000", "doc-0001", "doc-0002", "doc-0010", "doc-0011"]


# --------------------------------------------------------------------------- config


@pytest.mark.parametrize(
    "inputs, output, match",
    [
        ('files = ["*.txt"]', 'format = "parquet"', "reads records"),
        ('parquet = ["x.parquet"]', 'format = "files"', "Parquet inputs are read as a dataset"),
        ('jsonl = ["x.jsonl"]\nid_field = "key"', 'format = "files"', "dataset jobs only"),
        ('jsonl = ["x.jsonl"]', 'format = "csv"', "format"),
        ('jsonl = ["x.jsonl"]', 'format = "parquet"\nshard_rows = 0', "shard_rows"),
    ],
)
def test_bad_dataset_configs_name_the_key(tmp_path, inputs, output, match):
    (tmp_path / "j.toml").write_text(
        f'[job]\noutput_dir = "o"\n[inputs]\n{inputs}\n[output]\n{output}\n'
        '[translate]\nsrc = "en"\ntargets = ["tr"]\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=match):
        load_job_config(tmp_path / "j.toml")


def test_glob_matching_nothing_fails_before_work(tmp_path, models):
    cfg = dataset_toml(tmp_path, models, 'jsonl = ["missing-*.jsonl"]')
    with pytest.raises(InputError, match="matched no files"):
        run_job(cfg)


def test_file_named_parquet_that_is_not_parquet_is_refused(tmp_path, models):
    (tmp_path / "x.parquet").write_text('{"id": "a", "text": "b"}\n')
    with pytest.raises(InputError, match="not a Parquet file"):
        run_job(dataset_toml(tmp_path, models, 'parquet = ["x.parquet"]'))


def test_fresh_job_refuses_foreign_file_in_its_shard_names(tmp_path, models):
    write_jsonl(tmp_path / "in.jsonl", records(2))
    (tmp_path / "out" / "data").mkdir(parents=True)
    (tmp_path / "out" / "data" / "in-00000-000.parquet").write_text("mine")
    with pytest.raises(ConfigError, match="did not write"):
        run_job(dataset_toml(tmp_path, models, 'jsonl = ["in.jsonl"]'))
    assert (tmp_path / "out" / "data" / "in-00000-000.parquet").read_text() == "mine"


# --------------------------------------------------------------------------- units


@pytest.mark.parametrize(
    "value, want",
    [
        ({"id": "a"}, ("a", None)),
        ({"id": 5}, ("5", None)),
        ({"id": True}, (None, "not a string")),
        ({"id": None}, (None, "not a string")),
        ({"id": 1.5}, (None, "not a string")),
        ({"id": ["a"]}, (None, "not a string")),
        ({}, (None, 'no "id" field')),
    ],
)
def test_record_ids(value, want):
    got = record_id(value, "id", "f:0")
    assert got[0] == want[0]
    if want[1] is None:
        assert got[1] is None
    else:
        assert want[1] in got[1]


def test_jsonl_data_line_appends_to_the_object_verbatim():
    raw = b'{"a": 1e400, "b": "\\u00e9" }'
    line = jsonl_data_line(raw, {"mt_x": {"tr": "é"}})
    assert line == b'{"a": 1e400, "b": "\\u00e9", "mt_x": {"tr": "\xc3\xa9"}}\n'


def test_infer_fields_widens_nulls_and_keeps_disagreeing_fields_as_json():
    recs = [{"a": None, "b": 1, "c": 1}] * 5000 + [{"a": "x", "b": 2.5, "c": "y"}]
    fields, as_json = infer_fields(pa, recs)
    types = {f.name: f.type for f in fields}
    assert types["a"] == pa.string() and types["b"] == pa.float64()
    assert as_json == {"c"} and types["c"] == pa.string()


def test_iter_jsonl_counts_rows_over_blank_lines_and_reads_ranges(tmp_path):
    p = tmp_path / "x.jsonl"
    p.write_bytes(b'{"i": 0}\n\n{"i": 1}\r\n   \n{"i": 2}\n')
    got = [(r.row, r.value["i"]) for r in iter_jsonl(str(p), 1, 3)]
    assert got == [(1, 1), (2, 2)]


# --------------------------------------------------------------------------- the shipped job


def corpus_config(tmp_path, models, runner="local"):
    from dataclasses import replace

    from tests.test_batch import ROOT

    cfg = load_job_config(ROOT / "configs/jobs/corpus.toml")
    return replace(cfg, output_dir=str(tmp_path / f"out-{runner}"), runner=runner).with_overrides(
        targets=TARGETS,
        models={k: str(v) for k, v in models.items()},
        max_length=8,
        beam=1,
        quality_gate=False,
        cache_path=str(tmp_path / "tm.sqlite"),
    )


def test_shipped_corpus_job_translates_jsonl_gz_into_parquet_with_term_report(tmp_path, models):
    from mtalign.batch import run_config

    cfg = corpus_config(tmp_path, models)
    assert cfg.dataset and cfg.output.format == "parquet"
    summary = run_config(cfg)
    out = Path(cfg.output_dir)
    rows = read_dataset(out / "data")
    assert summary.ok and len(rows) == summary.documents == 48
    assert {r["desk"] for r in rows} == {"world", "economy"}
    # The glossary (check mode) reports the terms of the records that name them.
    with_terms = [r for r in rows if r["mt_terms"] and r["mt_terms"]["tr"]["occurrences"]]
    assert with_terms and summary.glossary and summary.glossary["all"]["occurrences"] > 0
    assert json.loads((out / "manifest.json").read_text())["rows"]["data"] == 48
