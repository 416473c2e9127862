"""Scenarios → the engine's input arrays for one month, with the facts their own records determine."""

from __future__ import annotations

import numpy as np

from ..core.dates import (
    format_month,
    month_start_ordinals,
)
from ..core.errors import OsmsError
from ..core.messages import _
from ..engine import derive
from ..engine.batch import Batch, read_numbers
from ..policy import PolicySet
from ..policy.facts import RESIDENCY_FACT
from .scenario_model import Scenario, Spell


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
