"""`osms-eval batch`: evaluate a population from CSV or Parquet, streamed in chunks, written atomically."""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

import click

from .common import load, months, policies_option, require_known


class _Progress:
    """rows, rows/s and ETA on a terminal; silent in CI and when output is not a terminal."""

    def __init__(self, total: int | None, enabled: bool) -> None:
        self.total, self.enabled, self.start, self.done, self.last = total, enabled, time.perf_counter(), 0, 0.0

    def advance(self, rows: int) -> None:
        self.done += rows
        now = time.perf_counter()
        if not self.enabled or now - self.last < 0.2:
            return
        self.last = now
        rate = self.done / max(now - self.start, 1e-9)
        if self.total:
            frac = min(self.done / self.total, 1.0)
            bar = "█" * int(frac * 30) + "·" * (30 - int(frac * 30))
            eta = (self.total - self.done) / rate if rate else 0
            msg = f"\r{bar} {self.done:,}/{self.total:,} rows  {rate:,.0f} rows/s  ETA {eta:,.0f} s "
        else:
            msg = f"\r{self.done:,} rows  {rate:,.0f} rows/s "
        sys.stderr.write(msg)
        sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")


def _reader(path: Path, chunk: int):  # type: ignore[no-untyped-def]
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    from ..errors import OsmsError

    suffix = path.suffix.lower()
    if suffix in (".parquet", ".pq"):
        try:
            f = pq.ParquetFile(path)
        except (pa.ArrowInvalid, OSError) as exc:
            raise OsmsError(f"not a readable Parquet file: {exc}", file=str(path)) from None
        return f.metadata.num_rows, f.iter_batches(batch_size=chunk)
    if suffix == ".csv":
        with open(path, encoding="utf-8", errors="replace") as fh:
            header = fh.readline().strip().split(",")
        if not header or header == [""]:
            raise OsmsError("the CSV file has no header row", file=str(path))
        try:
            reader = pacsv.open_csv(path, read_options=pacsv.ReadOptions(block_size=1 << 24),
                                    convert_options=pacsv.ConvertOptions(
                                        column_types={c: pa.string() for c in header}, strings_can_be_null=True))
        except (pa.ArrowInvalid, OSError) as exc:
            raise OsmsError(f"not a readable CSV file: {exc}", file=str(path)) from None
        return None, reader
    raise OsmsError("the input must end in .csv or .parquet", file=str(path))


@click.command("batch")
@click.argument("input_path", metavar="INPUT", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Result file, .csv or .parquet (written atomically).")
@click.option("--month", help="One month, YYYY-MM.")
@click.option("--from", "first", help="First month of a range.")
@click.option("--to", "last", help="Last month of a range.")
@click.option("--outputs", help="Comma-separated outputs (default: all).")
@click.option("--errors", "errors_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write rows that cannot be evaluated (default: OUTPUT with .errors.csv).")
@click.option("--summary", "summary_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the summary as JSON.")
@click.option("--chunk-size", default=200_000, show_default=True, type=click.IntRange(1_000, 5_000_000))
@click.option("--no-status", is_flag=True, help="Skip insured status (contributions only).")
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: on a terminal, not in CI).")
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Chunks evaluated at once (default: the number of cores, at most 4).")
@policies_option
def command(input_path: Path, output: Path, month: str | None, first: str | None, last: str | None,
            outputs: str | None, errors_path: Path | None, summary_path: Path | None, chunk_size: int,
            no_status: bool, progress: bool | None, workers: int | None, policies_dir: Path | None) -> None:
    """Evaluate every person in INPUT (CSV or Parquet, one row per person) for the months asked."""
    import collections
    from concurrent.futures import ThreadPoolExecutor

    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    from ..dates import format_month
    from ..errors import OsmsError
    from ..fileio import atomic_open, write_text_atomic
    from ..population import evaluate_arrow, merge_summaries

    policy = load(policies_dir)
    ms = months(month, first, last, policy.covers)
    wanted = [o.strip() for o in outputs.split(",")] if outputs else None
    require_known("output", wanted or [], list(policy.rules), "--outputs")
    out_suffix = output.suffix.lower()
    if out_suffix not in (".csv", ".parquet", ".pq"):
        raise OsmsError("the output must end in .csv or .parquet", file=str(output))
    errors_path = errors_path or output.with_name(output.stem + ".errors.csv")
    total, batches = _reader(input_path, chunk_size)
    show = progress if progress is not None else (sys.stderr.isatty() and not os.environ.get("CI"))
    bar = _Progress(total * len(ms) if total else None, show)

    def _stop(signum: int, frame: Any) -> None:  # a kill must not leave a half-written file behind
        raise KeyboardInterrupt

    old = {s: signal.signal(s, _stop) for s in (signal.SIGTERM, signal.SIGINT)}
    summary: dict[str, Any] = {}
    error_rows: list[tuple[int, str, str]] = []
    offset = 0
    writer = None
    started = time.perf_counter()
    workers = workers or min(os.cpu_count() or 1, 4)
    pending: collections.deque = collections.deque()

    def finish(fh: Any) -> None:
        nonlocal writer
        rb, m, first_row, future = pending.popleft()
        try:
            table, bad, part = future.result()
        except ValueError as exc:
            raise OsmsError(str(exc), file=str(input_path)) from None
        ids = rb.column(rb.schema.get_field_index("id"))
        for row, why in bad.rows.items():
            error_rows.append((row, str(ids[row - first_row - 1].as_py()), f"{format_month(m)}: {why}"))
        merge_summaries(summary, part)
        if writer is None:
            writer = pq.ParquetWriter(fh, table.schema) if out_suffix != ".csv" else pacsv.CSVWriter(fh, table.schema)
        writer.write_table(table)
        bar.advance(rb.num_rows)

    # Chunks are evaluated on a small thread pool (numpy and Arrow release the GIL), in order, with at most
    # `workers + 1` chunks in flight, so memory stays bounded however large the input.
    try:
        with atomic_open(output, "wb") as fh, ThreadPoolExecutor(workers) as pool:
            for rb in batches:
                for m in ms:
                    pending.append((rb, m, offset, pool.submit(evaluate_arrow, policy, rb, m, wanted, offset,
                                                               not no_status)))
                    if len(pending) > workers:
                        finish(fh)
                offset += rb.num_rows
            while pending:
                finish(fh)
            if writer is None:
                raise OsmsError("the input has no rows", file=str(input_path))
            writer.close()
    except KeyboardInterrupt:
        bar.close()
        click.echo("interrupted: no output written", err=True)
        sys.exit(130)
    except pa.ArrowInvalid as exc:
        raise OsmsError(f"cannot read the input: {exc}", file=str(input_path)) from None
    finally:
        for s, h in old.items():
            signal.signal(s, h)
    bar.close()
    elapsed = time.perf_counter() - started
    with atomic_open(errors_path) as fh:
        fh.write("row,id,reason\n")
        for row, pid, why in sorted(error_rows):
            fh.write(f"{row},{json.dumps(pid, ensure_ascii=False)},{json.dumps(why, ensure_ascii=False)}\n")
    summary["error_rows"] = len(error_rows)
    summary["input_rows"] = offset
    doc = {"policy": policy.stamp, "months": [format_month(m) for m in ms], "summary": summary}
    if summary_path:
        write_text_atomic(summary_path, json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
    rate = offset * len(ms) / elapsed if elapsed else 0
    click.echo(f"{offset:,} rows × {len(ms)} month(s) in {elapsed:.1f} s ({rate:,.0f} person-months/s); "
               f"{len(error_rows):,} error rows → {errors_path}")
    click.echo(f"insured: {summary.get('insured', 'n/a'):,}" if "insured" in summary else "insured: not computed")
    for payer, amount in sorted(summary.get("payers", {}).items()):
        click.echo(f"  {payer:14} {amount:>20,.1f} tenge")
    cats = {c: v for c, v in summary.get("categories", {}).items() if v}
    if cats:
        click.echo("  categories: " + ", ".join(f"{c} {v:,}" for c, v in sorted(cats.items())))
