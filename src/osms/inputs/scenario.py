"""Scenarios: one person's facts over time, loaded from YAML and checked against the policies."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..core.dates import (
    DateFormatError,
    format_month,
    month_end,
    parse_date,
)
from ..core.errors import Collector, OsmsError
from ..core.limits import MAX_TEXT, SCENARIO_LISTS, cut
from ..core.messages import _
from ..policy import PolicySet, schema
from ..policy.facts import BUILTIN_FACTS
from ..policy.loading import LineDict, field_name, line_of, load_yaml_file
from .scenario_cells import money_of, monthly_of, spell_of
from .scenario_model import Job, Scenario
from .scenario_payments import parse_payment

MAX_SCENARIO_BYTES = 8 * 1024 * 1024


def parse_scenario(doc: Any, file: str, policy: PolicySet, default_id: str) -> Scenario:
    """Check a scenario document (schema, then meaning against the policies) and build the model."""
    if not isinstance(doc, LineDict):
        raise OsmsError(_("a scenario must be a mapping with at least `person:`"), file=file, line=1)
    problems = schema.validate("scenario", doc, file)
    if problems:
        errs = Collector()
        errs.extend(problems)
        errs.raise_if_any()
    errors = Collector()
    person = doc["person"]
    try:
        birth = parse_date(person["birth_date"])
    except DateFormatError as exc:
        errors.add(str(exc), file=file, line=line_of(doc, ["person", "birth_date"]), field="person.birth_date")
        birth = dt.date(1900, 1, 1)
    sc = Scenario(
        id=doc.get("id", default_id),
        file=file,
        birth_date=birth,
        residency=person["residency"],
        note=doc.get("note"),
        birth_line=line_of(doc, ["person", "birth_date"]),
    )
    for i, j in enumerate(doc.get("jobs", [])):
        path: list[str | int] = ["jobs", i]
        sp = spell_of(j, doc, path, file, errors)
        wage = money_of(j["wage"], doc, [*path, "wage"], file, errors) if "wage" in j else None
        wages = monthly_of(j.get("wages", {}), doc, [*path, "wages"], file, errors)
        if sp is None:
            continue
        for m in wages:
            if not sp.overlaps_month(m):
                errors.add(
                    _("wage for {month} lies outside the job's dates", month=format_month(m)),
                    file=file,
                    line=line_of(doc, [*path, "wages"]),
                    field=field_name([*path, "wages"]),
                )
        sc.jobs.append(Job(j["employer"], sp, wage, wages, line_of(doc, path)))
    for i, c in enumerate(doc.get("civil_contracts", [])):
        for m, v in monthly_of(c["income"], doc, ["civil_contracts", i, "income"], file, errors).items():
            sc.civil_income[m] = sc.civil_income.get(m, Decimal(0)) + v
    for key, target in (("entrepreneur", sc.entrepreneur), ("self_payer", sc.self_payer)):
        for i, e in enumerate(doc.get(key, [])):
            sp = spell_of(e, doc, [key, i], file, errors)
            if sp is not None:
                target.append(sp)
    for i, e in enumerate(doc.get("self_employed", [])):
        sp = spell_of(e, doc, ["self_employed", i], file, errors)
        inc = monthly_of(e.get("income", {}), doc, ["self_employed", i, "income"], file, errors)
        flat = (
            money_of(e["monthly_income"], doc, ["self_employed", i, "monthly_income"], file, errors)
            if "monthly_income" in e
            else None
        )
        if sp is not None:
            sc.self_employed.append((sp, inc, flat))
    for i, e in enumerate(doc.get("esp", [])):
        sp = spell_of(e, doc, ["esp", i], file, errors)
        if sp is not None:
            sc.esp.append((sp, e["locality"] == "city"))
    for i, c in enumerate(doc.get("categories", [])):
        path = ["categories", i, "id"]
        if c["id"] not in policy.categories:
            known = ", ".join(sorted(policy.categories))
            errors.add(
                _("unknown category {id}; the categories are: {known}", id=cut(c["id"]), known=known),
                file=file,
                line=line_of(doc, path),
                field=field_name(path),
            )
            continue
        sp = spell_of(c, doc, ["categories", i], file, errors)
        if sp is not None:
            sc.categories.append((c["id"], sp))
    for i, f in enumerate(doc.get("facts", [])):
        path = ["facts", i, "fact"]
        fdef = policy.facts.get(f["fact"])
        if fdef is None or fdef.entity != "person" or f["fact"] in BUILTIN_FACTS:
            declared = ", ".join(
                sorted(n for n in policy.facts if n not in BUILTIN_FACTS and policy.facts[n].entity == "person")
            )
            errors.add(
                _(
                    "unknown fact {fact}; the facts a scenario can state are: {declared}",
                    fact=cut(f["fact"]),
                    declared=declared,
                ),
                file=file,
                line=line_of(doc, path),
                field=field_name(path),
            )
            continue
        value = f.get("value", True)
        if fdef.type == "bool" and not isinstance(value, bool):
            errors.add(
                _("fact {fact} is true or false, not {value}", fact=repr(f["fact"]), value=cut(value)),
                file=file,
                line=line_of(doc, ["facts", i, "value"]),
                field=field_name(["facts", i, "value"]),
            )
            continue
        if fdef.type == "choice":
            if not isinstance(value, str) or fdef.choices is None or value not in fdef.choices:
                errors.add(
                    _(
                        "fact {fact} is one of: {choices}; not {value}",
                        fact=repr(f["fact"]),
                        choices=", ".join(fdef.choices or ()),
                        value=cut(str(value)),
                    ),
                    file=file,
                    line=line_of(doc, ["facts", i, "value"]),
                    field=field_name(["facts", i, "value"]),
                )
                continue
            value = fdef.code(value)
        elif fdef.type == "number" and (isinstance(value, (bool, str)) or "value" not in f):
            errors.add(
                _("fact {fact} needs a numeric value", fact=repr(f["fact"])),
                file=file,
                line=line_of(doc, ["facts", i]),
                field=field_name(["facts", i]),
            )
            continue
        sp = spell_of(f, doc, ["facts", i], file, errors)
        if sp is not None:
            sc.facts.append((f["fact"], sp, float(value)))
    sc.payments_recorded = "payments" in doc
    for i, p in enumerate(doc.get("payments", [])):
        payment = parse_payment(p, i, doc, file, policy, sc, errors)
        if payment is not None:
            sc.payments.append(payment)
    errors.raise_if_any()
    return sc


def load_scenario(path: Path | str, policy: PolicySet) -> Scenario:
    path = Path(path)
    doc = load_yaml_file(path, str(path), max_bytes=MAX_SCENARIO_BYTES, lists=SCENARIO_LISTS, max_text=MAX_TEXT)
    return parse_scenario(doc, str(path), policy, path.stem)


def require_born(scenarios: list[Scenario], months: list[int]) -> None:
    """A person born after a month asked for would count as a child in it: an error, not a state payment."""
    errors = Collector()
    for sc in scenarios:
        early = [m for m in months if sc.birth_date > month_end(m)]
        if early:
            errors.add(
                _(
                    "born {birth_date}, after the month evaluated ({month}): correct the date or "
                    "evaluate months from the birth on",
                    birth_date=sc.birth_date,
                    month=format_month(min(early)),
                ),
                file=sc.file,
                line=sc.birth_line,
                field="person.birth_date",
            )
    errors.raise_if_any()
