"""Population rows → the engine's input: each Arrow column read strictly into arrays for one month.

Input columns (names are fixed; unknown columns are carried through only if asked):
  id (text, required), birth_date (YYYY-MM-DD) or age (whole years), residency (default citizen),
  wage_1 … wage_K (monthly wage by each employer; empty = no such job), civil_income, entrepreneur, self_payer,
  self_employed, self_employed_income, esp_payer, esp_city, category_<id> (stated membership), any declared fact,
  and for status: paid_through (YYYY-MM, last paid month), paid_run (consecutive paid months ending there),
  last_category_month (YYYY-MM, last month in a state-paid category, for the right kept after leaving) and
  last_category_run (consecutive months in the category ending there; empty = that month only).
Empty optional cells mean "none"; a malformed cell makes the row an error, written with its number and reason. A
numeric fact a formula reads (months without pension contributions) is never "none": `runs/population.py` makes a
row that leaves it out an error where its answer depends on the value.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..core.dates import format_month, month_end
from ..core.messages import _
from ..engine import derive
from ..engine.batch import Batch, read_numbers
from ..policy import PolicySet
from ..policy.facts import RESIDENCY_FACT
from .columns import WAGE_N, check_columns, stated_facts
from .id_keys import excel_numbers
from .row_flags import flag_each, flag_rows
from .text_cells import as_text, dates, hinted, months, trimmed

MONEY_MAX = 1_000_000_000
AGE_MAX = 150
_PLAIN = r"^\s*-?\d+(\.\d+)?\s*$"  # plain decimal: no exponent, sign +, separators, base
_OVER_2 = r"\.\d{2}\d*[1-9]"  # a nonzero digit after the second decimal
_FRACTION = r"\.\d*[1-9]"  # a nonzero fraction
# Yes/no cells, compared in lower case: also as Excel writes TRUE and FALSE in a Russian locale (ИСТИНА, ЛОЖЬ) and
# a Kazakh one (АҚИҚАТ, ЖАЛҒАН), and the words in Russian and Kazakh.
BOOL_TRUE = {"1", "true", "yes", "да", "истина", "иә", "ақиқат"}
BOOL_FALSE = {"0", "false", "no", "нет", "ложь", "жоқ", "жалған", ""}


@dataclass
class RowErrors:
    """Rows that cannot be evaluated: (row number, reason). Row numbers count from 1, without the header."""

    rows: dict[int, str] = field(default_factory=dict)

    def add(self, mask: np.ndarray, offset: int, reason: str) -> None:
        for i in np.flatnonzero(mask):
            self.rows.setdefault(offset + int(i) + 1, reason)


def column(table: pa.Table | pa.RecordBatch, name: str) -> pa.Array | None:
    if name not in table.schema.names:
        return None
    col = table.column(name)
    return col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col


def _mask(arr: pa.Array) -> np.ndarray:
    return np.asarray(pc.fill_null(arr, False).to_numpy(zero_copy_only=False), dtype=bool)


def _numeric_text(arr: pa.Array, name: str, bad: np.ndarray, why: list[str]) -> pa.Array:
    """Any column as trimmed text, numbers in their shortest exact form; NaN and infinities mark the row bad."""
    if pa.types.is_floating(arr.type):
        flag_rows(
            bad, why, ~_mask(pc.is_finite(arr)) & _mask(pc.is_valid(arr)), _("{name}: not a finite number", name=name)
        )
    return trimmed(arr)


def _number(  # type: ignore[no-untyped-def]
    table,
    name: str,
    bad: np.ndarray,
    why: list[str],
    n: int,
    whole: bool = False,
    limit: int = MONEY_MAX,
) -> np.ndarray:
    """A plain decimal column (empty = 0 for optional amounts), checked on its text: malformed, more than two
    decimals (or any fraction where a whole number is meant) and out-of-range cells mark the row bad."""
    arr = column(table, name)
    if arr is None:
        return np.zeros(n)
    if pa.types.is_integer(arr.type) or pa.types.is_floating(arr.type):
        return _binary_number(arr, name, bad, why, whole, limit)
    text = _numeric_text(arr, name, bad, why)
    ok = _mask(pc.match_substring_regex(text, _PLAIN))
    empty = _mask(pc.equal(text, ""))
    flag_rows(bad, why, ~ok & ~empty, _("{name}: not a number", name=name))
    if whole:
        flag_rows(
            bad,
            why,
            ok & _mask(pc.match_substring_regex(text, _FRACTION)),
            _("{name}: must be a whole number", name=name),
        )
    else:
        flag_rows(
            bad,
            why,
            ok & _mask(pc.match_substring_regex(text, _OVER_2)),
            _("{name}: more than two decimals", name=name),
        )
    clean = pc.if_else(pa.array(ok), text, pa.scalar("0"))
    values = pc.cast(clean, pa.float64()).to_numpy(zero_copy_only=False)
    flag_rows(
        bad,
        why,
        (values < 0) | (values > limit),
        _("{name}: must be between 0 and {limit}", name=name, limit=f"{limit:,}"),
    )
    return np.where(ok & (values <= limit), values, 0.0)


def _binary_number(arr: pa.Array, name: str, bad: np.ndarray, why: list[str], whole: bool, limit: int) -> np.ndarray:
    """An integer or float column (Parquet, DataFrames), checked as exactly as its text would be: a float has at
    most two decimals exactly when rint(x × 100) / 100 == x (then x is the double nearest a whole number of tiyn,
    so its shortest decimal form has at most two decimals)."""
    values = pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False)
    present = np.ones(len(values), dtype=bool) if arr.null_count == 0 else _mask(pc.is_valid(arr)).copy()
    if pa.types.is_floating(arr.type):
        flag_rows(bad, why, present & ~np.isfinite(values), _("{name}: not a finite number", name=name))
    v = np.where(present & np.isfinite(values), values, 0.0)
    with np.errstate(invalid="ignore", over="ignore"):
        if whole:
            flag_rows(bad, why, v != np.rint(v), _("{name}: must be a whole number", name=name))
        else:
            flag_rows(bad, why, np.rint(v * 100) / 100 != v, _("{name}: more than two decimals", name=name))
    flag_rows(
        bad, why, (v < 0) | (v > limit), _("{name}: must be between 0 and {limit}", name=name, limit=f"{limit:,}")
    )
    return np.where((v >= 0) & (v <= limit), v, 0.0)


def _boolean(table, name: str, bad: np.ndarray, why: list[str], n: int) -> np.ndarray:  # type: ignore[no-untyped-def]
    arr = column(table, name)
    if arr is None:
        return np.zeros(n, dtype=bool)
    if pa.types.is_boolean(arr.type):
        return pc.fill_null(arr, False).to_numpy(zero_copy_only=False)
    text = pc.utf8_lower(_numeric_text(arr, name, bad, why))
    yes = pc.is_in(text, pa.array(sorted(BOOL_TRUE))).to_numpy(zero_copy_only=False)
    no = pc.is_in(text, pa.array(sorted(BOOL_FALSE))).to_numpy(zero_copy_only=False)
    flag_rows(bad, why, ~yes & ~no, _("{name}: must be true or false", name=name))
    return yes


def _choice(table, name: str, choices, bad: np.ndarray, why: list[str], n: int) -> np.ndarray:  # type: ignore[no-untyped-def]
    """A choice column (e.g. region) as codes, the index of each id among the choices; NaN where empty."""
    arr = column(table, name)
    if arr is None:
        return np.full(n, np.nan)
    ids = list(choices)
    text = trimmed(arr)
    idx = pc.index_in(text, value_set=pa.array(ids)).to_numpy(zero_copy_only=False)
    empty = pc.equal(text, "").to_numpy(zero_copy_only=False)
    codes = np.where(np.isnan(idx.astype(np.float64)), np.nan, idx.astype(np.float64))
    shown = (
        ", ".join(ids[:4]) + f", … ({len(ids)} ids: the choices of {name} in facts.yaml)"
        if len(ids) > 4
        else ", ".join(ids)
    )
    flag_rows(bad, why, np.isnan(codes) & ~empty, _("{name}: not one of {choices}", name=name, choices=shown))
    return codes


def _months(table, name: str, bad: np.ndarray, why: list[str], n: int) -> np.ndarray:  # type: ignore[no-untyped-def]
    """A YYYY-MM column as month indices; -1 where empty."""
    arr = column(table, name)
    if arr is None:
        return np.full(n, -1)
    text = trimmed(arr)
    length, month, ok = months(text)
    flag_each(bad, why, hinted(text, ~ok & (length > 0), _("{name}: not a month YYYY-MM", name=name), month=True))
    return month


def wage_columns(names: list[str]) -> list[str]:
    cols = [c for c in names if WAGE_N.fullmatch(c)]
    return sorted(cols, key=lambda c: int(c.split("_")[1])) or (["wage"] if "wage" in names else [])


def batch_from_arrow(
    policy: PolicySet,
    table: pa.Table | pa.RecordBatch,
    month: int,
    offset: int = 0,
    keep: tuple[str, ...] | list[str] = (),
    flagged: dict[int, str] | None = None,
) -> tuple[Batch, np.ndarray, RowErrors, dict[str, np.ndarray]]:
    """Arrow columns → the engine's input arrays for one month; bad rows are flagged, never dropped silently.

    `flagged` holds rows (numbered as in the errors file) already found bad by the reader, e.g. ids seen in an
    earlier chunk; without it, the table's own duplicate ids are flagged."""
    from ..core.errors import OsmsError
    from ..core.limits import MAX_ID

    n = table.num_rows
    bad = np.zeros(n, dtype=bool)
    why = [""] * n
    names = table.schema.names
    check_columns(policy, names, keep)
    if flagged is None:  # one table on its own (the notebook API): its duplicate ids
        from .id_keys import SeenIds

        flagged = SeenIds().duplicates(column(table, "id"), offset)
    for row, reason in flagged.items():
        if 0 <= row - offset - 1 < n:
            bad[row - offset - 1] = True
            why[row - offset - 1] = reason
    ids = column(table, "id")
    assert ids is not None
    if not (pa.types.is_string(ids.type) or pa.types.is_large_string(ids.type)):
        raise OsmsError(_("the `id` column must be text, not {type} (an IIN may start with 0)", type=ids.type))
    id_text = pc.utf8_trim_whitespace(ids)
    flag_rows(bad, why, _mask(pc.or_kleene(pc.is_null(ids), pc.equal(id_text, ""))), _("id: empty"))
    flag_rows(
        bad,
        why,
        excel_numbers(id_text),
        _("id: a number as Excel rounds it (digits lost, e.g. an IIN): format the id column as text and export again"),
    )
    flag_rows(
        bad, why, _mask(pc.greater(pc.utf8_length(ids), MAX_ID)), _("id: longer than {limit} characters", limit=MAX_ID)
    )
    facts: dict[str, np.ndarray] = {}
    wcols = wage_columns(names)
    k = max(len(wcols), 1)
    wage = np.zeros((k, n))
    employed = np.zeros((k, n), dtype=bool)
    for j, col in enumerate(wcols):
        arr = column(table, col)
        present = ~pc.is_null(arr).to_numpy(zero_copy_only=False) if arr is not None else np.zeros(n, bool)
        if arr is not None and not (pa.types.is_integer(arr.type) or pa.types.is_floating(arr.type)):
            present &= ~pc.equal(trimmed(arr), "").to_numpy(zero_copy_only=False)
        wage[j] = _number(table, col, bad, why, n)
        employed[j] = present
    last_day = month_end(month)
    if "age" in names:
        age = _number(table, "age", bad, why, n, whole=True, limit=AGE_MAX)
    else:
        arr = column(table, "birth_date")
        assert arr is not None
        text = trimmed(arr)
        # A cell that is not a date is read as 1900-01-01 (and flagged below).
        y, mo, dom, valid = dates(text)[1:]
        flag_each(bad, why, hinted(text, ~valid, _("birth_date: not a date YYYY-MM-DD")))
        md = mo * 100 + dom
        age = derive.age_in_month(y * 10000 + md, month)
        born_later = valid & (y * 10000 + md > last_day.year * 10000 + last_day.month * 100 + last_day.day)
        flag_rows(bad, why, born_later, _("birth_date: after the month evaluated ({month})", month=format_month(month)))
    facts["age"] = age.astype(np.float64)
    # For the months a payments table reaches: each person's birth date as y·10⁴ + m·100 + d (-1 given an age).
    birth = np.full(n, -1, dtype=np.int64) if "age" in names else np.where(valid, y * 10000 + md, -1)
    res_col = column(table, "residency")
    residency = pa.array(["citizen"] * n) if res_col is None else pc.fill_null(as_text(res_col), "citizen")
    known = np.zeros(n, dtype=bool)
    for kind, fact in RESIDENCY_FACT.items():
        facts[fact] = pc.equal(residency, kind).to_numpy(zero_copy_only=False)
        known |= facts[fact]
    flag_rows(bad, why, ~known, _("residency: not one of {choices}", choices=", ".join(RESIDENCY_FACT)))
    facts["civil_income"] = _number(table, "civil_income", bad, why, n)
    facts["self_employed_income"] = _number(table, "self_employed_income", bad, why, n)
    for b in ("entrepreneur", "self_payer", "self_employed", "esp_payer", "esp_city"):
        facts[b] = _boolean(table, b, bad, why, n)
    unknown: dict[str, np.ndarray] = {}  # numeric facts the formulas read, per row: not given (no column, empty)
    readers = read_numbers(policy)
    for name in stated_facts(policy):
        d = policy.facts[name]
        facts[name] = (
            _boolean(table, name, bad, why, n)
            if d.type == "bool"
            else _choice(table, name, d.choices, bad, why, n)
            if d.choices is not None
            else _number(table, name, bad, why, n)
        )
        if name in readers:
            arr = column(table, name)
            unknown[name] = (
                np.ones(n, dtype=bool)
                if arr is None
                else _mask(pc.is_null(arr))
                | (
                    _mask(pc.equal(_numeric_text(arr, name, bad, why), ""))
                    if not (pa.types.is_integer(arr.type) or pa.types.is_floating(arr.type))
                    else np.zeros(n, dtype=bool)
                )
            )
    facts["working"] = derive.working(
        employed, facts["civil_income"], facts["entrepreneur"], facts["self_employed"], facts["esp_payer"]
    )
    facts["wage"] = wage
    facts["employed"] = employed
    stated = {c: _boolean(table, f"category_{c}", bad, why, n) for c in policy.categories}
    extra = {
        "paid_through": _months(table, "paid_through", bad, why, n),
        "paid_run": _number(table, "paid_run", bad, why, n, whole=True, limit=1200).astype(np.int64),
        "last_category_month": _months(table, "last_category_month", bad, why, n),
        "last_category_run": _number(table, "last_category_run", bad, why, n, whole=True, limit=1200).astype(np.int64),
        "situation_from": _months(table, "situation_from", bad, why, n),
        "birth": birth,
        **{f"unknown:{k}": v for k, v in unknown.items()},
    }
    flag_rows(
        bad,
        why,
        (extra["last_category_run"] > 0) & (extra["last_category_month"] < 0),
        _("last_category_run: given without last_category_month"),
    )
    errors = RowErrors()
    for i in np.flatnonzero(bad):
        errors.rows[offset + int(i) + 1] = why[i]
    employers = [[f"employer_{j + 1}" for j in range(k)]] * n
    return Batch(n, facts, stated, employers), bad, errors, extra
