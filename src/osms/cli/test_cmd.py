"""`osms-eval test`: run regression cases; report each failure with expected, actual and the explanation.

`--format junit|json|github` gives the report CI tools read; `-k` picks cases by id or note; `-o` writes the report
to a file atomically.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from ..core.messages import _
from .common import lang_option, load, policies_option

FORMATS = ("text", "junit", "json", "github")


@click.command("test")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--coverage", "show_coverage", is_flag=True, help="Report what of the law no case exercises.")
@click.option("--min-coverage", type=float, default=None, help="Fail when law coverage is below this percent.")
@click.option(
    "--coverage-json",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the coverage report as JSON (atomically).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="Report format: text, JUnit XML, JSON, or GitHub Actions workflow commands.",
)
@click.option(
    "-k",
    "keyword",
    default=None,
    metavar="TEXT",
    help="Run only the cases whose id or note contains TEXT (case-insensitive).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to this file (atomically) instead of standard output.",
)
@policies_option
@lang_option
def command(
    paths: tuple[Path, ...],
    show_coverage: bool,
    min_coverage: float | None,
    coverage_json: Path | None,
    fmt: str,
    keyword: str | None,
    output: Path | None,
    policies_dir: Path | None,
    lang: str,
) -> None:
    """Run the regression cases in PATHS (files or folders; default tests/cases).

    Exit code: 0 all pass, 1 a case fails or coverage is below --min-coverage, 2 a case file or option is wrong."""
    import json

    from ..core.errors import OsmsError
    from ..core.fileio import refuse_clashes, write_text_atomic
    from ..policy import bundled_policies
    from ..testing.regression import law_coverage, load_cases, run_cases
    from ..testing.reports import RESULT_FORMATS, Run, coverage_lines, problems, problems_report

    started = time.perf_counter()
    targets = list(paths) or [Path("tests/cases")]
    refuse_clashes(
        [*(("case path", t) for t in targets), ("--policies", policies_dir or bundled_policies())],
        [("--coverage-json", coverage_json), ("-o", output)],
    )
    for t in targets:
        if not t.exists():
            raise OsmsError(_("no such file or folder"), file=str(t))

    def emit(text: str) -> None:
        if output is not None:
            write_text_atomic(output, text)
        else:
            click.echo(text, nl=False)

    try:
        policy = load(policies_dir)
        cases = load_cases(targets, policy, Path.cwd())
    except OsmsError as exc:
        if fmt == "text":
            raise
        emit(problems_report(fmt, problems(exc), "test"))
        raise
    selected = [c for c in cases if keyword is None or c.matches(keyword)]
    if keyword is not None and not selected:
        raise OsmsError(
            _(
                "-k {keyword} matches none of the {count} cases (it looks in each case's id and note)",
                keyword=repr(keyword),
                count=len(cases),
            )
        )
    outcomes, seen = run_cases(policy, selected, lang)
    run = Run(outcomes, len(cases) - len(selected), policy.stamp, time.perf_counter() - started)
    report = law_coverage(policy, seen)
    if show_coverage or min_coverage is not None:
        run.coverage = report
        if keyword is not None:
            click.echo(_("note: -k runs part of the corpus; the law coverage is that part's"), err=True)
    if min_coverage is not None and report["percent"] < min_coverage:
        run.coverage_error = _(
            "law coverage {percent} % is below the required {required} %",
            percent=report["percent"],
            required=min_coverage,
        )
    if coverage_json is not None:
        write_text_atomic(coverage_json, json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    emit(RESULT_FORMATS[fmt](run))
    if fmt != "text":  # the human summary goes beside the machine report, never into it
        for line in coverage_lines(run):
            click.echo(line, err=True)
    if output is not None or fmt != "text":
        click.echo(run.summary(), err=output is None)
    if run.failed:
        sys.exit(1)
    if run.coverage_error:
        click.echo(run.coverage_error, err=True)
        sys.exit(1)
