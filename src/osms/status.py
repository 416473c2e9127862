"""Insured status on a date: payments, categories, grace periods and the 2020 transition, vectorized over persons.

The routes and their order are fixed here; every number (12 months, 3 or 6 months of grace, 60 months of history,
the dates each route applies from) is a dated policy parameter, read through the role the policy set's `roles:`
section binds it to (osms.roles), so an amendment of those, or a renamed parameter, is a data edit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .dates import last_fallen_due, month_end, month_of, month_start_ordinals
from .errors import OsmsError
from .history import History
from .messages import _
from .policy import PolicySet, UndefinedAt
from .roles import OUTCOMES

REASON_CODES = list(OUTCOMES["status"])  # a Status's `reason` indexes this; the wording is the policy set's


@dataclass
class Status:
    on: dt.date
    insured: np.ndarray
    reason: np.ndarray  # index into REASON_CODES
    insured_until: np.ndarray  # ordinal day, 0 = open-ended (while a member), -1 = not insured
    grace_period_end: np.ndarray  # ordinal day or -1
    debt_months: np.ndarray
    last_paid_month: np.ndarray  # month index or -1
    continuous_months: np.ndarray  # run of paid months ending at the last paid month
    params: dict[str, Any] = field(default_factory=dict)
    fixed: set = field(default_factory=set)  # (parameter, entry start) read when a grace or retention began


def _param(policy: PolicySet, role: str, day: dt.date, used: dict[str, Any]) -> int:
    """The parameter bound to `role`, on `day`; records it in `used` under the parameter's name."""
    name = policy.roles.parameter(role)
    try:
        value, entry = policy.parameter_value(name, day)
    except UndefinedAt as exc:
        raise OsmsError(
            _("{message} (needed for insured status on {day})", message=exc.message, day=day),
            file=exc.location.file,
            line=exc.location.line,
            field=exc.location.field,
        ) from None
    used[name] = (value, entry)
    return int(value)


def _param_at_months(policy: PolicySet, role: str, months: np.ndarray, used: set) -> np.ndarray:
    """The parameter bound to `role`, read on the first day of each person's month (a rule fixed when an event
    began); months before the policies' coverage read its first month."""
    days = month_start_ordinals(np.maximum(months, policy.covers[0]))
    return policy.parameter_on_days(policy.roles.parameter(role), days, used).astype(np.int64)


def _runs(paid: np.ndarray) -> np.ndarray:
    """(T, n): the run of consecutive True months ending at each month."""
    runs = np.empty(paid.shape, dtype=np.int32)
    run = np.zeros(paid.shape[1], dtype=np.int32)
    for t in range(paid.shape[0]):
        run += 1
        run *= paid[t]
        runs[t] = run
    return runs


def _last_true(mask: np.ndarray) -> np.ndarray:
    """Row index of the last True in each column, or -1."""
    t = mask.shape[0]
    if t == 0:
        return np.full(mask.shape[1], -1)
    rev = np.argmax(mask[::-1], axis=0)
    return np.where(mask.any(axis=0), t - 1 - rev, -1)


def compute_status(policy: PolicySet, hist: History, day: dt.date) -> Status:
    """Insured status of every person on `day`, from payments made by that day and category memberships."""
    used: dict[str, Any] = {}
    n = hist.size
    rows = hist.paid_day.shape[0]
    m = month_of(day) - hist.first
    if not 0 <= m < rows:
        raise OsmsError(_("no payment history is built for {day}", day=day))
    required = _param(policy, "qualifying_months", day, used)
    transition = _param(policy, "everyone_insured", day, used)
    prospective = _param(policy, "prospective_payments", day, used)
    deadline = _param(policy, "due_day", day, used)
    # A transitional rule may qualify those who pay for themselves sooner (2020–2021: 3 months, §9.15).
    # Shown among the rules read only where it applies: while in force, to someone paying for themselves.
    own_read: dict[str, Any] = {}
    own_required = _param(policy, "self_payment_qualifying_months", day, own_read)
    need = np.full(n, required)
    if hist.self_paying is not None and hist.self_paying[m].any():
        used.update(own_read)
        if own_required:
            need = np.where(hist.self_paying[m], own_required, required)
    cols = np.arange(n)

    paid = hist.paid_day <= day.toordinal()  # payments made by this day, for any month
    # The run of paid months ending at each month, then: the end of the latest run of >= 12 (a run that goes on
    # stays qualifying to its end), its length, the last paid month and the longest run.
    runs = _runs(paid[: m + 1])
    qualifying = runs >= need[None, :]
    credited_runs = runs
    if _param(policy, "budget_months_count", day, used):
        # A month the budget paid for counts toward the 12 (docs/legal-basis.md §9.15), but only where the person's
        # own payments take over: the run ends in an own-paid month, or in a budget-paid month followed by a month
        # with an own contribution due. A membership on its own gives no payment grace: it has its exit retention.
        credited_runs = _runs(paid[: m + 1] | hist.member[: m + 1])
        own_next = np.zeros((m + 1, n), dtype=bool)
        own_next[:-1] = hist.obligation[1 : m + 1] | paid[1 : m + 1]
        if m + 1 < rows:
            own_next[-1] = hist.obligation[m + 1] | paid[m + 1]
        qualifying = (credited_runs >= need[None, :]) & (paid[: m + 1] | (hist.member[: m + 1] & own_next))
    end = _last_true(qualifying)
    run_len = np.where(end >= 0, credited_runs[np.maximum(end, 0), cols], 0)
    own_run_len = np.where(end >= 0, runs[np.maximum(end, 0), cols], 0)  # the 60-month chain: own payments only
    last_paid = _last_true(paid[: m + 1])
    ever_run = runs.max(axis=0)
    # A grace period is fixed by the rules in force when it began, the first day of the first month not paid
    # (docs/legal-basis.md §9.13): a gap that began in 2025 keeps 2025's grace after 2026 starts.
    fixed: set = set()
    gap = np.where(end >= 0, end + 1, m) + hist.first
    person_grace = np.where(
        own_run_len >= _param_at_months(policy, "long_history_months", gap, fixed),
        _param_at_months(policy, "long_history_grace", gap, fixed),
        _param_at_months(policy, "grace", gap, fixed),
    )
    by_payments = (end >= 0) & (m - end <= person_grace)
    # Month m-1 falls due on the deadline day of month m: only an overdue month puts a person in grace.
    last_due = last_fallen_due(m, day.day, deadline)
    in_grace = by_payments & (end < last_due)

    by_prospective = np.zeros(n, dtype=bool)
    pros_end = np.full(n, -1)
    if prospective:
        route_from = used[policy.roles.parameter("prospective_payments")][1].start.toordinal()
        lo, hi = max(m - required + 1, 0), min(m + required, rows)
        # 12 separate payments: each month paid by a payment that named it (a lump sum pays no month by name).
        adv = paid[lo:hi] & (hist.paid_day[lo:hi] >= route_from)
        if hist.named is not None:
            adv &= hist.named[lo:hi]
        fwd = np.zeros(adv.shape, dtype=np.int32)
        run = np.zeros(n, dtype=np.int32)
        for t in range(adv.shape[0] - 1, -1, -1):
            run += 1
            run *= adv[t]
            fwd[t] = run
        for s in range(lo, m + 1):
            ok = fwd[s - lo] >= required
            pros_end = np.where(ok & ~by_prospective, s + fwd[s - lo] - 1, pros_end)
            by_prospective |= ok

    member = hist.member[m]
    c_last = _last_true(hist.member[:m])  # last member month before this one
    member_until = _member_until(hist.member, m, policy.covers[1] - hist.first)
    # A retention after leaving a category is fixed by the rules in force when the membership ended.
    left = np.where(member, np.where(member_until >= 0, member_until + 1, m), np.where(c_last >= 0, c_last + 1, m))
    left = left + hist.first
    person_exit = np.where(
        ever_run >= _param_at_months(policy, "long_history_months", left, fixed),
        _param_at_months(policy, "long_history_category_exit_grace", left, fixed),
        _param_at_months(policy, "category_exit_grace", left, fixed),
    )
    by_exit = ~member & (c_last >= 0) & (m - c_last <= person_exit)

    reason = np.full(n, REASON_CODES.index("none"))
    insured = np.zeros(n, dtype=bool)
    until = np.full(n, -1, dtype=np.int64)
    grace_end = np.full(n, -1, dtype=np.int64)
    ends = np.array([month_end(hist.first + t).toordinal() for t in range(rows + 24)], dtype=np.int64)

    def month_end_ord(idx: np.ndarray) -> np.ndarray:
        return np.where(idx >= 0, ends[np.clip(idx, 0, len(ends) - 1)], -1)

    def take(mask: np.ndarray, code: str, until_idx: np.ndarray | None, grace_idx: np.ndarray | None) -> None:
        nonlocal insured
        new = mask & ~insured
        if not new.any():
            return
        reason[new] = REASON_CODES.index(code)
        until[new] = 0 if until_idx is None else month_end_ord(until_idx)[new]
        if grace_idx is not None:
            grace_end[new] = month_end_ord(grace_idx)[new]
        insured = insured | new

    if transition:
        # Art. 40 extends the right to ОСМС care to everyone who takes part in ОСМС, paid for or not; a temporary
        # resident outside it is not made insured (docs/legal-basis.md §9.9).
        if hist.participant is None:
            raise OsmsError(_("the history has no ОСМС participation, needed for the 2020 transition"))
        take(hist.participant[m], "transition_2020", None, None)
    # While a member, the status lasts; once the membership ends, the exit grace applies.
    take(member, "category", np.where(member_until >= 0, member_until + person_exit, -1), None)
    take(by_payments & ~in_grace, "payments", end + person_grace, None)
    take(by_prospective, "prospective", pros_end + person_grace, None)
    take(in_grace, "grace", end + person_grace, end + person_grace)
    take(by_exit, "category_exit", c_last + person_exit, c_last + person_exit)
    # Those insured only by the transitional number of months are insured until that rule ends, at the latest.
    if own_required and hist.self_paying is not None:
        ends_on = _next_change(policy, policy.roles.parameter("self_payment_qualifying_months"), day)
        soon = insured & (reason == REASON_CODES.index("payments")) & (run_len < required)
        if ends_on is not None:
            until = np.where(soon & (until > ends_on), ends_on, until)
    # A membership that runs on past what is known has no end date: "while a member".
    until[member & (member_until < 0) & (reason == REASON_CODES.index("category"))] = 0

    failure = hist.it_failure[m] & ~insured
    if failure.any():
        start = _spell_start(hist.it_failure, m)
        for s in np.unique(start[failure]):
            if s <= 0:
                continue
            before = compute_status(policy, hist, month_end(hist.first + int(s) - 1))
            keep = failure & (start == s) & before.insured
            reason[keep] = REASON_CODES.index("it_failure")
            until[keep] = 0
            insured = insured | keep

    window = np.arange(rows)
    due = (window >= max(m - 12, 0)) & (window <= last_due) & (window >= policy.covers[0] - hist.first)
    debt = (hist.obligation[due] & ~paid[due]).sum(axis=0)
    last = np.where(end >= 0, end, last_paid)
    return Status(
        day,
        insured,
        reason,
        until,
        grace_end,
        debt.astype(np.int64),
        np.where(last >= 0, last + hist.first, -1),
        run_len.astype(np.int64),
        used,
        fixed,
    )


def _next_change(policy: PolicySet, name: str, day: dt.date) -> int | None:
    """The ordinal of the last day before the parameter's next entry after `day`, if it has one."""
    later = [e.start for e in policy.parameters[name].timeline.entries if e.start > day]
    return (min(later) - dt.timedelta(days=1)).toordinal() if later else None


def _member_until(member: np.ndarray, m: int, known_last: int) -> np.ndarray:
    """For persons who are members in month m: the last month of that membership run (-1 if it runs on
    to the last month whose memberships are known)."""
    n = member.shape[1]
    out = np.full(n, -1)
    alive = member[m].copy()
    for c in range(m + 1, min(known_last + 1, member.shape[0])):
        stop = alive & ~member[c]
        out[stop] = c - 1
        alive &= member[c]
    return out


def _spell_start(mask: np.ndarray, m: int) -> np.ndarray:
    n = mask.shape[1]
    start = np.full(n, m)
    alive = mask[m].copy()
    for c in range(m - 1, -1, -1):
        alive &= mask[c]
        start[alive] = c
    return start


def day_of(ordinal: int) -> str | None:
    """An ordinal day as ISO text; None for 'not insured' (-1) and 'open-ended' (0)."""
    return dt.date.fromordinal(int(ordinal)).isoformat() if ordinal > 0 else None
