"""Payment allocation: which month each payment pays, credited the way the Fund credits a payer's account.

Payments are applied in the order they were made, each account's k-th payment for all accounts at once (an account
is a person's stream; a loop over payment rank, vectorized over accounts; no loop over persons). A payment that
names a month after the month it was made in (a prepayment) pays that month. A payment naming its own or a past
month first clears the debt of its stream — months fallen due by the day it was made and unpaid, in the debt window:
the months before the month it was made in, as many as the parameter bound to the role `debt_window_months`
(policy/roles.py) says, never before its first date — and then pays the month it names; a month not yet due is not debt,
so paying June on 1 June pays June though May is still open. A payment naming no month pays the oldest unpaid month
in the window, due or not, then the months after it, in order. With the `debt_before_named_month` parameter at 0, a
payment naming a month pays that month only. Payments made on one day are applied older named month first, payments
naming none last. What a payment leaves over is an overpayment, shown, never lost.

A stream is one contribution a payment can pay: a rule that has a payer, per employer for per-job rules. A month of
a stream is paid when what was allocated to it reaches what was due; it is paid on the day of the payment that
completed it. Amounts are integers in tiyn.

Before the policies' first month nothing is evaluated, and only employers' deductions were paid (from the first
month the `deductions_due` parameter is 1; the payments' checks keep every other payment out): a deduction naming
such a month pays that month on the day it was made, whatever its amount, which is taken as what was due then. It
is not credited in the order above (the rules of a day before the policies, its deadline and debt window, are not
held) and pays no other month.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core.dates import last_fallen_due, month_start, month_start_ordinals, months_of_days
from ..policy import PolicySet

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
    due: np.ndarray  # int64 tiyn due in each stream-month (before the policies: what the deductions naming it paid)
    remaining: np.ndarray  # int64 tiyn of it not yet allocated (0 once paid)
    completed: np.ndarray  # int32 ordinal day the stream-month was fully paid; BIG if never
    by_named: np.ndarray  # bool: completed by a payment that named that very month
    overpaid: np.ndarray  # (payments,) int64 tiyn a payment left over
    applied: list[tuple[np.ndarray, np.ndarray, np.ndarray]] | None  # per step: payment, month, tiyn (nonzero)
    used: set  # (parameter, entry start) read

    @property
    def allocated(self) -> np.ndarray:
        """int64 tiyn allocated to each stream-month (worked out when an explanation asks: a population never)."""
        return self.due - self.remaining

    def pieces(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every (payment, month, tiyn) piece of every allocation, in the order applied."""
        assert self.applied is not None, "allocated with pieces=False"
        if not self.applied:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, empty
        return tuple(np.concatenate(parts) for parts in zip(*self.applied))  # type: ignore[return-value]


def deduction_months(policy: PolicySet) -> np.ndarray:
    """The months before the policies' first in which employers' deductions were due (the parameter bound to
    `deductions_due` is 1), ascending: the only months before it a payment, a deduction, may name."""
    timeline = policy.parameters[policy.roles.parameter("deductions_due")].timeline
    if not timeline.entries:
        return np.zeros(0, dtype=np.int64)
    start = timeline.entries[0].start
    out = []
    for m in range(start.year * 12 + start.month - 1, policy.covers[0]):
        day = month_start(m)
        if timeline.exists_at(day) and timeline.at(day).value == 1:
            out.append(m)
    return np.array(out, dtype=np.int64)


def _before_policies(
    policy: PolicySet, due: np.ndarray, first: int, payments: Payments, early: np.ndarray, used: set
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The deductions naming a month before the policies inside the window (their indices), the cells (flat indices
    into `due`) they pay and their amounts; records the parameter entries that let them name those months."""
    t_n, n_p = due.shape[1], due.shape[2]
    e = np.flatnonzero(early & (payments.for_month >= first) & (payments.for_month < first + t_n))
    cells = payments.stream[e] * (t_n * n_p) + (payments.for_month[e] - first) * n_p + payments.person[e]
    timeline = policy.parameters[policy.roles.parameter("deductions_due")].timeline
    for m in np.unique(payments.for_month[e]).tolist():
        used.add((timeline.name, timeline.at(month_start(m)).start))
    return e, cells, payments.amount[e]


def allocate(policy: PolicySet, due: np.ndarray, first: int, payments: Payments, pieces: bool = True) -> Allocation:
    """Allocate `payments` against `due` ((streams, months, persons) tiyn; months from `first`); with `pieces`,
    each (payment, month, tiyn) applied is kept, for explanations."""
    t_n = due.shape[1]
    used: set = set()
    completed = np.full(due.shape, BIG, dtype=np.int32)
    by_named = np.zeros(due.shape, dtype=bool)
    overpaid = np.zeros(payments.size, dtype=np.int64)
    applied: list[tuple[np.ndarray, np.ndarray, np.ndarray]] | None = [] if pieces else None
    due = due.astype(np.int64, copy=False)
    if payments.size == 0:
        return Allocation(first, due, due.copy(), completed, by_named, overpaid, applied, used)

    named = payments.for_month >= 0
    early = named & (payments.for_month < policy.covers[0])
    order = _credit_order(payments, named)
    if early.any():
        order = order[~early[order]]
    account = payments.person[order] * (int(payments.stream.max()) + 1) + payments.stream[order]
    starts = np.flatnonzero(np.r_[True, account[1:] != account[:-1]])
    rank = np.arange(len(order)) - np.repeat(starts, np.diff(np.r_[starts, len(order)]))

    # What the day of a payment decides (its month, the debt window, the deadline), read once for each day (none
    # for a deduction before the policies: it is not credited this way).
    rule_day = np.where(early, month_start(policy.covers[0]).toordinal(), payments.paid_on)
    days, on = np.unique(rule_day, return_inverse=True)
    window_parameter = policy.roles.parameter("debt_window_months")
    made_on = months_of_days(days)
    deadline = policy.parameter_on_days(policy.roles.parameter("due_day"), days, used)
    made = made_on[on]
    window = policy.parameter_on_days(window_parameter, days, used)[on]
    debt_first = (policy.parameter_on_days(policy.roles.parameter("debt_before_named_month"), days, used) == 1)[on]
    fallen = last_fallen_due(made_on, days - month_start_ordinals(made_on) + 1, deadline)[on]
    entries = policy.parameters[window_parameter].timeline.entries
    floor = entries[0].start.year * 12 + entries[0].start.month - 1 if entries else first
    prepay = named & (payments.for_month > made)
    # The months each payment may pay, [lo, hi], in the window's own index.
    lo_debt = np.maximum(made - window.astype(np.int64), floor)
    lo = np.where(named & (prepay | ~debt_first), payments.for_month, lo_debt)
    # A named month older than the debt window is still paid, as named.
    lo = np.where(named & (payments.for_month < lo), payments.for_month, lo)
    hi = np.where(named, payments.for_month, t_n - 1 + first)
    # A named payment clearing debt skips the months between the debt and its own month that are not yet due.
    debt_to = np.where(named & ~prepay & debt_first, np.minimum(fallen, payments.for_month), hi)
    # A month named past the window's last is none of the window's months (clipped, it would seem the last one).
    past_window = named & (payments.for_month > first + t_n - 1)
    lo = np.clip(lo - first, 0, t_n)
    hi = np.clip(hi - first, -1, t_n - 1)
    debt_to = debt_to - first

    # Flat cell indices into (streams, months, persons): one gather per step. `remaining` is what a cell still
    # owes; a step never takes more than that, so allocated = due − remaining at the end.
    n_t, n_p = t_n, due.shape[2]
    remaining = due.ravel().copy()
    done_on = completed.ravel()
    named_by = by_named.ravel()
    # Each account's first month that may still owe (a lower bound: every month before it owes nothing), so a step
    # looks only from there: an account paid up to date has one month to look at, not the whole debt window.
    owes = due.reshape(-1, n_t, n_p) > 0
    low = np.where(owes.any(axis=1), owes.argmax(axis=1), n_t).ravel()  # indexed by stream × n_p + person
    if early.any():
        e, cells, amounts = _before_policies(policy, due, first, payments, early, used)
        due = due.copy()
        np.add.at(due.ravel(), cells, amounts)  # what was due then is what was paid; `remaining` stays 0
        np.minimum.at(done_on, cells, payments.paid_on[e].astype(np.int32))
        named_by[cells] = True
        outside = early & ((payments.for_month < first) | (payments.for_month >= first + t_n))
        overpaid[outside] = payments.amount[outside]  # none of the window's months: kept, shown, as any overpayment
        if applied is not None:
            applied.append((e.astype(np.int64), payments.for_month[e].astype(np.int64), amounts.astype(np.int64)))
    by_rank = np.argsort(rank.astype(np.int16) if len(rank) and rank.max() < 2**15 else rank, kind="stable")
    bounds = np.searchsorted(rank[by_rank], np.arange(int(rank.max(initial=-1)) + 2))
    for k in range(len(bounds) - 1):
        sel = order[by_rank[bounds[k] : bounds[k + 1]]]
        acc = payments.stream[sel] * n_p + payments.person[sel]
        a, b, upto = np.maximum(lo[sel], low[acc]), hi[sel], debt_to[sel]
        amount = payments.amount[sel]
        overpaid[sel] = amount
        # The months each payment looks at, [a, b], laid end to end: payment j's cells are seg == j.
        lens = np.maximum(b - a + 1, 0)
        some = np.flatnonzero(lens)
        if not len(some):
            continue
        ends = np.cumsum(lens[some])
        starts = ends - lens[some]
        seg = np.repeat(some, lens[some])
        t = a[seg] + np.arange(int(ends[-1])) - np.repeat(starts, lens[some])
        inside = (t <= upto[seg]) | ((t == b[seg]) & ~past_window[sel][seg])
        idx = payments.stream[sel][seg] * (n_t * n_p) + payments.person[sel][seg] + t * n_p
        need = np.where(inside, np.maximum(remaining[idx], 0), 0)
        before = np.cumsum(need) - need
        before -= np.repeat(before[starts], lens[some])  # what the payment's earlier months took
        take = np.minimum(np.maximum(amount[seg] - before, 0), need)
        overpaid[sel[some]] = amount[some] - np.add.reduceat(take, starts)
        # One payment per account in a step and one month per cell: the cells that take something are distinct.
        hit = np.flatnonzero(take)
        if applied is not None:  # in the order of the months from each payment's own first month, then the payments'
            hit = hit[np.lexsort((seg[hit], t[hit] - lo[sel][seg[hit]]))]
        cells, got, month, cols = idx[hit], take[hit], t[hit] + first, seg[hit]
        remaining[cells] -= got
        done = remaining[cells] <= 0
        done_on[cells[done]] = payments.paid_on[sel][cols[done]]
        named_by[cells[done]] = payments.for_month[sel][cols[done]] == month[done]
        if applied is not None:
            applied.append((sel[cols].astype(np.int64), month.astype(np.int64), got.astype(np.int64)))
        # An account looked at from its bound moves it to its first month still owing, or past the last it reached.
        offset = np.where(remaining[idx] > 0, t - a[seg], n_t + 1)
        first_owing = np.minimum.reduceat(offset, starts)
        moved = np.where(first_owing <= n_t, a[some] + first_owing, b[some] + 1)
        start = a[some] == low[acc[some]]
        low[acc[some][start]] = np.maximum(low[acc[some]], moved)[start]
    return Allocation(first, due, remaining.reshape(due.shape), completed, by_named, overpaid, applied, used)


def _credit_order(payments: Payments, named: np.ndarray) -> np.ndarray:
    """The payments in the order they are credited: streams are credited independently, so by person and stream,
    then by day, and on one day the older named month first and payments naming none last; then as listed. One
    integer key and a stable sort when the ranges fit in 62 bits, as they do for any real table."""
    month = np.where(named, payments.for_month, -1)
    lows = [int(x.min()) for x in (payments.person, payments.stream, payments.paid_on, month)]
    spans = [int(x.max()) - lo + 1 for x, lo in zip((payments.person, payments.stream, payments.paid_on, month), lows)]
    spans[3] += 1  # a place after every month for the payments naming none
    if np.prod([float(x) for x in spans]) >= 2.0**62:
        return np.lexsort(
            (
                np.arange(payments.size),
                np.where(named, month, np.iinfo(np.int64).max),
                payments.paid_on,
                payments.stream,
                payments.person,
            )
        )
    key = payments.person - lows[0]
    for x, lo, span in zip((payments.stream, payments.paid_on), lows[1:3], spans[1:3]):
        key = key * span + (x - lo)
    key = key * spans[3] + np.where(named, month - lows[3], spans[3] - 1)
    return np.argsort(key, kind="stable")


def month_paid(alloc: Allocation, due: np.ndarray, own: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per (month, person): the day every own stream due that month was paid (BIG if one is not, or none is
    due), whether each was completed by a payment naming that month, and whether anything own was due."""
    owed = due[own] > 0  # (own streams, months, persons)
    any_due = owed.any(axis=0)
    day = np.where(owed, alloc.completed[own], 0).max(axis=0, initial=0)
    day = np.where(any_due, day, BIG).astype(np.int32)
    named = np.where(owed, alloc.by_named[own], True).all(axis=0) & any_due
    return day, named, any_due
