"""Peak memory of `osms-eval batch` against rows, for Parquet and CSV input, at several chunk sizes.

    python benchmarks/memory.py                    # the table below (about two minutes on two cores)
    python benchmarks/memory.py --rows 100000      # one size only

Each run is its own process, started by a helper process that reports the peak resident set of its only child
(`resource.getrusage(RUSAGE_CHILDREN).ru_maxrss`), so runs do not see each other's peaks. Populations come from
`benchmarks/generate.py`; the CSV is the same table written by pyarrow. One month, with status, `--workers 2`.

Measured on the project's 2-core machine, shared with other work (peak RSS in MiB; wall seconds in brackets):

| rows | Parquet, chunk 200,000 | CSV, chunk 200,000 | Parquet, chunk 10,000 | CSV, chunk 10,000 |
|---:|---:|---:|---:|---:|
| 100,000 | 355 (2.2 s) | 354 (2.9 s) | 225 (2.0 s) | 246 (3.4 s) |
| 500,000 | 863 (5.7 s) | 916 (6.0 s) | 260 (4.3 s) | 278 (5.5 s) |
| 1,500,000 | 1,016 (14.2 s) | 1,054 (16.2 s) | 349 (13.4 s) | 338 (18.4 s) |

Memory follows the chunk size, for both formats: at 10 000 rows per chunk it grows only from 225 to 350 MiB
(the duplicate-id index takes 16 bytes a row) from 100 000 to 1 500 000 rows; at the default 200 000 it levels
off near 1 GiB once the input is larger than a few chunks (`--workers` + 1 chunks are in flight, each with its
86-month status history). Before the CSV reader followed `--chunk-size` (it read 16 MiB blocks, about 250 000
rows, whatever was asked), the 1.5 M-row CSV with `--chunk-size 1000` peaked at 866 MiB (14.4 s); now 274 MiB
(35.6 s: at 1 000 rows a chunk is mostly per-chunk overhead, so small chunks trade time for memory).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

ROWS = (100_000, 500_000, 1_500_000)
CHUNKS = (200_000, 10_000)


def _one(args: list[str]) -> None:
    """In the helper process: run one batch as the only child and print its peak memory and time."""
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "osms", "batch", *args], capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(proc.stderr)
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux
    print(json.dumps({"peak_mib": peak_kib / 1024, "seconds": elapsed}))


def measure(src: Path, out: Path, chunk: int) -> dict[str, float]:
    args = [
        str(src),
        "-o",
        str(out),
        "--month",
        "2026-01",
        "--chunk-size",
        str(chunk),
        "--workers",
        "2",
        "--no-progress",
    ]
    return batch_in_child(args)


def batch_in_child(args: list[str]) -> dict[str, float]:
    """`osms-eval batch ARGS` as the only child of a helper process: {"peak_mib": its peak memory, "seconds": wall
    time with start-up}. Also used by floor_bench.py."""
    proc = subprocess.run(
        [sys.executable, __file__, "--one", json.dumps(args)], capture_output=True, text=True, check=True
    )
    return json.loads(proc.stdout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, action="append", help="Population sizes (default: 100k, 500k, 1.5M).")
    ap.add_argument("--chunk", type=int, action="append", help="Chunk sizes (default: 200 000 and 10 000).")
    ap.add_argument("--one", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.one:
        _one(json.loads(a.one))
        return
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq
    from generate import write

    chunks = a.chunk or list(CHUNKS)
    print("| rows | " + " | ".join(f"{fmt}, chunk {c:,}" for c in chunks for fmt in ("Parquet", "CSV")) + " |")
    print("|---:|" + "---:|" * (2 * len(chunks)))
    with tempfile.TemporaryDirectory(prefix="osms-memory-") as tmp:
        for n in a.rows or ROWS:
            parquet, csv = Path(tmp) / f"p{n}.parquet", Path(tmp) / f"p{n}.csv"
            write(n, parquet)
            with pacsv.CSVWriter(csv, pq.read_schema(parquet)) as w:
                for rb in pq.ParquetFile(parquet).iter_batches(100_000):
                    w.write_batch(rb)
            cells = []
            for c in chunks:
                for src in (parquet, csv):
                    r = measure(src, Path(tmp) / "out.parquet", c)
                    cells.append(f"{r['peak_mib']:,.0f} ({r['seconds']:.1f} s)")
            print(f"| {n:,} | " + " | ".join(cells) + " |", flush=True)
            parquet.unlink()
            csv.unlink()


if __name__ == "__main__":
    main()
