"""``eval-suite``: translate one test set with several configurations, compare them.

A suite is a TOML file (see ``configs/eval/idlib.toml``): a test set (source file, one
reference per target language, optional glossary), the target languages, and a list of
named configurations (engine, beam, glossary mode, model overrides). Translation goes
through one callable, :data:`Translate`, so tests (and other pipelines) can stand in for
the real one; the comparison and the reports are :mod:`mtalign.evaluate`'s.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mtalign.errors import ConfigError, InputError, MtalignError
from mtalign.evaluate.inputs import read_lines
from mtalign.evaluate.metrics import METRICS, parse_metrics
from mtalign.evaluate.report import FORMATS, parse_formats, write_reports
from mtalign.evaluate.report_json import Report
from mtalign.evaluate.runner import EvalNames, EvalOptions, Evaluation, evaluate_texts
from mtalign.evaluate.significance import DEFAULT_AR_TRIALS, parse_method
from mtalign.evaluate.terms import glossary_checker
from mtalign.io import atomic_write_text
from mtalign.io.outputs import check_not_inputs, check_output_dir
from mtalign.settings import (
    ConfigContext,
    SettingError,
    TranslateSettings,
    check_settings,
    read_toml,
    specs,
)
from mtalign.settings.suite import SUITE_TRANSLATE_KEYS, SuiteTable, TestsetTable

_SECTIONS = {"suite", "testset", "configuration"}
_NAME_OK = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]*$")


@dataclass(frozen=True)
class SuiteConfiguration:
    """One named way of translating the test set: translate settings and given outputs.

    ``settings`` holds the translate settings the configuration sets (checked against
    :class:`~mtalign.settings.TranslateSettings`); the rest keep their defaults.
    """

    name: str
    settings: Mapping[str, Any] = field(default_factory=dict)
    outputs: Mapping[str, str] = field(default_factory=dict)

    def get(self, key: str) -> Any:
        """A translate setting of this configuration (its default when not set)."""
        if key in self.settings:
            return self.settings[key]
        return specs(TranslateSettings)[key].default

    @property
    def engine(self) -> str:
        return str(self.get("engine"))

    @property
    def beam(self) -> int:
        return int(self.get("beam"))

    @property
    def glossary_mode(self) -> str:
        return str(self.get("glossary_mode"))

    @property
    def models(self) -> Mapping[str, str]:
        return dict(self.get("models"))

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: the name, the settings it sets, and the given outputs."""
        return {"name": self.name, **dict(self.settings), "outputs": dict(self.outputs)}


@dataclass(frozen=True)
class Suite:
    """A loaded, validated suite config (paths resolved against the config's folder)."""

    path: str
    name: str
    source: str
    references: Mapping[str, str]
    targets: tuple[str, ...]
    configurations: tuple[SuiteConfiguration, ...]
    src_lang: str = "en"
    glossary: str | None = None
    title: str = ""
    metrics: tuple[str, ...] = METRICS
    significance: str | None = "paired-bs"
    n_bootstrap: int = 1000
    n_trials: int = DEFAULT_AR_TRIALS
    seed: int = 12345
    tokenize: str | None = None
    report: str | None = None
    formats: tuple[str, ...] = ("json", "md", "html")
    comet_model: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "config": self.path,
            "name": self.name,
            "source": self.source,
            "references": dict(self.references),
            "glossary": self.glossary,
            "targets": list(self.targets),
            "configurations": [c.as_dict() for c in self.configurations],
        }


#: ``(texts, src_lang, tgt_lang, configuration, glossary) -> translations`` (N in, N out).
Translate = Callable[[list[str], str, str, SuiteConfiguration, str | None], list[str]]


@dataclass(frozen=True)
class SuiteResult:
    """The comparison report, the files written, and the translations per (config, lang)."""

    report: Report
    paths: dict[str, Path]
    translations: dict[tuple[str, str], list[str]]


# ---------------------------------------------------------------------------- loading


def _suite_namer(key: str) -> str:
    """Translate settings named as a suite config names them."""
    return {"targets": "[suite] targets", "glossary": "[testset] glossary"}.get(key, key)


def _as_tuple(value: tuple[str, ...] | str) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def _suite_table(ctx: ConfigContext, data: dict[str, Any]) -> SuiteTable:
    ctx.unknown(data, _SECTIONS, "top level")
    table = data.get("suite", {})
    if not isinstance(table, dict):
        raise ctx.error("[suite]", "expected a table", "write [suite] with its keys")
    return ctx.build(SuiteTable, table, "[suite]")


def _testset(ctx: ConfigContext, data: dict[str, Any]) -> TestsetTable:
    testset = data.get("testset")
    if not isinstance(testset, dict):
        raise ctx.error(
            "[testset]", "missing", "add [testset] with source and [testset.references]"
        )
    refs = testset.get("references")
    if not isinstance(refs, dict) or not refs:
        raise ctx.error(
            "[testset.references]", "missing or empty", 'add LANG = "reference file" lines'
        )
    return ctx.build(TestsetTable, testset, "[testset]")


def _targets(ctx: ConfigContext, table: SuiteTable, references: Mapping[str, str]) -> tuple:
    values = _as_tuple(table.targets) or tuple(references)
    targets = tuple(dict.fromkeys(ctx.lang(t, "[suite] targets") for t in values))
    for t in targets:
        if t not in references:
            raise ctx.error(
                "[testset.references]",
                f"no reference for target {t!r}",
                f'add {t} = "path/to/ref.{t}.txt"',
            )
    return targets


def _configuration(
    ctx: ConfigContext, c: Any, i: int, targets: tuple[str, ...], glossary: str | None
) -> SuiteConfiguration:
    """One [[configuration]]: its keys checked like every translate setting."""
    where = f"[[configuration]] #{i + 1}"
    if not isinstance(c, dict):
        raise ctx.error(where, "expected a table", "write [[configuration]] followed by keys")
    if isinstance(c.get("name"), str):
        where = f"[[configuration]] {c['name']!r}"
    ctx.unknown(c, ("name", "outputs", *SUITE_TRANSLATE_KEYS), where)
    name = c.get("name")
    if not isinstance(name, str):
        raise ctx.error(where, "no name", 'add name = "baseline" (names label the systems)')
    if not _NAME_OK.match(name):
        raise ctx.error(where, "name has spaces or odd characters", "use letters, digits, . _ + -")
    values = {k: v for k, v in c.items() if k not in ("name", "outputs")}
    given = {"targets": targets, "glossary": (glossary,) if glossary else ()}
    try:
        settings = check_settings(ctx.build(TranslateSettings, {**given, **values}, where))
    except SettingError as exc:
        raise ConfigError(exc.render(_suite_namer, f"{ctx.path}: {where} ")) from None
    checked = {k: getattr(settings, k) for k in values}
    outputs_t = c.get("outputs", {})
    if not isinstance(outputs_t, dict):
        raise ctx.error(f"{where} outputs", f"expected a table, got {outputs_t!r}", "fix it")
    outputs = {
        ctx.lang(lang, f"{where} outputs"): ctx.resolve(v, f"{where} outputs {lang}", True)
        for lang, v in outputs_t.items()
    }
    for lang in outputs:
        if lang not in targets:
            raise ctx.error(
                where,
                f"language {lang!r} is not a target",
                f"add it to [suite] targets or remove it (targets: {', '.join(targets)})",
            )
    return SuiteConfiguration(name=name, settings=checked, outputs=outputs)


def _configurations(
    ctx: ConfigContext, data: dict[str, Any], targets: tuple[str, ...], glossary: str | None
) -> tuple[SuiteConfiguration, ...]:
    configs = data.get("configuration")
    if not isinstance(configs, list) or not configs:
        raise ctx.error(
            "[[configuration]]", "no configuration", "add one or more [[configuration]] tables"
        )
    out: list[SuiteConfiguration] = []
    for i, c in enumerate(configs):
        conf = _configuration(ctx, c, i, targets, glossary)
        if conf.name in {o.name for o in out}:
            where = f"[[configuration]] {conf.name!r}"
            raise ctx.error(where, "duplicate name", "give every configuration its own name")
        out.append(conf)
    return tuple(out)


def load_suite(path: str | os.PathLike[str]) -> Suite:
    """Read and validate a suite config; every problem is a :class:`ConfigError` with the path."""
    name = str(path)
    ctx = ConfigContext(name)
    data = read_toml(path, "suite config", "configs/eval/idlib.toml")
    table = _suite_table(ctx, data)
    try:
        metrics = tuple(parse_metrics(list(_as_tuple(table.metrics))))
        significance = parse_method(table.significance)
        formats = tuple(parse_formats(list(_as_tuple(table.formats))))
    except InputError as exc:
        raise ctx.error("[suite]", str(exc).removeprefix("--"), "fix the value") from None
    testset = _testset(ctx, data)
    src_lang = ctx.lang(table.src_lang, "[suite] src_lang")
    references = {
        ctx.lang(k, "[testset.references]"): ctx.resolve(v, f"[testset.references] {k}", True)
        for k, v in testset.references.items()
    }
    targets = _targets(ctx, table, references)
    glossary = (
        ctx.resolve(testset.glossary, "[testset] glossary", True) if testset.glossary else None
    )
    return Suite(
        path=name,
        name=table.name or Path(name).stem,
        title=table.title,
        source=ctx.resolve(testset.source, "[testset] source", True),
        references=references,
        targets=targets,
        configurations=_configurations(ctx, data, targets, glossary),
        src_lang=src_lang,
        glossary=glossary,
        metrics=metrics,
        significance=significance,
        n_bootstrap=table.n_bootstrap,
        n_trials=table.n_trials,
        seed=table.seed,
        tokenize=table.tokenize or None,
        report=ctx.resolve(table.report, "[suite] report") if table.report else None,
        formats=formats,
        comet_model=table.comet_model,
    )


# ---------------------------------------------------------------------------- running


def translate_for(
    translate: Translate,
    texts: list[str],
    src_lang: str,
    tgt_lang: str,
    config: SuiteConfiguration,
    glossary: str | None,
) -> list[str]:
    """The configuration's translation of ``texts``: its precomputed output file or ``translate``.

    Checks the translator's contract: a list of strings, one per input line.
    """
    if tgt_lang in config.outputs:
        return read_lines(config.outputs[tgt_lang], f"configuration {config.name} output")
    out = translate(list(texts), src_lang, tgt_lang, config, glossary)
    if not isinstance(out, list) or not all(isinstance(t, str) for t in out):
        raise MtalignError(
            f"configuration {config.name}: the translator did not return a list of strings"
        )
    if len(out) != len(texts):
        raise MtalignError(
            f"configuration {config.name} ({src_lang}->{tgt_lang}): {len(texts)} lines in, "
            f"{len(out)} out; the translator must return one line per input line"
        )
    # Line breaks inside a translation would shift every later line.
    return [" ".join(t.split("\n")).rstrip() for t in out]


def run_suite(
    suite: Suite,
    translate: Translate,
    report_dir: str | os.PathLike[str] | None = None,
    formats: Sequence[str] | None = None,
    seed: int | None = None,
    n_bootstrap: int | None = None,
    aligner: Any = True,
    comet: Any = None,
) -> SuiteResult:
    """Translate the test set with every configuration, evaluate per target, write reports.

    The first configuration is the baseline. Translations are written next to the
    reports as ``translations/CONFIG.LANG.txt``. ``comet`` is the COMET scorer when the
    suite's metrics include comet (default: ``[suite] comet_model``, loaded before any
    translation so a missing extra fails first).
    """
    out_dir = Path(report_dir) if report_dir else (Path(suite.report) if suite.report else None)
    if out_dir is not None:  # where the reports go, before any model is read
        check_output_dir(out_dir, "--report" if report_dir else f"{suite.path}: report")
        _check_not_inputs(suite, out_dir, formats, "--report" if report_dir else "report")
    if "comet" in suite.metrics and comet is None:
        from mtalign.evaluate.comet import load_scorer

        comet = load_scorer(suite.comet_model)
    srcs = read_lines(suite.source, "source")
    # Every reference read before any translation: a bad file fails in seconds, not after.
    refs = {lang: read_lines(suite.references[lang], "reference") for lang in suite.targets}
    seed = suite.seed if seed is None else seed
    n_bootstrap = suite.n_bootstrap if n_bootstrap is None else n_bootstrap
    fmts = parse_formats(formats) if formats else list(suite.formats)
    translations: dict[tuple[str, str], list[str]] = {}
    evaluations: list[Evaluation] = []
    for lang in suite.targets:
        systems = []
        for config in suite.configurations:
            hyps = translate_for(translate, srcs, suite.src_lang, lang, config, suite.glossary)
            translations[(config.name, lang)] = hyps
            if out_dir is not None:
                atomic_write_text(_translation_path(out_dir, config, lang), "\n".join(hyps) + "\n")
            systems.append((config.name, hyps))
        options = EvalOptions(
            metrics=suite.metrics,
            significance=suite.significance if len(systems) > 1 else None,
            tokenize=suite.tokenize,
            seed=seed,
            n_bootstrap=n_bootstrap,
            n_trials=suite.n_trials,
            aligner=aligner,
            comet=comet,
            confidence=True,  # a suite report always shows CIs, with or without a test
        )
        evaluations.append(
            _evaluate_target(suite, lang, srcs, refs[lang], systems, options, out_dir)
        )
    report = Report(
        tuple(evaluations),
        title=f"mtalign eval-suite: {suite.title or suite.name}",
        settings=_report_settings(suite, seed, n_bootstrap, comet),
        suite=suite.as_dict(),
    )
    paths = write_reports(report, out_dir, fmts) if out_dir is not None else {}
    return SuiteResult(report, paths, translations)


def _check_not_inputs(
    suite: Suite, out_dir: Path, formats: Sequence[str] | None, what: str
) -> None:
    """No report or translation the suite writes is its config, source, a reference or
    its glossary (compared by inode, before any model is read)."""
    fmts = parse_formats(formats) if formats else list(suite.formats)
    written = {str(out_dir / FORMATS[f]): what for f in fmts}
    for config in suite.configurations:
        for lang in suite.targets:
            written[str(_translation_path(out_dir, config, lang))] = what
    inputs = [suite.path, suite.source, *suite.references.values(), suite.glossary]
    check_not_inputs(written, inputs)


def _translation_path(out_dir: Path, config: SuiteConfiguration, lang: str) -> Path:
    return out_dir / "translations" / f"{config.name}.{lang}.txt"


def _evaluate_target(
    suite: Suite,
    lang: str,
    srcs: list[str],
    ref: list[str],
    systems: list[tuple[str, list[str]]],
    options: EvalOptions,
    out_dir: Path | None,
) -> Evaluation:
    """Every configuration's translation into ``lang`` scored against its reference."""
    checker = glossary_checker(suite.glossary, suite.src_lang, lang) if suite.glossary else None
    return evaluate_texts(
        systems,
        [ref],
        lang,
        srcs=srcs,
        src_lang=suite.src_lang,
        terms=checker,
        options=options,
        names=EvalNames(
            refs=[suite.references[lang]],
            src=suite.source,
            systems=[
                str(_translation_path(out_dir, c, lang)) if out_dir else None
                for c in suite.configurations
            ],
            glossary=suite.glossary,
            title=suite.title or suite.name,
        ),
    )


def _report_settings(suite: Suite, seed: int, n_bootstrap: int, comet: Any) -> dict[str, Any]:
    return {
        "command": "eval-suite",
        "config": suite.path,
        "src_lang": suite.src_lang,
        "targets": list(suite.targets),
        "metrics": list(suite.metrics),
        "significance": suite.significance,
        "seed": seed,
        "n_bootstrap": n_bootstrap,
        "n_trials": suite.n_trials,
        "tokenize": suite.tokenize,
        **({"comet_model": comet.model_id} if comet is not None else {}),
    }
