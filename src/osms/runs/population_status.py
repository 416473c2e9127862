"""Status of population rows from their summary columns (paid_through, paid_run, last_category_month,
last_category_run): the fast path, for a person whose situation is the same in every past month.

A row's status history is built from a few values per person (SummaryRows). Rows with the same values have the
same history, hence the same status: it is computed once for each distinct set of values (a population has far
fewer of them than rows) and given to every row that has it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..core.dates import due_date, month_start
from ..engine.allocation import BIG
from ..engine.batch import Batch
from ..engine.evaluation import MonthResult
from ..engine.history import History, owes_own
from ..engine.past_months import past_months
from ..engine.status import Status, compute_status
from ..policy import PolicySet

STATUS_WINDOW = 73  # months of history kept before the month evaluated: 60 + 12 + 1
PAST = 13  # months before the month evaluated whose memberships and obligations are derived from the row


def members_then(policy: PolicySet, batch: Batch, birth: np.ndarray, months: list[int]) -> np.ndarray:
    """(months, persons): in a state- or locally-paid category in each of `months` (ascending), as the row's own
    records tell: its facts as they are now, at the age the person then had, under that month's rules (a child
    then, an adult now, was a member); nobody before birth."""
    out = np.empty((len(months), batch.size), dtype=bool)
    for k, (_, values, age) in enumerate(past_months(policy, batch, birth, months, ["preferential"], True)):
        out[k] = values["preferential"] & (age >= 0)
    return out


@dataclass
class SummaryRows:
    """Per person, all that the status history is built from. Months are indices, clipped to the window (a
    month outside it changes nothing there), so that rows alike in the window compare equal."""

    month: int  # the month evaluated
    through: np.ndarray  # the paid run covers start < month <= through
    start: np.ndarray
    cat_from: np.ndarray  # a stated membership covers cat_from < month <= last_cat (none: both first - 1)
    last_cat: np.ndarray
    member: np.ndarray  # (n,) in a state- or locally-paid category in the month evaluated
    member_then: np.ndarray  # (PAST, n) in the months before, derived from the row
    owes: np.ndarray  # (n,) an own contribution is due in the month evaluated
    owed_then: np.ndarray  # (PAST, n) and in the months before, under their rules
    failure: np.ndarray  # (n,) an information-system failure stops the person paying
    paying: np.ndarray  # (n,) pays for themselves (the self-payment rule)
    participant: np.ndarray  # (n,) takes part in ОСМС

    @property
    def first(self) -> int:
        return self.month - STATUS_WINDOW

    def columns(self) -> list[np.ndarray]:
        return [getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "month"]

    def take(self, rows: np.ndarray) -> SummaryRows:
        return SummaryRows(self.month, *(c[..., rows] for c in self.columns()))


def summary_rows(
    policy: PolicySet, res: MonthResult, extra: dict[str, np.ndarray], month: int, it_failure: np.ndarray
) -> SummaryRows:
    """What each row's summary columns and its own evaluation say about its past."""
    first, last = month - STATUS_WINDOW, month + PAST
    through = extra["paid_through"].astype(np.int64)
    start = through - extra["paid_run"].astype(np.int64)
    last_cat = extra["last_category_month"].astype(np.int64)
    cat_from = last_cat - np.maximum(extra["last_category_run"], 1)
    stated = last_cat >= 0
    last_cat = np.where(stated, last_cat, first - 1)
    cat_from = np.where(stated, cat_from, first - 1)
    assert res.batch is not None
    # The months a membership just left still counts in (the right kept after leaving, budget months toward the
    # 12): derived from the row itself, as a scenario's months are, besides any last_category_month it states.
    then = members_then(policy, res.batch, extra["birth"], list(range(month - PAST, month)))
    owes, owed_then = owes_own(policy, res, range(month - PAST, month))
    own = policy.roles.rule("self_payment")
    n = res.size
    return SummaryRows(
        month,
        np.clip(through, first - 1, last).astype(np.int32),
        np.clip(start, first - 1, last).astype(np.int32),
        # A stated membership counts only before the month evaluated (that month's is the row's own).
        np.clip(cat_from, first - 1, month - 1).astype(np.int32),
        np.clip(last_cat, first - 1, month - 1).astype(np.int32),
        np.asarray(res.values["preferential"], dtype=bool),
        then,
        owes,
        owed_then,
        np.asarray(it_failure, dtype=bool),
        res.values[own] > 0 if own in res.values else np.zeros(n, dtype=bool),
        np.asarray(res.values[policy.roles.rule("participant")], dtype=bool),
    )


def status_from_columns(
    policy: PolicySet, res: MonthResult, extra: dict[str, np.ndarray], month: int, it_failure: np.ndarray, day: dt.date
) -> Status:
    """Every row's status on `day`, computed once per distinct history."""
    rows = summary_rows(policy, res, extra, month, it_failure)
    firsts, which = distinct(rows.columns())
    st = compute_status(policy, history_from_columns(policy, rows.take(firsts)), day)
    per_person = {f.name: getattr(st, f.name) for f in dataclasses.fields(st)}
    return dataclasses.replace(st, **{k: v[which] for k, v in per_person.items() if isinstance(v, np.ndarray)})


def distinct(columns: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The rows (the last axis) that first have each distinct combination of values, in row order, and for each
    row the index of its combination among them. Columns hold small integers or booleans; a 2-D one is one
    column per row of it. Values are packed into 64-bit words by their range, then hashed (Arrow's dictionary
    encoding numbers the combinations in the order they first come)."""
    n = columns[0].shape[-1]
    if n == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    words: list[np.ndarray] = []
    word, used = None, 64
    for col in columns:
        if col.dtype == bool and col.ndim > 1 and col.shape[0] <= 32:  # a row of booleans as the bits of one number
            bits_of = np.uint8 if col.shape[0] <= 8 else np.uint16 if col.shape[0] <= 16 else np.uint32
            packed = np.zeros(n, dtype=bits_of)
            for j, row in enumerate(col):
                packed |= row.view(np.uint8).astype(bits_of) << bits_of(j)
            col = packed
        for c in col.reshape(-1, n):
            lo = int(c.min())
            bits = (int(c.max()) - lo).bit_length()
            if bits == 0:
                continue  # the same in every row
            if used + bits > 64:
                word, used = np.zeros(n, dtype=np.uint64), 0
                words.append(word)
            assert word is not None
            word |= (c - lo).astype(np.uint64) << np.uint64(used)
            used += bits
    if not words:
        return np.zeros(1, dtype=np.int64), np.zeros(n, dtype=np.int64)
    if len(words) > 1:  # more than 64 bits of difference: sorted instead
        _, firsts, which = np.unique(np.stack(words, axis=1), axis=0, return_index=True, return_inverse=True)
        order = np.argsort(firsts, kind="stable")  # the combinations in the order their first rows come
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        return firsts[order], rank[which.reshape(-1)]
    which = pc.dictionary_encode(pa.array(words[0])).indices.to_numpy().astype(np.int64)
    # Combination k is first seen where the running highest number reaches k.
    before = np.concatenate([[-1], np.maximum.accumulate(which)[:-1]])
    return np.flatnonzero(which > before), which


def history_from_columns(policy: PolicySet, rows: SummaryRows) -> History:
    """A status history from summary rows: the paid run ends at paid_through; months before the evaluated
    month were paid on the deadline day, later (prepaid) ones on the month's first day."""
    month, first = rows.month, rows.first
    n = rows.through.shape[0]
    t = STATUS_WINDOW + PAST
    deadline = int(policy.parameter_value(policy.roles.parameter("due_day"), month_start(month))[0])
    paid_day = np.empty((t, n), dtype=np.int32)
    for r in range(t):
        mo = first + r
        day = (due_date(mo, deadline) if mo < month else month_start(month)).toordinal()
        # BIG, or the day where the run covers the month: as arithmetic (a masked store branches on every person)
        paid = (rows.through >= mo) & (rows.start < mo)
        np.multiply(paid.view(np.int8), np.int32(BIG - day), out=paid_day[r])
        np.subtract(BIG, paid_day[r], out=paid_day[r])
    member = np.zeros((t, n), dtype=bool)
    member[month - first] = rows.member
    member[month - PAST - first : month - first] = rows.member_then
    # Only the months some stated membership reaches.
    stated = rows.last_cat >= first
    lo = int(rows.cat_from[stated].min()) + 1 - first if stated.any() else month - first
    hi = int(rows.last_cat[stated].max()) + 1 - first if stated.any() else 0
    for r in range(max(lo, 0), min(hi, month - first)):
        member[r] |= (rows.last_cat >= first + r) & (rows.cat_from < first + r)
    # Someone who owes contributions now is taken to have owed them in each of the last 12 months (the only
    # months read for debt): those outside the paid run are debt.
    # Not in the months of a state-paid membership, where the formulas waive own contributions, unless the person
    # is a member now and owes all the same (the ЕСП, the self-employed regime): the same situation owed then too.
    # Each month under its own rules: a regime not yet (or no longer) in force then owed nothing (owes_own).
    waived = ~(rows.owes & rows.member)
    obligation = np.zeros((t, n), dtype=bool)
    for k, mo in enumerate(range(month - PAST, month)):
        obligation[mo - first] = rows.owed_then[k] & (paid_day[mo - first] == BIG) & ~(member[mo - first] & waived)
    obligation[month - first] = rows.owes
    failure = np.zeros((t, n), dtype=bool)
    failure[month - first] = rows.failure
    participant = np.zeros((t, n), dtype=bool)
    participant[month - first] = rows.participant
    return History(
        first,
        paid_day,
        member,
        obligation,
        failure,
        np.zeros(n, dtype=bool),
        # The row's situation is this month's: a self-payer now is taken as one throughout.
        self_paying=np.broadcast_to(rows.paying, (t, n)),
        participant=participant,
    )
