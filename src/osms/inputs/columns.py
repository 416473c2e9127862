"""The columns of a population table: which ones the policies read, and the checks on a table's header."""

from __future__ import annotations

import re

from ..core.messages import _
from ..policy import PolicySet
from ..policy.facts import BUILTIN_FACTS

# Columns read by name; with wage_1 … wage_K, category_<id> and the policies' own person facts, these are all the
# columns an input may have (anything else is refused unless passed through with --keep).
FIXED_COLUMNS = (
    "id",
    "birth_date",
    "age",
    "residency",
    "wage",
    "civil_income",
    "self_employed_income",
    "entrepreneur",
    "self_payer",
    "self_employed",
    "esp_payer",
    "esp_city",
    "paid_through",
    "paid_run",
    "last_category_month",
    "last_category_run",
    "situation_from",
)
WAGE_N = re.compile(r"wage_[1-9]\d*")
RESULT_COLUMNS = (
    "month",
    "payer",
    "categories",
    "insured",
    "insured_reason",
    "debt_months",
    "osms_package",
    "overpaid",
)


def stated_facts(policy: PolicySet) -> list[str]:
    """The policies' person facts an input row states in a column of the same name."""
    return [n for n, d in policy.facts.items() if d.entity == "person" and n not in BUILTIN_FACTS]


def check_columns(
    policy: PolicySet, names: list[str], keep: list[str] | tuple[str, ...] = (), file: str | None = None
) -> None:
    """Every column must be one the policies read or one listed to pass through; refuse duplicates and clashes."""
    import difflib
    from collections import Counter

    from ..core.errors import OsmsError
    from ..core.limits import cut

    dup = [n for n, c in Counter(names).items() if c > 1]
    if dup:
        raise OsmsError(_("column {dup} appears more than once: rename or remove one", dup=cut(dup[0])), file=file)
    known = [*FIXED_COLUMNS, *stated_facts(policy), *(f"category_{c}" for c in policy.categories)]
    for k in keep:
        if k not in names:
            raise OsmsError(_("--keep {k}: the input has no such column", k=cut(k)), file=file)
        if k in known or WAGE_N.fullmatch(k):
            raise OsmsError(
                _("--keep {k}: the policies read this column; it is not passed through", k=cut(k)), file=file
            )
        if k in RESULT_COLUMNS or re.sub(r"_\d+$", "", k) in policy.rules:
            raise OsmsError(
                _("--keep {k}: the result has a column of that name; rename it in the input", k=cut(k)), file=file
            )
    for name in names:
        if name in known or name in keep or WAGE_N.fullmatch(name):
            continue
        hint = difflib.get_close_matches(name.lower(), [*known, "wage_1", "wage_2"], n=1, cutoff=0.7)
        raise OsmsError(
            _("unknown column {name}", name=cut(name))
            + (_(" (did you mean {hint}?)", hint=repr(hint[0])) if hint else "")
            + (
                _("; to carry it to the output unchanged, add --keep {name}", name=name)
                if len(name) <= 40 and name.isprintable()
                else _("; to carry it to the output unchanged, add it to --keep")
            ),
            file=file,
        )
    if "id" not in names:
        raise OsmsError(_("the input has no `id` column"), file=file)
    if "age" in names and "birth_date" in names:
        raise OsmsError(_("give `birth_date` or `age`, not both"), file=file)
    if "age" not in names and "birth_date" not in names:
        raise OsmsError(_("the input needs a `birth_date` or an `age` column"), file=file)
    if "wage" in names and any(WAGE_N.fullmatch(n) for n in names):
        raise OsmsError(_("give `wage` (one job) or `wage_1` … `wage_K`, not both"), file=file)


def number_columns(policy: PolicySet, names: list[str]) -> list[str]:
    """The columns of `names` read as numbers (money, whole years, months paid, numeric facts)."""
    numeric = {
        "wage",
        "age",
        "civil_income",
        "self_employed_income",
        "paid_run",
        "last_category_run",
        *(n for n in stated_facts(policy) if policy.facts[n].type == "number"),
    }
    return [n for n in names if n in numeric or WAGE_N.fullmatch(n)]


# The summary columns insured status is read from (without --payments): the paid run, which status needs, and a
# past membership, which it reads where given.
PAID_COLUMNS = ("paid_through", "paid_run")
STATUS_COLUMNS = (*PAID_COLUMNS, "last_category_month", "last_category_run")


def check_status_columns(names: list[str], payments: bool, file: str | None = None, status: bool = True) -> None:
    """Status comes from summary columns or from a payments table, never both; each one's columns only with it.
    Neither given is an error where status is asked for: nothing known of a person's payments is not "none paid"."""
    from ..core.errors import OsmsError

    summary = [c for c in PAID_COLUMNS if c in names]
    missing = [c for c in PAID_COLUMNS if c not in names]
    unread = [c for c in (*STATUS_COLUMNS, "situation_from") if c in names]
    if not status and unread:  # contributions only: a column nobody reads is refused, never ignored
        raise OsmsError(
            _(
                "the column {name} is read only for insured status: remove it, or leave out --no-status",
                name=unread[0],
            ),
            file=file,
        )
    if status and not payments and missing:
        raise OsmsError(
            _(
                "no column {name}: insured status is read from paid_through (YYYY-MM, the last paid month; empty "
                "if none) and paid_run (the paid months in a row ending there), or from a payments table "
                "(--payments); for contributions only, --no-status",
                name=missing[0],
            ),
            file=file,
        )
    if payments and summary:
        raise OsmsError(
            _("with --payments, status comes from the payments: remove the column {name}", name=summary[0]), file=file
        )
    if payments and "situation_from" not in names:
        raise OsmsError(
            _(
                "with --payments the people table needs a `situation_from` column (YYYY-MM: the month the "
                "person's current jobs and activities began; empty where nothing is owed)"
            ),
            file=file,
        )
    if not payments and "situation_from" in names:
        raise OsmsError(
            _("the column situation_from is read only with --payments: remove it or give --payments"), file=file
        )
