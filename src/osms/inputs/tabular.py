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


_KEY = np.frombuffer(os.urandom(8), dtype=np.uint64)[0]  # per process, as Python's own str hash
_LOW_BYTES = np.array([(1 << (8 * k)) - 1 for k in range(8)] + [(1 << 64) - 1], dtype=np.uint64)


def _mix(z: np.ndarray) -> np.ndarray:
    """The splitmix64 finaliser, in place: every input bit moves about half the output bits."""
    z ^= z >> np.uint64(30)
    z *= np.uint64(0xBF58476D1CE4E5B9)
    z ^= z >> np.uint64(27)
    z *= np.uint64(0x94D049BB133111EB)
    z ^= z >> np.uint64(31)
    return z


def text_buffers(text: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """A string array's cells as Arrow holds them, without a Python object per cell: the n + 1 offsets into its
    data (int32, int64 for a large string) and the data bytes (empty when every cell is)."""
    wide = pa.types.is_large_string(text.type)
    buffers = text.buffers()
    offsets = np.frombuffer(buffers[1], dtype=np.int64 if wide else np.int32)[text.offset : text.offset + len(text) + 1]
    data = np.frombuffer(buffers[2], dtype=np.uint8) if buffers[2] is not None else np.zeros(0, np.uint8)
    return offsets, data


def hash_text(text: pa.Array) -> np.ndarray:
    """A 64-bit hash of each string of a string array (nulls hash as ""), from its bytes, with no Python object per
    row: the length, then each 8 bytes in turn, chained through a mixing function with a per-process key (as
    Python's str hash is keyed, so a file cannot be made to collide on purpose)."""
    offsets, data = text_buffers(text)
    padded = np.zeros(len(data) + 8, dtype=np.uint8)  # 8-byte reads at any byte of a string stay inside
    padded[: len(data)] = data
    words = np.ndarray((len(data) + 1,), dtype="<u8", buffer=padded, strides=(1,))  # the 8 bytes from each byte
    start = offsets[:-1].astype(np.int64)
    length = offsets[1:].astype(np.int64) - start
    length[~text.is_valid().to_numpy(zero_copy_only=False)] = 0
    h = _mix(length.astype(np.uint64) ^ _KEY)
    at = np.flatnonzero(length > 0)
    done = 0
    while len(at):
        word = words[start[at] + done] & _LOW_BYTES[np.minimum(length[at] - done, 8)]
        h[at] = _mix(h[at] ^ word)
        done += 8
        at = at[length[at] > done]
    return h.view(np.int64)


def fixed_width_keys(values: np.ndarray) -> tuple[np.ndarray, bool]:
    """For byte strings all of one width (a numpy S array): a 64-bit key of each, and whether the key is the
    bytes themselves (up to 8 bytes: equal keys, equal strings) or a keyed hash of them, as hash_text's (equal
    keys may then, very rarely, be different strings)."""
    m, width = len(values), values.dtype.itemsize
    words = max((width + 7) // 8, 1)
    padded = np.zeros((m, 8 * words), dtype=np.uint8)
    padded[:, :width] = values.view(np.uint8).reshape(m, width)
    word = padded.view("<u8")
    if words == 1:
        return word[:, 0].view(np.int64), True
    h = _mix(word[:, 0] ^ _KEY)
    for j in range(1, words):
        h = _mix(h ^ word[:, j])
    return h.view(np.int64), False


def stable_order(h: np.ndarray) -> np.ndarray:
    """np.argsort(h, kind="stable"), five times faster on random hashes: numpy's unstable sort, then each run of
    equal values (repeated ids: few) put back in the order of their positions."""
    order = np.argsort(h)
    if len(h) < 2:
        return order
    hs = h[order]
    eq = hs[1:] == hs[:-1]
    if eq.any():
        group = np.cumsum(np.concatenate([[True], ~eq]))  # the run of equal values each sorted position is in
        tie = np.zeros(len(h), dtype=bool)
        tie[1:] |= eq
        tie[:-1] |= eq
        at = np.flatnonzero(tie)
        order[at] = order[at][np.lexsort((order[at], group[at]))]
    return order


class SeenIds:
    """Ids met so far, as 64-bit hashes with the row of their first appearance, in sorted runs of doubling size
    (a merge touches each id O(log n) times). A hash collision (odds about n² / 2⁶⁵) would be reported as a
    duplicate, never hidden."""

    def __init__(self, where: Callable[[int], str] = "row {}".format) -> None:
        self.runs: list[tuple[np.ndarray, np.ndarray]] = []
        self.where = where  # how a reason names the first row: "row 7", or "b.csv row 7" with several inputs

    def duplicates(self, ids: pa.Array, offset: int) -> dict[int, str]:
        """Rows of this chunk (numbered from 1 over the whole input) whose id appeared before: row → reason."""
        if isinstance(ids, pa.ChunkedArray):
            ids = ids.combine_chunks()
        if pa.types.is_string(ids.type) or pa.types.is_large_string(ids.type):
            present = ids.is_valid().to_numpy(zero_copy_only=False)
            h = hash_text(ids)
        else:  # not text (refused later, with its own message): hashed as Python values
            values = ids.to_pylist()
            present = np.array([v is not None for v in values], dtype=bool)
            h = np.fromiter((hash(v) for v in values), dtype=np.int64, count=len(values))
        rows = np.arange(offset + 1, offset + len(ids) + 1, dtype=np.int64)
        h, rows = h[present], rows[present]
        order = stable_order(h)
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
        out = {int(r): f"id: the same id as {self.where(int(f))}" for r, f in zip(rs[repeat], first[repeat])}
        new_h, new_r = hs[~repeat], rs[~repeat]
        if len(new_h):
            self.runs.append((new_h, new_r))
        while len(self.runs) > 1 and len(self.runs[-2][0]) <= 2 * len(self.runs[-1][0]):
            self.runs.append(_merge(self.runs.pop(-2), self.runs.pop()))
        return out


def _merge(b: tuple[np.ndarray, np.ndarray], a: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Two sorted runs of hashes (with their rows) as one, in place of a sort: each of `a`'s goes after the `b`s
    not greater than it. The runs share no hash (a repeat is never added), so the order is the sorted one."""
    at = np.searchsorted(b[0], a[0], side="right") + np.arange(len(a[0]))
    from_b = np.ones(len(a[0]) + len(b[0]), dtype=bool)
    from_b[at] = False
    merged = []
    for x, y in zip(a, b):
        out = np.empty(len(from_b), dtype=x.dtype)
        out[at] = x
        out[from_b] = y
        merged.append(out)
    return merged[0], merged[1]


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
