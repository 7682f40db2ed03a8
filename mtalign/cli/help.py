"""Help pages, rendered from the declarations (no Fire, no pager, no torch).

Each option shows its flag, the value a user writes, a one-line description, its bounds
and its default; commands are listed in the README's order with their one-line summaries.
"""

from __future__ import annotations

from typing import Any

from mtalign.cli.commands import TABLE, Command, Option, command, entry, summary_of
from mtalign.cli.options import GlobalOptions
from mtalign.settings import specs

_COL = 30
_TOP = "mtalign: translate, align, check names and evaluate multilingual news text."


def render(path: tuple[str, ...]) -> str:
    """The help page of ``path`` (``()``: the command list; a group: its sub-commands)."""
    if not path:
        return _top()
    top = entry(path[0])
    if top is not None and top.subs and len(path) == 1:
        return _group(path[0])
    return _command(command(path))


def _rows(rows: list[tuple[str, str]], col: int = _COL) -> list[str]:
    """Two columns; a left cell too wide for its column puts the text on the next line."""
    out = []
    for left, right in rows:
        left = "  " + left
        if len(left) > col - 2:
            out += [left, " " * col + right]
        else:
            out.append((left.ljust(col) + right).rstrip())
    return out


def _top() -> str:
    lines = [
        "usage: mtalign [-q | -v] [--log-level LEVEL] COMMAND [ARGUMENTS] [OPTIONS]",
        "",
        _TOP,
        "",
        "commands:",
    ]
    lines += _rows([(e.name, summary_of((e.name,))[0]) for e in TABLE], col=14)
    lines += ["", "global options (before or after the command):"]
    lines += _rows(_global_rows())
    lines += _rows([("-V, --version", "print the version and exit")])
    lines += ["", "`mtalign COMMAND --help` shows a command's arguments and options."]
    return "\n".join(lines) + "\n"


def _group(name: str) -> str:
    top = entry(name)
    assert top is not None
    summary, body = summary_of((name,))
    lines = [f"usage: mtalign {name} SUB-COMMAND [ARGUMENTS] [OPTIONS]", "", summary]
    if body:
        lines += ["", body]
    lines += ["", "sub-commands:"]
    lines += _rows([(s.name, summary_of((name, s.name))[0]) for s in top.subs], col=12)
    lines += ["", f"`mtalign {name} SUB-COMMAND --help` shows its arguments and options."]
    return "\n".join(lines) + "\n"


def usage(cmd: Command) -> str:
    """``usage: mtalign translate INPUT... --to LANG[,LANG...] [OPTIONS]``."""
    parts = [f"mtalign {cmd.name}"]
    parts += [p.metavar for p in cmd.positionals]
    parts += [f"{o.flag} {o.metavar}" for o in cmd.options if o.required]
    if any(not o.required for o in cmd.options):
        parts.append("[OPTIONS]")
    return "usage: " + " ".join(parts)


def _command(cmd: Command) -> str:
    lines = [usage(cmd), "", cmd.summary]
    if cmd.description:
        lines += ["", cmd.description]
    if cmd.positionals:
        lines += ["", "arguments:"]
        lines += _rows([(p.metavar, p.spec.help) for p in cmd.positionals])
    if cmd.options:
        lines += ["", "options:"]
        lines += _rows([_option_row(o, cmd.overrides) for o in cmd.options])
    lines += ["", "global options:"]
    lines += _rows(_global_rows())
    return "\n".join(lines) + "\n"


def _option_row(opt: Option, overrides: bool) -> tuple[str, str]:
    flags = ", ".join(f for f in (opt.spec.short, opt.flag, opt.negation) if f)
    left = f"{flags} {opt.metavar}".rstrip()
    return left, describe(opt, overrides)


def describe(opt: Option, overrides: bool = False) -> str:
    """The one-line description: help, bounds, ``(repeatable)``, default or ``(required)``."""
    spec = opt.spec
    text = spec.help or "(not described)"
    if opt.kind == "flag" and spec.negate:
        text = "turn off " + text
    if spec.ge is not None and spec.le is not None and spec.le < 100_000:
        text += f" ({spec.ge:g} to {spec.le:g})"
    elif spec.ge is not None:
        text += f" (at least {spec.ge:g})"
    if opt.kind == "repeat":
        text += " (repeatable)"
    if opt.required:
        return text + " (required)"
    if opt.kind == "flag" or "default" in spec.help:
        return text
    if overrides:
        return text + " [default: the config's]"
    shown = _default_text(spec.default)
    return f"{text} [default: {shown}]" if shown else text


def _default_text(value: Any) -> str:
    if value is None or value in ((), {}, ""):
        return ""
    if isinstance(value, (tuple, list)):
        return ",".join(str(v) for v in value)
    return str(value)


def _global_rows() -> list[tuple[str, str]]:
    rows = []
    for spec in specs(GlobalOptions).values():
        flag = spec.cli or "--" + spec.name.replace("_", "-")
        flags = ", ".join(f for f in (spec.short, flag) if f)
        left = f"{flags} {spec.metavar}".rstrip()
        text = spec.help
        if spec.metavar and spec.default:
            text += f" [default: {spec.default}]"
        rows.append((left, text))
    return rows


def reference() -> str:
    """Every help page as Markdown sections (the reference part of ``docs/cli.md``)."""
    paths: list[tuple[str, ...]] = [()]
    for e in TABLE:
        paths.append((e.name,))
        paths.extend((e.name, s.name) for s in e.subs)
    parts = []
    for path in paths:
        title = " ".join(("mtalign", *path, "--help"))
        parts.append(f"### `{title}`\n\n```text\n{render(path)}```\n")
    return "\n".join(parts)


def commands_table() -> str:
    """The README's command table: every command and its one-line summary, in order."""
    rows = ["| command | what it does |", "|---|---|"]
    for e in TABLE:
        usage_line = _group_usage(e.name) if e.subs else usage(command((e.name,)))
        cell = usage_line.removeprefix("usage: ").replace("|", "\\|")
        rows.append(f"| `{cell}` | {summary_of((e.name,))[0]} |")
    return "\n".join(rows) + "\n"


def _group_usage(name: str) -> str:
    top = entry(name)
    assert top is not None
    return f"usage: mtalign {name} {'|'.join(s.name for s in top.subs)}"
