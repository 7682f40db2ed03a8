"""Gale-Church length costs, vectorised over a block of the DP band.

Lengths are counted in characters of the normalised text (spaces included). The
target/source length ratio ``c`` is estimated from the two documents themselves, and the
variance per character scales with it, so no language-pair table is needed.
"""

from __future__ import annotations

import math

import numpy as np

#: Gale & Church (1993): variance of the length difference per source character.
GC_VARIANCE = 6.8
#: Bead priors of Gale & Church, extended to 1-3/3-1 and 2-2 with small masses.
GC_PRIORS = {
    (1, 1): 0.89,
    (1, 0): 0.0099 / 2,
    (0, 1): 0.0099 / 2,
    (2, 1): 0.089 / 2,
    (1, 2): 0.089 / 2,
    (2, 2): 0.011,
    (3, 1): 0.004,
    (1, 3): 0.004,
}
_MIN_PRIOR = 0.001


def prior_cost(a: int, b: int) -> float:
    """``-log P(bead type)``; unlisted types get a small floor probability."""
    return -math.log(GC_PRIORS.get((a, b), _MIN_PRIOR))


def log_erfc(x: np.ndarray) -> np.ndarray:
    """``log(erfc(x))`` for ``x >= 0``, stable for large ``x`` (Numerical Recipes erfcc)."""
    t = 1.0 / (1.0 + 0.5 * x)
    poly = -1.26551223 + t * (
        1.00002368
        + t
        * (
            0.37409196
            + t
            * (
                0.09678418
                + t
                * (
                    -0.18628806
                    + t
                    * (
                        0.27886807
                        + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))
                    )
                )
            )
        )
    )
    return np.log(t) - x * x + poly


def length_ratio(src_len: np.ndarray, tgt_len: np.ndarray) -> float:
    """Target characters per source character over the two documents (1.0 if either is empty)."""
    s, t = float(np.sum(src_len)), float(np.sum(tgt_len))
    if s <= 0 or t <= 0:
        return 1.0
    return t / s


def gc_cost(ls: np.ndarray, lt: np.ndarray, ratio: float, variance: float) -> np.ndarray:
    """``-log P(match | lengths)``: two-sided normal tail of the standardised difference.

    ``ls`` (shape ``(B, 1)``) and ``lt`` (shape ``(1, U)``) broadcast to a block. The
    variance grows with the mean of the two lengths (in target characters).
    """
    mean = 0.5 * (ratio * ls + lt)
    delta = np.abs(lt - ratio * ls) / np.sqrt(variance * np.maximum(mean, 1.0))
    return -log_erfc(delta / math.sqrt(2.0))
