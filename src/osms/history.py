"""Month-by-month history of scenarios (payments, memberships, obligations), the input to insured status."""

from __future__ import annotations

import numpy as np

from .dates import due_date, month_start
from .evaluation import MonthResult, evaluate_month
from .policy import PolicySet
from .scenario import Scenario, build_batch
from .status import BIG, OWN_PAYERS, OWN_PAYMENT_KINDS, History, window_for


def evaluate_range(policy: PolicySet, scenarios: list[Scenario], first: int, last: int,
                   categories_only: bool = False) -> dict[int, MonthResult]:
    return {m: evaluate_month(policy, build_batch(scenarios, m, policy), m, categories_only)
            for m in range(first, last + 1)}


def own_due(policy: PolicySet, res: MonthResult) -> np.ndarray:
    """True where the person (or an employer for them) owed a contribution or deduction that month."""
    due = np.zeros(res.size, dtype=bool)
    for rule in policy.rules.values():
        if rule.payer in OWN_PAYERS:
            v = res.values[rule.name]
            due |= (v.sum(axis=0) if v.ndim == 2 else v) > 0
    return due


def build_history(policy: PolicySet, scenarios: list[Scenario], evaluated: dict[int, MonthResult],
                  categories: dict[int, MonthResult]) -> History:
    """`evaluated`: full results for months up to the last one asked; `categories`: memberships over the covers."""
    n = len(scenarios)
    earliest = min((p.for_month for s in scenarios for p in s.payments), default=None)
    deductions = policy.parameters["employer_deductions_in_force"].timeline
    used: set = set()
    if any(not s.payments for s in scenarios):
        first_job = min((job.spell.start for s in scenarios for job in s.jobs), default=None)
        if first_job is not None and deductions.entries:
            start = max(first_job, deductions.entries[0].start)
            m0 = start.year * 12 + start.month - 1
            earliest = m0 if earliest is None else min(earliest, m0)
    last_asked = max(evaluated) if evaluated else policy.covers[0]
    first, end = window_for(policy, earliest, max(last_asked, policy.covers[1]))
    t = end - first
    paid_day = np.full((t, n), BIG, dtype=np.int32)
    member = np.zeros((t, n), dtype=bool)
    obligation = np.zeros((t, n), dtype=bool)
    it_failure = np.zeros((t, n), dtype=bool)
    for m, res in categories.items():
        member[m - first] = res.values["preferential"]
    for m, res in evaluated.items():
        obligation[m - first] = own_due(policy, res)
    assumed = np.array([not s.payments for s in scenarios], dtype=bool)
    deadline = int(policy.parameter_value("payment_deadline_day", month_start(policy.covers[0]))[0])
    for i, s in enumerate(scenarios):
        for p in s.payments:
            if p.kind in OWN_PAYMENT_KINDS and p.amount > 0 and first <= p.for_month < end:
                c = p.for_month - first
                paid_day[c, i] = min(paid_day[c, i], p.paid_on.toordinal())
        if assumed[i]:
            due = obligation[:, i].copy()
            for m in range(max(policy.covers[0] - first, 0)):
                day = month_start(first + m)
                due[m] = (any(job.spell.overlaps_month(first + m) for job in s.jobs)
                          and deductions.exists_at(day) and deductions.at(day).payload == 1)
                if due[m]:
                    used.add(("employer_deductions_in_force", deductions.at(day).start))
            for m in np.flatnonzero(due):
                paid_day[m, i] = due_date(first + int(m), deadline).toordinal()
        for name, spell, value in s.facts:
            if name == "it_failure" and value:
                for m in range(t):
                    if spell.overlaps_month(first + m):
                        it_failure[m, i] = True
    return History(first, paid_day, member, obligation, it_failure, assumed, used)
