"""Status history of population rows from their summary columns (paid_through, paid_run, last_category_month,
last_category_run): the fast path, for a person whose situation is the same in every past month."""

from __future__ import annotations

import numpy as np

from ..core.dates import due_date, month_start
from ..engine.allocation import BIG
from ..engine.batch import Batch
from ..engine.evaluation import MonthResult
from ..engine.history import History, owes_own
from ..engine.past_months import past_months
from ..policy import PolicySet

STATUS_WINDOW = 73  # months of history kept before the month evaluated: 60 + 12 + 1


def members_then(policy: PolicySet, batch: Batch, birth: np.ndarray, months: list[int]) -> np.ndarray:
    """(months, persons): in a state- or locally-paid category in each of `months` (ascending), as the row's own
    records tell: its facts as they are now, at the age the person then had, under that month's rules (a child
    then, an adult now, was a member); nobody before birth."""
    out = np.empty((len(months), batch.size), dtype=bool)
    for k, (_, values, age) in enumerate(past_months(policy, batch, birth, months, ["preferential"], True)):
        out[k] = values["preferential"] & (age >= 0)
    return out


def history_from_columns(
    policy: PolicySet, res: MonthResult, extra: dict[str, np.ndarray], month: int, it_failure: np.ndarray
) -> History:
    """A status history from summary columns: the paid run ends at paid_through; months before the evaluated
    month were paid on the deadline day, later (prepaid) ones on the month's first day."""
    n = res.size
    first = month - STATUS_WINDOW
    t = STATUS_WINDOW + 13
    through = extra["paid_through"].astype(np.int32)
    start = through - extra["paid_run"].astype(np.int32)  # the run covers start < month <= through
    deadline = int(policy.parameter_value(policy.roles.parameter("due_day"), month_start(month))[0])
    paid_day = np.empty((t, n), dtype=np.int32)
    for r in range(t):
        mo = first + r
        day = (due_date(mo, deadline) if mo < month else month_start(month)).toordinal()
        # BIG, or the day where the run covers the month: as arithmetic (a masked store branches on every person)
        paid = (through >= mo) & (start < mo)
        np.multiply(paid.view(np.int8), np.int32(BIG - day), out=paid_day[r])
        np.subtract(BIG, paid_day[r], out=paid_day[r])
    member = np.zeros((t, n), dtype=bool)
    member[month - first] = res.values["preferential"]
    # The months a membership just left still counts in (the right kept after leaving, budget months toward the
    # 12): derived from the row itself, as a scenario's months are, besides any last_category_month it states.
    assert res.batch is not None
    member[month - 13 - first : month - first] = members_then(
        policy, res.batch, extra["birth"], list(range(month - 13, month))
    )
    last_cat = extra["last_category_month"]
    cat_from = last_cat - np.maximum(extra["last_category_run"], 1)  # membership: cat_from < month <= last_cat
    stated = last_cat >= 0
    # Only the months some stated membership reaches (none when the column is absent or empty).
    lo = int(cat_from[stated].min()) + 1 - first if stated.any() else month - first
    hi = int(last_cat[stated].max()) + 1 - first if stated.any() else 0
    for r in range(max(lo, 0), min(hi, month - first)):
        member[r] |= (last_cat >= first + r) & (cat_from < first + r)
    owes, owed_then = owes_own(policy, res, range(month - 13, month))
    # Someone who owes contributions now is taken to have owed them in each of the last 12 months (the only
    # months read for debt): those outside the paid run are debt.
    # Not in the months of a state-paid membership, where the formulas waive own contributions, unless the person
    # is a member now and owes all the same (the ЕСП, the self-employed regime): the same situation owed then too.
    # Each month under its own rules: a regime not yet (or no longer) in force then owed nothing (owes_own).
    waived = ~(owes & res.values["preferential"])
    obligation = np.zeros((t, n), dtype=bool)
    for k, mo in enumerate(range(month - 13, month)):
        obligation[mo - first] = owed_then[k] & (paid_day[mo - first] == BIG) & ~(member[mo - first] & waived)
    obligation[month - first] = owes
    failure = np.zeros((t, n), dtype=bool)
    failure[month - first] = it_failure
    # The row's situation is this month's: a self-payer now is taken as one throughout.
    own = policy.roles.rule("self_payment")
    paying = np.broadcast_to(res.values[own] > 0, (t, n)) if own in res.values else np.zeros((t, n), dtype=bool)
    participant = np.zeros((t, n), dtype=bool)
    participant[month - first] = res.values[policy.roles.rule("participant")]
    return History(
        first,
        paid_day,
        member,
        obligation,
        failure,
        np.zeros(n, dtype=bool),
        self_paying=paying,
        participant=participant,
    )
