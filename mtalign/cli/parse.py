"""The whole command line checked before anything runs.

:func:`parse` reads ``argv`` against the declared commands (:mod:`mtalign.cli.commands`):
an unknown option (with a did-you-mean), a missing value, a missing or stray argument, a
bad value (type, choice, bounds from the declarations) is a :class:`UsageError` (exit 2)
before a file is read, a model loaded or anything written. ``-h``/``--help`` anywhere asks
for help. Values are converted by their declarations only; the result is handed to Fire
quoted, so Fire never reinterprets them.
"""

from __future__ import annotations

import difflib
import os
import typing
from dataclasses import dataclass, field
from typing import Any

import msgspec

from mtalign.cli.commands import TABLE, Command, Option, command, entry
from mtalign.cli.options import GlobalOptions
from mtalign.errors import MtalignError
from mtalign.settings import SettingError, check_value, specs

HELP_FLAGS = ("-h", "--help")
VERSION_FLAGS = ("-V", "--version")


class UsageError(MtalignError):
    """The command line does not fit the command; nothing was done."""

    def __init__(self, message: str, command: str = "") -> None:
        self.command = command
        hint = f"; see mtalign {command} --help" if command else "; see mtalign --help"
        super().__init__(message + hint)


@dataclass
class Invocation:
    """A checked command line: what to run (or to show help for) and with what."""

    path: tuple[str, ...] = ()  # command names as typed in the README (``glossary``, ``check``)
    help: bool = False
    version: bool = False
    args: list[Any] = field(default_factory=list)  # positional values, in order
    kwargs: dict[str, Any] = field(default_factory=dict)  # parameter -> converted value
    quiet: bool = False
    verbose: int = 0
    log_level: str | None = None

    @property
    def command(self) -> Command | None:
        top = entry(self.path[0]) if self.path else None
        if top is None or (top.subs and len(self.path) < 2):
            return None
        return command(self.path)


def parse(argv: list[str]) -> Invocation:
    """Check ``argv`` and return the :class:`Invocation`; :class:`UsageError` if it is wrong."""
    inv = Invocation()
    tokens = list(argv)
    end = tokens.index("--") if "--" in tokens else len(tokens)
    inv.help = any(t in HELP_FLAGS for t in tokens[:end])
    i = _find_command(tokens, inv)
    cmd = inv.command
    if inv.help or inv.version or cmd is None:
        return inv
    _Reader(cmd, inv).read(tokens[i:])
    return inv


def _find_command(tokens: list[str], inv: Invocation) -> int:
    """Read global options and the command (and sub-command) names; the next index."""
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok == "--":
            return i
        if tok.startswith("-") and tok != "-":
            if tok in VERSION_FLAGS and not inv.path:
                inv.version = True
                return len(tokens)
            i = _global_option(tokens, i, inv, " ".join(inv.path))
            continue
        if not inv.path:
            top = entry(tok)
            if top is None:
                names = [e.name for e in TABLE]
                raise UsageError(f"unknown command {tok!r}" + _did_you_mean(tok, names))
            inv.path = (top.name,)
            if not top.subs:
                return i + 1
        else:
            top = entry(inv.path[0])
            assert top is not None
            sub = entry(tok, top.subs)
            if sub is None:
                names = [s.name for s in top.subs]
                raise UsageError(
                    f"{top.name}: unknown sub-command {tok!r}" + _did_you_mean(tok, names),
                    top.name,
                )
            inv.path = (top.name, sub.name)
            return i + 1
        i += 1
    return i


def _global_option(
    tokens: list[str], i: int, inv: Invocation, where: str, flags: tuple[str, ...] = ()
) -> int:
    """Apply the global option at ``tokens[i]``; the index after it.

    Anything else is an unknown option; ``flags`` (the command's) are the did-you-means.
    """
    tok = tokens[i]
    name, eq, inline = tok.partition("=")
    if name in HELP_FLAGS:
        return i + 1
    if name in ("-q", "--quiet") and not eq:
        inv.quiet = True
        return i + 1
    if name in ("-v", "--verbose", "-vv") and not eq:
        inv.verbose += 2 if name == "-vv" else 1
        return i + 1
    if name == "--log-level":
        value = inline if eq else (tokens[i + 1] if i + 1 < len(tokens) else "")
        if not value or (value.startswith("-") and not eq):
            raise UsageError("--log-level: missing value {debug,info,warning,error}", where)
        inv.log_level = _check_global("log_level", value.lower(), where)
        return i + (1 if eq else 2)
    known = [*flags, *GLOBAL_FLAGS] if where else [*GLOBAL_FLAGS, *VERSION_FLAGS]
    what = f"{where}: unknown option" if where else "unknown option"
    if not where:
        raise UsageError(f"{what} {name}" + _did_you_mean(name, known) + "; give a command first")
    raise UsageError(f"{what} {name}" + _did_you_mean(name, known), where)


GLOBAL_FLAGS = tuple(
    f for s in specs(GlobalOptions).values() for f in (s.short, s.cli or "--log-level") if f
)


def _check_global(key: str, value: str, where: str) -> Any:
    try:
        return check_value(GlobalOptions, key, value, strict=False)
    except SettingError as exc:
        raise UsageError(exc.render(lambda k: "--" + k.replace("_", "-")), where) from None


class _Reader:
    """Reads a command's options and arguments (everything after its name)."""

    def __init__(self, cmd: Command, inv: Invocation) -> None:
        self.cmd = cmd
        self.inv = inv
        self.raw: dict[str, list[str]] = {}
        self.negated: set[str] = set()
        self.positional: list[tuple[str, Option | None]] = []

    def fail(self, message: str) -> UsageError:
        return UsageError(message, self.cmd.name)

    def read(self, tokens: list[str]) -> None:
        i, options_done, after = 0, False, None
        while i < len(tokens):
            tok = tokens[i]
            if tok == "--" and not options_done:
                options_done, i = True, i + 1
                continue
            if not options_done and tok.startswith("-") and tok != "-":
                opt = self.cmd.option(tok.partition("=")[0])
                if opt is None:
                    flags = tuple(f for o in self.cmd.options for f in (o.flag, o.negation) if f)
                    i, after = _global_option(tokens, i, self.inv, self.cmd.name, flags), None
                    continue
                i = self._option(opt, tokens, i)
                after = opt if opt.kind == "comma" else None
                continue
            self.positional.append((tok, after))
            i += 1
        self._assign_positionals()
        self._convert()

    def _option(self, opt: Option, tokens: list[str], i: int) -> int:
        """Record the option at ``tokens[i]`` and its values; the index after them."""
        name, eq, inline = tokens[i].partition("=")
        seen = opt.dest in self.raw
        if seen and opt.kind not in ("several", "repeat"):
            raise self.fail(f"{opt.flag} is given twice; give it once")
        if opt.kind == "flag":
            if eq:
                fix = f"write {opt.flag}" + (f" or {opt.negation}" if opt.negation else "")
                raise self.fail(f"{opt.flag} takes no value; {fix}")
            self.raw[opt.dest] = []
            if name == opt.negation:
                self.negated.add(opt.dest)
            return i + 1
        values = self.raw.setdefault(opt.dest, [])
        if eq:
            if not inline:
                raise self.fail(f"{opt.flag}: empty value; expected {opt.metavar}")
            values.append(inline)
            return i + 1
        i += 1
        while i < len(tokens) and _is_value(tokens[i]):
            values.append(tokens[i])
            i += 1
            if opt.kind != "several":
                break
        if not values:
            raise self.fail(f"{opt.flag}: missing value; expected {opt.metavar}")
        return i

    def _assign_positionals(self) -> None:
        for tok, after in self.positional:
            if after is not None:
                self._list_hint(tok, after)
        tokens = [tok for tok, _ in self.positional]
        for pos in self.cmd.positionals:
            if not tokens and pos.many and not pos.spec.required:
                break  # optional (``align --pairs`` takes no paths); the command checks
            if not tokens:
                raise self.fail(f"missing {pos.metavar} ({pos.spec.help})")
            if pos.many:
                self.inv.args.extend(tokens)
                tokens = []
            else:
                self.inv.args.append(tokens.pop(0))
        if tokens:
            raise self.fail(f"unexpected argument {tokens[0]!r}")

    def _list_hint(self, tok: str, opt: Option) -> None:
        """``--to tr ru``: ``ru`` is no file but a language, so --to was meant to list it."""
        if os.path.exists(tok) or not _is_language(tok) or "LANG" not in opt.metavar:
            return
        items = [*self.raw.get(opt.dest, []), *(t for t, a in self.positional if a is opt)]
        langs = ",".join(c for t in items for c in t.split(",") if _is_language(c))
        raise self.fail(
            f"{tok}: no such file, but a language code; {opt.flag} takes a comma-separated "
            f"list: {opt.flag} {langs}"
        )

    def _convert(self) -> None:
        for opt in self.cmd.options:
            if opt.dest in self.raw:
                self.inv.kwargs[opt.dest] = self._value(opt, self.raw[opt.dest])
            elif opt.required:
                raise self.fail(f"{opt.flag} {opt.metavar} is required ({opt.spec.help})")

    def _value(self, opt: Option, raw: list[str]) -> Any:
        if opt.kind == "flag":
            return opt.dest not in self.negated
        value: Any
        if opt.kind == "comma":
            value = tuple(x.strip() for r in raw for x in r.split(",") if x.strip())
            if not value:
                raise self.fail(f"{opt.flag}: empty list; expected {opt.metavar}")
        elif opt.kind in ("several", "repeat"):
            value = tuple(raw)
        else:
            value = raw[0]
        if typing.get_origin(opt.spec.type) is dict:
            value = self._mapping(opt, value)
        if isinstance(value, str) and value.lower() in opt.spec.choices:
            value = value.lower()
        if opt.owner is type(None):
            return value
        try:
            # The bare type first, so a bound is reported as a bound ("at most 32").
            value = msgspec.convert(value, type=opt.spec.type, strict=False)
        except msgspec.ValidationError:
            pass
        try:
            return check_value(opt.owner, opt.spec.name, value, strict=False)
        except SettingError as exc:
            raise self.fail(exc.render(lambda key: opt.flag)) from None

    def _mapping(self, opt: Option, items: Any) -> dict[str, str]:
        out: dict[str, str] = {}
        for item in items if isinstance(items, tuple) else (items,):
            key, sep, val = item.partition("=")
            if not sep or not key.strip() or not val.strip():
                raise self.fail(
                    f"{opt.flag}: expected {opt.metavar} (e.g. tr=/models/en-tr), got {item!r}"
                )
            key = key.strip().lower()
            if key in out:
                raise self.fail(
                    f"{opt.flag} {key}= is given twice ({out[key]!r} and {val.strip()!r}); "
                    "give each language once"
                )
            out[key] = val.strip()
        return out


def _is_value(tok: str) -> bool:
    """Whether ``tok`` can be an option's value (``-`` and negative numbers can)."""
    if tok == "-" or not tok.startswith("-"):
        return True
    try:
        float(tok)
    except ValueError:
        return False
    return True


def _is_language(tok: str) -> bool:
    from mtalign.langs import is_code

    return is_code(tok)


def _did_you_mean(word: str, options: list[str]) -> str:
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""
