"""Batch job configs: TOML -> :class:`JobConfig`; unknown keys are errors.

Relative paths are resolved against the folder of the config file, so a job config can
live next to its inputs and be run from anywhere.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from mtalign.config import ENGINES, GLOSSARY_MODES, UNITS, ConfigContext, read_toml
from mtalign.errors import InputError, LanguageError
from mtalign.hashing import file_digest, json_digest
from mtalign.pipeline.settings import TranslateSettings, check_settings

RUNNERS = ("local", "ray")
DOC_FORMATS = ("auto", "txt", "md")
RECORD_FORMATS = ("txt", "md")
#: Documents over this many bytes fail (with the reason) unless the config raises it.
DEFAULT_MAX_BYTES = 2 * 1024 * 1024
#: Name of the job state database inside the output directory.
STATE_FILE = ".mtalign-job.sqlite"

# key -> (accepted types, what the value should be)
_Spec = dict[str, tuple[tuple[type, ...], str]]
_JOB: _Spec = {
    "name": ((str,), "a short name"),
    "output_dir": ((str,), "a folder path"),
    "runner": ((str,), "local or ray"),
    "workers": ((int,), "a whole number >= 1"),
    "ray_address": ((str,), 'a Ray address such as "auto" or "ray://host:10001"'),
}
_INPUTS: _Spec = {
    "files": ((list, str), "a list of glob patterns"),
    "jsonl": ((list, str), "a list of JSONL files"),
    "format": ((str,), "auto, txt or md"),
    "record_format": ((str,), "txt or md"),
    "max_bytes": ((int,), "a number of bytes"),
}
_TRANSLATE: _Spec = {
    "src": ((str,), 'a language code or "auto"'),
    "targets": ((list, str), 'a list of language codes, e.g. ["tr", "ru"]'),
    "engine": ((str,), ", ".join(ENGINES)),
    "device": ((str,), "auto, cpu or cuda"),
    "compute_type": ((str,), "a CTranslate2 compute type such as int8 or float32"),
    "beam": ((int,), "a whole number >= 1"),
    "batch_tokens": ((int,), "a whole number >= 16"),
    "unit": ((str,), ", ".join(UNITS)),
    "max_length": ((int,), "a whole number of tokens"),
    "min_length": ((int,), "a whole number of tokens"),
    "quality_gate": ((bool,), "true or false"),
    "retry": ((bool,), "true or false"),
    "force": ((bool,), "true or false"),
    "cache": ((bool,), "true or false"),
    "cache_path": ((str,), "a file path"),
    "models": ((dict,), 'a table of LANG = "model id or folder"'),
}
_GLOSSARY: _Spec = {
    "path": ((str,), "a glossary file path"),
    "mode": ((str,), ", ".join(GLOSSARY_MODES)),
}
_SECTIONS: dict[str, _Spec] = {
    "job": _JOB,
    "inputs": _INPUTS,
    "translate": _TRANSLATE,
    "glossary": _GLOSSARY,
}


@dataclass(frozen=True)
class JobConfig:
    """A validated batch job: where the documents are, what to do, where results go."""

    path: str
    name: str
    output_dir: str
    settings: TranslateSettings
    files: tuple[str, ...] = ()
    jsonl: tuple[str, ...] = ()
    doc_format: str = "auto"
    record_format: str = "txt"
    max_bytes: int = DEFAULT_MAX_BYTES
    runner: str = "local"
    workers: int = 1
    ray_address: str | None = None
    base_dir: str = "."

    @property
    def state_path(self) -> Path:
        return Path(self.output_dir) / STATE_FILE

    def digest_fields(self) -> dict[str, Any]:
        """What shapes the outputs: a change here makes finished outputs stale."""
        s = self.settings
        return {
            "src": s.src,
            "targets": list(s.targets),
            "engine": s.engine,
            "models": dict(sorted(s.models.items())),
            "beam": s.beam,
            "compute_type": s.compute_type,
            "unit": s.unit,
            "max_length": s.max_length,
            "min_length": s.min_length,
            "quality_gate": s.quality_gate,
            "retry": s.retry,
            "force": s.force,
            "glossary": s.glossary,
            "glossary_sha256": _file_sha(s.glossary) if s.glossary else None,
            "glossary_mode": s.glossary_mode if s.glossary else "off",
            "format": self.doc_format,
            "record_format": self.record_format,
            "max_bytes": self.max_bytes,
        }

    def digest(self) -> str:
        """A short digest of :meth:`digest_fields`."""
        return json_digest(self.digest_fields(), 16)

    def with_overrides(
        self,
        runner: str | None = None,
        workers: int | None = None,
        ray_address: str | None = None,
        **settings: Any,
    ) -> JobConfig:
        """The same job with command-line overrides (and settings changes, for tests)."""
        cfg = self
        if runner is not None:
            if runner not in RUNNERS:
                raise InputError(f"--runner: expected one of {', '.join(RUNNERS)}, got {runner!r}")
            cfg = replace(cfg, runner=runner)
        if workers is not None:
            if workers < 1:
                raise InputError(f"--workers must be at least 1, got {workers}")
            cfg = replace(cfg, workers=workers)
        if ray_address is not None:
            cfg = replace(cfg, ray_address=ray_address or None)
        if settings:
            cfg = replace(cfg, settings=check_settings(replace(cfg.settings, **settings)))
        return cfg


def _file_sha(path: str) -> str | None:
    return file_digest([path], 16) if Path(path).is_file() else None


class _Ctx(ConfigContext):
    """ConfigContext plus the job config's typed tables."""

    def table(self, data: Mapping[str, Any], name: str) -> dict[str, Any]:
        value = data.get(name, {})
        if not isinstance(value, dict):
            raise self.error(f"[{name}]", f"expected a table, got {value!r}", f"write [{name}]")
        spec = _SECTIONS[name]
        self.unknown(value, spec, f"[{name}]")
        return {
            key: self.typed(v, spec[key][0], spec[key][1], f"[{name}] {key}")
            for key, v in value.items()
        }


def _strings(ctx: _Ctx, value: Any, where: str) -> list[str]:
    items = [value] if isinstance(value, str) else value
    for v in items:
        if not isinstance(v, str) or not v.strip():
            raise ctx.error(where, f"expected strings, got {v!r}", "quote each entry")
    return list(items)


def _model_spec(ctx: _Ctx, spec: str) -> str:
    """A folder (resolved against the config's folder) or a hub id / pair kept as it is."""
    if spec.startswith((".", "/", "~")) or (ctx.base / spec).is_dir():
        return ctx.resolve(spec, "[translate.models]")
    return spec


def load_job_config(path: str | os.PathLike[str]) -> JobConfig:
    """Read and validate a job config; every problem is a ConfigError naming path and fix."""
    name = str(path)
    data = read_toml(path, "job config", "configs/jobs/example.toml")
    ctx = _Ctx(name)
    for key in data:
        if key not in _SECTIONS:
            raise ctx.error(
                "top level",
                f"unknown table or key {key!r}",
                f"use the tables {', '.join(f'[{s}]' for s in _SECTIONS)} (check the spelling)",
            )
    job = ctx.table(data, "job")
    inputs = ctx.table(data, "inputs")
    tr = ctx.table(data, "translate")
    gl = ctx.table(data, "glossary")

    files = tuple(
        ctx.resolve(v, "[inputs] files")
        for v in _strings(ctx, inputs.get("files", []), "[inputs] files")
    )
    jsonl = tuple(
        ctx.resolve(v, "[inputs] jsonl")
        for v in _strings(ctx, inputs.get("jsonl", []), "[inputs] jsonl")
    )
    if not files and not jsonl:
        raise ctx.error(
            "[inputs]",
            "no inputs",
            'add files = ["articles/*.txt"] (globs) or jsonl = ["articles.jsonl"]',
        )
    for j in jsonl:
        if not Path(j).is_file():
            raise ctx.error(
                "[inputs] jsonl",
                f"no such file {j!r}",
                "fix the path (relative paths start at the config's folder)",
            )
    max_bytes = inputs.get("max_bytes", DEFAULT_MAX_BYTES)
    if max_bytes < 1:
        raise ctx.error("[inputs] max_bytes", f"must be positive, got {max_bytes}", "fix it")

    if "output_dir" not in job:
        raise ctx.error("[job]", "no output_dir", 'add output_dir = "out/NAME"')
    out_dir = ctx.resolve(job["output_dir"], "[job] output_dir")
    workers = job.get("workers", 1)
    if workers < 1:
        raise ctx.error("[job] workers", f"must be at least 1, got {workers}", "use 1 or more")

    targets = _strings(ctx, tr.get("targets", []), "[translate] targets")
    if not targets:
        raise ctx.error("[translate] targets", "no target language", 'add targets = ["tr", "ru"]')
    models = {}
    for lang, spec in tr.get("models", {}).items():
        if not isinstance(spec, str) or not spec.strip():
            raise ctx.error(
                f"[translate.models] {lang}",
                f"expected a string, got {spec!r}",
                'write tr = "Helsinki-NLP/opus-mt-tc-big-en-tr" or a folder',
            )
        models[lang] = _model_spec(ctx, spec)
    glossary = ctx.resolve(gl["path"], "[glossary] path") if "path" in gl else None
    if glossary is not None and not Path(glossary).is_file():
        raise ctx.error(
            "[glossary] path",
            f"no such file {glossary!r}",
            "fix the path (relative paths start at the config's folder)",
        )
    mode = ctx.choice(
        gl.get("mode", "check" if glossary else "off"), GLOSSARY_MODES, "[glossary] mode"
    )
    if mode != "off" and glossary is None:
        raise ctx.error(
            "[glossary]",
            f"mode is {mode!r} but there is no path",
            'add path = "../glossaries/news.toml" or set mode = "off"',
        )
    cache_path = tr.get("cache_path")
    settings = TranslateSettings(
        targets=tuple(targets),
        src=tr.get("src", "auto"),
        engine=tr.get("engine", "auto"),
        models=models,
        beam=tr.get("beam", 4),
        device=tr.get("device", "auto"),
        compute_type=tr.get("compute_type"),
        batch_tokens=tr.get("batch_tokens", 4096),
        unit=tr.get("unit", "sentence"),
        cache=tr.get("cache", True),
        cache_path=ctx.resolve(cache_path, "[translate] cache_path") if cache_path else None,
        glossary=glossary,
        glossary_mode=mode,
        quality_gate=tr.get("quality_gate", True),
        retry=tr.get("retry", True),
        force=tr.get("force", False),
        progress=False,
        min_length=tr.get("min_length", 0),
        max_length=tr.get("max_length"),
    )
    try:
        settings = check_settings(settings)
    except (InputError, LanguageError) as exc:
        msg = str(exc).replace("--to", "targets").replace("--model", "[translate.models]")
        raise ctx.error("[translate]", msg.replace("--", ""), "fix the value") from None
    return JobConfig(
        path=name,
        name=job.get("name") or Path(name).stem,
        output_dir=out_dir,
        settings=settings,
        files=files,
        jsonl=jsonl,
        doc_format=ctx.choice(inputs.get("format", "auto"), DOC_FORMATS, "[inputs] format"),
        record_format=ctx.choice(
            inputs.get("record_format", "txt"), RECORD_FORMATS, "[inputs] record_format"
        ),
        max_bytes=max_bytes,
        runner=ctx.choice(job.get("runner", "local"), RUNNERS, "[job] runner"),
        workers=workers,
        ray_address=job.get("ray_address") or None,
        base_dir=str(ctx.base),
    )
