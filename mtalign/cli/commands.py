"""The commands, in the README's order, and what each takes.

A command's arguments and options are the parameters of its method on
:class:`mtalign.cli.Mtalign` (or on the sub-command class of a group); each parameter is
described by a declared setting found on the command's *sources*: its own class in
:mod:`mtalign.cli.options` first, then the library settings it shares
(:class:`~mtalign.settings.TranslateSettings`, the job and suite tables). A new parameter
is a new option at once, and a new public method of a group class (``Models``,
``Glossary``) a new sub-command; ``tests/test_cli_surface.py`` fails until each is
declared, ``tests/test_docs.py`` until docs/cli.md is regenerated.
"""

from __future__ import annotations

import importlib
import inspect
import types
import typing
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from mtalign.cli import options as o
from mtalign.settings import Spec, TranslateSettings, specs
from mtalign.settings.job import JobTable
from mtalign.settings.serve import ServerTable
from mtalign.settings.suite import SuiteTable

#: How an option takes its value: ``flag`` none, ``value`` one, and the list forms of
#: :data:`mtalign.settings.schema.Form`.
Kind = Literal["flag", "value", "comma", "several", "repeat"]


@dataclass(frozen=True)
class Option:
    """One ``--option`` of a command."""

    dest: str  # the method's parameter
    flag: str
    spec: Spec
    owner: type  # the declaring class, for check_value
    kind: Kind
    negation: str = ""  # ``--no-progress`` for an on/off/unset flag
    required: bool = False

    @property
    def metavar(self) -> str:
        return value_form(self)


@dataclass(frozen=True)
class Positional:
    """One positional argument; ``many`` takes the rest of them (one or more)."""

    dest: str
    spec: Spec
    many: bool = False

    @property
    def metavar(self) -> str:
        name = self.spec.metavar or self.dest.upper()
        return f"{name}..." if self.many else name


@dataclass(frozen=True)
class Command:
    """A command (``translate``) or a sub-command (``glossary check``), ready to parse."""

    name: str
    path: tuple[str, ...]  # the attribute path Fire dispatches on
    summary: str
    description: str
    positionals: tuple[Positional, ...]
    options: tuple[Option, ...]
    overrides: bool = False  # options override a config file's settings

    def option(self, flag: str) -> Option | None:
        for opt in self.options:
            if flag in (opt.flag, opt.negation, opt.spec.short):
                return opt
        return None


@dataclass(frozen=True)
class Entry:
    """A row of the command table: a command, or a group of sub-commands.

    A group's sub-commands are the public methods of its class (``group``, imported only
    when a sub-command is asked for), in the order they are defined; each is described by
    ``options.<Group><Sub>Options`` (if declared) and ``options.<Group>Options``.
    """

    name: str
    attr: str  # attribute of Mtalign (or of the group class)
    sources: tuple[type, ...] = ()
    group: str = ""  # "module:Class" of a group's sub-commands
    overrides: bool = False

    @property
    def subs(self) -> tuple[Entry, ...]:
        return _sub_entries(self.group) if self.group else ()


@cache
def _sub_entries(group: str) -> tuple[Entry, ...]:
    module, _, cls_name = group.partition(":")
    cls = getattr(importlib.import_module(module), cls_name)
    out = []
    for attr, value in vars(cls).items():
        if attr.startswith("_") or not inspect.isfunction(value):
            continue
        own = getattr(o, f"{cls_name}{attr.title().replace('_', '')}Options", None)
        shared = getattr(o, f"{cls_name}Options", None)
        sources = tuple(c for c in (own, shared) if c is not None)
        out.append(Entry(attr.replace("_", "-"), attr, sources))
    return tuple(out)


TABLE: tuple[Entry, ...] = (
    Entry("translate", "translate", (o.TranslateOptions, TranslateSettings)),
    Entry("align", "align", (o.AlignOptions, TranslateSettings, JobTable)),
    Entry("evaluate", "evaluate", (o.EvaluateOptions, SuiteTable)),
    Entry("eval-suite", "eval_suite", (o.EvalSuiteOptions, SuiteTable), overrides=True),
    Entry("glossary", "glossary", group="mtalign.cli.glossary:Glossary"),
    Entry("batch", "batch", (o.BatchOptions, JobTable), overrides=True),
    Entry("models", "models", group="mtalign.cli.models:Models"),
    Entry("segment", "segment", (o.SegmentOptions, TranslateSettings)),
    Entry("detect", "detect", (o.DetectOptions,)),
    Entry("serve", "serve", (o.ServeOptions, ServerTable, TranslateSettings), overrides=True),
)


def entry(name: str, table: tuple[Entry, ...] = TABLE) -> Entry | None:
    """The row called ``name`` (``eval_suite`` is accepted for ``eval-suite``)."""
    for e in table:
        if name in (e.name, e.attr):
            return e
    return None


def _target(path: tuple[str, ...]) -> Any:
    """The method (or group property) that ``path`` names, without calling anything."""
    from mtalign.cli import Mtalign

    top = entry(path[0])
    assert top is not None
    if len(path) == 1:
        return getattr(Mtalign, top.attr)
    module, _, cls = top.group.partition(":")
    sub = entry(path[1], top.subs)
    assert sub is not None
    return getattr(getattr(importlib.import_module(module), cls), sub.attr)


def summary_of(path: tuple[str, ...]) -> tuple[str, str]:
    """The first line of a command's docstring, and the rest."""
    target = _target(path)
    doc = inspect.getdoc(target.fget if isinstance(target, property) else target) or ""
    head, _, body = doc.partition("\n")
    return head.strip(), body.strip()


@cache
def command(path: tuple[str, ...]) -> Command:
    """The parsed-ready description of the (sub-)command at ``path``."""
    top = entry(path[0])
    assert top is not None
    row = top if len(path) == 1 else entry(path[1], top.subs)
    assert row is not None
    summary, description = summary_of(path)
    positionals: list[Positional] = []
    opts: list[Option] = []
    for param in list(inspect.signature(_target(path)).parameters.values())[1:]:
        spec, owner = find_spec(param.name, row.sources)
        if param.kind is param.VAR_POSITIONAL:
            positionals.append(Positional(param.name, spec, many=True))
        elif param.kind is param.POSITIONAL_OR_KEYWORD and param.default is param.empty:
            positionals.append(Positional(param.name, spec))
        else:
            opts.append(_option(param.name, spec, owner))
    return Command(
        name=" ".join((top.name, *(() if row is top else (row.name,)))),
        path=(top.attr,) if row is top else (top.attr, row.attr),
        summary=summary,
        description=description,
        positionals=tuple(positionals),
        options=tuple(opts),
        overrides=row.overrides,
    )


def find_spec(name: str, sources: tuple[type, ...]) -> tuple[Spec, type]:
    """The declaration of parameter ``name``: by flag (``--no-cache``), then by field name.

    An undeclared parameter gets an empty declaration (no help); a test lists them.
    """
    flag = "--" + name.replace("_", "-")
    for cls in sources:
        for spec in specs(cls).values():
            if spec.cli == flag or (spec.name == name and not spec.cli):
                return spec, cls
    return Spec(name=name, type=str, default=None, required=False), type(None)


def _option(name: str, spec: Spec, owner: type) -> Option:
    kind = kind_of(spec)
    flag = spec.cli or "--" + name.replace("_", "-")
    tri_state = kind == "flag" and _is_optional(spec.type)
    return Option(
        dest=name,
        flag=flag,
        spec=spec,
        owner=owner,
        kind=kind,
        negation="--no-" + flag[2:] if tri_state else "",
        required=spec.required,
    )


def _is_optional(tp: Any) -> bool:
    return typing.get_origin(tp) in (typing.Union, types.UnionType) and type(None) in (
        typing.get_args(tp)
    )


def _parts(tp: Any) -> tuple[Any, ...]:
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        return tuple(a for a in typing.get_args(tp) if a is not type(None))
    return (tp,)


def kind_of(spec: Spec) -> Kind:
    """How the option takes its value, from its type and declared form."""
    parts = _parts(spec.type)
    if parts == (bool,):
        return "flag"
    if spec.form:
        return spec.form
    origins = {typing.get_origin(p) or p for p in parts}
    if origins & {dict}:
        return "repeat"
    if origins & {tuple, list}:
        return "comma"
    return "value"


def value_form(opt: Option) -> str:
    """What a user writes after the flag: ``N``, ``{off,check,enforce}``, ``LANG[,LANG...]``."""
    spec = opt.spec
    if opt.kind == "flag":
        return ""
    name = spec.metavar
    if not name:
        if spec.choices:
            name = "{" + ",".join(spec.choices) + "}"
        elif int in _parts(spec.type) or float in _parts(spec.type):
            name = "N"
        else:
            name = "VALUE"
    if opt.kind == "comma" and "," not in name:
        return f"{name}[,{name}...]"
    if opt.kind == "several":
        return f"{name} [{name}...]"
    return name


def all_paths() -> list[tuple[str, ...]]:
    """Every command and sub-command path, in the README's order."""
    out: list[tuple[str, ...]] = []
    for e in TABLE:
        if e.subs:
            out.extend((e.name, s.name) for s in e.subs)
        else:
            out.append((e.name,))
    return out
