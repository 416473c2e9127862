"""The month-by-month history status is decided on (amounts due, payments credited, memberships), and its one
builder from payments, shared by the scenario path and the payments-table path."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..core.dates import month_start
from ..policy import PolicySet
from .allocation import Allocation, Payments, allocate, month_paid
from .evaluation import MonthResult


@dataclass
class History:
    """Month-by-month facts over a window, time-major (one row per month, one column per person)."""

    first: int  # month index of row 0
    paid_day: np.ndarray  # (T, n) int32: ordinal of the earliest own payment for that month; BIG if none
    member: np.ndarray  # (T, n) bool: in a state- or locally-paid category
    obligation: np.ndarray  # (T, n) bool: an own contribution or deduction was due
    it_failure: np.ndarray  # (T, n) bool
    assumed: np.ndarray  # (n,) bool: payments assumed made on time (the scenario lists none)
    used: set = field(default_factory=set)  # parameter entries read while building the history
    named: np.ndarray | None = None  # (T, n) bool: each amount due that month paid by a payment naming it
    ledger: Any = None  # the allocation behind paid_day, for explanations (scenario path)
    self_paying: np.ndarray | None = None  # (T, n) bool: the person's own self-payment was due that month
    participant: np.ndarray | None = None  # (T, n) bool: takes part in ОСМС (the participant rule), for the transition

    @property
    def size(self) -> int:
        return self.paid_day.shape[1]


def window_for(policy: PolicySet, earliest_payment_month: int | None, last_month: int) -> tuple[int, int]:
    """Months the history must span: back to the earliest month before the policies a payment names or a job's
    deductions are assumed paid for, and 12 after the last for prepayments."""
    first = policy.covers[0]
    if earliest_payment_month is not None:
        first = min(first, earliest_payment_month)
    return first, last_month + 13


@dataclass(frozen=True)
class Stream:
    """One contribution a payment can pay: a rule with a payer, and for a per-job rule the job slot."""

    rule: str
    slot: int | None


def payment_streams(policy: PolicySet, slots: int) -> list[Stream]:
    out: list[Stream] = []
    for rule in policy.rules.values():
        if rule.payer:
            out.extend(
                [Stream(rule.name, j) for j in range(slots)] if rule.entity == "job" else [Stream(rule.name, None)]
            )
    return out


def budget_payers(policy: PolicySet) -> set[str]:
    """Payers that pay for category members (the budgets); the others are the person's own payers."""
    return {e.payload.payer for c in policy.categories.values() for e in c.timeline.entries if e.payload is not None}


def own_streams(policy: PolicySet, streams: list[Stream]) -> np.ndarray:
    """Which streams are the person's own to pay (not a budget's)."""
    budget = budget_payers(policy)
    return np.array([policy.rules[s.rule].payer not in budget for s in streams], dtype=bool)


def owes_own(policy: PolicySet, res: MonthResult, months: Iterable[int] = ()) -> tuple[np.ndarray, np.ndarray]:
    """Whether any of the person's own contributions is due in the month evaluated, (persons,) (in tiyn, as the
    allocation sees it); and, the person's situation taken as the same, in each of `months`, (months, persons): a
    contribution whose rule computed nothing then (a regime not yet or no longer in force) was not owed."""
    assert res.batch is not None
    every = payment_streams(policy, res.batch.facts["wage"].shape[0])
    streams = [s for s, own in zip(every, own_streams(policy, every)) if own]
    now = due_of(streams, res.values, res.size) > 0
    owes = np.asarray(now.any(axis=0), dtype=bool)
    months = list(months)
    then = np.empty((len(months), res.size), dtype=bool)
    alike: dict[tuple[bool, ...], np.ndarray] = {}  # months whose rules compute the same streams owe alike
    for k, mo in enumerate(months):
        live = tuple(policy.rules[s.rule].computes_on(month_start(mo)) for s in streams)
        if live not in alike:
            alike[live] = owes if all(live) else (now & np.array(live, dtype=bool)[:, None]).any(axis=0)
        then[k] = alike[live]
    return owes, then


def due_array(streams: list[Stream], evaluated: dict[int, MonthResult], first: int, months: int, n: int) -> np.ndarray:
    """(streams, months, persons) amounts due in tiyn, from the evaluated contributions."""
    due = np.zeros((len(streams), months, n), dtype=np.int64)
    for m, res in evaluated.items():
        if 0 <= m - first < months:
            due[:, m - first] = due_of(streams, res.values, n)
    return due


def due_of(streams: list[Stream], values: dict[str, np.ndarray], n: int) -> np.ndarray:
    """(streams, persons) amounts due in tiyn in one month, from that month's contributions (`values` by rule)."""
    due = np.zeros((len(streams), n), dtype=np.int64)
    for si, s in enumerate(streams):
        v = values[s.rule]
        if s.slot is not None:
            v = v[s.slot] if s.slot < v.shape[0] else np.zeros(n)
        due[si] = np.round(np.asarray(v, dtype=np.float64) * 100).astype(np.int64)
    return due


@dataclass
class Ledger:
    """What the allocation worked on, kept for explanations."""

    streams: list[Stream]
    due: np.ndarray
    own: np.ndarray
    allocation: Allocation
    origin: list[tuple[int, int]]  # payment row → (scenario, payment index)
    payments: Payments


def self_paying(policy: PolicySet, streams: list[Stream], due: np.ndarray) -> np.ndarray:
    """(months, persons): whether the person's own self-payment (the rule bound to the role) was due."""
    rule = policy.roles.rule("self_payment")
    rows = [si for si, s in enumerate(streams) if s.rule == rule]
    return due[rows].sum(axis=0) > 0 if rows else np.zeros(due.shape[1:], dtype=bool)


def credit(
    policy: PolicySet, streams: list[Stream], due: np.ndarray, first: int, payments: Payments, pieces: bool = True
) -> tuple[Ledger, np.ndarray, np.ndarray, np.ndarray]:
    """Payments credited against the amounts due, one way for scenarios and populations: the ledger (with each
    piece applied if `pieces`), and per (month, person) the day the month was paid, whether by payments naming it,
    and whether anything own was due."""
    own = own_streams(policy, streams)
    alloc = allocate(policy, due, first, payments, pieces)
    # alloc.due: before the policies' first month, what the deductions naming a month paid is what was due then.
    paid_day, named, obligation = month_paid(alloc, alloc.due, own)
    return Ledger(streams, alloc.due, own, alloc, [], payments), paid_day, named, obligation


def history_from_payments(
    policy: PolicySet,
    streams: list[Stream],
    due: np.ndarray,
    first: int,
    payments: Payments,
    member: np.ndarray,
    participant: np.ndarray,
    it_failure: np.ndarray,
    assumed: np.ndarray,
    used: Iterable[Any] = (),
    pieces: bool = True,
) -> History:
    """The history of persons from the amounts due and their payments, credited (`credit`); the ledger kept (its
    pieces if `pieces`: an explanation reads them, a population does not)."""
    ledger, paid_day, named, obligation = credit(policy, streams, due, first, payments, pieces)
    hist = History(
        first,
        paid_day,
        member,
        obligation,
        it_failure,
        assumed,
        set(used) | ledger.allocation.used,
        named=named,
        self_paying=self_paying(policy, streams, due),
        participant=participant,
    )
    hist.ledger = ledger
    return hist
