"""osms.api.evaluate on a large Arrow table: in chunks (the default) against the whole table at once, side by side.

    python benchmarks/api_bench.py            # 1 000 000 rows, one month with status from the summary columns

Each way runs in its own process (peak memory is the process's own), twice, interleaved; the policies are loaded
before the clock starts.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import write  # noqa: E402

CHILD = """
import resource, sys, time
import pyarrow.parquet as pq
import osms.api as api
if sys.argv[2] == "whole":
    api.CHUNK = 10**12
table = pq.read_table(sys.argv[1])
api.evaluate(table.slice(0, 1000), "2026-01", errors="report")
start = time.perf_counter()
out = api.evaluate(table, "2026-01", errors="report")
print(time.perf_counter() - start, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, out.num_rows)
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("rows", nargs="?", type=int, default=1_000_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "people.parquet"
        write(args.rows, path)
        best: dict[str, tuple[float, float]] = {}
        for _ in range(2):
            for way in ("whole", "chunked"):
                out = subprocess.run(
                    [sys.executable, "-c", CHILD, str(path), way], capture_output=True, text=True, check=True
                )
                secs, rss, _rows = out.stdout.split()
                t, m = float(secs), int(rss) / 1024
                best[way] = (min(t, best.get(way, (t, m))[0]), min(m, best.get(way, (t, m))[1]))
        for way, (t, m) in best.items():
            print(f"{way:8} {t:6.2f} s  {args.rows / t:>10,.0f} rows/s  peak {m:,.0f} MiB")
        print(f"chunked ÷ whole: {best['chunked'][0] / best['whole'][0]:.2f}× the time")


if __name__ == "__main__":
    main()
