"""The tables of an eval-suite config (``mtalign eval-suite SUITE.toml``), declared once.

Each ``[[configuration]]`` is a name, optional precomputed ``outputs``, and translate
settings (:data:`SUITE_TRANSLATE_KEYS` of :class:`~mtalign.settings.TranslateSettings`),
checked with the same declarations as the command line and job configs.
"""

from __future__ import annotations

from typing import Annotated

import msgspec

from mtalign.settings.schema import setting

#: TranslateSettings keys a [[configuration]] may set (languages, source and glossary
#: come from [suite] and [testset]).
SUITE_TRANSLATE_KEYS = (
    "engine", "beam", "glossary_mode", "models", "device", "compute_type", "unit",
    "batch_tokens", "quality_gate", "retry", "max_length", "min_length", "threads",
    "consistency", "cache",
    "pivot",
)  # fmt: skip


class _Table(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    pass


class SuiteTable(_Table, frozen=True):
    """``[suite]``: what is compared, how, and where the report goes."""

    name: Annotated[str, setting("label of the report (default: the file name)")] = ""
    title: Annotated[str, setting("title of the report")] = ""
    src_lang: Annotated[str, setting("language of the test set's source", metavar="LANG")] = "en"
    targets: Annotated[
        tuple[str, ...] | str,
        setting("target languages (default: every reference)", metavar="LANG"),
    ] = ()
    metrics: Annotated[
        tuple[str, ...] | str,
        setting(
            "metrics: bleu, chrf (chrF), chrf++ (chrF++), ter, comet (needs mtalign[comet])",
            metavar="NAME[,NAME...]",
        ),
    ] = ("bleu", "chrf", "ter")
    comet_model: Annotated[
        str | None,
        setting(
            "COMET checkpoint: hub id or local folder (default: Unbabel/wmt22-comet-da; "
            "without references Unbabel/wmt22-cometkiwi-da)",
            metavar="ID|PATH",
        ),
    ] = None
    significance: Annotated[
        str, setting("paired-bs, paired-ar or none; the first configuration is the baseline")
    ] = "paired-bs"
    n_bootstrap: Annotated[int, setting("bootstrap resamples", metavar="N", ge=0, le=1_000_000)] = (
        1000
    )
    n_trials: Annotated[
        int, setting("approximate randomisation trials", metavar="N", ge=2, le=10_000_000)
    ] = 10_000
    seed: Annotated[int, setting("random seed of resampling", metavar="N", ge=1, le=2**32 - 1)] = (
        12345
    )
    tokenize: Annotated[
        str | None,
        setting(
            "BLEU tokenizer (default: 13a; zh for Chinese, ja-mecab/ko-mecab for Japanese/Korean)",
            metavar="{13a,intl,zh,char,none,ja-mecab,ko-mecab}",
        ),
    ] = None
    report: Annotated[str | None, setting("report folder", metavar="PATH")] = None
    formats: Annotated[
        tuple[str, ...] | str,
        setting("report formats: json, md, html", metavar="FORMAT[,FORMAT...]", cli="--format"),
    ] = ("json", "md", "html")


class TestsetTable(_Table, frozen=True):
    """``[testset]``: the source, one reference per target, and the glossary."""

    source: Annotated[
        str, setting("one segment per line", metavar="PATH", example='source = "test.en.txt"')
    ]
    references: Annotated[
        dict[str, str],
        setting("LANG = reference file, line-aligned with the source", metavar="LANG=PATH",
                example='[testset.references] tr = "test.tr.txt"'),
    ]  # fmt: skip
    glossary: Annotated[str | None, setting("glossary for check/enforce", metavar="PATH")] = None
