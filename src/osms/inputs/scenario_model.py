"""A scenario as the engine holds it: one person's spells, jobs, facts and payments over time."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np

from ..core.dates import (
    month_end,
    month_start,
)
from ..core.errors import OsmsError


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
