"""The vectorized payment allocation against a plain reference: one payment at a time, one account at a time, in
the order the Fund credits them, written from the rules in engine/allocation.py's docstring with scalar dates.

The vectorized one steps over every account's k-th payment at once and looks at an account only from its first
month still owing; nothing of that may change which month a payment pays, what it leaves over, or when a month was
completed. Random tables of dues and untidy payments (late, early, naming no month, past or future months, amounts
smaller or larger than what is due, several streams, months outside the window)."""

from __future__ import annotations

import datetime as dt

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from osms.core.dates import last_fallen_due, month_of, month_start_ordinals
from osms.engine.allocation import BIG, Payments, _credit_order, allocate


def reference(policy, due: np.ndarray, first: int, pays: Payments):  # type: ignore[no-untyped-def]
    """(due, remaining, completed, by_named, overpaid, pieces) from a loop over payments."""
    due = due.astype(np.int64).copy()
    remaining = due.copy()
    completed = np.full(due.shape, BIG, dtype=np.int32)
    by_named = np.zeros(due.shape, dtype=bool)
    overpaid = np.zeros(pays.size, dtype=np.int64)
    pieces = []
    t_n = due.shape[1]
    window_name = policy.roles.parameter("debt_window_months")
    start = policy.parameters[window_name].timeline.entries[0].start
    floor = start.year * 12 + start.month - 1  # never before the window's first date

    def order(j: int) -> tuple:
        named = pays.for_month[j] >= 0
        return (pays.person[j], pays.stream[j], pays.paid_on[j], pays.for_month[j] if named else 1 << 62, j)

    for j in sorted(range(pays.size), key=order):
        s, p, named = int(pays.stream[j]), int(pays.person[j]), int(pays.for_month[j])
        if 0 <= named < policy.covers[0]:  # a deduction before the policies pays its month, what was due then
            t = named - first
            if 0 <= t < t_n:
                due[s, t, p] += pays.amount[j]
                completed[s, t, p] = min(completed[s, t, p], pays.paid_on[j])
                by_named[s, t, p] = True
                pieces.append((j, named, int(pays.amount[j])))
            else:
                overpaid[j] = pays.amount[j]
            continue
        day = dt.date.fromordinal(int(pays.paid_on[j]))
        made = month_of(day)
        window = int(policy.parameter_value(window_name, day)[0])
        debt_first = int(policy.parameter_value(policy.roles.parameter("debt_before_named_month"), day)[0]) == 1
        deadline = int(policy.parameter_value(policy.roles.parameter("due_day"), day)[0])
        fallen = int(last_fallen_due(made, day.day, deadline))
        if named < 0:  # the oldest unpaid month in the debt window, due or not, then the months after it
            months = list(range(max(made - window, floor), first + t_n))
        elif named > made or not debt_first:  # a prepayment, or a month paid as named only
            months = [named]
        else:  # the debt fallen due in the window first, oldest first, then the month named
            debt = range(max(made - window, floor), min(fallen, named) + 1)
            months = [m for m in debt if m < named] + [named]
        left = int(pays.amount[j])
        for m in months:
            t = m - first
            if not 0 <= t < t_n or left == 0:
                continue
            got = min(max(int(remaining[s, t, p]), 0), left)
            if got == 0:
                continue
            remaining[s, t, p] -= got
            left -= got
            pieces.append((j, m, got))
            if remaining[s, t, p] <= 0:
                completed[s, t, p] = pays.paid_on[j]
                by_named[s, t, p] = named == m
        overpaid[j] = left
    return due, remaining, completed, by_named, overpaid, sorted(pieces)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_vectorized_allocation_is_the_reference(policy, seed: int) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)
    streams, months, persons = int(rng.integers(1, 4)), int(rng.integers(1, 40)), int(rng.integers(1, 12))
    # Windows from 2017-07, when deductions began: a month named before 2020 is one a deduction paid then.
    first = int(rng.integers(2017 * 12 + 6, 2026 * 12 - months + 12))
    due = rng.choice([0, 0, 100, 500, 1234, 99_999], size=(streams, months, persons)).astype(np.int64)
    n = int(rng.integers(0, 60))
    for_month = np.where(rng.random(n) < 0.7, first + rng.integers(-5, months + 5, n), -1).astype(np.int64)
    early = (for_month >= 0) & (for_month < 2020 * 12)
    # Made from 2020 on, but a deduction before the policies any time from 2017-07.
    made = np.maximum(first + rng.integers(-3, months + 3, n), np.where(early, 2017 * 12 + 6, 2020 * 12))
    pays = Payments(
        rng.integers(0, persons, n).astype(np.int64),
        rng.integers(0, streams, n).astype(np.int64),
        (month_start_ordinals(made) + rng.integers(0, 28, n)).astype(np.int64),
        rng.choice([1, 100, 500, 1_000, 1_234, 5_000, 100_000], n).astype(np.int64),
        for_month,
    )
    got = allocate(policy, due, first, pays)
    then, remaining, completed, by_named, overpaid, pieces = reference(policy, due, first, pays)
    assert np.array_equal(got.due, then)  # the amounts due, and before 2020 what the deductions paid
    assert np.array_equal(got.allocated, then - remaining)
    assert np.array_equal(got.completed, completed)
    assert np.array_equal(got.by_named, by_named)
    assert np.array_equal(got.overpaid, overpaid)
    pay, month, tiyn = got.pieces()
    assert sorted(zip(pay.tolist(), month.tolist(), tiyn.tolist())) == pieces
    # Nothing lost: every tiyn paid is allocated or left over.
    assert int(pays.amount.sum()) == int((then - remaining).sum()) + int(overpaid.sum())
    # Without the pieces (a population keeps none), the same allocation.
    bare = allocate(policy, due, first, pays, pieces=False)
    assert bare.applied is None
    for name in ("remaining", "completed", "by_named", "overpaid"):
        assert np.array_equal(getattr(bare, name), getattr(got, name)), name


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 2**32 - 1), st.booleans())
def test_credit_order_is_the_lexicographic_order(seed: int, wide: bool) -> None:
    """The one-key sort and, for ranges too wide for one 62-bit key, the five-key sort give the same order:
    person, stream, day, the older named month first and payments naming none last, then as listed."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 300))
    day_span = 2**40 if wide else 60  # 2⁴⁰ days: no single key holds it
    pays = Payments(
        rng.integers(0, 20, n).astype(np.int64),
        rng.integers(0, 3, n).astype(np.int64),
        rng.integers(737_000, 737_000 + day_span, n).astype(np.int64),
        np.ones(n, dtype=np.int64),
        np.where(rng.random(n) < 0.7, rng.integers(24_240, 24_250, n), -1).astype(np.int64),
    )
    named = pays.for_month >= 0
    last = np.where(named, pays.for_month, np.iinfo(np.int64).max)
    want = np.lexsort((np.arange(n), last, pays.paid_on, pays.stream, pays.person))
    assert np.array_equal(_credit_order(pays, named), want)
