"""The real-weights tier itself: how it finds checkpoints, how it skips, and what its
assertions say about random test models (the ones that mean something there)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mtalign.models import find_checkpoints, load_registry

ROOT = Path(__file__).resolve().parent.parent


# The checks set torch's process-wide thread count (engines on one thread): put it back.
pytestmark = pytest.mark.usefixtures("restore_torch_threads")


@pytest.fixture(scope="module")
def tiny_tc_big_en_tr(tmp_path_factory):
    from mtalign.testing import build_like

    return build_like(tmp_path_factory.mktemp("tier") / "en-tr", "en-tr")


def test_layouts_users_download_into(tmp_path, tiny_en_tr):
    """--local-dir folders (with or without the owner), an HF cache, pair folders."""
    reg = load_registry()
    cache_repo = tmp_path / "models--Helsinki-NLP--opus-mt-tc-big-en-zle"
    layouts = {
        tmp_path / "opus-mt-tc-big-en-tr": ["en-tr:default"],
        tmp_path / "Helsinki-NLP" / "opus-mt-en-ar": ["en-ar:small"],
        cache_repo / "snapshots" / "abc123": ["en-ru:default", "en-uk:default"],
        tmp_path / "tr-en": ["tr-en:default"],
        tmp_path / "ar-en-small": ["ar-en:small"],
    }
    for path in layouts:
        shutil.copytree(tiny_en_tr, path)
    (cache_repo / "refs").mkdir()
    (cache_repo / "refs" / "main").write_text("abc123")
    found = {f.id: f.path for f in find_checkpoints(tmp_path, reg)}
    assert found == {fid: path for path, ids in layouts.items() for fid in ids}
    assert find_checkpoints(tmp_path / "nothing", reg) == []


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (None, "MTALIGN_REAL_MODELS is not set"),
        ("", "MTALIGN_REAL_MODELS is not set"),
        ("{tmp}/missing", "error: MTALIGN_REAL_MODELS={tmp}/missing is not a folder"),
        ("{tmp}", "no registry model in MTALIGN_REAL_MODELS={tmp}"),
    ],
)
def test_skip_reasons(monkeypatch, tmp_path, value, reason):
    import tests.test_real_models as tier

    if value is None:
        monkeypatch.delenv("MTALIGN_REAL_MODELS", raising=False)
    else:
        monkeypatch.setenv("MTALIGN_REAL_MODELS", value.format(tmp=tmp_path))
    found, why = tier._discover()
    assert found == [] and why.startswith(reason.format(tmp=tmp_path))


def test_every_tier_test_is_marked_and_documented():
    import tests.test_real_models as tier

    tests = [f for name, f in vars(tier).items() if name.startswith("test_")]
    assert len(tests) == 7
    assert all("Guards:" in (f.__doc__ or "") for f in tests)
    assert tier.pytestmark.name == "real_model"
    assert "real_model:" in (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert "test-real:" in (ROOT / "Makefile").read_text(encoding="utf-8")


@pytest.mark.slow
def test_tier_on_a_random_test_model(tmp_path, monkeypatch, tiny_tc_big_en_tr):
    """A random model shaped like the en-tr default, found as a user's download: the tier's
    floor calls it gibberish, and its engines agree (what random models are built for)."""
    import tests.test_real_models as tier

    models = tmp_path / "models"
    shutil.copytree(tiny_tc_big_en_tr, models / "opus-mt-tc-big-en-tr")
    monkeypatch.setenv("MTALIGN_REAL_MODELS", str(models))
    monkeypatch.setenv("MTALIGN_REAL_MAX_LENGTH", "12")
    monkeypatch.setenv("OMP_NUM_THREADS", "1")  # two torch threads on two busy cores crawl
    monkeypatch.setattr(tier, "_CACHE", {})
    [found] = find_checkpoints(models, load_registry())
    assert found.id == "en-tr:default"
    with pytest.raises(AssertionError, match="chrF\\+\\+ .* < 30"):
        tier.test_chrf_above_the_floor(found)
    tier.test_ctranslate2_and_transformers_agree(found)
    with pytest.raises(pytest.skip.Exception, match="MTALIGN_REAL_COMET"):
        tier.test_comet_ranks_the_translation_above_broken_ones(found)
