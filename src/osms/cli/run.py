"""`osms-eval run`: evaluate scenarios month by month (all scenarios of a month as one batch)."""

from __future__ import annotations

from pathlib import Path

import click

from ..core.messages import _
from .common import lang_option, load, period, policies_option


@click.command("run")
@click.argument("scenarios", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--month", help="One month, YYYY-MM.")
@click.option("--from", "first", help="First month of a range, YYYY-MM.")
@click.option("--to", "last", help="Last month of a range, YYYY-MM.")
@click.option("--on", "on", help="Status on this day, YYYY-MM-DD (and that month's amounts). Default: today.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file (atomically) instead of standard output.",
)
@click.option("--all", "show_all", is_flag=True, help="Show every row, also those that are zero in every month shown.")
@policies_option
@lang_option
def command(
    scenarios: tuple[Path, ...],
    month: str | None,
    first: str | None,
    last: str | None,
    on: str | None,
    fmt: str,
    output: Path | None,
    show_all: bool,
    policies_dir: Path | None,
    lang: str,
) -> None:
    """Evaluate SCENARIO files: who pays how much, for each month asked."""
    from ..core.errors import Collector, OsmsError
    from ..core.fileio import refuse_clashes, write_text_atomic
    from ..inputs.scenario import load_scenario
    from ..outputs.records import envelope, records, to_json
    from ..outputs.table import table
    from ..policy import bundled_policies
    from ..runs.scenarios import evaluate

    refuse_clashes(
        [*(("scenario", p) for p in scenarios), ("--policies", policies_dir or bundled_policies())], [("-o", output)]
    )
    policy = load(policies_dir)
    ms, day = period(month, first, last, on, policy.covers)
    errors = Collector()
    loaded = []
    for path in scenarios:
        try:
            loaded.append(load_scenario(path, policy))
        except OsmsError as exc:
            errors.extend([exc])
    errors.raise_if_any()
    for sc in loaded:
        for warning in sc.warnings:
            click.echo(_("warning: {message}", message=warning), err=True)
    ev = evaluate(policy, loaded, ms, lang)
    recs = records(ev, ms, day)
    text = to_json(envelope(policy, recs)) if fmt == "json" else table(policy, recs, lang, show_all=show_all)
    if output is not None:
        write_text_atomic(output, text)
    else:
        click.echo(text, nl=False)
