"""The service's HTTP behaviour over real loopback HTTP, with a stand-in engine thread.

A real uvicorn server on 127.0.0.1 and an ephemeral port, started and stopped by these
tests; the stand-in worker answers at once (upper-cased text), or fails in the ways the
real one can (queue full, shutting down, too slow, a bug), so limits, errors, keys,
rate limits and CORS are checked without models. ``tests/test_serve.py`` runs the real
engine.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

httpx = pytest.importorskip("httpx")
pytest.importorskip("starlette")
pytest.importorskip("uvicorn")

from mtalign.langid import LangGuess  # noqa: E402
from mtalign.pipeline import DocResult  # noqa: E402
from mtalign.pipeline.results import SegmentOutcome  # noqa: E402
from mtalign.serve.config import load_serve_config  # noqa: E402
from mtalign.serve.engine import Job, QueueFull, Stopped  # noqa: E402
from mtalign.serve.run import running  # noqa: E402

EN = "The talks ended on Friday. Officials said more work was needed in Idlib."


class StandIn:
    """The engine thread's interface; ``mode`` picks the answer."""

    def __init__(self) -> None:
        self.mode = "echo"
        self.models: dict[str, Any] = {}
        self.depth = 0
        self.alive = False
        self.jobs: list[Job] = []

    def start(self, timeout: float | None = None) -> None:
        self.alive = True

    def stop(self) -> None:
        self.alive = False

    def submit(self, job: Job) -> Any:
        self.jobs.append(job)
        if self.mode == "full":
            raise QueueFull("the translation queue is full; retry after a few seconds")
        if self.mode == "stopped":
            raise Stopped("the service is shutting down; retry on another instance")
        if self.mode == "hang":
            return job.future
        job.future.set_running_or_notify_cancel()
        if self.mode == "boom":
            job.future.set_exception(RuntimeError("secret at /srv/private/model.bin"))
            return job.future
        out = []
        for d in job.docs:
            texts = {s.id: s.text.upper() for s in d.segments()}
            res = DocResult(doc=d, guess=LangGuess(job.src, 1.0))
            res.outputs[job.tgt] = d.with_texts(texts, lang=job.tgt)
            res.outcomes[job.tgt] = [SegmentOutcome(t) for t in texts.values()]
            out.append(res)
        job.future.set_result(out)
        return job.future


LIMITS = {"max_texts": 4, "max_chars": 400, "max_body_bytes": 4096, "timeout_s": 0.5}


def _config(**server: Any) -> Any:
    return load_serve_config(
        None, {"port": 0, **LIMITS, **server}, {"targets": ("tr", "ar"), "cache": False}
    )


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[str, StandIn]]:
    fake = StandIn()
    with running(_config(), worker=fake) as url:
        yield url, fake


@pytest.fixture()
def api(served: tuple[str, StandIn]) -> Iterator[tuple[Any, StandIn]]:
    url, fake = served
    fake.mode = "echo"
    with httpx.Client(base_url=url, timeout=10) as client:
        yield client, fake


def test_binds_loopback_by_default(served: tuple[str, StandIn]) -> None:
    assert served[0].startswith("http://127.0.0.1:")
    assert not served[0].endswith(":5000/")


def test_translate_json_and_form_bodies(api: tuple[Any, StandIn]) -> None:
    client, _ = api
    r = client.post("/translate", json={"q": EN, "source": "en", "target": "tr"})
    assert r.status_code == 200 and r.json() == {"translatedText": EN.upper()}
    r = client.post(
        "/translate", data={"q": ["one line.", "two\nlines."], "source": "en", "target": "ar"}
    )
    assert r.status_code == 200
    assert r.json()["translatedText"] == ["ONE LINE.", "TWO\nLINES."]


def test_auto_source_is_detected_and_reported(api: tuple[Any, StandIn]) -> None:
    client, _ = api
    r = client.post("/translate", json={"q": [EN, EN], "source": "auto", "target": "tr"})
    body = r.json()
    assert r.status_code == 200 and len(body["detectedLanguage"]) == 2
    assert body["detectedLanguage"][0]["language"] == "en"
    assert 0 < body["detectedLanguage"][0]["confidence"] <= 100


def test_blank_texts_are_answered_without_the_engine(api: tuple[Any, StandIn]) -> None:
    client, fake = api
    before = len(fake.jobs)
    r = client.post("/translate", json={"q": ["", "  "], "source": "en", "target": "tr"})
    assert r.json() == {"translatedText": ["", "  "]} and len(fake.jobs) == before


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"source": "en", "target": "tr"}, 400, "missing q"),
        ({"q": "Hi there.", "source": "en"}, 400, "missing target"),
        ({"q": "Hi there.", "source": "en", "target": "de"}, 400, "not supported"),
        ({"q": "Hi there.", "source": "ru", "target": "tr"}, 400, "not supported as a source"),
        ({"q": "Hi there.", "source": "en", "target": "en"}, 400, "not supported"),
        ({"q": 42, "source": "en", "target": "tr"}, 400, "string"),
        ({"q": ["a", {"b": 1}], "source": "en", "target": "tr"}, 400, "string"),
        ({"q": ["a"] * 5, "source": "en", "target": "tr"}, 413, "too many texts"),
        ({"q": "word " * 100, "source": "en", "target": "tr"}, 413, "too much text"),
        ({"q": "Hi there.", "source": "en", "target": "tr", "format": "docx"}, 400, "format"),
        ({"q": "ok", "source": "auto", "target": "tr"}, 400, "too little text"),
    ],
)
def test_bad_requests_get_one_clear_error(
    api: tuple[Any, StandIn], body: dict, status: int, words: str
) -> None:
    client, _ = api
    r = client.post("/translate", json=body)
    assert r.status_code == status, r.text
    assert set(r.json()) == {"error"} and words in r.json()["error"]


@pytest.mark.parametrize(
    ("content", "ctype", "status"),
    [
        (b"{not json", "application/json", 400),
        (b"[1, 2]", "application/json", 400),
        (b"q=%ff%fe&target=tr", "application/x-www-form-urlencoded", 400),
        (b"x" * 5000, "application/json", 413),
    ],
)
def test_malformed_and_oversized_bodies(
    api: tuple[Any, StandIn], content: bytes, ctype: str, status: int
) -> None:
    client, _ = api
    r = client.post("/translate", content=content, headers={"Content-Type": ctype})
    assert r.status_code == status and "error" in r.json()


def test_oversized_body_without_length_is_cut_off(api: tuple[Any, StandIn]) -> None:
    client, _ = api

    def chunks() -> Iterator[bytes]:
        for _ in range(100):
            yield b"q" * 1000

    r = client.post("/translate", content=chunks(), headers={"Content-Type": "application/json"})
    assert r.status_code == 413


@pytest.mark.parametrize(
    ("mode", "status", "retry"),
    [("full", 503, True), ("stopped", 503, True), ("hang", 503, True), ("boom", 500, False)],
)
def test_engine_trouble_answers_without_details(
    api: tuple[Any, StandIn], mode: str, status: int, retry: bool
) -> None:
    client, fake = api
    fake.mode = mode
    r = client.post("/translate", json={"q": EN, "source": "en", "target": "tr"})
    assert r.status_code == status
    assert ("Retry-After" in r.headers) == retry
    message = r.json()["error"]
    assert "secret" not in message and "/srv" not in message and "Traceback" not in message


def test_languages_and_detect(api: tuple[Any, StandIn]) -> None:
    client, _ = api
    langs = client.get("/languages").json()
    assert {"code": "en", "name": "English", "targets": ["tr", "ar"]} in langs
    assert {lang["code"] for lang in langs} == {"en", "tr", "ar"}
    r = client.post("/detect", data={"q": EN})
    assert r.status_code == 200 and r.json()[0]["language"] == "en"
    assert client.post("/detect", json={}).status_code == 400


def test_health_and_metrics(api: tuple[Any, StandIn]) -> None:
    client, _ = api
    assert client.get("/health").json()["status"] == "ok"
    client.post("/translate", json={"q": "Hello there.", "source": "en", "target": "tr"})
    text = client.get("/metrics").text
    assert "# TYPE mtalign_requests_total counter" in text
    line = next(x for x in text.splitlines()
                if x.startswith('mtalign_requests_total{method="POST",route="/translate",status="200"}'))  # fmt: skip
    assert int(line.split()[-1]) >= 1
    assert "mtalign_queue_depth 0" in text and "mtalign_request_seconds_bucket" in text


def test_no_cors_unless_configured(api: tuple[Any, StandIn]) -> None:
    client, _ = api
    r = client.get("/languages", headers={"Origin": "https://cms.example"})
    assert "access-control-allow-origin" not in r.headers


def test_cors_when_configured() -> None:
    config = _config(cors_origins=("https://cms.example",))
    with running(config, worker=StandIn()) as url:
        r = httpx.get(url + "languages", headers={"Origin": "https://cms.example"})
        other = httpx.get(url + "languages", headers={"Origin": "https://evil.example"})
    assert r.headers["access-control-allow-origin"] == "https://cms.example"
    assert "access-control-allow-origin" not in other.headers


def test_api_keys_and_rate_limits(tmp_path: Path) -> None:
    keys = tmp_path / "keys.txt"
    keys.write_text("# newsroom CMS\nalpha-key-123\t2\nbeta-key-4567\n", encoding="utf-8")
    body = {"q": "Hello there.", "source": "en", "target": "tr"}
    with running(_config(api_keys=str(keys)), worker=StandIn()) as url:
        with httpx.Client(base_url=url, timeout=10) as c:
            assert c.post("/translate", json=body).status_code == 403
            wrong = c.post("/translate", json={**body, "api_key": "wrong-key-guess"})
            assert wrong.status_code == 403 and "wrong-key-guess" not in wrong.text
            assert c.get("/languages").status_code == 200  # no key needed to list
            ok = [c.post("/translate", json={**body, "api_key": "alpha-key-123"}) for _ in range(3)]
            bearer = c.post(
                "/translate", json=body, headers={"Authorization": "Bearer beta-key-4567"}
            )
    assert [r.status_code for r in ok] == [200, 200, 429]
    assert int(ok[2].headers["Retry-After"]) >= 1 and "Slowdown" in ok[2].json()["error"]
    assert bearer.status_code == 200


@pytest.mark.parametrize(
    "glossary",
    ["/etc/passwd", "configs/glossaries/idlib.toml", {"path": "/etc/passwd"}, [{"tr": "x"}]],
)
def test_requests_cannot_name_server_files(api: tuple[Any, StandIn], glossary: Any) -> None:
    client, _ = api
    r = client.post("/v1/translate", json={"text": EN, "source": "en", "glossary": glossary})
    assert r.status_code == 400 and "/etc" not in r.json()["error"]


def test_request_glossary_is_bounded(api: tuple[Any, StandIn]) -> None:
    client, _ = api
    terms = [{"en": f"Name{i}", "tr": f"Ad{i}"} for i in range(201)]
    r = client.post("/v1/translate", json={"text": EN, "source": "en", "glossary": terms})
    assert r.status_code == 413


def test_page_is_served_with_a_strict_policy(api: tuple[Any, StandIn]) -> None:
    client, _ = api
    r = client.get("/")
    assert r.status_code == 200 and "<title>mtalign</title>" in r.text
    assert "default-src 'self'" in r.headers["content-security-policy"]


def test_openapi_lists_every_route(api: tuple[Any, StandIn]) -> None:
    client, _ = api
    spec = client.get("/v1/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    for path in ("/v1/translate", "/v1/align", "/translate", "/detect", "/translate_file"):
        assert path in spec["paths"]


def test_import_mtalign_and_help_do_not_import_the_web_stack() -> None:
    code = (
        "import sys, mtalign, mtalign.cli\n"
        "from mtalign.cli import main\n"
        "main(['--help']); main(['serve', '--help'])\n"
        "bad = [m for m in ('starlette', 'uvicorn', 'httpx', 'mtalign.serve.app') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"source": "A.", "target": "B."}, "target_lang"),
        ({"source": "", "target": "B.", "target_lang": "tr"}, "give source and target"),
        ({"source": "A.", "target": "B.", "target_lang": "tr", "method": "translation"}, "method"),
        ({"source": "A.", "target": "B.", "target_lang": "tr", "max_bead": 9}, "max_bead"),
        ({"source": "A.", "target": "B.", "target_lang": "xx-nope"}, "xx-nope"),
    ],
)
def test_align_bad_requests(api: tuple[Any, StandIn], body: dict, words: str) -> None:
    client, _ = api
    r = client.post("/v1/align", json=body)
    assert r.status_code == 400 and words in r.json()["error"]


_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=10,
)
_FIELD = st.sampled_from(["en", "tr", "ar", "auto", "", "xx", None]) | _JSON


@settings(max_examples=60, deadline=None)
@given(
    q=st.text(max_size=60) | st.lists(st.text(max_size=30), max_size=6) | _JSON,
    source=_FIELD,
    target=_FIELD,
    fmt=st.sampled_from(["text", "html", "md", "bogus", 3]) | st.none(),
    alternatives=st.integers(-3, 9) | _JSON,
)
def test_no_json_body_gets_a_server_error(
    served: tuple[str, StandIn], q: Any, source: Any, target: Any, fmt: Any, alternatives: Any
) -> None:
    """Whatever a client sends to /translate, the answer is 200 or a 4xx with one message."""
    url, fake = served
    fake.mode = "echo"
    body = {"q": q, "source": source, "target": target, "format": fmt, "alternatives": alternatives}
    r = httpx.post(url + "translate", json=body, timeout=10)
    assert r.status_code in (200, 400, 413), r.text
    if r.status_code != 200:
        assert set(r.json()) == {"error"} and r.json()["error"]
