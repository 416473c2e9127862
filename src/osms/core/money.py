"""Exact rounding of tenge amounts, vectorized, with a Decimal twin for checking and display.

Evaluation runs in float64 for speed. Float error is far below the grid the law's inputs live on
(wages in tiyn, rates with at most four decimals, MZP multiples with one), so each quotient
amount/step is first snapped to the nearest 1e-6 before rounding: ties such as 2.5 tenge are then
recognised exactly and go up, never to even. The snap is exact while |amount/step| < 1e8, which the
engine checks; tests compare this path with Decimal arithmetic on random inputs.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

import numpy as np

SNAP = 1e6
MAX_UNITS = 1e8

_DECIMAL_MODES = {"half_up": ROUND_HALF_UP, "floor": ROUND_FLOOR, "ceiling": ROUND_CEILING}


class RoundingRangeError(ValueError):
    pass


def round_array(x: np.ndarray | float, step: float, mode: str = "half_up") -> np.ndarray:
    """Round to a multiple of `step` by `mode` (half_up rounds ties away from zero)."""
    q = np.multiply(x, SNAP / step, dtype=np.float64)  # in units of 1e-6 step
    if q.ndim == 0:
        q = q.reshape(1)
    lo, hi = (float(q.min()), float(q.max())) if q.size else (0.0, 0.0)
    if max(-lo, hi) >= MAX_UNITS * SNAP:
        raise RoundingRangeError(
            f"an amount of {max(-lo, hi) / SNAP * step:,.0f} is too large to round exactly "
            f"(limit {MAX_UNITS * step:,.0f})"
        )
    np.round(q, out=q)
    q /= SNAP
    if mode == "half_up":
        if lo < 0:
            q = np.copysign(np.floor(np.abs(q) + 0.5), q)
        else:
            q += 0.5
            np.floor(q, out=q)
    elif mode == "floor":
        np.floor(q, out=q)
    elif mode == "ceiling":
        np.ceil(q, out=q)
    else:
        raise ValueError(f"unknown rounding mode {mode!r}")
    if step != 1.0:
        q *= step
    q += 0.0  # turns -0.0 into 0.0
    return q if np.ndim(x) else q.reshape(())


def round_decimal(x: Decimal, step: Decimal, mode: str = "half_up") -> Decimal:
    """The exact twin of round_array, for reference checks and display."""
    units = (x / step).quantize(Decimal(1), rounding=_DECIMAL_MODES[mode])
    return units * step


def to_decimal(value: float, step: Decimal) -> Decimal:
    """An already-rounded float amount as the exact Decimal it stands for."""
    return Decimal(round(float(value) / float(step))) * step
