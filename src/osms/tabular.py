"""Reading a population table strictly and in bounded chunks: CSV or Parquet in, record batches of text out.

The CSV header is read with a real CSV reader (BOM, quoting); every column is declared as text, so nothing is
guessed (an IIN keeps its leading 0) and numbers are checked exactly on their text. Chunks hold at most
`chunk` rows whatever the format, so memory follows `--chunk-size`. Duplicate ids are found across chunks
with 16 bytes per row.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa

from .columns import check_columns
from .errors import OsmsError
from .limits import cut
from .policy import PolicySet

HEADER_BYTES = 1 << 20  # the header must fit in the first MiB


def _arrow_message(exc: Exception) -> str:
    return cut(str(exc).splitlines()[0] if str(exc) else type(exc).__name__, 200)[1:-1]


def csv_header(path: Path) -> tuple[list[str], int]:
    """The column names of a CSV file (UTF-8, an optional BOM, RFC 4180 quoting) and its mean line length."""
    with open(path, "rb") as fh:
        sample = fh.read(HEADER_BYTES)
    if not sample.strip():
        raise OsmsError("the CSV file is empty: the first line must name the columns", file=str(path))
    try:
        text = codecs.getincrementaldecoder("utf-8-sig")().decode(sample, final=len(sample) < HEADER_BYTES)
    except UnicodeDecodeError as exc:
        line = sample[: exc.start].count(b"\n") + 1
        raise OsmsError(f"line {line} is not UTF-8: save the file as UTF-8 CSV", file=str(path)) from None
    try:
        header = next(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise OsmsError(f"the header row is not valid CSV: {exc}", file=str(path)) from None
    if len(sample) == HEADER_BYTES and "\n" not in text:
        raise OsmsError(f"the header row is longer than {HEADER_BYTES:,} bytes", file=str(path))
    if any("\n" in h or "\r" in h for h in header):
        raise OsmsError("a column name spans several lines: keep each name on the header line", file=str(path))
    for sep, name in ((";", "semicolons"), ("\t", "tabs")):
        if len(header) == 1 and sep in header[0]:  # Excel in a Russian or Kazakh locale saves with ';'
            raise OsmsError(f"the header has {name} between the names, not commas: save the file as "
                            "comma-separated CSV (UTF-8)", file=str(path))
    if "" in header:
        raise OsmsError(f"column {header.index('') + 1} has no name: name it or remove it", file=str(path))
    lines = max(text.count("\n"), 1)
    return header, max(len(sample) // lines, 1)


def _rechunk(batches: Iterator[pa.RecordBatch], chunk: int, path: Path) -> Iterator[pa.RecordBatch]:
    """Record batches of exactly `chunk` rows (the last may be shorter), whatever sizes the reader gives."""
    buf: list[pa.RecordBatch] = []
    held = 0
    try:
        for rb in batches:
            buf.append(rb)
            held += rb.num_rows
            while held >= chunk:
                table = pa.Table.from_batches(buf)
                yield table.slice(0, chunk).combine_chunks().to_batches()[0]
                rest = table.slice(chunk).combine_chunks()
                buf, held = rest.to_batches(), rest.num_rows
        if held:
            yield pa.Table.from_batches(buf).combine_chunks().to_batches()[0]
    except (pa.ArrowInvalid, OSError) as exc:
        raise OsmsError(f"cannot read the input: {_arrow_message(exc)}", file=str(path)) from None


_NESTED = (pa.types.is_struct, pa.types.is_list, pa.types.is_large_list, pa.types.is_map,
           pa.types.is_fixed_size_list, pa.types.is_union)


def open_table(path: Path, chunk: int, policy: PolicySet, keep: tuple[str, ...] = ()
               ) -> tuple[int | None, list[str], Iterator[pa.RecordBatch]]:
    """Check the columns, then stream the rows: (row count if known, column names, batches of ≤ chunk rows)."""
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    suffix = path.suffix.lower()
    if suffix in (".parquet", ".pq"):
        try:
            f = pq.ParquetFile(path)
        except (pa.ArrowInvalid, OSError) as exc:
            raise OsmsError(f"not a readable Parquet file: {_arrow_message(exc)}", file=str(path)) from None
        schema = f.schema_arrow
        for fld in schema:
            if any(test(fld.type) for test in _NESTED):
                raise OsmsError(f"column {cut(fld.name)} holds nested values ({fld.type}); each cell must be one "
                                "value", file=str(path))
        check_columns(policy, schema.names, keep, str(path))
        id_type = schema.field("id").type
        if not (pa.types.is_string(id_type) or pa.types.is_large_string(id_type)):
            raise OsmsError(f"the `id` column must be text, not {id_type} (an IIN may start with 0)",
                            file=str(path))
        return f.metadata.num_rows, schema.names, _rechunk(f.iter_batches(batch_size=chunk), chunk, path)
    if suffix == ".csv":
        header, line_bytes = csv_header(path)
        check_columns(policy, header, keep, str(path))
        # Blocks of about one chunk, so the reader never holds much more than the rows being evaluated.
        block = min(max(chunk * line_bytes * 5 // 4, 1 << 20), 1 << 26)
        try:
            reader = pacsv.open_csv(path, read_options=pacsv.ReadOptions(block_size=block),
                                    parse_options=pacsv.ParseOptions(newlines_in_values=True),  # quoted line breaks
                                    convert_options=pacsv.ConvertOptions(
                                        column_types={c: pa.string() for c in header}, strings_can_be_null=True,
                                        null_values=[""]))  # only an empty cell is empty: not "NA", "nan", "null"
        except (pa.ArrowInvalid, OSError) as exc:
            raise OsmsError(f"not a readable CSV file: {_arrow_message(exc)}", file=str(path)) from None
        if reader.schema.names != header:
            raise OsmsError("the header row could not be read consistently: check its quoting", file=str(path))
        return None, header, _rechunk(iter(reader), chunk, path)
    raise OsmsError("the input must end in .csv or .parquet", file=str(path))


class SeenIds:
    """Ids met so far, as 64-bit hashes with the row of their first appearance, in sorted runs of doubling size
    (a merge touches each id O(log n) times). A hash collision (odds about n² / 2⁶⁵) would be reported as a
    duplicate, never hidden."""

    def __init__(self) -> None:
        self.runs: list[tuple[np.ndarray, np.ndarray]] = []

    def duplicates(self, ids: pa.Array, offset: int) -> dict[int, str]:
        """Rows of this chunk (numbered from 1 over the whole input) whose id appeared before: row → reason."""
        values = ids.to_pylist()
        present = np.array([v is not None for v in values], dtype=bool)
        h = np.fromiter((hash(v) for v in values), dtype=np.int64, count=len(values))
        rows = np.arange(offset + 1, offset + len(values) + 1, dtype=np.int64)
        h, rows = h[present], rows[present]
        order = np.argsort(h, kind="stable")
        hs, rs = h[order], rows[order]
        first = rs.copy()
        repeat = np.zeros(len(hs), dtype=bool)
        if len(hs) > 1:
            repeat[1:] = hs[1:] == hs[:-1]
            start = np.maximum.accumulate(np.where(repeat, 0, np.arange(len(hs))))
            first = rs[start]
        for run_h, run_r in self.runs:
            if not len(run_h):
                continue
            pos = np.minimum(np.searchsorted(run_h, hs), len(run_h) - 1)
            seen = run_h[pos] == hs
            first = np.where(seen & (run_r[pos] < first), run_r[pos], first)
            repeat |= seen
        out = {int(r): f"id: the same id as row {int(f)}" for r, f in zip(rs[repeat], first[repeat])}
        new_h, new_r = hs[~repeat], rs[~repeat]
        if len(new_h):
            self.runs.append((new_h, new_r))
        while len(self.runs) > 1 and len(self.runs[-2][0]) <= 2 * len(self.runs[-1][0]):
            (ah, ar), (bh, br) = self.runs.pop(), self.runs.pop()
            mh, mr = np.concatenate([bh, ah]), np.concatenate([br, ar])
            o = np.argsort(mh, kind="stable")
            self.runs.append((mh[o], mr[o]))
        return out
