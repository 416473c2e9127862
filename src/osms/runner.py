"""Evaluate scenarios over months: contributions, categories and insured status, as records."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from .dates import month_end
from .evaluation import MonthResult
from .history import build_history, evaluate_range
from .policy import PolicySet
from .report import invalid_errors, person_record
from .scenario import Scenario, require_born
from .status import REASON_CODES, History, Status, compute_status, day_of


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
        from .errors import OsmsErrors

        raise OsmsErrors(errors) if len(errors) > 1 else errors[0]
    return Evaluation(policy, scenarios, results, build_history(policy, scenarios, results))


def status_fields(st: Status, i: int) -> dict[str, Any]:
    return {
        "insured": bool(st.insured[i]),
        "insured_reason": REASON_CODES[int(st.reason[i])],
        "insured_until": day_of(int(st.insured_until[i])),
        "grace_period_end": day_of(int(st.grace_period_end[i])),
        "debt_months": int(st.debt_months[i]),
        "status_on": st.on.isoformat(),
    }


def full_record(ev: Evaluation, res: MonthResult, st: Status, i: int) -> dict[str, Any]:
    """Person i's month: contributions, categories, status (with what the payments paid) and the package."""
    from .status_detail import next_payment_due, overpaid, payments_applied

    assert res.batch is not None
    rec = person_record(ev.policy, res, res.batch, i, ev.scenarios[i].id)
    rec.update(status_fields(st, i))
    deadline = int(ev.policy.parameter_value(ev.policy.roles.parameter("due_day"), st.on)[0])
    rec["next_payment_due"] = next_payment_due(ev.history, i, st.on, deadline)
    rec["payments_assumed"] = bool(ev.history.assumed[i])
    rec["payments_applied"] = payments_applied(ev.history, i, st.on)
    rec["overpaid"] = overpaid(ev.history, i, st.on)
    rec["osms_package"] = bool(rec["insured"] and res.values[ev.policy.roles.rule("participant")][i])
    return rec


def records(ev: Evaluation, months: list[int], on: dt.date | None = None) -> list[dict[str, Any]]:
    """Records for each month asked, status at the month's end (or, with `on`, on that day of its month)."""
    out: list[dict[str, Any]] = []
    for m in months:
        st = ev.status(on if on is not None else month_end(m))
        out.extend(full_record(ev, ev.results[m], st, i) for i in range(len(ev.scenarios)))
    out.sort(key=lambda r: (r["scenario"], r["month"]))
    return out
