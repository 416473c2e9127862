"""`osms-eval batch --engine dask`: read the people (and payments), evaluate on a cluster, write the dataset, the
errors file and the summary as the single-machine path writes them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..core.messages import translate
from . import cluster, evaluate, read


def run_batch(
    input_path: Path,
    output: Path,
    ms: list[int],
    policy_dir: Path,
    wanted: list[str] | None,
    status: bool,
    keep: tuple[str, ...],
    errors_path: Path,
    summary_path: Path | None,
    force: bool,
    scheduler: str | None,
    workers: int | None,
    no_csv_escape: bool,
    header: tuple[str, ...] = ("row", "id", "reason"),
    payment_paths: list[Path] | None = None,
    fmt: Any = None,
) -> tuple[dict[str, Any], int, int]:
    """`osms-eval batch --engine dask`: read, evaluate on the cluster, write the dataset, errors and summary
    (`header`: the errors file's column names, in the user's language; `payment_paths`: the --payments files,
    their CSV numbers written as `fmt` says)."""
    import csv
    import json

    import click

    from ..core.csv_safety import neutralise
    from ..core.csvformat import DEFAULT
    from ..core.fileio import atomic_group
    from ..inputs.columns import check_status_columns
    from ..runs.population_output import tenge_summary

    ddf = read(input_path)  # one partition per row group: the input's row groups set the parallelism
    check_status_columns(list(ddf.columns), bool(payment_paths), str(input_path), status)
    pays = None
    if payment_paths:
        from .payments import read_files

        pays = read_files(payment_paths, str(policy_dir), fmt or DEFAULT)
    client, local = cluster(scheduler, workers)
    try:
        cell = str if no_csv_escape else neutralise
        with atomic_group() as files:
            errors_csv = csv.writer(files.open(errors_path, "w", newline=""))
            errors_csv.writerow(list(header))
            run = evaluate(
                ddf, ms, policy_dir, wanted, status=status, keep=keep, output=output, force=force, payments=pays
            )
            for warning in run.warnings:
                click.echo(f"warning: {warning}", err=True)
            for row, pid, why in run.errors:
                errors_csv.writerow([row, cell(pid), cell(why)])
            for name, first, pid in run.unmatched:  # payments nobody's row reads
                why = translate(
                    "{file} row {row}: payments for an id the people table does not have", file=name, row=first
                )
                errors_csv.writerow(["", cell(pid), cell(why)])
            if summary_path:
                files.open(summary_path).write(
                    json.dumps(run.stamp, ensure_ascii=False, indent=2, sort_keys=True, default=str) + "\n"
                )
    finally:
        client.close()
        if local is not None:
            local.close()
    return tenge_summary(run.summary), len(run.errors) + len(run.unmatched), run.input_rows
