"""Read the Markdown of README.md and docs/: fenced examples, their markers, links, anchors.

Used by ``tests/test_docs.py``. A fenced block is an example when its info string is a shell
(``sh``, ``bash``, ``shell``, ``console``) or Python (``python``, ``py``, ``pycon``) language.
An HTML comment on the last non-blank line before the fence changes what happens to it:

``<!-- not run: REASON -->``
    the example is not run (it needs the Hugging Face hub, is ``make test`` itself, ...);
    the test lists it as skipped with REASON.
``<!-- file: NAME -->``
    the block (any language) is written to NAME in the examples' working folder, so later
    examples can use it; it is not run.
``<!-- output -->``
    the block (usually ``text``) is what the example before it prints; the test compares.

Anchors follow GitHub's rules: a heading's text, lower-cased, without punctuation, spaces
turned into ``-``, repeats numbered ``-1``, ``-2``; ``<a id="...">`` adds one explicitly.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

SHELL = frozenset({"sh", "bash", "shell", "console"})
PYTHON = frozenset({"python", "py"})
PYCON = frozenset({"pycon"})

_FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,})\s*([^`\s]*)[^`]*$")
_MARKER = re.compile(r"^\s*<!--\s*(not run|file|output)\s*(?::\s*(.*?))?\s*-->\s*$")
_HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_HTML_ANCHOR = re.compile(r"<a\s+(?:id|name)=\"([^\"]+)\"", re.IGNORECASE)
_INLINE_CODE = re.compile(r"(`+)(.+?)\1")
_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
_REF_DEF = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$")


@dataclass(frozen=True)
class Block:
    """One fenced block: where it starts, its language, its text and its marker."""

    path: Path
    line: int  # 1-based line of the opening fence
    lang: str
    code: str
    marker: str | None = None  # "not run" | "file" | "output"
    arg: str = ""  # the marker's reason or file name

    @property
    def where(self) -> str:
        return f"{self.path.name}:{self.line}"

    @property
    def kind(self) -> str | None:
        """``shell``, ``python`` or ``pycon`` for examples; None for other blocks."""
        if self.lang in SHELL:
            return "shell"
        if self.lang in PYTHON:
            return "python"
        if self.lang in PYCON:
            return "pycon"
        return None


def blocks(path: Path) -> list[Block]:
    """Every fenced block of ``path`` in order, with the marker written before it."""
    lines = path.read_text(encoding="utf-8").splitlines()
    out: list[Block] = []
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence, lang, start = m.group(2), m.group(3).lower(), i
        body: list[str] = []
        i += 1
        while i < len(lines) and not (
            lines[i].strip().startswith(fence[0] * len(fence))
            and set(lines[i].strip()) == {fence[0]}
        ):
            body.append(lines[i])
            i += 1
        i += 1
        marker, arg = _marker_before(lines, start)
        code = "\n".join(body) + "\n"
        out.append(Block(path, start + 1, lang, code, marker, arg))
    return out


def _marker_before(lines: list[str], start: int) -> tuple[str | None, str]:
    j = start - 1
    while j >= 0 and not lines[j].strip():
        j -= 1
    if j < 0:
        return None, ""
    m = _MARKER.match(lines[j])
    if not m:
        return None, ""
    return m.group(1), (m.group(2) or "").strip()


def _prose(path: Path, blank_code: bool = True) -> list[tuple[int, str]]:
    """(line number, text) of the lines outside fenced blocks, inline code blanked out."""
    lines = path.read_text(encoding="utf-8").splitlines()
    out: list[tuple[int, str]] = []
    fence: str | None = None
    for n, line in enumerate(lines, 1):
        m = _FENCE.match(line)
        if fence is None and m:
            fence = m.group(2)
            continue
        if fence is not None:
            stripped = line.strip()
            if stripped.startswith(fence) and set(stripped) == {fence[0]}:
                fence = None
            continue
        if blank_code:
            line = _INLINE_CODE.sub(lambda mm: " " * len(mm.group(0)), line)
        out.append((n, line))
    return out


def slug(heading: str) -> str:
    """GitHub's anchor for a heading text (without the numbering of repeats)."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # links keep their text
    text = re.sub(r"<[^>]+>", "", text)  # inline HTML
    text = text.replace("`", "").lower()
    kept = []
    for ch in text:
        cat = unicodedata.category(ch)
        if ch in " -_" or cat[0] in "LN" or cat == "Mn":
            kept.append(ch)
    return "".join(kept).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """Every anchor a link may name in ``path``: headings (numbered repeats) and <a id>."""
    seen: dict[str, int] = {}
    found: set[str] = set()
    for _, line in _prose(path, blank_code=False):
        for name in _HTML_ANCHOR.findall(line):
            found.add(name)
        m = _HEADING.match(line)
        if not m:
            continue
        base = slug(m.group(2))
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def links(path: Path) -> list[tuple[int, str]]:
    """(line, target) of every link and image in the prose of ``path``."""
    out: list[tuple[int, str]] = []
    for n, line in _prose(path):
        out.extend((n, m.group(1)) for m in _LINK.finditer(line))
        m = _REF_DEF.match(line)
        if m:
            out.append((n, m.group(1)))
    return out


def broken_links(paths: list[Path], root: Path) -> list[str]:
    """``file:line: target (why)`` for every relative link that leads nowhere."""
    problems: list[str] = []
    cache: dict[Path, set[str]] = {}
    for path in paths:
        for n, target in links(path):
            if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE) or target.startswith("//"):
                continue  # http:, https:, mailto: ... are not checked (no network)
            where = f"{path.relative_to(root)}:{n}: {target}"
            file_part, _, anchor = target.partition("#")
            dest = (path.parent / unquote(file_part)).resolve() if file_part else path
            if not dest.exists():
                problems.append(f"{where} (no such file {file_part})")
                continue
            if root.resolve() not in (dest, *dest.parents):
                problems.append(f"{where} (outside the repository)")
                continue
            if anchor:
                if dest.suffix.lower() != ".md":
                    problems.append(f"{where} (an anchor into a file that is not Markdown)")
                    continue
                if dest not in cache:
                    cache[dest] = anchors(dest)
                if unquote(anchor) not in cache[dest]:
                    problems.append(f"{where} (no heading or <a id> '{anchor}' in {dest.name})")
    return problems
