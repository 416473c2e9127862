"""Status from summary columns is computed once per distinct history (runs/population_status.py): the grouping
numbers the combinations as a plain dictionary would, and every row gets the status its own history gives."""

from __future__ import annotations

import dataclasses

import numpy as np
import pyarrow as pa
import pytest

from osms.core.dates import format_month, month_end
from osms.engine.evaluation import evaluate_month
from osms.engine.status import compute_status
from osms.inputs.population_rows import batch_from_arrow
from osms.runs.population_status import distinct, history_from_columns, status_from_columns, summary_rows


def _reference(columns: list[np.ndarray]) -> tuple[list[int], list[int]]:
    """First row of each combination, in row order, and each row's combination: one row at a time."""
    n = columns[0].shape[-1]
    rows = np.concatenate([c.reshape(-1, n).astype(np.int64) for c in columns]).T
    seen: dict[bytes, int] = {}
    firsts, which = [], []
    for i, r in enumerate(rows):
        k = r.tobytes()
        if k not in seen:
            seen[k] = len(seen)
            firsts.append(i)
        which.append(seen[k])
    return firsts, which


@pytest.mark.parametrize("seed", range(6))
def test_distinct_numbers_combinations_as_a_dictionary_would(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.choice([1, 2, 7, 500, 5000]))
    columns = [
        rng.integers(-3, int(rng.choice([1, 4, 90])), n).astype(np.int32),  # negative and constant ranges too
        rng.integers(0, 2, n).astype(bool),
        rng.random((13, n)) < rng.random(),  # packed into one number
        rng.random((40, n)) < 0.05,  # too many for one number: a bit each
        np.full(n, 7, dtype=np.int32),  # the same in every row
    ]
    if seed % 2:  # more than 64 bits of difference: the sorted route
        columns += [rng.integers(0, 1 << 30, n), rng.integers(0, 1 << 30, n)]
    firsts, which = distinct(columns)
    want_firsts, want_which = _reference(columns)
    assert firsts.tolist() == want_firsts
    assert which.tolist() == want_which


def test_distinct_of_identical_rows_and_of_none() -> None:
    firsts, which = distinct([np.zeros(4, dtype=np.int32), np.ones((13, 4), dtype=bool)])
    assert firsts.tolist() == [0] and which.tolist() == [0, 0, 0, 0]
    firsts, which = distinct([np.zeros(0, dtype=np.int32)])
    assert firsts.tolist() == [] and which.tolist() == []


@pytest.mark.parametrize("month", [2020 * 12 + 2, 2021 * 12 + 6, 2024 * 12 + 0, 2026 * 12 + 11])
def test_status_once_per_history_is_each_rows_own(policy, month: int) -> None:  # type: ignore[no-untyped-def]
    """3 000 persons of every payer type and age (children turning 18, pensioners), with paid runs ending before,
    at and after the month, stated past memberships and system failures, drawn from few values so that many rows
    share a history: every field of every row's status, and the rules read, as each row's own history gives."""
    rng = np.random.default_rng(month)
    n = 3000

    def some_month(offsets: list[int]) -> list[str]:  # months this far from the month evaluated, or none
        return [format_month(month + int(k)) if k > -99 else "" for k in rng.choice([*offsets, -99], n)]

    births = [
        f"{y}-{m:02d}-{d:02d}"
        for y, m, d in zip(rng.integers(1950, month // 12, n), rng.integers(1, 13, n), rng.integers(1, 29, n))
    ]  # all born before the month evaluated
    last_cat = [m if s else "" for m, s in zip(some_month([-80, -12, -6, -1, 0, 1]), rng.random(n) < 0.2)]
    table = pa.table(
        {
            "id": [f"p{i}" for i in range(n)],
            "birth_date": births,
            "wage_1": [str(w) if w else "" for w in rng.choice([0, 0, 85_000, 300_000], n)],
            "entrepreneur": [str(x).lower() for x in rng.random(n) < 0.15],
            "self_payer": [str(x).lower() for x in rng.random(n) < 0.15],
            "registered_unemployed": [str(x).lower() for x in rng.random(n) < 0.1],
            "it_failure": [str(x).lower() for x in rng.random(n) < 0.05],
            "paid_through": some_month([-90, -13, -12, -2, -1, 0, 1, 12, 14]),
            "paid_run": [str(r) for r in rng.choice([0, 1, 3, 6, 11, 12, 13, 59, 60, 61, 80], n)],
            "last_category_month": last_cat,
            "last_category_run": [str(r) if m else "" for r, m in zip(rng.choice([1, 5, 30], n), last_cat)],
            "region": ["astana"] * n,
        }
    )
    batch, bad, _, extra = batch_from_arrow(policy, table, month, 0, [], {})
    assert not bad.any()
    res = evaluate_month(policy, batch, month)
    failure = batch.facts[policy.roles.fact("system_failure")]
    day = month_end(month)
    got = status_from_columns(policy, res, extra, month, failure, day)
    rows = summary_rows(policy, res, extra, month, failure)
    assert len(distinct(rows.columns())[0]) < n / 2  # the grouping is exercised
    want = compute_status(policy, history_from_columns(policy, rows), day)
    for f in dataclasses.fields(want):
        a, b = getattr(got, f.name), getattr(want, f.name)
        if isinstance(b, np.ndarray):
            assert np.array_equal(a, b), f.name
        else:
            assert a == b, f.name
