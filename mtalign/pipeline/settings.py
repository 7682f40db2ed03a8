"""The settings of a translation run and their checks."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from mtalign.config import ENGINES, GLOSSARY_MODES, UNITS
from mtalign.engines.base import DecodeOptions
from mtalign.errors import InputError
from mtalign.langid import normalize_lang


@dataclass(frozen=True)
class TranslateSettings:
    """Everything that shapes a translation run (CLI flags and job configs map onto this)."""

    targets: tuple[str, ...]
    src: str = "auto"
    engine: str = "auto"
    models: Mapping[str, str] = field(default_factory=dict)
    beam: int = 4
    device: str = "auto"
    compute_type: str | None = None
    batch_tokens: int = 4096
    unit: str = "sentence"
    cache: bool = True
    cache_path: str | None = None
    glossary: str | None = None
    glossary_mode: str = "off"
    quality_gate: bool = True
    retry: bool = True
    force: bool = False
    input_format: str | None = None
    progress: bool | None = None
    min_length: int = 0
    max_length: int | None = None
    threads: int = 0
    consistency: bool = False

    def decode_options(self) -> DecodeOptions:
        """The decoding options of a first pass."""
        # Scores are not used downstream (n-best lists come best first); asking
        # transformers for them keeps every step's full-vocabulary logits in memory.
        return DecodeOptions(
            beam_size=self.beam,
            max_length=self.max_length,
            min_length=self.min_length,
            return_scores=False,
        )

    def safer_options(self) -> DecodeOptions:
        """The retry settings: wider beam, repetition penalty, no repeated trigrams."""
        return replace(
            self.decode_options(),
            beam_size=max(self.beam + 2, 6),
            repetition_penalty=1.3,
            no_repeat_ngram_size=3,
        )


def check_settings(settings: TranslateSettings) -> TranslateSettings:
    """Validate and normalise settings; errors name the option and the fix."""
    if not settings.targets:
        raise InputError("no target language; pass --to, e.g. --to tr,ru,ar")
    targets = tuple(dict.fromkeys(normalize_lang(t) for t in settings.targets))
    src = settings.src if settings.src in (None, "auto") else normalize_lang(settings.src)
    if settings.engine not in ENGINES:
        raise InputError(f"--engine: expected one of {', '.join(ENGINES)}, got {settings.engine!r}")
    if settings.unit not in UNITS:
        raise InputError(f"--unit: expected one of {', '.join(UNITS)}, got {settings.unit!r}")
    if settings.glossary_mode not in GLOSSARY_MODES:
        raise InputError(
            f"--glossary-mode: expected one of {', '.join(GLOSSARY_MODES)}, "
            f"got {settings.glossary_mode!r}"
        )
    if settings.device not in ("auto", "cpu", "cuda"):
        raise InputError(f"--device: expected auto, cpu or cuda, got {settings.device!r}")
    if settings.beam < 1:
        raise InputError(f"--beam must be at least 1, got {settings.beam}")
    if settings.batch_tokens < 16:
        raise InputError(f"--batch-tokens must be at least 16, got {settings.batch_tokens}")
    models = {normalize_lang(k): v for k, v in settings.models.items()}
    unknown = sorted(set(models) - set(targets))
    if unknown:
        raise InputError(
            f"--model given for {', '.join(unknown)} which is not in --to {','.join(targets)}"
        )
    return replace(settings, targets=targets, src=src or "auto", models=models)
