"""The Python API for notebooks: evaluate a pandas DataFrame or a pyarrow Table, get the same kind back.

    >>> import pandas as pd
    >>> from osms.api import evaluate
    >>> people = pd.DataFrame({"id": ["a", "b"], "age": [40, 70], "wage_1": [300000, 250000],
    ...                        "pension_recipient": [False, True]})
    >>> out = evaluate(people, "2026-01")
    >>> out[["id", "employer_deduction", "employee_contribution", "state_contribution"]]   # doctest: +SKIP
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import pyarrow as pa

from .dates import parse_month
from .errors import OsmsError
from .policy import PolicySet, bundled_policies, load_policies
from .population import evaluate_arrow


@lru_cache(maxsize=4)
def _policy(path: str | None) -> PolicySet:
    return load_policies(Path(path) if path else bundled_policies())


def evaluate(data: Any, month: str, policies: str | Path | None = None, outputs: list[str] | None = None,
             errors: str = "raise", status: bool = True) -> Any:
    """Evaluate every row for `month` (YYYY-MM). Input: a pandas DataFrame or a pyarrow Table (the columns are
    those of `osms-eval batch`). Rows the policies cannot answer for raise an error naming them, or, with
    errors="report", are left out and listed in the result's `attrs["osms_errors"]` (pandas) or schema
    metadata (Arrow). Money columns are exact decimals (tenge with two decimals)."""
    policy = _policy(str(policies) if policies else None)
    m = parse_month(month)
    is_pandas = type(data).__module__.startswith("pandas")
    table = pa.Table.from_pandas(data, preserve_index=False) if is_pandas else data
    if not isinstance(table, (pa.Table, pa.RecordBatch)):
        raise TypeError("evaluate() takes a pandas DataFrame or a pyarrow Table")
    try:
        result, bad, _ = evaluate_arrow(policy, table, m, outputs, status=status)
    except ValueError as exc:
        raise OsmsError(str(exc)) from None
    if bad.rows and errors == "raise":
        first = list(bad.rows.items())[:5]
        raise OsmsError(f"{len(bad.rows)} row(s) cannot be evaluated: "
                        + "; ".join(f"row {r}: {why}" for r, why in first)
                        + ("; …" if len(bad.rows) > 5 else "") + " (errors='report' leaves them out)")
    if is_pandas:
        frame = result.to_pandas()
        frame.attrs["osms_errors"] = dict(bad.rows)
        frame.attrs["osms_policy"] = policy.stamp
        return frame
    meta = {b"osms_policy": policy.fingerprint.encode(), b"osms_errors": repr(dict(bad.rows)).encode()}
    return result.replace_schema_metadata(meta)
