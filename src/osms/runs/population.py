"""Population runs: one table chunk (one row per person, from CSV, Parquet or a DataFrame) for one month through
the same engine as scenarios: its rows read (`inputs/population_rows.py`), the month evaluated, status from the
summary columns (`population_status.py`) or the payment records (`population_ledger.py`), and the result columns
and totals (`population_output.py`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..core.dates import format_month, month_end
from ..core.messages import _, current
from ..engine.batch import Batch, read_numbers
from ..engine.evaluation import MonthResult, evaluate_month
from ..engine.status import REASON_CODES, Status
from ..inputs.columns import check_status_columns
from ..inputs.payments_table import PaymentRecords
from ..inputs.population_rows import RowErrors, batch_from_arrow, column
from ..policy import PolicySet
from .population_ledger import ledger_statuses
from .population_output import decimal_column, money_column, names_where, tiyn_of
from .population_status import status_from_columns


def evaluate_arrow(
    policy: PolicySet,
    table: pa.Table | pa.RecordBatch,
    month: int,
    outputs: list[str] | None = None,
    offset: int = 0,
    status: bool = True,
    carry: tuple[str, ...] | list[str] = (),
    flagged: dict[int, str] | None = None,
    payments: PaymentRecords | None = None,
    ledger: tuple[Status, dict[int, str], np.ndarray] | None = None,
    workers: int = 1,
) -> tuple[pa.Table, RowErrors, dict[str, Any]]:
    """Evaluate one month for every row; returns the result table (good rows only), the bad rows, and totals.

    Columns in `carry` are carried to the result unchanged, after `id`. With `payments`, status comes from the
    payment records (population_ledger; `ledger`: already worked out with other months; `workers`: threads for its
    slices of persons), else from the summary columns."""
    passed = list(carry)
    check_status_columns(table.schema.names, payments is not None, status=status)
    batch, bad, errors, extra = batch_from_arrow(policy, table, month, offset, passed, flagged)
    res = evaluate_month(policy, batch, month)
    bad = _unknown_numbers(policy, batch, res, extra, month, bad, errors, offset)
    st = overpaid = None
    if status and payments is not None:
        if ledger is None:
            ledger = _from_payments(policy, table, batch, extra, payments, [month], workers)[month]
        st, problems, overpaid = ledger
        for i, reason in problems.items():
            if not bad[i]:
                errors.rows[offset + i + 1] = reason
        bad = bad.copy()
        bad[list(problems)] = True
    for inv in res.invalid:
        errors.add(inv.mask & ~bad, offset, f"{inv.node}: {inv.check.message[current()]}")
        bad = bad | inv.mask
    keep = ~bad
    mask = pa.array(keep)
    cols: dict[str, pa.Array] = {"id": pc.filter(column(table, "id"), mask)}
    for name in passed:
        cols[name] = pc.filter(column(table, name), mask)
    cols["month"] = pa.repeat(pa.scalar(format_month(month), pa.string()), int(keep.sum()))
    summary: dict[str, Any] = {"rows": int(keep.sum())}
    wanted = outputs or [r.name for r in policy.rules.values() if r.output]
    whole = bool(keep.all())

    def kept(v: np.ndarray) -> np.ndarray:  # the good rows (no copy when every row is good)
        return v if whole else v[keep]

    # Each money output in tiyn, computed once for its column and its totals: summed as integers, never as floats.
    tiyns: dict[str, np.ndarray] = {}
    for name in wanted:
        rule = policy.rules[name]
        v = res.values[name]
        if v.ndim == 2:
            tiyns[name] = tiyn_of(kept(v.sum(axis=0)))
            cols[name] = decimal_column(tiyns[name])
            for j in range(v.shape[0]):
                cols[f"{name}_{j + 1}"] = money_column(kept(v[j]), rule.rounding)
            summary[name] = Decimal(int(tiyns[name].sum())).scaleb(-2)
        elif rule.unit == "bool":
            cols[name] = pa.array(kept(v).astype(bool))
            summary[name] = int(kept(v).sum())
        else:
            tiyns[name] = tiyn_of(kept(v))
            cols[name] = decimal_column(tiyns[name])
            summary[name] = Decimal(int(tiyns[name].sum())).scaleb(-2)
    cats = {c: kept(res.values[f"in_{c}"]) for c in policy.categories}
    summary["categories"] = {c: int(v.sum()) for c, v in cats.items()}
    summary["payers"] = {}
    amounts: dict[str, np.ndarray] = {}
    for rule in policy.rules.values():
        if rule.payer:
            if rule.name in tiyns:
                tiyn = tiyns[rule.name]
            else:
                v = res.values[rule.name]
                tiyn = tiyn_of(kept(v.sum(axis=0) if v.ndim == 2 else v))
            amounts[rule.payer] = amounts.get(rule.payer, 0) + tiyn
    for payer, tiyn in amounts.items():
        summary["payers"][payer] = Decimal(int(tiyn.sum())).scaleb(-2)
    # Who pays this person this month, in the order the policies name the payers: totals by payer are a GROUP BY.
    cols["payer"] = names_where(list(amounts), [t > 0 for t in amounts.values()], int(keep.sum()))
    cols["categories"] = names_where(list(cats), list(cats.values()), int(keep.sum()))
    if status:
        if st is None:
            failure = batch.facts.get(policy.roles.fact("system_failure"), np.zeros(batch.size, bool))
            st = status_from_columns(policy, res, extra, month, failure, month_end(month))
        cols["insured"] = pa.array(st.insured[keep])
        cols["insured_reason"] = pa.DictionaryArray.from_arrays(
            pa.array(st.reason[keep].astype(np.int32)), pa.array(REASON_CODES)
        )
        cols["debt_months"] = pa.array(st.debt_months[keep])
        summary["insured"] = int(st.insured[keep].sum())
        summary["insured_reasons"] = {
            REASON_CODES[r]: int(c) for r, c in zip(*np.unique(st.reason[keep], return_counts=True))
        }
        participant = policy.roles.rule("participant")
        if participant in res.values:
            cols["osms_package"] = pa.array((st.insured & res.values[participant])[keep])
        if overpaid is not None:  # credit kept on the account: not applied to any month up to 12 months ahead
            cols["overpaid"] = money_column(overpaid[keep] / 100, None)
            summary["overpaid"] = Decimal(int(overpaid[keep].sum())).scaleb(-2)
    return pa.table(cols), errors, summary


# Months of a payments run evaluated together: they share one evaluation of the months their payments reach and
# one crediting (population_ledger.ledger_statuses), so a run credits its payments this many times less often; a
# chunk's results for all of them are held at once (about 55 MB a month for 200 000 rows).
MONTHS_TOGETHER = 6


def month_groups(months: list[int], payments: bool) -> list[list[int]]:
    """The months (ascending) in the groups evaluated together: with payments, up to MONTHS_TOGETHER at a time;
    from the summary columns, one by one (nothing to share)."""
    size = MONTHS_TOGETHER if payments else 1
    return [months[i : i + size] for i in range(0, len(months), size)]


def evaluate_months(
    policy: PolicySet,
    table: pa.Table | pa.RecordBatch,
    months: list[int],
    outputs: list[str] | None = None,
    offset: int = 0,
    status: bool = True,
    carry: tuple[str, ...] | list[str] = (),
    flagged: dict[int, str] | None = None,
    payments: PaymentRecords | None = None,
    workers: int = 1,
) -> list[tuple[int, tuple[pa.Table, RowErrors, dict[str, Any]]]]:
    """evaluate_arrow for each of `months` (ascending); with `payments`, their status worked out together (on
    `workers` threads). The persons' facts are read as the last month reads them (only the age differs from month
    to month, and the payments path takes each month's age from the birth date)."""
    ledgers: dict[int, tuple[Status, dict[int, str], np.ndarray]] = {}
    if status and payments is not None and len(months) > 1:
        check_status_columns(table.schema.names, True, status=status)
        batch, _, _, extra = batch_from_arrow(policy, table, months[-1], offset, list(carry), flagged)
        ledgers = _from_payments(policy, table, batch, extra, payments, months, workers)
    out = []
    for m in months:
        known = ledgers.get(m)
        out.append(
            (m, evaluate_arrow(policy, table, m, outputs, offset, status, carry, flagged, payments, known, workers))
        )
    return out


def _from_payments(
    policy: PolicySet,
    table: pa.Table | pa.RecordBatch,
    batch: Batch,
    extra: dict[str, np.ndarray],
    payments: PaymentRecords,
    months: list[int],
    workers: int,
) -> dict[int, tuple[Status, dict[int, str], np.ndarray]]:
    """Each month's status of the rows from their payments (population_ledger), an information-system failure the
    rows state kept in the month evaluated."""
    failure = batch.facts.get(policy.roles.fact("system_failure"), np.zeros(batch.size, bool))
    return ledger_statuses(policy, batch, extra, payments, column(table, "id"), months, failure, workers)


UNKNOWN_PROBE = 1_000_000.0  # a value no month count or amount reaches: with it and with 0, the answer must agree


def _unknown_numbers(
    policy: PolicySet,
    batch: Batch,
    res: MonthResult,
    extra: dict[str, np.ndarray],
    month: int,
    bad: np.ndarray,
    errors: RowErrors,
    offset: int,
) -> np.ndarray:
    """A numeric fact the formulas read and a row does not give is never taken as 0: the row is evaluated again
    with the fact set very large, and a row whose answer changes is an error naming the fact and who reads it."""
    readers = read_numbers(policy)
    for name in readers:
        unknown = extra.get(f"unknown:{name}")
        if unknown is None or not (unknown & ~bad).any():
            continue
        probe = batch.with_fact(name, np.where(unknown, UNKNOWN_PROBE, batch.facts[name]))
        other = evaluate_month(policy, probe, month)
        differs = np.zeros(batch.size, dtype=bool)
        for key, v in res.values.items():
            w = other.values[key]
            differs |= (v != w).reshape(-1, batch.size).any(axis=0) if v.ndim > 1 else v != w
        hit = differs & unknown & ~bad
        who = ", ".join(sorted(readers[name]))
        errors.add(
            hit,
            offset,
            _(
                "{name}: not given, and this row's answer depends on it (read by {who}): write the number",
                name=name,
                who=who,
            ),
        )
        bad = bad | hit
    return bad
