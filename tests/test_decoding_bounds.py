"""Every decoding option has an upper bound, enforced the same way by every front end.

Generated: each numeric translation setting x a value outside its declared bounds (just
over, far over, huge, negative) x each front end that offers it (the Python API,
``translate_texts``, a job's ``[translate]``, an eval suite's ``[[configuration]]``, the
``translate`` command line): always an error naming the setting, before any work. And for
any valid settings, the decoding options the pipeline gives an engine (first pass, the
quality gate's retry, glossary n-best) stay within fixed limits. ``align --method
translation`` has no decoding option: it translates with ``beam = 1`` through
``translate_texts`` (the same check).
"""

from __future__ import annotations

import typing
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mtalign.cli import main
from mtalign.errors import ConfigError
from mtalign.pipeline import TranslateSettings, check_settings, translate_texts
from mtalign.pipeline.settings import decode_options, safer_options
from mtalign.settings import SettingError, specs
from mtalign.settings.job import JOB_TRANSLATE_KEYS
from mtalign.settings.suite import SUITE_TRANSLATE_KEYS
from mtalign.settings.translate import MAX_BEAM

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "idlib.txt"
SPECS = specs(TranslateSettings)
NUMERIC = sorted(
    name
    for name, spec in SPECS.items()
    if int in (spec.type, *typing.get_args(spec.type)) and spec.type is not bool
)


def test_every_numeric_translation_setting_has_both_bounds():
    assert {"beam", "batch_tokens", "max_length", "min_length", "threads"} <= set(NUMERIC)
    unbounded = [n for n in NUMERIC if SPECS[n].ge is None or SPECS[n].le is None]
    assert not unbounded
    assert SPECS["beam"].le == MAX_BEAM <= 32
    assert SPECS["max_length"].le <= 1024 and SPECS["batch_tokens"].le <= 65536


@st.composite
def out_of_bounds(draw) -> tuple[str, int]:
    name = draw(st.sampled_from(NUMERIC))
    lo, hi = SPECS[name].ge, SPECS[name].le
    value = draw(
        st.sampled_from([hi + 1, hi * 2, 100_000, 10**9, lo - 1, -1, -(10**9)]).filter(
            lambda v: v > hi or v < lo
        )
    )
    return name, value


def _api(name, value, tmp):
    check_settings(TranslateSettings(targets=("tr",), **{name: value}))


def _texts(name, value, tmp):
    translate_texts(["Hello."], "en", "tr", TranslateSettings(targets=("tr",), **{name: value}))


def _job(name, value, tmp):
    from mtalign.batch import load_job_config

    cfg = tmp / "job.toml"
    cfg.write_text(
        f'[job]\noutput_dir = "out"\n[inputs]\nfiles = ["{SEED}"]\n'
        f'[translate]\ntargets = ["tr"]\n{name} = {value}\n',
        encoding="utf-8",
    )
    load_job_config(cfg)


def _suite(name, value, tmp):
    from mtalign.evaluate.suite import load_suite

    text = (ROOT / "configs" / "eval" / "idlib.toml").read_text(encoding="utf-8")
    text = text.replace('name = "ct2-greedy"\n', f'name = "ct2-greedy"\n{name} = {value}\n')
    text = text.replace('= "../', f'= "{ROOT}/configs/').replace('"../../', f'"{ROOT}/')
    cfg = tmp / "suite.toml"
    cfg.write_text(text.replace("beam = 1\n", "" if name == "beam" else "beam = 1\n"), "utf-8")
    load_suite(cfg)


def _cli(name, value, tmp):
    flag = SPECS[name].cli
    rc = main(["translate", str(SEED), "--to", "tr", "--out", str(tmp / "o"), flag, str(value)])
    assert rc == 2
    raise SettingError(name, "(printed)", "")


FRONT_ENDS = {
    "api": (_api, lambda n: True),
    "translate_texts": (_texts, lambda n: True),
    "job [translate]": (_job, lambda n: n in JOB_TRANSLATE_KEYS),
    "suite [[configuration]]": (_suite, lambda n: n in SUITE_TRANSLATE_KEYS),
    "translate command line": (_cli, lambda n: bool(SPECS[n].cli) and not SPECS[n].negate),
}


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(case=out_of_bounds(), front=st.sampled_from(sorted(FRONT_ENDS)))
def test_out_of_bounds_values_are_refused_by_every_front_end(tmp_path, capsys, case, front):
    name, value = case
    run, offers = FRONT_ENDS[front]
    if not offers(name):
        return
    with pytest.raises((SettingError, ConfigError)) as info:
        run(name, value, tmp_path)
    msg = capsys.readouterr().err if "(printed)" in str(info.value) else str(info.value)
    shown = SPECS[name].cli if front == "translate command line" else name
    assert shown in msg and ("at most" in msg or "at least" in msg), msg
    assert not (tmp_path / "o").exists()


@settings(max_examples=100, deadline=None, derandomize=True)
@given(
    beam=st.integers(1, MAX_BEAM),
    max_length=st.one_of(st.none(), st.integers(1, 1024)),
    min_length=st.integers(0, 1024),
)
def test_decoding_options_the_pipeline_makes_stay_bounded(beam, max_length, min_length):
    from dataclasses import replace

    s = check_settings(TranslateSettings(targets=("tr",), beam=beam, max_length=max_length,
                                         min_length=min_length))  # fmt: skip
    first, retry = decode_options(s), safer_options(s)
    nbest = replace(first, num_hypotheses=min(first.beam_size, 4))  # glossary enforcement
    for opts in (first, retry, nbest):
        assert 1 <= opts.beam_size <= MAX_BEAM + 2
        assert 1 <= opts.num_hypotheses <= opts.beam_size
        assert opts.max_length is None or opts.max_length <= 1024
        assert opts.min_length <= 1024
        # Without max_length, the output cap scales with an input the splitter keeps under
        # the model's limit (510 tokens for OPUS-MT): at most a * 510 + b tokens.
        assert opts.max_length_a * 510 + opts.max_length_b <= 1100


@pytest.mark.parametrize("front", sorted(FRONT_ENDS))
def test_beam_100000_is_refused_by_every_front_end(tmp_path, capsys, front):
    run, _ = FRONT_ENDS[front]
    with pytest.raises((SettingError, ConfigError)) as info:
        run("beam", 100_000, tmp_path)
    msg = capsys.readouterr().err if "(printed)" in str(info.value) else str(info.value)
    assert "beam" in msg and f"at most {MAX_BEAM}" in msg, msg
