"""The same engine over a Dask DataFrame: each partition goes, as Arrow, through `evaluate_arrow` (osms-eval[dask]).

    import dask.dataframe as dd, osms.dask
    run = osms.dask.evaluate(dd.read_parquet("people/", dtype_backend="pyarrow"), ["2026-01", "2026-02"])
    run.table, run.errors, run.summary                 # or output="result/" to write a dataset instead
    osms.dask.evaluate(people, "2026-01", payments=dd.read_parquet("payments/"))   # status from payment records

Results do not depend on how the input is partitioned: rows are numbered over the whole input (partition lengths
are counted first), ids repeated anywhere in it are flagged as in a single-machine run, error rows are sorted by
row number, and money totals are merged as exact Decimals. Policies travel as a folder path and are loaded once
per worker process. Written datasets hold one file per partition and month; every worker must see OUTPUT's folder.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import sys
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa

from ..core.dates import format_month
from ..core.errors import OsmsError
from ..core.messages import current, translate

_POLICIES: dict[str, Any] = {}  # policy folder → PolicySet, per worker process


def _policy(path: str):  # type: ignore[no-untyped-def]
    if path not in _POLICIES:
        from ..policy import load_policies

        _POLICIES[path] = load_policies(Path(path))
    return _POLICIES[path]


@dataclass
class DaskRun:
    """A run's results: the result table (when no output folder was given), error rows, totals, the stamp."""

    months: list[int]
    errors: list[tuple[int, str, str]]
    summary: dict[str, Any]
    by_month: dict[int, dict[str, Any]]
    stamp: dict[str, Any]
    input_rows: int
    table: pa.Table | None = None
    peak_rss: dict[str, int] = field(default_factory=dict)  # worker → peak resident memory, bytes
    unmatched: list[tuple[str, int, str]] = field(default_factory=list)  # payments no row has: (file, row, id)
    warnings: list[str] = field(default_factory=list)  # about the payments (old kind names)
    route: str | None = None  # how the payments reached the people: "id ranges" or "join" (dask_payments)


def _encode(value: Any) -> Any:
    if isinstance(value, Decimal):
        return {"tiyn": int(value.scaleb(2))}
    raise TypeError(type(value).__name__)


def _decode(obj: dict[str, Any]) -> Any:
    return Decimal(obj["tiyn"]).scaleb(-2) if set(obj) == {"tiyn"} else obj


def _lengths(pdf):  # type: ignore[no-untyped-def]
    import pandas as pd

    return pd.DataFrame({"rows": [len(pdf)]})


def _repeated(pdf, ids: list[str], offsets: list[int], partition_info=None):  # type: ignore[no-untyped-def]
    """Rows of this partition whose id occurs more than once in the whole input, numbered over the input."""
    import pandas as pd

    offset = offsets[partition_info["number"]]
    col = pdf["id"]
    hit = col.isin(ids).fillna(False).to_numpy(dtype=bool)
    rows = [offset + int(i) + 1 for i in hit.nonzero()[0]]
    return pd.DataFrame({"id": pd.Series(col[hit].astype(object).tolist(), dtype=object), "row": rows})


def _partition(  # type: ignore[no-untyped-def]
    pdf,
    pays,
    policy_dir: str,
    months: list[int],
    outputs: list[str] | None,
    status: bool,
    keep: list[str],
    offsets: list[int],
    flagged: dict[int, dict[int, str]],
    out_dir: str | None,
    lang: str = "en",
    files: list[str] | None = None,
    fmt: Any = None,
    partition_info=None,
):
    """One partition, every month: evaluate, write (or return) its results; return its errors and totals.
    `pays`: the payments of this partition's people (their `files`), or None for status from the summary columns."""
    from ..core.messages import using

    with using(lang):  # a worker writes its rows' reasons in the language of the run
        import pandas as pd

        from ..core.dataset import write_part
        from ..runs.population import evaluate_months, month_groups
        from ..runs.population_output import exact_summary

        number = partition_info["number"]
        offset = offsets[number]
        from ..core.csvformat import csv_format, read_numbers
        from ..inputs.columns import number_columns

        table = _small_strings(pa.Table.from_pandas(pdf, preserve_index=False))
        policy = _policy(policy_dir)
        # Text number cells are checked exactly as the single-machine path checks them (the default format).
        batch, read_flags = read_numbers(
            table.combine_chunks().to_batches()[0]
            if table.num_rows
            else pa.RecordBatch.from_pylist([], schema=table.schema),
            number_columns(policy, table.schema.names),
            csv_format(),
            offset,
        )
        table = pa.Table.from_batches([batch])
        flags = {**read_flags, **flagged.get(number, {})}
        records = None
        if pays is not None:
            from .payments import records as payment_records

            assert files is not None
            records = payment_records(policy, pays, files, fmt)
        ids = table.column("id")
        errors: list[tuple[int, str, str]] = []
        unmatched: list[tuple[str, int, str]] = []
        sums: dict[str, Any] = {}
        tables = []
        done = (
            one
            for group in month_groups(months, records is not None and status)
            for one in evaluate_months(policy, table, group, outputs, offset, status, keep, flags, records)
        )
        for m, (result, bad, part) in done:
            for row, why in bad.rows.items():
                pid = ids[row - offset - 1].as_py()
                errors.append((row, "" if pid is None else pid, f"{format_month(m)}: {why}"))
            sums[format_month(m)] = exact_summary(part)
            if out_dir is None:
                tables.append(result)
            else:
                write_part(
                    Path(out_dir) / f"month={format_month(m)}" / f"part-{number:05d}.parquet",
                    result.drop_columns(["month"]),
                )
        if records is not None:  # ids in this partition's range that none of its rows has (routed by id range)
            unmatched = records.unmatched()
        blob = b""
        if tables:
            sink = pa.BufferOutputStream()
            joined = pa.concat_tables(tables)
            with pa.ipc.new_stream(sink, joined.schema) as w:
                w.write_table(joined)
            blob = sink.getvalue().to_pybytes()
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * (1 if sys.platform == "darwin" else 1024)
        return pd.DataFrame(
            {
                "number": [number],
                "errors": [json.dumps(errors, ensure_ascii=False)],
                "summary": [json.dumps(sums, default=_encode)],
                "table": [blob],
                "worker": [f"{os.uname().nodename}:{os.getpid()}"],
                "rss": [rss],
                "warnings": [json.dumps(records.warnings if records is not None else [], ensure_ascii=False)],
                "unmatched": [json.dumps(unmatched, ensure_ascii=False)],
                "payments": [records.size if records is not None else 0],
            }
        )


def _small_strings(table: pa.Table) -> pa.Table:
    """Dask's text columns arrive as large_string; the results keep the types a single-machine run writes."""
    schema = pa.schema([f.with_type(pa.string()) if pa.types.is_large_string(f.type) else f for f in table.schema])
    return table.cast(schema)


def _meta():  # type: ignore[no-untyped-def]
    import pandas as pd

    return pd.DataFrame(
        {
            "number": pd.Series(dtype="int64"),
            "errors": pd.Series(dtype=object),
            "summary": pd.Series(dtype=object),
            "table": pd.Series(dtype=object),
            "worker": pd.Series(dtype=object),
            "rss": pd.Series(dtype="int64"),
            "warnings": pd.Series(dtype=object),
            "unmatched": pd.Series(dtype=object),
            "payments": pd.Series(dtype="int64"),
        }
    )


def _months(months: Any) -> list[int]:
    from ..core.dates import parse_month

    items = [months] if isinstance(months, (str, int)) else list(months)
    return [parse_month(m) if isinstance(m, str) else int(m) for m in items]


def evaluate(
    ddf: Any,
    months: Any,
    policies: str | Path | None = None,
    outputs: list[str] | None = None,
    *,
    status: bool = True,
    keep: tuple[str, ...] | list[str] = (),
    output: str | Path | None = None,
    force: bool = False,
    retries: int = 2,
    payments: Any = None,
) -> DaskRun:
    """Evaluate every row of a Dask DataFrame for the month(s) given (YYYY-MM text or month indices).

    Runs on the current Dask scheduler (a `distributed.Client` if one is active). With `output`, results are
    written as a month-partitioned Parquet dataset folder (whole or not at all) and `table` is None; without it,
    they are returned as one Arrow table in input order, month by month within each partition. `payments` (a Dask
    or pandas DataFrame or Arrow table with the columns of `batch --payments`, or `dask_payments.read_files`):
    status from the payment records, each partition with its people's payments; `unmatched` lists the payments
    whose id no row has (error rows, as the single-machine path reports them)."""
    import dask
    import pandas as pd

    from ..core.dataset import building
    from ..inputs.columns import check_columns, check_status_columns
    from ..policy import bundled_policies
    from ..runs.population_output import merge_summaries, summary_doc

    ms = _months(months)
    policy_dir = str(Path(policies).resolve() if policies is not None else bundled_policies())
    policy = _policy(policy_dir)
    keep = list(keep)
    check_columns(policy, list(ddf.columns), keep)
    pays = None
    if payments is not None:
        from .payments import PaymentsFrame, from_frame

        if not status:
            raise OsmsError(translate("--payments gives insured status: remove --no-status or --payments"))
        pays = payments if isinstance(payments, PaymentsFrame) else from_frame(payments, policy_dir)
        if pays.rows == 0:
            raise OsmsError(translate("the payments table has no rows"), file=pays.files[0])
    check_status_columns(list(ddf.columns), pays is not None, status=status)
    wanted = list(outputs) if outputs else None
    if wanted:
        from ..cli.common import require_known

        require_known("output", wanted, list(policy.rules), "outputs")
    lengths = ddf.map_partitions(_lengths, meta=pd.DataFrame({"rows": pd.Series(dtype="int64")})).compute()
    offsets = [0]
    for n in lengths["rows"].tolist():
        offsets.append(offsets[-1] + int(n))
    # Counted in parts split by id, each filtered to the repeated ids before anything comes back: one part holding
    # every id made one worker of a 20 M-person run peak at 5.1 GiB.
    counts = ddf["id"].dropna().value_counts(split_out=max(1, ddf.npartitions // 8))
    repeated = sorted(str(i) for i in counts[counts > 1].compute().index)
    flagged: dict[int, dict[int, str]] = {}
    if repeated:
        hits = ddf.map_partitions(
            _repeated,
            repeated,
            offsets,
            meta=pd.DataFrame({"id": pd.Series(dtype=object), "row": pd.Series(dtype="int64")}),
        ).compute()
        for _, group in hits.groupby("id"):
            rows = sorted(group["row"].tolist())
            for row in rows[1:]:
                part = next(i for i in range(len(offsets) - 1) if offsets[i] < row <= offsets[i + 1])
                flagged.setdefault(part, {})[row] = f"id: the same id as row {rows[0]}"
    with building(Path(output), force) if output is not None else contextlib.nullcontext() as build:
        out_dir = str(build.tmp) if build is not None else None
        args = (policy_dir, ms, wanted, status, keep, offsets, flagged, out_dir, current())
        lost: list[Any] = []
        if pays is None:
            tasks = [ddf.map_partitions(_partition, None, *args, meta=_meta())]
        else:  # one task per partition, each with its people's payments
            from .payments import id_ranges, route, unmatched

            routed, joined = route(ddf, pays, id_ranges(ddf))
            if joined is not None:  # one delayed task per partition of the join, as the partitions' are
                lost = list(unmatched(joined, policy_dir, pays.files, pays.fmt, current()).to_delayed())
            run_part = dask.delayed(_partition)
            tasks = [
                run_part(people, payments, *args, pays.files, pays.fmt, partition_info={"number": i})
                for i, (people, payments) in enumerate(zip(ddf.to_delayed(), routed))
            ]
        try:
            with dask.config.set({"dataframe.convert-string": False}):
                got = _compute(tasks + lost, retries)
            done = pd.concat(got[: len(tasks)])
            lost_rows = pd.concat(got[len(tasks) :]) if lost else None
        except OsmsError:
            raise
        except Exception as exc:  # a partition that failed after its retries: nothing is kept
            from ..core.limits import cut

            raise OsmsError(
                translate(
                    "a partition failed ({error}); nothing was written",
                    error=f"{type(exc).__name__}: {cut(str(exc), 160)}",
                )
            ) from None
        done = done.sort_values("number")
        errors: list[tuple[int, str, str]] = []
        by_month: dict[int, dict[str, Any]] = {m: {} for m in ms}
        peak: dict[str, int] = {}
        notes: set[str] = set()
        lost_ids: list[tuple[str, int, str]] = []
        for _, r in pd.concat([done, lost_rows]).iterrows() if lost_rows is not None else done.iterrows():
            lost_ids.extend((str(a), int(b), str(c)) for a, b, c in json.loads(r["unmatched"]))
            notes.update(json.loads(r["warnings"]))
        lost_ids.sort(key=lambda x: x[2])  # by id, as the single-machine path lists them
        seen = int(done["payments"].sum()) + (int(lost_rows["rows"].sum()) if lost_rows is not None else 0)
        if pays is not None and pays.rows is None and not seen:
            raise OsmsError(translate("the payments table has no rows"), file=pays.files[0])
        for _, r in done.iterrows():
            errors.extend((int(a), str(b), str(c)) for a, b, c in json.loads(r["errors"]))
            sums = json.loads(r["summary"], object_hook=_decode)
            for m in ms:
                merge_summaries(by_month[m], sums[format_month(m)])
            peak[r["worker"]] = max(peak.get(r["worker"], 0), int(r["rss"]))
        errors.sort()
        summary: dict[str, Any] = {}
        for m in ms:
            merge_summaries(summary, by_month[m])
        summary["error_rows"] = len(errors) + len(lost_ids)
        summary["input_rows"] = offsets[-1]
        doc = summary_doc(policy.stamp, ms, summary, by_month)
        table = None
        if build is not None:
            if offsets[-1] == 0:
                raise OsmsError(translate("the input has no rows"))
            build.commit(doc)
        else:
            tables = [pa.ipc.open_stream(b).read_all() for b in done["table"] if b]
            table = pa.concat_tables(tables) if tables else None
    how = None if pays is None else ("join" if lost else "id ranges")
    return DaskRun(ms, errors, summary, by_month, doc, offsets[-1], table, peak, lost_ids, sorted(notes), how)


def _compute(collections: list[Any], retries: int) -> list[Any]:
    import dask

    try:
        from distributed import get_client

        client = get_client()
    except (ImportError, ValueError):
        return list(dask.compute(*collections))
    return client.gather(client.compute(collections, retries=retries))


def cluster(scheduler: str | None, workers: int | None):  # type: ignore[no-untyped-def]
    """A client: of the user's cluster at `scheduler`, or of a local one (worker processes, one thread each,
    on 127.0.0.1, no dashboard)."""
    import logging

    from distributed import Client, LocalCluster

    if scheduler:
        return Client(scheduler), None
    # The scheduler runs in this process: its notes on each shuffle (payments joined to people) are not the user's.
    logging.getLogger("distributed.shuffle._scheduler_plugin").setLevel(logging.ERROR)
    local = LocalCluster(
        n_workers=workers or min(os.cpu_count() or 1, 4),
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    )
    return Client(local), local


def read(path: Path):  # type: ignore[no-untyped-def]
    """A Parquet file or dataset folder as a Dask DataFrame with Arrow types (an integer column with gaps stays
    integer, as it is read by the single-machine path), one partition per row group."""
    import dask.dataframe as dd

    if path.is_file() and path.suffix.lower() not in (".parquet", ".pq"):
        raise OsmsError(
            translate(
                "--engine dask reads Parquet (a file or a dataset folder); convert the CSV first, "
                "e.g. with pyarrow, or use the local engine"
            ),
            file=str(path),
        )
    return dd.read_parquet(str(path), dtype_backend="pyarrow", split_row_groups=True)
