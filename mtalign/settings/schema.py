"""The machinery of declared settings: one declaration per setting, read by every front end.

A setting is a field of a :class:`msgspec.Struct` whose type carries its metadata::

    beam: Annotated[int, setting("beam size of the search", metavar="N", ge=1, le=32,
                                 shapes="segment", cli="--beam")] = 4

From that one line come the type check, the bounds, the help text and value form the CLI
shows, the flag name, and whether the setting shapes outputs (and so belongs in the
translation-memory key, the job digest and the report). :func:`check_value` and
:func:`build` validate values with msgspec and raise :class:`SettingError`, whose message
names the setting in the words of the front end that shows it (``--beam`` on the command
line, ``[translate] beam`` in a job config).

msgspec was chosen over pydantic because it imports in ~10 ms against ~90 ms (``mtalign
--help`` must stay under 0.3 s), its frozen ``Struct`` types are plain typed values, and
``Meta(extra=...)`` keeps our metadata beside the bounds it validates.
"""

from __future__ import annotations

import difflib
import functools
import operator
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from functools import cache
from typing import Any, Literal

import msgspec

from mtalign.errors import ConfigError

#: ``segment``: changes the translation of a sentence (translation-memory key, job digest,
#: report); ``document``: changes a run's outputs but not each sentence's translation
#: (job digest, report); None: does not change any output (threads, progress, cache).
Shapes = Literal["segment", "document"] | None

#: A function naming a setting in a front end's words (``beam`` -> ``--beam``).
Namer = Callable[[str], str]

#: How a list-valued setting is written on a command line: ``comma``: one value,
#: comma-separated (``--to tr,ru``); ``several``: one or more values after the flag
#: (``--hyp a.txt b.txt``); ``repeat``: one value per flag, repeated (``--model tr=A
#: --model ru=B``). File names may hold commas, so file lists are never ``comma``.
Form = Literal["", "comma", "several", "repeat"]


def setting(
    help: str,
    *,
    metavar: str = "",
    ge: int | float | None = None,
    le: int | float | None = None,
    min_length: int | None = None,
    shapes: Shapes = None,
    cli: str | None = None,
    negate: bool = False,
    example: str = "",
    form: Form = "",
    short: str = "",
    aliases: Mapping[str, str] | None = None,
) -> msgspec.Meta:
    """The metadata of one setting (see the module docstring).

    ``cli`` is the flag (``--beam``); ``negate`` means the flag turns the setting off
    (``--no-cache`` sets ``cache`` to false). ``example`` is a value shown in fixes.
    ``form`` is how a list is written on the command line (see :data:`Form`; default:
    ``comma`` for lists, ``repeat`` for tables); ``short`` a one-letter flag (``-q``).
    ``aliases`` maps other spellings of a choice to the choice (``ct2`` -> ``ctranslate2``).
    """
    extra = {
        "metavar": metavar,
        "shapes": shapes,
        "cli": cli,
        "negate": negate,
        "example": example,
        "form": form,
        "short": short,
        "aliases": dict(aliases or {}),
    }
    kw: dict[str, Any] = {"description": help, "extra": extra}
    if ge is not None:
        kw["ge"] = ge
    if le is not None:
        kw["le"] = le
    if min_length is not None:
        kw["min_length"] = min_length
    return msgspec.Meta(**kw)


@dataclass(frozen=True)
class Spec:
    """Everything declared about one setting, read off its field."""

    name: str
    type: Any  # the field's type without its Annotated metadata
    default: Any
    required: bool
    help: str = ""
    metavar: str = ""
    ge: int | float | None = None
    le: int | float | None = None
    choices: tuple[str, ...] = ()
    shapes: Shapes = None
    cli: str | None = None
    negate: bool = False
    example: str = ""
    form: Form = ""
    short: str = ""
    aliases: Mapping[str, str] = dc_field(default_factory=dict)
    annotated: Any = None  # the full type (with its bounds) that msgspec validates against

    def describe(self) -> str:
        """What a value must be, in words: ``a whole number from 1 to 32``."""
        return describe_type(self.type, self.ge, self.le, self.choices)


def _unwrap(tp: Any) -> tuple[Any, list[msgspec.Meta]]:
    """The type without Annotated wrappers, and the Meta objects found (also inside an
    optional type: bounds must sit on the number, ``Annotated[int, Meta(ge=1)] | None``)."""
    metas: list[msgspec.Meta] = []
    while typing.get_origin(tp) is typing.Annotated:
        args = typing.get_args(tp)
        tp = args[0]
        metas.extend(m for m in args[1:] if isinstance(m, msgspec.Meta))
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        parts = []
        for arg in typing.get_args(tp):
            inner, more = _unwrap(arg)
            parts.append(inner)
            metas.extend(more)
        tp = functools.reduce(operator.or_, parts)
    return tp, metas


def _choices(tp: Any) -> tuple[str, ...]:
    """The allowed values of a Literal (or ``Literal | None``) type."""
    if typing.get_origin(tp) is Literal:
        return tuple(str(a) for a in typing.get_args(tp))
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        out: list[str] = []
        for a in typing.get_args(tp):
            out.extend(_choices(a))
        return tuple(out)
    return ()


@cache
def specs(cls: type) -> dict[str, Spec]:
    """The declared settings of a Struct class, by field name, in declaration order."""
    hints = typing.get_type_hints(cls, include_extras=True)
    out: dict[str, Spec] = {}
    for f in msgspec.structs.fields(cls):
        full = hints[f.name]
        tp, metas = _unwrap(full)
        extra: dict[str, Any] = {}
        kw: dict[str, Any] = {}
        for m in metas:
            extra.update(m.extra or {})
            for key in ("ge", "le"):
                if getattr(m, key) is not None:
                    kw[key] = getattr(m, key)
            if m.description:
                kw["help"] = m.description
        required = f.default is msgspec.NODEFAULT and f.default_factory is msgspec.NODEFAULT
        default = f.default_factory() if f.default_factory is not msgspec.NODEFAULT else f.default
        spec = Spec(
            name=f.name,
            type=tp,
            default=None if required else default,
            required=required,
            choices=_choices(tp),
            metavar=extra.get("metavar", ""),
            shapes=extra.get("shapes"),
            cli=extra.get("cli"),
            negate=bool(extra.get("negate")),
            example=extra.get("example", ""),
            form=extra.get("form", ""),
            short=extra.get("short", ""),
            aliases=extra.get("aliases") or {},
            annotated=full,
            **kw,
        )
        out[f.name] = spec
    return out


def shaping(cls: type, scopes: Iterable[str] = ("segment", "document")) -> tuple[str, ...]:
    """Names of the settings of ``cls`` that shape outputs in one of ``scopes``."""
    wanted = set(scopes)
    return tuple(n for n, s in specs(cls).items() if s.shapes in wanted)


def describe_type(
    tp: Any, ge: float | None = None, le: float | None = None, choices: tuple[str, ...] = ()
) -> str:
    """A type in words, for messages and help."""
    if choices:
        return "one of " + ", ".join(choices)
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        parts = [_unwrap(a)[0] for a in typing.get_args(tp) if a is not type(None)]
        if len(parts) == 1:
            return describe_type(parts[0], ge, le)
        if str in parts and any(typing.get_origin(p) in (tuple, list) for p in parts):
            return "a string or a list of strings"
        return " or ".join(describe_type(p) for p in parts)
    if tp is bool:
        return "true or false"
    if tp is int or tp is float:
        what = "a whole number" if tp is int else "a number"
        if ge is not None and le is not None:
            return f"{what} from {ge:g} to {le:g}"
        if ge is not None:
            return f"{what} of at least {ge:g}"
        return what
    if tp is str:
        return "a string"
    if typing.get_origin(tp) is typing.Annotated:
        return describe_type(_unwrap(tp)[0], ge, le)
    if origin in (tuple, list):
        return "a list of strings"
    if origin in (dict, Mapping) or tp is dict:
        return "a table of names to strings"
    return getattr(tp, "__name__", str(tp))


class SettingError(ConfigError):
    """A setting has a bad value; the message names it in the words of a front end.

    ``problem`` and ``fix`` are templates: ``{key}`` and ``{other}``-style fields that name
    settings are filled in by :meth:`render` (``{targets}`` -> ``--to`` on the command
    line, ``[translate] targets`` in a job config). ``str()`` uses the setting names.
    """

    def __init__(self, key: str, problem: str, fix: str = "", **names: str) -> None:
        self.key = key
        self.problem = problem
        self.fix = fix
        self.names = names  # template field -> setting name it stands for
        super().__init__(self.render())

    def render(self, namer: Namer | None = None, prefix: str = "") -> str:
        """The message with every setting named by ``namer`` (default: the setting name)."""
        name = namer or (lambda key: key)
        problem, fix = self.problem, self.fix
        # Plain replacement, not str.format: the text also quotes user values ({...}).
        for field, key in self.names.items():
            problem = problem.replace("{" + field + "}", name(key))
            fix = fix.replace("{" + field + "}", name(key))
        head = f"{prefix}{name(self.key)}: {problem}"
        return f"{head}; {fix}" if fix else head


def did_you_mean(word: str, options: Iterable[str]) -> str:
    """``" (did you mean 'beam'?)"`` for the closest option, or ``""``."""
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def check_value(cls: type, key: str, value: Any, strict: bool = True) -> Any:
    """``value`` validated (and, with ``strict=False``, converted from text) for ``key``."""
    spec = specs(cls)[key]
    if spec.aliases and isinstance(value, str):
        value = spec.aliases.get(value.strip().lower(), value)
    # bool is an int in Python: `beam = true` is a mistake, not 1.
    if strict and isinstance(value, bool) and not _accepts_bool(spec.type):
        raise SettingError(key, f"expected {spec.describe()}, got {value!r}", "fix the value")
    try:
        return msgspec.convert(value, type=spec.annotated, strict=strict)
    except msgspec.ValidationError:
        raise _bad_value(spec, value) from None


def _accepts_bool(tp: Any) -> bool:
    return tp is bool or bool in typing.get_args(tp)


def _bad_value(spec: Spec, value: Any) -> SettingError:
    if spec.choices and isinstance(value, str):
        return SettingError(
            spec.name,
            f"expected one of {', '.join(spec.choices)}, got {value!r}"
            + did_you_mean(value, spec.choices),
            "fix the value",
        )
    numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
    if numeric and spec.ge is not None and value < spec.ge:
        return SettingError(spec.name, f"must be at least {spec.ge:g}, got {value!r}", _range(spec))
    if numeric and spec.le is not None and value > spec.le:
        return SettingError(spec.name, f"must be at most {spec.le:g}, got {value!r}", _range(spec))
    return SettingError(spec.name, f"expected {spec.describe()}, got {value!r}", "fix the value")


def _range(spec: Spec) -> str:
    return f"use {spec.describe()}"


def build(cls: type, values: Mapping[str, Any], strict: bool = True) -> Any:
    """An instance of ``cls`` from a mapping: unknown keys, types and bounds checked.

    Errors are :class:`SettingError` naming the key; a missing required key too.
    """
    known = specs(cls)
    for key in values:
        if key not in known:
            raise SettingError(
                key,
                "unknown setting" + did_you_mean(str(key), known),
                f"use one of {', '.join(known)}",
            )
    for name, spec in known.items():
        if spec.required and name not in values:
            example = f" (e.g. {spec.example})" if spec.example else ""
            raise SettingError(name, f"no {name}", f"add it{example}")
    checked = {k: check_value(cls, k, v, strict) for k, v in values.items()}
    return cls(**checked)
