"""Multi-month batch runs: one pass over the input, one Parquet dataset partitioned by month, written whole or not
at all, never over a folder the tool did not write; the summary per month and in total."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.dataset as ds
import pyarrow.parquet as pq
from conftest import cli

MONTHS = ["2025-12", "2026-01", "2026-02"]
COLUMNS = [
    "id",
    "birth_date",
    "wage_1",
    "wage_2",
    "civil_income",
    "entrepreneur",
    "self_payer",
    "self_employed",
    "self_employed_income",
    "pension_recipient",
    "full_time_student",
    "registered_unemployed",
    "paid_through",
    "paid_run",
    "region",
]
# One of each kind of payer and category, as an analyst's file would hold them (text cells; empty = none).
KINDS = [
    {"birth_date": "1985-05-10", "wage_1": "350000", "paid_through": "2025-11", "paid_run": "24"},  # wages
    {
        "birth_date": "1979-02-01",
        "wage_1": "500000",
        "wage_2": "200000",
        "paid_through": "2025-06",
        "paid_run": "3",
    },  # two jobs, months unpaid since (debt)
    {"birth_date": "1990-07-07", "civil_income": "150000.50"},  # ГПХ
    {"birth_date": "1975-11-30", "entrepreneur": "true", "paid_through": "2025-12", "paid_run": "12"},  # ИП
    {"birth_date": "1988-01-15", "self_payer": "true", "paid_through": "2025-10", "paid_run": "6"},  # self-payer
    {"birth_date": "1995-09-09", "self_employed": "true", "self_employed_income": "300000"},  # self-employed
    {"birth_date": "1950-01-01", "pension_recipient": "true"},  # pensioner
    {"birth_date": "2020-03-03"},  # child
    {"birth_date": "2005-04-04", "full_time_student": "true"},  # student
    {"birth_date": "1983-12-12", "registered_unemployed": "true", "region": "karaganda"},  # registered unemployed
    {"birth_date": "1992-02-29"},  # 29 February of a leap year
]
BAD = [
    {"birth_date": "1980-01-01", "wage_1": "12,5"},  # not a plain decimal
    {"birth_date": "2026-13-01"},
]  # no such month


def population(n: int) -> pa.Table:
    """n rows cycling through KINDS, every 17th row bad, and row 30's id repeating row 5's."""
    rows = []
    for i in range(n):
        kind = BAD[i // 17 % 2] if i % 17 == 16 else KINDS[i % len(KINDS)]
        rows.append({"id": f"{i:012d}", **kind})
    if n > 30:
        rows[29]["id"] = rows[4]["id"]
    return pa.table({c: pa.array([r.get(c, "") for r in rows], pa.string()) for c in COLUMNS})


def test_months_are_a_dataset_with_the_rows_of_the_one_file_run(tmp_path: Path) -> None:
    pq.write_table(population(70), tmp_path / "people.parquet")
    range_args = ["--from", MONTHS[0], "--to", MONTHS[-1], "--lang", "en"]
    one = cli(
        "batch",
        str(tmp_path / "people.parquet"),
        "-o",
        str(tmp_path / "all.csv"),
        *range_args,
        "--summary",
        str(tmp_path / "all.json"),
    )
    assert one.returncode == 0, one.stderr
    run = cli(
        "batch",
        str(tmp_path / "people.parquet"),
        "-o",
        str(tmp_path / "result"),
        *range_args,
        "--summary",
        str(tmp_path / "result.json"),
    )
    assert run.returncode == 0, run.stderr
    assert sorted(p.name for p in (tmp_path / "result").iterdir()) == [
        "_osms_dataset.json",
        "month=2025-12",
        "month=2026-01",
        "month=2026-02",
    ]
    table = ds.dataset(tmp_path / "result", partitioning="hive").to_table()
    flat = pacsv.read_csv(
        tmp_path / "all.csv", convert_options=pacsv.ConvertOptions(column_types={"id": pa.string()})
    ).to_pylist()
    got = table.to_pylist()
    # 70 rows less 4 bad ones (17, 34, 51, 68) and row 30's repeated id, in 3 months, less the 5 self-employed
    # rows (6, 28, 39, 50, 61) in 2025-12: that regime exists only from 2026-01-01
    assert len(got) == len(flat) == 3 * (70 - 4 - 1) - 5
    for want, row in zip(flat, got):  # the same rows, month by month, in input order
        assert row["id"] == want["id"] and row["month"] == want["month"]
        assert str(row["employee_contribution"]) == f"{want['employee_contribution']:.2f}"
        assert row["insured"] == want["insured"]
    # the errors file is the same as the one-file run's: row numbers over the input, every month
    assert (tmp_path / "result.errors.csv").read_text() == (tmp_path / "all.errors.csv").read_text()
    errors = (tmp_path / "result.errors.csv").read_text().splitlines()
    assert errors[2:5] == [
        f"17,000000000016,\"{m}: wage_1: '12,5' is not a number; with decimal commas add --decimal ','\""
        for m in MONTHS
    ]
    assert f"30,000000000004,{MONTHS[0]}: id: the same id as row 5" in errors
    doc = json.loads((tmp_path / "result.json").read_text())
    assert doc["months"] == MONTHS and doc["as_of"] == ["2025-12-31", "2026-01-31", "2026-02-28"]
    assert doc["summary"] == json.loads((tmp_path / "all.json").read_text())["summary"]
    per = doc["by_month"]
    assert sum(per[m]["rows"] for m in MONTHS) == doc["summary"]["rows"] == len(got)
    for payer, total in doc["summary"]["payers"].items():  # month totals add up to the run's, to the tiyn
        assert sum(Decimal(per[m]["payers"][payer]) for m in MONTHS) == Decimal(total)
    assert (
        f"6,000000000005,{MONTHS[0]}: self_employed_contribution: the special tax regime for the self-employed "
        "exists only from 2026-01-01" in errors
    )
    assert doc["summary"]["error_rows"] == 3 * 5 + 5 and doc["summary"]["input_rows"] == 70
    marker = json.loads((tmp_path / "result" / "_osms_dataset.json").read_text())
    assert marker["policy"] == doc["policy"]


def test_a_folder_it_did_not_write_is_refused_or_set_aside(tmp_path: Path) -> None:
    pq.write_table(population(20), tmp_path / "people.parquet")
    mine = tmp_path / "result"
    mine.mkdir()
    (mine / "notes.txt").write_text("my own work")
    args = ["batch", str(tmp_path / "people.parquet"), "-o", str(mine), "--from", "2026-01", "--to", "2026-02"]
    refused = cli(*args, "--lang", "en")
    assert refused.returncode == 2
    assert "-o is a folder that osms-eval did not write as a dataset" in refused.stderr
    assert [p.name for p in mine.iterdir()] == ["notes.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["people.parquet", "result"]  # nothing else written
    forced = cli(*args, "--force", "--lang", "en")
    assert forced.returncode == 0, forced.stderr
    aside = [p for p in tmp_path.iterdir() if p.name.startswith("result.set-aside-")]
    assert len(aside) == 1 and (aside[0] / "notes.txt").read_text() == "my own work"
    again = cli(*args[:-1], "2026-01", "--lang", "en")  # our own dataset is replaced, with no trace of the old one
    assert again.returncode == 0, again.stderr
    assert sorted(p.name for p in mine.iterdir()) == ["_osms_dataset.json", "month=2026-01"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_a_failed_run_leaves_no_dataset(tmp_path: Path) -> None:
    bad = population(20).append_column("favourite_colour", pa.array(["red"] * 20))
    pq.write_table(bad, tmp_path / "people.parquet")
    run = cli(
        "batch",
        str(tmp_path / "people.parquet"),
        "-o",
        str(tmp_path / "result"),
        "--from",
        "2026-01",
        "--to",
        "2026-02",
    )
    assert run.returncode == 2
    assert "favourite_colour" in run.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["people.parquet"]
