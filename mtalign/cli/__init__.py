"""The ``mtalign`` command line (python-fire).

Each command is a thin wrapper over a library function, living in ``mtalign/cli/<area>.py``
and imported only when it runs, so ``mtalign --help`` never imports torch. Only the CLI
prints and picks exit codes: 0 ok, 2 user/config/input error, 1 unexpected (a bug),
130 interrupted.
"""

from __future__ import annotations

import logging
import re
import sys
from typing import Any

from mtalign import __version__
from mtalign.errors import MtalignError
from mtalign.settings.schema import SettingError

# Values Fire would turn into numbers, tuples, lists, dicts, booleans or None.
_NON_STRING = re.compile(
    r"^[-+]?(\d[\d_]*\.?\d*([eE][-+]?\d+)?|\.\d+)$|,|^[\[({]|^(True|False|None)$"
)
#: Options that may be repeated, one value each (``--model tr=A --model ru=B``).
_REPEATABLE = ("--model", "--glossary")
#: Options that take several values (``--hyp a.txt b.txt``) and may be repeated.
_MULTI_VALUE = ("--hyp", "--ref")


def _protect_values(argv: list[str]) -> list[str]:
    """Quote values so Fire hands every one to the command as a string.

    Fire would turn a file named ``2024`` into an int and ``1e3`` into a float; each
    command normalises strings itself (``mtalign.cli._args``).
    """
    out: list[str] = []
    for tok in argv:
        if tok.startswith("--") and "=" in tok:
            flag, _, val = tok.partition("=")
            out.append(f"{flag}={repr(val) if _NON_STRING.search(val) else val}")
        elif tok == "-" or (not tok.startswith("-") and _NON_STRING.search(tok)):
            # A bare "-" (stdin/stdout) would otherwise be Fire's command separator.
            out.append(repr(tok))
        else:
            out.append(tok)
    return out


def _merge_multi(argv: list[str]) -> list[str]:
    """``--hyp a b --hyp c`` becomes ``--hyp a,b,c`` (Fire keeps only the last value).

    Repeatable options (``--model``, ``--glossary``) take one value per occurrence, so a
    positional input after them is not swallowed.
    """
    out: list[str] = []
    merged: dict[str, int] = {}
    i = 0
    while i < len(argv):
        tok = argv[i]
        flag, eq, inline = tok.partition("=")
        if flag in _MULTI_VALUE or flag in _REPEATABLE:
            vals = [inline] if eq else []
            i += 1
            if not eq:
                while i < len(argv) and not argv[i].startswith("-"):
                    vals.append(argv[i])
                    i += 1
                    if flag in _REPEATABLE:
                        break
            if flag in merged:
                out[merged[flag]] += "," + ",".join(vals)
            else:
                out.append(flag)
                out.append(",".join(vals))
                merged[flag] = len(out) - 1
            continue
        out.append(tok)
        i += 1
    return out


class Mtalign:
    """mtalign: translate, align, check names and evaluate multilingual news text."""

    def segment(
        self,
        path: Any,
        lang: str = "auto",
        format: str = "txt",
        input_format: str | None = None,
        force: bool = False,
    ) -> None:
        """Split a document into sentences and print them with their ids."""
        from mtalign.cli.basic import segment_command

        segment_command(path, lang=lang, format=format, input_format=input_format, force=force)

    def detect(self, *paths: Any, per_paragraph: bool = False, format: str = "txt") -> None:
        """Print the language and probability of each document (or paragraph)."""
        from mtalign.cli.basic import detect_command

        detect_command(paths, per_paragraph=per_paragraph, format=format)

    def translate(
        self,
        *inputs: Any,
        to: Any = None,
        src: Any = "auto",
        out: Any = "out",
        engine: Any = "auto",
        model: Any = None,
        beam: Any = 4,
        device: Any = "auto",
        compute_type: Any = None,
        batch_tokens: Any = 4096,
        unit: Any = "sentence",
        no_cache: Any = False,
        glossary: Any = None,
        glossary_mode: Any = None,
        no_gate: Any = False,
        force: Any = False,
        input_format: Any = None,
        progress: Any = None,
        threads: Any = 0,
        consistency: Any = False,
    ) -> None:
        """Translate articles into one or more languages (--to tr,ru,ar) with MarianMT models.

        Writes NAME.LANG.EXT per language, NAME.aligned.jsonl and NAME.report.json into --out
        (default out/; --out - prints the translation). --model tr=DIR_OR_ID picks a model;
        --engine auto|ctranslate2|transformers; --unit sentence|paragraph; --no-cache;
        --glossary G.toml --glossary-mode off|check|enforce; --consistency (no glossary:
        each name keeps one rendering); --threads N.
        """
        from mtalign.cli.translate import translate_command

        translate_command(
            inputs,
            to=to,
            src=src,
            out=out,
            engine=engine,
            model=model,
            beam=beam,
            device=device,
            compute_type=compute_type,
            batch_tokens=batch_tokens,
            unit=unit,
            no_cache=no_cache,
            glossary=glossary,
            glossary_mode=glossary_mode,
            no_gate=no_gate,
            force=force,
            input_format=input_format,
            progress=progress,
            threads=threads,
            consistency=consistency,
        )

    def evaluate(
        self,
        hyp: Any = None,
        ref: Any = None,
        lang: Any = None,
        src: Any = None,
        src_lang: Any = "en",
        glossary: Any = None,
        metrics: Any = "bleu,chrf,ter",
        significance: Any = None,
        report: Any = None,
        format: Any = "json,md,html",
        tokenize: Any = None,
        seed: Any = 12345,
        n_bootstrap: Any = 1000,
        names: Any = None,
        n_trials: Any = 10000,
        comet_model: Any = None,
    ) -> None:
        """Score system outputs against references (BLEU, chrF++, TER, COMET, terms, wrong language).

        --hyp A.txt B.txt --ref REF.txt --lang tr [--src SRC.txt --glossary G.toml]
        [--significance paired-bs|paired-ar] [--report DIR --format json,md,html]
        [--metrics bleu,chrf,ter,comet --comet-model ID_OR_PATH] (COMET needs mtalign[comet];
        without --ref, --metrics comet is reference-free QE)
        """
        from mtalign.cli.evaluate import evaluate_command

        evaluate_command(
            hyp=hyp,
            ref=ref,
            lang=lang,
            src=src,
            src_lang=src_lang,
            glossary=glossary,
            metrics=metrics,
            significance=significance,
            report=report,
            format=format,
            tokenize=tokenize,
            seed=seed,
            n_bootstrap=n_bootstrap,
            names=names,
            n_trials=n_trials,
            comet_model=comet_model,
        )

    def eval_suite(
        self,
        config: Any,
        report: Any = None,
        format: Any = None,
        seed: Any = None,
        n_bootstrap: Any = None,
    ) -> None:
        """Translate a test set with several configurations and compare them in one report."""
        from mtalign.cli.evaluate import eval_suite_command

        eval_suite_command(config, report=report, format=format, seed=seed, n_bootstrap=n_bootstrap)

    def align(
        self,
        *paths: Any,
        src_lang: Any = None,
        tgt_lang: Any = None,
        langs: Any = None,
        method: Any = "auto",
        out: Any = "-",
        format: Any = "tsv",
        max_bead: Any = 3,
        presegmented: Any = False,
        force: Any = False,
        model: Any = None,
        engine: Any = "auto",
    ) -> None:
        """Sentence-align SRC with one or more translations into beads (TSV, JSONL, TMX, vecalign).

        mtalign align en.txt tr.txt --src-lang en --tgt-lang tr [--method auto|length|embedding|
        translation] [--format tsv|jsonl|tmx|vecalign] [--out FILE]; n-way: --langs en,tr,ru.
        --method translation needs a model: --model tr=DIR_OR_ID.
        """
        from mtalign.cli.align import align_command

        align_command(
            *paths,
            src_lang=src_lang,
            tgt_lang=tgt_lang,
            langs=langs,
            method=method,
            out=out,
            format=format,
            max_bead=max_bead,
            presegmented=presegmented,
            force=force,
            model=model,
            engine=engine,
        )

    def batch(
        self,
        config: Any,
        resume: Any = False,
        runner: Any = None,
        workers: Any = None,
        ray_address: Any = None,
    ) -> None:
        """Run a glossary-enforced batch job from a TOML config (resumable; --runner local|ray)."""
        from mtalign.cli.batch import batch_command

        batch_command(
            config, resume=resume, runner=runner, workers=workers, ray_address=ray_address
        )

    @property
    def models(self) -> Any:
        """List, download, convert and check translation models (mtalign models list|pull|convert|check)."""
        from mtalign.cli.models import Models

        return Models()

    @property
    def glossary(self) -> Any:
        """Check, fix, show, mine and build glossaries (mtalign glossary check|fix|show|cldr|mine)."""
        from mtalign.cli.glossary import Glossary

        return Glossary()


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``mtalign`` console script; returns the exit code."""
    import fire

    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] in (["--version"], ["-V"], ["version"]):
        print(f"mtalign {__version__}")
        return 0
    logging.basicConfig(level=logging.WARNING, format="mtalign: %(levelname)s: %(message)s")
    args = _protect_values(_merge_multi(args))
    try:
        fire.Fire(Mtalign(), command=args, name="mtalign")
    except SettingError as exc:
        from mtalign.cli._args import flag_name

        print(f"mtalign: error: {exc.render(flag_name)}", file=sys.stderr)
        return exc.exit_code
    except MtalignError as exc:
        print(f"mtalign: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except fire.core.FireExit as exc:
        return int(exc.code or 0)
    except KeyboardInterrupt:
        print("mtalign: interrupted; finished outputs are kept, rerun to resume", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    return 0


def run() -> None:
    """Console-script wrapper: exit with :func:`main`'s code."""
    sys.exit(main())
