"""``mtalign serve`` with real engines on the tiny test models, over loopback HTTP.

The LibreTranslate client from PyPI (``libretranslatepy``) talks to a server these tests
start on 127.0.0.1 and an ephemeral port and stop again; the native /v1 endpoints, file
translation, coalescing of concurrent requests into shared engine batches, the engine
queue, the config file and SIGTERM draining run on the same models. The models talk
gibberish: assert structure, counts, glossary mechanics, never quality.
"""

from __future__ import annotations

import concurrent.futures
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

httpx = pytest.importorskip("httpx")
pytest.importorskip("starlette")
pytest.importorskip("uvicorn")
lt = pytest.importorskip("libretranslatepy")

from mtalign.errors import ConfigError  # noqa: E402
from mtalign.serve.config import load_serve_config  # noqa: E402
from mtalign.serve.run import running  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
GLOSSARY = ROOT / "configs" / "glossaries" / "idlib.toml"
EN = "The talks in Idlib ended on Friday. Officials said more work was needed."
MD = "# Talks in Idlib\n\nThe talks ended on Friday.\n\n```\ncode stays\n```\n\n- Moscow agreed.\n"


@pytest.fixture(scope="module")
def models(marian_tiny: Callable[..., Path]) -> dict[str, str]:
    return {t: str(marian_tiny(t)) for t in ("tr", "ar")}


def _config(models: dict[str, str], tmp: Path, **server: Any) -> Any:
    translate = {
        "targets": ("tr", "ar"),
        "models": models,
        "glossary": (str(GLOSSARY),),
        "max_length": 12,
        "threads": 1,
        "cache_path": str(tmp / "tm.sqlite"),
    }
    return load_serve_config(None, {"port": 0, **server}, translate)


@pytest.fixture(scope="module")
def url(models: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("serve")
    with running(_config(models, tmp, batch_wait_ms=20)) as base:
        yield base


def test_libretranslate_client(url: str) -> None:
    client = lt.LibreTranslateAPI(url)
    langs = client.languages()
    assert {"code": "en", "name": "English", "targets": ["tr", "ar"]} in langs
    out = client.translate(EN, "en", "tr")
    assert isinstance(out, str) and out.strip()
    assert client.translate(EN, "auto", "ar").strip()
    assert client.detect(EN)[0]["language"] == "en"


def test_libretranslate_client_sees_errors(url: str) -> None:
    import urllib.error

    with pytest.raises(urllib.error.HTTPError) as info:
        lt.LibreTranslateAPI(url).translate(EN, "en", "de")
    assert info.value.code == 400
    assert "not supported" in json.loads(info.value.read())["error"]


def test_lists_keep_order_count_and_lines(url: str) -> None:
    q = [EN, "", "Moscow agreed.\nAnkara did not.", EN]
    r = httpx.post(url + "translate", json={"q": q, "source": "en", "target": "tr"}, timeout=60)
    out = r.json()["translatedText"]
    assert r.status_code == 200 and len(out) == 4
    assert out[1] == "" and out[2].count("\n") == 1 and out[0] == out[3]


def test_alternatives_field(url: str) -> None:
    body = {"q": EN, "source": "en", "target": "tr", "alternatives": 2}
    assert httpx.post(url + "translate", json=body, timeout=60).json()["alternatives"] == []


def test_html_is_served_or_refused_clearly(url: str) -> None:
    from mtalign import io

    body = {"q": "<p>The talks <b>ended</b>.</p>", "source": "en", "target": "tr", "format": "html"}
    r = httpx.post(url + "translate", json=body, timeout=60)
    if "html" in io.FORMATS:  # the formats work provides the reader
        assert r.status_code == 200 and "<b>" in r.json()["translatedText"]
    else:
        assert r.status_code == 400 and "html" in r.json()["error"]


@pytest.mark.parametrize(
    ("name", "content", "kept"),
    [
        ("article.txt", EN + "\n\nMoscow agreed.\n", None),
        ("article.md", MD, ("# ", "```\ncode stays\n```", "- ")),
    ],
)
def test_translate_file(url: str, name: str, content: str, kept: tuple[str, ...] | None) -> None:
    files = {"file": (name, content.encode("utf-8"), "text/plain")}
    r = httpx.post(url + "translate_file", data={"source": "en", "target": "tr"}, files=files,
                   timeout=60)  # fmt: skip
    assert r.status_code == 200, r.text
    link = r.json()["translatedFileUrl"]
    assert link.startswith(url + "download_file/")
    got = httpx.get(link, timeout=10)
    assert got.status_code == 200
    assert ".tr." in got.headers["content-disposition"]
    text = got.content.decode("utf-8")
    assert text.count("\n") == content.count("\n")
    for piece in kept or ():
        assert piece in text


def test_translate_file_refuses_binary(url: str) -> None:
    files = {"file": ("x.txt", bytes(range(256)) * 4, "application/octet-stream")}
    r = httpx.post(url + "translate_file", data={"target": "tr", "source": "en"}, files=files)
    assert r.status_code == 400 and "binary" in r.json()["error"]


def test_native_several_targets_with_flags_and_terms(url: str) -> None:
    body = {"texts": [EN, ""], "source": "auto", "targets": ["tr", "ar"], "glossary": "server"}
    r = httpx.post(url + "v1/translate", json=body, timeout=60)
    data = r.json()
    assert (
        r.status_code == 200
        and data["source"] == "en"
        and set(data["translations"]) == {"tr", "ar"}
    )
    for lang in ("tr", "ar"):
        first, blank = data["translations"][lang]
        assert blank == {"text": "", "segments": [], "terms": []}
        assert [s["source"] for s in first["segments"]] == [
            "The talks in Idlib ended on Friday.", "Officials said more work was needed."
        ]  # fmt: skip
        assert all(isinstance(s["flags"], list) for s in first["segments"])
        idlib = [t for t in first["terms"] if t["term"] == "idlib"]
        assert idlib and idlib[0]["status"] == "ok"  # enforced: the name is in place
        assert idlib[0]["expected"][0] in first["text"]
    assert set(data["models"]) == {"en-tr", "en-ar"}


def test_native_request_glossary_is_enforced(url: str) -> None:
    terms = [{"en": "Friday", "tr": "Cumaxyz", "ar": "الجمعةxyz"}]
    body = {"text": EN, "source": "en", "targets": ["tr"], "glossary": terms}
    data = httpx.post(url + "v1/translate", json=body, timeout=60).json()
    item = data["translations"]["tr"][0]
    hits = [t for t in item["terms"] if t["source"] == "Friday"]
    assert hits and hits[0]["status"] == "ok" and "Cumaxyz" in item["text"]


def test_native_align(url: str) -> None:
    body = {
        "source": "The talks ended. Officials left. Moscow agreed.",
        "target": "Görüşmeler bitti. Yetkililer ayrıldı. Moskova kabul etti.",
        "source_lang": "en",
        "target_lang": "tr",
    }
    data = httpx.post(url + "v1/align", json=body, timeout=60).json()
    assert len(data["source_sentences"]) == 3 and len(data["target_sentences"]) == 3
    assert sorted(i for b in data["beads"] for i in b["src"]) == [0, 1, 2]
    assert sorted(i for b in data["beads"] for i in b["tgt"]) == [0, 1, 2]


def _metric(url: str, name: str) -> float:
    for line in httpx.get(url + "metrics").text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[-1])
    raise AssertionError(name)


def test_concurrent_requests_share_engine_batches(url: str) -> None:
    before = _metric(url, "mtalign_batches_total")
    texts = [f"Report number {i} from the talks in Idlib was read on Friday." for i in range(24)]

    def call(text: str) -> httpx.Response:
        return httpx.post(url + "translate", json={"q": text, "source": "en", "target": "tr"},
                          timeout=120)  # fmt: skip

    with concurrent.futures.ThreadPoolExecutor(24) as pool:
        answers = list(pool.map(call, texts))
    assert [r.status_code for r in answers] == [200] * 24
    batches = _metric(url, "mtalign_batches_total") - before
    assert 1 <= batches < 24  # requests waited for each other instead of one batch each


def test_memory_answers_repeats(url: str) -> None:
    body = {"q": "A sentence only this test sends, about Moscow.", "source": "en", "target": "ar"}
    first = httpx.post(url + "translate", json=body, timeout=60).json()
    hits = _metric(url, "mtalign_cache_hits_total")
    again = httpx.post(url + "translate", json=body, timeout=60).json()
    assert again == first and _metric(url, "mtalign_cache_hits_total") == hits + 1


def test_queue_full_is_503_with_retry_after(models: dict[str, str], tmp_path: Path) -> None:
    config = _config(models, tmp_path, queue_size=1, batch_wait_ms=300)
    body = {"q": EN, "source": "en", "target": "tr"}
    with running(config) as base:
        with concurrent.futures.ThreadPoolExecutor(12) as pool:
            answers = list(pool.map(lambda _: httpx.post(base + "translate", json=body,
                                                         timeout=60), range(12)))  # fmt: skip
    codes = sorted(r.status_code for r in answers)
    assert 200 in codes and 503 in codes and set(codes) <= {200, 503}
    full = next(r for r in answers if r.status_code == 503)
    assert full.headers["Retry-After"] and "queue is full" in full.json()["error"]


def test_missing_model_fails_before_binding(tmp_path: Path) -> None:
    config = load_serve_config(None, {"port": 0}, {"targets": ("tr",),
                                                   "models": {"tr": str(tmp_path / "nope")}})  # fmt: skip
    from mtalign.errors import MtalignError

    with pytest.raises(MtalignError), running(config):
        pass


def test_config_file(tmp_path: Path, models: dict[str, str]) -> None:
    (tmp_path / "keys.txt").write_text("a-long-key-1\n", encoding="utf-8")
    cfg = tmp_path / "serve.toml"
    cfg.write_text(
        '[server]\nport = 0\napi_keys = "keys.txt"\nmax_chars = 5000\n'
        f'[translate]\ntargets = ["tr"]\nmodels = {{ tr = "{models["tr"]}" }}\n'
        f'[glossary]\npath = "{GLOSSARY}"\n',
        encoding="utf-8",
    )
    loaded = load_serve_config(str(cfg), {"host": None}, {"beam": 2})
    assert loaded.server.api_keys == str(tmp_path / "keys.txt")
    assert loaded.server.max_chars == 5000 and loaded.server.host == "127.0.0.1"
    assert loaded.settings.glossary_mode == "enforce" and loaded.settings.beam == 2


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("[server]\nprot = 1\n", "unknown key 'prot'"),
        ("[serve]\n", "unknown table"),
        ('[translate]\ntargets = ["tr"]\nglossary = "x.toml"\n', "unknown key 'glossary'"),
        ('[server]\napi_keys = "missing.txt"\n[translate]\ntargets = ["tr"]\n', "no such file"),
    ],
)
def test_config_file_errors(tmp_path: Path, text: str, words: str) -> None:
    cfg = tmp_path / "serve.toml"
    cfg.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=words):
        load_serve_config(str(cfg))


def test_shipped_config_loads(models: dict[str, str]) -> None:
    cfg = load_serve_config(str(ROOT / "configs" / "serve.toml"))
    assert cfg.server.host == "127.0.0.1" and cfg.settings.targets == ("tr", "ru", "ar")


def test_sigterm_answers_requests_in_flight(models: dict[str, str], tmp_path: Path) -> None:
    """The command line's server: every request in flight at SIGTERM gets its answer, the
    process exits 0, the memory is a sound SQLite file and no temp file is left."""
    tm = tmp_path / "tm.sqlite"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    cmd = [sys.executable, "-m", "mtalign", "serve", "--to", "tr", "--model",
           f"tr={models['tr']}", "--port", "0", "--threads", "1"]  # fmt: skip
    cfg = tmp_path / "serve.toml"
    cfg.write_text(f'[translate]\ncache_path = "{tm}"\nmax_length = 48\n', encoding="utf-8")
    proc = subprocess.Popen([*cmd, "--config", str(cfg)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=tmp_path, env=env)  # fmt: skip
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        assert "listening on" in line, proc.stderr.read() if proc.stderr else ""
        base = line.split("listening on ")[1].split()[0]
        texts = [f"Sentence {i} about the talks in Idlib on Friday." for i in range(16)]
        with concurrent.futures.ThreadPoolExecutor(16) as pool:
            futures = [pool.submit(httpx.post, base + "translate",
                                   json={"q": t, "source": "en", "target": "tr"}, timeout=120)
                       for t in texts]  # fmt: skip
            deadline = time.monotonic() + 60
            while httpx.get(base + "health").json()["in_flight"] < 17:  # 16 + this one
                assert time.monotonic() < deadline, "the requests never arrived"
                time.sleep(0.02)
            proc.send_signal(signal.SIGTERM)
            answers = [f.result() for f in futures]
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert [r.status_code for r in answers] == [200] * 16
    with sqlite3.connect(tm) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
