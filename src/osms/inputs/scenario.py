"""Scenarios: one person's facts over time, loaded, checked against the policies, and turned into arrays."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np

from ..core.dates import (
    DateFormatError,
    format_month,
    month_end,
    month_start,
    month_start_ordinals,
    parse_date,
    parse_month,
)
from ..core.errors import Collector, OsmsError
from ..core.limits import MAX_TEXT, SCENARIO_LISTS, cut
from ..core.messages import _
from ..engine import derive
from ..engine.batch import Batch, read_numbers
from ..policy import PolicySet, schema
from ..policy.facts import BUILTIN_FACTS, RESIDENCY_FACT
from ..policy.loading import LineDict, field_name, line_of, load_yaml_file

MAX_SCENARIO_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class Spell:
    start: dt.date
    end: dt.date | None  # inclusive; None = open

    def overlaps_month(self, month: int) -> bool:
        return self.start <= month_end(month) and (self.end is None or self.end >= month_start(month))

    def covers(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)

    def overlaps_months(self, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
        """`overlaps_month` for months given by the ordinals of their first and last days."""
        after = self.start.toordinal() <= ends
        return after if self.end is None else after & (self.end.toordinal() >= starts)


@dataclass
class Job:
    employer: str
    spell: Spell
    wage: Decimal | None
    wages: dict[int, Decimal]
    line: int | None


@dataclass
class Payment:
    """One payment as the Fund records it; `for_month` is the period the payer named, if any."""

    paid_on: dt.date
    for_month: int | None
    amount: Decimal
    kind: str  # the rule the payment pays (a rule with a payer)
    employer: str | None = None
    line: int | None = None


@dataclass
class Scenario:
    id: str
    file: str
    birth_date: dt.date
    residency: str
    jobs: list[Job] = field(default_factory=list)
    civil_income: dict[int, Decimal] = field(default_factory=dict)
    entrepreneur: list[Spell] = field(default_factory=list)
    self_payer: list[Spell] = field(default_factory=list)
    self_employed: list[tuple[Spell, dict[int, Decimal], Decimal | None]] = field(default_factory=list)
    esp: list[tuple[Spell, bool]] = field(default_factory=list)
    categories: list[tuple[str, Spell]] = field(default_factory=list)
    facts: list[tuple[str, Spell, float]] = field(default_factory=list)
    payments: list[Payment] = field(default_factory=list)
    payments_recorded: bool = False  # `payments:` is given (even empty): only these were made
    note: str | None = None
    warnings: list[OsmsError] = field(default_factory=list)
    birth_line: int | None = None

    def wage_for(self, job: Job, month: int) -> Decimal:
        if not job.spell.overlaps_month(month):
            return Decimal(0)
        if month in job.wages:
            return job.wages[month]
        return job.wage if job.wage is not None else Decimal(0)


def _spell(d: dict[str, Any], doc: Any, path: list[str | int], file: str, errors: Collector) -> Spell | None:
    try:
        start_text = d["from"]
        start = parse_date(start_text) if len(start_text) == 10 else month_start(parse_month(start_text))
        end = None
        if "to" in d:
            to = d["to"]
            end = parse_date(to) if len(to) == 10 else month_end(parse_month(to))
    except DateFormatError as exc:
        errors.add(str(exc), file=file, line=line_of(doc, path), field=field_name(path))
        return None
    if end is not None and end < start:
        errors.add(
            _("'to' ({end}) is before 'from' ({start})", end=end, start=start),
            file=file,
            line=line_of(doc, [*path, "to"]),
            field=field_name([*path, "to"]),
        )
        return None
    return Spell(start, end)


def _money(value: Any, doc: Any, path: list[str | int], file: str, errors: Collector) -> Decimal:
    d = Decimal(value)
    if d != d.quantize(Decimal("0.01")):
        errors.add(
            _("{value} has more than two decimals; amounts are in tenge and tiyn", value=value),
            file=file,
            line=line_of(doc, path),
            field=field_name(path),
        )
    return d


def _monthly(
    mapping: dict[str, Any], doc: Any, path: list[str | int], file: str, errors: Collector
) -> dict[int, Decimal]:
    out: dict[int, Decimal] = {}
    for k, v in mapping.items():
        try:
            out[parse_month(k)] = _money(v, doc, [*path, k], file, errors)
        except DateFormatError as exc:
            errors.add(str(exc), file=file, line=line_of(doc, [*path, k]), field=field_name([*path, k]))
    return out


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
        sp = _spell(j, doc, path, file, errors)
        wage = _money(j["wage"], doc, [*path, "wage"], file, errors) if "wage" in j else None
        wages = _monthly(j.get("wages", {}), doc, [*path, "wages"], file, errors)
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
        for m, v in _monthly(c["income"], doc, ["civil_contracts", i, "income"], file, errors).items():
            sc.civil_income[m] = sc.civil_income.get(m, Decimal(0)) + v
    for key, target in (("entrepreneur", sc.entrepreneur), ("self_payer", sc.self_payer)):
        for i, e in enumerate(doc.get(key, [])):
            sp = _spell(e, doc, [key, i], file, errors)
            if sp is not None:
                target.append(sp)
    for i, e in enumerate(doc.get("self_employed", [])):
        sp = _spell(e, doc, ["self_employed", i], file, errors)
        inc = _monthly(e.get("income", {}), doc, ["self_employed", i, "income"], file, errors)
        flat = (
            _money(e["monthly_income"], doc, ["self_employed", i, "monthly_income"], file, errors)
            if "monthly_income" in e
            else None
        )
        if sp is not None:
            sc.self_employed.append((sp, inc, flat))
    for i, e in enumerate(doc.get("esp", [])):
        sp = _spell(e, doc, ["esp", i], file, errors)
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
        sp = _spell(c, doc, ["categories", i], file, errors)
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
        sp = _spell(f, doc, ["facts", i], file, errors)
        if sp is not None:
            sc.facts.append((f["fact"], sp, float(value)))
    sc.payments_recorded = "payments" in doc
    for i, p in enumerate(doc.get("payments", [])):
        payment = _payment(p, i, doc, file, policy, sc, errors)
        if payment is not None:
            sc.payments.append(payment)
    errors.raise_if_any()
    return sc


def payment_kinds(policy: PolicySet) -> list[str]:
    """What a payment can pay: every rule that has a payer."""
    return [r.name for r in policy.rules.values() if r.payer]


def payment_kind(kind: str, policy: PolicySet) -> tuple[str | None, str | None]:
    """(the rule a payment kind names, the deprecated spelling used or None); (None, None) if unknown."""
    kinds = payment_kinds(policy)
    if kind in kinds:
        return kind, None
    if f"{kind}_contribution" in kinds:  # the old spellings: a payer's name for its `…_contribution` rule
        return f"{kind}_contribution", kind
    return None, None


def _payment(
    p: dict[str, Any], i: int, doc: Any, file: str, policy: PolicySet, sc: Scenario, errors: Collector
) -> Payment | None:
    path: list[str | int] = ["payments", i]
    where: dict[str, Any] = {"file": file, "line": line_of(doc, path)}
    try:
        paid = parse_date(p["paid_on"])
        named = parse_month(p["for_month"]) if "for_month" in p else None
    except DateFormatError as exc:
        errors.add(str(exc), field=field_name(path), **where)
        return None
    kind, old = payment_kind(p["kind"], policy)
    if kind is None:
        import difflib

        kinds = payment_kinds(policy)
        hint = difflib.get_close_matches(str(p["kind"]), kinds, n=1)
        errors.add(
            _("unknown payment kind {kind}", kind=repr(str(p["kind"])[:40]))
            + (_(" (did you mean {hint}?)", hint=repr(hint[0])) if hint else "")
            + _("; the kinds are: {kinds}", kinds=", ".join(kinds)),
            field=field_name([*path, "kind"]),
            **where,
        )
        return None
    if old is not None:
        sc.warnings.append(
            OsmsError(
                _(
                    "payment kind {old} is the old name of {kind}; write {kind} (the old names "
                    "are accepted until the next release)",
                    old=repr(old),
                    kind=repr(kind),
                ),
                field=field_name([*path, "kind"]),
                **where,
            )
        )
    lo, hi = policy.covers
    month = named if named is not None else paid.year * 12 + paid.month - 1
    if not lo <= month <= hi + 12:
        what = (
            _("names {month}", month=format_month(named))
            if named is not None
            else _("was made on {day}, naming no month,", day=paid)
        )
        errors.add(
            _(
                "the payment {what} outside what the policies can check ({first} to {last}, "
                "and prepayments for the 12 months after)",
                what=what,
                first=format_month(lo),
                last=format_month(hi),
            ),
            field=field_name(path),
            **where,
        )
        return None
    employer = p.get("employer")
    employers = sorted({j.employer for j in sc.jobs})
    if employer is not None and employer not in employers:
        errors.add(
            _(
                "employer {employer} has no job in this scenario; the employers are: {employers}",
                employer=repr(str(employer)[:60]),
                employers=", ".join(employers) or _("none"),
            ),
            field=field_name([*path, "employer"]),
            **where,
        )
        return None
    if employer is None and policy.rules[kind].entity == "job":
        if len(employers) != 1:
            errors.add(
                _(
                    "a payment of {kind} must name its employer (`employer:`) when the scenario has {count} employers",
                    kind=kind,
                    count=len(employers),
                )
                + (f" ({', '.join(employers)})" if employers else ""),
                field=field_name(path),
                **where,
            )
            return None
        employer = employers[0]
    amount = _money(p["amount"], doc, [*path, "amount"], file, errors)
    if amount <= 0:
        errors.add(_("a payment's amount must be more than 0"), field=field_name([*path, "amount"]), **where)
        return None
    return Payment(paid, named, amount, kind, employer, where["line"])


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


def build_batch(scenarios: list[Scenario], month: int, policy: PolicySet) -> Batch:
    """Scenario facts → arrays for one month (the input side; evaluation itself is vectorized)."""
    n = len(scenarios)
    k = max((len(s.jobs) for s in scenarios), default=0) or 1
    wage = np.zeros((k, n))
    employed = np.zeros((k, n), dtype=bool)
    f: dict[str, np.ndarray] = {
        name: np.zeros(n, dtype=bool if d.type == "bool" else np.float64)
        for name, d in policy.facts.items()
        if d.entity == "person"
    }
    for name, d in policy.facts.items():
        if d.type == "choice":
            f[name][:] = np.nan  # not stated: a rule that needs it says so (evaluation._unstated_choice)
    stated = {c: np.zeros(n, dtype=bool) for c in policy.categories}
    employers: list[list[str]] = []
    numbers = read_numbers(policy)
    for i, s in enumerate(scenarios):
        names = []
        for j, job in enumerate(s.jobs):
            names.append(job.employer)
            if job.spell.overlaps_month(month):
                employed[j, i] = True
                wage[j, i] = float(s.wage_for(job, month))
        employers.append(names)
        f["civil_income"][i] = float(s.civil_income.get(month, 0))
        f["entrepreneur"][i] = any(sp.overlaps_month(month) for sp in s.entrepreneur)
        f["self_payer"][i] = any(sp.overlaps_month(month) for sp in s.self_payer)
        for sp, inc, flat in s.self_employed:
            if sp.overlaps_month(month):
                f["self_employed"][i] = True
                f["self_employed_income"][i] += float(inc.get(month, flat or 0))
        for sp, city in s.esp:
            if sp.overlaps_month(month):
                f["esp_payer"][i] = True
                f["esp_city"][i] = city
        f[RESIDENCY_FACT[s.residency]][i] = True
        for cat, sp in s.categories:
            if sp.overlaps_month(month):
                stated[cat][i] = True
        for name in numbers:
            derived = policy.facts[name].derived
            f[name][i] = DERIVATIONS[derived](s, month) if derived else np.nan
        for name, sp, value in s.facts:
            if sp.overlaps_month(month):
                f[name][i] = value
    # The facts derived from the records, as for a table's rows (osms.engine.derive).
    f["age"][:] = derive.age_in_month(np.array([derive.birth_key(s.birth_date) for s in scenarios], np.int64), month)
    f["working"][:] = derive.working(employed, f["civil_income"], f["entrepreneur"], f["self_employed"], f["esp_payer"])
    for name in numbers:
        missing = np.isnan(f[name])
        if missing.any():
            sc = scenarios[int(np.flatnonzero(missing)[0])]
            raise OsmsError(
                _(
                    "fact {name} is read by {rules} and is not stated for {month}; state it under "
                    "`facts:` (a number is never taken as 0)",
                    name=repr(name),
                    rules=", ".join(sorted(numbers[name])),
                    month=format_month(month),
                ),
                file=sc.file,
                field="facts",
            )
    facts = {**f, "wage": wage, "employed": employed}
    return Batch(n, facts, stated, employers)


def working_in(s: Scenario, months: np.ndarray) -> np.ndarray:
    """For each month: working, in the scenario's records (osms.engine.derive.working)."""
    starts = month_start_ordinals(months)
    ends = month_start_ordinals(months + 1) - 1

    def any_of(spells: list[Spell]) -> np.ndarray:
        out = np.zeros(len(months), dtype=bool)
        for sp in spells:
            out |= sp.overlaps_months(starts, ends)
        return out

    employed = np.array([job.spell.overlaps_months(starts, ends) for job in s.jobs]).reshape(-1, len(months))
    civil = np.array([float(s.civil_income.get(int(m), 0)) for m in months])
    return derive.working(
        employed,
        civil,
        any_of(s.entrepreneur),
        any_of([sp for sp, _, _ in s.self_employed]),
        any_of([sp for sp, _ in s.esp]),
    )


MONTHS_BACK = 120  # months looked back for a count of months: beyond what any condition compares with


def months_not_working(s: Scenario, month: int) -> float:
    """Consecutive months just before `month` with no work in the records (counted up to MONTHS_BACK)."""
    return float(derive.months_not_working(working_in(s, month - 1 - np.arange(MONTHS_BACK))))


DERIVATIONS = {"months_not_working": months_not_working}
