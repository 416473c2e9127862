"""The Dask engine: the same rows, errors and totals as the single-machine path, whatever the partitioning, a
worker killed mid-run retried, and no dataset left behind when a partition fails.

"Identical" here: the errors CSV and the summary JSON are the same bytes; the dataset read back with
`pyarrow.dataset.dataset(OUT, partitioning="hive")` is the same table (same schema, rows in the same order). The
files inside differ in number (one per partition and month), so the folders are not compared byte for byte."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sys
from decimal import Decimal
from pathlib import Path

import pytest

pytest.importorskip("distributed")

import cloudpickle
import dask.dataframe as dd
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
from conftest import cli
from distributed import Client, LocalCluster
from test_batch_months import MONTHS, population

import osms.dask
from osms.core.dates import parse_month
from osms.core.errors import OsmsError
from osms.policy import bundled_policies
from osms.runs.population import evaluate_arrow

cloudpickle.register_pickle_by_value(sys.modules[__name__])  # the workers cannot import this test module


@pytest.fixture(scope="module")
def client():  # type: ignore[no-untyped-def]
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
        ) as cluster,
        Client(cluster) as c,
    ):
        yield c


def _read(path: Path) -> pa.Table:
    return ds.dataset(path, partitioning="hive").to_table()


def test_any_partitioning_gives_the_single_machine_answer(client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    people = population(70)
    pq.write_table(people, tmp_path / "people.parquet")
    span = ["--from", MONTHS[0], "--to", MONTHS[-1]]
    local = cli(
        "batch",
        str(tmp_path / "people.parquet"),
        "-o",
        str(tmp_path / "local"),
        *span,
        "--summary",
        str(tmp_path / "local.json"),
    )
    assert local.returncode == 0, local.stderr
    want = _read(tmp_path / "local")
    for parts in (1, 3, 7):  # row groups of 70, 24 and 10 rows: one partition each
        src = tmp_path / f"people-{parts}.parquet"
        pq.write_table(people, src, row_group_size=-(-70 // parts))
        out = tmp_path / f"dask-{parts}"
        run = cli(
            "batch",
            str(src),
            "-o",
            str(out),
            *span,
            "--engine",
            "dask",
            "--scheduler",
            client.scheduler.address,
            "--summary",
            str(tmp_path / f"dask-{parts}.json"),
        )
        assert run.returncode == 0, run.stderr
        assert len(list((out / "month=2026-01").iterdir())) == parts
        got = _read(out)
        assert got.schema == want.schema
        assert got.equals(want)  # row by row, in the same order
        assert (tmp_path / f"dask-{parts}.errors.csv").read_bytes() == (tmp_path / "local.errors.csv").read_bytes()
        assert (tmp_path / f"dask-{parts}.json").read_bytes() == (tmp_path / "local.json").read_bytes()
    doc = json.loads((tmp_path / "local.json").read_text())
    # the population holds every payer and the categories the test means it to
    assert all(
        Decimal(doc["summary"]["payers"][p]) > 0
        for p in ("employee", "employer", "entrepreneur", "self_payer", "self_employed", "state")
    )
    cats = doc["summary"]["categories"]
    assert cats["pensioners"] and cats["children"] and cats["full_time_students"] and cats["registered_unemployed"]
    assert doc["summary"]["insured_reasons"].get("debt", 0) or doc["summary"]["insured"] < doc["summary"]["rows"]


def _die_once(pdf, marker: str):  # type: ignore[no-untyped-def]
    """Kill this worker process the first time it meets the partition holding row 41."""
    if "000000000040" in set(pdf["id"].tolist()) and not os.path.exists(marker):
        Path(marker).write_text("killed")
        os.kill(os.getpid(), signal.SIGKILL)
    return pdf


def _frame(table: pa.Table, parts: int):  # type: ignore[no-untyped-def]
    return dd.from_pandas(table.to_pandas(types_mapper=pd.ArrowDtype), npartitions=parts, sort=False)


def test_a_killed_worker_is_retried_and_the_result_is_whole(client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    people = population(70)
    marker = tmp_path / "killed"
    ddf = _frame(people, 3)
    ddf = ddf.map_partitions(_die_once, str(marker), meta=ddf._meta)
    run = osms.dask.evaluate(ddf, MONTHS)
    assert marker.read_text() == "killed"  # the kill happened
    from osms.policy import load_policies

    policy = load_policies(bundled_policies())
    whole = [evaluate_arrow(policy, people, parse_month(m)) for m in MONTHS]
    want = pa.concat_tables([t for t, _, _ in whole]).sort_by([("month", "ascending"), ("id", "ascending")])
    got = run.table.sort_by([("month", "ascending"), ("id", "ascending")])
    assert got.equals(want)
    assert [r for r, _, _ in run.errors] == sorted(r for _, bad, _ in whole for r in bad.rows)
    assert run.summary["input_rows"] == 70


class _Broken:
    """A policy set that fails when the engine reads it (a bug or a lost disk on a worker)."""

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        raise RuntimeError("the worker lost its policies")


def _poison(path: str) -> None:
    osms.dask._POLICIES[path] = _Broken()


def test_a_failing_partition_leaves_no_dataset(client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    shutil.copytree(bundled_policies(), tmp_path / "policies")
    key = str((tmp_path / "policies").resolve())
    client.wait_for_workers(2)  # the worker killed by the test before is back
    client.run(_poison, key)  # on the workers only: the client reads the folder as usual
    pq.write_table(population(30), tmp_path / "people.parquet", row_group_size=10)
    before = sorted(p.name for p in tmp_path.iterdir())
    run = cli(
        "batch",
        str(tmp_path / "people.parquet"),
        "-o",
        str(tmp_path / "result"),
        "--month",
        "2026-01",
        "--engine",
        "dask",
        "--scheduler",
        client.scheduler.address,
        "--policies",
        key,
        "--lang",
        "en",
    )
    assert run.returncode == 2
    assert run.stderr.startswith("error: a partition failed (RuntimeError: ")
    assert "the worker lost its policies" in run.stderr and run.stderr.endswith("; nothing was written\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no OUTPUT, no temporary folder, no errors file
    with pytest.raises(OsmsError, match="a partition failed"):
        osms.dask.evaluate(_frame(population(30), 3), "2026-01", key, output=tmp_path / "again")
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def _people_with_payments(n: int, repeated: bool = True) -> pa.Table:
    """population(n) with status from payments: situation_from instead of paid_through/paid_run (empty on row 0,
    who earns a wage: an error row, debt cannot be told), one id written with spaces around it. Its ids increase
    row by row (the payments reach the partitions by id range) unless `repeated`: row 30 repeats row 5's id (then
    they are joined on the id)."""
    people = population(n).drop_columns(["paid_through", "paid_run"])
    since = ["2025-01"] * n
    since[0] = ""
    ids = people.column("id").to_pylist()
    if not repeated:
        ids[29] = f"{29:012d}"
    ids[22] = f" {ids[22]} "  # matched to its payments trimmed, as the payments' ids are read
    people = people.set_column(0, "id", pa.array(ids, pa.string()))
    return people.append_column("situation_from", pa.array(since, pa.string()))


# Monthly payments of the contributions the KINDS rows owe, paid on the 25th of the next month and naming their
# month (amounts near what is due: the two paths must agree whatever they are): (kind, amount, job) per KINDS index.
_DUES = {
    0: [("employer_deduction", "10500", ""), ("employee_contribution", "7000", "")],  # 3 % and 2 % of 350 000
    1: [
        ("employer_deduction", "15000", "1"),
        ("employer_deduction", "6000", "2"),
        ("employee_contribution", "14000", ""),
    ],
    2: [("civil_contribution", "3000.01", "")],
    3: [("entrepreneur_contribution", "5950", "")],  # 5 % × 1.4 × 85 000
    4: [("self_payer_contribution", "4250", "")],  # 5 % × 85 000
    5: [("self_employed_contribution", "3000", "")],
}


def _payments(people: pa.Table) -> list[dict[str, str]]:
    """Payments for 2025-01 … 2026-01, in month order (ids interleaved), with gaps (debt), a lump sum, an old kind
    name, bad rows, ids no person has, and the employees' deductions for the second half of 2019."""
    ids = people.column("id").to_pylist()
    rows = []
    for mo in range(2025 * 12, 2026 * 12 + 1):
        paid = f"{(mo + 1) // 12}-{(mo + 1) % 12 + 1:02d}-25"
        for i, pid in enumerate(ids):
            if i % 17 == 16 or (i % 3 == 0 and (i + mo) % 5 == 0):  # none for the bad rows; some months unpaid
                continue
            for kind, amount, job in _DUES.get(i % 11, []):
                rows.append(
                    {
                        "id": pid.strip(),
                        "paid_on": paid,
                        "amount": amount,
                        "kind": kind,
                        "job": job,
                        "for_month": f"{mo // 12}-{mo % 12 + 1:02d}",
                    }
                )
    for i, pid in enumerate(ids):  # the employees' deductions of 2019 (the Fund's records go back to 2017)
        if i % 11 == 0 and i % 17 != 16:
            for mo in range(2019 * 12 + 6, 2020 * 12):
                paid = f"{(mo + 1) // 12}-{(mo + 1) % 12 + 1:02d}-20"
                named = f"{mo // 12}-{mo % 12 + 1:02d}"
                rows.append({"id": pid.strip(), "paid_on": paid, "amount": "4500", "kind": "employer_deduction",
                             "job": "", "for_month": named})  # fmt: skip
    rows[3]["id"] = f"  {rows[3]['id']}"
    next(r for r in rows if r["kind"] == "self_payer_contribution")["kind"] = "self_payer"  # its old name
    bad = [
        ("amount", "42,50"),
        ("paid_on", "2025-02-30"),
        ("kind", "self_payer_contrib"),
        ("job", "x"),
        ("for_month", "2025-13"),
        ("amount", "0"),
        ("amount", "-5"),
    ]
    for k, (col, value) in enumerate(bad):
        rows[40 + 37 * k][col] = value
    rows.append(
        {
            "id": ids[15],
            "paid_on": "2025-06-10",
            "amount": "51000",
            "kind": "self_payer_contribution",
            "job": "",
            "for_month": "",
        }
    )  # a lump sum naming no month
    rows.insert(
        5,
        {
            "id": "nobody-1",
            "paid_on": "2025-03-01",
            "amount": "4250",
            "kind": "self_payer_contribution",
            "job": "",
            "for_month": "",
        },
    )
    rows.append(
        {"id": "nobody-2", "paid_on": "2025-03-01", "amount": "0", "kind": "self_payer", "job": "", "for_month": ""}
    )
    for pid in ("0000", "000000000009x"):  # ids before all the people's, and between two partitions' (of 10 rows)
        rows.insert(100, {**rows[99], "id": pid})
    rows.append(
        {
            "id": "nobody-1",
            "paid_on": "2025-04-01",
            "amount": "4250",
            "kind": "self_payer_contribution",
            "job": "",
            "for_month": "",
        }
    )
    return rows


def _table(rows: list[dict[str, str]]) -> pa.Table:
    names = ["id", "paid_on", "amount", "kind", "for_month", "job"]
    return pa.table({c: pa.array([r[c] for r in rows], pa.string()) for c in names})


def test_payments_give_the_single_machine_answer_on_any_partitioning(client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import pyarrow.csv as pacsv

    pays = _table(_payments(_people_with_payments(70)))
    half = pays.num_rows // 2
    # A: two CSV files (a person's payments in both); B: a folder of two Parquet files in row groups of 50.
    (tmp_path / "csv").mkdir()
    pacsv.write_csv(pays.slice(0, half), tmp_path / "csv" / "a.csv")
    pacsv.write_csv(pays.slice(half), tmp_path / "csv" / "b.csv")
    (tmp_path / "pq").mkdir()
    pq.write_table(pays.slice(0, half), tmp_path / "pq" / "a.parquet", row_group_size=50)
    pq.write_table(pays.slice(half), tmp_path / "pq" / "b.parquet", row_group_size=50)
    span = ["--from", MONTHS[0], "--to", MONTHS[-1], "--lang", "en"]
    for parts, repeated, payments in (  # joined on the id; by id range
        (3, True, ["--payments", str(tmp_path / "csv" / "a.csv"), "--payments", str(tmp_path / "csv" / "b.csv")]),
        (7, False, ["--payments", str(tmp_path / "pq")]),
    ):
        people = _people_with_payments(70, repeated)
        src = tmp_path / f"people-{parts}.parquet"
        pq.write_table(people, src, row_group_size=-(-70 // parts))
        runs = {}
        for engine in ("local", "dask"):
            out = tmp_path / f"{engine}-{parts}"
            extra = ["--engine", "dask", "--scheduler", client.scheduler.address] if engine == "dask" else []
            proc = cli("batch", str(src), *payments, "-o", str(out), *span, "--summary", f"{out}.json", *extra)
            assert proc.returncode == 0, proc.stderr
            runs[engine] = (proc, out)
        (local, want), (dask_run, got) = runs["local"], runs["dask"]
        assert _read(got).equals(_read(want))  # row by row, in the same order
        assert Path(f"{got}.errors.csv").read_bytes() == Path(f"{want}.errors.csv").read_bytes()
        assert Path(f"{got}.json").read_bytes() == Path(f"{want}.json").read_bytes()
        assert "warning: payments: kind `self_payer` is the old name" in dask_run.stderr
        assert dask_run.stderr.count("warning:") == local.stderr.count("warning:") == 1
        errors = Path(f"{want}.errors.csv").read_text(encoding="utf-8")
        # what the comparison covers: each kind of bad payment row, the people rows' own errors, unmatched ids
        for reason in (
            "amount: not a plain decimal",
            "amount: '42,50' is not a number",
            "paid_on: not a date",
            "kind: `self_payer_contrib`",
            "job: a whole number",
            "for_month: not a month",
            "amount: must be above 0",
            "situation_from: empty",
            *(["id: the same id as row 5"] if repeated else []),
        ):
            assert reason in errors or reason.replace("`", "'") in errors, reason
        assert errors.count("payments for an id the people table does not have") == 4
    doc = json.loads(Path(f"{want}.json").read_text())
    assert all(
        Decimal(doc["summary"]["payers"][p]) > 0
        for p in ("employee", "employer", "entrepreneur", "self_payer", "self_employed", "state")
    )
    reasons = doc["summary"]["insured_reasons"]  # insured by payments, by a category; not insured, some in debt
    assert reasons["payments"] and reasons["category"] and reasons["none"] and Decimal(doc["summary"]["overpaid"]) > 0
    assert pa.compute.sum(_read(want).column("debt_months")).as_py() > 0


def test_the_api_takes_a_payments_frame(client) -> None:  # type: ignore[no-untyped-def]
    from osms.core.csvformat import csv_format, read_numbers
    from osms.inputs.columns import number_columns
    from osms.inputs.id_keys import SeenIds
    from osms.inputs.payments_table import payments_from_table
    from osms.policy import load_policies

    policy = load_policies(bundled_policies())
    for repeated, route in ((True, "join"), (False, "id ranges")):
        people = _people_with_payments(40, repeated)
        pays = _table(_payments(people))
        records = payments_from_table(policy, pays)
        # The single-machine path: number cells and repeated ids read as `batch` reads them, each month.
        rows, flags = read_numbers(
            people.combine_chunks().to_batches()[0], number_columns(policy, people.schema.names), csv_format(), 0
        )
        flags.update(SeenIds().duplicates(rows.column(0), 0))
        whole = [evaluate_arrow(policy, rows, parse_month(m), flagged=flags, payments=records) for m in MONTHS]
        frame = dd.from_pandas(pays.to_pandas(), npartitions=3, sort=False)  # plain object columns, as in pandas
        run = osms.dask.evaluate(_frame(people, 4), MONTHS, payments=frame)
        assert run.route == route
        want = pa.concat_tables([t for t, _, _ in whole]).sort_by([("month", "ascending"), ("id", "ascending")])
        assert run.table.sort_by([("month", "ascending"), ("id", "ascending")]).equals(want)
        assert sorted(run.errors) == sorted(
            (r, people.column("id")[r - 1].as_py(), f"{m}: {why}")
            for m, (_, bad, _) in zip(MONTHS, whole)
            for r, why in bad.rows.items()
        )
        assert run.unmatched == records.unmatched()
        assert [pid for _, _, pid in run.unmatched] == ["0000", "000000000009x", "nobody-1", "nobody-2"]
        assert run.unmatched[2] == ("payments", 6, "nobody-1")  # its first row


def test_payments_refused_before_the_cluster_starts(tmp_path: Path) -> None:
    """Files of two schemas cannot be one Dask frame; an empty payments table is refused as on one machine."""
    import pyarrow.csv as pacsv

    pq.write_table(_people_with_payments(40), tmp_path / "people.parquet")
    pays = _table(_payments(_people_with_payments(40)))
    pays = pays.slice(0, 30)  # good rows: their amounts read as decimals
    pacsv.write_csv(pays, tmp_path / "a.csv")
    pq.write_table(pays.set_column(2, "amount", pays.column("amount").cast(pa.decimal128(20, 2))), tmp_path / "b.pq")
    args = ["batch", "people.parquet", "-o", "out", "--month", "2026-01", "--engine", "dask", "--lang", "en"]
    proc = cli(*args, "--payments", "a.csv", "--payments", "b.pq", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr == (
        "error: b.pq: with --engine dask every payments file must have the same columns and types as a.csv; this "
        "one has 'id string, paid_on string, amount decimal128(20, 2), kind string, for_month string, job string'\n"
    )
    pq.write_table(pays.slice(0, 0), tmp_path / "none.parquet")
    proc = cli(*args, "--payments", "none.parquet", cwd=tmp_path)
    assert (proc.returncode, proc.stderr) == (2, "error: none.parquet: the payments table has no rows\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "b.pq", "none.parquet", "people.parquet"]
    with pytest.raises(OsmsError, match="the payments table has no rows"):
        osms.dask.evaluate(_frame(_people_with_payments(40), 1), "2026-01", payments=pays.slice(0, 0))
