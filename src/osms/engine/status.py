"""Insured status on a date: payments, categories, grace periods and the 2020 transition, vectorized over persons.

The routes and their order are fixed here; every number (12 months, 3 or 6 months of grace, 60 months of history,
the dates each route applies from) is a dated policy parameter, read through the role the policy set's `roles:`
section binds it to (osms.policy.roles), so an amendment of those, or a renamed parameter, is a data edit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..core.dates import last_fallen_due, month_end, month_of, month_start_ordinals
from ..core.errors import OsmsError
from ..core.messages import _
from ..policy import PolicySet, UndefinedAt
from ..policy.roles import OUTCOMES
from .history import History

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
    months = np.maximum(months, policy.covers[0])
    name = policy.roles.parameter(role)
    lo, hi = (int(months.min()), int(months.max())) if len(months) else (0, -1)
    if hi - lo < 4096:  # persons' months span a few years: read each month once, then look each person's up
        present = lo + np.flatnonzero(np.bincount(months - lo, minlength=hi - lo + 1))
        try:
            values = policy.parameter_on_days(name, month_start_ordinals(present), used)
        except OsmsError:
            pass  # read again person by person, so that the error names the first person's day
        else:
            table = np.zeros(hi - lo + 1)
            table[present - lo] = values
            return table[months - lo].astype(np.int64)
    return policy.parameter_on_days(name, month_start_ordinals(months), used).astype(np.int64)


def _scan_runs(
    hist: History, m: int, today: int, need: np.ndarray, credit: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One pass over the months up to m, a row of persons at a time (no (months × persons) matrix): the last
    qualifying month (-1 if none), the credited and own run ending there, the last paid month and the longest
    own run. A month is paid when its payment was made by `today`. With `credit`, a month the budget paid for
    counts toward the run (docs/legal-basis.md §9.15), but a run qualifies only where the person's own payments
    take over: it ends in an own-paid month, or in a budget-paid month followed by a month with an own
    contribution due or paid. A membership on its own gives no payment grace: it has its exit retention.

    Written as arithmetic on small integers (x += mask × (new − x)) rather than masked stores: a mask that varies
    from person to person makes numpy's masked writes branch on every element, ten times slower."""
    n, rows = hist.size, hist.paid_day.shape[0]
    small = _small(rows + 1)  # a run, or a month index + 1, never exceeds the window's months
    need = np.minimum(need, rows + 1).astype(small)  # beyond rows no run qualifies, either way
    rows_of: np.ndarray = np.zeros((8, n), dtype=small)
    run, crun, ever_run, end1, last1, run_len, own_run_len, tmp = rows_of
    flags: np.ndarray = np.empty((2, n), dtype=bool)
    step, q = flags
    paid = hist.paid_day[0] <= today
    for t in range(m + 1):
        following = hist.paid_day[t + 1] <= today if t + 1 < rows else None
        mark = small(t + 1)
        run += 1
        run *= paid.view(np.int8)
        np.maximum(ever_run, run, out=ever_run)
        np.multiply(paid.view(np.int8), mark, out=tmp)
        np.maximum(last1, tmp, out=last1)
        if credit:
            np.logical_or(paid, hist.member[t], out=step)
            crun += 1
            crun *= step.view(np.int8)
            if following is None:
                np.copyto(step, paid)
            else:
                np.logical_or(hist.obligation[t + 1], following, out=step)
                np.logical_and(step, hist.member[t], out=step)
                np.logical_or(step, paid, out=step)
            np.greater_equal(crun, need, out=q)
            np.logical_and(q, step, out=q)
        else:
            crun = run
            np.greater_equal(run, need, out=q)
        np.multiply(q.view(np.int8), mark, out=tmp)
        np.maximum(end1, tmp, out=end1)
        for kept, now in ((run_len, crun), (own_run_len, run)):  # kept = now where q
            np.subtract(now, kept, out=tmp)
            tmp *= q.view(np.int8)
            kept += tmp
        if following is not None:
            paid = following
    return (
        end1.astype(np.int64) - 1,
        run_len.astype(np.int64),
        own_run_len.astype(np.int64),
        last1.astype(np.int64) - 1,
        ever_run.astype(np.int64),
    )


def _pick(cond: np.ndarray, a: Any, b: Any) -> np.ndarray:
    """np.where(cond, a, b) for integers, as b + cond × (a − b): no branch on each element."""
    return b + cond * (np.asarray(a, dtype=np.int64) - b)


def _small(most: int) -> type:
    """The smallest signed integer type holding 0 … most."""
    for kind in (np.int8, np.int16):
        if most <= np.iinfo(kind).max:
            return kind
    return np.int32


def _last_true(mask: np.ndarray) -> np.ndarray:
    """Row index of the last True in each column, or -1 (a row at a time, without masked writes)."""
    small = _small(mask.shape[0])
    pair: np.ndarray = np.zeros((2, mask.shape[1]), dtype=small)
    last1, tmp = pair
    for t in range(mask.shape[0]):
        np.multiply(mask[t].view(np.int8), small(t + 1), out=tmp)
        np.maximum(last1, tmp, out=last1)
    return last1.astype(np.int64) - 1


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

    today = day.toordinal()
    # The run of paid months ending at each month, then: the end of the latest run of >= 12 (a run that goes on
    # stays qualifying to its end), its length, the last paid month and the longest run.
    credit = bool(_param(policy, "budget_months_count", day, used))
    end, run_len, own_run_len, last_paid, ever_run = _scan_runs(hist, m, today, need, credit)
    # A grace period is fixed by the rules in force when it began, the first day of the first month not paid
    # (docs/legal-basis.md §9.13): a gap that began in 2025 keeps 2025's grace after 2026 starts.
    fixed: set = set()
    gap = _pick(end >= 0, end + 1, m) + hist.first
    person_grace = _pick(
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
        adv = (hist.paid_day[lo:hi] <= today) & (hist.paid_day[lo:hi] >= route_from)
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
            pros_end += (ok & ~by_prospective) * (s + fwd[s - lo] - 1 - pros_end)  # set at the first such month
            by_prospective |= ok

    member = hist.member[m]
    c_last = _last_true(hist.member[:m])  # last member month before this one
    member_until = _member_until(hist.member, m, policy.covers[1] - hist.first)
    # A retention after leaving a category is fixed by the rules in force when the membership ended.
    left = _pick(member, _pick(member_until >= 0, member_until + 1, m), _pick(c_last >= 0, c_last + 1, m))
    left = left + hist.first
    person_exit = _pick(
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
        return _pick(idx >= 0, ends[np.clip(idx, 0, len(ends) - 1)], -1)

    def take(mask: np.ndarray, code: str, until_idx: np.ndarray | None, grace_idx: np.ndarray | None) -> None:
        nonlocal insured, reason, until, grace_end
        new = mask & ~insured
        if not new.any():
            return
        reason = _pick(new, REASON_CODES.index(code), reason)
        until = _pick(new, 0 if until_idx is None else month_end_ord(until_idx), until)
        if grace_idx is not None:
            grace_end = _pick(new, month_end_ord(grace_idx), grace_end)
        insured = insured | new

    if transition:
        # Art. 40 extends the right to ОСМС care to everyone who takes part in ОСМС, paid for or not; a temporary
        # resident outside it is not made insured (docs/legal-basis.md §9.9).
        if hist.participant is None:
            raise OsmsError(_("the history has no ОСМС participation, needed for the 2020 transition"))
        take(hist.participant[m], "transition_2020", None, None)
    # While a member, the status lasts; once the membership ends, the exit grace applies.
    take(member, "category", _pick(member_until >= 0, member_until + person_exit, -1), None)
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
    until = until * ~(member & (member_until < 0) & (reason == REASON_CODES.index("category")))

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
    debt = (hist.obligation[due] & (hist.paid_day[due] > today)).sum(axis=0)
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
        out += stop * c  # to c - 1 from -1: a person stops once
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
