"""The engine's roles: what insured status, payment allocation and the services' packages read from a policy set.

The engine knows the roles; the policy set's `roles:` section (policies/policy.yaml) binds each to a parameter,
fact or rule by name, so adding or renaming one is a YAML edit. `osms-eval validate` checks that every role is
bound and that every bound name exists.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

PARAMETER_ROLES: dict[str, str] = {
    "qualifying_months": "consecutive paid months with no debt that make a person insured",
    "everyone_insured": "1 while everyone is conditionally insured whatever they paid (a transition period)",
    "prospective_payments": "1 while separate payments for the coming months make a person insured; the route "
    "applies to payments made from this entry's date",
    "due_day": "the day of a month by which the previous month's contributions are due",
    "grace": "months a person stays insured after the last paid month",
    "long_history_grace": "the grace period for a person with a long unbroken payment history",
    "long_history_months": "months of unbroken payments that give the longer grace periods",
    "category_exit_grace": "months a person stays insured after leaving a state- or locally-paid category",
    "long_history_category_exit_grace": "the same, for a person with a long unbroken payment history",
    "debt_window_months": "how many months back a payment first clears unpaid amounts (never before this "
    "parameter's first date)",
    "debt_before_named_month": "1 if a payment naming a month first clears the debt in the window, 0 if it pays "
    "that month only",
    "budget_months_count": "1 if months the budget paid for count toward the qualifying months where the person's "
    "own payments take over, 0 if only own payments count",
    "self_payment_qualifying_months": "consecutive paid months that make a person who pays for themselves insured "
    "where a transitional rule sets them apart; 0: the general number",
    "deductions_due": "1 while employers' deductions were due, for the months before the policies' coverage: in "
    "a scenario that records no payments they are assumed paid on time, and recorded ones may name them",
}
FACT_ROLES: dict[str, str] = {
    "system_failure": "a failure of the information systems during which the insured status is kept",
}
RULE_ROLES: dict[str, str] = {
    "participant": "takes part in the insurance: the insured package needs it as well as insured status",
    "basic_entitled": "entitled to the guaranteed basic package (services of the `gobmp` package)",
    "total": "the sum paid to the Fund for the person, shown as the total",
    "self_payment": "the contribution a person pays for themselves, whose payers a transitional rule may qualify "
    "sooner",
    "deduction": "the employers' deduction: the one payment that may name a month before the policies' coverage "
    "(while `deductions_due` is 1), which pays that month without its amount being checked",
}
# The unit a bound rule must have (a yes/no the engine combines with insured status, or an amount it shows).
RULE_UNITS: dict[str, str] = {
    "participant": "bool",
    "basic_entitled": "bool",
    "total": "tenge",
    "self_payment": "tenge",
    "deduction": "tenge",
}
KINDS: dict[str, dict[str, str]] = {"parameters": PARAMETER_ROLES, "facts": FACT_ROLES, "rules": RULE_ROLES}
# Roles a policy set may leave unbound, with what the engine does then: the policy sets written before the role
# existed (an older git revision that `osms-eval diff` compares) still load, and answer as they did.
OPTIONAL: dict[str, dict[str, str]] = {
    "rules": {"deduction": "no payment may name a month before the policies' coverage"},
}

# The outcomes the engine's procedures reach, by code: why a person is or is not insured on a day (the status
# routes, in the order status.py numbers them) and why a service is or is not covered. Their wording, in each
# language and with the article that decides, is the policy set's `outcomes:` section (policies/outcomes.yaml).
OUTCOMES: dict[str, tuple[str, ...]] = {
    "status": (
        "transition_2020",
        "category",
        "payments",
        "prospective",
        "grace",
        "category_exit",
        "it_failure",
        "none",
    ),
    "services": ("everyone", "gobmp", "gobmp_no", "osms", "osms_no", "osms_not_participant"),
}


@dataclass(frozen=True)
class Roles:
    """Each role bound to a name of the policy set, by kind."""

    parameters: Mapping[str, str]
    facts: Mapping[str, str]
    rules: Mapping[str, str]
    lines: Mapping[str, tuple[str, int | None]]  # "kind.role" → (file, line) of its binding, for messages and diffs

    def bound(self) -> dict[str, str]:
        """Every binding as "kind.role" → name."""
        return {f"{kind}.{role}": name for kind in KINDS for role, name in getattr(self, kind).items()}

    def parameter(self, role: str) -> str:
        """The parameter that plays `role`."""
        return self.parameters[role]

    def fact(self, role: str) -> str:
        return self.facts[role]

    def rule(self, role: str) -> str:
        return self.rules[role]

    def optional_rule(self, role: str) -> str | None:
        """The rule bound to an optional role (OPTIONAL), or None where the set binds none."""
        return self.rules.get(role)
