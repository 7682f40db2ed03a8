"""Glossary speed: source matching with a 50,000-entry glossary, and checking per language.

Run: .venv/bin/python benchmarks/glossary_bench.py
``enforcement_overhead`` measures enforce vs off on a real engine (for the pipeline).
"""

from __future__ import annotations

import platform
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mtalign.glossary.check import check_segment  # noqa: E402
from mtalign.glossary.formats import load_glossary  # noqa: E402
from mtalign.glossary.model import make_glossary  # noqa: E402
from mtalign.types import Term  # noqa: E402


def synthetic_glossary(n: int = 50_000, seed: int = 0):
    """``n`` random 1-3 word capitalised names plus the idlib glossary."""
    rng = random.Random(seed)
    letters = "abcdefghijklmnoprstuvyz"
    terms = []
    for i in range(n):
        words = [
            "".join(rng.choice(letters) for _ in range(rng.randint(4, 9))).capitalize()
            for _ in range(rng.randint(1, 3))
        ]
        terms.append(Term(id=f"s{i}", source=(" ".join(words),), targets={"tr": words[-1]}))
    idlib = load_glossary(ROOT / "configs/glossaries/idlib.toml")
    return make_glossary([*terms, *idlib.terms], dict(idlib.options))


def seed_sentences() -> list[str]:
    out = []
    for p in sorted((ROOT / "seeds").glob("*.txt")):
        for line in p.read_text(encoding="utf-8").splitlines():
            out.extend(s for s in re.split(r"(?<=[.!?])\s+", line) if s.strip())
    return out


def bench_matching(repeats: int = 20) -> dict[str, float]:
    t0 = time.perf_counter()
    g = synthetic_glossary()
    build = time.perf_counter() - t0
    t0 = time.perf_counter()
    matcher = g.matcher("en")
    index = time.perf_counter() - t0
    sents = seed_sentences()
    hits = 0
    t0 = time.perf_counter()
    for _ in range(repeats):
        for s in sents:
            hits += len(matcher.find(s))
    per = (time.perf_counter() - t0) / (repeats * len(sents))
    return {
        "terms": len(g),
        "segments": len(sents),
        "build_s": build,
        "index_s": index,
        "match_ms": per * 1000,
        "hits": hits / repeats,
    }


def bench_check(lang: str, hyp: str, src: str, repeats: int = 200) -> float:
    g = load_glossary(ROOT / "configs/glossaries/idlib.toml")
    check_segment(src, hyp, g, "en", lang)  # warm caches (pymorphy3 load, forms)
    t0 = time.perf_counter()
    for _ in range(repeats):
        check_segment(src, hyp, g, "en", lang)
    return (time.perf_counter() - t0) / repeats * 1000


def enforcement_overhead(translator, sources, options, glossary, src_lang, tgt_lang):
    """Seconds for translate+check vs translate+enforce on ``translator`` (for the lead).

    Returns ``{"off": s, "enforce": s, "overhead": ratio}``; ``options`` should ask for
    n-best and attention as the pipeline does in enforce mode.
    """
    from mtalign.glossary.enforce import enforce_batch

    t0 = time.perf_counter()
    results = translator.translate(sources, options)
    off = time.perf_counter() - t0
    t0 = time.perf_counter()
    results = translator.translate(sources, options)
    enforce_batch(sources, results, translator, options, glossary, src_lang, tgt_lang)
    on = time.perf_counter() - t0
    return {"off": off, "enforce": on, "overhead": on / off - 1 if off else None}


def main() -> None:
    print(
        f"machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}"
    )
    m = bench_matching()
    print("\nsource matching (50,000 synthetic terms + idlib glossary, seed sentences)")
    print(f"{'terms':>8} {'segments':>9} {'load s':>8} {'index s':>8} {'ms/segment':>11}")
    print(
        f"{m['terms']:>8} {m['segments']:>9} {m['build_s']:>8.2f} {m['index_s']:>8.2f} "
        f"{m['match_ms']:>11.4f}"
    )
    cases = [
        (
            "tr",
            "Erdogan met Putin in Moscow after the Idlib strike.",
            "Erdoğan, İdlib saldırısının ardından Moskova'da Putin'le görüştü.",
        ),
        (
            "ru",
            "Erdogan met Putin in Moscow after the Idlib strike.",
            "Эрдоган встретился с Путиным в Москве после удара по Идлибу.",
        ),
        (
            "ar",
            "Erdogan met Putin in Moscow after the Idlib strike.",
            "التقى أردوغان ببوتين في موسكو بعد الضربة على إدلب.",
        ),
    ]
    print("\ncheck one segment, 4 terms (idlib glossary, caches warm)")
    print(f"{'lang':>5} {'ms/segment':>11}")
    for lang, src, hyp in cases:
        print(f"{lang:>5} {bench_check(lang, hyp, src):>11.3f}")


if __name__ == "__main__":
    main()
