"""Dask LocalCluster against the single-machine batch path on a generated population: rows/s and peak memory.

python benchmarks/dask_bench.py 1000000 --from 2026-01 --to 2026-12 --workers 2 --dir /tmp/bench
python benchmarks/dask_bench.py 200000 --payments --from 2026-01 --to 2026-01 --row-group 25000

The input is written once (benchmarks/generate.py's population, row groups of --row-group rows = Dask partitions;
with --payments, benchmarks/ledger_bench.py's people with situation_from and 12–24 months of payment records each).
The local path runs as `osms-eval batch` in a child process (its peak memory as the child reports it); the Dask
path runs `osms.dask.evaluate` on a LocalCluster of --workers processes with one thread each (each worker's peak
memory as that worker process saw it). Both write a month-partitioned dataset; the two are compared month by month.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

import pyarrow.dataset as ds
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).parent))
from generate import population


def write_input(n: int, path: Path, row_group: int) -> None:
    """The population, made once: written beside `path` and renamed, so a run stopped midway leaves no half file
    that the next run would take as made."""
    if path.exists():
        return
    part = path.with_name(path.name + ".part")
    writer = None
    for start in range(0, n, 1_000_000):
        t = population(min(1_000_000, n - start), 2026 + start)
        import pyarrow as pa

        t = t.set_column(0, "id", pa.array([f"P{i:08d}" for i in range(start, start + t.num_rows)]))
        writer = writer or pq.ParquetWriter(part, t.schema)
        writer.write_table(t, row_group_size=row_group)
    assert writer is not None
    writer.close()
    part.rename(path)


def write_payments_input(n: int, d: Path, month_text: str, row_group: int) -> tuple[Path, Path]:
    """People with situation_from (in row groups of `row_group`) and their payments, made once in `d`."""
    from ledger_bench import _inputs

    from osms.core.dates import parse_month

    people, pays = d / f"ledger-{n}.parquet", d / f"payments-{n}.parquet"
    if not pays.exists():
        tmp = d / f"ledger-inputs-{n}"
        tmp.mkdir(exist_ok=True)
        _inputs(tmp, n, month_text, parse_month(month_text))
        pq.write_table(pq.read_table(tmp / "ledger.parquet"), people, row_group_size=row_group)
        (tmp / "payments.parquet").rename(pays)
    return people, pays


def same(a: Path, b: Path, months: list[str]) -> bool:
    """The two datasets hold the same rows in the same order, month by month (one month in memory at a time)."""
    import pyarrow.compute as pc

    da, db = ds.dataset(a, partitioning="hive"), ds.dataset(b, partitioning="hive")
    return all(
        da.to_table(filter=pc.field("month") == m).equals(db.to_table(filter=pc.field("month") == m)) for m in months
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int)
    ap.add_argument("--from", dest="first", default="2026-01")
    ap.add_argument("--to", dest="last", default="2026-12")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--row-group", type=int, default=125_000)
    ap.add_argument("--dir", type=Path, default=Path("/tmp/osms-dask-bench"))
    ap.add_argument("--skip-local", action="store_true")
    ap.add_argument("--payments", action="store_true", help="status from payment records (the ledger path)")
    a = ap.parse_args()
    a.dir.mkdir(parents=True, exist_ok=True)
    pays = None
    if a.payments:
        src, pays = write_payments_input(a.n, a.dir, a.first, a.row_group)
    else:
        src = a.dir / f"people-{a.n}.parquet"
        write_input(a.n, src, a.row_group)
    from osms.cli.common import months
    from osms.core.dates import format_month
    from osms.policy import bundled_policies, load_policies

    ms = months(None, a.first, a.last, load_policies(bundled_policies()).covers)
    person_months = a.n * len(ms)
    report: dict = {
        "people": a.n,
        "months": len(ms),
        "person_months": person_months,
        "partitions": pq.ParquetFile(src).num_row_groups,
        "input_bytes": src.stat().st_size,
    }
    if pays is not None:
        report["payments"] = pq.ParquetFile(pays).metadata.num_rows
        report["payment_partitions"] = pq.ParquetFile(pays).num_row_groups
        report["payments_bytes"] = pays.stat().st_size
    if not a.skip_local:
        from ledger_bench import _run

        shutil.rmtree(a.dir / "local", ignore_errors=True)
        extra = ["--payments", str(pays)] if pays is not None else []
        dt, rss = _run([str(src), *extra, "-o", str(a.dir / "local"), "--from", a.first, "--to", a.last])
        report["local"] = {
            "seconds": round(dt, 1),
            "person_months_per_s": round(person_months / dt),
            "peak_rss_mib": round(rss),
        }
    from distributed import Client, LocalCluster

    import osms.dask

    with (
        LocalCluster(
            n_workers=a.workers, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
        ) as cluster,
        Client(cluster),
    ):
        t0 = time.perf_counter()
        frame = None
        if pays is not None:
            from osms.dask.payments import read_files

            frame = read_files([pays], str(bundled_policies()))
        run = osms.dask.evaluate(osms.dask.read(src), ms, output=a.dir / "dask", force=True, payments=frame)
        dt = time.perf_counter() - t0
    report["dask"] = {
        "workers": a.workers,
        "seconds": round(dt, 1),
        "person_months_per_s": round(person_months / dt),
        "peak_rss_mib_per_worker": sorted(v // 2**20 for v in run.peak_rss.values()),
    }
    out = a.dir / "dask"
    report["output_bytes"] = sum(p.stat().st_size for p in out.rglob("*.parquet"))
    report["output_rows"] = ds.dataset(out, partitioning="hive").count_rows()
    report["output_bytes_per_row"] = round(report["output_bytes"] / max(report["output_rows"], 1), 1)
    report["input_bytes_per_person"] = round(report["input_bytes"] / a.n, 1)
    if not a.skip_local:
        report["same_rows"] = same(a.dir / "local", out, [format_month(m) for m in ms])
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
