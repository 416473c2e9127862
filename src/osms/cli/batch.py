"""`osms-eval batch`: evaluate a population from CSV or Parquet, streamed in chunks, written atomically."""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import click

from ..core.csv_safety import neutralise
from ..core.messages import translate
from .batch_output import ErrorRows, ResultWriter
from .batch_report import Progress, batch_texts, report
from .common import lang_option, load, months, policies_option, require_known


@click.command("batch")
@click.argument("input_args", metavar="INPUT...", nargs=-1, required=True)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(path_type=Path),
    help="Result file, .csv or .parquet (written atomically); any other name is a Parquet dataset folder "
    "partitioned by month (OUTPUT/month=YYYY-MM/part-….parquet), built aside and renamed into place.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Set aside (rename, never delete) an OUTPUT folder that is not a dataset osms-eval wrote.",
)
@click.option(
    "--engine",
    type=click.Choice(["local", "dask"]),
    default="local",
    show_default=True,
    help="local: this machine, chunks streamed; dask: partitions on a Dask cluster (osms-eval[dask]).",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    help="With --engine dask: the cluster's scheduler (tcp://host:8786); default a local cluster.",
)
@click.option("--month", help="One month, YYYY-MM.")
@click.option("--from", "first", help="First month of a range.")
@click.option("--to", "last", help="Last month of a range.")
@click.option("--outputs", help="Comma-separated outputs (default: all).")
@click.option(
    "--errors",
    "errors_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write rows that cannot be evaluated (default: OUTPUT with .errors.csv).",
)
@click.option(
    "--summary", "summary_path", type=click.Path(dir_okay=False, path_type=Path), help="Also write the summary as JSON."
)
@click.option("--chunk-size", default=200_000, show_default=True, type=click.IntRange(1_000, 5_000_000))
@click.option("--no-status", is_flag=True, help="Skip insured status (contributions only).")
@click.option(
    "--payments",
    "payments_args",
    metavar="PAYMENTS",
    multiple=True,
    help="Payment records (CSV or Parquet, one row per payment: id, paid_on, amount, kind, for_month, "
    "job), joined on id: status from the payments, credited as the Fund credits them, instead of "
    "the paid_through/paid_run columns. May be given more than once, or as a quoted glob.",
)
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: on a terminal, not in CI).")
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Chunks evaluated at once (default: the number of cores, at most 4); with --engine dask, the "
    "local cluster's worker processes.",
)
@click.option(
    "--keep",
    "keep_text",
    metavar="COL[,COL]",
    help="Input columns the policies do not read, carried to the output unchanged.",
)
@click.option(
    "--no-csv-escape",
    is_flag=True,
    help="Write text cells starting with = + - @ as they are (by default they get a leading ').",
)
@click.option(
    "--delimiter",
    default=",",
    show_default=True,
    help="CSV cell separator: ',', ';' (Excel in a Russian or Kazakh locale), '|' or tab.",
)
@click.option("--decimal", default=".", show_default=True, help="CSV decimal mark: '.' or ',' (300000,50).")
@click.option(
    "--thousands",
    default=None,
    help="CSV thousands separator, accepted only when given: ' ' (no-break spaces too), ',' or '.'; "
    "groups must be of three digits (1 234 567,50).",
)
@click.option(
    "--encoding",
    default="utf-8",
    show_default=True,
    help="CSV encoding: utf-8 (a BOM is allowed; utf-8-sig is the same) or cp1251 (Excel, Russian locale).",
)
@lang_option
@policies_option
def command(
    input_args: tuple[str, ...],
    output: Path,
    force: bool,
    engine: str,
    scheduler: str | None,
    month: str | None,
    first: str | None,
    last: str | None,
    outputs: str | None,
    errors_path: Path | None,
    summary_path: Path | None,
    chunk_size: int,
    no_status: bool,
    payments_args: tuple[str, ...],
    progress: bool | None,
    workers: int | None,
    keep_text: str | None,
    no_csv_escape: bool,
    delimiter: str,
    decimal: str,
    thousands: str | None,
    encoding: str,
    lang: str,
    policies_dir: Path | None,
) -> None:
    """Evaluate every person in INPUT (CSV, .csv.gz or Parquet, one row per person) for the months asked.

    INPUT may be several files, a quoted glob ('data/*.csv') or a folder of Parquet files: together they are one
    population (the same columns, ids unique across all), and the errors file gets a `file` column. Each chunk is
    read once and evaluated for every month. OUTPUT ending in .csv or .parquet is one file with a `month` column;
    any other OUTPUT is a Parquet dataset folder partitioned by month. Each result row has `payer` and
    `categories` (a list in Parquet, names joined by ',' in CSV); a Parquet result carries the policy id, version,
    fingerprint, engine version and as-of date in its metadata (osms.policy_id, …)."""
    import csv
    from functools import partial

    import pyarrow as pa

    from .. import __version__
    from ..core.csvformat import csv_format, read_numbers
    from ..core.dataset import building, check_target
    from ..core.dates import format_month
    from ..core.errors import OsmsError
    from ..core.fileio import atomic_group, refuse_clashes
    from ..core.interrupt import check as check_stop
    from ..core.interrupt import stoppable
    from ..core.limits import cut
    from ..core.pool import in_order
    from ..inputs.columns import check_status_columns, number_columns
    from ..inputs.id_keys import SeenIds
    from ..inputs.payments_spill import spilled_payments
    from ..inputs.tabular import expand_inputs, open_table, same_columns
    from ..policy import bundled_policies
    from ..runs.population import evaluate_months, month_groups
    from ..runs.population_output import exact_summary, merge_summaries, summary_doc

    out_suffix = output.suffix.lower()
    dataset = out_suffix not in (".csv", ".parquet", ".pq")
    errors_label = "--errors" if errors_path is not None else translate("the errors file")
    errors_path = errors_path or (
        output.with_name(output.name + ".errors.csv") if dataset else output.with_name(output.stem + ".errors.csv")
    )
    text = batch_texts(lang)
    fmt = csv_format(delimiter, decimal, encoding, thousands)
    input_paths = expand_inputs(input_args)
    input_path = input_paths[0]
    if engine == "dask" and len(input_args) == 1 and Path(input_args[0]).is_dir():
        input_path = Path(input_args[0])  # a Parquet dataset folder, read by Dask as one
    payment_paths = expand_inputs(payments_args) if payments_args else []
    refuse_clashes(
        [
            *(("input", p) for p in input_paths),
            *(("--payments", p) for p in payment_paths),
            ("--policies", policies_dir or bundled_policies()),
        ],
        [("-o", output), (errors_label, errors_path), ("--summary", summary_path)],
    )
    if scheduler and engine != "dask":
        raise OsmsError(translate("--scheduler is for --engine dask"), field="--scheduler")
    if dataset:
        check_target(output, force)
    elif output.is_dir():
        raise OsmsError(
            translate(
                "-o is a folder: give a file name ending in .csv or .parquet, or a name without "
                "those endings for a dataset"
            ),
            file=str(output),
        )
    keep = tuple(k.strip() for k in keep_text.split(",") if k.strip()) if keep_text else ()
    policy = load(policies_dir)
    ms = months(month, first, last, policy.covers)
    wanted = [o.strip() for o in outputs.split(",")] if outputs else None
    require_known("output", wanted or [], list(policy.rules), "--outputs")
    if payment_paths and no_status:
        raise OsmsError(
            translate("--payments gives insured status: remove --no-status or --payments"), field="--payments"
        )
    if engine == "dask":
        if len(input_paths) > 1:
            raise OsmsError(
                translate("--engine dask reads one Parquet file or dataset folder"), file=str(input_paths[1])
            )
        if not dataset:
            raise OsmsError(
                translate("--engine dask writes a Parquet dataset folder: give -o a name without .csv or .parquet"),
                file=str(output),
            )
        from ..dask.batch import run_batch

        started = time.perf_counter()
        summary, error_count, offset = run_batch(
            input_path,
            output,
            ms,
            policies_dir or bundled_policies(),
            wanted,
            not no_status,
            keep,
            errors_path,
            summary_path,
            force,
            scheduler,
            workers,
            no_csv_escape,
            tuple(text["header"][1:]),
            payment_paths,
            fmt,
        )
        report(summary, error_count, offset, len(ms), time.perf_counter() - started, errors_path, text)
        nothing_evaluated(summary, errors_path, input_path)
        return
    several = len(input_paths) > 1
    opened = [open_table(p, chunk_size, policy, keep, fmt) for p in input_paths]  # every header before any row
    for p, (_, names, _) in zip(input_paths[1:], opened[1:]):
        same_columns(input_path, opened[0][1], p, names)
    check_status_columns(opened[0][1], bool(payment_paths), str(input_path), not no_status)
    numbers = number_columns(policy, opened[0][1])
    total = None if any(t is None for t, _, _ in opened) else sum(t for t, _, _ in opened)  # type: ignore[misc]
    starts: list[int] = []  # the first row (numbered over all inputs, from 0) of each input

    def batches_of_all() -> Any:
        for _, _, part in opened:
            starts.append(offset)
            yield from part

    def where(row: int) -> tuple[str, int]:
        """A row numbered over all inputs → (file, row in that file)."""
        import bisect

        i = bisect.bisect_right(starts, row - 1) - 1
        return str(input_paths[i]), row - starts[i]

    batches = batches_of_all()
    escape = out_suffix == ".csv" and not no_csv_escape
    show = progress if progress is not None else (sys.stderr.isatty() and not os.environ.get("CI"))
    bar = Progress(total * len(ms) if total else None, show)

    summary = {}
    by_month: dict[int, dict[str, Any]] = {m: {} for m in ms}
    offset = 0
    started = time.perf_counter()
    workers = workers or min(os.cpu_count() or 1, 4)
    seen = SeenIds((lambda r: "{} row {}".format(*where(r))) if several else "row {}".format)
    cell = str if no_csv_escape else neutralise  # the errors file is CSV whatever the output's format
    meta = {
        "osms.policy_id": policy.id,
        "osms.policy_version": policy.version,
        "osms.policy_fingerprint": policy.fingerprint,
        "osms.engine_version": __version__,
        "osms.as_of": policy.as_of,
        "osms.months": ",".join(format_month(m) for m in ms),
    }

    def finish(result: ResultWriter, errors: ErrorRows, rb: Any, m: int, first_row: int, evaluated: Any) -> None:
        table, bad, part = evaluated
        check_stop()
        errors.add(rb.column(rb.schema.get_field_index("id")), first_row, m, bad.rows)
        merge_summaries(by_month[m], exact_summary(part))
        result.add(table, m)
        bar.advance(rb.num_rows)

    # Chunks are evaluated on a small thread pool (numpy and Arrow release the GIL), in order, with at most
    # `workers + 1` chunks in flight; error rows are written as each chunk completes, so memory stays bounded
    # however large the input. The output, errors file and summary appear together, or none of them.
    try:
        with contextlib.ExitStack() as stack:
            # A kill must not leave a half-written file behind: SIGTERM and Ctrl-C stop the run between chunks
            # (core/interrupt.py), and what was written goes as the contexts below unwind.
            stack.enter_context(stoppable())
            files = stack.enter_context(atomic_group())
            build = stack.enter_context(building(output, force)) if dataset else None
            result = ResultWriter(
                None if dataset else files.open(output, "wb"),
                build,
                out_suffix == ".csv",
                ("id", *keep) if escape else None,
                meta,
            )
            stack.callback(result.abandon)  # on success closed first, below: then nothing is left to abandon
            errors_csv = csv.writer(files.open(errors_path, "w", newline=""))  # RFC 4180 quoting
            errors_csv.writerow(text["header"][0 if several else 1 :])
            errors = ErrorRows(errors_csv, where, several, cell)
            # Payments: the people's ids indexed, the payments spilled by chunk beside the output, read back per chunk.
            ledger = (
                stack.enter_context(spilled_payments(policy, payment_paths, input_paths, output, chunk_size, keep, fmt))
                if payment_paths
                else None
            )
            for warning in ledger.warnings if ledger else []:
                click.echo(f"warning: {warning}", err=True)

            def evaluated(rb: Any, group: list[int], first_row: int, dup: Any, records: Any) -> Any:
                """One chunk for a group of months, on a worker; with what the writer needs to place each."""
                return [
                    (rb, m, first_row, result)
                    for m, result in evaluate_months(
                        policy, rb, group, wanted, first_row, not no_status, keep, dup, records, spare
                    )
                ]

            # Threads each task may give its slices of persons (the payments path): the cores the pool leaves idle
            # when the run has fewer tasks (chunks × groups of months) than workers; CSV's row count is not known.
            tasks = -(-total // chunk_size) * len(month_groups(ms, True)) if total is not None else workers
            spare = max(1, workers // max(tasks, 1)) if payment_paths else 1

            def chunks() -> Any:
                """Each chunk and month to evaluate, read and checked on this thread, in order (in_order runs
                them on the pool in the command's context, so reasons come in the user's language)."""
                nonlocal offset
                for rb in batches:
                    check_stop()
                    records = ledger.records_for(offset, rb.num_rows) if ledger else None
                    rb, flagged = read_numbers(rb, numbers, fmt, offset)
                    dup = {**flagged, **seen.duplicates(rb.column(rb.schema.get_field_index("id")), offset)}
                    for group in month_groups(ms, records is not None and not no_status):
                        yield partial(evaluated, rb, group, offset, dup, records)
                    offset += rb.num_rows

            for done in in_order(chunks(), workers):
                for rb, m, first_row, evaluation in done:
                    finish(result, errors, rb, m, first_row, evaluation)
            errors.flush()
            for name, row, pid in ledger.unmatched() if ledger else []:  # payments nobody's row reads
                errors.unrowed(
                    pid,
                    translate(
                        "{file} row {row}: payments for an id the people table does not have", file=name, row=row
                    ),
                )
            if result.empty:
                raise OsmsError(translate("the input has no rows"), file=str(input_path))
            result.close()
            for part in by_month.values():
                merge_summaries(summary, part)
            summary["error_rows"] = errors.count
            summary["input_rows"] = offset
            doc = summary_doc(policy.stamp, ms, summary, by_month)
            if summary_path:
                files.open(summary_path).write(
                    json.dumps(
                        doc, ensure_ascii=False, indent=2, sort_keys=True, default=str
                    )  # money: exact decimal strings
                    + "\n"
                )
            check_stop()  # a stop asked for at the very end still leaves nothing
            if build is not None:
                build.commit(doc)
    except KeyboardInterrupt:
        bar.close()
        click.echo(translate("interrupted: no output written"), err=True)
        sys.exit(130)
    except pa.ArrowInvalid as exc:
        raise OsmsError(
            translate("cannot read the input: {reason}", reason=cut(str(exc), 200)), file=str(input_path)
        ) from None
    bar.close()
    report(summary, errors.count, offset, len(ms), time.perf_counter() - started, errors_path, text)
    nothing_evaluated(summary, errors_path, input_path)


def nothing_evaluated(summary: dict[str, Any], errors_path: Path, input_path: Path) -> None:
    """A run in which every row is an error row (a date format, a separator, a column of the wrong kind) is a
    failure, not a result of zeros: exit 2, naming the first reason; the errors file is kept, to read the rest."""
    import csv

    from ..core.errors import OsmsError

    if not summary.get("input_rows") or summary.get("rows"):
        return
    limit = csv.field_size_limit(sys.maxsize)  # an id cell may be long (the reason itself is short)
    try:
        with errors_path.open(encoding="utf-8", newline="") as fh:
            first = next(itertools.islice(csv.reader(fh), 1, 2), None)
    finally:
        csv.field_size_limit(limit)
    reason = first[-1] if first else "?"
    raise OsmsError(
        translate(
            "no row could be evaluated: every row is an error row (the first: {reason}); all of them are in {path}",
            reason=reason if len(reason) <= 160 else reason[:159] + "…",
            path=errors_path,
        ),
        file=str(input_path),
    )
