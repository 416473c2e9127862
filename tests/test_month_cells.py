"""Months (YYYY-MM) and dates (YYYY-MM-DD: birth dates, the days payments were made) are checked on their bytes
(inputs/text_cells.py), not by a regex per cell: the checks accept exactly what the regexes they replaced accept,
and read the same numbers, on any text."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from hypothesis import given, settings
from hypothesis import strategies as st

from osms.core.dates import parse_month
from osms.inputs.population_rows import _months, batch_from_arrow
from osms.policy import bundled_policies, load_policies

MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"
DATE = r"^\d{4}-\d{2}-\d{2}$"
NEAR = [
    "2026-01", "2026-12", "2026-13", "2026-00", "1999-09", " 2026-05 ", "2026-5", "20260-1", "2026/01", "٢٠٢٦-01",
    "2026-01\n", "", "2026-011", "x026-01", "2026-0a", "0000-10",
]  # fmt: skip
DATES = ["1990-02-28", "1990-02-29", "2000-02-29", "1990-13-01", "1990-1-01", " 1985-05-10", "1985-05-10x"]
cells = st.one_of(st.sampled_from(NEAR + DATES), st.text(alphabet="0123456789-/ a٢\t", max_size=11), st.none())


def _regex_months(arr: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    text = pc.fill_null(pc.utf8_trim_whitespace(arr), "")
    ok = pc.match_substring_regex(text, MONTH).to_numpy(zero_copy_only=False)
    empty = pc.equal(text, "").to_numpy(zero_copy_only=False)
    safe = pc.if_else(pa.array(ok), text, pa.scalar("1900-01"))
    year = pc.cast(pc.utf8_slice_codeunits(safe, 0, 4), pa.int64()).to_numpy(zero_copy_only=False)
    mon = pc.cast(pc.utf8_slice_codeunits(safe, 5, 7), pa.int64()).to_numpy(zero_copy_only=False)
    return np.where(ok, year * 12 + mon - 1, -1), ~ok & ~empty


@settings(max_examples=80, deadline=None)
@given(st.lists(cells, min_size=1, max_size=40), st.integers(0, 3))
def test_month_cells_as_the_regex_reads_them(values: list[str | None], cut: int) -> None:
    arr = pa.array(values, pa.string()).slice(min(cut, len(values) - 1))  # a slice: offsets not from 0
    n = len(arr)
    bad, why = np.zeros(n, dtype=bool), [""] * n
    got = _months(pa.table({"paid_through": arr}), "paid_through", bad, why, n)
    want, want_bad = _regex_months(arr)
    assert np.array_equal(got, want) and np.array_equal(bad, want_bad)


# Every cell of the width: read as the column's bytes side by side (ascii_digits' fast path), also in a slice.
seven = st.one_of(
    st.sampled_from([v for v in NEAR if len(v) == 7]), st.text(alphabet="0123456789-/a٢", min_size=7, max_size=7)
)


@settings(max_examples=60, deadline=None)
@given(st.lists(seven, min_size=1, max_size=40), st.integers(0, 3))
def test_month_cells_all_of_one_width_as_the_regex_reads_them(values: list[str], cut: int) -> None:
    arr = pa.array(values, pa.string()).slice(min(cut, len(values) - 1))
    n = len(arr)
    bad, why = np.zeros(n, dtype=bool), [""] * n
    got = _months(pa.table({"paid_through": arr}), "paid_through", bad, why, n)
    want, want_bad = _regex_months(arr)
    assert np.array_equal(got, want) and np.array_equal(bad, want_bad)


@settings(max_examples=60, deadline=None)
@given(st.lists(cells, min_size=1, max_size=30))
def test_birth_dates_as_the_regex_reads_them(values: list[str | None]) -> None:
    policy = load_policies(bundled_policies())
    n = len(values)
    table = pa.table({"id": [f"P{i}" for i in range(n)], "birth_date": pa.array(values, pa.string())})
    batch, bad, _, extra = batch_from_arrow(policy, table, parse_month("2026-01"))
    text = pc.fill_null(pc.utf8_trim_whitespace(table.column("birth_date").combine_chunks()), "")
    shaped = pc.match_substring_regex(text, DATE).to_numpy(zero_copy_only=False)
    for i, value in enumerate(values):
        real = shaped[i] and _real_date(str(value).strip())
        assert bad[i] == (not real or str(value).strip() > "2026-01-31"), value
        if real and not bad[i]:
            y, m, d = (int(x) for x in str(value).strip().split("-"))
            assert extra["birth"][i] == y * 10000 + m * 100 + d
            assert batch.facts["age"][i] == 2026 - y - ((m, d) > (1, 1))  # age on 2026-01-01


def _real_date(text: str) -> bool:
    """A calendar date (year 0 too: the leap years repeat every 400 years, so year y is read as 2000 + y % 400)."""
    import datetime as dt

    y, m, d = (int(x) for x in text.split("-"))
    try:
        dt.date(2000 + y % 400, m, d)
    except ValueError:
        return False
    return True


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(cells, cells), min_size=1, max_size=30))
def test_payment_days_and_months_as_the_regex_reads_them(values: list[tuple[str | None, str | None]]) -> None:
    """The payments table reads paid_on and for_month with the same byte checks: a day is a real date between 2000
    and 2100 written YYYY-MM-DD, its ordinal the calendar's; for_month as the month regex reads it."""
    import datetime as dt

    from osms.inputs.payments_table import _chunk, payment_kinds

    policy = load_policies(bundled_policies())
    n = len(values)
    rb = pa.record_batch(
        {
            "id": pa.array([f"P{i}" for i in range(n)]),
            "paid_on": pa.array([v for v, _ in values], pa.string()),
            "amount": pa.array(["4250"] * n),
            "kind": pa.array(["self_payer_contribution"] * n),
            "for_month": pa.array([m for _, m in values], pa.string()),
        }
    )
    cols, _, errors, _ = _chunk(policy, rb, 0, payment_kinds(policy), {})
    months, month_bad = _regex_months(rb.column(4))
    text = pc.fill_null(pc.utf8_trim_whitespace(rb.column(1)), "")
    shaped = pc.match_substring_regex(text, DATE).to_numpy(zero_copy_only=False)
    for i, (value, _) in enumerate(values):
        day = str(value).strip()
        real = bool(shaped[i]) and _real_date(day) and 2000 <= int(day[:4]) <= 2100
        reason = errors.get(i + 1, "")
        # A real day outside the policies' years (before 2020, or after their last month + 12 naming none) is an
        # error of its own, unless the month it names already is.
        lo, hi = policy.covers
        made = int(day[:4]) * 12 + int(day[5:7]) - 1 if real else 0
        outside = real and (made < lo or (months[i] < 0 and made > hi + 12))
        if not real:
            assert reason.startswith("paid_on"), (value, reason)
        elif outside:
            assert reason.startswith(("paid_on: outside", "for_month")), (value, reason)
        else:
            assert not reason.startswith("paid_on"), (value, reason)
        if real:
            assert cols["paid_on"][i] == dt.date.fromisoformat(day).toordinal()
            assert cols["for_month"][i] == months[i]
            if month_bad[i]:
                assert reason.startswith("for_month: not a month"), reason
