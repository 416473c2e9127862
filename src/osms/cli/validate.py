"""`osms-eval validate`: schema, meaning and timeline checks of a policy directory, all errors at once."""

from __future__ import annotations

from pathlib import Path

import click

from ..core.messages import _
from .common import lang_option, policies_option


@click.command("validate")
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--strict", is_flag=True, help="Treat warnings (incomplete citations, stale sources) as errors.")
@click.option("--show-warnings", is_flag=True, help="List every warning, not just their count.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "github"]),
    default="text",
    show_default=True,
    help="json: a list of problems; github: GitHub Actions annotations on each file and line.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the json or github report to this file (atomically).",
)
@policies_option
@lang_option
def command(
    directory: Path | None,
    strict: bool,
    show_warnings: bool,
    fmt: str,
    output: Path | None,
    policies_dir: Path | None,
    lang: str,
) -> None:
    """Check a policy DIRECTORY or --policies DIR (default: the bundled policies); exit 2 on any error."""
    import os

    from ..core.errors import OsmsError, OsmsErrors
    from ..policy.completeness import coverage_errors
    from .common import load

    if (
        directory is not None
        and policies_dir is not None
        and os.path.realpath(directory) != os.path.realpath(policies_dir)
    ):
        raise OsmsError(
            _(
                "two policy folders given ({directory} and --policies {policies_dir}): give one",
                directory=directory,
                policies_dir=policies_dir,
            )
        )
    directory = policies_dir if policies_dir is not None else directory
    if fmt != "text" or output is not None:
        _report(directory, strict, show_warnings, fmt, output)
        return
    policy = load(directory)
    errors = coverage_errors(policy)
    if strict:
        errors += policy.warnings
    if errors:
        raise OsmsErrors(errors)
    values = sum(len(p.timeline.entries) for p in policy.parameters.values())
    assumed = sum(1 for p in policy.parameters.values() for e in p.timeline.entries if e.prov.confidence != "C")
    click.echo(
        _(
            "{root}: OK — policy {id} {version}, {fingerprint}",
            root=policy.root,
            id=policy.id,
            version=policy.version,
            fingerprint=policy.fingerprint,
        )
    )
    click.echo(
        "  "
        + _(
            "{parameters} parameters ({values} dated values, {assumed} documented assumptions), {rules} "
            "rules, {categories} categories, {services} services, {facts} facts, {sources} sources",
            parameters=len(policy.parameters),
            values=values,
            assumed=assumed,
            rules=len(policy.rules),
            categories=len(policy.categories),
            services=len(policy.services),
            facts=len(policy.facts),
            sources=len(policy.sources),
        )
    )
    if policy.warnings:
        click.echo(
            "  "
            + _(
                "{count} warnings: citations without an act number, article or adoption date (nor the "
                "reason it is unknown), or sources amended after they were last checked",
                count=len(policy.warnings),
            )
            + ("" if show_warnings else _(" (--show-warnings lists them)"))
        )
        if show_warnings:
            for w in policy.warnings:
                click.echo("  " + _("warning: {message}", message=w))


def _report(directory: Path | None, strict: bool, show_warnings: bool, fmt: str, output: Path | None) -> None:
    """The machine-readable report: every problem with its file and line; exit 2 if there is an error."""
    import sys

    from ..core.errors import OsmsError
    from ..core.fileio import write_text_atomic
    from ..policy.completeness import coverage_errors
    from ..testing.reports import problems, problems_report
    from .common import load

    if fmt == "text":
        raise OsmsError(_("-o needs --format json or github"), field="-o")
    if output is not None and directory is not None and output.resolve().is_relative_to(directory.resolve()):
        raise OsmsError(_("-o would write inside the policy directory being checked"), file=str(output))
    from ..policy import bundled_policies

    warnings = []
    try:
        policy = load(directory)
        errors = coverage_errors(policy)
        warnings = list(policy.warnings)
    except OsmsError as exc:
        errors = problems(exc)
    root = directory if directory is not None else bundled_policies()
    errors, warnings = _from_cwd(errors, root), _from_cwd(warnings, root)
    if strict:
        errors, warnings = errors + warnings, []
    text = problems_report(fmt, errors, "validate", warnings if (show_warnings or fmt == "json") else [])
    if output is not None:
        write_text_atomic(output, text)
    else:
        click.echo(text, nl=False)
    if errors:
        click.echo(_("{count} error(s)", count=len(errors)), err=True)
        sys.exit(2)


def _from_cwd(errors, root: Path):  # type: ignore[no-untyped-def]
    """Errors name files from the policy folder's parent; annotations need them from the working directory."""
    from ..core.errors import OsmsError

    out = []
    here = Path.cwd().resolve()
    for e in errors:
        loc = e.location
        path = root.parent / loc.file if loc.file and not Path(loc.file).is_absolute() else None
        if path is not None and path.exists():
            full = path.resolve()
            shown = full.relative_to(here).as_posix() if full.is_relative_to(here) else str(full)
            e = OsmsError(e.message, file=shown, line=loc.line, field=loc.field)
        out.append(e)
    return out
