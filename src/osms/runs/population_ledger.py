"""Insured status of population rows from their payment records, credited as for a scenario (`history.credit`).

A row states the person's situation in the month evaluated. The amounts due in the other months the payments can
pay are that situation's under each month's rules: the same jobs, wages and activities from `situation_from`
(YYYY-MM, the month the current situation began) on, nothing due before it, ages from the birth date. A row that
owes its own contributions and does not say when its situation began is an error row: debt cannot be told from a
first payment. Vectorized over persons; the months are evaluated one at a time for a slice of persons, and the
months of a run that share a crediting (population.MONTHS_TOGETHER) are evaluated and credited once for all of them.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..core.dates import format_month, month_end, months_of_days
from ..core.messages import _
from ..core.pool import in_order
from ..engine.allocation import BIG, Payments
from ..engine.batch import Batch
from ..engine.history import History, credit, due_of, payment_streams, self_paying
from ..engine.past_months import past_months
from ..engine.status import Status, compute_status
from ..inputs.payments_table import PaymentRecords
from ..policy import PolicySet


def _streams_of(
    policy: PolicySet, records: PaymentRecords, batch: Batch, person: np.ndarray, rows: np.ndarray, streams: list
) -> tuple[np.ndarray, list[tuple[int, int, str]]]:
    """The stream each payment pays (-1 where the row cannot say), and (person, payment, reason) for those."""
    employed = batch.facts["employed"]
    k = employed.shape[0]
    index = {(s.rule, s.slot): i for i, s in enumerate(streams)}
    kind, job = records.kind[rows].astype(np.int64), records.job[rows].astype(np.int64)
    out = np.full(len(rows), -1, dtype=np.int64)
    problems: list[tuple[int, int, str]] = []

    def fail(mask: np.ndarray, reason: str) -> None:
        for i in np.flatnonzero(mask):
            problems.append(
                (
                    int(person[i]),
                    int(i),
                    _(
                        "{file} row {row}: {reason}",
                        file=records.files[int(records.file_of[rows[i]])],
                        row=int(records.row[rows[i]]),
                        reason=reason,
                    ),
                )
            )

    only = np.argmax(employed, axis=0)
    jobs = employed.sum(axis=0)
    # A deduction before the policies (the only payment there) pays the person's month whatever the row's jobs,
    # which are those of its current situation: under the wage column it names, or the first.
    early = (records.for_month[rows] >= 0) & (records.for_month[rows] < policy.covers[0])
    for ki, name in enumerate(records.kinds):
        sel = kind == ki
        if not sel.any():
            continue
        if (name, None) in index:
            fail(sel & (job >= 0), _("job: `{kind}` is not paid per employer; leave job empty", kind=name))
            out[sel & (job < 0)] = index[(name, None)]
            continue
        fail(sel & early & (np.maximum(job, 0) >= k), _("job: above the number of wage columns ({count})", count=k))
        for j in range(k):
            out[sel & early & (np.maximum(job, 0) == j)] = index[(name, j)]
        sel = sel & ~early
        slot = np.where(job >= 0, job, only[person])
        fail(
            sel & (job < 0) & (jobs[person] > 1),
            _(
                "job: the person has several wage columns; say which employer paid this `{kind}` (1 for wage_1, …)",
                kind=name,
            ),
        )
        fail(sel & (job >= k), _("job: above the number of wage columns ({count})", count=k))
        ok = sel & ~((job < 0) & (jobs[person] > 1)) & (slot < k)
        fail(
            ok & (job >= 0) & ~employed[np.minimum(slot, k - 1), person],
            _("job: that wage column is empty for this person"),
        )
        for j in range(k):
            out[ok & (slot == j)] = index[(name, j)]
    return out, problems


# Persons whose months are held at once: (streams × months × persons) arrays. On the ledger benchmark's 200 000
# persons, one month (one chunk), two slices of 5 000 at a time take 5.6 s and 0.88 GB, of 10 000 7.0 s and 1.0 GB,
# of 2 500 6.2 s; one slice at a time, of 5 000 7.5 s, of 10 000 7.3–9.6 s. Over 12 months (two tasks, both cores
# busy) one slice of 5 000 at a time takes 13.3 s and 1.8 GB, two 15.5 s and 2.0 GB. The window of months a slice
# evaluates is the union of its persons' needs; a month outside a person's own need is one where nothing of theirs
# is due or credited, so the answer does not depend on the slice (tests/test_payments_ledger.py compares each person
# alone, on random records).
SLICE = 5_000


def _take(a: np.ndarray, sl: slice) -> np.ndarray:
    return a[..., sl]


def ledger_statuses(
    policy: PolicySet,
    batch: Batch,
    extra: dict[str, np.ndarray],
    records: PaymentRecords,
    ids: pa.Array,
    months: list[int],
    failure_now: np.ndarray,
    workers: int = 1,
) -> dict[int, tuple[Status, dict[int, str], np.ndarray]]:
    """The status at each of `months`' ends of every row from its payments, as (status, row index → reason, credit
    left over in tiyn per row), slice by slice of persons so that memory stays bounded, `workers` slices at a time;
    the months of a slice share one evaluation and one crediting (ledger_histories)."""
    months = sorted(months)
    parts: dict[int, list[Status]] = {m: [] for m in months}
    problems: dict[int, dict[int, str]] = {m: {} for m in months}
    over: dict[int, list[np.ndarray]] = {m: [] for m in months}

    def one(lo: int) -> list[tuple[Status, dict[int, str], np.ndarray]]:
        sl = slice(lo, min(lo + SLICE, batch.size))
        part = Batch(
            sl.stop - sl.start,
            {k: _take(v, sl) for k, v in batch.facts.items()},
            {k: v[sl] for k, v in batch.stated.items()},
            batch.employers[sl],
        )
        histories = ledger_histories(
            policy,
            part,
            {k: v[sl] for k, v in extra.items()},
            records,
            ids.slice(sl.start, sl.stop - sl.start),
            months,
            failure_now[sl],
        )
        return [
            (compute_status(policy, h, month_end(m)), found, paid) for m, (h, found, paid) in zip(months, histories)
        ]

    # Several slices at a time (numpy releases the GIL) when the caller has cores to spare (a run of one chunk);
    # as many in memory as run at once.
    starts = range(0, batch.size, SLICE)
    for lo, done in zip(starts, in_order((functools.partial(one, lo) for lo in starts), workers, ahead=workers - 1)):
        for m, (status, found, overpaid) in zip(months, done):
            parts[m].append(status)
            problems[m].update({lo + i: why for i, why in found.items()})
            over[m].append(overpaid)
    return {m: (_joined(parts[m]), problems[m], np.concatenate(over[m])) for m in months}


def _joined(parts: list[Status]) -> Status:
    def joined(name: str) -> np.ndarray:
        return np.concatenate([getattr(p, name) for p in parts])

    return Status(
        parts[0].on,
        joined("insured"),
        joined("reason"),
        joined("insured_until"),
        joined("grace_period_end"),
        joined("debt_months"),
        joined("last_paid_month"),
        joined("continuous_months"),
        parts[0].params,
        set().union(*(p.fixed for p in parts)),
    )


def _window(
    policy: PolicySet,
    month: int,
    paid_on: np.ndarray,
    for_month: np.ndarray,
    began: np.ndarray,
    extra: dict[str, np.ndarray],
    debt_window: int,
    reach: int,
) -> tuple[int, int, int]:
    """(first, evaluated, last): the months a history for `month` spans from, evaluates from and to, given the
    payments made by the month's end (their days, named months and persons' situation_from); `reach`: how far back
    a run of paid months can matter to the month's status (_reach)."""
    earliest = month - 13
    if len(paid_on):
        earliest = min(
            earliest,
            int(months_of_days(paid_on).min()) - debt_window,
            int(np.where(for_month >= 0, for_month, month).min()),
        )
        # Nothing is due before a person's situation began, so no debt lies there: the months before the earliest
        # situation_from of those with payments need no evaluation (unless one of them gives none).
        if (began >= 0).all():
            earliest = max(earliest, min(int(began.min()), month - 13))
    first = evaluated = max(policy.covers[0], earliest)
    # Deductions naming months before the policies (the only payments there) pay those months: the history reaches
    # back to them, as far as a run can matter to this month; nothing is evaluated there.
    early = for_month[(for_month >= 0) & (for_month < policy.covers[0])]
    if len(early):
        first = min(first, max(int(early.min()), month - reach))
    # A past membership the row states counts toward the qualifying months: the history reaches back to it, as far
    # as a run ending in the window can need (nothing is evaluated there: the situation had not begun).
    stated = extra["last_category_month"] >= 0
    if stated.any():
        back = _largest(policy, "qualifying_months")
        began_cat = extra["last_category_month"] - np.maximum(extra.get("last_category_run", 1), 1) + 1
        first = min(first, max(policy.covers[0], int(began_cat[stated].min()), first - back))
    # The months after this one matter only to payments that may credit them: prepayments and payments naming no
    # month (credited forward, up to 12 months ahead); payments naming past months never reach them.
    forward = bool(((for_month < 0) | (for_month > month)).any())
    return first, evaluated, min(month + 12 if forward else month, policy.covers[1])


def _largest(policy: PolicySet, role: str) -> int:
    """The largest value the parameter bound to `role` ever takes (0 if none)."""
    entries = policy.parameters[policy.roles.parameter(role)].timeline.entries
    return max((int(e.payload) for e in entries if e.payload is not None), default=0)


def _reach(policy: PolicySet) -> int:
    """How many months back from a month a run of paid months can change its status: the longest run any rule
    counts (the qualifying months, the long history for the longer grace) ending at most the longest grace or
    retention before it."""
    runs = max(_largest(policy, "qualifying_months"), _largest(policy, "long_history_months"))
    graces = ("grace", "long_history_grace", "category_exit_grace", "long_history_category_exit_grace")
    return runs + max(_largest(policy, g) for g in graces) + 1


def ledger_histories(
    policy: PolicySet,
    batch: Batch,
    extra: dict[str, np.ndarray],
    records: PaymentRecords,
    ids: pa.Array,
    months: list[int],
    failure_now: np.ndarray,
) -> list[tuple[History, dict[int, str], np.ndarray]]:
    """The status history of some persons from their payments, for each of `months` (ascending): (history, row
    index → reason, overpaid tiyn per person).

    The months share one evaluation of every month any of them reads and one crediting of the payments made by
    the last one's end. Crediting goes account by account in the order the payments were made, so what the
    payments made by a month's end did is the same whether or not later ones follow; each month's history is the
    part its own crediting would have: its window, the months it evaluates (nothing is due in the others), its
    payments' days (a month completed later is unpaid at its end, as one never completed), and as overpaid what
    its payments left beyond its window's last month."""
    n = batch.size
    common: dict[int, str] = {}
    ids = pc.utf8_trim_whitespace(ids)  # as the payments table's ids are read
    if records.bad:
        hit = np.flatnonzero(pc.is_in(ids, value_set=pa.array(list(records.bad))).to_numpy(zero_copy_only=False))
        for i in hit:
            common[int(i)] = records.bad[ids[int(i)].as_py()]
    person, rows = records.rows_of(ids)
    end = {m: month_end(m).toordinal() for m in months}
    made = records.paid_on[rows] <= end[months[-1]]  # a later payment cannot change what was paid by then
    person, rows = person[made], rows[made]
    paid_on, for_month = records.paid_on[rows], records.for_month[rows]
    since = extra["situation_from"]
    streams = payment_streams(policy, batch.facts["wage"].shape[0])
    debt_window = _largest(policy, "debt_window_months")
    reach = _reach(policy)
    made_by = {m: paid_on <= end[m] for m in months}  # the payments each month's end has seen
    spans = {}
    for m in months:
        by = made_by[m]
        spans[m] = _window(policy, m, paid_on[by], for_month[by], since[person[by]], extra, debt_window, reach)
    first = min(f for f, _, _ in spans.values())
    t = months[-1] + 13 - first
    preferential = np.zeros((t, n), dtype=bool)
    alive = np.zeros((t, n), dtype=bool)
    active = np.zeros((t, n), dtype=bool)
    participant = np.zeros((t, n), dtype=bool)
    due = np.zeros((len(streams), t, n), dtype=np.int64)
    participates = policy.roles.rule("participant")
    keys = ["preferential", participates, *{s.rule for s in streams}]
    wanted = sorted({mo for _, lo, hi in spans.values() for mo in range(lo, hi + 1)})
    for mo, values, age in past_months(policy, batch, extra["birth"], wanted, keys, False):
        r = mo - first
        alive[r] = age >= 0
        # Nothing before the situation began (an empty situation_from: as now, in every month) or before birth.
        active[r] = ((since < 0) | (mo >= since)) & alive[r]
        preferential[r] = values["preferential"]
        participant[r] = values[participates]
        # Only the amounts due are kept of each month, not its whole evaluation.
        due[:, r] = due_of(streams, values, n) * active[r]
    stream, bad_rows = _streams_of(policy, records, batch, person, rows, streams)
    # Only what is wrong in every month keeps a person's payments out of the crediting; a person whose row is an
    # error in some months only is credited, and those months' answers are not given.
    keep = (stream >= 0) & ~np.isin(person, np.fromiter(common, dtype=np.int64))
    # A deduction naming a month before the history pays only that month, which no status here looks back to.
    keep &= ~((for_month >= 0) & (for_month < min(first, policy.covers[0])))
    payments = Payments(person[keep], stream[keep], paid_on[keep], records.amount[rows][keep], for_month[keep])
    # The pieces credited (which payment paid which month) tell the earlier months what their payments left over.
    several = len(months) > 1
    ledger, paid_day, named, obligation = credit(policy, streams, due, first, payments, pieces=several)
    shared = _Shared(
        first, policy.covers[0], extra, since, failure_now, common, bad_rows, keep, due,
        preferential, alive, active, participant, paid_day, named, obligation, self_paying(policy, streams, due),
        payments, ledger.allocation.pieces() if several else None, ledger.allocation.overpaid, ledger.allocation.used,
    )  # fmt: skip
    return [_month_history(shared, m, spans[m], made_by[m]) for m in months]


@dataclass
class _Shared:
    """What the months of ledger_histories share: the evaluation ((months, persons) from `first`) and the
    crediting of the payments made by the last month's end."""

    first: int
    policies_first: int  # the policies' first month: before it, only deductions naming their months were paid
    extra: dict[str, np.ndarray]
    since: np.ndarray
    failure_now: np.ndarray
    common: dict[int, str]  # row → reason, in every month
    bad_rows: list[tuple[int, int, str]]  # (row, payment, reason) of payments no stream takes
    keep: np.ndarray  # which payments were credited
    due: np.ndarray  # (streams, months, persons)
    preferential: np.ndarray
    alive: np.ndarray
    active: np.ndarray
    participant: np.ndarray
    paid_day: np.ndarray
    named: np.ndarray
    obligation: np.ndarray
    paying: np.ndarray
    payments: Payments  # credited
    pieces: tuple[np.ndarray, np.ndarray, np.ndarray] | None  # (payment, month, tiyn) with several months
    overpaid: np.ndarray  # what each payment credited left over
    used: set


def _month_history(
    shared: _Shared, month: int, span: tuple[int, int, int], made: np.ndarray
) -> tuple[History, dict[int, str], np.ndarray]:
    """One month's history, cut from the shared evaluation and crediting (see ledger_histories); `made`: which
    payments (of all, before any was set aside) were made by its end."""
    sh = shared
    own_first, evaluated, last = span
    first, extra, since, n = sh.first, sh.extra, sh.since, sh.since.shape[0]
    cut = slice(own_first - first, month + 13 - first)
    t = month + 13 - own_first
    # Months this month's history evaluates, and those before the policies (paid by deductions naming them, credited
    # apart); in the others nothing is due and nothing was paid.
    inside = np.zeros(t, dtype=bool)
    inside[evaluated - own_first : last + 1 - own_first] = True
    inside[: max(sh.policies_first - own_first, 0)] = True
    col = inside[:, None]
    mo = np.arange(own_first, month + 13)[:, None]
    # A membership in the 13 months before is the row's own (its facts, at the age then; see members_then),
    # whenever its situation began: the right kept after leaving, budget months toward the 12.
    member = sh.preferential[cut] & (sh.active[cut] | ((mo >= month - 13) & sh.alive[cut])) & col
    last_cat = extra["last_category_month"]
    # A past membership the row states: its last month and (last_category_run) how many months it ran.
    run = np.maximum(extra.get("last_category_run", np.zeros(n, dtype=np.int64)), 1)
    for k in range(int(min(run.max(initial=1), t))):
        months_back = last_cat - k
        on = (last_cat >= 0) & (k < run) & (months_back >= own_first) & (months_back < month)
        member[months_back[on] - own_first, np.flatnonzero(on)] = True
    problems = dict(sh.common)
    for who, payment, reason in sh.bad_rows:
        if made[payment]:
            problems.setdefault(who, reason)
    # A row states the situation of the month evaluated: one that began later says nothing of this month (its
    # amounts due, and what its payments paid, would be read as none).
    later = since > month
    for began in np.unique(since[later]).tolist():
        reason = _(
            "situation_from: {began} is after {month}: the row states the situation of the month evaluated; give "
            "the month it began, {month} or earlier",
            began=format_month(began),
            month=format_month(month),
        )
        for i in np.flatnonzero(since == began):
            problems.setdefault(int(i), reason)
    owes = sh.due[:, month - first].sum(axis=0) > 0
    for i in np.flatnonzero(owes & (since < 0)):
        problems.setdefault(
            int(i),
            _(
                "situation_from: empty, but the person owes contributions: give the month "
                "their current jobs and activities began (YYYY-MM)"
            ),
        )
    failure = np.zeros((t, n), dtype=bool)
    failure[month - own_first] = sh.failure_now
    hist = History(
        own_first,
        np.where(col, sh.paid_day[cut], BIG).astype(np.int32),
        member,
        sh.obligation[cut] & col,
        failure,
        np.zeros(n, dtype=bool),
        set(sh.used),
        named=sh.named[cut] & col,
        self_paying=sh.paying[cut] & col,
        participant=sh.participant[cut] & col,
    )
    # What each payment made by the month's end left over, within the months up to 12 after it (with one month,
    # what the crediting itself left over).
    left = sh.overpaid
    if sh.pieces is not None:
        pay, to_month, tiyn = sh.pieces
        by_end = made[sh.keep]
        within = by_end[pay] & (to_month <= month + 12)
        left = np.where(by_end, sh.payments.amount, 0)
        np.subtract.at(left, pay[within], tiyn[within])
    overpaid = np.zeros(n, dtype=np.int64)
    np.add.at(overpaid, sh.payments.person, left)
    return hist, problems, overpaid
