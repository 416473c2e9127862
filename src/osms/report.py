"""Results as records (for JSON) and as tables (for people), in ru, kk or en."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import numpy as np

from . import __version__
from .dates import format_month
from .errors import OsmsError
from .evaluation import MonthResult
from .money import to_decimal
from .policy import PolicySet, Rule
from .scenario import Batch, Scenario

PAYER_LABELS = {
    "employer": {"ru": "работодатель", "kk": "жұмыс беруші", "en": "employer"},
    "employee": {"ru": "работник", "kk": "жұмыскер", "en": "employee"},
    "entrepreneur": {"ru": "ИП", "kk": "ЖК", "en": "entrepreneur"},
    "self_payer": {"ru": "самостоятельный плательщик", "kk": "дербес төлеуші", "en": "self-payer"},
    "self_employed": {"ru": "самозанятый", "kk": "өзін-өзі жұмыспен қамтыған", "en": "self-employed"},
    "state": {"ru": "государство", "kk": "мемлекет", "en": "state"},
    "local": {"ru": "местный бюджет", "kk": "жергілікті бюджет", "en": "local budget"},
}


def amount(rule: Rule, value: float) -> Decimal | bool | float:
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
            per = {}
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
            cats.append({"id": cat.name, "payer": entry.payload["payer"] if entry else None,
                         "stated": bool(batch.stated[cat.name][i])})
        elif batch.stated[cat.name][i] and res.versions[node] is None:
            cats.append({"id": cat.name, "payer": None, "stated": True, "not_in_force": True})
    rec["categories"] = cats
    fallback = [name for name, (_, used) in sorted(res.keyed.items()) if used[i]]
    if fallback:  # a keyed parameter had no figure for the person's choice (e.g. region): the fallback was used
        rec["fallback_used"] = fallback
    return rec


def invalid_errors(res: MonthResult, scenarios: list[Scenario], lang: str) -> list[OsmsError]:
    out = []
    for inv in res.invalid:
        for i in np.flatnonzero(inv.mask):
            out.append(OsmsError(inv.message(res.month, lang), file=scenarios[i].file))
    return out


def envelope(policy: PolicySet, results: list[dict[str, Any]]) -> dict[str, Any]:
    return {"policy": policy.stamp, "engine": {"name": "osms-eval", "version": __version__},
            "as_of": policy.as_of, "results": results}


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
        groups = []
        while whole:
            groups.insert(0, whole[-3:])
            whole = whole[:-3]
        return sign + " ".join(groups) + (f".{frac}" if frac else "")
    return str(v)


HEAD = {"ru": "Сценарий", "kk": "Сценарий", "en": "Scenario"}
PAYERS_ROW = {"ru": "Кто платит", "kk": "Кім төлейді", "en": "Who pays"}
CATS_ROW = {"ru": "Льготные категории", "kk": "Жеңілдікті санаттар", "en": "Preferential categories"}
POLICY_ROW = {"ru": "Политика", "kk": "Ережелер жиынтығы", "en": "Policy"}
AS_OF = {"ru": "по состоянию на {}", "kk": "{} жағдай бойынша", "en": "as of {}"}
INSURED_ROW = {"ru": "Застрахован (на конец месяца)", "kk": "Сақтандырылған (ай соңында)",
               "en": "Insured (at the month's end)"}
UNTIL_ROW = {"ru": "Статус действует до", "kk": "Мәртебе мерзімі", "en": "Insured until"}
DEBT_ROW = {"ru": "Месяцев задолженности", "kk": "Берешек айлары", "en": "Months in debt"}
SHORT_REASON = {
    "transition_2020": {"ru": "переходный 2020", "kk": "өтпелі 2020", "en": "2020 transition"},
    "category": {"ru": "льготная категория", "kk": "жеңілдікті санат", "en": "category"},
    "payments": {"ru": "12 платежей", "kk": "12 төлем", "en": "12 payments"},
    "prospective": {"ru": "12 платежей вперёд", "kk": "алдағы 12 төлем", "en": "12 payments ahead"},
    "grace": {"ru": "льготный период", "kk": "жеңілдікті кезең", "en": "grace period"},
    "category_exit": {"ru": "после категории", "kk": "санаттан кейін", "en": "after category"},
    "it_failure": {"ru": "сбой ИС", "kk": "АЖ іркілісі", "en": "IT failure"},
    "none": {"ru": "нет", "kk": "жоқ", "en": "no"},
}
YES = {"ru": "да", "kk": "иә", "en": "yes"}


def _insured_cell(r: dict[str, Any], lang: str) -> str:
    why = SHORT_REASON[r["insured_reason"]][lang]
    return f"{YES[lang]} ({why})" if r["insured"] else why


def table(policy: PolicySet, records: list[dict[str, Any]], lang: str, width: int = 6) -> str:
    """A readable grid per scenario: outputs down, months across (in groups of `width`)."""
    lines = [f"{POLICY_ROW[lang]}: {policy.id} {policy.version} ({policy.fingerprint[:19]}…), "
             + AS_OF[lang].format(policy.as_of)]
    by_scenario: dict[str, list[dict[str, Any]]] = {}
    for rec in records:
        by_scenario.setdefault(rec["scenario"], []).append(rec)
    rules = output_rules(policy)
    for sid, recs in by_scenario.items():
        for start in range(0, len(recs), width):
            chunk = recs[start:start + width]
            rows: list[list[str]] = [[f"{HEAD[lang]} {sid}"] + [r["month"] for r in chunk]]
            for rule in rules:
                rows.append([rule.label[lang]] + [fmt_amount(r[rule.name]) for r in chunk])
                if rule.entity == "job":
                    employers = sorted({e for r in chunk for e in r[rule.name]["by_employer"]})
                    if len(employers) > 1:
                        for e in employers:
                            rows.append([f"  · {e}"] + [fmt_amount(r[rule.name]["by_employer"].get(e, "—"))
                                                        for r in chunk])
            rows.append([PAYERS_ROW[lang]] + [", ".join(PAYER_LABELS[p][lang] for p in r["payer"]) or "—"
                                              for r in chunk])
            if "insured" in chunk[0]:
                rows.append([INSURED_ROW[lang]] + [_insured_cell(r, lang) for r in chunk])
                rows.append([UNTIL_ROW[lang]] + [r["insured_until"] or ("…" if r["insured"] else "—")
                                                 for r in chunk])
                if any(r["debt_months"] for r in chunk):
                    rows.append([DEBT_ROW[lang]] + [str(r["debt_months"]) for r in chunk])
            rows.append([CATS_ROW[lang]] + [", ".join(policy.categories[c["id"]].label[lang][:28]
                                                      for c in r["categories"] if not c.get("not_in_force"))
                                            or "—" for r in chunk])
            lines.append("")
            lines.extend(_grid(rows))
    return "\n".join(lines) + "\n"


def _grid(rows: list[list[str]]) -> list[str]:
    first = min(max(len(r[0]) for r in rows), 60)
    widths = [max(len(r[c]) for r in rows) for c in range(1, len(rows[0]))]
    out = []
    for n, r in enumerate(rows):
        label = r[0] if len(r[0]) <= first else r[0][: first - 1] + "…"
        cells = [c.rjust(w) for c, w in zip(r[1:], widths)]
        out.append(f"{label.ljust(first)}  " + "  ".join(cells))
        if n == 0:
            out.append("─" * len(out[-1]))
    return out
