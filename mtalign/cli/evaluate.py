"""``mtalign evaluate`` and ``mtalign eval-suite``."""

from __future__ import annotations

import os
import sys
from typing import Any

from mtalign.cli import output
from mtalign.cli._args import as_bool, as_files, as_list, as_str
from mtalign.errors import InputError
from mtalign.settings import check_value
from mtalign.settings.suite import SuiteTable


def evaluate_command(
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
    """Score hypothesis files against references (BLEU, chrF, TER, COMET), compare systems.

    Metric names are sacrebleu's (chrf is chrF, chrf++ is chrF++); a bare run prints the
    numbers and signatures of ``sacrebleu REF -i HYP -m bleu chrf ter``. --confidence adds
    bootstrap CIs with --n-bootstrap resamples (``sacrebleu --confidence --confidence-n``);
    --significance paired-bs always has them.

    The first --hyp is the baseline of paired tests (--significance paired-bs|paired-ar).
    Prints the score table; --report DIR writes report.json / report.md / report.html
    (--format); --format json (or md) without --report, or --report -, prints that one
    format to stdout instead. Files with different line counts are an error unless
    --realign. COMET (--metrics ...,comet; --comet-model ID_OR_PATH) needs mtalign[comet]
    and --src; without --ref, --metrics comet scores reference-free (QE).
    """
    from mtalign.evaluate import EvalOptions, evaluate_files

    hyps, refs = as_files(hyp, "hyp"), as_files(ref, "ref")
    metric_list = ",".join(as_list(metrics, "metrics")) or "bleu,chrf,ter"
    qe = _check_inputs(hyps, refs, metric_list)
    target = as_str(lang, "lang")
    if not target:
        raise InputError("--lang: give the target language of the hypotheses, e.g. --lang tr")
    report_dir = as_str(report, "report")
    formats, stdout_format = _formats(as_list(format, "format"), report_dir)
    if report_dir and report_dir != "-":
        from mtalign.io.outputs import check_output_dir

        check_output_dir(report_dir, "--report")  # before any file is read
        _check_reports_not_inputs(report_dir, formats, [*hyps, *refs, src, glossary])
    scorer = _comet_scorer(metric_list, as_str(comet_model, "comet-model"), bool(refs), src)
    options = EvalOptions(
        metrics=metric_list,
        significance=as_str(significance, "significance"),
        tokenize=as_str(tokenize, "tokenize"),
        seed=check_value(SuiteTable, "seed", seed, strict=False),
        n_bootstrap=check_value(SuiteTable, "n_bootstrap", n_bootstrap, strict=False),
        n_trials=check_value(SuiteTable, "n_trials", n_trials, strict=False),
        aligner=as_bool(realign, "realign"),
        comet=scorer,
        confidence=as_bool(confidence, "confidence"),
    )
    source_lang = as_str(src_lang, "src-lang", "en") or "en"
    gloss, sys_names = as_str(glossary, "glossary"), as_files(names, "names") or None
    if qe:
        ev = _evaluate_qe(
            hyps, as_str(src, "src"), target, scorer, options, source_lang, gloss, sys_names
        )
    else:
        ev = evaluate_files(
            hyps, refs, target, src=as_str(src, "src"), src_lang=source_lang, glossary=gloss,
            names=sys_names, options=options,
        )  # fmt: skip
    _show(ev, hyps, refs, options, report_dir, formats, stdout_format)


def _check_reports_not_inputs(report_dir: str, formats: list[str], inputs: list[Any]) -> None:
    """No report file --report will write is one of the files scored."""
    from mtalign.evaluate.report import FORMATS
    from mtalign.io.outputs import check_not_inputs

    written = {os.path.join(report_dir, FORMATS[f]): "--report" for f in formats}
    check_not_inputs(written, [str(x) for x in inputs if isinstance(x, str | os.PathLike)])


def _check_inputs(hyps: list[str], refs: list[str], metric_list: str) -> bool:
    """Whether this is reference-free QE; something to score and something to score with."""
    if not hyps:
        raise InputError("--hyp: give at least one hypothesis file (one segment per line)")
    qe = not refs and _only_comet(metric_list)
    if not refs and not qe:
        raise InputError(
            "--ref: give a reference file (one segment per line); without references only "
            "--metrics comet (reference-free QE) can score"
        )
    return qe


def _show(
    ev: Any,
    hyps: list[str],
    refs: list[str],
    options: Any,
    report_dir: str | None,
    formats: list[str],
    stdout_format: str | None,
) -> None:
    """The score table (or one report format) on stdout, and the reports in --report."""
    from mtalign.evaluate import Report, render_json, write_reports
    from mtalign.evaluate.textfmt import score_table

    scorer = options.comet
    settings = {
        "command": "evaluate",
        "hyp": hyps,
        "ref": refs,
        "lang": ev.lang,
        "src": ev.src,
        "src_lang": ev.src_lang,
        "glossary": ev.glossary,
        "significance": options.significance,
        "seed": options.seed,
        "n_bootstrap": options.n_bootstrap,
        "n_trials": options.n_trials,
        "confidence": options.confidence,
        "tokenize": ev.bleu_tokenizer,
        "metrics": list(ev.metrics),
        **({"comet_model": scorer.model_id} if scorer is not None else {}),
    }
    rep = Report((ev,), settings=settings)
    if stdout_format is not None:
        sys.stdout.write(_render(rep, stdout_format, score_table, render_json))
        return
    output.block(score_table(ev))
    if report_dir:
        for p in write_reports(rep, report_dir, formats).values():
            output.note(f"wrote {p}")


def _formats(given: list[str], report: str | None) -> tuple[list[str], str | None]:
    """(report files to write, the one format printed to stdout or None for the table).

    Without --report (or with --report -) one format goes to stdout: the table (text),
    json or md, like ``sacrebleu -f json``; html needs --report (a page is no console
    output). Checked before any file is read.
    """
    from mtalign.evaluate import parse_formats

    wanted = [f.lower() for f in given]
    files = [f for f in wanted if f != "text"]
    if report and report != "-":
        return (parse_formats(files) if files else ["json", "md", "html"]), None
    if len(wanted) > 1:
        where = "--report -" if report else "stdout"
        raise InputError(
            f"--format: {where} takes one format, got {','.join(wanted)}; "
            "give --report DIR to write several"
        )
    fmt = (wanted or ["json" if report else "text"])[0]
    if fmt != "text":
        fmt = parse_formats([fmt])[0]
    if fmt == "html" and not report:
        raise InputError(
            "--format html: an HTML page needs a place to go; give --report DIR "
            "(or --report - to print it)"
        )
    return [], None if fmt == "text" and not report else fmt


def _render(report: Any, fmt: str, table: Any, render_json: Any) -> str:
    if fmt == "text":
        return table(report.evaluations[0]) + "\n"
    if fmt == "json":
        return render_json(report)
    from mtalign.evaluate import render_html, render_md

    return (render_md if fmt == "md" else render_html)(report)


def _only_comet(metric_list: str) -> bool:
    from mtalign.evaluate import parse_metrics

    return parse_metrics(metric_list) == ["comet"]


def _comet_scorer(metric_list: str, model: str | None, has_refs: bool, src: Any) -> Any:
    """The COMET scorer when --metrics asks for comet (errors before any file is read)."""
    from mtalign.evaluate import parse_metrics

    if "comet" not in parse_metrics(metric_list):
        if model:
            raise InputError("--comet-model: add comet to --metrics to use it")
        return None
    if src is None:
        raise InputError("--metrics comet needs --src: COMET scores a translation with its source")
    from mtalign.evaluate.comet import load_scorer

    return load_scorer(model, has_refs=has_refs)


def _evaluate_qe(
    hyps: list[str],
    src: str | None,
    lang: str,
    scorer: Any,
    options: Any,
    src_lang: str,
    glossary: str | None,
    names: list[str] | None,
) -> Any:
    """``--metrics comet`` without ``--ref``: reference-free COMET (QE)."""
    from mtalign.evaluate.inputs import read_lines
    from mtalign.evaluate.qe import evaluate_qe
    from mtalign.evaluate.runner import EvalNames, unique_names
    from mtalign.evaluate.terms import glossary_checker

    if src is None:
        raise InputError("--metrics comet needs --src: COMET scores a translation with its source")
    sys_names = unique_names(hyps, names)
    systems = [(n, read_lines(p, "hypothesis")) for n, p in zip(sys_names, hyps, strict=True)]
    return evaluate_qe(
        systems,
        read_lines(src, "source"),
        lang,
        scorer,
        src_lang=src_lang,
        terms=glossary_checker(glossary, src_lang, lang) if glossary else None,
        options=options,
        names=EvalNames(src=src, systems=hyps, glossary=glossary),
    )


def pipeline_translator() -> Any:
    """A :data:`Translate` backed by ``mtalign.pipeline.translate_texts`` (imported on use)."""

    def translate(
        texts: list[str],
        src_lang: str,
        tgt_lang: str,
        config: Any,
        glossary: str | None,
    ) -> list[str]:
        from mtalign.pipeline import TranslateSettings, set_threads, translate_texts

        gloss: tuple[str, ...] = ()
        if glossary is not None and config.glossary_mode != "off":
            gloss = (glossary,)
        values = {"progress": output.progress(), **dict(config.settings)}
        # A configuration names models per target; this run translates into one of them.
        values["models"] = {k: v for k, v in config.models.items() if k == tgt_lang}
        settings = TranslateSettings(
            targets=(tgt_lang,),
            src=src_lang,
            glossary=gloss,
            **values,
        )
        set_threads(settings)
        return translate_texts(texts, src_lang, tgt_lang, settings)

    return translate


def eval_suite_command(
    config: Any,
    report: Any = None,
    format: Any = None,
    seed: Any = None,
    n_bootstrap: Any = None,
) -> None:
    """Translate a test set with each configuration of a suite, then compare them.

    CONFIG is a TOML file (see configs/eval/idlib.toml). --report overrides its report folder.
    """
    from mtalign.evaluate.suite import load_suite, run_suite
    from mtalign.evaluate.textfmt import score_table

    path = as_str(config, "config")
    if not path:
        raise InputError("eval-suite: give the suite config file, e.g. configs/eval/idlib.toml")
    suite = load_suite(path)
    result = run_suite(
        suite,
        translate=pipeline_translator(),
        report_dir=as_str(report, "report"),
        formats=as_list(format, "format") or None,
        seed=None if seed is None else check_value(SuiteTable, "seed", seed, strict=False),
        n_bootstrap=None
        if n_bootstrap is None
        else check_value(SuiteTable, "n_bootstrap", n_bootstrap, strict=False),
    )
    for ev in result.report.evaluations:
        output.block(score_table(ev) + "\n")
    for p in result.paths.values():
        output.note(f"wrote {p}")
