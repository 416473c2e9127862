"""Other months of a batch of persons, evaluated at the age each person then had, their other facts as they are.

Two months under the same rules (each category's and rule's version in force, and the parameter entries they read)
give the same answer from the same facts. Over 13 consecutive months or fewer a person's age takes two values at
most, so such months are evaluated twice (at the youngest and the oldest age), not one by one, and each month takes
each person's answer from the evaluation at the age they then had.
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Iterator
from typing import Any

import numpy as np

from ..core.dates import month_start
from ..core.errors import OsmsError
from ..policy import PolicySet, Timeline
from .batch import Batch
from .derive import age_in_month
from .evaluation import MonthResult, evaluate_month

SPAN = 12  # months between the first and the last of a group: a person's age then takes at most two values


def age_then(batch: Batch, birth: np.ndarray, mo: int) -> np.ndarray:
    """Whole years on the first day of month `mo`; a row giving `age` keeps it (the same situation)."""
    return np.where(birth >= 0, age_in_month(birth, mo), batch.facts["age"]).astype(np.float64)


# Each policy set's month keys, while the policy set lives (a weak reference: a notebook or a service that loads
# many policy sets keeps none of them alive through this).
_KEYS: dict[int, tuple[weakref.ref, dict[tuple[int, bool], object]]] = {}


def rules_in_force(policy: PolicySet, mo: int, categories_only: bool = False) -> object:
    """What an evaluation of month `mo` reads besides the facts: the version of each category (and rule) in force
    and the entry of each parameter their formulas read. A month whose rules cannot be read keeps a key of its
    own, so that its evaluation says why."""
    pid = id(policy)
    held = _KEYS.get(pid)
    if held is None or held[0]() is not policy:
        held = (weakref.ref(policy, functools.partial(_forget, pid)), {})
        _KEYS[pid] = held
    known = held[1]
    if (mo, categories_only) not in known:
        known[(mo, categories_only)] = _rules_in_force(policy, mo, categories_only)
    return known[(mo, categories_only)]


def _forget(pid: int, ref: weakref.ref) -> None:
    if _KEYS.get(pid, (None,))[0] is ref:
        del _KEYS[pid]


def _rules_in_force(policy: PolicySet, mo: int, categories_only: bool) -> object:
    day = month_start(mo)
    key: list[object] = []
    try:
        timelines: list[Timeline[Any]] = [c.timeline for c in policy.categories.values()]
        if not categories_only:
            timelines += [r.timeline for r in policy.rules.values()]
        for tl in timelines:
            if not tl.exists_at(day):
                key.append(None)
                continue
            entry = tl.at(day)
            key.append(id(entry))
            names = set().union(*(f.names for f in entry.value.formulas()))
            key.extend(id(policy.parameter_value(n, day)[1]) for n in sorted(names) if n in policy.parameters)
    except OsmsError:
        return ("month", mo)
    return tuple(key)


def groups(policy: PolicySet, months: list[int], categories_only: bool) -> list[list[int]]:
    """The months (ascending) in groups under the same rules, each spanning at most SPAN months."""
    alike: dict[object, list[list[int]]] = {}
    for mo in months:
        runs = alike.setdefault(rules_in_force(policy, mo, categories_only), [])
        if runs and mo - runs[-1][0] <= SPAN:
            runs[-1].append(mo)
        else:
            runs.append([mo])
    return sorted((g for runs in alike.values() for g in runs), key=lambda g: g[0])


def past_months(
    policy: PolicySet, batch: Batch, birth: np.ndarray, months: list[int], keys: list[str], categories_only: bool
) -> Iterator[tuple[int, dict[str, np.ndarray], np.ndarray]]:
    """Each of `months` (ascending): (month, the values of `keys` for every person, their age then)."""
    of: dict[int, list[int]] = {}
    for g in groups(policy, sorted(months), categories_only):
        for mo in g:
            of[mo] = g
    done: dict[int, tuple[MonthResult, MonthResult]] = {}
    for mo in sorted(months):
        g = of[mo]
        if g[0] not in done:
            young = _at_age(policy, batch, birth, g[0], categories_only)
            done[g[0]] = (young, young if g[-1] == g[0] else _at_age(policy, batch, birth, g[-1], categories_only))
        young, older = done[g[0]]
        age = age_then(batch, birth, mo)
        assert young.batch is not None
        # Older than at the group's first month; a row giving an age, not a birth date, has the same age in both.
        grown = age > young.batch.facts["age"]
        if older is young or not grown.any():
            values = {k: young.values[k] for k in keys}
        else:
            values = {k: np.where(grown, older.values[k], young.values[k]) for k in keys}
        yield mo, values, age
        if mo == g[-1]:
            del done[g[0]]


def _at_age(policy: PolicySet, batch: Batch, birth: np.ndarray, mo: int, categories_only: bool) -> MonthResult:
    return evaluate_month(policy, batch.with_fact("age", age_then(batch, birth, mo)), mo, categories_only)
