"""A table's rows found bad, as both tables (people, payments) keep them: a mask of the bad rows and, for each, the
first reason found; a later check never replaces a row's reason."""

from __future__ import annotations

import numpy as np


def flag_rows(bad: np.ndarray, why: list[str], mask: np.ndarray, reason: str) -> None:
    """The rows of `mask` are bad for `reason` (those not bad already)."""
    for i in np.flatnonzero(mask & ~bad):
        why[i] = reason
    bad |= mask


def flag_each(bad: np.ndarray, why: list[str], reasons: dict[int, str]) -> None:
    """Rows found bad, each with its own reason."""
    for i, reason in reasons.items():
        if not bad[i]:
            why[i] = reason
            bad[i] = True
