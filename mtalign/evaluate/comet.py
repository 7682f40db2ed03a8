"""COMET, the neural metric WMT has reported since 2022, behind one small interface.

A :class:`Scorer` turns segments into scores: ``score(srcs, hyps, refs) -> list[float]``.
:class:`CometScorer` is the ``unbabel-comet`` implementation, imported and loaded only when
it first scores (the optional extra ``mtalign[comet]``; a checkpoint from the Hugging Face
hub or a local folder). Tests use :class:`mtalign.testing.comet.StubScorer`, which keeps
the same interface without weights.

:class:`CometMetric` puts a scorer into sacrebleu's machinery (a ``Metric`` whose
sufficient statistics are per-segment scores), so COMET gets the same bootstrap confidence
intervals and paired tests (``paired-bs``, ``paired-ar``) as BLEU, chrF++ and TER, with
the same seed, and a signature line that names the model. System scores are the mean of
the segment scores, times 100 (as WMT tables print COMET).
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from sacrebleu.metrics.base import Metric, Score, Signature

from mtalign.errors import ModelError

#: The reference-based checkpoint used when none is named (Apache-2.0).
DEFAULT_MODEL = "Unbabel/wmt22-comet-da"
#: The reference-free (quality estimation) checkpoint used without references
#: (CC-BY-NC-SA-4.0, gated on the hub: accept its licence and log in first).
DEFAULT_QE_MODEL = "Unbabel/wmt22-cometkiwi-da"
#: Checkpoints whose name says they score without a reference.
_QE_HINTS = ("kiwi", "-qe", "_qe", "qe-")
SCALE = 100.0

_NEEDS = (
    "COMET needs the optional extra mtalign[comet] (pip install 'mtalign[comet]', which "
    "installs unbabel-comet>=2.0) and a COMET checkpoint: a Hugging Face id such as "
    f"{DEFAULT_MODEL} (downloaded once when the hub is reachable, then read from the HF "
    "cache) or a local folder holding hparams.yaml and checkpoints/model.ckpt, given with "
    "--comet-model"
)


@runtime_checkable
class Scorer(Protocol):
    """What the evaluation needs from a COMET-like metric."""

    #: The checkpoint (hub id or path) that the scores come from; it goes in the signature.
    model_id: str
    #: The scoring library and its version (``unbabel-comet 2.2.2``).
    version: str
    #: True for quality-estimation models (source and hypothesis only).
    reference_free: bool

    def score(
        self, srcs: Sequence[str], hyps: Sequence[str], refs: Sequence[str] | None
    ) -> list[float]:
        """One score per segment, in order (``refs`` is None for reference-free models)."""
        ...


def is_reference_free(model: str) -> bool:
    """Whether a checkpoint name says it is a quality-estimation (reference-free) model."""
    name = model.lower()
    return any(h in name for h in _QE_HINTS)


def comet_available() -> bool:
    """Whether the optional extra (``unbabel-comet``) is installed."""
    return importlib.util.find_spec("comet") is not None


class CometScorer:
    """``unbabel-comet`` scoring with one checkpoint, loaded on first use, on CPU or GPU."""

    def __init__(self, model: str = DEFAULT_MODEL, batch_size: int = 16, gpus: int = 0) -> None:
        self.model_id = str(model)
        self.reference_free = is_reference_free(self.model_id)
        self.batch_size = batch_size
        self.gpus = gpus
        self.version = f"unbabel-comet {_version()}"
        self._model: Any = None

    def _checkpoint(self) -> str:
        """The ``.ckpt`` file: a local file or folder, else from the HF cache / hub."""
        local = Path(self.model_id).expanduser()
        if local.is_file():
            return str(local)
        if local.is_dir():
            ckpt = local / "checkpoints" / "model.ckpt"
            if not ckpt.is_file() or not (local / "hparams.yaml").is_file():
                raise ModelError(
                    f"{local} is not a COMET checkpoint folder: it needs hparams.yaml and "
                    f"checkpoints/model.ckpt; {_NEEDS}"
                )
            return str(ckpt)
        from comet import download_model

        from mtalign.models import hf_offline

        try:
            return str(download_model(self.model_id, local_files_only=hf_offline()))
        except Exception as exc:  # noqa: BLE001 - hub/cache failures have many types
            raise ModelError(
                f"COMET checkpoint {self.model_id} is not available "
                f"({type(exc).__name__}: {_first_line(exc)}); the extra mtalign[comet] is "
                f"installed, the checkpoint is missing: download it where the hub is "
                f"reachable (huggingface-cli download {self.model_id}; gated models need "
                "huggingface-cli login), or pass --comet-model /path/to/checkpoint"
            ) from exc

    def _load(self) -> Any:
        if self._model is None:
            from comet import load_from_checkpoint

            from mtalign.models import hf_offline

            path = self._checkpoint()
            try:
                self._model = load_from_checkpoint(path, local_files_only=hf_offline())
            except Exception as exc:  # noqa: BLE001 - the encoder's files may be missing
                raise ModelError(
                    f"COMET cannot load {path} ({type(exc).__name__}: {_first_line(exc)}); "
                    "offline it also needs its encoder (xlm-roberta-large, infoxlm-large) in "
                    "the HF cache"
                ) from exc
        return self._model

    def score(
        self, srcs: Sequence[str], hyps: Sequence[str], refs: Sequence[str] | None
    ) -> list[float]:
        """Segment scores from ``model.predict`` (0..1 for the wmt22 models)."""
        model = self._load()
        # The loaded model knows better than its name whether it reads references.
        needs = getattr(model, "requires_references", None)
        if callable(needs):
            self.reference_free = not needs()
        if not self.reference_free and refs is None:
            raise ModelError(
                f"COMET model {self.model_id} needs references; give --ref, or a reference-free "
                f"model such as --comet-model {DEFAULT_QE_MODEL}"
            )
        data = [
            {"src": s, "mt": h, **({"ref": refs[i]} if refs and not self.reference_free else {})}
            for i, (s, h) in enumerate(zip(srcs, hyps, strict=True))
        ]
        out = model.predict(data, batch_size=self.batch_size, gpus=self.gpus, progress_bar=False)
        return [float(x) for x in out.scores]


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("unbabel-comet")
    except Exception:  # noqa: BLE001 - not installed: the error comes when scoring
        return "not installed"


def _first_line(exc: BaseException) -> str:
    return next((ln for ln in str(exc).splitlines() if ln.strip()), type(exc).__name__)[:200]


def load_scorer(model: str | os.PathLike[str] | None = None, has_refs: bool = True) -> Scorer:
    """A :class:`CometScorer` for ``model`` (default: comet-da with references, cometkiwi
    without); :class:`ModelError` naming the extra and the checkpoint when the extra is
    missing."""
    if not comet_available():
        raise ModelError(f"{_NEEDS}; the extra is not installed")
    name = str(model) if model else (DEFAULT_MODEL if has_refs else DEFAULT_QE_MODEL)
    return CometScorer(name)


# ---------------------------------------------------------------------------- sacrebleu


class CometSignature(Signature):
    """sacrebleu's signature plus the checkpoint, the scale and the scorer's version
    (``nrefs:0``: reference-free)."""

    def __init__(self, args: dict) -> None:
        super().__init__(args)
        self._abbr.update({"model": "m", "scale": "x", "scorer": "s"})
        self.info.update(
            {
                "model": args["model_id"],
                "scale": f"{SCALE:g}",
                "scorer": args["scorer_version"].replace(" ", "-"),
            }
        )


class CometMetric(Metric):
    """A scorer as a sacrebleu metric: per-segment statistics ``[score, 1]``; the system
    score is their mean x 100. Segment scores are computed once per system and cached."""

    _SIGNATURE_TYPE = CometSignature

    def __init__(self, scorer: Scorer, srcs: Sequence[str], refs: Sequence[str] | None) -> None:
        super().__init__()
        self.scorer = scorer
        self.srcs = list(srcs)
        self.refs = None if refs is None or scorer.reference_free else list(refs)
        self.num_refs = 0 if self.refs is None else 1
        self.model_id = scorer.model_id
        self.scorer_version = scorer.version
        self._cache: dict[tuple[str, ...], list[float]] = {}

    def segment_scores(self, hyps: Sequence[str]) -> list[float]:
        """The scorer's segment scores for ``hyps`` (0..1 for the wmt22 models)."""
        key = tuple(hyps)
        if key not in self._cache:
            if len(key) != len(self.srcs):
                raise ModelError(f"COMET got {len(key)} hypotheses for {len(self.srcs)} sources")
            scores = [float(x) for x in self.scorer.score(self.srcs, list(key), self.refs)]
            if len(scores) != len(key):
                raise ModelError(
                    f"COMET scorer {self.model_id} returned {len(scores)} scores for "
                    f"{len(key)} segments"
                )
            self._cache[key] = scores
        return self._cache[key]

    def _extract_corpus_statistics(self, hypotheses: Any, references: Any) -> Any:
        return [[s, 1.0] for s in self.segment_scores(hypotheses)]

    def _compute_score_from_stats(self, stats: Any) -> Score:
        return Score("COMET", SCALE * float(stats[0]) / max(1.0, float(stats[1])))

    def _aggregate_and_compute(self, stats: Any) -> Score:
        # Rows are [score, count]: one per segment, or pre-summed (approximate randomisation).
        total = [sum(float(row[0]) for row in stats), sum(float(row[1]) for row in stats)]
        return self._compute_score_from_stats(total)

    def _check_corpus_score_args(self, hyps: Any, refs: Any) -> None:
        pass  # references live in the metric; hypotheses are checked by segment_scores

    def _preprocess_segment(self, sent: str) -> str:
        return sent

    def _extract_reference_info(self, refs: Any) -> dict[str, Any]:
        return {}

    def _compute_segment_statistics(self, hypothesis: str, ref_kwargs: Any) -> Any:
        raise NotImplementedError("COMET statistics come whole from segment_scores")
