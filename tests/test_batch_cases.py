"""Population files, Catala-style: each tests/batch/bad/NAME.csv has beside it the exact message (NAME.stderr) or
the exact errors file (NAME.errors.csv) an analyst reads; each tests/batch/good/NAME.csv has NAME.want.yaml, the
result cells expected. NAME.args holds extra options. Set OSMS_RESET=1 to re-record the sidecars of bad cases,
then review them with `git diff`.
"""

from __future__ import annotations

import csv
import io
import os
import shlex
import shutil
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
import yaml
from conftest import cli

HERE = Path(__file__).parent / "batch"
RESET = os.environ.get("OSMS_RESET") == "1"
MONTH = "2026-01"


def _run(case: Path, tmp_path: Path, *extra: str):  # type: ignore[no-untyped-def]
    shutil.copy(case, tmp_path / case.name)
    args_file = case.with_suffix(".args")
    args = shlex.split(args_file.read_text(encoding="utf-8")) if args_file.exists() else []
    return cli(
        "batch",
        case.name,
        "-o",
        "out.csv",
        "--month",
        MONTH,
        "--no-progress",
        "--lang",
        "en",
        *args,
        *extra,
        cwd=tmp_path,
    )


def _sidecar(path: Path, actual: str) -> str:
    if RESET:
        with open(path, "w", encoding="utf-8", newline="") as fh:
            fh.write(actual)
    if not path.exists():
        return ""
    with open(path, encoding="utf-8", newline="") as fh:
        return fh.read()


@pytest.mark.parametrize("case", sorted((HERE / "bad").glob("*.csv")), ids=lambda p: p.stem)
def test_bad_population(case: Path, tmp_path: Path) -> None:
    proc = _run(case, tmp_path)
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    stderr_file, errors_file = case.with_suffix(".stderr"), case.with_suffix(".errors.csv")
    if proc.returncode == 2:
        assert not errors_file.exists(), f"{case.name} was refused: {proc.stderr}"
        assert proc.stderr == _sidecar(stderr_file, proc.stderr)
        assert len(proc.stderr) < 400  # short, whatever the input
        assert sorted(p.name for p in tmp_path.iterdir()) == [case.name]  # nothing written
        return
    assert proc.returncode == 0, proc.stderr
    assert not stderr_file.exists(), f"{case.name} was accepted"
    with open(tmp_path / "out.errors.csv", encoding="utf-8", newline="") as fh:
        actual = fh.read()
    assert actual == _sidecar(errors_file, actual)
    # Every input row is in exactly one of the result and the errors file: none lost, none twice.
    rows = list(csv.reader(io.StringIO(case.read_text(encoding="utf-8-sig"))))[1:]
    bad = {int(r[0]) for r in list(csv.reader(io.StringIO(actual)))[1:]}
    good = (
        pacsv.read_csv(tmp_path / "out.csv", convert_options=pacsv.ConvertOptions(column_types={"id": pa.string()}))
        .column("id")
        .to_pylist()
        if (tmp_path / "out.csv").exists()
        else []
    )
    assert len(good) + len(bad) == len(rows)
    assert good == [r[0] for i, r in enumerate(rows, 1) if i not in bad]


@pytest.mark.parametrize("case", sorted((HERE / "good").glob("*.csv")), ids=lambda p: p.stem)
def test_good_population(case: Path, tmp_path: Path) -> None:
    proc = _run(case, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "out.errors.csv").read_bytes() == b"row,id,reason\r\n"  # RFC 4180 line ends
    want = yaml.safe_load(case.with_name(case.stem + ".want.yaml").read_text(encoding="utf-8"))
    out = pacsv.read_csv(
        tmp_path / "out.csv",
        convert_options=pacsv.ConvertOptions(column_types={c: pa.string() for r in want for c in r}),
    )
    got = out.to_pylist()
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert {k: g[k] for k in w} == w


# Parquet cells that a float or a type would misread: each is an error row or a clean error, never a 0.
_PARQUET = [
    ("NaN wage", {"wage_1": pa.array([float("nan")])}, "row: wage_1: not a finite number"),
    ("infinite wage", {"wage_1": pa.array([float("inf")])}, "row: wage_1: not a finite number"),
    ("float with three decimals", {"wage_1": pa.array([300000.005])}, "row: wage_1: more than two decimals"),
    (
        "decimal with three decimals",
        {"wage_1": pa.array([Decimal("300000.005")], pa.decimal128(12, 3))},
        "row: wage_1: more than two decimals",
    ),
    ("fractional age", {"age": pa.array([30.5])}, "row: age: must be a whole number"),
    ("whole float age", {"age": pa.array([30.0])}, None),
    ("float wage with two decimals", {"wage_1": pa.array([300000.25])}, None),
    (
        "numeric ids",
        {"id": pa.array([7])},
        "error: in.parquet: the `id` column must be text, not int64 (an IIN may start with 0)",
    ),
    (
        "nested wage",
        {"wage_1": pa.array([[1, 2]])},
        "error: in.parquet: column 'wage_1' holds nested values (list<element: int64>); each cell must be one value",
    ),
    (
        "unknown column",
        {"wage_1a": pa.array([1])},
        "error: in.parquet: unknown column 'wage_1a' (did you mean 'wage_1'?); to carry it to the output unchanged, "
        "add --keep wage_1a",
    ),
]


@pytest.mark.parametrize(("note", "columns", "want"), _PARQUET, ids=[c[0] for c in _PARQUET])
def test_parquet_cells(note: str, columns: dict, want: str | None, tmp_path: Path) -> None:
    base = {"id": pa.array(["p"]), "age": pa.array([30]), "wage_1": pa.array([300000])}
    pq.write_table(pa.table({**base, **columns}), tmp_path / "in.parquet")
    proc = cli(
        "batch", "in.parquet", "-o", "out.parquet", "--month", MONTH, "--lang", "en", "--no-status", cwd=tmp_path
    )
    if want is None:
        assert proc.returncode == 0, proc.stderr
        assert len(pq.read_table(tmp_path / "out.parquet")) == 1
    elif want.startswith("error: "):
        assert (proc.returncode, proc.stderr) == (2, want + "\n")
    else:  # the one row is an error row: nothing was evaluated, which fails naming it (the errors file kept)
        reason = f"{MONTH}: {want.removeprefix('row: ')}"
        assert (proc.returncode, proc.stderr) == (
            2,
            f"error: in.parquet: no row could be evaluated: every row is an error row (the first: {reason}); all of "
            "them are in out.errors.csv\n",
        )
        errors = (tmp_path / "out.errors.csv").read_text(encoding="utf-8").splitlines()
        assert errors == ["row,id,reason", f"1,p,{reason}"]
        assert len(pq.read_table(tmp_path / "out.parquet")) == 0


def test_parquet_duplicate_column_names(tmp_path: Path) -> None:
    table = pa.Table.from_arrays(
        [pa.array(["p"]), pa.array([30]), pa.array([1]), pa.array([2])], names=["id", "age", "wage_1", "wage_1"]
    )
    pq.write_table(table, tmp_path / "in.parquet")
    proc = cli("batch", "in.parquet", "-o", "out.parquet", "--month", MONTH, "--lang", "en", cwd=tmp_path)
    assert (proc.returncode, proc.stderr) == (
        2,
        "error: in.parquet: column 'wage_1' appears more than once: rename or remove one\n",
    )


def test_duplicate_ids_are_found_across_chunks(tmp_path: Path) -> None:
    n = 2500
    ids = [f"p{i}" for i in range(n)] + ["p0", "p1999", "p2499"]
    pq.write_table(
        pa.table({"id": ids, "age": [30] * len(ids), "wage_1": [300000] * len(ids)}), tmp_path / "in.parquet"
    )
    proc = cli(
        "batch",
        "in.parquet",
        "-o",
        "out.parquet",
        "--month",
        MONTH,
        "--lang",
        "en",
        "--chunk-size",
        "1000",
        "--no-status",
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "out.errors.csv").read_text(encoding="utf-8").splitlines() == [
        "row,id,reason",
        f"2501,p0,{MONTH}: id: the same id as row 1",
        f"2502,p1999,{MONTH}: id: the same id as row 2000",
        f"2503,p2499,{MONTH}: id: the same id as row 2500",
    ]
    assert len(pq.read_table(tmp_path / "out.parquet")) == n


def test_csv_is_read_in_chunks_of_the_chunk_size(policy, tmp_path: Path) -> None:
    """Memory follows --chunk-size for CSV as for Parquet: the reader never hands over more rows than asked."""
    from osms.inputs.tabular import open_table

    src = tmp_path / "in.csv"
    src.write_text("id,age,wage_1\n" + "".join(f"p{i},30,300000\n" for i in range(25_500)), encoding="utf-8")
    total, names, batches = open_table(src, 1000, policy)
    sizes = [rb.num_rows for rb in batches]
    assert total is None and names == ["id", "age", "wage_1"]
    assert sizes == [1000] * 25 + [500]


def test_notebook_api_flags_duplicate_ids_and_unknown_columns() -> None:
    import pandas as pd

    from osms.api import evaluate as evaluate_frame
    from osms.core.errors import OsmsError

    people = pd.DataFrame({"id": ["a", "b", "a"], "age": [40, 41, 42], "wage_1": [300000, 250000, 100000]})
    kept = evaluate_frame(people, "2026-01", errors="report", status=False)
    assert list(kept["id"]) == ["a", "b"] and kept.attrs["osms_errors"] == {3: "id: the same id as row 1"}
    with pytest.raises(OsmsError) as exc:
        evaluate_frame(people.rename(columns={"wage_1": "salary"}), "2026-01", status=False)
    assert str(exc.value) == ("unknown column 'salary'; to carry it to the output unchanged, add --keep salary")
