"""Status never lapses and returns by itself: over consecutive days, an insured → uninsured → insured pattern needs a
reason on the day it returns — a payment made that day, a category membership starting that month, or a rule taking
effect that day. Random histories across every rule change from 2020 to 2026."""

from __future__ import annotations

import datetime as dt

from conftest import scenario
from hypothesis import given, settings
from hypothesis import strategies as st

from osms.core.dates import format_month, month_of
from osms.runs.scenarios import evaluate

START, END = dt.date(2020, 1, 1), dt.date(2026, 12, 31)
months = st.integers(2020 * 12, 2026 * 12 + 11)


@st.composite
def histories(draw):  # type: ignore[no-untyped-def]
    born = draw(st.sampled_from(["1950-03-15", "1990-06-01", "2006-11-10", "2007-12-10", "2008-05-20"]))
    lines = [f"person: {{birth_date: {born}, residency: citizen}}"]
    a = draw(months)
    b = draw(st.integers(a, 2026 * 12 + 11))
    if draw(st.booleans()):
        lines.append(f"jobs: [{{employer: A, from: {format_month(a)}, to: {format_month(b)}, wage: 300000}}]")
    if draw(st.booleans()):
        lines.append(f"facts: [{{fact: full_time_student, from: {format_month(a)}, to: {format_month(b)}}}]")
    pays = []
    if draw(st.booleans()):
        lines.append("self_payer: [{from: 2020-01}]")
        first = draw(months)
        for mo in range(first, min(first + draw(st.integers(1, 30)), 2026 * 12 + 12)):
            day = dt.date((mo + 1) // 12, (mo + 1) % 12 + 1, draw(st.integers(1, 28)))
            pays.append(
                f"{{paid_on: {day}, for_month: {format_month(mo)}, amount: 4250, kind: self_payer_contribution}}"
            )
        lines.append(f"payments: [{', '.join(pays)}]")
    return "\n".join(lines) + "\n"


def _rule_days(policy) -> set[dt.date]:  # type: ignore[no-untyped-def]
    days = set()
    for p in policy.parameters.values():
        days |= {e.start for e in p.timeline.entries}
    for c in policy.categories.values():
        days |= {e.start for e in c.timeline.entries}
    return days


@settings(max_examples=12, deadline=None)
@given(histories(), st.integers(0, (END - START).days - 200))
def test_status_does_not_lapse_and_return_by_itself(policy, text: str, offset: int) -> None:
    sc = scenario(policy, text, "days")
    ev = evaluate(policy, [sc], [policy.covers[1]], strict=False)
    rules = _rule_days(policy)
    paid_days = {p.paid_on for p in sc.payments}
    member = ev.history.member[:, 0]
    days = [START + dt.timedelta(days=offset + k) for k in range(200)]
    insured = [bool(ev.status(d).insured[0]) for d in days]
    lapsed = False
    for k in range(1, len(days)):
        if insured[k - 1] and not insured[k]:
            lapsed = True
        elif lapsed and insured[k] and not insured[k - 1]:
            d = days[k]
            m = month_of(d) - ev.history.first
            joined = d.day == 1 and member[m] and not member[m - 1]
            assert d in paid_days or d in rules or joined, (text, d)
            lapsed = False
