"""Month-by-month history of scenarios (amounts due, payments allocated, memberships), the input to status."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .allocation import Allocation, Payments, allocate, month_paid
from .dates import due_date, month_start
from .evaluation import MonthResult, evaluate_month
from .policy import PolicySet
from .scenario import Scenario, build_batch
from .status import BIG, History, window_for


def evaluate_range(
    policy: PolicySet, scenarios: list[Scenario], first: int, last: int, categories_only: bool = False
) -> dict[int, MonthResult]:
    return {
        m: evaluate_month(policy, build_batch(scenarios, m, policy), m, categories_only) for m in range(first, last + 1)
    }


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
    budget = budget_payers(policy)
    return np.array([policy.rules[s.rule].payer not in budget for s in streams], dtype=bool)


def due_array(streams: list[Stream], evaluated: dict[int, MonthResult], first: int, months: int, n: int) -> np.ndarray:
    """(streams, months, persons) amounts due in tiyn, from the evaluated contributions."""
    due = np.zeros((len(streams), months, n), dtype=np.int64)
    for m, res in evaluated.items():
        if not 0 <= m - first < months:
            continue
        for si, s in enumerate(streams):
            v = res.values[s.rule]
            if s.slot is not None:
                v = v[s.slot] if s.slot < v.shape[0] else np.zeros(n)
            due[si, m - first] = np.round(np.asarray(v, dtype=np.float64) * 100).astype(np.int64)
    return due


def scenario_payments(scenarios: list[Scenario], streams: list[Stream]) -> tuple[Payments, list[tuple[int, int]]]:
    """The recorded payments as a table, and for each row (scenario index, payment index in the scenario)."""
    index = {s: i for i, s in enumerate(streams)}
    rows: list[tuple[int, int, int, int, int]] = []
    origin: list[tuple[int, int]] = []
    for i, sc in enumerate(scenarios):
        for k, p in enumerate(sc.payments):
            slot = None
            if p.employer is not None:
                slots = [j for j, job in enumerate(sc.jobs) if job.employer == p.employer]
                named = [j for j in slots if p.for_month is not None and sc.jobs[j].spell.overlaps_month(p.for_month)]
                slot = (named or slots)[0]
            stream = index.get(Stream(p.kind, slot), index.get(Stream(p.kind, None)))
            assert stream is not None, (p.kind, slot)
            rows.append(
                (i, stream, p.paid_on.toordinal(), int(p.amount * 100), p.for_month if p.for_month is not None else -1)
            )
            origin.append((i, k))
    cols = np.array(rows, dtype=np.int64).reshape(-1, 5).T
    return Payments(*cols), origin


@dataclass
class Ledger:
    """What the allocation worked on, kept for explanations."""

    streams: list[Stream]
    due: np.ndarray
    own: np.ndarray
    allocation: Allocation
    origin: list[tuple[int, int]]  # payment row → (scenario, payment index)
    payments: Payments


def build_history(policy: PolicySet, scenarios: list[Scenario], evaluated: dict[int, MonthResult]) -> History:
    """`evaluated`: full results for every month the policies cover (amounts due, memberships)."""
    n = len(scenarios)
    deductions = policy.parameters[policy.roles.parameter("deductions_due")].timeline
    used: set = set()
    earliest = None
    assumed = np.array([not s.payments_recorded for s in scenarios], dtype=bool)
    if assumed.any():
        first_job = min((job.spell.start for s, a in zip(scenarios, assumed) if a for job in s.jobs), default=None)
        if first_job is not None and deductions.entries:
            start = max(first_job, deductions.entries[0].start)
            earliest = start.year * 12 + start.month - 1
    first, end = window_for(policy, earliest, max(max(evaluated), policy.covers[1]))
    t = end - first
    slots = max((len(s.jobs) for s in scenarios), default=0) or 1
    streams = payment_streams(policy, slots)
    due = due_array(streams, evaluated, first, t, n)
    payments, origin = scenario_payments(scenarios, streams)
    ledger, paid_day, named, obligation = credit(policy, streams, due, first, payments)
    used |= ledger.allocation.used
    member = np.zeros((t, n), dtype=bool)
    it_failure = np.zeros((t, n), dtype=bool)
    participant = np.zeros((t, n), dtype=bool)
    for m, res in evaluated.items():
        member[m - first] = res.values["preferential"]
        participant[m - first] = res.values[policy.roles.rule("participant")]
    deadline = int(policy.parameter_value(policy.roles.parameter("due_day"), month_start(policy.covers[0]))[0])
    failure_fact = policy.roles.fact("system_failure")
    for i, s in enumerate(scenarios):
        if assumed[i]:
            owed = obligation[:, i].copy()
            for m in range(max(policy.covers[0] - first, 0)):
                day = month_start(first + m)
                owed[m] = (
                    any(job.spell.overlaps_month(first + m) for job in s.jobs)
                    and deductions.exists_at(day)
                    and deductions.at(day).value == 1
                )
                if owed[m]:
                    used.add((deductions.name, deductions.at(day).start))
            paid_day[:, i] = BIG
            for m in np.flatnonzero(owed).tolist():
                paid_day[m, i] = due_date(first + int(m), deadline).toordinal()
        for name, spell, value in s.facts:
            if name == failure_fact and value:
                for m in range(t):
                    if spell.overlaps_month(first + m):
                        it_failure[m, i] = True
    hist = History(
        first,
        paid_day,
        member,
        obligation,
        it_failure,
        assumed,
        used,
        named=named,
        self_paying=self_paying(policy, streams, due),
        participant=participant,
    )
    ledger.origin = origin
    hist.ledger = ledger
    return hist


def self_paying(policy: PolicySet, streams: list[Stream], due: np.ndarray) -> np.ndarray:
    """(months, persons): whether the person's own self-payment (the rule bound to the role) was due."""
    rule = policy.roles.rule("self_payment")
    rows = [si for si, s in enumerate(streams) if s.rule == rule]
    return due[rows].sum(axis=0) > 0 if rows else np.zeros(due.shape[1:], dtype=bool)


def credit(
    policy: PolicySet, streams: list[Stream], due: np.ndarray, first: int, payments: Payments
) -> tuple[Ledger, np.ndarray, np.ndarray, np.ndarray]:
    """Payments credited against the amounts due, one way for scenarios and populations: the ledger, and per
    (month, person) the day the month was paid, whether by payments naming it, and whether anything own was due."""
    own = own_streams(policy, streams)
    alloc = allocate(policy, due, first, payments)
    paid_day, named, obligation = month_paid(alloc, due, own)
    return Ledger(streams, due, own, alloc, [], payments), paid_day, named, obligation
