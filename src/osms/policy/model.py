"""The policy model: dated values and versions, parameters, rules, categories, services, the set."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Generic, TypeVar

from ..core.errors import OsmsError
from .bibliography import SourceEntry, Use
from .expressions import Formula
from .facts import FactDef
from .roles import Roles

Labels = Mapping[str, str]


@dataclass(frozen=True)
class Reference:
    act: str
    sources: tuple[str, ...]
    number: str | None = None
    article: str | None = None
    adopted: str | None = None
    url: str | None = None
    in_force: str | None = None
    unknown: tuple[tuple[str, str], ...] = ()  # (field, why it is not known), e.g. ("number", "…")

    def cite(self) -> str:
        parts = [self.act]
        if self.number:
            parts.append(f"№ {self.number}")
        if self.adopted:
            parts.append(f"от {self.adopted}")
        if self.article:
            parts.append(self.article)
        if self.in_force:
            parts.append(f"в силе с {self.in_force}")
        return ", ".join(parts)


@dataclass(frozen=True)
class Provenance:
    """Where a dated value or formula comes from, and how sure the research is."""

    reference: Reference
    confidence: str
    file: str
    line: int | None
    field: str
    assumption: Labels | None = None
    note: str | None = None


@dataclass(frozen=True)
class InvalidIf:
    """A condition under which a rule version cannot answer for a person, and what the analyst is told."""

    when: Formula
    message: Labels


@dataclass(frozen=True)
class RuleVersion:
    """What a rule computes from a date on: its formula and the conditions under which it cannot answer."""

    formula: Formula
    invalid_if: tuple[InvalidIf, ...] = ()

    def formulas(self) -> list[Formula]:
        """Every expression the version evaluates: the formula, then each `invalid_if` condition."""
        return [self.formula, *(c.when for c in self.invalid_if)]


@dataclass(frozen=True)
class CategoryVersion:
    """A category from a date on: who pays for its members, and the condition on the facts that makes one (None:
    membership only as a scenario states it)."""

    payer: str  # state | local
    condition: Formula | None

    def formulas(self) -> list[Formula]:
        return [self.condition] if self.condition is not None else []


P = TypeVar("P")  # what an entry holds: Decimal (parameter), RuleVersion, CategoryVersion, str (service package)


@dataclass(frozen=True)
class Dated(Generic[P]):
    """One entry of a timeline: from `start` until the next entry's start."""

    start: dt.date
    payload: P | None  # None when no_value
    no_value: str | None
    prov: Provenance

    @property
    def value(self) -> P:
        """What the entry holds; an entry with `no_value` holds nothing (Timeline.at never returns one)."""
        if self.payload is None:
            raise UndefinedAt(
                f"no value from {self.start.isoformat()}: {self.no_value}",
                file=self.prov.file,
                line=self.prov.line,
                field=self.prov.field,
            )
        return self.payload


class UndefinedAt(OsmsError):
    """Asked for a value on a date where the policies define none."""


@dataclass
class Timeline(Generic[P]):
    kind: str
    name: str
    entries: list[Dated[P]]
    file: str
    line: int | None

    def at(self, day: dt.date) -> Dated[P]:
        found: Dated[P] | None = None
        for entry in self.entries:
            if entry.start <= day:
                found = entry
            else:
                break
        if found is None and not self.entries:
            raise UndefinedAt(
                f"{self.kind} '{self.name}' has no value on {day.isoformat()}: none of its entries "
                f"had been adopted on the as-known-on date",
                file=self.file,
                line=self.line,
                field=f"{self.kind}s.{self.name}",
            )
        if found is None:
            first = self.entries[0].start.isoformat()
            raise UndefinedAt(
                f"{self.kind} '{self.name}' has no value on {day.isoformat()}: it is defined only from {first}",
                file=self.file,
                line=self.line,
                field=f"{self.kind}s.{self.name}",
            )
        if found.no_value is not None:
            raise UndefinedAt(
                f"{self.kind} '{self.name}' has no value on {day.isoformat()}: {found.no_value}",
                file=found.prov.file,
                line=found.prov.line,
                field=found.prov.field,
            )
        return found

    def exists_at(self, day: dt.date) -> bool:
        try:
            self.at(day)
        except UndefinedAt:
            return False
        return True


@dataclass
class Parameter:
    name: str
    label: Labels
    unit: str
    timeline: Timeline[Decimal]
    description: Labels | None = None
    keyed_by: str | None = None  # a choice fact: each value is then {"by": {choice: Decimal}, "fallback": Decimal}


@dataclass
class Rule:
    name: str
    label: Labels
    unit: str
    entity: str
    timeline: Timeline[RuleVersion]
    payer: str | None = None
    output: bool = True
    rounding: tuple[Decimal, str] | None = None
    description: Labels | None = None

    def computes_on(self, day: dt.date) -> bool:
        """Whether the rule's version on `day` computes anything (reads a fact, parameter or rule): not a constant,
        such as the 0 left when a regime ended or before it began."""
        if not self.timeline.exists_at(day):
            return False
        return bool(self.timeline.at(day).value.formula.names)


@dataclass
class Category:
    name: str
    label: Labels
    number: int | None
    timeline: Timeline[CategoryVersion]


@dataclass
class Service:
    name: str
    label: Labels
    timeline: Timeline[str]  # payload: the package's name


@dataclass
class PolicySet:
    root: Path
    id: str
    version: str
    title: Labels
    as_of: str
    covers: tuple[int, int]
    rounding: tuple[Decimal, str]
    parameters: dict[str, Parameter]
    rules: dict[str, Rule]
    categories: dict[str, Category]
    services: dict[str, Service]
    facts: dict[str, FactDef]
    order: list[str]  # evaluation order of rules and category nodes
    fingerprint: str
    roles: Roles  # the engine's roles, bound to names of this set
    outcomes: dict[str, dict[str, Labels]]  # group → outcome code → its wording in each language
    warnings: list[OsmsError] = field(default_factory=list)
    sources: dict[str, SourceEntry] = field(default_factory=dict)
    source_uses: dict[str, list[Use]] = field(default_factory=dict)

    @property
    def stamp(self) -> dict[str, str]:
        return {"id": self.id, "version": self.version, "fingerprint": self.fingerprint}

    def parameter_value(self, name: str, day: dt.date) -> tuple[Decimal, Dated[Decimal]]:
        """The value of a parameter on a day, and the dated entry that holds it."""
        entry = self.parameters[name].timeline.at(day)
        return entry.value, entry

    def parameter_on_days(self, name: str, ordinals: Any, used: set) -> Any:
        """A parameter's value on each ordinal day (a numpy array), vectorized; records (name, entry start) read in
        `used`. A day with no value (before the first entry, or in a `no_value` entry) raises, as `parameter_value`."""
        import numpy as np

        entries = self.parameters[name].timeline.entries
        starts = np.array([e.start.toordinal() for e in entries], dtype=np.int64)
        idx = np.searchsorted(starts, np.asarray(ordinals, dtype=np.int64), side="right") - 1
        for i in np.unique(idx):
            if i < 0 or entries[int(i)].no_value is not None:
                day = dt.date.fromordinal(int(np.asarray(ordinals)[idx == i][0]))
                self.parameters[name].timeline.at(day)  # raises UndefinedAt naming the file and line
            used.add((name, entries[int(i)].start))
        values = np.array([float(e.value) if e.no_value is None else np.nan for e in entries])
        return values[idx]


AGGREGATES = {
    "state_paid": "in a category paid from the republican budget",
    "locally_paid": "in a category paid by a local executive body",
    "preferential": "in any state- or locally-paid category",
}
