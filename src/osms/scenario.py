"""Scenarios: one person's facts over time, loaded, checked against the policies, and turned into arrays."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np

from . import schema
from .dates import DateFormatError, format_month, month_end, month_start, parse_date, parse_month
from .errors import Collector, OsmsError
from .facts import RESIDENCY_FACT
from .limits import MAX_TEXT, SCENARIO_LISTS, cut
from .loading import LineDict, field_name, line_of, load_yaml_file
from .policy import PolicySet

MAX_SCENARIO_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class Spell:
    start: dt.date
    end: dt.date | None  # inclusive; None = open

    def overlaps_month(self, month: int) -> bool:
        return self.start <= month_end(month) and (self.end is None or self.end >= month_start(month))

    def covers(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass
class Job:
    employer: str
    spell: Spell
    wage: Decimal | None
    wages: dict[int, Decimal]
    line: int | None


@dataclass
class Payment:
    paid_on: dt.date
    for_month: int
    amount: Decimal
    kind: str


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
    note: str | None = None
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
        errors.add(f"'to' ({end}) is before 'from' ({start})", file=file, line=line_of(doc, [*path, "to"]),
                   field=field_name([*path, "to"]))
        return None
    return Spell(start, end)


def _money(value: Any, doc: Any, path: list[str | int], file: str, errors: Collector) -> Decimal:
    d = Decimal(value)
    if d != d.quantize(Decimal("0.01")):
        errors.add(f"{value} has more than two decimals; amounts are in tenge and tiyn", file=file,
                   line=line_of(doc, path), field=field_name(path))
    return d


def _monthly(mapping: dict[str, Any], doc: Any, path: list[str | int], file: str,
             errors: Collector) -> dict[int, Decimal]:
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
        raise OsmsError("a scenario must be a mapping with at least `person:`", file=file, line=1)
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
    sc = Scenario(id=doc.get("id", default_id), file=file, birth_date=birth, residency=person["residency"],
                  note=doc.get("note"), birth_line=line_of(doc, ["person", "birth_date"]))
    for i, j in enumerate(doc.get("jobs", [])):
        path: list[str | int] = ["jobs", i]
        sp = _spell(j, doc, path, file, errors)
        wage = _money(j["wage"], doc, [*path, "wage"], file, errors) if "wage" in j else None
        wages = _monthly(j.get("wages", {}), doc, [*path, "wages"], file, errors)
        if sp is None:
            continue
        for m in wages:
            if not sp.overlaps_month(m):
                errors.add(f"wage for {format_month(m)} lies outside the job's dates",
                           file=file, line=line_of(doc, [*path, "wages"]), field=field_name([*path, "wages"]))
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
        flat = (_money(e["monthly_income"], doc, ["self_employed", i, "monthly_income"], file, errors)
                if "monthly_income" in e else None)
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
            errors.add(f"unknown category {cut(c['id'])}; the categories are: {known}", file=file,
                       line=line_of(doc, path), field=field_name(path))
            continue
        sp = _spell(c, doc, ["categories", i], file, errors)
        if sp is not None:
            sc.categories.append((c["id"], sp))
    for i, f in enumerate(doc.get("facts", [])):
        path = ["facts", i, "fact"]
        fdef = policy.facts.get(f["fact"])
        if fdef is None or fdef.entity != "person" or f["fact"] in _DERIVED:
            declared = ", ".join(sorted(n for n in policy.facts if n not in _DERIVED and
                                        policy.facts[n].entity == "person"))
            errors.add(f"unknown fact {cut(f['fact'])}; the facts a scenario can state are: {declared}",
                       file=file, line=line_of(doc, path), field=field_name(path))
            continue
        value = f.get("value", True)
        if fdef.type == "bool" and not isinstance(value, bool):
            errors.add(f"fact {f['fact']!r} is true or false, not {cut(value)}", file=file,
                       line=line_of(doc, ["facts", i, "value"]), field=field_name(["facts", i, "value"]))
            continue
        if fdef.type == "number" and (isinstance(value, bool) or "value" not in f):
            errors.add(f"fact {f['fact']!r} needs a numeric value", file=file,
                       line=line_of(doc, ["facts", i]), field=field_name(["facts", i]))
            continue
        sp = _spell(f, doc, ["facts", i], file, errors)
        if sp is not None:
            sc.facts.append((f["fact"], sp, float(value)))
    for i, p in enumerate(doc.get("payments", [])):
        path = ["payments", i]
        try:
            paid = parse_date(p["paid_on"])
            sc.payments.append(Payment(paid, parse_month(p["for_month"]),
                                       _money(p["amount"], doc, [*path, "amount"], file, errors), p["kind"]))
        except DateFormatError as exc:
            errors.add(str(exc), file=file, line=line_of(doc, path), field=field_name(path))
    errors.raise_if_any()
    return sc


# Facts the engine derives from the scenario's structure; a scenario cannot state them under `facts:`.
_DERIVED = {"wage", "employed", "civil_income", "entrepreneur", "self_payer", "self_employed",
            "self_employed_income", "esp_payer", "esp_city", "age", "working", *RESIDENCY_FACT.values()}


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
            errors.add(f"born {sc.birth_date}, after the month evaluated ({format_month(min(early))}): correct the "
                       "date or evaluate months from the birth on", file=sc.file, line=sc.birth_line,
                       field="person.birth_date")
    errors.raise_if_any()


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


@dataclass
class Batch:
    """Inputs for one month over a batch of persons: arrays by fact name, plus stated memberships."""

    size: int
    facts: dict[str, np.ndarray]
    stated: dict[str, np.ndarray]
    employers: list[list[str]]  # per person, the employer of each job slot


def build_batch(scenarios: list[Scenario], month: int, policy: PolicySet) -> Batch:
    """Scenario facts → arrays for one month (the input side; evaluation itself is vectorized)."""
    n = len(scenarios)
    k = max((len(s.jobs) for s in scenarios), default=0) or 1
    day = month_start(month)
    wage = np.zeros((k, n))
    employed = np.zeros((k, n), dtype=bool)
    f: dict[str, np.ndarray] = {name: np.zeros(n, dtype=bool if d.type == "bool" else np.float64)
                                for name, d in policy.facts.items() if d.entity == "person"}
    stated = {c: np.zeros(n, dtype=bool) for c in policy.categories}
    employers: list[list[str]] = []
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
        f["age"][i] = age_on(s.birth_date, day)
        f[RESIDENCY_FACT[s.residency]][i] = True
        for cat, sp in s.categories:
            if sp.overlaps_month(month):
                stated[cat][i] = True
        for name, sp, value in s.facts:
            if sp.overlaps_month(month):
                f[name][i] = value
    f["working"] = (employed.any(axis=0) | (f["civil_income"] > 0) | f["entrepreneur"] | f["self_employed"]
                    | f["esp_payer"])
    facts = {**f, "wage": wage, "employed": employed}
    return Batch(n, facts, stated, employers)


