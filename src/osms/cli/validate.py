"""`osms-eval validate`: schema, meaning and timeline checks of a policy directory, all errors at once."""

from __future__ import annotations

from pathlib import Path

import click

from .common import policies_option


@click.command("validate")
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--strict", is_flag=True, help="Treat warnings (incomplete citations) as errors.")
@click.option("--show-warnings", is_flag=True, help="List every warning, not just their count.")
@policies_option
def command(directory: Path | None, strict: bool, show_warnings: bool, policies_dir: Path | None) -> None:
    """Check a policy DIRECTORY or --policies DIR (default: the bundled policies); exit 2 on any error."""
    import os

    from ..checks import coverage_errors
    from ..errors import OsmsError, OsmsErrors
    from .common import load

    if directory is not None and policies_dir is not None and \
            os.path.realpath(directory) != os.path.realpath(policies_dir):
        raise OsmsError(f"two policy folders given ({directory} and --policies {policies_dir}): give one")
    policy = load(policies_dir if policies_dir is not None else directory)
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
               f"{len(policy.services)} services, {len(policy.facts)} facts")
    if policy.warnings:
        click.echo(f"  {len(policy.warnings)} warnings: citations without an act number, article or adoption "
                   f"date" + ("" if show_warnings else " (--show-warnings lists them)"))
        if show_warnings:
            for w in policy.warnings:
                click.echo(f"  warning: {w}")
