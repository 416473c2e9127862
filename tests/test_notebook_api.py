"""osms.api for notebooks: decimal or float money columns, months of several kinds, the README's notebook code."""

from __future__ import annotations

import ast
import datetime as dt
import importlib.util
import json
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from conftest import ROOT, cli

from osms.api import evaluate, month_index, payers
from osms.core.errors import OsmsError

# Status is read from the payment columns: a has never paid (an empty paid_through), b is a pensioner.
PEOPLE = pd.DataFrame(
    {
        "id": ["a", "b"],
        "age": [40, 70],
        "wage_1": [300000, 250000],
        "pension_recipient": [False, True],
        "paid_through": ["", ""],
        "paid_run": [0, 0],
    }
)


def test_money_is_arrow_decimal_and_adds_up() -> None:
    out = evaluate(PEOPLE, "2026-01")
    assert out["employer_deduction"].dtype == pd.ArrowDtype(pa.decimal128(18, 2))
    # employer 3 % × 300 000 = 9 000; the pensioner's state contribution 2 % × 405 416 = 8 108.32 → 8 108.3
    assert out["employer_deduction"].tolist() == [Decimal("9000.00"), Decimal("0.00")]
    assert out["state_contribution"].sum() == Decimal("8108.30")
    # employee 2 % × 300 000 = 6 000; total for a: 9 000 + 6 000 = 15 000
    assert (out["employer_deduction"] + out["employee_contribution"]).tolist() == [Decimal("15000.00"), Decimal("0.00")]
    assert out["total_contributions"].tolist() == [Decimal("15000.00"), Decimal("8108.30")]
    assert out.groupby("insured")["total_contributions"].sum().to_dict() == {
        False: Decimal("15000.00"),
        True: Decimal("8108.30"),
    }


def test_float_money_for_statistics() -> None:
    out = evaluate(PEOPLE, "2026-01", money="float")
    assert out["state_contribution"].dtype == "float64"
    stats = out[["employer_deduction", "state_contribution"]].describe()
    assert stats.loc["mean", "employer_deduction"] == 4500.0  # (9 000 + 0) / 2
    assert stats.loc["max", "state_contribution"] == 8108.3


def test_arrow_table_in_and_out() -> None:
    table = evaluate(pa.Table.from_pandas(PEOPLE), "2026-01")
    assert table.schema.field("employer_deduction").type == pa.decimal128(18, 2)
    assert table.column("employer_deduction").to_pylist() == [Decimal("9000.00"), Decimal("0.00")]
    floats = evaluate(pa.Table.from_pandas(PEOPLE), "2026-01", money="float")
    assert floats.schema.field("employer_deduction").type == pa.float64()


@pytest.mark.parametrize(
    "month",
    [
        "2026-01",
        dt.date(2026, 1, 1),
        dt.date(2026, 1, 31),
        dt.datetime(2026, 1, 15, 9),
        pd.Timestamp("2026-01-15"),
        pd.Period("2026-01", "M"),
        pd.Period("2026-01-20", "D"),
    ],
)
def test_month_kinds(month: object) -> None:
    assert month_index(month) == 2026 * 12
    assert evaluate(PEOPLE, month)["month"].tolist() == ["2026-01", "2026-01"]


@pytest.mark.parametrize(
    ("month", "message"),
    [
        ("2026-1", "month: '2026-1' is not a month of the form YYYY-MM; write 2026-01"),
        (
            pd.Period("2026Q1"),
            "month: the Period 2026Q1 (freq Q-DEC) spans several months; give a monthly Period, e.g. "
            "pd.Period('2026-01', 'M')",
        ),
        (202601, "month: month must be 'YYYY-MM', a datetime.date, or a pandas Period or Timestamp; got int 202601"),
        (None, "month: month must be 'YYYY-MM', a datetime.date, or a pandas Period or Timestamp; got NoneType None"),
        (pd.NaT, "month: month is NaT (not a time); give a month"),
    ],
)
def test_bad_months(month: object, message: str) -> None:
    with pytest.raises(OsmsError) as exc:
        evaluate(PEOPLE, month)
    assert str(exc.value) == message


def test_bad_options() -> None:
    with pytest.raises(OsmsError, match=r"^money: money must be 'decimal' or 'float', not 'int'$"):
        evaluate(PEOPLE, "2026-01", money="int")
    with pytest.raises(OsmsError, match=r"^errors: errors must be 'raise' or 'report', not 'ignore'$"):
        evaluate(PEOPLE, "2026-01", errors="ignore")


def test_payers() -> None:
    pay = payers()
    assert pay["employer_deduction"] == "employer" and pay["civil_contribution"] == "employee"
    assert "total_contributions" not in pay  # a sum of the others, paid by no one in particular


def _readme_code() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Notebooks") : text.index("## CI and editors")]
    return re.search(r"```python\n(.*?)```", section, re.S)[1]


def test_readme_notebook_code_agrees_with_batch(tmp_path: Path) -> None:
    gen = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "generate.py"), "3000", "-o", "people.csv"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert gen.returncode == 0, gen.stderr
    code = _readme_code()
    if importlib.util.find_spec("matplotlib") is None:  # not a dependency: drop only the drawing line
        code = "\n".join(line for line in code.splitlines() if ".plot." not in line)
    else:
        import matplotlib

        matplotlib.use("Agg")
    scope: dict = {}
    import os

    here = os.getcwd()
    os.chdir(tmp_path)
    try:
        exec(compile(code, "README.md", "exec"), scope)
    finally:
        os.chdir(here)
    proc = cli(
        "batch", "people.csv", "-o", "out.parquet", "--month", "2026-01", "--summary", "summary.json", cwd=tmp_path
    )
    assert proc.returncode == 0, proc.stderr
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    by_payer = summary["summary"]["payers"]
    assert set(scope["totals"].index) == set(by_payer)
    for payer, total in scope["totals"].items():
        assert total == Decimal(str(by_payer[payer])).quantize(Decimal("0.01")), payer


def test_a_large_table_is_evaluated_in_chunks_with_the_one_table_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    """osms.api.evaluate takes a table CHUNK rows at a time; the answer, the error rows and their numbers are the
    ones of the whole table at once: an id repeated across chunks, a bad cell, a chunk with no good row."""
    import pyarrow as pa

    import osms.api as api

    n = 3_500
    ids = [f"p{i}" for i in range(n)]
    ids[2_500] = "p10"  # the same id as row 11, two chunks later
    wages = [str(200_000 + i) for i in range(n)]
    wages[1_234] = "12,5"  # not a plain decimal number
    ages = [30] * n
    for i in range(3_000, n):
        ages[i] = -1  # the last chunk: no row can be evaluated
    table = pa.table({"id": ids, "age": ages, "wage_1": wages})
    whole = api.evaluate(table, "2026-01", status=False, errors="report")
    monkeypatch.setattr(api, "CHUNK", 1_000)
    chunked = api.evaluate(table, "2026-01", status=False, errors="report")
    assert chunked.equals(whole) and chunked.schema.metadata == whole.schema.metadata
    reported = ast.literal_eval(chunked.schema.metadata[b"osms_errors"].decode())  # {row: reason}
    assert reported[2_501] == "id: the same id as row 11"
    assert 1_235 in reported and all(r in reported for r in range(3_001, n + 1))
    # the good rows keep their order: 2 % × (200 000 + 11) = 4 000.22 → 4 000 for p11, the 12th row
    assert chunked.column("id")[11].as_py() == "p11"
    assert str(chunked.column("employee_contribution")[11].as_py()) == "4000.00"
