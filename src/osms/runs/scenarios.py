"""Evaluate scenarios over months: contributions, categories, the history of payments and insured status, as
data (`osms.outputs.records` makes records of it)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from ..core.dates import due_date, month_start
from ..core.errors import OsmsError
from ..engine.allocation import BIG, Payments, deduction_months
from ..engine.evaluation import MonthResult, evaluate_month
from ..engine.history import History, Stream, due_array, history_from_payments, payment_streams, window_for
from ..engine.status import Status, compute_status
from ..inputs.scenario import require_born
from ..inputs.scenario_batch import build_batch
from ..inputs.scenario_model import Scenario
from ..policy import PolicySet


@dataclass
class Evaluation:
    policy: PolicySet
    scenarios: list[Scenario]
    results: dict[int, MonthResult]
    history: History

    def status(self, day: dt.date) -> Status:
        return compute_status(self.policy, self.history, day)


def evaluate(
    policy: PolicySet, scenarios: list[Scenario], months: list[int], lang: str = "en", strict: bool = True
) -> Evaluation:
    """Evaluate every month from the start of the policy set to the last one asked (status needs the history).

    With `strict`, a person the policies cannot answer for in an asked month (an `invalid_if`) is an error;
    otherwise the caller inspects `results[month].invalid`."""
    if strict:  # every asked month applies to every scenario (regression cases check their own month)
        require_born(scenarios, months)
    results = evaluate_range(policy, scenarios, policy.covers[0], policy.covers[1])
    errors = []
    for m in months if strict else ():
        errors.extend(invalid_errors(results[m], scenarios, lang))
    if errors:
        from ..core.errors import OsmsErrors

        raise OsmsErrors(errors) if len(errors) > 1 else errors[0]
    return Evaluation(policy, scenarios, results, build_history(policy, scenarios, results))


def invalid_errors(res: MonthResult, scenarios: list[Scenario], lang: str) -> list[OsmsError]:
    """An error for each person the policies cannot answer for in the month (an `invalid_if`), naming the file."""
    out = []
    for inv in res.invalid:
        for i in np.flatnonzero(inv.mask):
            out.append(OsmsError(inv.message(res.month, lang), file=scenarios[i].file))
    return out


def evaluate_range(
    policy: PolicySet, scenarios: list[Scenario], first: int, last: int, categories_only: bool = False
) -> dict[int, MonthResult]:
    return {
        m: evaluate_month(policy, build_batch(scenarios, m, policy), m, categories_only) for m in range(first, last + 1)
    }


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


def build_history(policy: PolicySet, scenarios: list[Scenario], evaluated: dict[int, MonthResult]) -> History:
    """`evaluated`: full results for every month the policies cover (amounts due, memberships). A scenario that lists
    no payments is taken to have paid every month on time (from the first job on, for deductions due before 2020)."""
    n = len(scenarios)
    deductions = policy.parameters[policy.roles.parameter("deductions_due")].timeline
    earliest = None
    assumed = np.array([not s.payments_recorded for s in scenarios], dtype=bool)
    if assumed.any():
        first_job = min((job.spell.start for s, a in zip(scenarios, assumed) if a for job in s.jobs), default=None)
        if first_job is not None and deductions.entries:
            start = max(first_job, deductions.entries[0].start)
            earliest = start.year * 12 + start.month - 1
    # Recorded deductions may name months before the policies (their checks allow no other payment there).
    early = min((p.for_month for s in scenarios for p in s.payments if p.for_month is not None), default=None)
    if early is not None and early < policy.covers[0]:
        earliest = early if earliest is None else min(earliest, early)
    first, end = window_for(policy, earliest, max(max(evaluated), policy.covers[1]))
    t = end - first
    slots = max((len(s.jobs) for s in scenarios), default=0) or 1
    streams = payment_streams(policy, slots)
    due = due_array(streams, evaluated, first, t, n)
    payments, origin = scenario_payments(scenarios, streams)
    member = np.zeros((t, n), dtype=bool)
    it_failure = np.zeros((t, n), dtype=bool)
    participant = np.zeros((t, n), dtype=bool)
    for m, res in evaluated.items():
        member[m - first] = res.values["preferential"]
        participant[m - first] = res.values[policy.roles.rule("participant")]
    failure_fact = policy.roles.fact("system_failure")
    for i, s in enumerate(scenarios):
        for name, spell, value in s.facts:
            if name == failure_fact and value:
                for m in range(t):
                    if spell.overlaps_month(first + m):
                        it_failure[m, i] = True
    hist = history_from_payments(policy, streams, due, first, payments, member, participant, it_failure, assumed)
    hist.ledger.origin = origin
    deadline = int(policy.parameter_value(policy.roles.parameter("due_day"), month_start(policy.covers[0]))[0])
    in_force = set(deduction_months(policy).tolist())
    for i in np.flatnonzero(assumed).tolist():
        owed = hist.obligation[:, i].copy()
        for m in range(max(policy.covers[0] - first, 0)):
            owed[m] = first + m in in_force and any(job.spell.overlaps_month(first + m) for job in scenarios[i].jobs)
            if owed[m]:
                hist.used.add((deductions.name, deductions.at(month_start(first + m)).start))
        hist.paid_day[:, i] = BIG
        for m in np.flatnonzero(owed).tolist():
            hist.paid_day[m, i] = due_date(first + int(m), deadline).toordinal()
    return hist
