"""``mtalign evaluate`` and ``mtalign eval-suite``."""

from __future__ import annotations

import sys
from typing import Any

from mtalign.cli._args import as_int, as_list, as_str
from mtalign.errors import InputError


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
    format: Any = "json,md,html",
    tokenize: Any = None,
    seed: Any = 12345,
    n_bootstrap: Any = 1000,
    names: Any = None,
    n_trials: Any = 10000,
) -> None:
    """Score hypothesis files against references (BLEU, chrF++, TER), compare systems.

    The first --hyp is the baseline of paired tests (--significance paired-bs|paired-ar).
    --report DIR writes report.json / report.md / report.html (--format).
    """
    from mtalign.evaluate import Report, evaluate_files, parse_formats, write_reports
    from mtalign.evaluate.textfmt import score_table

    hyps = as_list(hyp, "hyp")
    refs = as_list(ref, "ref")
    if not hyps:
        raise InputError("--hyp: give at least one hypothesis file (one segment per line)")
    if not refs:
        raise InputError("--ref: give a reference file (one segment per line)")
    target = as_str(lang, "lang")
    if not target:
        raise InputError("--lang: give the target language of the hypotheses, e.g. --lang tr")
    metric_list = ",".join(as_list(metrics, "metrics")) or "bleu,chrf,ter"
    formats = parse_formats(as_list(format, "format") or None)
    report_dir = as_str(report, "report")
    if report_dir:
        from mtalign.io.outputs import check_output_dir

        check_output_dir(report_dir, "--report")  # before any file is read
    options = {
        "metrics": metric_list,
        "significance": as_str(significance, "significance"),
        "tokenize": as_str(tokenize, "tokenize"),
        "seed": as_int(seed, "seed", minimum=1),
        "n_bootstrap": as_int(n_bootstrap, "n-bootstrap", minimum=0),
        "n_trials": as_int(n_trials, "n-trials", minimum=2),
    }
    ev = evaluate_files(
        hyps,
        refs,
        target,
        src=as_str(src, "src"),
        src_lang=as_str(src_lang, "src-lang", "en") or "en",
        glossary=as_str(glossary, "glossary"),
        names=as_list(names, "names") or None,
        **options,
    )
    print(score_table(ev))
    if report_dir:
        settings = {
            "command": "evaluate",
            "hyp": hyps,
            "ref": refs,
            "lang": ev.lang,
            "src": ev.src,
            "src_lang": ev.src_lang,
            "glossary": ev.glossary,
            **options,
            "tokenize": ev.bleu_tokenizer,
            "metrics": list(ev.metrics),
        }
        paths = write_reports(Report((ev,), settings=settings), report_dir, formats)
        for p in paths.values():
            print(f"wrote {p}", file=sys.stderr)


def pipeline_translator() -> Any:
    """A :data:`Translate` backed by ``mtalign.pipeline.translate_texts`` (imported on use)."""

    def translate(
        texts: list[str],
        src_lang: str,
        tgt_lang: str,
        config: Any,
        glossary: str | None,
    ) -> list[str]:
        from mtalign.pipeline import TranslateSettings, translate_texts

        use_glossary = glossary is not None and config.glossary_mode != "off"
        values = dict(config.settings)
        # A configuration names models per target; this run translates into one of them.
        values["models"] = {k: v for k, v in config.models.items() if k == tgt_lang}
        settings = TranslateSettings(
            targets=(tgt_lang,),
            src=src_lang,
            glossary=(glossary,) if use_glossary else (),
            **values,
        )
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
        seed=None if seed is None else as_int(seed, "seed", minimum=1),
        n_bootstrap=None if n_bootstrap is None else as_int(n_bootstrap, "n-bootstrap", minimum=0),
    )
    for ev in result.report.evaluations:
        print(score_table(ev))
        print()
    for p in result.paths.values():
        print(f"wrote {p}", file=sys.stderr)
