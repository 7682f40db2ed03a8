"""The tables of the model registry (``mtalign/data/models.toml``, ``$MTALIGN_MODELS``).

``[registry]`` holds the fallback id pattern; each ``[pairs.SRC-TGT]`` is a
:class:`ModelChoice` (the default model of the pair) and may hold
``[pairs.SRC-TGT.alternatives.NAME]`` tables (more :class:`ModelChoice`) and a
``benchmarks`` list (:class:`Benchmark`). :mod:`mtalign.models.registry` reads the file
with :class:`~mtalign.settings.toml.ConfigContext`, so every error names the file, the
table and the key.
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from mtalign.settings.schema import setting

#: Id pattern for pairs the registry does not list.
DEFAULT_FALLBACK = "Helsinki-NLP/opus-mt-{src}-{tgt}"

#: Model families whose checkpoint layout mtalign knows (see docs/models.md, "Shapes").
Family = Literal["tc-big", "opus-mt", ""]
#: Which size figures are estimates rather than read off the hub.
Estimate = Literal["params", "disk"]
#: Where a benchmark figure was read.
FigureSource = Literal["card", "TC", "leaderboard"]


class _Table(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    pass


class RegistryTable(_Table, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """``[registry]``: settings of the whole registry."""

    fallback: Annotated[
        str,
        setting(
            "model id pattern for pairs without an entry; {src} and {tgt} are replaced",
            example='fallback = "Helsinki-NLP/opus-mt-{src}-{tgt}"',
        ),
    ] = DEFAULT_FALLBACK


class Benchmark(_Table, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One published figure: a test set and its BLEU / chrF (0-100) / COMET."""

    test_set: Annotated[
        str,
        setting(
            "test set as the model card names it (flores101-devtest, newstest2019, tico19-test, "
            "tatoeba-test-v2021-08-07)",
            example='test_set = "flores101-devtest"',
        ),
    ]
    # Bounds sit on the number, not on the optional type (msgspec's rule).
    bleu: Annotated[float, setting("BLEU as published", ge=0, le=100)] | None = None
    chrf: (
        Annotated[float, setting("chrF (chrF2, not chrF++) times 100, as published", ge=0, le=100)]
        | None
    ) = None
    comet: Annotated[float, setting("COMET as published", ge=-5, le=5)] | None = None
    source: Annotated[
        FigureSource,
        setting("where the figure was read: card, TC (Tatoeba-Challenge repo) or leaderboard"),
    ] = "card"


class ModelChoice(_Table, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A model for one pair: the default (``[pairs.SRC-TGT]``) or an alternative."""

    model: Annotated[
        str,
        setting(
            "Hugging Face model id", min_length=1, example='model = "Helsinki-NLP/opus-mt-en-de"'
        ),
    ]
    revision: Annotated[str, setting("git revision to pin (default: the repo's main)")] = ""
    target_token: Annotated[
        str,
        setting(
            "language token multi-target models need at the start of the source (>>ara<<); "
            "empty for single-target models"
        ),
    ] = ""
    licence: Annotated[str, setting("licence declared on the model card")] = ""
    family: Annotated[
        Family, setting("checkpoint family: tc-big (transformer-big) or opus-mt (base)")
    ] = ""
    params_m: (
        Annotated[float, setting("parameters, in millions", metavar="N", ge=0, le=100_000)] | None
    ) = None
    disk_mb: (
        Annotated[float, setting("size of the weights file mtalign downloads, in MB", ge=0)] | None
    ) = None
    estimated: Annotated[
        tuple[Estimate, ...], setting("which of params, disk are estimates (not read)")
    ] = ()
    labels: Annotated[
        tuple[str, ...],
        setting("target-language labels the vocabulary has (>>xxx<< without the brackets)"),
    ] = ()
    card: Annotated[str, setting("URL of the model card the figures come from")] = ""
    note: Annotated[str, setting("free text shown by `mtalign models list`")] = ""


#: Keys of a pair or alternative table that are not :class:`ModelChoice` fields.
BENCHMARKS_KEY = "benchmarks"
ALTERNATIVES_KEY = "alternatives"
