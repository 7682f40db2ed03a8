"""The verdict of a check, by the thresholds in :mod:`.results` (see the package docstring)."""

from __future__ import annotations

from collections.abc import Mapping

from mtalign.pipeline.modelcheck.results import (
    CHRF_FLOOR,
    MAX_FLAGGED,
    MAX_UNK,
    MAX_WRONG_LANG,
    MIN_ENGINE_CHRF,
    PairCheck,
)


def verdict(check: PairCheck) -> tuple[str, list[str]]:
    """(verdict, problems) of a check, by the thresholds of the module docstring.

    Gibberish explains the gate's flags and the engines' disagreement (int8 and float32
    decodings of a model that knows nothing part ways at once), so those are not listed
    beside it; wrong-language outputs are, as they point at the target token.
    """
    found: list[tuple[str, str]] = []
    gibberish = any(run.chrf is not None and run.chrf < CHRF_FLOOR for run in check.runs)
    for run in check.runs:
        name = run.engine
        if run.chrf is not None and run.chrf < CHRF_FLOOR:
            found.append(("gibberish", f"{name}: chrF++ {run.chrf:.1f} is below the floor "
                          f"{CHRF_FLOOR:g}: a wrong model, a missing or wrong target token, "
                          "or a broken tokenizer"))  # fmt: skip
        judged = max(1, run.segments)
        if run.wrong_lang / judged > MAX_WRONG_LANG:
            found.append(("wrong language", f"{name}: {run.wrong_lang} of {run.segments} "
                          f"outputs are not in {check.pair[-2:]}: a missing or wrong target "
                          f"token (the model uses {check.target_token or 'none'})"))  # fmt: skip
        if run.flagged / judged > MAX_FLAGGED and not gibberish:
            found.append(("flagged", f"{name}: the quality gate flags {run.flagged} of "
                          f"{run.segments} clean news sentences ({flag_kinds(run.flags)})"))  # fmt: skip
        if run.terms_enforce is not None and run.terms_off is not None:
            if run.terms_enforce < run.terms_off:
                found.append(("glossary", f"{name}: enforce lowered term accuracy from "
                              f"{run.terms_off:.2f} to {run.terms_enforce:.2f}"))  # fmt: skip
    if check.unk_rate > MAX_UNK:
        found.insert(0, ("broken tokenizer", f"{check.unk_rate:.0%} of the source pieces are "
                         "<unk>: source.spm does not match vocab.json"))  # fmt: skip
    if check.engine_chrf is not None and check.engine_chrf < MIN_ENGINE_CHRF and not gibberish:
        found.append(("engines disagree", f"CTranslate2 and transformers outputs differ "
                      f"(chrF++ {check.engine_chrf:.1f} between them): a conversion problem"))  # fmt: skip
    if not found:
        return ("ok" if check.has_reference else "ran (no reference: not scored)"), []
    return found[0][0], [text for _, text in found]


def flag_kinds(flags: Mapping[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in flags.items()) or "none"
