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

from mtalign.config import ENGINES, GLOSSARY_MODES, UNITS, ConfigContext, read_toml
from mtalign.errors import InputError, MtalignError
from mtalign.evaluate.inputs import read_lines
from mtalign.evaluate.metrics import METRICS, parse_metrics
from mtalign.evaluate.report import parse_formats, write_reports
from mtalign.evaluate.report_json import Report
from mtalign.evaluate.runner import Evaluation, evaluate_texts
from mtalign.evaluate.significance import DEFAULT_AR_TRIALS, parse_method
from mtalign.evaluate.terms import glossary_checker
from mtalign.io import atomic_write_text

_SECTIONS = {"suite", "testset", "configuration"}
_SUITE_KEYS = {
    "name", "title", "src_lang", "targets", "metrics", "significance", "n_bootstrap",
    "n_trials", "seed", "tokenize", "report", "formats",
}  # fmt: skip
_TESTSET_KEYS = {"source", "references", "glossary"}
# key -> (type(s), description for messages)
_CONFIG_KEYS: dict[str, tuple[tuple[type, ...], str]] = {
    "name": ((str,), "a name"),
    "engine": ((str,), f"one of {', '.join(ENGINES)}"),
    "beam": ((int,), "a whole number >= 1"),
    "glossary_mode": ((str,), f"one of {', '.join(GLOSSARY_MODES)}"),
    "models": ((dict,), "a table LANG = model id or path"),
    "outputs": ((dict,), "a table LANG = file with this configuration's translation"),
    "device": ((str,), "auto, cpu or cuda"),
    "compute_type": ((str,), "a CTranslate2 compute type such as int8"),
    "unit": ((str,), f"one of {', '.join(UNITS)}"),
    "batch_tokens": ((int,), "a whole number >= 1"),
    "quality_gate": ((bool,), "true or false"),
    "retry": ((bool,), "true or false"),
    "max_length": ((int,), "a whole number >= 1"),
    "min_length": ((int,), "a whole number >= 0"),
}
_NAME_OK = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]*$")


@dataclass(frozen=True)
class SuiteConfiguration:
    """One named way of translating the test set."""

    name: str
    engine: str = "auto"
    beam: int = 4
    glossary_mode: str = "off"
    models: Mapping[str, str] = field(default_factory=dict)
    outputs: Mapping[str, str] = field(default_factory=dict)
    options: Mapping[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "engine": self.engine,
            "beam": self.beam,
            "glossary_mode": self.glossary_mode,
            "models": dict(self.models),
            "outputs": dict(self.outputs),
            **dict(self.options),
        }


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


class _Ctx(ConfigContext):
    """ConfigContext with the suite's name for a path that must exist."""

    def path_of(self, value: Any, where: str, must_exist: bool = True) -> str:
        return self.resolve(value, where, must_exist=must_exist)


def _typed(
    ctx: _Ctx, table: Mapping[str, Any], key: str, types: tuple[type, ...], what: str, where: str
) -> Any:
    return ctx.typed(table[key], types, what, f"{where} {key}")


def load_suite(path: str | os.PathLike[str]) -> Suite:
    """Read and validate a suite config; every problem is a :class:`ConfigError` with the path."""
    name = str(path)
    ctx = _Ctx(name)
    data = read_toml(path, "suite config", "configs/eval/idlib.toml")
    ctx.unknown(data, _SECTIONS, "top level")
    suite_t = data.get("suite", {})
    testset = data.get("testset")
    configs = data.get("configuration")
    if not isinstance(suite_t, dict):
        raise ctx.error("[suite]", "expected a table", "write [suite] with its keys")
    ctx.unknown(suite_t, _SUITE_KEYS, "[suite]")

    def opt(key: str, types: tuple[type, ...], what: str, default: Any) -> Any:
        if key not in suite_t:
            return default
        return _typed(ctx, suite_t, key, types, what, "[suite]")

    try:
        metrics = tuple(
            parse_metrics(opt("metrics", (list, str), "a list of metric names", list(METRICS)))
        )
        significance = parse_method(
            opt("significance", (str,), "paired-bs, paired-ar or none", "paired-bs")
        )
        formats = tuple(
            parse_formats(opt("formats", (list, str), "a list of formats", ["json", "md", "html"]))
        )
    except InputError as exc:
        raise ctx.error("[suite]", str(exc).removeprefix("--"), "fix the value") from None
    if not isinstance(testset, dict):
        raise ctx.error(
            "[testset]", "missing", "add [testset] with source and [testset.references]"
        )
    if not isinstance(configs, list) or not configs:
        raise ctx.error(
            "[[configuration]]", "no configuration", "add one or more [[configuration]] tables"
        )
    ctx.unknown(testset, _TESTSET_KEYS, "[testset]")

    src_lang = ctx.lang(suite_t.get("src_lang", "en"), "[suite] src_lang")
    source = ctx.path_of(testset.get("source"), "[testset] source")
    refs_t = testset.get("references")
    if not isinstance(refs_t, dict) or not refs_t:
        raise ctx.error(
            "[testset.references]", "missing or empty", 'add LANG = "reference file" lines'
        )
    references = {
        ctx.lang(k, "[testset.references]"): ctx.path_of(v, f"[testset.references] {k}")
        for k, v in refs_t.items()
    }
    targets_v = suite_t.get("targets", list(references))
    if isinstance(targets_v, str):
        targets_v = [targets_v]
    if not isinstance(targets_v, list) or not targets_v:
        raise ctx.error(
            "[suite] targets",
            f"expected a list of languages, got {targets_v!r}",
            'write targets = ["tr", "ru"]',
        )
    targets = tuple(dict.fromkeys(ctx.lang(t, "[suite] targets") for t in targets_v))
    for t in targets:
        if t not in references:
            raise ctx.error(
                "[testset.references]",
                f"no reference for target {t!r}",
                f'add {t} = "path/to/ref.{t}.txt"',
            )
    glossary = testset.get("glossary")
    glossary = ctx.path_of(glossary, "[testset] glossary") if glossary is not None else None

    n_bootstrap = opt("n_bootstrap", (int,), "a whole number", 1000)
    n_trials = opt("n_trials", (int,), "a whole number", DEFAULT_AR_TRIALS)
    seed = opt("seed", (int,), "a positive whole number", 12345)
    if seed <= 0:
        raise ctx.error(
            "[suite] seed", f"expected a positive whole number, got {seed}", "use e.g. 12345"
        )
    if n_bootstrap < 0 or n_trials < 2:
        raise ctx.error("[suite]", "n_bootstrap must be >= 0 and n_trials >= 2", "fix the numbers")
    report = suite_t.get("report")
    report = ctx.path_of(report, "[suite] report", must_exist=False) if report is not None else None

    configurations = []
    seen: set[str] = set()
    for i, c in enumerate(configs):
        where = f"[[configuration]] #{i + 1}"
        if not isinstance(c, dict):
            raise ctx.error(where, "expected a table", "write [[configuration]] followed by keys")
        if isinstance(c.get("name"), str):
            where = f"[[configuration]] {c['name']!r}"
        ctx.unknown(c, _CONFIG_KEYS, where)
        if "name" not in c:
            raise ctx.error(where, "no name", 'add name = "baseline" (names label the systems)')
        vals = {
            k: _typed(ctx, c, k, t, what, where) for k, (t, what) in _CONFIG_KEYS.items() if k in c
        }
        cname = vals["name"]
        where = f"[[configuration]] {cname!r}"
        if not _NAME_OK.match(cname):
            raise ctx.error(
                where, "name has spaces or odd characters", "use letters, digits, . _ + -"
            )
        if cname in seen:
            raise ctx.error(where, "duplicate name", "give every configuration its own name")
        seen.add(cname)
        for key, allowed in (
            ("engine", ENGINES),
            ("glossary_mode", GLOSSARY_MODES),
            ("unit", UNITS),
        ):
            if key in vals and vals[key] not in allowed:
                raise ctx.error(
                    f"{where} {key}",
                    f"unknown value {vals[key]!r}",
                    f"use one of {', '.join(allowed)}",
                )
        for key in ("beam", "batch_tokens", "max_length"):
            if key in vals and vals[key] < 1:
                raise ctx.error(
                    f"{where} {key}", f"must be at least 1, got {vals[key]}", "fix the number"
                )
        if vals.get("glossary_mode", "off") != "off" and glossary is None:
            raise ctx.error(
                f"{where} glossary_mode",
                f"{vals['glossary_mode']!r} needs a glossary",
                'add glossary = "..." to [testset]',
            )
        models = {}
        for lang, model in vals.get("models", {}).items():
            lang_c = ctx.lang(lang, f"{where} models")
            if not isinstance(model, str) or not model:
                raise ctx.error(
                    f"{where} models {lang}",
                    f"expected a model id, got {model!r}",
                    "give a Hugging Face id or a path",
                )
            models[lang_c] = model
        outputs = {
            ctx.lang(lang, f"{where} outputs"): ctx.path_of(v, f"{where} outputs {lang}")
            for lang, v in vals.get("outputs", {}).items()
        }
        for lang in [*models, *outputs]:
            if lang not in targets:
                raise ctx.error(
                    where,
                    f"language {lang!r} is not a target",
                    f"add it to [suite] targets or remove it (targets: {', '.join(targets)})",
                )
        extra = {
            k: v
            for k, v in vals.items()
            if k not in ("name", "engine", "beam", "glossary_mode", "models", "outputs")
        }
        configurations.append(
            SuiteConfiguration(
                name=cname,
                engine=vals.get("engine", "auto"),
                beam=vals.get("beam", 4),
                glossary_mode=vals.get("glossary_mode", "off"),
                models=models,
                outputs=outputs,
                options=extra,
            )
        )
    tokenize = suite_t.get("tokenize")
    if tokenize is not None and not isinstance(tokenize, str):
        raise ctx.error(
            "[suite] tokenize", f"expected a tokenizer name, got {tokenize!r}", "use 13a or intl"
        )
    return Suite(
        path=name,
        name=str(suite_t.get("name") or Path(name).stem),
        title=str(suite_t.get("title", "")),
        source=source,
        references=references,
        targets=targets,
        configurations=tuple(configurations),
        src_lang=src_lang,
        glossary=glossary,
        metrics=metrics,
        significance=significance,
        n_bootstrap=n_bootstrap,
        n_trials=n_trials,
        seed=seed,
        tokenize=tokenize or None,
        report=report,
        formats=formats,
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
) -> SuiteResult:
    """Translate the test set with every configuration, evaluate per target, write reports.

    The first configuration is the baseline. Translations are written next to the
    reports as ``translations/CONFIG.LANG.txt``.
    """
    srcs = read_lines(suite.source, "source")
    out_dir = Path(report_dir) if report_dir else (Path(suite.report) if suite.report else None)
    seed = suite.seed if seed is None else seed
    n_bootstrap = suite.n_bootstrap if n_bootstrap is None else n_bootstrap
    fmts = parse_formats(formats) if formats else list(suite.formats)
    translations: dict[tuple[str, str], list[str]] = {}
    evaluations: list[Evaluation] = []
    for lang in suite.targets:
        ref = read_lines(suite.references[lang], "reference")
        systems = []
        for config in suite.configurations:
            hyps = translate_for(translate, srcs, suite.src_lang, lang, config, suite.glossary)
            translations[(config.name, lang)] = hyps
            if out_dir is not None:
                atomic_write_text(
                    out_dir / "translations" / f"{config.name}.{lang}.txt", "\n".join(hyps) + "\n"
                )
            systems.append((config.name, hyps))
        checker = glossary_checker(suite.glossary, suite.src_lang, lang) if suite.glossary else None
        ev = evaluate_texts(
            systems,
            [ref],
            lang,
            srcs=srcs,
            src_lang=suite.src_lang,
            metrics=suite.metrics,
            significance=suite.significance if len(systems) > 1 else None,
            tokenize=suite.tokenize,
            seed=seed,
            n_bootstrap=n_bootstrap,
            n_trials=suite.n_trials,
            terms=checker,
            aligner=aligner,
            ref_names=[suite.references[lang]],
            src_name=suite.source,
            sys_paths=[
                str(out_dir / "translations" / f"{c.name}.{lang}.txt") if out_dir else None
                for c in suite.configurations
            ],
            glossary_name=suite.glossary,
            title=suite.title or suite.name,
        )
        evaluations.append(ev)
    settings = {
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
    }
    report = Report(
        tuple(evaluations),
        title=f"mtalign eval-suite: {suite.title or suite.name}",
        settings=settings,
        suite=suite.as_dict(),
    )
    paths = write_reports(report, out_dir, fmts) if out_dir is not None else {}
    return SuiteResult(report, paths, translations)
