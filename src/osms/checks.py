"""Whole-timeline checks beyond loading: every month the set covers must be answerable, with no gaps."""

from __future__ import annotations

from .dates import format_month, month_start
from .errors import OsmsError
from .messages import _
from .policy import PolicySet, Timeline, UndefinedAt


def _windows(tl: Timeline, covers: tuple[int, int]) -> list[tuple[int, int, object]]:
    """(first month, last month, entry) for each entry's stretch inside the covered months."""
    lo, hi = covers
    out = []
    for m in range(lo, hi + 1):
        day = month_start(m)
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
    """Rules undefined in a covered month, and parameters a formula reads where they have no value."""
    errors: list[OsmsError] = []
    for rule in policy.rules.values():
        for first, last, entry in _windows(rule.timeline, policy.covers):
            if entry is None:
                errors.append(OsmsError(
                    _("rule '{name}' has no version for {first}–{last}, which the policy set covers",
                      name=rule.name, first=format_month(first), last=format_month(last)),
                    file=rule.timeline.file, line=rule.timeline.line,
                    field=f"rules.{rule.name}"))
                continue
            formula, checks = entry.payload
            names = set(formula.names).union(*(c.when.names for c in checks))
            errors.extend(_param_gaps(policy, names, first, last, entry.prov))
    for cat in policy.categories.values():
        for first, last, entry in _windows(cat.timeline, policy.covers):
            if entry is not None and entry.payload["condition"] is not None:
                errors.extend(_param_gaps(policy, set(entry.payload["condition"].names), first, last,
                                          entry.prov))
    return errors


def _param_gaps(policy: PolicySet, names: set[str], first: int, last: int, prov) -> list[OsmsError]:  # type: ignore[no-untyped-def]
    out = []
    for name in sorted(n for n in names if n in policy.parameters):
        tl = policy.parameters[name].timeline
        missing = [m for m in range(first, last + 1) if not tl.exists_at(month_start(m))]
        if missing:
            out.append(OsmsError(
                _("reads parameter '{name}', which has no value for {months} while this version is in force",
                  name=name, months=format_month(missing[0])
                  + (f"–{format_month(missing[-1])}" if len(missing) > 1 else "")),
                file=prov.file, line=prov.line, field=prov.field))
    return out
