"""``mtalign models ...``: list, download, convert and check translation models."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mtalign.cli import output
from mtalign.cli._args import as_choice, as_int, as_mapping, as_str
from mtalign.errors import InputError, MtalignError


class ModelCheckFailed(MtalignError):
    """``models check`` gave a failing verdict for at least one model (exit code 1)."""

    exit_code = 1


def _pairs(values: tuple[Any, ...]) -> list[str]:
    """Fire gives ``en-tr,en-ru`` as a tuple and ``en-tr`` as a str: flatten to strings."""
    out: list[str] = []
    for value in values:
        if isinstance(value, (tuple, list)):
            out.extend(_pairs(tuple(value)))
        else:
            out.extend(p.strip() for p in str(value).split(",") if p.strip())
    return out


def _size(value: float | None, unit: str, estimated: bool) -> str:
    if value is None:
        return "?"
    return f"{'~' if estimated else ''}{value:.0f}{unit}"


def _figures(entry: Any, most: int = 2) -> str:
    """``flores101-devtest 29.4/61.2`` (BLEU/chrF) for the first ``most`` figures."""
    out = []
    for b in entry.benchmarks[:most]:
        bleu = "-" if b.bleu is None else f"{b.bleu:.1f}"
        chrf = "-" if b.chrf is None else f"{b.chrf:.1f}"
        out.append(f"{b.test_set} {bleu}/{chrf}")
    return ", ".join(out) or "-"


def _table(rows: Sequence[tuple[str, ...]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )


def _check_plausible(registry: Any, src: str, tgt: str) -> None:
    """A pair outside the registry is guessed as a hub id only when both are languages."""
    from mtalign.errors import ModelError
    from mtalign.langs import is_code

    bad = [c for c in (src, tgt) if not is_code(c)]
    if not bad:
        return
    near = [e.pair for e in registry if e.src == src or e.tgt == tgt]
    listed = (
        f"the registry's pairs from {src} or into {tgt}: {', '.join(near)}"
        if near
        else f"the registry has {', '.join(e.pair for e in registry)}"
    )
    raise ModelError(
        f"{src}-{tgt} is not in the model registry, and {' and '.join(map(repr, bad))} "
        f"{'is' if len(bad) == 1 else 'are'} not a language code, so no hub model can be "
        f"guessed; {listed} (mtalign models list shows them all)"
    )


class Models:
    """Translation models: which pair uses which model and why, download, convert, check."""

    def __init__(self, registry: str | None = None) -> None:
        """``--registry PATH`` overlays a registry file (default: $MTALIGN_MODELS if set)."""
        self._registry_path = None if registry is None else str(registry)

    def _registry(self) -> Any:
        from mtalign.models import load_registry

        return load_registry(self._registry_path)

    def list(self, format: Any = "table") -> None:
        """Every pair's models: the default, its alternatives, and why (licence, size, figures).

        Columns: pair, choice (default, small ...), model id, family (tc-big or opus-mt),
        licence, parameters and weights size (~ marks estimates), target token, published
        BLEU/chrF with their test sets, downloaded or not.

        Example: mtalign models list --format json
        """
        from mtalign.models import is_cached

        fmt = as_choice(format, ("table", "json"), "format")
        entries = list(self._registry().all())
        local = {
            (e.model, e.revision): (
                Path(e.model).is_dir()
                if Path(e.model).is_absolute()
                else is_cached(e.model, e.revision)
            )
            for e in entries
        }
        if fmt == "json":
            data = [{**e.as_dict(), "local": local[(e.model, e.revision)]} for e in entries]
            print(json.dumps(data, ensure_ascii=False, indent=2))
            return
        rows = [
            (
                "pair", "choice", "model", "family", "licence", "params", "disk", "token",
                "BLEU/chrF (test set)", "local",
            )
        ]  # fmt: skip
        for e in entries:
            rows.append(
                (
                    e.pair,
                    e.choice,
                    e.model,
                    e.family or "?",
                    e.licence or "?",
                    _size(e.params_m, "M", "params" in e.estimated),
                    _size(e.disk_mb, "MB", "disk" in e.estimated),
                    e.target_token or "-",
                    _figures(e),
                    "yes" if local[(e.model, e.revision)] else "no",
                )
            )
        output.block(_table(rows))
        print(
            "~ = estimate; chrF is chrF2 x 100 as on the model cards; figures of different test "
            "sets do not compare. Pick an alternative with --model LANG=small or PAIR:small.",
            file=sys.stderr,
        )

    def pull(self, *pairs: str, to: Any = None) -> None:
        """Download the models of language pairs (into the HF cache, and --to DIR to carry).

        ``PAIR:CHOICE`` picks one of the registry's alternatives. With --to DIR, the models
        are also copied into DIR, a folder to carry to a machine without the hub
        (models.toml + models.lock.json with the exact revisions; `mtalign models use DIR`
        there).

        Example: mtalign models pull en-tr en-ar:small
        Example: mtalign models pull --to offline-models en-tr en-ru en-ar
        """
        from mtalign.models import download_model, is_cached, parse_choice

        wanted = _pairs(pairs)
        if not wanted:
            raise InputError(
                "models pull needs one or more pairs, e.g. `mtalign models pull en-tr`"
            )
        registry = self._registry()
        dest = as_str(to, "to")
        for spec in wanted:
            src, tgt, choice = parse_choice(spec)
            entry = registry.get(src, tgt, choice)
            if entry.fallback:
                _check_plausible(registry, src, tgt)
            if dest is None or not is_cached(entry.model, entry.revision):
                path = download_model(entry.model, entry.revision, src=src, tgt=tgt)
                fields = (entry.pair, entry.choice, entry.model, path)
                output.block("\t".join(output.one_line(f) for f in fields))
        if dest is not None:
            from mtalign.models.bundle import LOCK_FILE, pull_to

            folder = Path(dest)
            for p in pull_to(wanted, folder, registry):
                fields = (p.entry.pair, p.entry.choice, p.entry.model, folder / p.folder)
                output.block("\t".join(output.one_line(f) for f in fields))
            output.summary(
                f"wrote {len(wanted)} models to {folder} (revisions in {folder / LOCK_FILE}); "
                f"on the offline machine: mtalign models use {folder}"
            )

    def use(self, folder: Any) -> None:
        """Make the models of a `models pull --to` folder the defaults (user config file).

        MTALIGN_MODELS=DIR does the same for one shell.

        Example: mtalign models use offline-models
        """
        from mtalign.models.bundle import use_bundle

        where = as_str(folder, "folder")
        if not where:
            raise InputError("models use needs a folder, e.g. `mtalign models use offline-models`")
        config = use_bundle(Path(where))
        output.summary(f"{config}: models = {Path(where).expanduser().resolve()}")

    def convert(self, path_or_id: str, quantization: str = "int8") -> None:
        """Convert a model (a pair, hub id or folder) to CTranslate2 and print where it is.

        Example: mtalign models convert en-tr --quantization float32
        """
        from mtalign.models import convert_to_ct2, ct2_quantization, resolve_model

        spec = str(path_or_id)
        model = resolve_model(spec, registry=self._registry())
        output.line(convert_to_ct2(model, ct2_quantization(str(quantization))))

    def check(
        self,
        *pairs: Any,
        model: Any = None,
        engine: Any = "both",
        compute_type: Any = None,
        format: Any = "table",
        threads: Any = 0,
        max_length: Any = None,
    ) -> None:
        """Prove that installed models work, on the reference news article, with a verdict.

        Each model translates the article on CTranslate2 and transformers; per pair: chrF++
        and BLEU against the reference translations, glossary term accuracy off vs enforce,
        quality-gate flags, tokens/s, peak memory, whether both engines give the same
        tokens, and a verdict (chrF++ below 30: a wrong model, target token or tokenizer).
        Exits 1 when a verdict fails. Nothing is downloaded.

        Example: mtalign models check en-tr --model ar=/models/opus-mt-tc-big-en-ar
        """
        from mtalign.pipeline.modelcheck import check_models, render_checks

        fmt = as_choice(format, ("table", "json"), "format")
        engines = as_choice(engine, ("both", "ctranslate2", "transformers"), "engine")
        results = check_models(
            pairs=_pairs(pairs),
            models=as_mapping(model, "model") if model is not None else {},
            engines=("ctranslate2", "transformers") if engines == "both" else (engines,),
            compute_type=as_str(compute_type, "compute-type"),
            threads=as_int(threads, "threads", minimum=0),
            registry=self._registry(),
            progress=sys.stderr.isatty(),
            max_length=None if max_length is None else as_int(max_length, "max-length", 1),
        )
        if fmt == "json":
            print(json.dumps([r.as_dict() for r in results], ensure_ascii=False, indent=2))
        else:
            output.block(render_checks(results))
        failed = [f"{r.pair} ({r.model_id})" for r in results if not r.ok]
        if failed:
            raise ModelCheckFailed(
                f"{len(failed)} of {len(results)} models failed the check: {', '.join(failed)}; "
                "see the verdicts above (docs/models.md says what each one means)"
            )
