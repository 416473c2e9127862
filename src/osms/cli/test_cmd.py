"""`osms-eval test`: run regression cases; print each failure with expected, actual and the explanation."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .common import lang_option, load, policies_option


@click.command("test")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--coverage", "show_coverage", is_flag=True, help="Report what of the law no case exercises.")
@click.option("--min-coverage", type=float, default=None, help="Fail when law coverage is below this percent.")
@click.option("--coverage-json", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the coverage report as JSON (atomically).")
@policies_option
@lang_option
def command(paths: tuple[Path, ...], show_coverage: bool, min_coverage: float | None, coverage_json: Path | None,
            policies_dir: Path | None, lang: str) -> None:
    """Run the regression cases in PATHS (files or folders; default tests/cases)."""
    from ..errors import OsmsError
    from ..fileio import refuse_clashes, write_text_atomic
    from ..policy import bundled_policies
    from ..regression import law_coverage, load_cases, run_cases

    targets = list(paths) or [Path("tests/cases")]
    refuse_clashes([*(("case path", t) for t in targets), ("--policies", policies_dir or bundled_policies())],
                   [("--coverage-json", coverage_json)])
    policy = load(policies_dir)
    for t in targets:
        if not t.exists():
            raise OsmsError("no such file or folder", file=str(t))
    cases = load_cases(targets, policy, Path.cwd())
    outcomes, seen = run_cases(policy, cases, lang)
    failed = [o for o in outcomes if not o.passed]
    for o in failed:
        click.echo(f"FAIL {o.case.name} — {o.case.note}")
        for f in o.failures:
            click.echo(f"  {f}")
        if o.explanation:
            click.echo("  explanation of the actual values:")
            for line in o.explanation.splitlines():
                click.echo(f"    {line}")
        click.echo("")
    report = law_coverage(policy, seen)
    if show_coverage or min_coverage is not None:
        click.echo(f"law coverage: {report['covered']}/{report['total']} ({report['percent']} %)")
        for group, g in report["groups"].items():
            click.echo(f"  {group}: {g['total'] - len(g['missing'])}/{g['total']}")
            for m in g["missing"]:
                click.echo(f"    not exercised: {m}")
    if coverage_json is not None:
        write_text_atomic(coverage_json, json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    click.echo(f"{len(outcomes) - len(failed)} passed, {len(failed)} failed")
    if failed:
        sys.exit(1)
    if min_coverage is not None and report["percent"] < min_coverage:
        click.echo(f"law coverage {report['percent']} % is below the required {min_coverage} %", err=True)
        sys.exit(1)
