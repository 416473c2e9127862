"""`osms-eval explain`: how each output was reached, with the legal citation of every value used."""

from __future__ import annotations

from pathlib import Path

import click

from .common import lang_option, load, period, policies_option, require_known


@click.command("explain")
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--month", help="Month, YYYY-MM.")
@click.option("--on", "on", help="Status on this day, YYYY-MM-DD (and that month's amounts). Default: today.")
@click.option("--output", "outputs", multiple=True, help="Explain only this output (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--detail", is_flag=True, help="The full tree: every value, formula and source, as engineers read it.")
@policies_option
@lang_option
def command(
    scenario: Path,
    month: str | None,
    on: str | None,
    outputs: tuple[str, ...],
    fmt: str,
    detail: bool,
    policies_dir: Path | None,
    lang: str,
) -> None:
    """Say how SCENARIO's outputs for the month follow from the law: the reasoning in sentences, each value with its
    article (--detail: the full tree)."""
    from ..inputs.scenario import load_scenario
    from ..outputs.explain import explain, render
    from ..outputs.explain_text import render_text
    from ..outputs.records import envelope, to_json
    from ..outputs.table import terminal_width
    from ..runs.scenarios import evaluate

    policy = load(policies_dir)
    (m,), day = period(month, None, None, on, policy.covers)
    require_known("output", outputs, list(policy.rules), "--output")
    sc = load_scenario(scenario, policy)
    ev = evaluate(policy, [sc], [m], lang)
    tree = explain(ev, 0, m, list(outputs) or None, lang, day)
    if fmt == "json":
        click.echo(to_json(envelope(policy, [tree])), nl=False)
    elif detail:
        click.echo(render(tree, policy, lang), nl=False)
    else:
        click.echo(render_text(tree, policy, lang, terminal_width()), nl=False)
