"""Dask LocalCluster against the single-machine batch path on a generated population: rows/s and peak memory.

python benchmarks/dask_bench.py 1000000 --from 2026-01 --to 2026-12 --workers 2 --dir /tmp/bench

The input is written once (benchmarks/generate.py's population, row groups of --row-group rows = Dask partitions).
The local path runs as `osms-eval batch` in a child process (its peak memory from getrusage of the child); the Dask
path runs `osms.dask.evaluate` on a LocalCluster of --workers processes with one thread each (each worker's peak
memory as that worker process saw it). Both write a month-partitioned dataset; the two are compared at the end.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.dataset as ds
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).parent))
from generate import population


def write_input(n: int, path: Path, row_group: int) -> None:
    if path.exists():
        return
    writer = None
    for start in range(0, n, 1_000_000):
        t = population(min(1_000_000, n - start), 2026 + start)
        import pyarrow as pa

        t = t.set_column(0, "id", pa.array([f"P{i:08d}" for i in range(start, start + t.num_rows)]))
        writer = writer or pq.ParquetWriter(path, t.schema)
        writer.write_table(t, row_group_size=row_group)
    assert writer is not None
    writer.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int)
    ap.add_argument("--from", dest="first", default="2026-01")
    ap.add_argument("--to", dest="last", default="2026-12")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--row-group", type=int, default=125_000)
    ap.add_argument("--dir", type=Path, default=Path("/tmp/osms-dask-bench"))
    ap.add_argument("--skip-local", action="store_true")
    a = ap.parse_args()
    a.dir.mkdir(parents=True, exist_ok=True)
    src = a.dir / f"people-{a.n}.parquet"
    write_input(a.n, src, a.row_group)
    from osms.cli.common import months
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
    if not a.skip_local:
        t0 = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "osms",
                "batch",
                str(src),
                "-o",
                str(a.dir / "local"),
                "--from",
                a.first,
                "--to",
                a.last,
                "--force",
                "--no-progress",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        dt = time.perf_counter() - t0
        report["local"] = {
            "seconds": round(dt, 1),
            "person_months_per_s": round(person_months / dt),
            "peak_rss_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024,
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
        run = osms.dask.evaluate(osms.dask.read(src), ms, output=a.dir / "dask", force=True)
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
        report["same_rows"] = (
            ds.dataset(a.dir / "local", partitioning="hive")
            .to_table()
            .equals(ds.dataset(out, partitioning="hive").to_table())
        )
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
