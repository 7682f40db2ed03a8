"""The ``mtalign`` command line (python-fire).

Each command is a thin wrapper over a library function, living in ``mtalign/cli/<area>.py``
and imported only when it runs, so ``mtalign --help`` never imports torch. Before anything
runs, :func:`mtalign.cli.parse.parse` checks the whole command line against the command's
declared arguments and options (:mod:`mtalign.cli.commands`); help pages are rendered from
the same declarations (:mod:`mtalign.cli.help`). Fire then dispatches to :class:`Mtalign`
with every value quoted, so it never reinterprets one. Only the CLI prints and picks exit
codes: 0 ok, 2 user/config/input error, 1 unexpected (a bug), 130 interrupted.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from mtalign.errors import MtalignError
from mtalign.settings.schema import SettingError


class Mtalign:
    """mtalign: translate, align, check names and evaluate multilingual news text.

    One method per command; the first line of its docstring is the command's summary in
    ``mtalign --help``, the rest is the top of its help page.
    """

    def segment(
        self,
        path: Any,
        lang: str = "auto",
        format: str = "txt",
        input_format: str | None = None,
        force: bool = False,
    ) -> None:
        """Split a document into sentences and print them with their ids.

        Example: mtalign segment seeds/idlib.txt --lang en --format jsonl
        """
        from mtalign.cli.basic import segment_command

        segment_command(path, lang=lang, format=format, input_format=input_format, force=force)

    def detect(self, *paths: Any, per_paragraph: bool = False, format: str = "txt") -> None:
        """Print the language and probability of each document or paragraph.

        Example: mtalign detect seeds/idlib.txt --per-paragraph
        """
        from mtalign.cli.basic import detect_command

        detect_command(paths, per_paragraph=per_paragraph, format=format)

    def translate(
        self,
        *inputs: Any,
        to: Any = None,
        src: Any = None,
        out: Any = "out",
        engine: Any = None,
        model: Any = None,
        beam: Any = None,
        device: Any = None,
        compute_type: Any = None,
        batch_tokens: Any = None,
        unit: Any = None,
        no_cache: Any = False,
        glossary: Any = None,
        glossary_mode: Any = None,
        no_gate: Any = False,
        force: Any = False,
        input_format: Any = None,
        progress: Any = None,
        threads: Any = None,
        consistency: Any = False,
        pivot: Any = None,
    ) -> None:
        """Translate documents into one or more languages with MarianMT (OPUS-MT) models.

        Writes NAME.LANG.EXT per language, NAME.aligned.jsonl and NAME.report.json into
        --out, and prints one line per language.

        Example: mtalign translate seeds/idlib.txt --to tr,ru --model tr=/models/en-tr
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
            pivot=pivot,
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
        format: Any = None,
        tokenize: Any = None,
        seed: Any = 12345,
        n_bootstrap: Any = 1000,
        names: Any = None,
        n_trials: Any = 10000,
        realign: Any = False,
        comet_model: Any = None,
        confidence: Any = False,
    ) -> None:
        """Score translations against references: BLEU, chrF, TER, COMET, terms, wrong language.

        Names as sacrebleu's: chrf is chrF, chrf++ is chrF++; --confidence adds bootstrap
        CIs (--n-bootstrap resamples). Prints a table ending with the sacrebleu signatures; --report DIR writes JSON,
        Markdown and HTML reports; --format json alone prints JSON to stdout. COMET
        (--metrics bleu,chrf,ter,comet) needs mtalign[comet] and --src; without --ref,
        --metrics comet scores reference-free (quality estimation).

        Example: mtalign evaluate --hyp a.tr.txt b.tr.txt --ref ref.tr.txt --lang tr
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
            realign=realign,
            comet_model=comet_model,
            confidence=confidence,
        )

    def eval_suite(
        self,
        config: Any,
        report: Any = None,
        format: Any = None,
        seed: Any = None,
        n_bootstrap: Any = None,
    ) -> None:
        """Translate a test set with several configurations and compare them in one report.

        Example: mtalign eval-suite configs/eval/idlib.toml --report out/eval
        """
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
        max_bead: Any = 5,
        presegmented: Any = False,
        force: Any = False,
        model: Any = None,
        engine: Any = "auto",
        keep_unaligned: Any = False,
        report: Any = False,
        pairs: Any = None,
        resume: Any = False,
        runner: Any = "local",
        workers: Any = None,
        ray_address: Any = None,
    ) -> None:
        """Sentence-align a document with its translations into beads: TSV, JSONL, TMX, vecalign.

        Examples:
          mtalign align en.txt tr.txt --src-lang en --tgt-lang tr --format tmx --out en-tr.tmx
          mtalign align en.md tr.md ru.md --langs en,tr,ru --format jsonl
          mtalign align --pairs pairs.tsv --out DIR --src-lang de --tgt-lang fr --presegmented
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
            keep_unaligned=keep_unaligned,
            report=report,
            pairs=pairs,
            resume=resume,
            runner=runner,
            workers=workers,
            ray_address=ray_address,
        )

    def batch(
        self,
        config: Any,
        resume: Any = False,
        runner: Any = None,
        workers: Any = None,
        ray_address: Any = None,
        overwrite: Any = False,
    ) -> None:
        """Run a resumable, glossary-enforced batch job (documents or a JSONL/Parquet dataset).

        From a TOML config, locally or on Ray. Exit code 1 when a document (record) failed;
        the job's summary.md says why.

        Example: mtalign batch configs/jobs/example.toml --resume
        """
        from mtalign.cli.batch import batch_command

        batch_command(
            config,
            resume=resume,
            runner=runner,
            workers=workers,
            ray_address=ray_address,
            overwrite=overwrite,
        )

    def serve(
        self,
        config: Any = None,
        to: Any = None,
        sources: Any = None,
        host: Any = None,
        port: Any = None,
        model: Any = None,
        engine: Any = None,
        glossary: Any = None,
        glossary_mode: Any = None,
        batch_tokens: Any = None,
        threads: Any = None,
        no_cache: Any = False,
        api_keys: Any = None,
    ) -> None:
        """Serve translation over HTTP: LibreTranslate-compatible API, /v1 API, editors' page.

        Binds 127.0.0.1 unless --host says otherwise; SIGTERM or Ctrl-C answers the
        requests in flight, then exits. Needs mtalign[serve].

        Example: mtalign serve --to tr,ru,ar --glossary configs/glossaries/idlib.toml --port 5000
        """
        from mtalign.cli.serve import serve_command

        serve_command(
            config=config,
            to=to,
            sources=sources,
            host=host,
            port=port,
            model=model,
            engine=engine,
            glossary=glossary,
            glossary_mode=glossary_mode,
            batch_tokens=batch_tokens,
            threads=threads,
            no_cache=no_cache,
            api_keys=api_keys,
        )

    @property
    def models(self) -> Any:
        """The model registry, model downloads, CTranslate2 conversions and model checks."""
        from mtalign.cli.models import Models

        return Models()

    @property
    def glossary(self) -> Any:
        """Check and fix glossary terms in any translation; show, build and mine glossaries."""
        from mtalign.cli.glossary import Glossary

        return Glossary()


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``mtalign`` console script; returns the exit code."""
    from mtalign.cli import output
    from mtalign.cli.parse import parse

    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["version"]:
        args = ["--version"]
    try:
        inv = parse(args)
    except MtalignError as exc:
        output.error(str(exc))
        return exc.exit_code
    if inv.version:
        from mtalign.version import __version__

        print(f"mtalign {__version__}")
        return 0
    if inv.help or inv.command is None:
        from mtalign.cli.help import render

        sys.stdout.write(render(inv.path))
        return 0
    restore = output.configure(inv.quiet, inv.verbose, inv.log_level)
    try:
        return _run(inv)
    finally:
        restore()


def _run(inv: Any) -> int:
    """Dispatch a checked :class:`~mtalign.cli.parse.Invocation` through Fire."""
    import fire

    from mtalign.cli import output

    cmd = inv.command
    # Every value is quoted (repr) so Fire's literal parsing gives back exactly our value.
    command = [*cmd.path, *(repr(a) for a in inv.args)]
    command += [f"--{k}={v!r}" for k, v in inv.kwargs.items()]
    restore_term = _terminate_on_sigterm()
    try:
        fire.Fire(Mtalign(), command=command, name="mtalign")
    except SettingError as exc:
        from mtalign.cli._args import flag_name

        output.error(exc.render(flag_name))
        return exc.exit_code
    except MtalignError as exc:
        output.error(str(exc))
        return exc.exit_code
    except fire.core.FireExit as exc:  # cannot happen after parse(); a bug if it does
        return int(exc.code or 0)
    except KeyboardInterrupt:
        output.error(f"interrupted; finished outputs are kept, {_how_to_resume(inv)}")
        return 130
    except Terminated:
        output.error(f"terminated (SIGTERM); finished outputs are kept, {_how_to_resume(inv)}")
        return 143
    except BrokenPipeError:
        return 0
    finally:
        restore_term()
    return 0


class Terminated(BaseException):
    """SIGTERM arrived: unwinds like Ctrl-C (temp files removed), then one line is printed."""


def _terminate_on_sigterm() -> Callable[[], None]:
    """Turn SIGTERM into :class:`Terminated` while a command runs; the undo function."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def handler(signum: int, frame: object) -> None:
        raise Terminated

    previous = signal.signal(signal.SIGTERM, handler)

    def restore() -> None:
        signal.signal(signal.SIGTERM, previous)

    return restore


def _how_to_resume(inv: Any) -> str:
    """What finishes the work: --resume where the command needs it, else a plain rerun."""
    cmd = inv.command
    has_resume = cmd is not None and any(o.dest == "resume" for o in cmd.options)
    if has_resume and not inv.kwargs.get("resume"):
        return "rerun with --resume to finish"
    return "rerun the same command to resume"


def run() -> None:
    """Console-script wrapper: exit with :func:`main`'s code."""
    sys.exit(main())
