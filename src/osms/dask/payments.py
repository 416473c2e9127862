"""Payment records for the Dask engine: a payments table as a Dask DataFrame, each row numbered in its file, sent to
the people partitions that hold its person.

Partition i of the payments holds exactly the payments of partition i's people, whatever the partitioning on either
side. Ids are compared trimmed, as the payments table's ids are read. Two routes:
- by id range, when the people's ids increase from partition to partition (each partition's ids all after the
  previous one's, as in a population sorted by id): a payment goes to the partition whose range holds its id (each
  piece split in Arrow, each partition gathering its bucket of every piece); a partition reports the payments of
  ids in its range that none of its rows has;
- otherwise joined on the id to (id, number of each people partition it occurs in), one shuffle, then moved to their
  partitions by number, a second; payments the join finds no person for are reported where it leaves them.
A partition re-sorts its payments by (file, row) and checks them as the single-machine path checks a whole table
(`payment_records`): the same reasons, naming the same file and row; unmatched ids are error rows naming their
first file and row, as there.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..core.csvformat import DEFAULT, CsvFormat
from ..core.errors import OsmsError
from ..core.limits import cut
from ..core.messages import translate

FILE, ROW, KEY, PART = "_osms_file", "_osms_row", "_osms_key", "_osms_part"  # columns the engine adds


@dataclass
class PaymentsFrame:
    """A payments table on the cluster: its columns plus FILE (index into `files`) and ROW (row in that file,
    from 1); `rows` its length when known before reading (Parquet metadata), else None."""

    frame: Any
    files: list[str]
    rows: int | None
    fmt: CsvFormat = DEFAULT  # how its CSV files' numbers are written


def _key(col: Any) -> pa.Array:
    """Ids as the payments table reads them: text, trimmed, an empty cell as ''."""
    arr = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else pa.array(col)
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        arr = pc.cast(arr, pa.string())
    return pc.utf8_trim_whitespace(pc.cast(pc.fill_null(arr, ""), pa.string()))


def _read_piece(piece: tuple[int, str, int | None, int], policy_dir: str, fmt: CsvFormat):  # type: ignore[no-untyped-def]
    """One partition of a payments file: a Parquet row group, or a whole CSV file (read as the local path reads it),
    with each row's file and row number."""
    import pandas as pd
    import pyarrow.parquet as pq

    from ..inputs.payments_table import check_payment_columns
    from ..inputs.tabular import open_table
    from . import _policy

    fi, path, group, first = piece
    if group is not None:
        table = pq.ParquetFile(path).read_row_group(group)
    else:
        _, names, batches = open_table(Path(path), 1 << 20, _policy(policy_dir), (), fmt, check_payment_columns)
        table = pa.Table.from_batches(list(batches), schema=pa.schema([(n, pa.string()) for n in names]))
    n = table.num_rows
    table = table.append_column(FILE, pa.array(np.full(n, fi, dtype=np.int64)))
    table = table.append_column(ROW, pa.array(np.arange(first + 1, first + n + 1, dtype=np.int64)))
    return table.to_pandas(types_mapper=pd.ArrowDtype)


def _empty(schema: pa.Schema):  # type: ignore[no-untyped-def]
    import pandas as pd

    fields = [*schema, pa.field(FILE, pa.int64()), pa.field(ROW, pa.int64())]
    return pa.schema(fields).empty_table().to_pandas(types_mapper=pd.ArrowDtype)


def read_files(paths: list[Path], policy_dir: str, fmt: CsvFormat = DEFAULT) -> PaymentsFrame:
    """Payments files (CSV or Parquet, as `batch --payments` names them) as one Dask DataFrame: a partition per
    Parquet row group, per CSV file. Their columns are checked here, before any row is read; the files must share
    one schema (the same columns of the same types), as the partitions of one frame do."""
    import dask.dataframe as dd
    import pyarrow.parquet as pq

    from ..inputs.payments_table import check_payment_columns
    from ..inputs.tabular import open_table
    from . import _policy, _small_strings

    policy = _policy(policy_dir)
    pieces: list[tuple[int, str, int | None, int]] = []
    schema: pa.Schema | None = None
    known: int | None = 0
    for fi, path in enumerate(paths):
        total, names, _ = open_table(path, 1, policy, (), fmt, check_payment_columns)
        if total is not None:
            meta = pq.ParquetFile(path).metadata
            start = 0
            for g in range(meta.num_row_groups):
                pieces.append((fi, str(path), g, start))
                start += meta.row_group(g).num_rows
            file_schema = _small_strings(pq.ParquetFile(path).schema_arrow.empty_table()).schema
        else:
            pieces.append((fi, str(path), None, 0))
            file_schema = pa.schema([(n, pa.string()) for n in names])
        known = known + total if known is not None and total is not None else None
        if schema is None:
            schema = file_schema
        elif not file_schema.remove_metadata().equals(schema.remove_metadata()):
            raise OsmsError(
                translate(
                    "with --engine dask every payments file must have the same columns and types as {first}; "
                    "this one has {columns}",
                    first=paths[0].name,
                    columns=cut(", ".join(f"{f.name} {f.type}" for f in file_schema), 200),
                ),
                file=str(path),
            )
    assert schema is not None  # expand_inputs names at least one file
    if known == 0:  # Parquet files, all without rows
        raise OsmsError(translate("the payments table has no rows"), file=str(paths[0]))
    frame = dd.from_map(_read_piece, pieces, policy_dir=policy_dir, fmt=fmt, meta=_empty(schema))
    return PaymentsFrame(frame, [str(p) for p in paths], known, fmt)


def _numbered(pdf, offsets: list[int], partition_info=None):  # type: ignore[no-untyped-def]
    offset = offsets[partition_info["number"]]
    out = pdf.reset_index(drop=True)
    out[FILE] = np.zeros(len(out), dtype=np.int64)
    out[ROW] = np.arange(offset + 1, offset + len(out) + 1, dtype=np.int64)
    return out


def from_frame(payments: Any, policy_dir: str, name: str = "payments") -> PaymentsFrame:
    """A payments table given in memory (pandas, Arrow) or as a Dask DataFrame: one table named `name`, its rows
    numbered over the whole frame, as `payments_from_table` numbers them."""
    import dask.dataframe as dd
    import pandas as pd

    from ..inputs.payments_table import check_payment_columns
    from . import _lengths, _policy

    if isinstance(payments, pa.Table):
        payments = payments.to_pandas(types_mapper=pd.ArrowDtype)
    if isinstance(payments, pd.DataFrame):
        payments = dd.from_pandas(payments, npartitions=1, sort=False)
    if not isinstance(payments, dd.DataFrame):
        raise TypeError("payments must be a Dask or pandas DataFrame or a pyarrow Table")
    check_payment_columns(_policy(policy_dir), list(payments.columns), (), name)
    lengths = payments.map_partitions(_lengths, meta=pd.DataFrame({"rows": pd.Series(dtype="int64")})).compute()
    offsets = [0]
    for n in lengths["rows"].tolist():
        offsets.append(offsets[-1] + int(n))
    meta = payments._meta.reset_index(drop=True).assign(
        **{FILE: pd.Series(dtype="int64"), ROW: pd.Series(dtype="int64")}
    )
    return PaymentsFrame(payments.map_partitions(_numbered, offsets, meta=meta), [name], offsets[-1])


def _people_keys(pdf, partition_info=None):  # type: ignore[no-untyped-def]
    import pandas as pd

    ids = pa.array(pdf["id"])
    ids = ids.filter(pc.is_valid(ids))
    keys = pc.unique(_key(ids))
    return pd.DataFrame(
        {
            KEY: pd.Series(keys, dtype=pd.ArrowDtype(pa.string())),
            PART: np.full(len(keys), partition_info["number"], dtype=np.int64),
        }
    )


def _with_key(pdf):  # type: ignore[no-untyped-def]
    import pandas as pd

    out = pdf.copy()
    out[KEY] = pd.Series(_key(pdf["id"]), dtype=pd.ArrowDtype(pa.string()), index=pdf.index)
    return out


def _id_range(pdf):  # type: ignore[no-untyped-def]
    import pandas as pd

    ids = pa.array(pdf["id"])
    keys = _key(ids.filter(pc.is_valid(ids)))
    if not len(keys):
        return pd.DataFrame({"lo": [None], "hi": [None]}, dtype=object)
    low_high = pc.min_max(keys)
    return pd.DataFrame({"lo": [low_high["min"].as_py()], "hi": [low_high["max"].as_py()]}, dtype=object)


def id_ranges(people: Any) -> list[tuple[int, str]] | None:
    """(partition, its first id) of each partition holding ids, when each one's ids all come after the previous
    one's; None when they do not (ids unsorted, or one id in two partitions)."""
    import pandas as pd

    got = people.map_partitions(_id_range, meta=pd.DataFrame({"lo": [], "hi": []}, dtype=object)).compute()
    bounds = [(i, str(lo), str(hi)) for i, (lo, hi) in enumerate(zip(got["lo"], got["hi"])) if not pd.isna(lo)]
    if any(not before[2] < after[1] for before, after in itertools.pairwise(bounds)):
        return None
    return [(i, lo) for i, lo, _ in bounds]


class _Sorted:
    """A sorted Arrow string array as a sequence `bisect` can search."""

    def __init__(self, arr: pa.Array) -> None:
        self.arr = arr

    def __len__(self) -> int:
        return len(self.arr)

    def __getitem__(self, i: int) -> str:
        return str(self.arr[i].as_py())


def _buckets(pdf, starts: list[str], numbers: list[int], parts: int) -> list[pa.Table]:  # type: ignore[no-untyped-def]
    """One piece of the payments split by the people's id ranges, in Arrow: bucket i holds the payments for
    partition i (an id before every range goes to the first: that partition reports it as unmatched)."""
    import bisect

    from . import _small_strings

    table = pdf if isinstance(pdf, pa.Table) else pa.Table.from_pandas(pdf, preserve_index=False)
    table = _small_strings(table.replace_schema_metadata(None))
    keys = _key(table.column("id"))
    order = pc.sort_indices(keys)
    view = _Sorted(pc.take(keys, order))
    cuts = [0, *(bisect.bisect_left(view, start) for start in starts[1:]), len(keys)]
    out = [table.schema.empty_table()] * parts
    for k, number in enumerate(numbers):
        out[number] = table.take(order.slice(cuts[k], cuts[k + 1] - cuts[k]))
    return out


def _gather(tables: list[pa.Table]) -> pa.Table:
    return pa.concat_tables(tables, promote_options="default")  # a column all empty in one piece is of type null


def route(people: Any, payments: PaymentsFrame, ranges: list[tuple[int, str]] | None) -> tuple[list[Any], Any]:
    """(per people partition, a task giving its payments: those of partition i's people, by id; with no
    `ranges`, the join of payments and people ids, whose payments without a person are to be reported).

    By id range the payments never pass through pandas: each piece is split in Arrow, and partition i takes its
    bucket of every piece. Joined on the id, Dask's merge and shuffle move them."""
    import dask
    import pandas as pd

    parts = people.npartitions
    if ranges is not None:
        starts, numbers = [lo for _, lo in ranges] or [""], [i for i, _ in ranges] or [0]
        split = dask.delayed(_buckets, nout=parts)
        pieces = [split(piece, starts, numbers, parts) for piece in payments.frame.to_delayed()]
        return [dask.delayed(_gather)([piece[i] for piece in pieces]) for i in range(parts)], None
    divisions = [*range(parts), parts - 1]  # partition i gets the rows numbered i, the people's partition
    pay = payments.frame.map_partitions(
        _with_key, meta=payments.frame._meta.assign(**{KEY: pd.Series(dtype=pd.ArrowDtype(pa.string()))})
    )
    keys = people.map_partitions(
        _people_keys,
        meta=pd.DataFrame({KEY: pd.Series(dtype=pd.ArrowDtype(pa.string())), PART: pd.Series(dtype="int64")}),
    )
    joined = pay.merge(keys, on=KEY, how="left")
    found = joined[~joined[PART].isna()]
    found = found.assign(**{PART: found[PART].astype("int64")})
    return list(found.set_index(PART, divisions=divisions).to_delayed()), joined


def _table(pdf) -> pa.Table:  # type: ignore[no-untyped-def]
    from . import _small_strings

    table = _small_strings(pdf if isinstance(pdf, pa.Table) else pa.Table.from_pandas(pdf, preserve_index=False))
    table = table.drop_columns([c for c in (KEY, PART) if c in table.schema.names])
    return table.sort_by([(FILE, "ascending"), (ROW, "ascending")])  # the order the files hold them in


def records(policy: Any, pdf: Any, files: list[str], fmt: CsvFormat) -> Any:
    """A partition's payments, checked and indexed as `read_payments` would check and index a table of them."""
    from ..inputs.payments_table import payment_records

    table = _table(pdf)
    file_of = table.column(FILE).to_numpy()
    row = table.column(ROW).to_numpy()
    data = table.drop_columns([FILE, ROW])
    sources: list[tuple[str, list[pa.RecordBatch]]] = []
    numbers: list[np.ndarray] = []
    cuts = np.flatnonzero(np.diff(file_of)) + 1
    for lo, hi in zip(np.r_[0, cuts], np.r_[cuts, len(file_of)]):
        if hi > lo:
            sources.append((files[int(file_of[lo])], data.slice(int(lo), int(hi - lo)).to_batches()))
            numbers.append(row[lo:hi])
    if not sources:  # none of this partition's people has a payment
        sources.append((files[0], [pa.RecordBatch.from_pylist([], schema=data.schema)]))
        numbers.append(np.zeros(0, dtype=np.int64))
    return payment_records(policy, iter(sources), fmt, numbers)


def _unmatched(pdf, policy_dir: str, files: list[str], fmt: CsvFormat, lang: str):  # type: ignore[no-untyped-def]
    """A partition of the join: its payments whose id no person row has, checked (for the warnings they give) and
    reported as `PaymentRecords.unmatched` reports them; and how many payment rows it holds."""
    import pandas as pd

    from ..core.messages import using
    from . import _policy

    with using(lang):
        lost = pdf[pdf[PART].isna()]
        out: list[tuple[str, int, str]] = []
        warnings: list[str] = []
        if len(lost):
            recs = records(_policy(policy_dir), lost, files, fmt)
            out, warnings = recs.unmatched(), recs.warnings
        return pd.DataFrame(
            {
                "rows": [len(pdf)],
                "unmatched": [json.dumps(out, ensure_ascii=False)],
                "warnings": [json.dumps(warnings, ensure_ascii=False)],
            }
        )


def unmatched(joined: Any, policy_dir: str, files: list[str], fmt: CsvFormat, lang: str) -> Any:
    """Per partition of the join: its row count, the payments of ids no person has, warnings (JSON lists)."""
    import pandas as pd

    meta = pd.DataFrame(
        {"rows": pd.Series(dtype="int64"), "unmatched": pd.Series(dtype=object), "warnings": pd.Series(dtype=object)}
    )
    return joined.map_partitions(_unmatched, policy_dir, files, fmt, lang, meta=meta)
