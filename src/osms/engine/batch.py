"""The engine's input: one month's facts over a batch of persons, as arrays, whichever input they came from."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..policy import PolicySet
from ..policy.facts import BUILTIN_FACTS


@dataclass
class Batch:
    """Inputs for one month over a batch of persons: arrays by fact name, plus stated memberships."""

    size: int
    facts: dict[str, np.ndarray]
    stated: dict[str, np.ndarray]
    employers: list[list[str]]  # per person, the employer of each job slot

    def with_fact(self, name: str, values: np.ndarray) -> Batch:
        """The same persons with one fact's values replaced (an age in another month, a probe value)."""
        return Batch(self.size, {**self.facts, name: values}, self.stated, self.employers)


def read_numbers(policy: PolicySet) -> dict[str, set[str]]:
    """Numeric facts an input may state, each with the rules and categories whose formulas read it."""
    readers: dict[str, set[str]] = {}
    for rule in policy.rules.values():
        for entry in rule.timeline.entries:
            if entry.payload is None:
                continue
            for name in set().union(*(f.names for f in entry.payload.formulas())):
                readers.setdefault(name, set()).add(rule.name)
    for cat in policy.categories.values():
        for version in cat.timeline.entries:
            for name in set().union(*(f.names for f in version.payload.formulas())) if version.payload else ():
                readers.setdefault(name, set()).add(f"category {cat.name}")
    return {
        n: readers[n]
        for n, d in policy.facts.items()
        if d.type == "number" and d.entity == "person" and n not in BUILTIN_FACTS and n in readers
    }
