"""Shared fixtures: offline environment and tiny random Marian models.

Fixtures for every test author (all session-scoped, built once per test session):

``marian_tiny(tgt, src="en") -> Path``
    Factory: a tiny random-weight Marian checkpoint (2+2 layers, d_model 64) for
    ``src``-``tgt``, laid out like a real OPUS-MT model (source.spm, target.spm, vocab.json,
    tokenizer_config.json, config.json, generation_config.json, model.safetensors).
    Built with :func:`mtalign.testing.build_marian` (seed 0). en-ar has ``>>ara<<`` in its
    vocabulary, like the real multi-target model.
``tiny_en_tr``, ``tiny_en_ru``, ``tiny_en_ar`` -> Path
    The three checkpoints above, ready made.
``tiny_model(tgt, src="en") -> mtalign.models.ResolvedModel``
    Factory: the checkpoint resolved through :func:`mtalign.models.resolve_model`
    (target token filled in from the registry, e.g. ``>>ara<<`` for en-ar).
``tiny_ct2(tgt, src="en", quantization="float32") -> Path``
    Factory: the checkpoint converted to CTranslate2 in the session's cache.
``tiny_translator(engine, tgt, src="en", compute_type=None) -> Translator``
    Factory: a loaded engine (``"ctranslate2"`` or ``"transformers"``) on CPU, cached per
    arguments. CTranslate2 defaults to ``float32`` here so results match transformers.

The random models talk gibberish and never emit ``</s>`` on their own (its logit is pushed
down): every output runs to the length limit. Assert structure, never quality.

An autouse session fixture makes every test offline (``HF_HUB_OFFLINE=1``) and points
``MTALIGN_HOME`` (the CTranslate2 conversion cache) at a session temp dir.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "TRANSFORMERS_VERBOSITY": "error",
    "TOKENIZERS_PARALLELISM": "false",
}


@pytest.fixture(scope="session", autouse=True)
def _offline_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """No network, and mtalign's caches inside the session's temp dir."""
    saved = {k: os.environ.get(k) for k in (*_ENV, "MTALIGN_HOME", "MTALIGN_MODELS")}
    os.environ.update(_ENV)
    os.environ["MTALIGN_HOME"] = str(tmp_path_factory.mktemp("mtalign-home"))
    os.environ.pop("MTALIGN_MODELS", None)
    yield
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="session")
def marian_tiny(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Path]:
    """Factory ``marian_tiny(tgt, src="en") -> Path`` of tiny Marian checkpoints."""
    from mtalign.testing import build_marian

    root = tmp_path_factory.mktemp("tiny-marian")
    built: dict[tuple[str, str], Path] = {}

    def make(tgt: str, src: str = "en") -> Path:
        key = (src, tgt)
        if key not in built:
            built[key] = build_marian(root / f"{src}-{tgt}", src, tgt, preset="tiny", seed=0)
        return built[key]

    return make


@pytest.fixture(scope="session")
def tiny_en_tr(marian_tiny: Callable[..., Path]) -> Path:
    return marian_tiny("tr")


@pytest.fixture(scope="session")
def tiny_en_ru(marian_tiny: Callable[..., Path]) -> Path:
    return marian_tiny("ru")


@pytest.fixture(scope="session")
def tiny_en_ar(marian_tiny: Callable[..., Path]) -> Path:
    return marian_tiny("ar")


@pytest.fixture(scope="session")
def tiny_model(marian_tiny: Callable[..., Path]) -> Callable[..., Any]:
    """Factory ``tiny_model(tgt, src="en") -> ResolvedModel``."""
    from mtalign.models import resolve_model

    def make(tgt: str, src: str = "en") -> Any:
        return resolve_model(marian_tiny(tgt, src), src=src, tgt=tgt)

    return make


@pytest.fixture(scope="session")
def tiny_ct2(tiny_model: Callable[..., Any]) -> Callable[..., Path]:
    """Factory ``tiny_ct2(tgt, src="en", quantization="float32") -> Path`` (converted dir)."""
    from mtalign.models import convert_to_ct2

    def make(tgt: str, src: str = "en", quantization: str = "float32") -> Path:
        return convert_to_ct2(tiny_model(tgt, src), quantization)

    return make


@pytest.fixture(scope="session")
def tiny_translator(tiny_model: Callable[..., Any]) -> Iterator[Callable[..., Any]]:
    """Factory ``tiny_translator(engine, tgt, src="en", compute_type=None) -> Translator``."""
    from mtalign.engines import engine_name, load_translator

    loaded: dict[tuple[str, str, str, str | None], Any] = {}

    def make(engine: str, tgt: str, src: str = "en", compute_type: str | None = None) -> Any:
        name = engine_name(engine)
        if compute_type is None and name == "ctranslate2":
            compute_type = "float32"
        key = (name, src, tgt, compute_type)
        if key not in loaded:
            loaded[key] = load_translator(
                name,
                tiny_model(tgt, src),
                device="cpu",
                compute_type=compute_type,
                # torch threads are process-wide: leave them alone
                threads=1 if name == "ctranslate2" else 0,
            )
        return loaded[key]

    yield make
    for translator in loaded.values():
        translator.close()


@pytest.fixture(scope="module")
def restore_torch_threads() -> Iterator[None]:
    """Put torch's process-wide thread count back after a module whose engines set it."""
    import torch

    saved = torch.get_num_threads()
    yield
    torch.set_num_threads(saved)
