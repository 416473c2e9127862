"""The Dask engine: the same rows, errors and totals as the single-machine path, whatever the partitioning, a
worker killed mid-run retried, and no dataset left behind when a partition fails.

"Identical" here: the errors CSV and the summary JSON are the same bytes; the dataset read back with
`pyarrow.dataset.dataset(OUT, partitioning="hive")` is the same table (same schema, rows in the same order). The
files inside differ in number (one per partition and month), so the folders are not compared byte for byte."""

from __future__ import annotations

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
from osms.dates import parse_month
from osms.errors import OsmsError
from osms.policy import bundled_policies
from osms.population import evaluate_arrow

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
    import json

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
