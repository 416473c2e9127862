"""A scenario's payments: which contribution a payment kind names (old spellings too), each payment read and
checked as the Fund records it."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..core.dates import (
    DateFormatError,
    format_month,
    parse_date,
    parse_month,
)
from ..core.errors import Collector, OsmsError
from ..core.messages import _
from ..engine.allocation import deduction_months
from ..policy import PolicySet
from ..policy.loading import field_name, line_of
from .scenario_cells import money_of
from .scenario_model import Payment, Scenario


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


def before_policies(
    policy: PolicySet, kind: str, named: int, made: int, in_force: np.ndarray | None = None
) -> tuple[str, str] | None:
    """What is wrong, as (field, message), with a payment of `kind` naming the month `named`, before the policies'
    first, made in the month `made`; None if nothing: it is a deduction for a month deductions were due in
    (`in_force`: engine.allocation.deduction_months, when the caller has it)."""
    months = deduction_months(policy) if in_force is None else in_force
    first = format_month(policy.covers[0])
    since = format_month(int(months[0])) if len(months) else first
    deduction = policy.roles.optional_rule("deduction")
    if deduction is None:  # a policy set older than the role: no payment before its first month
        return "for_month", _(
            "{month} is before {first}: this policy set takes no payment for a month before its first",
            month=format_month(named),
            first=first,
        )
    if kind != deduction:
        return "for_month", _(
            "{month} is before {first}, when only employer deductions ({kind}) were paid",
            month=format_month(named),
            first=first,
            kind=deduction,
        )
    for field, month in (("for_month", named), ("paid_on", made)):
        if month < policy.covers[0] and month not in months:
            return field, _(
                "{month} is before {since}, when employer deductions began: nothing was paid to the Fund then",
                month=format_month(month),
                since=since,
            )
    return None


def parse_payment(
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
    made = paid.year * 12 + paid.month - 1
    if named is not None and named < lo:
        problem = before_policies(policy, kind, named, made)
        if problem is not None:
            field, message = problem
            errors.add(message, field=field_name([*path, field]), **where)
            return None
    # The month it names, and the day it was made: crediting reads that day's rules (the deadline, the debt window);
    # a deduction naming a month before the policies is not credited that way (engine.allocation).
    named_outside = named is not None and named > hi + 12
    early = named is not None and named < lo
    if named_outside or (made < lo and not early) or (named is None and made > hi + 12):
        if named is not None and named_outside:
            what = _("names {month}", month=format_month(named))
        elif named is None:
            what = _("was made on {day}, naming no month,", day=paid)
        else:
            what = _("was made on {day},", day=paid)
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
    amount = money_of(p["amount"], doc, [*path, "amount"], file, errors)
    if amount <= 0:
        errors.add(_("a payment's amount must be more than 0"), field=field_name([*path, "amount"]), **where)
        return None
    return Payment(paid, named, amount, kind, employer, where["line"])
