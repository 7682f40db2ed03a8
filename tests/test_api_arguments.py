"""Every public API function checks its arguments first: a wrong type or range is an
``MtalignError`` that names the function and the argument, never a bare ``TypeError``,
and bytes or numbers are never turned into text such as ``"b'Hello'"``."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mtalign
import mtalign.api
from mtalign.errors import ConfigError, InputError, MtalignError

ROOT = Path(__file__).resolve().parents[1]
GLOSSARY = str(ROOT / "configs/glossaries/idlib.toml")
EN = ["Turkish soldiers were killed in an air strike in Idlib on Thursday night."]

#: For each function: the arguments of a call that works, and which take None.
GOOD = {
    "translate": (
        {"source": ["Hello."], "to": "tr", "src": "en", "models": {"tr": "/no/such/model"}},
        {"models", "out"},
    ),
    "align": (
        {
            "src": ["A.", "B."],
            "tgt": ["A.", "B."],
            "src_lang": "en",
            "tgt_lang": "en",
            "method": "length",
            "max_bead": 3,
            "presegmented": False,
            "force": False,
        },
        set(),
    ),  # fmt: skip
    "evaluate": (
        {
            "hyp": EN,
            "ref": EN,
            "lang": "en",
            "metrics": "bleu",
            "n_bootstrap": 10,
            "seed": 1,
            "n_trials": 10,
            "realign": False,
        },
        {"src", "glossary", "significance", "tokenize"},
    ),  # fmt: skip
    "segment": ({"text": "Dr. Smith left. He said no.", "lang": "en"}, set()),
    "detect": ({"text": "Türkiye ve Rusya anlaştı, ateşkes başladı."}, set()),
}
POSITIONAL = {
    "translate": ("source", "to"),
    "align": ("src", "tgt", "src_lang", "tgt_lang"),
    "evaluate": ("hyp", "ref", "lang"),
    "segment": ("text", "lang"),
    "detect": ("text",),
}


def call(name: str, args: dict):
    pos = [args.pop(k) for k in POSITIONAL[name]]
    return getattr(mtalign.api, name)(*pos, **args)


class Odd:
    def __repr__(self) -> str:
        return "<odd>"


WRONG = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**40), 2**40),
    st.floats(allow_nan=True),
    st.binary(min_size=1, max_size=8),
    st.lists(st.one_of(st.integers(), st.binary(max_size=4), st.none()), min_size=1, max_size=3),
    st.dictionaries(st.integers(), st.integers(), min_size=1, max_size=2),
    st.builds(Odd),
    st.frozensets(st.integers(), min_size=1, max_size=2),
)
CASES = [(name, arg) for name, (good, _) in GOOD.items() for arg in good]


@settings(
    max_examples=12,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(value=WRONG)
@pytest.mark.parametrize("name, arg", CASES)
def test_a_wrong_argument_is_an_mtalign_error_naming_it(name, arg, value):
    good, nullable = GOOD[name]
    if value is None and arg in nullable:
        return
    if arg in ("n_bootstrap", "seed", "n_trials", "max_bead") and type(value) is int:
        if value >= 1:
            return  # an integer in range is a right value
    if arg in ("presegmented", "force", "realign") and isinstance(value, bool):
        return
    args = {**good, arg: value}
    with pytest.raises(MtalignError) as info:
        call(name, args)
    message = str(info.value)
    assert "\n" not in message
    assert arg in message or arg.replace("_", "-") in message or "settings" in message


def test_load_glossary_arguments_are_checked():
    for bad in (None, 5, b"g.toml", [GLOSSARY]):
        with pytest.raises(InputError, match="load_glossary: path 1 must be a file path"):
            mtalign.load_glossary(bad)
    with pytest.raises(InputError, match="no glossary file given"):
        mtalign.load_glossary()
    with pytest.raises(InputError, match="src_lang"):
        mtalign.load_glossary(GLOSSARY, src_lang=3)
    assert len(mtalign.load_glossary(Path(GLOSSARY))) > 0


@pytest.mark.parametrize(
    "name, args, error, message",
    [
        ("detect", {"text": None}, InputError, "detect: text must be a str, got NoneType"),
        ("detect", {"text": b"Hello"}, InputError, "decode them first"),
        ("translate", {"source": None, "to": "tr"}, InputError, "source must be a file path"),
        ("translate", {"source": ["Hi."], "to": 5}, InputError, "to must be a language code"),
        ("translate", {"source": ["Hi."], "to": []}, InputError, "to must be a language code"),
        ("translate", {"source": [b"Hi."], "to": "tr"}, InputError, r"source\[0\] is bytes"),
        (
            "align",
            {"src": [b"Hello"], "tgt": ["Merhaba"], "src_lang": "en", "tgt_lang": "tr"},
            InputError,
            r"align: src\[0\] is bytes",
        ),  # fmt: skip
        (
            "align",
            {"src": ["Hello"], "tgt": [7], "src_lang": "en", "tgt_lang": "tr"},
            InputError,
            r"align: tgt\[0\] is int 7; give str",
        ),  # fmt: skip
        ("evaluate", {"hyp": [1], "ref": [2], "lang": "en"}, InputError, r"hyp\[0\] is int"),
        (
            "evaluate",
            {"hyp": EN, "ref": EN, "lang": "en", "n_bootstrap": -1},
            ConfigError,
            "n_bootstrap",
        ),  # fmt: skip
        (
            "evaluate",
            {"hyp": {"a": EN, 3: EN}, "ref": EN, "lang": "en"},
            InputError,
            "system names",
        ),  # fmt: skip
        ("segment", {"text": "Hi.", "lang": None}, InputError, "segment: lang must be"),
    ],
)
def test_named_wrong_calls(name, args, error, message):
    with pytest.raises(error, match=message):
        call(name, dict(args))


def test_right_calls_still_work():
    assert call("segment", dict(GOOD["segment"][0])) == ["Dr. Smith left.", "He said no."]
    assert call("detect", dict(GOOD["detect"][0])).lang == "tr"
    al = call("align", dict(GOOD["align"][0]))
    assert [b.kind for b in al.beads] == ["1-1", "1-1"]
    al = mtalign.api.align(("A.", "B."), ("A.", "B."), "en", "en", method="length")
    assert len(al.beads) == 2
    ev = call("evaluate", dict(GOOD["evaluate"][0]))
    assert ev.baseline.scores["bleu"].value == pytest.approx(100.0)
