"""`osms-eval diff`: what changes between two policy sets (directories or git revisions), and for whom."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import click

from ..core.messages import _
from .common import lang_option

EXIT_NO_CHANGE, EXIT_CHANGES = 0, 1


@click.command("diff")
@click.argument("base")
@click.argument("head")
@click.option(
    "--scenarios",
    "scenario_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder of scenarios whose results to compare (default: examples/ if present).",
)
@click.option("--format", "fmt", type=click.Choice(["table", "markdown", "json"]), default="table", show_default=True)
@click.option(
    "--repo",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    help="Git repository for revisions (default: the current directory).",
)
@click.option("--policies-path", default="policies", show_default=True, help="Policy folder inside the repository.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the report to a file.")
@lang_option
def command(
    base: str,
    head: str,
    scenario_dir: Path | None,
    fmt: str,
    repo: Path,
    policies_path: str,
    output: Path | None,
    lang: str,
) -> None:
    """Compare BASE and HEAD (policy directories or git revisions; add @YYYY-MM-DD for the law as known on a date).

    Exit code: 0 no change, 1 changes, 2 error."""
    from ..core.errors import Collector, OsmsError
    from ..core.fileio import refuse_clashes, write_text_atomic
    from ..inputs.scenario import load_scenario
    from ..outputs.diff import DiffReport, impact, semantic_diff, to_doc, to_markdown, to_text
    from ..outputs.records import to_json
    from ..policy.sources import open_source

    folders = [
        ("BASE", Path(base.split("@")[0])),
        ("HEAD", Path(head.split("@")[0])),
        ("--scenarios", scenario_dir or Path("examples")),
    ]
    refuse_clashes([(label, p) for label, p in folders if p.exists()], [("-o", output)])
    with tempfile.TemporaryDirectory(prefix="osms-diff-") as tmp:
        a = open_source(base, repo, policies_path, Path(tmp))
        b = open_source(head, repo, policies_path, Path(tmp))
        folder = scenario_dir if scenario_dir is not None else (Path("examples") if Path("examples").is_dir() else None)
        scenarios = []
        if folder is not None:
            if not folder.is_dir():
                raise OsmsError(_("no such folder"), file=str(folder))
            errors = Collector()
            for path in sorted(folder.glob("*.yaml")):
                try:
                    scenarios.append(load_scenario(path, b.policy))
                except OsmsError as exc:
                    errors.extend([exc])
            errors.raise_if_any()
        report = DiffReport(a.label, b.label, a.policy.stamp, b.policy.stamp, semantic_diff(a.policy, b.policy, lang))
        if scenarios:
            report.impacts, report.errors = impact(a.policy, b.policy, scenarios)
    text = {"table": to_text, "markdown": to_markdown}.get(fmt, lambda r: to_json(to_doc(r)))(report)
    if output is not None:
        write_text_atomic(output, text)
    else:
        click.echo(text, nl=False)
    if report.errors:
        sys.exit(2)
    sys.exit(EXIT_CHANGES if report.changed else EXIT_NO_CHANGE)
