"""Files saved by Excel in a Russian locale ("CSV (разделители — точка с запятой)": cp1251, `;`, decimal commas,
no-break spaces between thousands, CRLF line ends, a `;` ending each line), in the Catala style:
tests/batch/excel/bad/NAME.csv (bytes as Excel writes them) with NAME.args beside it holds the exact message
(NAME.stderr) or errors file (NAME.errors.csv) the analyst reads; the good case is read with the documented
options and gives the same results as the same people in a UTF-8 comma CSV (tests/batch/excel/equivalent/).
OSMS_RESET=1 re-records the sidecars of bad cases (review them with `git diff`).
"""

from __future__ import annotations

import os
import shlex
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest import cli

HERE = Path(__file__).parent / "batch" / "excel"
RESET = os.environ.get("OSMS_RESET") == "1"
EXCEL = ["--delimiter", ";", "--decimal", ",", "--thousands", " ", "--encoding", "cp1251"]


def _args(case: Path) -> list[str]:
    args = case.with_suffix(".args")
    return shlex.split(args.read_text(encoding="utf-8")) if args.exists() else []


def _run(case: Path, tmp_path: Path, output: str = "out.csv", args: list[str] | None = None):  # type: ignore[no-untyped-def]
    shutil.copy(case, tmp_path / case.name)
    return cli(
        "batch",
        case.name,
        "-o",
        output,
        "--month",
        "2026-01",
        "--lang",
        "en",
        *(_args(case) if args is None else args),
        cwd=tmp_path,
    )


def _sidecar(path: Path, actual: str) -> str:
    if RESET:
        path.write_bytes(actual.encode("utf-8"))
    return path.read_bytes().decode("utf-8") if path.exists() else ""


@pytest.mark.parametrize(
    "case", sorted(p for p in (HERE / "bad").glob("*.csv") if not p.name.endswith(".errors.csv")), ids=lambda p: p.stem
)
def test_bad_excel_file(case: Path, tmp_path: Path) -> None:
    proc = _run(case, tmp_path)
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    if proc.returncode == 2:
        assert not case.with_suffix(".errors.csv").exists(), f"{case.name} was refused: {proc.stderr}"
        assert proc.stderr == _sidecar(case.with_suffix(".stderr"), proc.stderr)
        assert len(proc.stderr) < 400
        assert sorted(p.name for p in tmp_path.iterdir()) == [case.name]  # nothing written
        return
    assert proc.returncode == 0, proc.stderr
    assert not case.with_suffix(".stderr").exists(), f"{case.name} was accepted"
    actual = (tmp_path / "out.errors.csv").read_bytes().decode("utf-8")
    assert actual == _sidecar(case.with_suffix(".errors.csv"), actual)


def test_excel_file_reads_as_its_utf8_comma_twin(tmp_path: Path) -> None:
    """The documented options read the Excel file exactly as the same people written as UTF-8 comma CSV."""
    excel = HERE / "good" / "excel_ru.csv"
    assert excel.read_bytes().count(b"\r\n") == 4 and b";\r\n" in excel.read_bytes()  # as Excel saves it
    proc = _run(excel, tmp_path, "excel.parquet")
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "excel.errors.csv").read_bytes() == b"row,id,reason\r\n"  # no error rows
    twin_dir = tmp_path / "twin"
    twin_dir.mkdir()
    proc = _run(HERE / "equivalent" / "excel_ru.csv", twin_dir, "twin.parquet", ["--keep", "фио", "--no-status"])
    assert proc.returncode == 0, proc.stderr
    got, want = pq.read_table(tmp_path / "excel.parquet"), pq.read_table(twin_dir / "twin.parquet")
    assert got.to_pylist() == want.to_pylist()
    rows = {r["id"]: r for r in got.to_pylist()}
    assert rows["a"]["фио"] == "Иванов Иван" and rows["f"]["фио"] == "Петров; Пётр"  # cp1251 read as Cyrillic
    # f: "4 000 000,00" and "1 000 000,00" (no-break spaces): 3 % × min(4 000 000, 40 × 85 000) = 102 000, plus
    # 3 % × 1 000 000 = 30 000 from the second employer; 2 % × min(5 000 000, 20 × 85 000) = 34 000 from the person.
    assert str(rows["f"]["employer_deduction"]) == "132000.00"
    assert str(rows["f"]["employee_contribution"]) == "34000.00"
    assert rows["f"]["payer"] == ["employee", "employer"] and rows["f"]["categories"] == []
    assert rows["b"]["payer"] == ["state"] and rows["b"]["categories"] == ["pensioners"]  # pension_recipient "да"


def test_excel_options_are_for_csv_only(tmp_path: Path) -> None:
    import pyarrow as pa

    pq.write_table(pa.table({"id": ["p"], "age": [30], "wage_1": [300000]}), tmp_path / "in.parquet")
    proc = cli(
        "batch",
        "in.parquet",
        "-o",
        "out.csv",
        "--month",
        "2026-01",
        "--decimal",
        ",",
        "--delimiter",
        ";",
        "--lang",
        "en",
        cwd=tmp_path,
    )
    assert (proc.returncode, proc.stderr) == (
        2,
        "error: in.parquet: --delimiter, --decimal, --thousands and "
        "--encoding are for CSV files; a Parquet file holds typed values: "
        "remove them\n",
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.parquet"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--delimiter", ":"], "error: --delimiter: --delimiter ':': use ',', ';', '|' or tab"),
        (["--decimal", "·"], "error: --decimal: --decimal '·': use '.' or ','"),
        (
            ["--encoding", "latin-1"],
            "error: --encoding: --encoding 'latin-1': use utf-8 or cp1251 (Excel in a Russian or Kazakh locale)",
        ),
        (["--thousands", "_"], "error: --thousands: --thousands '_': use ' ' (space; no-break spaces too), ',' or '.'"),
        (["--thousands", ","], "error: --thousands: --thousands ',' is also the delimiter: choose another"),
    ],
)
def test_wrong_reading_options(args: list[str], message: str, tmp_path: Path) -> None:
    (tmp_path / "in.csv").write_text("id,age\np,30\n", encoding="utf-8")
    proc = cli("batch", "in.csv", "-o", "out.csv", "--month", "2026-01", "--lang", "en", *args, cwd=tmp_path)
    assert (proc.returncode, proc.stderr) == (2, message + "\n")


def test_excel_options_in_help() -> None:
    out = cli("batch", "--help").stdout
    for option in ("--delimiter", "--decimal", "--thousands", "--encoding", "--lang", "cp1251"):
        assert option in out, option
