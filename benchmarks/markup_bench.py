"""Markup benchmark: tag preservation, verbatim parts and the time markup adds.

Run: .venv/bin/python benchmarks/markup_bench.py [--docs 40] [--seed 0]

Generated HTML documents (deep inline nesting up to 6 levels, attributes with entities,
tables, Arabic (RTL) paragraphs, scripts, ``pre``/``code``, ``translate="no"``) go through
the real pipeline (read, segment, mask, engine, gate, unmask, write) with three fake models
that cost nothing, so what is timed is mtalign's own work (quality gate and retry off):

- ``identity``: copies its input;
- ``reverse``: reverses word order (paired markers come back crossed);
- ``hostile``: reverses, drops every third marker and doubles every other one left.

Checked per output: the same multiset of tags with the same non-translatable attributes,
well-nested, and every untranslatable part (script, style, pre, code, translate="no")
byte-identical. Time: the same prose as plain text through the same pipeline is the
baseline; the difference is what markup adds per segment.
"""

from __future__ import annotations

import argparse
import platform
import random
import re
import sys
import tempfile
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mtalign.engines.base import DecodeOptions, Hypothesis, TranslationResult  # noqa: E402
from mtalign.pipeline import TranslateSettings, load_inputs, translate_documents  # noqa: E402
from mtalign.pipeline.session import PairEngine  # noqa: E402

EN = "the minister said talks with Ankara and Moscow would go on despite the strike".split()
AR = "قال الوزير إن المحادثات مع أنقرة وموسكو ستستمر رغم الضربة".split()
INLINE = ("b", "i", "em", "strong", "span", "a")
_MARK = re.compile(r"\[\d+\]")  # the model's side: markers in plain model text


@dataclass
class FakeModel:
    """A translator that costs nothing: identity, reverse or hostile (see module doc)."""

    mode: str
    name: str = "fake"
    model_id: str = "fake/bench"
    model_revision: str | None = "0"
    device: str = "cpu"
    compute_type: str = "float32"
    calls: list[int] = field(default_factory=list)

    def _render(self, text: str) -> str:
        if self.mode == "identity":
            return text
        words = text.split()[::-1]
        if self.mode == "hostile":
            out, seen = [], 0
            for w in words:
                if _MARK.search(w):
                    seen += 1
                    if seen % 3 == 0:
                        w = _MARK.sub("", w)
                    elif seen % 2 == 0:
                        w = w + " " + _MARK.findall(w)[0]
                out.append(w)
            words = out
        return " ".join(w for w in words if w)

    def translate(self, texts, options: DecodeOptions, target_prefix=None):
        self.calls.append(len(texts))
        return [TranslationResult((Hypothesis(self._render(t), ()),)) for t in texts]

    def count_tokens(self, texts):
        return [len(t.split()) + 1 for t in texts]

    def close(self) -> None:
        pass


@dataclass(frozen=True)
class _Resolved:
    """What the session reads of a resolved model (no weights behind it)."""

    model_id: str = "fake/bench"
    revision: str = "0"
    path: Path = Path("/nonexistent")
    src: str | None = "en"
    tgt: str | None = "tr"
    target_token: str | None = None
    origin: str = "local"
    licence: str = "bench"
    max_positions: int = 512


def _inline(rng: random.Random, words: list[str], depth: int) -> str:
    out = []
    for w in rng.sample(words, k=min(len(words), rng.randint(4, 9))):
        if depth < 6 and rng.random() < 0.25:
            tag = rng.choice(INLINE)
            attr = ' href="/n?id=7&amp;s=2" title="A story"' if tag == "a" else ' class="k"'
            out.append(f"<{tag}{attr}>{_inline(rng, words, depth + 1)}</{tag}>")
        else:
            out.append(w.replace("and", "&amp;") if rng.random() < 0.1 else w)
    return " ".join(out) + "."


def make_doc(rng: random.Random) -> tuple[str, str, list[str]]:
    """(HTML, the same prose as plain text, untranslatable parts that must stay verbatim)."""
    verbatim = [
        '<script>var t = "<b>x</b> & y";</script>',
        "<style>p > b { color: #c00 }</style>",
        "<pre>  x = [0]  &lt;keep&gt;\n</pre>",
        '<p translate="no">Wire &amp; Co</p>',
    ]
    blocks, plain = [], []
    for k in range(rng.randint(6, 12)):
        words = AR if k % 4 == 3 else EN
        text = _inline(rng, words, 0)
        if k % 5 == 4:
            blocks.append(
                f"<table><tr><td>{text}</td><td>{_inline(rng, words, 4)}</td></tr></table>"
            )
        else:
            code = f" Run <code>make x{k}</code> now." if k % 3 == 0 else ""
            blocks.append(f'<p dir="auto">{text}{code} <img src="i{k}.png" alt="A photo"></p>')
        plain.append(re.sub(r"<[^>]+>", "", blocks[-1]).replace("&amp;", "&"))  # bench input only
    body = "\n".join(verbatim[:2] + blocks[:3] + verbatim[2:] + blocks[3:])
    page = f'<!DOCTYPE html>\n<html lang="en"><head><title>Talks</title></head>\n<body>\n{body}\n</body></html>\n'
    return page, "\n".join(plain) + "\n", verbatim


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple] = []

    def handle_starttag(self, tag, attrs):
        keep = tuple(a for a in attrs if a[0] not in ("alt", "title", "lang", "dir"))
        self.tags.append(("s", tag, keep))

    def handle_endtag(self, tag):
        self.tags.append(("e", tag))


def _tags(text: str) -> list[tuple]:
    p = _Tags()
    p.feed(text)
    p.close()
    return p.tags


def _nested(tags: list[tuple]) -> bool:
    stack: list[str] = []
    for t in tags:
        if t[0] == "s" and t[1] not in ("img", "br", "meta"):
            stack.append(t[1])
        elif t[0] == "e" and (not stack or stack.pop() != t[1]):
            return False
    return not stack


def run(paths: list[Path], mode: str, out: Path) -> tuple[float, list, int]:
    settings = TranslateSettings(
        targets=("tr",),
        src="en",
        cache_path=str(out / "tm.sqlite"),
        progress=False,
        quality_gate=False,
        retry=False,
    )
    docs = load_inputs([str(p) for p in paths], settings)
    engines = {("en", "tr"): PairEngine("en", "tr", _Resolved(), "fake")}
    t0 = time.perf_counter()
    res = translate_documents(
        docs, settings, out, engines=engines, factory=lambda pe: FakeModel(mode)
    )
    seconds = time.perf_counter() - t0
    return seconds, res, sum(len(r.outcomes["tr"]) for r in res)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=40)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    tmp = Path(tempfile.mkdtemp(prefix="markup-bench-"))
    pages = [make_doc(rng) for _ in range(args.docs)]
    html_paths, txt_paths = [], []
    for k, (page, plain, _) in enumerate(pages):
        (tmp / f"d{k}.html").write_text(page, encoding="utf-8")
        (tmp / f"d{k}.txt").write_text(plain, encoding="utf-8")
        html_paths.append(tmp / f"d{k}.html")
        txt_paths.append(tmp / f"d{k}.txt")
    print(
        f"{args.docs} documents; {platform.processor() or platform.machine()}, "
        "2 shared cores (loaded by other work)"
    )
    print(
        "| model | tags kept (docs) | well nested | verbatim parts identical | segments flagged "
        "`markup` | HTML s | plain text s | added ms/segment |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for mode in ("identity", "reverse", "hostile"):
        t_txt, _, _ = run(txt_paths, mode, tmp / f"txt-{mode}")
        t_html, res, nseg = run(html_paths, mode, tmp / f"html-{mode}")
        kept = nested = verbatim = 0
        for k, (page, _, parts) in enumerate(pages):
            got = (tmp / f"html-{mode}" / f"d{k}.tr.html").read_text(encoding="utf-8")
            kept += sorted(_tags(got)[1:]) == sorted(_tags(page)[1:])
            nested += _nested(_tags(got))
            verbatim += all(p in got for p in parts)
        flagged = sum(
            any(f.kind == "markup" for f in o.flags) for r in res for o in r.outcomes["tr"]
        )
        print(
            f"| {mode} | {kept}/{args.docs} | {nested}/{args.docs} | {verbatim}/{args.docs} | "
            f"{flagged}/{nseg} | {t_html:.2f} | {t_txt:.2f} | "
            f"{1000 * (t_html - t_txt) / max(1, nseg):.2f} |"
        )


if __name__ == "__main__":
    main()
