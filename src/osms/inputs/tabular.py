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
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..core.csvformat import DEFAULT, CsvFormat
from ..core.errors import OsmsError
from ..core.limits import cut
from ..core.messages import _
from ..policy import PolicySet
from .columns import check_columns

HEADER_BYTES = 1 << 20  # the header must fit in the first MiB


def _arrow_message(exc: Exception) -> str:
    return cut(str(exc).splitlines()[0] if str(exc) else type(exc).__name__, 200)[1:-1]


_RAGGED = re.compile(r"Expected (\d+) columns, got \d+")


def _ragged(exc: Exception, path: Path, fmt: CsvFormat) -> OsmsError | None:
    """A CSV row with the wrong number of cells, named by its line, found again here (Arrow's message gives the
    row only when it happened to read that part of the file on one thread); None for any other failure."""
    ragged = _RAGGED.search(str(exc))
    found = _ragged_line(path, fmt, int(ragged.group(1))) if ragged else None
    if ragged is None or found is None:
        return None
    line, cells, text = found
    return OsmsError(
        _(
            "{count} cells where the header has {expected}: {row}; quote a cell that holds '{sep}', or give the "
            "row as many cells as the header",
            count=cells,
            expected=int(ragged.group(1)),
            row=cut(text, 60),
            sep="tab" if fmt.delimiter == "\t" else fmt.delimiter,
        ),
        file=str(path),
        line=line,
    )


def _ragged_line(path: Path, fmt: CsvFormat, expected: int) -> tuple[int, int, str] | None:
    """(line, cells, the row's cells joined) of the first record (not a blank line) without `expected` cells."""
    encoding = "cp1251" if fmt.encoding == "cp1251" else "utf-8-sig"
    with io.TextIOWrapper(_open_bytes(path), encoding=encoding, errors="replace", newline="") as fh:
        rows = csv.reader(fh, delimiter=fmt.delimiter)
        start = 1
        for row in rows:
            if row and len(row) != expected:
                return start, len(row), fmt.delimiter.join(row)
            start = rows.line_num + 1
    return None


def _open_bytes(path: Path):  # type: ignore[no-untyped-def]
    import gzip

    return gzip.open(path, "rb") if path.suffix.lower() == ".gz" else open(path, "rb")


def _decode(sample: bytes, fmt: CsvFormat, final: bool, path: Path) -> str:
    """The first MiB as text in the encoding asked; a file in another one is refused with the option that reads it."""
    if fmt.encoding == "cp1251":
        try:
            as_utf8 = codecs.getincrementaldecoder("utf-8")().decode(sample, final=final)
        except UnicodeDecodeError:
            as_utf8 = None
        if sample.startswith(codecs.BOM_UTF8) or (as_utf8 is not None and not as_utf8.isascii()):
            raise OsmsError(
                _("the file is UTF-8, not cp1251 (its letters read as UTF-8): remove --encoding cp1251"), file=str(path)
            )
    try:
        return codecs.getincrementaldecoder("cp1251" if fmt.encoding == "cp1251" else "utf-8-sig")().decode(
            sample, final=final
        )
    except UnicodeDecodeError as exc:
        line = sample[: exc.start].count(b"\n") + 1
        where = _("byte 0x{byte:02X} at line {line}", byte=sample[exc.start], line=line)
        if fmt.encoding == "cp1251":
            raise OsmsError(
                _("the file is not cp1251 ({where}): save it again as CSV", where=where), file=str(path)
            ) from None
        try:
            sample.decode("cp1251")
        except UnicodeDecodeError:
            raise OsmsError(
                _("the file is not UTF-8 ({where}): save it as CSV UTF-8", where=where), file=str(path)
            ) from None
        raise OsmsError(
            _(
                "the file is not UTF-8 ({where}); if it was saved by Excel in a Russian or Kazakh locale, "
                "add --encoding cp1251",
                where=where,
            ),
            file=str(path),
        ) from None


def csv_header(path: Path, fmt: CsvFormat = DEFAULT) -> tuple[list[str], int, bool]:
    """The column names of a CSV file (an optional BOM, RFC 4180 quoting), its mean line length, and whether the
    header ends with a delimiter (Excel writes one when the sheet has an empty column after the last)."""
    with _open_bytes(path) as fh:
        try:
            sample = fh.read(HEADER_BYTES)
        except OSError as exc:
            raise OsmsError(
                _("cannot read the input: {value}", value=cut(str(exc), 100)[1:-1]), file=str(path)
            ) from None
    if not sample.strip():
        raise OsmsError(_("the CSV file is empty: the first line must name the columns"), file=str(path))
    text = _decode(sample, fmt, len(sample) < HEADER_BYTES, path)
    try:
        header = next(csv.reader(io.StringIO(text, newline=""), delimiter=fmt.delimiter))
    except csv.Error as exc:
        raise OsmsError(_("the header row is not valid CSV: {exc}", exc=exc), file=str(path)) from None
    if len(sample) == HEADER_BYTES and "\n" not in text:
        raise OsmsError(
            _("the header row is longer than {limit} bytes", limit=format(HEADER_BYTES, ",")), file=str(path)
        )
    if any("\n" in h or "\r" in h for h in header):
        raise OsmsError(_("a column name spans several lines: keep each name on the header line"), file=str(path))
    for sep in (";", ",", "\t", "|"):
        if len(header) == 1 and sep in header[0] and sep != fmt.delimiter:
            shown, option = ("tab", "tab") if sep == "\t" else (f"'{sep}'", f"'{sep}'")
            raise OsmsError(
                _(
                    "the header has one column {header}; the file looks {shown}-separated: add --delimiter {option}",
                    header=cut(header[0], 40),
                    shown=shown,
                    option=option,
                ),
                file=str(path),
            )
    trailing = len(header) > 1 and header[-1] == "" and "" not in header[:-1]
    if trailing:
        header = header[:-1]
    if "" in header:
        raise OsmsError(
            _("column {value} has no name: name it or remove it", value=header.index("") + 1), file=str(path)
        )
    lines = max(text.count("\n"), 1)
    return header, max(len(sample) // lines, 1), trailing


def _no_trailing_values(batches: Iterator[pa.RecordBatch], path: Path, sep: str) -> Iterator[pa.RecordBatch]:
    """Batches without the unnamed last column of a header ending in a delimiter; a value there is refused."""
    row = 0
    for rb in batches:
        extra = rb.column(rb.num_columns - 1)
        if extra.null_count != len(extra):
            first = int(np.flatnonzero(pc.is_valid(extra).to_numpy(zero_copy_only=False))[0])
            raise OsmsError(
                _(
                    "row {value} has a value after the last column, whose name is empty (the header ends "
                    "with '{sep}'): name the column or remove the value",
                    value=row + first + 1,
                    sep=sep,
                ),
                file=str(path),
            )
        row += rb.num_rows
        yield pa.RecordBatch.from_arrays(rb.columns[:-1], names=rb.schema.names[:-1])


def _rechunk(
    batches: Iterator[pa.RecordBatch], chunk: int, path: Path, fmt: CsvFormat | None = None
) -> Iterator[pa.RecordBatch]:
    """Record batches of exactly `chunk` rows (the last may be shorter), whatever sizes the reader gives; `fmt`
    for a CSV file."""
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
        ragged = _ragged(exc, path, fmt) if fmt is not None else None
        raise ragged or OsmsError(
            _("cannot read the input: {arrow_message}", arrow_message=_arrow_message(exc)), file=str(path)
        ) from None


def _csv_rows(path: Path, names: list[str], block: int, fmt: CsvFormat) -> Iterator[pa.RecordBatch]:
    import pyarrow.csv as pacsv

    try:
        encoding = "cp1251" if fmt.encoding == "cp1251" else "utf8"
        reader = pacsv.open_csv(
            path,
            read_options=pacsv.ReadOptions(block_size=block, encoding=encoding),
            parse_options=pacsv.ParseOptions(
                delimiter=fmt.delimiter,
                newlines_in_values=True,  # quoted line breaks
                # a blank line (or a lone CR) is an error: skipped,
                # it would shift every later row number
                ignore_empty_lines=False,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() for c in names}, strings_can_be_null=True, null_values=[""]
            ),
        )  # only an empty cell is empty: not "NA", "nan", "null"
    except (pa.ArrowInvalid, OSError) as exc:
        raise _ragged(exc, path, fmt) or OsmsError(
            _("not a readable CSV file: {arrow_message}", arrow_message=_arrow_message(exc)), file=str(path)
        ) from None
    if reader.schema.names != names:
        raise OsmsError(_("the header row could not be read consistently: check its quoting"), file=str(path))
    yield from reader


_NESTED = (
    pa.types.is_struct,
    pa.types.is_list,
    pa.types.is_large_list,
    pa.types.is_map,
    pa.types.is_fixed_size_list,
    pa.types.is_union,
)


def open_table(
    path: Path,
    chunk: int,
    policy: PolicySet,
    keep: tuple[str, ...] = (),
    fmt: CsvFormat = DEFAULT,
    columns: Callable[..., None] = check_columns,
) -> tuple[int | None, list[str], Iterator[pa.RecordBatch]]:
    """Check the columns (`columns`: the people table's check unless told), then stream the rows: (row count if
    known, column names, batches of ≤ chunk rows)."""
    import pyarrow.parquet as pq

    suffix = "".join(path.suffixes[-2:]).lower() if path.suffix.lower() == ".gz" else path.suffix.lower()
    if suffix in (".parquet", ".pq"):
        if fmt != DEFAULT:
            raise OsmsError(
                _(
                    "--delimiter, --decimal, --thousands and --encoding are for CSV files; a Parquet file "
                    "holds typed values: remove them"
                ),
                file=str(path),
            )
        try:
            f = pq.ParquetFile(path)
        except (pa.ArrowInvalid, OSError) as exc:
            raise OsmsError(
                _("not a readable Parquet file: {arrow_message}", arrow_message=_arrow_message(exc)), file=str(path)
            ) from None
        schema = f.schema_arrow
        for fld in schema:
            if any(test(fld.type) for test in _NESTED):
                raise OsmsError(
                    _(
                        "column {name} holds nested values ({type}); each cell must be one value",
                        name=cut(fld.name),
                        type=fld.type,
                    ),
                    file=str(path),
                )
        columns(policy, schema.names, keep, str(path))
        id_type = schema.field("id").type
        if not (pa.types.is_string(id_type) or pa.types.is_large_string(id_type)):
            raise OsmsError(
                _("the `id` column must be text, not {id_type} (an IIN may start with 0)", id_type=id_type),
                file=str(path),
            )
        return f.metadata.num_rows, schema.names, _rechunk(f.iter_batches(batch_size=chunk), chunk, path)
    if suffix in (".csv", ".csv.gz"):
        header, line_bytes, trailing = csv_header(path, fmt)
        columns(policy, header, keep, str(path))
        # Blocks of about one chunk, so the reader never holds much more than the rows being evaluated; the reader
        # opens when the first rows are asked for, so many inputs can be checked before any is read.
        block = min(max(chunk * line_bytes * 5 // 4, 1 << 20), 1 << 26)
        rows = _rechunk(_csv_rows(path, header + ([""] if trailing else []), block, fmt), chunk, path, fmt)
        return None, header, _no_trailing_values(rows, path, fmt.shown(fmt.delimiter)) if trailing else rows
    raise OsmsError(_("the input must end in .csv, .csv.gz or .parquet"), file=str(path))


_TABLE_SUFFIXES = (".csv", ".csv.gz", ".parquet", ".pq")


def expand_inputs(args: tuple[str, ...] | list[str]) -> list[Path]:
    """The input files named: files as given, a quoted glob ('data/*.csv') matched in name order, a folder as its
    Parquet files in name order. A name matching nothing, or a file named twice, is refused."""
    import glob

    paths: list[Path] = []
    for arg in args:
        p = Path(arg)
        if p.is_dir():
            found = sorted(q for q in p.iterdir() if q.is_file() and q.suffix.lower() in (".parquet", ".pq"))
            if not found:
                raise OsmsError(
                    _("the folder holds no .parquet files; name CSV files themselves or by a glob"), file=arg
                )
            paths += found
        elif p.exists():
            paths.append(p)
        elif glob.has_magic(arg):
            found = sorted(
                Path(q)
                for q in glob.glob(arg)
                if Path(q).is_file() and any(q.lower().endswith(s) for s in _TABLE_SUFFIXES)
            )
            if not found:
                raise OsmsError(_("no .csv, .csv.gz or .parquet file matches this pattern"), file=arg)
            paths += found
        else:
            raise OsmsError(_("no such file"), file=arg)
    if not paths:
        raise OsmsError(_("give at least one INPUT file"))
    real = [os.path.realpath(p) for p in paths]
    for i, r in enumerate(real):
        if r in real[:i]:
            raise OsmsError(
                _("this file is named twice among the inputs: its rows would be counted twice"), file=str(paths[i])
            )
    return paths


def same_columns(first: Path, names: list[str], path: Path, other: list[str]) -> None:
    """Several inputs are one population: each must have the first one's columns (in any order)."""
    missing = [n for n in names if n not in other]
    extra = [n for n in other if n not in names]
    if missing or extra:
        diff = "; ".join(
            part
            for part in (
                "no " + ", ".join(cut(n, 30) for n in missing[:5]) if missing else "",
                "also " + ", ".join(cut(n, 30) for n in extra[:5]) if extra else "",
            )
            if part
        )
        raise OsmsError(
            _(
                "the columns differ from those of {name}: {diff}; all inputs need the same columns",
                name=first.name,
                diff=diff,
            ),
            file=str(path),
        )
