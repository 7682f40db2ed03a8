"""Model registry, resolution (local dir, HF cache, offline), conversion cache, CLI."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mtalign.errors import ConfigError, ModelError
from mtalign.models import (
    CT2_MARKER,
    convert_to_ct2,
    ct2_cache_path,
    ct2_quantization,
    default_registry_path,
    is_converted,
    load_registry,
    local_revision,
    parse_pair,
    resolve_model,
    same_language,
)

ROOT = Path(__file__).resolve().parent.parent


# --------------------------------------------------------------------------- registry


def test_configs_copy_is_identical_to_package_registry():
    shipped = default_registry_path().read_bytes()
    assert (ROOT / "configs" / "models.toml").read_bytes() == shipped


@pytest.mark.parametrize(
    ("pair", "model", "token", "small", "small_token"),
    [
        ("en-tr", "Helsinki-NLP/opus-mt-tc-big-en-tr", None, "Helsinki-NLP/opus-tatoeba-en-tr", None),
        ("en-ru", "Helsinki-NLP/opus-mt-tc-big-en-zle", ">>rus<<", "Helsinki-NLP/opus-mt-en-ru", None),
        ("en-ar", "Helsinki-NLP/opus-mt-tc-big-en-ar", ">>ara<<", "Helsinki-NLP/opus-mt-en-ar", ">>ara<<"),
        ("en-de", "Helsinki-NLP/opus-mt-en-de", None, None, None),
        ("en-fr", "Helsinki-NLP/opus-mt-tc-big-en-fr", None, "Helsinki-NLP/opus-mt-en-fr", None),
        ("en-es", "Helsinki-NLP/opus-mt-tc-big-en-es", None, "Helsinki-NLP/opus-mt-en-es", None),
        ("en-uk", "Helsinki-NLP/opus-mt-tc-big-en-zle", ">>ukr<<", "Helsinki-NLP/opus-mt-en-uk", None),
        ("en-zh", "Helsinki-NLP/opus-mt-en-zh", ">>cmn_Hans<<", None, None),
        ("tr-en", "Helsinki-NLP/opus-mt-tc-big-tr-en", None, "Helsinki-NLP/opus-mt-tr-en", None),
        ("ru-en", "Helsinki-NLP/opus-mt-tc-big-zle-en", None, "Helsinki-NLP/opus-mt-ru-en", None),
        ("ar-en", "Helsinki-NLP/opus-mt-tc-big-ar-en", None, "Helsinki-NLP/opus-mt-ar-en", None),
    ],
)  # fmt: skip
def test_shipped_registry(pair, model, token, small, small_token):
    reg = load_registry()
    entry = reg.get(*parse_pair(pair))
    assert (entry.model, entry.target_token, entry.fallback) == (model, token, False)
    assert entry.licence and entry.family and entry.card.endswith(model)
    if small is None:
        assert not reg.has_choice(*parse_pair(pair), "small")
        return
    alt = reg.get(*parse_pair(pair), "small")
    assert (alt.model, alt.target_token, alt.family) == (small, small_token, "opus-mt")
    assert alt.licence and alt.choice == "small" and not alt.is_default


def test_every_choice_records_why():
    """Licence, family, a published figure with its test set, sizes; tokens in the labels."""
    choices = list(load_registry().all())
    assert len(choices) == 21
    for e in choices:
        assert e.licence in ("CC-BY-4.0", "Apache-2.0"), e
        assert e.benchmarks and all(b.test_set for b in e.benchmarks), e
        assert all(b.bleu is not None or b.chrf is not None for b in e.benchmarks), e
        if e.model != "Helsinki-NLP/opus-mt-en-zh":  # its size is not published
            assert e.params_m and "params" in e.estimated, e
        if e.target_token:
            assert e.target_token.strip("<>") in e.labels, e
        if e.family == "tc-big":
            assert "tc-big" in e.model
        # The default is the stronger model on every shared news/FLORES test set.
    for e in load_registry():
        for alt in load_registry().choices(e.src, e.tgt)[1:]:
            if alt.choice != "small":
                continue
            ours = {b.test_set: b.bleu for b in e.benchmarks}
            shared = [b for b in alt.benchmarks if b.test_set in ours and b.bleu is not None]
            assert all(ours[b.test_set] > b.bleu for b in shared), (e.pair, shared)


def test_one_checkpoint_two_pairs():
    """en-ru and en-uk share opus-mt-tc-big-en-zle; the pair decides the token."""
    reg = load_registry()
    zle = "Helsinki-NLP/opus-mt-tc-big-en-zle"
    assert reg.find_model(zle, "en", "uk").target_token == ">>ukr<<"
    assert reg.find_model(zle, "en", "ru").target_token == ">>rus<<"
    assert reg.find_model(zle, "en", "be") is None  # no guess for a pair it does not list
    assert reg.find_model(zle).pair == "en-ru"


def test_unknown_choice():
    with pytest.raises(
        ModelError, match="no model 'tiny' for en-ar; its choices are default, small"
    ):
        load_registry().get("en", "ar", "tiny")


def test_unknown_pair_falls_back():
    entry = load_registry().get("en", "fi")
    assert entry.model == "Helsinki-NLP/opus-mt-en-fi"
    assert entry.fallback and entry.target_token is None


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "models.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_user_registry_overrides_and_extends(tmp_path, monkeypatch):
    path = _write(
        tmp_path,
        '[pairs.en-tr]\nmodel = "me/my-en-tr"\n\n[pairs.en-kk]\nmodel = "me/en-kk"\n'
        'target_token = ">>kaz<<"\n',
    )
    monkeypatch.setenv("MTALIGN_MODELS", str(path))
    reg = load_registry()
    assert reg.get("en", "tr").model == "me/my-en-tr"
    assert reg.get("en", "kk").target_token == ">>kaz<<"
    assert reg.get("en", "ar").model == "Helsinki-NLP/opus-mt-tc-big-en-ar"  # untouched
    # The overlay replaced en-tr's default; the shipped alternative stays.
    assert reg.get("en", "tr", "small").model == "Helsinki-NLP/opus-tatoeba-en-tr"
    assert reg.sources[-1] == path
    monkeypatch.delenv("MTALIGN_MODELS")
    assert load_registry(path).get("en", "tr").model == "me/my-en-tr"


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ('[pairs.en-tr]\nmodel = "x/y"\nlicense = "MIT"\n', r"\[pairs.en-tr\]: unknown key 'license' \(did you mean 'licence'\?\)"),
        ('[pairs.en-tr]\nmodel = "x/y"\n[extra]\na = 1\n', "top level: unknown key 'extra'"),
        ('[registry]\nfallbak = "x"\n', "fallbak"),
        ('[registry]\nfallback = "Helsinki-NLP/opus-mt"\n', "{src}"),
        ('[pairs.english-tr]\nmodel = "x/y"\n', "language pair like 'en-tr'"),
        ('[pairs.en-tr]\nnote = "no model"\n', "has no model"),
        ('[pairs.en-tr]\nmodel = "x/y"\ntarget_token = "ara"\n', ">>ara<<"),
        ("[pairs.en-tr]\nmodel = 3\n", r"\[pairs.en-tr\] model: expected a string"),
        ("[pairs.en-tr\nmodel = 'x'\n", "invalid TOML.*line 1"),
        ('[pairs.en-tr]\nmodel = "x"\nfamily = "huge"\n', "family: expected one of tc-big, opus-mt"),
        ('[pairs.en-tr]\nmodel = "x"\nparams_m = -1\n', "params_m: must be at least 0"),
        ('[pairs.en-tr]\nmodel = "x"\nestimated = ["size"]\n', "estimated"),
        ('[pairs.en-tr]\nmodel = "x"\nbenchmarks = [{ test_set = "wmt", blue = 3 }]\n',
         r"benchmarks\[1\]: unknown key 'blue' \(did you mean 'bleu'\?\)"),
        ('[pairs.en-tr]\nmodel = "x"\nbenchmarks = [{ bleu = 3.0 }]\n', r"benchmarks\[1\] test_set: no test_set"),
        ('[pairs.en-tr]\nmodel = "x"\nbenchmarks = [{ test_set = "a", bleu = 300 }]\n', "at most 100"),
        ('[pairs.en-tr]\nmodel = "x"\nbenchmarks = "a"\n', "must be a list"),
        ('[pairs.en-tr]\nmodel = "x"\n[pairs.en-tr.alternatives.default]\nmodel = "y"\n', "other than 'default'"),
        ('[pairs.en-tr]\nmodel = "x"\n[pairs.en-tr.alternatives.small]\nmodle = "y"\n',
         r"\[pairs.en-tr.alternatives.small\]: unknown key 'modle'"),
    ],
)  # fmt: skip
def test_bad_registry(tmp_path, text, match):
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError, match=match) as info:
        load_registry(path)
    assert str(path) in str(info.value)


def test_missing_user_registry(tmp_path, monkeypatch):
    monkeypatch.setenv("MTALIGN_MODELS", str(tmp_path / "nope.toml"))
    with pytest.raises(ConfigError, match="MTALIGN_MODELS"):
        load_registry()


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("en", "eng", True),
        ("tr", "TUR", True),
        ("ar", "ara", True),
        ("zh", "cmn_Hans", True),
        ("en", "tr", False),
        ("ru", "ukr", False),
        ("de", "ger", True),
    ],
)
def test_same_language(a, b, same):
    assert same_language(a, b) is same


@pytest.mark.parametrize("bad", ["entr", "en_tr", "english-turkish", ""])
def test_parse_pair_rejects(bad):
    with pytest.raises(ModelError, match="en-tr"):
        parse_pair(bad)


# --------------------------------------------------------------------------- resolution


def test_resolve_local_dir(tiny_en_ar):
    model = resolve_model(tiny_en_ar, src="en", tgt="ar")
    assert model.model_id == "local:en-ar"
    assert model.origin == "local"
    assert model.target_token == ">>ara<<"
    assert (model.src, model.tgt) == ("en", "ar")
    assert model.revision.startswith("sha256:")
    assert model.max_positions == 512


def test_resolve_local_dir_reads_pair_from_checkpoint(tiny_en_ru):
    model = resolve_model(str(tiny_en_ru))
    assert (model.src, model.tgt, model.target_token) == ("en", "ru", None)


def test_local_revision_follows_content_not_place(tmp_path, tiny_en_tr, marian_tiny):
    copy = Path(shutil.copytree(tiny_en_tr, tmp_path / "copy"))
    assert local_revision(copy) == local_revision(tiny_en_tr)
    assert local_revision(marian_tiny("ru")) != local_revision(tiny_en_tr)


@pytest.mark.parametrize("tgt", ["ru", "de"])
def test_pair_contradicting_the_checkpoint(tiny_en_tr, tgt):
    # Base checkpoints declare ISO 639-3 codes in tokenizer_config.json.
    with pytest.raises(ModelError, match=f"translates eng->tur.*'{tgt}'"):
        resolve_model(tiny_en_tr, src="en", tgt=tgt)


@pytest.mark.parametrize(
    ("remove", "missing"),
    [
        ("source.spm", "source.spm"),
        ("vocab.json", "vocab.json"),
        ("model.safetensors", "model.safetensors or"),
    ],
)
def test_incomplete_local_dir(tmp_path, tiny_en_tr, remove, missing):
    copy = Path(shutil.copytree(tiny_en_tr, tmp_path / "broken"))
    (copy / remove).unlink()
    with pytest.raises(ModelError, match=f"missing {missing}"):
        resolve_model(copy, src="en", tgt="tr")


def test_not_a_marian_model(tmp_path, tiny_en_tr):
    copy = Path(shutil.copytree(tiny_en_tr, tmp_path / "bart"))
    (copy / "config.json").write_text('{"model_type": "bart"}')
    with pytest.raises(ModelError, match="'bart', expected 'marian'"):
        resolve_model(copy)


def test_missing_dir(tmp_path):
    with pytest.raises(ModelError, match="does not exist"):
        resolve_model(tmp_path / "nothing")


def test_explicit_target_token_must_be_in_vocab(tiny_en_ar):
    with pytest.raises(ModelError, match=">>fra<< is not in"):
        resolve_model(tiny_en_ar, src="en", tgt="ar", target_token=">>fra<<")
    # Another variety the model knows may be chosen explicitly.
    assert resolve_model(tiny_en_ar, src="en", tgt="ar", target_token=">>arz<<").target_token == (
        ">>arz<<"
    )


def test_multi_target_without_known_token(tmp_path):
    from mtalign.testing import build_marian

    path = build_marian(tmp_path / "m", "en", "ar", lang_tokens=[">>arz<<", ">>apc<<"])
    with pytest.raises(ModelError, match="multi-target"):
        resolve_model(path, src="en", tgt="ar")


def _fake_hf_cache(tmp_path: Path, monkeypatch, model_id: str, checkpoint: Path) -> str:
    """Lay ``checkpoint`` out as a snapshot in a private HF cache; its commit hash."""
    from huggingface_hub import constants

    cache = tmp_path / "hf-cache"
    commit = "0123456789abcdef0123456789abcdef01234567"
    repo = cache / ("models--" + model_id.replace("/", "--"))
    shutil.copytree(checkpoint, repo / "snapshots" / commit)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(commit)
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(cache))
    return commit


def test_resolve_pair_from_hf_cache(tmp_path, monkeypatch, tiny_en_ru):
    commit = _fake_hf_cache(tmp_path, monkeypatch, "Helsinki-NLP/opus-mt-en-ru", tiny_en_ru)
    model = resolve_model("en-ru:small")
    assert (model.model_id, model.revision, model.origin) == (
        "Helsinki-NLP/opus-mt-en-ru",
        commit,
        "cache",
    )
    assert model.licence == "Apache-2.0"
    assert resolve_model("Helsinki-NLP/opus-mt-en-ru").revision == commit
    assert resolve_model("small", src="en", tgt="ru").model_id == "Helsinki-NLP/opus-mt-en-ru"


def test_cache_model_for_another_pair_is_refused(tmp_path, monkeypatch, tiny_en_ru):
    # A checkpoint whose tokenizer_config says en->ru stored under the en-tr id.
    _fake_hf_cache(tmp_path, monkeypatch, "Helsinki-NLP/opus-mt-tc-big-en-tr", tiny_en_ru)
    with pytest.raises(ModelError, match="translates eng->rus"):
        resolve_model("en-tr")


@pytest.mark.parametrize(
    ("spec", "kwargs", "model", "hint"),
    [
        ("en-de", {}, "Helsinki-NLP/opus-mt-en-de", "mtalign models pull en-de"),
        (None, {"src": "en", "tgt": "tr"}, "Helsinki-NLP/opus-mt-tc-big-en-tr", "--model tr="),
        ("Helsinki-NLP/opus-mt-en-fi", {}, "Helsinki-NLP/opus-mt-en-fi", "models pull"),
    ],
)
def test_offline_without_the_model(tmp_path, monkeypatch, spec, kwargs, model, hint):
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "empty-cache"))
    with pytest.raises(ModelError) as info:
        resolve_model(spec, **kwargs)
    assert model in str(info.value)
    assert hint in str(info.value)
    assert "offline" in str(info.value)


# --------------------------------------------------------------------------- CT2 cache


@pytest.mark.parametrize(
    ("compute", "quant"),
    [
        ("int8", "int8"),
        ("int8_float16", "int8"),
        ("int8_float32", "int8"),
        ("float32", "float32"),
        ("float16", "float16"),
    ],
)
def test_ct2_quantization(compute, quant):
    assert ct2_quantization(compute) == quant


def test_ct2_quantization_unknown():
    with pytest.raises(ModelError, match="compute type"):
        ct2_quantization("int4")


def test_conversion_cache(tiny_model, monkeypatch, tmp_path):
    monkeypatch.setenv("MTALIGN_HOME", str(tmp_path / "home"))
    model = tiny_model("tr")
    path = convert_to_ct2(model, "int8")
    assert path == ct2_cache_path(model, "int8")
    assert path.parent == tmp_path / "home" / "ct2"
    assert is_converted(path)
    stamp = (path / CT2_MARKER).stat().st_mtime_ns
    assert convert_to_ct2(model, "int8") == path  # cached: not converted again
    assert (path / CT2_MARKER).stat().st_mtime_ns == stamp
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".tmp-")]


def test_unfinished_conversion_is_not_trusted(tiny_model, monkeypatch, tmp_path):
    monkeypatch.setenv("MTALIGN_HOME", str(tmp_path / "home"))
    model = tiny_model("ru")
    final = ct2_cache_path(model, "float32")
    final.mkdir(parents=True)
    (final / "model.bin").write_bytes(b"half a model")  # no marker: a crash mid-way
    assert not is_converted(final)
    assert convert_to_ct2(model, "float32") == final
    assert is_converted(final)
    assert (final / "model.bin").stat().st_size > 1000


def test_cache_key_has_id_revision_quantization(tiny_model):
    model = tiny_model("ar")
    a, b = ct2_cache_path(model, "int8"), ct2_cache_path(model, "float32")
    assert a != b and a.parent == b.parent
    assert model.revision.replace(":", "")[:16] in a.name


# --------------------------------------------------------------------------- CLI


def test_cli_list(capsys):
    from mtalign.cli.models import Models

    Models().list()
    captured = capsys.readouterr()
    out = captured.out.splitlines()
    assert out[0].split()[:8] == [
        "pair",
        "choice",
        "model",
        "family",
        "licence",
        "params",
        "disk",
        "token",
    ]
    assert len(out) == 1 + 21  # every default and alternative
    row = next(line for line in out if line.startswith("en-ar") and " default " in line)
    assert row.split()[2:8] == [
        "Helsinki-NLP/opus-mt-tc-big-en-ar",
        "tc-big",
        "CC-BY-4.0",
        "~239M",
        "~480MB",
        ">>ara<<",
    ]
    assert "flores101-devtest 29.4/61.2" in row and row.split()[-1] == "no"
    small = next(line for line in out if line.startswith("en-ar") and " small " in line)
    assert "Helsinki-NLP/opus-mt-en-ar" in small and "tatoeba-test-v2020-07-28 14.0/43.7" in small
    tr = next(line for line in out if line.startswith("en-tr") and " default " in line)
    assert " 587MB " in tr  # read on the hub, not estimated
    assert "~ = estimate" in captured.err


def test_cli_list_json(capsys):
    import json

    from mtalign.cli.models import Models

    Models().list(format="json")
    rows = json.loads(capsys.readouterr().out)
    by = {(r["pair"], r["choice"]): r for r in rows}
    ar = by[("en-ar", "default")]
    assert ar["model"] == "Helsinki-NLP/opus-mt-tc-big-en-ar" and ar["default"] is True
    assert ar["benchmarks"][0] == {
        "test_set": "flores101-devtest",
        "bleu": 29.4,
        "chrf": 61.2,
        "source": "card",
    }
    assert (
        ar["labels"][3] == "ara" and ar["local"] is False and ar["estimated"] == ["params", "disk"]
    )
    assert by[("en-de", "big")]["benchmarks"][0]["source"] == "TC"
    assert by[("en-uk", "default")]["target_token"] == ">>ukr<<"


def test_cli_list_bad_format():
    from mtalign.cli.models import Models
    from mtalign.errors import InputError

    with pytest.raises(InputError, match="--format: expected one of table, json"):
        Models().list(format="yaml")


def test_cli_pull_offline(monkeypatch):
    import huggingface_hub

    from mtalign.cli.models import Models

    def refuse(*args, **kwargs):
        raise OSError("network is unreachable")

    monkeypatch.setattr(huggingface_hub.HfApi, "model_info", refuse)
    with pytest.raises(ModelError, match="cannot download model Helsinki-NLP/opus-mt-tc-big-en-ar"):
        Models().pull("en-ar")


def test_cli_pull_needs_pairs():
    from mtalign.cli.models import Models
    from mtalign.errors import InputError

    with pytest.raises(InputError, match="pairs"):
        Models().pull()


def test_cli_convert(capsys, tiny_en_tr, tiny_model):
    from mtalign.cli.models import Models

    Models().convert(str(tiny_en_tr), quantization="int8")
    printed = Path(capsys.readouterr().out.strip())
    assert printed == ct2_cache_path(tiny_model("tr"), "int8")
    assert is_converted(printed)


def test_translate_picks_an_alternative_by_name(tmp_path, monkeypatch, tiny_en_ar):
    """--model ar=small: the registry's alternative, from the HF cache, with its token."""
    from mtalign.pipeline import TranslateSettings, resolve_pairs

    commit = _fake_hf_cache(tmp_path, monkeypatch, "Helsinki-NLP/opus-mt-en-ar", tiny_en_ar)
    settings = TranslateSettings(targets=("ar",), src="en", models={"ar": "small"})
    [pe] = resolve_pairs([("en", "ar")], settings).values()
    assert (pe.model.model_id, pe.model.revision) == ("Helsinki-NLP/opus-mt-en-ar", commit)
    assert pe.model.target_token == ">>ara<<" and pe.model.licence == "Apache-2.0"
    settings = TranslateSettings(targets=("ar",), src="en", models={"ar": "tiny"})
    with pytest.raises(ModelError, match="neither a registry choice of the pair .default, small."):
        resolve_pairs([("en", "ar")], settings)
