"""Whole-timeline checks beyond loading: every month the set covers must be answerable, with no gaps."""

from __future__ import annotations

from typing import TypeVar

from ..core.dates import format_month, month_start
from ..core.errors import OsmsError
from ..core.messages import _
from . import Dated, PolicySet, Provenance, Timeline, UndefinedAt

P = TypeVar("P")


def _windows(tl: Timeline[P], covers: tuple[int, int]) -> list[tuple[int, int, Dated[P] | None]]:
    """(first month, last month, entry) for each entry's stretch inside the covered months."""
    lo, hi = covers
    out: list[tuple[int, int, Dated[P] | None]] = []
    for m in range(lo, hi + 1):
        day = month_start(m)
        entry: Dated[P] | None
        try:
            entry = tl.at(day)
        except UndefinedAt:
            entry = None
        if out and out[-1][2] is entry:
            out[-1] = (out[-1][0], m, entry)
        else:
            out.append((m, m, entry))
    return out


def coverage_errors(policy: PolicySet) -> list[OsmsError]:
    """Rules undefined in a covered month, parameters a formula reads where they have no value, and parameters the
    engine's roles read (insured status, payment allocation) with no value in a covered month."""
    errors: list[OsmsError] = []
    for role, name in policy.roles.parameters.items():
        tl = policy.parameters[name].timeline
        missing = [m for m in range(policy.covers[0], policy.covers[1] + 1) if not tl.exists_at(month_start(m))]
        if missing:
            span = format_month(missing[0]) + (f"–{format_month(missing[-1])}" if len(missing) > 1 else "")
            errors.append(
                OsmsError(
                    _(
                        "parameter '{name}' (role {role}) has no value for {months}, which the policy set covers",
                        name=name,
                        role=role,
                        months=span,
                    ),
                    file=tl.file,
                    line=tl.line,
                    field=f"parameters.{name}",
                )
            )
    for rule in policy.rules.values():
        for first, last, entry in _windows(rule.timeline, policy.covers):
            if entry is None:
                errors.append(
                    OsmsError(
                        _(
                            "rule '{name}' has no version for {first}–{last}, which the policy set covers",
                            name=rule.name,
                            first=format_month(first),
                            last=format_month(last),
                        ),
                        file=rule.timeline.file,
                        line=rule.timeline.line,
                        field=f"rules.{rule.name}",
                    )
                )
                continue
            names = set().union(*(f.names for f in entry.value.formulas()))
            errors.extend(_param_gaps(policy, names, first, last, entry.prov))
    for cat in policy.categories.values():
        for first, last, version in _windows(cat.timeline, policy.covers):
            if version is not None:
                names = set().union(*(f.names for f in version.value.formulas()))
                errors.extend(_param_gaps(policy, names, first, last, version.prov))
    return errors


def _param_gaps(policy: PolicySet, names: set[str], first: int, last: int, prov: Provenance) -> list[OsmsError]:
    out = []
    for name in sorted(n for n in names if n in policy.parameters):
        tl = policy.parameters[name].timeline
        missing = [m for m in range(first, last + 1) if not tl.exists_at(month_start(m))]
        if missing:
            out.append(
                OsmsError(
                    _(
                        "reads parameter '{name}', which has no value for {months} while this version is in force",
                        name=name,
                        months=format_month(missing[0]) + (f"–{format_month(missing[-1])}" if len(missing) > 1 else ""),
                    ),
                    file=prov.file,
                    line=prov.line,
                    field=prov.field,
                )
            )
    return out
