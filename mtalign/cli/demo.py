"""``make demo`` (``python -m mtalign.cli.demo``): the main job on the seed article, end to end.

Translates ``seeds/idlib.txt`` into Turkish, Russian and Arabic with the registry's
OPUS-MT models, checks the names against the seed glossary, and shows what was written.
Where the real models cannot be had (no Hugging Face hub), it says so and runs the same
job on small locally built test models, whose output is gibberish but whose pipeline is
the real one.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from mtalign.errors import ModelError, MtalignError
from mtalign.paths import TM_ENV

TARGETS = ("tr", "ru", "ar")


def _say(msg: str = "") -> None:
    print(msg, flush=True)


def main(argv: list[str] | None = None) -> int:
    """Run the demo; returns the exit code."""
    from mtalign.cli import main as cli_main

    args = list(sys.argv[1:] if argv is None else argv)
    article = Path(args[0] if args else "seeds/idlib.txt")
    out = Path(args[1] if len(args) > 1 else "out/demo")
    doc = _show_article(article)
    if doc is None:
        return 2
    model_args = _models(out)
    rc = cli_main(_translate_command(article, out, model_args))
    if rc != 0:
        return rc
    _show_outputs(out, doc.id)
    if not args:  # `make demo`: the same article as a web page, into Turkish
        return _html_demo(cli_main, out, model_args)
    return 0


def _show_article(article: Path) -> Any:
    """Read, detect and segment the article and show its first sentences (None: unreadable)."""
    from mtalign.document import load_document

    _say(f"== mtalign demo: {article}")
    try:
        doc, guess = load_document(article)
    except MtalignError as exc:
        _say(f"demo: {exc}")
        return None
    segs = list(doc.segments())
    _say(
        f"language: {guess}  paragraphs: {sum(1 for p in doc.paragraphs if p.segments)}  "
        f"sentences: {len(segs)}"
    )
    for s in segs[:4]:
        _say(f"  {s.id}\t{s.text}")
    _say("  ...")
    return doc


def _models(out: Path) -> list[str]:
    """``--model`` arguments: none when the registry's models are there, else test models."""
    from mtalign.models import resolve_model

    model_args: list[str] = []
    try:
        for t in TARGETS:
            resolve_model(src="en", tgt=t)  # the HF cache, else a download when online
        _say("\n== real OPUS-MT models are ready (Hugging Face cache)")
    except ModelError as exc:
        _say("\n== real OPUS-MT models are not available on this machine:")
        _say(f"   {exc}")
        _say("   On a machine with the hub: `mtalign models pull en-tr en-ru en-ar`, then rerun.")
        _say("   Going on with small locally built test models: random weights, so the")
        _say("   translations are gibberish; every other stage is the real pipeline.")
        from mtalign.testing import build_marian

        models_dir = out / "test-models"
        for t in TARGETS:
            path = models_dir / f"en-{t}"
            if not (path / "config.json").exists():
                build_marian(path, "en", t, preset="tiny", seed=0)
            model_args += ["--model", f"{t}={path}"]
    return model_args


def _translate_command(article: Path, out: Path, model_args: list[str]) -> list[str]:
    """The ``mtalign translate`` command of the demo, with its own translation memory."""
    glossary = Path("configs/glossaries/idlib.toml")
    cmd = [
        "translate",
        str(article),
        "--to",
        ",".join(TARGETS),
        "--src",
        "en",
        "--out",
        str(out),
        *model_args,
    ]
    if glossary.exists():
        cmd += ["--glossary", str(glossary), "--glossary-mode", "enforce"]
    tm = out / "demo-tm.sqlite"
    _say(
        f"\n== translation memory: {tm} ("
        + ("reused from an earlier demo run here; delete it to translate afresh)" if tm.exists()
           else "new: nothing is reused from other runs or checkouts)")
    )  # fmt: skip
    # The demo's own translation memory, under its output folder: a fresh checkout
    # starts empty instead of reusing what another checkout's demo translated.
    os.environ[TM_ENV] = str(tm)
    _say(f"\n== mtalign {' '.join(cmd)}")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    return cmd


def _show_outputs(out: Path, doc_id: str) -> None:
    """List the files written and show one aligned record."""
    _say("\n== outputs")
    for p in sorted(out.glob(f"{doc_id}.*")):
        _say(f"  {p}  ({p.stat().st_size} bytes)")
    aligned = out / f"{doc_id}.aligned.jsonl"
    if aligned.exists():
        first = json.loads(aligned.read_text(encoding="utf-8").splitlines()[1])
        _say("\n== one aligned record")
        _say(json.dumps(first, ensure_ascii=False, indent=2)[:1500])


def _html_demo(cli_main: Any, out: Path, model_args: list[str]) -> int:
    """The seed article as HTML: tags, links, attributes and the script survive."""
    page = Path("seeds/idlib.html")
    if not page.exists():
        return 0
    html_out = out / "html"
    tr_models = [a for a in model_args if a.startswith("tr=")]
    cmd = ["translate", str(page), "--to", "tr", "--src", "en", "--out", str(html_out)]
    cmd += [x for m in tr_models for x in ("--model", m)]
    _say(f"\n== the same article as a web page: mtalign {' '.join(cmd)}")
    rc = cli_main(cmd)
    if rc != 0:
        return rc
    result = (html_out / "idlib.tr.html").read_text(encoding="utf-8")
    _say("== first lines of idlib.tr.html (markup kept, text translated):")
    for line in result.splitlines()[:12]:
        _say(f"  {line[:160]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
