"""Where `osms-eval batch` puts what it evaluates: the result (one CSV or Parquet file, or a dataset's part per
month) written on a thread of its own while the next chunks are evaluated, and the error rows, in row order."""

from __future__ import annotations

import collections
import contextlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ..core.csv_safety import neutralise_table
from ..core.dataset import ROW_GROUP, parquet_options
from ..core.dates import format_month

WAITING = 1  # result tables queued for the writer thread; 2 or 3 measured no faster on two cores (load 1.8)


class ResultWriter:
    """The result tables, in order: to `fh` (a .csv or .parquet file), or with `build` to a dataset's part per
    month; `meta` goes in every Parquet file's schema."""

    def __init__(
        self, fh: Any, build: Any, csv_out: bool, escape: tuple[str, ...] | None, meta: dict[str, str]
    ) -> None:
        self.fh, self.build, self.csv_out, self.escape, self.meta = fh, build, csv_out, escape, meta
        self.writer: Any = None
        self.month_writers: dict[int, Any] = {}
        self.thread = ThreadPoolExecutor(1)
        self.writing: collections.deque = collections.deque()
        self.closed = False

    def add(self, table: pa.Table, month: int) -> None:
        if self.csv_out:  # CSV has no lists: the names joined by ','
            for name in ("payer", "categories"):
                i = table.schema.get_field_index(name)
                table = table.set_column(i, name, pc.binary_join(table.column(i), ","))
        if self.escape is not None:
            table = neutralise_table(table, list(self.escape))
        if self.build is not None:
            table = table.drop_columns(["month"])  # the month is the partition's name
            if month not in self.month_writers:
                path = self.build.part(format_month(month), "0")
                path.parent.mkdir(parents=True)
                self.month_writers[month] = pq.ParquetWriter(
                    path, table.schema.with_metadata(self.meta), **parquet_options(table.schema)
                )
            self._write(self.month_writers[month], table, row_group_size=ROW_GROUP)
            return
        if self.writer is None:
            self.writer = (
                pacsv.CSVWriter(self.fh, table.schema)
                if self.csv_out
                else pq.ParquetWriter(self.fh, table.schema.with_metadata(self.meta), **parquet_options(table.schema))
            )
        self._write(self.writer, table)

    def _write(self, w: Any, table: pa.Table, **options: Any) -> None:
        """Write on the writer thread, in order, while the next chunks are read and evaluated; at most one table
        waits, so memory stays bounded when writing is the slowest part."""
        self.writing.append(self.thread.submit(w.write_table, table, **options))
        while len(self.writing) > WAITING:
            self.writing.popleft().result()

    @property
    def empty(self) -> bool:
        return self.writer is None and not self.month_writers

    def close(self) -> None:
        """Wait for what is being written, then close every file."""
        while self.writing:
            self.writing.popleft().result()
        for w in self._writers():
            w.close()
        self.thread.shutdown()
        self.closed = True

    def abandon(self) -> None:
        """On an interrupt or an error: let the write under way end, then close the writers before their files are
        removed (else pyarrow closes them when collected and prints a traceback about a closed file); errors are
        moot, the files are about to go."""
        if self.closed:
            return
        self.thread.shutdown(wait=True, cancel_futures=True)
        for w in self._writers():
            with contextlib.suppress(Exception):
                w.close()
        self.closed = True

    def _writers(self) -> list[Any]:
        return [w for w in [self.writer, *self.month_writers.values()] if w is not None]


class ErrorRows:
    """The error rows of a run, written to the errors CSV a chunk at a time, sorted by row; `where` turns a row
    numbered over all inputs into (file, row in it), `cell` makes a text cell safe to open."""

    def __init__(
        self, errors_csv: Any, where: Callable[[int], tuple[str, int]], several: bool, cell: Callable[[str], str]
    ) -> None:
        self.csv, self.where, self.several, self.cell = errors_csv, where, several, cell
        self.count = 0
        self.pending: list[tuple[int, str, str]] = []  # the current chunk's, all months: sorted, then written

    def add(self, ids: Any, first_row: int, month: int, rows: dict[int, str]) -> None:
        """A chunk's error rows for a month (`ids`: the chunk's id column)."""
        if self.pending and self.pending[0][0] <= first_row:  # a new chunk: the last one's errors are complete
            self.flush()
        for row, why in rows.items():
            pid = ids[row - first_row - 1].as_py()
            self.pending.append((row, "" if pid is None else pid, f"{format_month(month)}: {why}"))

    def flush(self) -> None:
        for row, pid, why in sorted(self.pending):
            name, local = self.where(row)
            self.csv.writerow([*([self.cell(name)] if self.several else []), local, self.cell(pid), self.cell(why)])
        self.count += len(self.pending)
        self.pending.clear()

    def unrowed(self, pid: str, why: str) -> None:
        """An error that is no row of the input (a payment for an id the people table lacks)."""
        self.csv.writerow([*([""] if self.several else []), "", self.cell(pid), self.cell(why)])
        self.count += 1
