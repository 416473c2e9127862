"""Results as records (for JSON) and the words the table shows (table.py lays it out), in ru, kk or en."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from .. import __version__
from ..core.dates import format_month, month_end
from ..core.messages import Msg
from ..core.money import to_decimal
from ..engine.batch import Batch
from ..engine.evaluation import MonthResult
from ..engine.status import REASON_CODES, Status, day_of
from ..policy import PolicySet, Rule
from ..runs.scenarios import Evaluation

# What an answer resting on payments nobody listed says beside it (run's table, coverage).
PAYMENTS_ASSUMED = Msg(
    "Status takes every contribution as paid on time: the scenario lists no payments "
    "(list them under payments: to check the real ones)."
)

PAYER_LABELS = {
    "employer": Msg("employer"),
    "employee": Msg("employee"),
    "entrepreneur": Msg("entrepreneur"),
    "self_payer": Msg("self-payer"),
    "self_employed": Msg("self-employed"),
    "state": Msg("state"),
    "local": Msg("local budget"),
}


def amount(rule: Rule, value: float) -> Decimal | bool:
    """An output value as the exact number it stands for."""
    if rule.unit == "bool":
        return bool(value)
    if rule.rounding is not None:
        return to_decimal(value, rule.rounding[0])
    return Decimal(repr(float(value)))


PAYER_ORDER = ("employer", "employee", "entrepreneur", "self_payer", "self_employed", "state", "local")


def output_rules(policy: PolicySet) -> list[Rule]:
    """Output rules grouped by who pays (employer first, totals last)."""
    rank = {p: i for i, p in enumerate(PAYER_ORDER)}
    rules = [r for r in policy.rules.values() if r.output]
    return sorted(rules, key=lambda r: rank.get(r.payer or "", len(rank)))


def person_record(policy: PolicySet, res: MonthResult, batch: Batch, i: int, scenario_id: str) -> dict[str, Any]:
    """One person's month: every output rule, who pays, and the categories that apply."""
    rec: dict[str, Any] = {"scenario": scenario_id, "month": format_month(res.month)}
    payers: list[str] = []
    for rule in output_rules(policy):
        arr = res.values[rule.name]
        if arr.ndim == 2:
            per: dict[str, Any] = {}
            total = Decimal(0)
            for j, employer in enumerate(batch.employers[i]):
                if batch.facts["employed"][j, i]:
                    v = amount(rule, arr[j, i])
                    per[employer] = per.get(employer, Decimal(0)) + v
                    total += v
            rec[rule.name] = {"total": total, "by_employer": per}
            positive = total > 0
        else:
            v = amount(rule, arr[i])
            rec[rule.name] = v
            positive = not isinstance(v, bool) and v > 0
        if positive and rule.payer and rule.payer not in payers:
            payers.append(rule.payer)
    rec["payer"] = payers
    cats = []
    for cat in policy.categories.values():
        node = f"in_{cat.name}"
        if res.values[node][i]:
            entry = res.versions[node]
            cats.append(
                {
                    "id": cat.name,
                    "payer": entry.value.payer if entry else None,
                    "stated": bool(batch.stated[cat.name][i]),
                }
            )
        elif batch.stated[cat.name][i] and res.versions[node] is None:
            cats.append({"id": cat.name, "payer": None, "stated": True, "not_in_force": True})
    rec["categories"] = cats
    fallback = [name for name, (_, used) in sorted(res.keyed.items()) if used[i]]
    if fallback:  # a keyed parameter had no figure for the person's choice (e.g. region): the fallback was used
        rec["fallback_used"] = fallback
    return rec


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


def envelope(policy: PolicySet, results: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "policy": policy.stamp,
        "engine": {"name": "osms-eval", "version": __version__},
        "as_of": policy.as_of,
        "results": results,
    }


def _json_default(o: Any) -> Any:
    if isinstance(o, Decimal):
        return int(o) if o == o.to_integral_value() else float(o)
    raise TypeError(type(o).__name__)


def to_json(doc: Any) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=2, default=_json_default) + "\n"


def fmt_amount(v: Any) -> str:
    if isinstance(v, dict):
        v = v["total"]
    if isinstance(v, bool):
        return "✓" if v else "—"
    if isinstance(v, Decimal):
        if v == v.to_integral_value():
            v = v.quantize(Decimal(1))
        sign = "-" if v < 0 else ""
        whole, _, frac = f"{abs(v):f}".partition(".")
        groups: list[str] = []
        while whole:
            groups.insert(0, whole[-3:])
            whole = whole[:-3]
        return sign + " ".join(groups) + (f".{frac}" if frac else "")
    return str(v)


SHORT_REASON = {
    "transition_2020": Msg("2020 transition"),
    "category": Msg("category"),
    "payments": Msg("12 payments"),
    "prospective": Msg("12 payments ahead"),
    "grace": Msg("grace period"),
    "category_exit": Msg("after category"),
    "it_failure": Msg("IT failure"),
    "none": Msg("no"),
}
YES = Msg("yes")
