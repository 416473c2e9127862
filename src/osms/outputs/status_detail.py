"""Status month by month for one person: what was due, what was credited, by which payments, and when next due.

Reads the allocation kept on the history (scenario path); the decision itself is made in `status.py`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from decimal import Decimal
from typing import Any

import numpy as np

from ..core.dates import due_date, format_month, month_of
from ..core.messages import Msg
from ..engine.allocation import BIG
from ..engine.history import History

WORDS: dict[str, Msg] = {
    "months": Msg("Months considered for status"),
    "paid": Msg("paid"),
    "unpaid": Msg("unpaid"),
    "short": Msg("short"),
    "state": Msg("paid by the budget"),
    "nothing": Msg("nothing due"),
    "due": Msg("due"),
    "credited": Msg("credited"),
    "by": Msg("payments"),
    "not_yet": Msg("not yet due"),
    "deduction": Msg("paid by a deduction (amount not checked)"),
    "unrecorded": Msg("no deduction recorded"),
    "overpaid": Msg("overpaid"),
    "next_due": Msg("next payment due"),
}


def _tenge(tiyn: int) -> Decimal:
    return (Decimal(int(tiyn)) / 100).quantize(Decimal("0.01"))


def payments_applied(hist: History, i: int, day: dt.date) -> list[dict[str, Any]]:
    """Each piece of each of person i's payments made by `day`: payment number (1-based, as listed), month, amount."""
    led = hist.ledger
    if led is None:
        return []
    pay, month, tiyn = led.allocation.pieces()
    out = []
    for p, mo, t in zip(pay.tolist(), month.tolist(), tiyn.tolist()):
        scenario, k = led.origin[p]
        if scenario == i and led.payments.paid_on[p] <= day.toordinal():
            out.append({"payment": k + 1, "month": format_month(mo), "amount": _tenge(t)})
    return out


def overpaid(hist: History, i: int, day: dt.date) -> list[dict[str, Any]]:
    """What each of person i's payments made by `day` left over after paying what it could."""
    led = hist.ledger
    if led is None:
        return []
    return [
        {"payment": k + 1, "amount": _tenge(int(led.allocation.overpaid[p]))}
        for p, (scenario, k) in enumerate(led.origin)
        if scenario == i and led.allocation.overpaid[p] > 0 and led.payments.paid_on[p] <= day.toordinal()
    ]


def next_payment_due(hist: History, i: int, day: dt.date, deadline: int) -> str | None:
    """The due date of the first month owed and not paid whose due date is on or after `day`."""
    m0 = month_of(day) - hist.first
    for t in range(max(m0 - 1, 0), hist.paid_day.shape[0]):
        if hist.obligation[t, i] and hist.paid_day[t, i] > day.toordinal():
            when = due_date(hist.first + t, deadline)
            if when >= day:
                return when.isoformat()
    return None


def months_considered(
    hist: History, i: int, day: dt.date, back: int, deadline: int, early: Collection[int] = ()
) -> list[dict[str, Any]]:
    """The `back` months up to the month of `day`, each with its state: due, credited, paid on, by which payments.
    `early`: the months before the policies in which deductions were due; nothing is computed there: with payments
    recorded, such a month is paid by a deduction naming it, or none is recorded (also before the history's
    window, which reaches only as far back as the payments)."""
    m = month_of(day) - hist.first
    led = hist.ledger
    pieces: dict[int, list[int]] = {}
    if led is not None:
        pay, month, _ = led.allocation.pieces()
        for p, mo in zip(pay.tolist(), month.tolist()):
            scenario, k = led.origin[p]
            if scenario == i and led.payments.paid_on[p] <= day.toordinal():
                pieces.setdefault(mo, []).append(k + 1)
    rows: list[dict[str, Any]] = []
    if not hist.assumed[i]:
        for mo in range(hist.first + m - back + 1, hist.first):
            if mo in early:
                rows.append(
                    {"month": format_month(mo), "state": "unrecorded", "due": None, "credited": None, "paid_on": None,
                     "payments": []}
                )  # fmt: skip
    for t in range(max(m - back + 1, 0), m + 1):
        mo = hist.first + t
        due = credited = 0
        if led is not None:
            own = led.own
            due = int(led.due[own, t, i].sum())
            credited = int(np.minimum(led.allocation.allocated[own, t, i], led.due[own, t, i]).sum())
        paid = hist.paid_day[t, i] <= day.toordinal()
        if mo in early and not hist.assumed[i]:
            state = "deduction" if paid else "unrecorded"
        elif hist.member[t, i]:
            state = "state"
        elif not hist.obligation[t, i]:
            state = "nothing"
        elif paid:
            state = "paid"
        elif due_date(mo, deadline) > day:
            state = "not_yet"
        else:
            state = "short" if 0 < credited < due else "unpaid"
        priced = led is not None and state not in ("deduction", "unrecorded")  # amounts before 2020: not computed
        rows.append(
            {
                "month": format_month(mo),
                "state": state,
                "due": _tenge(due) if priced else None,
                "credited": _tenge(credited) if priced else None,
                "paid_on": dt.date.fromordinal(int(hist.paid_day[t, i])).isoformat()
                if hist.paid_day[t, i] != BIG and paid
                else None,
                "payments": sorted(set(pieces.get(mo, []))),
            }
        )
    return rows


def render_months(rows: list[dict[str, Any]], lang: str) -> list[str]:
    lines = [f"   {WORDS['months'][lang]}:"]
    for r in rows:
        parts = [WORDS[r["state"]][lang]]
        if r["due"] is not None and r["state"] not in ("state", "nothing"):
            parts.append(f"{WORDS['due'][lang]} {r['due']:,.2f}".replace(",", " "))
            parts.append(f"{WORDS['credited'][lang]} {r['credited']:,.2f}".replace(",", " "))
        if r["paid_on"]:
            parts.append(r["paid_on"])
        if r["payments"]:
            parts.append(f"{WORDS['by'][lang]} " + ", ".join(f"#{p}" for p in r["payments"]))
        lines.append(f"     {r['month']}  " + "; ".join(parts))
    return lines
