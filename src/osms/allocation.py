"""Payment allocation: which month each payment pays, credited the way the Fund credits a payer's account.

Payments are applied in the order they were made, each person's k-th payment for all persons at once (a loop over
payment rank, vectorized over persons; no loop over persons). A payment that names a month after the month it was
made in (a prepayment) pays that month. Any other payment first clears the oldest unpaid amount of its stream in
the debt window — the months before the month it was made in given by the parameter bound to the role
`debt_window_months` (osms.roles), never before that parameter's first date — and then pays the month it names
or, naming none, the month it was made in and the months after it, in order. With the `debt_before_named_month`
parameter at 0, a payment naming a month pays that month only. What a payment leaves over is an overpayment,
shown, never lost.

A stream is one contribution a payment can pay: a rule that has a payer, per employer for per-job rules. A month of
a stream is paid when what was allocated to it reaches what was due; it is paid on the day of the payment that
completed it. Amounts are integers in tiyn.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .dates import months_of_days
from .policy import PolicySet

BIG = np.iinfo(np.int32).max


@dataclass
class Payments:
    """A table of payments, one row each (any order)."""

    person: np.ndarray  # int64 person index
    stream: np.ndarray  # int64 stream index
    paid_on: np.ndarray  # int64 ordinal day
    amount: np.ndarray  # int64 tiyn, > 0
    for_month: np.ndarray  # int64 month index, -1 where no month is named

    @property
    def size(self) -> int:
        return len(self.person)


@dataclass
class Allocation:
    """The result over a window of months starting at `first`: (streams, months, persons) arrays."""

    first: int
    allocated: np.ndarray  # int64 tiyn allocated to each stream-month
    completed: np.ndarray  # int32 ordinal day the stream-month was fully paid; BIG if never
    by_named: np.ndarray  # bool: completed by a payment that named that very month
    overpaid: np.ndarray  # (payments,) int64 tiyn a payment left over
    applied: list[tuple[np.ndarray, np.ndarray, np.ndarray]]  # per step: payment index, month, tiyn (nonzero)
    used: set  # (parameter, entry start) read

    def pieces(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every (payment, month, tiyn) piece of every allocation, in the order applied."""
        if not self.applied:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, empty
        return tuple(np.concatenate(parts) for parts in zip(*self.applied))  # type: ignore[return-value]


def allocate(policy: PolicySet, due: np.ndarray, first: int, payments: Payments) -> Allocation:
    """Allocate `payments` against `due` ((streams, months, persons) tiyn; months from `first`)."""
    t_n = due.shape[1]
    used: set = set()
    allocated = np.zeros(due.shape, dtype=np.int64)
    completed = np.full(due.shape, BIG, dtype=np.int32)
    by_named = np.zeros(due.shape, dtype=bool)
    overpaid = np.zeros(payments.size, dtype=np.int64)
    applied: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    if payments.size == 0:
        return Allocation(first, allocated, completed, by_named, overpaid, applied, used)

    order = np.lexsort((np.arange(payments.size), payments.paid_on, payments.person))
    person = payments.person[order]
    starts = np.flatnonzero(np.r_[True, person[1:] != person[:-1]])
    rank = np.arange(len(order)) - np.repeat(starts, np.diff(np.r_[starts, len(order)]))

    made = months_of_days(payments.paid_on)
    window_parameter = policy.roles.parameter("debt_window_months")
    window = policy.parameter_on_days(window_parameter, payments.paid_on, used)
    debt_first = policy.parameter_on_days(policy.roles.parameter("debt_before_named_month"), payments.paid_on,
                                          used) == 1
    entries = policy.parameters[window_parameter].timeline.entries
    floor = entries[0].start.year * 12 + entries[0].start.month - 1 if entries else first
    named = payments.for_month >= 0
    prepay = named & (payments.for_month > made)
    # The months each payment may pay, [lo, hi], in the window's own index.
    lo_debt = np.maximum(made - window.astype(np.int64), floor)
    lo = np.where(named & (prepay | ~debt_first), payments.for_month, lo_debt)
    # A named month older than the debt window is still paid, as named.
    lo = np.where(named & (payments.for_month < lo), payments.for_month, lo)
    hi = np.where(named, payments.for_month, t_n - 1 + first)
    lo = np.clip(lo - first, 0, t_n)
    hi = np.clip(hi - first, -1, t_n - 1)

    for k in range(int(rank.max()) + 1):
        sel = order[rank == k]
        i, s = payments.person[sel], payments.stream[sel]
        a, b = lo[sel], hi[sel]
        length = int(np.max(b - a + 1, initial=0))
        if length <= 0:
            overpaid[sel] = payments.amount[sel]
            continue
        offs = np.arange(length)[:, None]
        t = a[None, :] + offs  # (length, m)
        inside = t <= b[None, :]
        tc = np.clip(t, 0, t_n - 1)
        need = np.where(inside, np.maximum(due[s, tc, i] - allocated[s, tc, i], 0), 0)
        before = np.cumsum(need, axis=0) - need
        take = np.clip(payments.amount[sel][None, :] - before, 0, need)
        np.add.at(allocated, (np.broadcast_to(s, t.shape), tc, np.broadcast_to(i, t.shape)), take)
        overpaid[sel] = payments.amount[sel] - take.sum(axis=0)
        done = (take > 0) & (allocated[s, tc, i] >= due[s, tc, i])
        rows, cols = np.nonzero(done)
        ss, tt, ii = s[cols], tc[rows, cols], i[cols]
        completed[ss, tt, ii] = payments.paid_on[sel][cols]
        by_named[ss, tt, ii] = payments.for_month[sel][cols] == tt + first
        rows, cols = np.nonzero(take)
        applied.append((sel[cols].astype(np.int64), (tc[rows, cols] + first).astype(np.int64),
                        take[rows, cols].astype(np.int64)))
    return Allocation(first, allocated, completed, by_named, overpaid, applied, used)


def month_paid(alloc: Allocation, due: np.ndarray, own: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per (month, person): the day every own stream due that month was paid (BIG if one is not, or none is
    due), whether each was completed by a payment naming that month, and whether anything own was due."""
    owed = due[own] > 0  # (own streams, months, persons)
    any_due = owed.any(axis=0)
    day = np.where(owed, alloc.completed[own], 0).max(axis=0, initial=0)
    day = np.where(any_due, day, BIG).astype(np.int32)
    named = np.where(owed, alloc.by_named[own], True).all(axis=0) & any_due
    return day, named, any_due
