"""A population chunk's result columns and totals: exact decimal money from tiyn, lists of names per row, and totals
that merge exactly across chunks and partitions."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np
import pyarrow as pa

from ..core.dates import format_month, month_end

# Tenge with tiyn. 18 digits hold any amount the engine can produce (rounding refuses 10^8 steps or more), and
# the unscaled value fits in 64 bits: Parquet stores it as a plain INT64 (core.dataset.parquet_options).
MONEY = pa.decimal128(18, 2)


def money_column(values: np.ndarray, rounding) -> pa.Array:  # type: ignore[no-untyped-def]
    """Exact decimal(18, 2) tenge from already-rounded floats: the unscaled integer is the amount in tiyn."""
    return decimal_column(tiyn_of(values))


def tiyn_of(values: np.ndarray) -> np.ndarray:
    """Already-rounded tenge amounts as integers of tiyn."""
    return np.round(values * 100).astype(np.int64)


def decimal_column(tiyn: np.ndarray) -> pa.Array:
    """decimal(18, 2) from tiyn: each 128-bit value is the amount and its sign extension (-1 when negative)."""
    words = np.empty((len(tiyn), 2), dtype=np.int64)
    words[:, 0] = tiyn
    words[:, 1] = tiyn >> 63
    return pa.Array.from_buffers(MONEY, len(tiyn), [None, pa.py_buffer(words)])


def names_where(names: list[str], masks: list[np.ndarray], n: int) -> pa.Array:
    """Per row, the names whose mask is true, in the order given, as a list<string> column."""
    if not names:
        return pa.ListArray.from_arrays(pa.array(np.zeros(n + 1, dtype=np.int32)), pa.array([], pa.string()))
    if len(names) > 20:
        m = np.stack([np.asarray(x, dtype=bool) for x in masks], axis=1)  # rows × names
        offsets = np.concatenate([[0], np.cumsum(m.sum(axis=1))]).astype(np.int32)
        values = pa.array(names, pa.string()).take(pa.array(np.nonzero(m)[1]))  # no Python string per row
        return pa.ListArray.from_arrays(pa.array(offsets), values)
    # Each row's set of names as the bits of one number (< 2²⁰); the sets that occur are listed once, then taken.
    code = np.zeros(n, dtype=np.int32)
    for j, x in enumerate(masks):
        code |= np.asarray(x, dtype=bool).view(np.int8).astype(np.int32) << j
    sets = np.flatnonzero(np.bincount(code))
    which = np.zeros(int(sets[-1]) + 1 if len(sets) else 1, dtype=np.int32)
    which[sets] = np.arange(len(sets), dtype=np.int32)
    lists = pa.array([[v for j, v in enumerate(names) if int(c) >> j & 1] for c in sets], pa.list_(pa.string()))
    return lists.take(pa.array(which[code]))


def merge_summaries(total: dict[str, Any], part: dict[str, Any]) -> dict[str, Any]:
    for key, value in part.items():
        if isinstance(value, dict):
            merge_summaries(total.setdefault(key, {}), value)
        else:
            total[key] = total.get(key, 0) + value
    return total


def exact_summary(part: dict[str, Any]) -> dict[str, Any]:
    """A chunk's totals with its money (the float sums of amounts already rounded to tiyn) as exact Decimals, so
    totals merge exactly, in any order and whatever the chunking."""
    return {
        k: exact_summary(v)
        if isinstance(v, dict)
        else Decimal(round(v * 100)).scaleb(-2)
        if isinstance(v, float)
        else v
        for k, v in part.items()
    }


def tenge_summary(summary: dict[str, Any]) -> dict[str, Any]:
    """Exact totals back to JSON numbers: each Decimal to the float nearest it (the same float every time)."""
    return {
        k: tenge_summary(v) if isinstance(v, dict) else float(v) if isinstance(v, Decimal) else v
        for k, v in summary.items()
    }


def summary_doc(
    stamp: dict[str, Any], ms: list[int], summary: dict[str, Any], by_month: dict[int, dict[str, Any]]
) -> dict[str, Any]:
    """The summary file: the run's stamp, the months, the totals and (for several months) each month's; money as
    exact Decimals (written as decimal strings)."""
    from .. import __version__

    doc = {
        "policy": stamp,
        "engine": {"name": "osms-eval", "version": __version__},
        "months": [format_month(m) for m in ms],
        "as_of": [month_end(m).isoformat() for m in ms],
        "summary": summary,
    }
    if len(ms) > 1:
        doc["by_month"] = {format_month(m): by_month[m] for m in ms}
    return doc
