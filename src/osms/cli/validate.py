"""`osms-eval validate`: schema, meaning and timeline checks of a policy directory, all errors at once."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("validate")
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--strict", is_flag=True, help="Treat warnings (incomplete citations, stale sources) as errors.")
@click.option("--show-warnings", is_flag=True, help="List every warning, not just their count.")
def command(directory: Path | None, strict: bool, show_warnings: bool) -> None:
    """Check a policy DIRECTORY (default: the bundled policies); exit 2 on any error."""
    from ..checks import coverage_errors
    from ..errors import OsmsErrors
    from .common import load

    policy = load(directory)
    errors = coverage_errors(policy)
    if strict:
        errors += policy.warnings
    if errors:
        raise OsmsErrors(errors)
    values = sum(len(p.timeline.entries) for p in policy.parameters.values())
    assumed = sum(1 for p in policy.parameters.values() for e in p.timeline.entries
                  if e.prov.confidence != "C")
    click.echo(f"{policy.root}: OK — policy {policy.id} {policy.version}, {policy.fingerprint}")
    click.echo(f"  {len(policy.parameters)} parameters ({values} dated values, {assumed} documented "
               f"assumptions), {len(policy.rules)} rules, {len(policy.categories)} categories, "
               f"{len(policy.services)} services, {len(policy.facts)} facts, {len(policy.sources)} sources")
    if policy.warnings:
        click.echo(f"  {len(policy.warnings)} warnings: citations without an act number, article or adoption date "
                   f"(nor the reason it is unknown), or sources amended after they were last checked"
                   + ("" if show_warnings else " (--show-warnings lists them)"))
        if show_warnings:
            for w in policy.warnings:
                click.echo(f"  warning: {w}")
