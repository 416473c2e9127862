"""The Python API for notebooks: evaluate a pandas DataFrame or a pyarrow Table, get the same kind back.

    >>> import pandas as pd
    >>> from osms.api import evaluate
    >>> people = pd.DataFrame({"id": ["a", "b"], "age": [40, 70], "wage_1": [300000, 250000]})
    >>> out = evaluate(people, "2026-01")
    >>> out.iloc[0]   # every output rule of the policy set, one column each   # doctest: +SKIP

Money comes back exact, as decimal columns backed by Arrow (pandas `decimal128(18, 2)[pyarrow]`): sums, group-bys,
arithmetic and plots work on them. `money="float"` gives float64 tenge instead, for statistics such as `describe()`
(which pandas 3.1 cannot build for Arrow decimal columns) and for libraries that want floats.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from .core.dates import DateFormatError, parse_month
from .core.errors import OsmsError
from .core.messages import translate
from .policy import PolicySet, bundled_policies, load_policies
from .runs.population import evaluate_arrow
from .runs.population_output import MONEY

__all__ = ["MONEY", "OsmsError", "evaluate", "month_index", "payers"]

CHUNK = 200_000  # rows evaluated at a time: the working memory follows the chunk, not the table, as in `batch`


@lru_cache(maxsize=4)
def _policy(path: str | None) -> PolicySet:
    return load_policies(Path(path) if path else bundled_policies())


def month_index(month: Any) -> int:
    """The month asked for: "YYYY-MM", a datetime.date or datetime, or a pandas Timestamp or Period.

    A date or Timestamp names the month it falls in (results are monthly; status is taken on the month's last
    day). A Period must be a month or shorter, so that it lies within one month."""
    if isinstance(month, str):
        try:
            return parse_month(month)
        except DateFormatError as exc:
            raise OsmsError(str(exc), field="month") from None
    if type(month).__name__ == "NaTType":
        raise OsmsError(translate("month is NaT (not a time); give a month"), field="month")
    if isinstance(month, dt.date):  # also datetime and pandas Timestamp
        return month.year * 12 + month.month - 1
    if type(month).__name__ == "Period" and type(month).__module__.startswith("pandas"):
        start, end = month.start_time, month.end_time
        if (start.year, start.month) != (end.year, end.month):
            raise OsmsError(
                translate(
                    "the Period {month} (freq {freqstr}) spans several months; give a monthly "
                    "Period, e.g. pd.Period('2026-01', 'M')",
                    month=month,
                    freqstr=month.freqstr,
                ),
                field="month",
            )
        return start.year * 12 + start.month - 1
    shown = repr(month)
    raise OsmsError(
        translate(
            "month must be 'YYYY-MM', a datetime.date, or a pandas Period or Timestamp; got {type} {shown}",
            type=type(month).__name__,
            shown=shown[:40],
        ),
        field="month",
    )


def evaluate(
    data: Any,
    month: Any,
    policies: str | Path | None = None,
    outputs: list[str] | None = None,
    errors: str = "raise",
    status: bool = True,
    money: str = "decimal",
    payments: Any = None,
) -> Any:
    """Evaluate every row for `month` (see month_index). Input: a pandas DataFrame or a pyarrow Table (the columns
    are those of `osms-eval batch`). Rows the policies cannot answer for raise an error naming them, or, with
    errors="report", are left out and listed in the result's `attrs["osms_errors"]` (pandas) or schema metadata
    (Arrow). Money columns are exact decimals (tenge with two decimals), or float64 with money="float".
    `payments` (a DataFrame or Table with the columns of `batch --payments`) gives status from payment records."""
    if errors not in ("raise", "report"):
        raise OsmsError(
            translate("errors must be 'raise' or 'report', not {errors}", errors=repr(errors)), field="errors"
        )
    if money not in ("decimal", "float"):
        raise OsmsError(translate("money must be 'decimal' or 'float', not {money}", money=repr(money)), field="money")
    m = month_index(month)
    policy = _policy(str(policies) if policies else None)
    is_pandas = type(data).__module__.startswith("pandas")
    table = pa.Table.from_pandas(data, preserve_index=False) if is_pandas else data
    if not isinstance(table, (pa.Table, pa.RecordBatch)):
        raise TypeError("evaluate() takes a pandas DataFrame or a pyarrow Table")
    records = None
    if payments is not None:
        from .inputs.payments_table import payments_from_table

        pays = (
            pa.Table.from_pandas(payments, preserve_index=False)
            if type(payments).__module__.startswith("pandas")
            else payments
        )
        if not isinstance(pays, pa.Table):
            raise TypeError("payments must be a pandas DataFrame or a pyarrow Table")
        records = payments_from_table(policy, pays)
    try:
        result, bad = _evaluate_in_chunks(policy, table, m, outputs, status, records)
    except ValueError as exc:
        raise OsmsError(str(exc)) from None
    if bad.rows and errors == "raise":
        first = list(bad.rows.items())[:5]
        raise OsmsError(
            translate(
                "{count} row(s) cannot be evaluated: {rows} (errors='report' leaves them out)",
                count=len(bad.rows),
                rows="; ".join(translate("row {row}: {why}", row=r, why=why) for r, why in first)
                + ("; …" if len(bad.rows) > 5 else ""),
            )
        )
    result = _money_columns(result, pa.float64() if money == "float" else MONEY)
    if is_pandas:
        import pandas as pd

        frame = result.to_pandas(types_mapper=lambda t: pd.ArrowDtype(t) if pa.types.is_decimal(t) else None)
        frame.attrs["osms_errors"] = dict(bad.rows)
        frame.attrs["osms_policy"] = policy.stamp
        return frame
    meta = {b"osms_policy": policy.fingerprint.encode(), b"osms_errors": repr(dict(bad.rows)).encode()}
    return result.replace_schema_metadata(meta)


def _evaluate_in_chunks(policy: PolicySet, table: Any, m: int, outputs: Any, status: bool, records: Any) -> Any:
    """The rows CHUNK at a time on a small thread pool (numpy and Arrow release the GIL), in order, a few chunks in
    flight; ids repeated across chunks are flagged as in one table, rows numbered over the whole table."""
    if table.num_rows <= CHUNK:
        result, bad, _ = evaluate_arrow(policy, table, m, outputs, status=status, payments=records)
        return result, bad
    import os
    from functools import partial

    from .core.pool import in_order
    from .inputs.id_keys import SeenIds
    from .inputs.population_rows import RowErrors

    seen = SeenIds()
    has_id = "id" in table.schema.names

    def chunks() -> Any:
        for offset in range(0, table.num_rows, CHUNK):
            part = table.slice(offset, CHUNK)
            flagged = seen.duplicates(part.column("id"), offset) if has_id else None  # in order, on this thread
            yield partial(evaluate_arrow, policy, part, m, outputs, offset, status, (), flagged, records)

    parts: list[pa.Table] = []
    errors = RowErrors()
    for result, bad, _ in in_order(chunks(), min(os.cpu_count() or 1, 4)):
        parts.append(result if isinstance(result, pa.Table) else pa.Table.from_batches([result]))
        errors.rows.update(bad.rows)
    errors.rows = dict(sorted(errors.rows.items()))
    return pa.concat_tables(parts), errors


def _money_columns(table: pa.Table, target: pa.DataType) -> pa.Table:
    """Every decimal column cast to `target`; a decimal cast refuses (rather than wraps) a value that does not fit."""
    for i, f in enumerate(table.schema):
        if pa.types.is_decimal(f.type):
            try:
                column = pc.cast(table.column(i), target)
            except pa.ArrowInvalid as exc:
                raise OsmsError(
                    translate("{name}: an amount does not fit {target}: {exc}", name=f.name, target=target, exc=exc)
                ) from None
            table = table.set_column(i, pa.field(f.name, target), column)
    return table


def payers(policies: str | Path | None = None) -> dict[str, str]:
    """The payer of each contribution output (employer, employee, state, …), as the policy set declares it."""
    return {
        name: rule.payer
        for name, rule in _policy(str(policies) if policies else None).rules.items()
        if rule.payer and rule.output
    }
