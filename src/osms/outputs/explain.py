"""Explanations: how each output was reached — rule, parameters with citations, facts, categories, status."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import numpy as np

from ..core.dates import format_month, month_end
from ..core.messages import Msg
from ..engine.allocation import deduction_months
from ..engine.status import REASON_CODES, day_of
from ..policy import Dated, PolicySet
from ..policy.bibliography import cited, gaps
from ..runs.scenarios import Evaluation
from .records import amount, fmt_amount
from .status_detail import WORDS as DETAIL_WORDS
from .status_detail import months_considered, next_payment_due, overpaid, payments_applied, render_months

WORDS = {
    "formula": Msg("formula"),
    "from": Msg("from"),
    "fact": Msg("fact"),
    "fallback": Msg("no figure for this region: the fallback (national) figure is used"),
    "assumption": Msg("assumption"),
    "sources": Msg("sources"),
    "categories": Msg("Preferential categories"),
    "none": Msg("none applies"),
    "stated": Msg("stated in the scenario"),
    "condition": Msg("condition holds"),
    "status": Msg("Insured status"),
    "on": Msg("on"),
    "yes": Msg("yes"),
    "no": Msg("no"),
    "state": Msg("paid by the republican budget"),
    "local": Msg("paid by the local executive body"),
    "by_employer": Msg("by employer"),
    "last_paid": Msg("last paid month"),
    "continuous": Msg("months of continuous payments"),
    "until": Msg("insured until"),
    "grace_end": Msg("grace period ends"),
    "debt": Msg("months in debt"),
    "assumed": Msg("payments taken as made on time (the scenario lists none)"),
}


def _cite(entry: Dated, policy: PolicySet, lang: str) -> dict[str, Any]:
    """The citation of a dated entry: the act, each source by title and address, the assumption in `lang`."""
    ref = entry.prov.reference
    assumption = entry.prov.assumption
    return {
        "citation": ref.cite() + gaps(ref.unknown, lang),
        "act": ref.act,
        "number": ref.number,
        "article": ref.article,
        "unknown": dict(ref.unknown),
        "url": ref.url,
        "sources": cited(policy.sources, ref.sources, lang),
        "confidence": entry.prov.confidence,
        "assumption": assumption[lang] if assumption else None,
        "note": entry.prov.note,
        "from": entry.start.isoformat(),
        "where": f"{entry.prov.file}:{entry.prov.line}",
    }


def _value(x: Any) -> Any:
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, Decimal):
        return x
    return Decimal(repr(float(x))).normalize() if float(x) != int(float(x)) else Decimal(int(float(x)))


def explain(
    ev: Evaluation, i: int, month: int, outputs: list[str] | None, lang: str, on: dt.date | None = None
) -> dict[str, Any]:
    """The explanation tree for person i in `month` as plain data (JSON-ready)."""
    policy = ev.policy
    res = ev.results[month]
    batch = res.batch
    assert batch is not None
    seen: set[str] = set()

    def fact_node(name: str) -> dict[str, Any]:
        arr = res.values[name] if name in res.values else batch.facts[name]
        d = policy.facts[name]
        if d.choices is not None:  # a choice fact: the id of the person's choice (None: not stated)
            code = arr[i]
            choice = list(d.choices)[int(code)] if code == code else None
            return {
                "kind": "fact",
                "name": name,
                "label": d.label[lang],
                "value": choice,
                "value_label": d.choices[choice][lang] if choice else None,
            }
        if arr.ndim == 2:
            value: Any = {
                emp: _value(arr[j, i]) for j, emp in enumerate(batch.employers[i]) if batch.facts["employed"][j, i]
            }
        else:
            value = _value(arr[i])
        return {"kind": "fact", "name": name, "label": d.label[lang], "value": value}

    def param_node(name: str) -> dict[str, Any]:
        use = res.params[name]
        p = policy.parameters[name]
        node = {
            "kind": "parameter",
            "name": name,
            "label": p.label[lang],
            "unit": p.unit,
            "value": use.value,
            **_cite(use.entry, policy, lang),
        }
        if p.keyed_by and name in res.keyed:  # the person's figure, by their choice, and whether it is the fallback
            values, fallback = res.keyed[name]
            node["value"] = Decimal(str(values[i])) if values[i] == values[i] else None
            node["keyed_by"] = fact_node(p.keyed_by)
            node["fallback_used"] = bool(fallback[i])
        return node

    def category_node(cat: str) -> dict[str, Any]:
        c = policy.categories[cat]
        entry = res.versions[f"in_{cat}"]
        member = bool(res.values[f"in_{cat}"][i])
        node: dict[str, Any] = {"kind": "category", "name": cat, "label": c.label[lang], "value": member}
        if entry is None:
            node["in_force"] = False
            return node
        node.update(_cite(entry, policy, lang))
        node["payer"] = entry.value.payer
        stated = bool(batch.stated[cat][i])
        node["stated"] = stated
        cond = entry.value.condition
        if cond is not None:
            node["condition"] = cond.text
            node["children"] = [child(n) for n in sorted(cond.names)]
        return node

    def aggregate_node(name: str) -> dict[str, Any]:
        applied = [category_node(c) for c in policy.categories if res.values[f"in_{c}"][i]]
        return {
            "kind": "aggregate",
            "name": name,
            "value": bool(res.values[name][i]),
            "label": WORDS["categories"][lang],
            "children": applied,
        }

    def child(name: str) -> dict[str, Any]:
        if name in policy.parameters:
            return param_node(name)
        if name in policy.rules:
            return rule_node(name)
        if name.startswith("in_") and name[3:] in policy.categories:
            return category_node(name[3:])
        if name in ("state_paid", "locally_paid", "preferential"):
            return aggregate_node(name)
        return fact_node(name)

    def rule_node(name: str) -> dict[str, Any]:
        rule = policy.rules[name]
        entry = res.versions[name]
        arr = res.values[name]
        node: dict[str, Any] = {"kind": "rule", "name": name, "label": rule.label[lang], "unit": rule.unit}
        if arr.ndim == 2:
            per = {
                emp: amount(rule, arr[j, i])
                for j, emp in enumerate(batch.employers[i])
                if batch.facts["employed"][j, i]
            }
            node["value"] = sum(per.values(), Decimal(0))
            node["by_employer"] = per
        else:
            node["value"] = amount(rule, arr[i])
        assert entry is not None
        formula = entry.value.formula
        node["formula"] = formula.text
        if rule.rounding:
            node["rounding"] = {"step": rule.rounding[0], "mode": rule.rounding[1]}
        node.update(_cite(entry, policy, lang))
        if name in seen:
            node["repeated"] = True
            return node
        seen.add(name)
        node["children"] = [child(n) for n in sorted(formula.names)]
        return node

    names = outputs or [r.name for r in policy.rules.values() if r.output]
    st = ev.status(on if on is not None else month_end(month))
    deadline = int(policy.parameter_value(policy.roles.parameter("due_day"), st.on)[0])
    status = {
        "kind": "status",
        "label": WORDS["status"][lang],
        "on": st.on.isoformat(),
        "value": bool(st.insured[i]),
        "reason": REASON_CODES[int(st.reason[i])],
        "reason_text": policy.outcomes["status"][REASON_CODES[int(st.reason[i])]][lang],
        "insured_until": day_of(int(st.insured_until[i])),
        "grace_period_end": day_of(int(st.grace_period_end[i])),
        "debt_months": int(st.debt_months[i]),
        "last_paid_month": format_month(int(st.last_paid_month[i])) if st.last_paid_month[i] >= 0 else None,
        "continuous_months": int(st.continuous_months[i]),
        "payments_assumed": bool(ev.history.assumed[i]),
        "next_payment_due": next_payment_due(ev.history, i, st.on, deadline),
        "months": months_considered(
            ev.history, i, st.on, _months_back(policy, st.on), deadline, set(deduction_months(policy).tolist())
        ),
        "payments_applied": payments_applied(ev.history, i, st.on),
        "overpaid": overpaid(ev.history, i, st.on),
        "children": [
            {
                "kind": "parameter",
                "name": k,
                "label": policy.parameters[k].label[lang],
                "value": v,
                "unit": policy.parameters[k].unit,
                **_cite(e, policy, lang),
            }
            for k, (v, e) in sorted({**st.params, **_fixed(policy, st)}.items())
        ],
    }
    return {
        "scenario": ev.scenarios[i].id,
        "month": format_month(month),
        "outputs": [rule_node(n) for n in names],
        "categories": aggregate_node("preferential"),
        "status": status,
    }


def _months_back(policy: PolicySet, day: dt.date) -> int:
    """How many months the status looks at: 12, or the 60 of the extended grace where that is longer."""

    def value(role: str) -> Decimal:
        return policy.parameter_value(policy.roles.parameter(role), day)[0]

    required = int(value("qualifying_months"))
    if value("long_history_grace") > value("grace"):
        return max(required, int(value("long_history_months")))
    return required


def _fixed(policy: PolicySet, st: Any) -> dict[str, Any]:
    """The grace and retention parameters as read when the period began (the latest entry of each read)."""
    out: dict[str, Any] = {}
    for name, start in sorted(st.fixed):
        entry = next(e for e in policy.parameters[name].timeline.entries if e.start == start)
        out[name] = (entry.value, entry)
    return out


def render(tree: dict[str, Any], policy: PolicySet, lang: str) -> str:
    """The tree as indented text an analyst can read."""
    lines = [f"{tree['scenario']} · {tree['month']} · {policy.id} {policy.version} ({policy.fingerprint[:19]}…)"]

    def val(v: Any) -> str:
        if isinstance(v, bool):
            return WORDS["yes" if v else "no"][lang]
        if isinstance(v, dict):
            return ", ".join(f"{k}: {fmt_amount(x)}" for k, x in v.items()) or "—"
        return fmt_amount(v) if isinstance(v, Decimal) else str(v)

    def cite_line(n: dict[str, Any]) -> str:
        s = f"{WORDS['from'][lang]} {n['from']}: {n['citation']} [{n['confidence']}]"
        return s

    def walk(n: dict[str, Any], prefix: str, last: bool, top: bool = False) -> None:
        branch = "" if top else ("└─ " if last else "├─ ")
        head = f"{n['name']} = {val(n['value'])}" if "name" in n else f"{n['label']}: {val(n['value'])}"
        label = f" — {n['label']}" if "name" in n else ""
        kind = f" ({WORDS['fact'][lang]})" if n["kind"] == "fact" else ""
        lines.append(f"{prefix}{branch}{head}{label}{kind}")
        inner = prefix + ("" if top else ("   " if last else "│  "))
        if n["kind"] == "category" and n.get("value"):
            how = WORDS["stated"][lang] if n.get("stated") else WORDS["condition"][lang]
            lines.append(f"{inner}· {how}; {WORDS[n['payer']][lang]}")
        if "formula" in n:
            lines.append(f"{inner}· {WORDS['formula'][lang]}: {n['formula']}")
        if "keyed_by" in n:  # a parameter read by the person's choice (e.g. region)
            k = n["keyed_by"]
            lines.append(
                f"{inner}· {k['name']} = {k['value'] or '—'}"
                + (f" ({k['value_label']})" if k.get("value_label") else "")
            )
            if n["fallback_used"]:
                lines.append(f"{inner}· {WORDS['fallback'][lang]}")
        if "by_employer" in n and len(n["by_employer"]) > 0:
            lines.append(f"{inner}· {WORDS['by_employer'][lang]}: {val(n['by_employer'])}")
        if "condition" in n:
            lines.append(f"{inner}· {n['condition']}")
        if "citation" in n:
            lines.append(f"{inner}· {cite_line(n)}")
            lines.append(f"{inner}· {WORDS['sources'][lang]}:")
            lines.extend(f"{inner}    – {src['text']}" for src in n["sources"])
        if n.get("assumption"):
            lines.append(f"{inner}· {WORDS['assumption'][lang]}: {n['assumption']}")
        kids = n.get("children", [])
        if n["kind"] == "aggregate" and not kids:
            lines.append(f"{inner}└─ {WORDS['none'][lang]}")
        for k, c in enumerate(kids):
            walk(c, inner, k == len(kids) - 1)

    for out in tree["outputs"]:
        lines.append("")
        walk(out, "", True, top=True)
    lines.append("")
    walk(tree["categories"], "", True, top=True)
    st = tree["status"]
    lines.append("")
    lines.append(f"{st['label']} {WORDS['on'][lang]} {st['on']}: {val(st['value'])} — {st['reason_text']}")
    extra = [
        (WORDS["last_paid"][lang], st["last_paid_month"]),
        (WORDS["continuous"][lang], st["continuous_months"]),
        (WORDS["until"][lang], st["insured_until"]),
        (WORDS["grace_end"][lang], st["grace_period_end"]),
        (WORDS["debt"][lang], st["debt_months"]),
    ]
    for k, v in extra:
        if v not in (None, 0):
            lines.append(f"   · {k}: {v}")
    if st["payments_assumed"]:
        lines.append(f"   · {WORDS['assumed'][lang]}")
    if st["next_payment_due"]:
        lines.append(f"   · {DETAIL_WORDS['next_due'][lang]}: {st['next_payment_due']}")
    for o in st["overpaid"]:
        lines.append(f"   · {DETAIL_WORDS['overpaid'][lang]} #{o['payment']}: {o['amount']}")
    if not st["payments_assumed"]:
        lines.extend(render_months(st["months"][-12:], lang))
    for j, c in enumerate(st["children"]):
        walk(c, "   ", j == len(st["children"]) - 1)
    return "\n".join(lines) + "\n"
