"""`osms-eval batch` against the I/O floor: how far the engine is from just reading the input and writing the output.

    python benchmarks/floor_bench.py                   # 1 000 000 rows, one month with status, best of 3
    python benchmarks/floor_bench.py --rows 5000000    # a larger input (peak memory should not grow with it)

Measured side by side, interleaved (so that each sees the same machine), on a population from
`benchmarks/generate.py` written as Parquet:

(a) the I/O floor: pyarrow reads the whole input and writes the batch's own output table (held in memory, so the
    same schema, row count and values), with the batch's writer settings — nothing else;
(b) `osms-eval batch INPUT -o OUT.parquet --month M` as a subprocess: wall time including Python start-up, imports
    and the policy load, and its peak resident memory (the only child of a helper process);
(c) the same command inside this process (imports done, policies loaded once before): the run itself.

Reports batch ÷ floor and rows/s for (b) and (c), best of --repeats and the range. The figures measured on the
project's machine, before and after the work of issue 16, are in the README (Performance).
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import pyarrow.parquet as pq  # noqa: E402
from generate import write  # noqa: E402
from memory import batch_in_child  # noqa: E402


def in_process(args: list[str]) -> float:
    """The command's own time, in this process (imports and the compiled-policy cache already warm)."""
    from contextlib import redirect_stdout

    from osms.cli.batch import command

    started = time.perf_counter()
    with redirect_stdout(io.StringIO()):
        command.main(args, standalone_mode=False)
    return time.perf_counter() - started


def floor(src: Path, table, dst: Path) -> float:  # type: ignore[no-untyped-def]
    """Read the input, write a table of the output's shape the way the batch writes it (one Parquet writer,
    the table's schema and metadata, the batch's options)."""
    from osms.core.dataset import parquet_options

    started = time.perf_counter()
    pq.read_table(src)
    with pq.ParquetWriter(dst, table.schema, **parquet_options(table.schema)) as w:
        w.write_table(table)
    return time.perf_counter() - started


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--month", default="2026-01")
    ap.add_argument("--repeats", type=int, default=3)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="osms-floor-") as tmp:
        src, out = Path(tmp) / "people.parquet", Path(tmp) / "out.parquet"
        write(a.rows, src)
        args = [str(src), "-o", str(out), "--month", a.month, "--no-progress"]
        batch_in_child(args)  # a first run fills the compiled-policy cache and the page cache
        result = pq.read_table(out)  # the output's shape, with its values
        in_process(args)  # warms this process's imports
        floors, walls, peaks, insides = [], [], [], []
        for _ in range(a.repeats):  # interleaved
            floors.append(floor(src, result, Path(tmp) / "floor.parquet"))
            r = batch_in_child(args)
            walls.append(r["seconds"])
            peaks.append(r["peak_mib"])
            insides.append(in_process(args))
    n = a.rows
    f, w, i = min(floors), min(walls), min(insides)

    def spread(xs: list[float]) -> str:
        return f"{min(xs):.2f}–{max(xs):.2f} s"

    print(f"{n:,} rows, Parquet in and out, {a.month} with status; best of {a.repeats} (range):")
    print(f"  I/O floor (read input + write output table)  {f:6.2f} s  ({spread(floors)})")
    print(
        f"  batch, wall with start-up                    {w:6.2f} s  ({spread(walls)})  {n / w:>10,.0f} rows/s  "
        f"{w / f:5.2f}× floor  peak {min(peaks):,.0f}–{max(peaks):,.0f} MiB"
    )
    print(
        f"  batch, inside the run                        {i:6.2f} s  ({spread(insides)})  {n / i:>10,.0f} rows/s  "
        f"{i / f:5.2f}× floor"
    )


if __name__ == "__main__":
    main()
