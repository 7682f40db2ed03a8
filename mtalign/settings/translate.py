"""The settings of a translation run, declared once.

``mtalign translate`` flags, ``[translate]`` in a job config, an eval-suite configuration
and the Python API all build a :class:`TranslateSettings` and pass it through
:func:`check_settings`, so they accept the same values and reject the same mistakes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

import msgspec

from mtalign.errors import LanguageError
from mtalign.langs import normalize_lang
from mtalign.settings.schema import SettingError, check_value, setting, shaping, specs

Engine = Literal["auto", "ctranslate2", "transformers"]
#: Other names of the engines, accepted wherever an engine is named (the one table:
#: :mod:`mtalign.engines` reads it too).
ENGINE_ALIASES: dict[str, str] = {
    "ct2": "ctranslate2",
    "hf": "transformers",
    "torch": "transformers",
}
Device = Literal["auto", "cpu", "cuda"]
Unit = Literal["sentence", "paragraph"]
GlossaryMode = Literal["off", "check", "enforce"]
ComputeType = Literal[
    "auto",
    "default",
    "int8",
    "int8_float32",
    "int8_float16",
    "int8_bfloat16",
    "int16",
    "float16",
    "bfloat16",
    "float32",
]
InputFormat = Literal["txt", "md", "jsonl", "html", "xliff", "docx"]

#: The choices, for code that lists them.
ENGINES: tuple[str, ...] = ("auto", "ctranslate2", "transformers")
DEVICES: tuple[str, ...] = ("auto", "cpu", "cuda")
UNITS: tuple[str, ...] = ("sentence", "paragraph")
GLOSSARY_MODES: tuple[str, ...] = ("off", "check", "enforce")

#: Largest beam: memory and time grow with it, and quality stops improving long before.
MAX_BEAM = 32


class TranslateSettings(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Everything that shapes a translation run.

    Build it with keywords (``TranslateSettings(targets=("tr",), beam=5)``) and pass it
    through :func:`check_settings`, which validates every value and normalises languages.
    """

    targets: Annotated[
        tuple[str, ...],
        setting(
            "target languages",
            metavar="LANG[,LANG...]",
            shapes="document",
            cli="--to",
            example='targets = ["tr", "ru"]',
        ),
    ]
    src: Annotated[
        str,
        setting(
            "source language (auto: detected per document)",
            metavar="LANG|auto",
            shapes="document",
            cli="--src",
        ),
    ] = "auto"
    engine: Annotated[
        Engine,
        setting(
            "translation engine (auto: CTranslate2 when installed)",
            metavar="{auto,ctranslate2,transformers}",
            shapes="document",
            cli="--engine",
            aliases=ENGINE_ALIASES,
        ),
    ] = "auto"
    models: Annotated[
        dict[str, str],
        setting(
            "model per target language: a Marian folder, a hub id or a registry pair",
            metavar="LANG=MODEL",
            shapes="document",
            cli="--model",
        ),
    ] = {}
    beam: Annotated[
        int,
        setting(
            "beam size of the search",
            metavar="N",
            ge=1,
            le=MAX_BEAM,
            shapes="segment",
            cli="--beam",
        ),
    ] = 4
    device: Annotated[
        Device,
        setting(
            "where the model runs (auto: CUDA when available)",
            metavar="{auto,cpu,cuda}",
            shapes="segment",
            cli="--device",
        ),
    ] = "auto"
    compute_type: Annotated[
        ComputeType | None,
        setting(
            "numeric precision (default: int8 on CPU, int8_float16 on CUDA for CTranslate2)",
            metavar="TYPE",
            shapes="segment",
            cli="--compute-type",
        ),
    ] = None
    batch_tokens: Annotated[
        int,
        setting(
            "padded source tokens per engine call",
            metavar="N",
            ge=16,
            le=65536,
            cli="--batch-tokens",
        ),
    ] = 4096
    unit: Annotated[
        Unit,
        setting(
            "what the model sees at once: a sentence, or a whole paragraph",
            metavar="{sentence,paragraph}",
            shapes="segment",
            cli="--unit",
        ),
    ] = "sentence"
    cache: Annotated[
        bool,
        setting(
            "the translation memory (finished sentences are reused)", cli="--no-cache", negate=True
        ),
    ] = True
    cache_path: Annotated[
        str | None,
        setting("translation memory file (default: in the mtalign cache)", metavar="PATH"),
    ] = None
    glossary: Annotated[
        tuple[str, ...],
        setting(
            "glossary file (TOML, TSV/CSV or TBX)",
            metavar="PATH",
            shapes="document",
            cli="--glossary",
            form="repeat",
        ),
    ] = ()
    glossary_mode: Annotated[
        GlossaryMode,
        setting(
            "what the glossary does: off, check (report), enforce (fix); default: check "
            "when a glossary is given, else off",
            metavar="{off,check,enforce}",
            shapes="document",
            cli="--glossary-mode",
        ),
    ] = "off"
    quality_gate: Annotated[
        bool,
        setting(
            "the quality gate (flags empty, copied, looping, wrong-language outputs and lost "
            "numbers, and retries them)",
            shapes="segment",
            cli="--no-gate",
            negate=True,
        ),
    ] = True
    retry: Annotated[
        bool,
        setting("retry flagged outputs once with safer decoding", shapes="segment"),
    ] = True
    force: Annotated[
        bool,
        setting(
            "translate even when the text does not look like the source language",
            shapes="document",
            cli="--force",
        ),
    ] = False
    input_format: Annotated[
        InputFormat | None,
        setting(
            "input format (default: from the file extension)",
            metavar="{txt,md,jsonl}",
            shapes="document",
            cli="--input-format",
        ),
    ] = None
    progress: Annotated[
        bool | None,
        setting("progress bars (default: when stderr is a terminal)", cli="--progress"),
    ] = None
    min_length: Annotated[
        int,
        setting("fewest output tokens", metavar="N", ge=0, le=1024, shapes="segment"),
    ] = 0
    max_length: (
        Annotated[
            int,
            setting(
                "most output tokens (default: scales with the input)",
                metavar="N",
                ge=1,
                le=1024,
                shapes="segment",
            ),
        ]
        | None
    ) = None
    threads: Annotated[
        int,
        setting(
            "CPU threads per engine (0: OMP_NUM_THREADS, else every core)",
            metavar="N",
            ge=0,
            le=1024,
            cli="--threads",
        ),
    ] = 0
    consistency: Annotated[
        bool,
        setting(
            "without a glossary, keep one rendering per name across the run",
            shapes="document",
            cli="--consistency",
        ),
    ] = False
    pivot: Annotated[
        str | None,
        setting(
            "language to translate through when a pair has no direct model (the two registry "
            "models, e.g. ru->en->tr); default: none, a missing model is an error",
            metavar="LANG",
            shapes="document",
            cli="--pivot",
        ),
    ] = None


def _lang(key: str, value: Any) -> str:
    try:
        return normalize_lang(value)
    except LanguageError as exc:
        raise SettingError(
            key, str(exc).split(";")[0], "fix the value (an ISO 639-1 code such as tr)"
        ) from None


def check_settings(settings: TranslateSettings) -> TranslateSettings:
    """Every value validated (types, choices, bounds) and languages normalised.

    Raises :class:`~mtalign.settings.schema.SettingError` naming the setting; front ends
    render it in their own words.
    """
    values = {name: getattr(settings, name) for name in specs(TranslateSettings)}
    for name, value in values.items():
        values[name] = check_value(TranslateSettings, name, value)
    if not values["targets"]:
        raise SettingError("targets", "no target language", "give one or more, e.g. tr,ru,ar")
    targets = tuple(dict.fromkeys(_lang("targets", t) for t in values["targets"]))
    src = values["src"]
    src = "auto" if src in (None, "", "auto") else _lang("src", src)
    models = {_lang("models", k): v for k, v in values["models"].items()}
    unknown = sorted(set(models) - set(targets))
    if unknown:
        raise SettingError(
            "models",
            f"a model is given for {', '.join(unknown)}, which is not in {{targets}} "
            f"({','.join(targets)})",
            "add the language to {targets} or drop its model",
            targets="targets",
        )
    if values["glossary_mode"] != "off" and not values["glossary"]:
        raise SettingError(
            "glossary_mode",
            f"{values['glossary_mode']!r} needs a glossary, and none is given",
            "give {glossary} or set the mode to off",
            glossary="glossary",
        )
    pivot = _lang("pivot", values["pivot"]) if values["pivot"] else None
    return msgspec.structs.replace(
        settings, targets=targets, src=src, models=models, engine=values["engine"], pivot=pivot
    )


def output_fields(settings: TranslateSettings, scopes: tuple[str, ...]) -> dict[str, Any]:
    """The settings that shape outputs in ``scopes``, as JSON-ready values."""
    return {name: _plain(getattr(settings, name)) for name in shaping(TranslateSettings, scopes)}


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, Mapping):
        return dict(sorted(value.items()))
    return value
