"""Insured status of population rows from their payment records, credited as for a scenario (`history.credit`).

A row states the person's situation in the month evaluated. The amounts due in the other months the payments can
pay are that situation's under each month's rules: the same jobs, wages and activities from `situation_from`
(YYYY-MM, the month the current situation began) on, nothing due before it, ages from the birth date. A row that
owes its own contributions and does not say when its situation began is an error row: debt cannot be told from a
first payment. Vectorized over persons; the months are evaluated one at a time for a slice of persons.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..core.dates import month_end, months_of_days
from ..core.messages import _
from ..engine.allocation import Payments
from ..engine.batch import Batch
from ..engine.history import History, due_of, history_from_payments, payment_streams
from ..engine.past_months import past_months
from ..engine.status import Status, compute_status
from ..inputs.payments_table import PaymentRecords
from ..policy import PolicySet


def _streams_of(
    policy: PolicySet, records: PaymentRecords, batch: Batch, person: np.ndarray, rows: np.ndarray, streams: list
) -> tuple[np.ndarray, list[tuple[int, str]]]:
    """The stream each payment pays (-1 where the row cannot say), and (person, reason) for those."""
    employed = batch.facts["employed"]
    k = employed.shape[0]
    index = {(s.rule, s.slot): i for i, s in enumerate(streams)}
    kind, job = records.kind[rows].astype(np.int64), records.job[rows].astype(np.int64)
    out = np.full(len(rows), -1, dtype=np.int64)
    problems: list[tuple[int, str]] = []

    def fail(mask: np.ndarray, reason: str) -> None:
        for i in np.flatnonzero(mask):
            problems.append(
                (
                    int(person[i]),
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
    for ki, name in enumerate(records.kinds):
        sel = kind == ki
        if not sel.any():
            continue
        if (name, None) in index:
            fail(sel & (job >= 0), _("job: `{kind}` is not paid per employer; leave job empty", kind=name))
            out[sel & (job < 0)] = index[(name, None)]
            continue
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


# Persons whose months are held at once: (streams × months × persons) arrays. A 200 000-person chunk of the
# ledger benchmark peaks at +190 MB with 10 000 (+410 MB with 25 000) in about the same time; its first 100 000
# persons got the same answers with 7 000 and with 25 000. The window of months a slice evaluates is the union of
# its persons' needs; a month outside a person's own need is one where nothing of theirs is due or credited, so the
# answer does not depend on the slice (tests/test_payments_ledger.py compares each person alone, on random records).
SLICE = 10_000


def _take(a: np.ndarray, sl: slice) -> np.ndarray:
    return a[..., sl]


def ledger_status(
    policy: PolicySet,
    batch: Batch,
    extra: dict[str, np.ndarray],
    records: PaymentRecords,
    ids: pa.Array,
    month: int,
    failure_now: np.ndarray,
) -> tuple[Status, dict[int, str], np.ndarray]:
    """Status at the month's end of every row from its payments, slice by slice of persons so that memory stays
    bounded; (status, row index → reason, credit left over in tiyn per row)."""
    parts = []
    problems: dict[int, str] = {}
    over = []
    for lo in range(0, batch.size, SLICE):
        sl = slice(lo, min(lo + SLICE, batch.size))
        part = Batch(
            sl.stop - sl.start,
            {k: _take(v, sl) for k, v in batch.facts.items()},
            {k: v[sl] for k, v in batch.stated.items()},
            batch.employers[sl],
        )
        hist, found, overpaid = ledger_history(
            policy,
            part,
            {k: v[sl] for k, v in extra.items()},
            records,
            ids.slice(sl.start, sl.stop - sl.start),
            month,
            failure_now[sl],
        )
        parts.append(compute_status(policy, hist, month_end(month)))
        problems.update({lo + i: why for i, why in found.items()})
        over.append(overpaid)

    def joined(name: str) -> np.ndarray:
        return np.concatenate([getattr(p, name) for p in parts])

    status = Status(
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
    return status, problems, np.concatenate(over)


def ledger_history(
    policy: PolicySet,
    batch: Batch,
    extra: dict[str, np.ndarray],
    records: PaymentRecords,
    ids: pa.Array,
    month: int,
    failure_now: np.ndarray,
) -> tuple[History, dict[int, str], np.ndarray]:
    """The status history of some persons from their payments; (history, row index → reason, overpaid tiyn)."""
    n = batch.size
    problems: dict[int, str] = {}
    ids = pc.utf8_trim_whitespace(ids)  # as the payments table's ids are read
    if records.bad:
        hit = np.flatnonzero(pc.is_in(ids, value_set=pa.array(list(records.bad))).to_numpy(zero_copy_only=False))
        for i in hit:
            problems[int(i)] = records.bad[ids[int(i)].as_py()]
    person, rows = records.rows_of(ids)
    end = month_end(month).toordinal()
    made = records.paid_on[rows] <= end  # a later payment cannot change what was paid by then
    person, rows = person[made], rows[made]
    since = extra["situation_from"]
    streams = payment_streams(policy, batch.facts["wage"].shape[0])
    entries = policy.parameters[policy.roles.parameter("debt_window_months")].timeline.entries
    window = max(int(e.payload) for e in entries if e.payload is not None)
    earliest = month - 13
    if len(rows):
        named = records.for_month[rows]
        earliest = min(
            earliest,
            int(months_of_days(records.paid_on[rows]).min()) - window,
            int(np.where(named >= 0, named, month).min()),
        )
        # Nothing is due before a person's situation began, so no debt lies there: the months before the earliest
        # situation_from of those with payments need no evaluation (unless one of them gives none).
        began = since[person]
        if (began >= 0).all():
            earliest = max(earliest, min(int(began.min()), month - 13))
    first = evaluated = max(policy.covers[0], earliest)
    # A past membership the row states counts toward the qualifying months: the history reaches back to it, as far
    # as a run ending in the window can need (nothing is evaluated there: the situation had not begun).
    stated = extra["last_category_month"] >= 0
    if stated.any():
        need = policy.parameters[policy.roles.parameter("qualifying_months")].timeline.entries
        back = max(int(e.payload) for e in need if e.payload is not None)
        began_cat = extra["last_category_month"] - np.maximum(extra.get("last_category_run", 1), 1) + 1
        first = min(first, max(policy.covers[0], int(began_cat[stated].min()), first - back))
    # The months after this one matter only to payments that may credit them: prepayments and payments naming no
    # month (credited forward, up to 12 months ahead); payments naming past months never reach them.
    forward = len(rows) and bool(((records.for_month[rows] < 0) | (records.for_month[rows] > month)).any())
    last = min(month + 12 if forward else month, policy.covers[1])
    t = month + 13 - first
    member = np.zeros((t, n), dtype=bool)
    participant = np.zeros((t, n), dtype=bool)
    active = np.zeros((t, n), dtype=bool)
    due = np.zeros((len(streams), t, n), dtype=np.int64)
    participates = policy.roles.rule("participant")
    keys = ["preferential", participates, *{s.rule for s in streams}]
    for mo, values, age in past_months(policy, batch, extra["birth"], list(range(evaluated, last + 1)), keys, False):
        # Nothing before the situation began (an empty situation_from: as now, in every month) or before birth.
        active[mo - first] = ((since < 0) | (mo >= since)) & (age >= 0)
        # A membership in the 13 months before is the row's own (its facts, at the age then; see members_then),
        # whenever its situation began: the right kept after leaving, budget months toward the 12.
        member[mo - first] = values["preferential"] & (active[mo - first] | ((mo >= month - 13) & (age >= 0)))
        participant[mo - first] = values[participates]
        # Only the amounts due are kept of each month, not its whole evaluation.
        due[:, mo - first] = due_of(streams, values, n) * active[mo - first]
    last_cat = extra["last_category_month"]
    # A past membership the row states: its last month and (last_category_run) how many months it ran.
    run = np.maximum(extra.get("last_category_run", np.zeros(n, dtype=np.int64)), 1)
    for k in range(int(min(run.max(initial=1), t))):
        months = last_cat - k
        on = (last_cat >= 0) & (k < run) & (months >= first) & (months < month)
        member[months[on] - first, np.flatnonzero(on)] = True
    stream, bad_rows = _streams_of(policy, records, batch, person, rows, streams)
    for row, reason in bad_rows:
        problems.setdefault(row, reason)
    owes = due[:, month - first].sum(axis=0) > 0
    for i in np.flatnonzero(owes & (since < 0)):
        problems.setdefault(
            int(i),
            _(
                "situation_from: empty, but the person owes contributions: give the month "
                "their current jobs and activities began (YYYY-MM)"
            ),
        )
    keep = stream >= 0
    if problems:
        keep &= ~np.isin(person, np.fromiter(problems, dtype=np.int64))
    payments = Payments(
        person[keep],
        stream[keep],
        records.paid_on[rows][keep],
        records.amount[rows][keep],
        records.for_month[rows][keep],
    )
    failure = np.zeros((t, n), dtype=bool)
    failure[month - first] = failure_now
    # The same builder as a scenario's: credited as the Fund credits, the self-payment months, the ledger.
    hist = history_from_payments(
        policy, streams, due, first, payments, member, participant, failure, np.zeros(n, dtype=bool), pieces=False
    )
    ledger, hist.ledger = hist.ledger, None  # a population keeps no per-payment explanation
    overpaid = np.zeros(n, dtype=np.int64)
    np.add.at(overpaid, payments.person, ledger.allocation.overpaid)
    return hist, problems, overpaid
