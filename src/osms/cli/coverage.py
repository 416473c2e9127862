"""`osms-eval coverage`: is a service covered for a person on a date, under which package, and why."""

from __future__ import annotations

from pathlib import Path

import click

from ..core.messages import Msg
from .common import date_arg, lang_option, load, policies_option, require_covered, require_known


@click.command("coverage")
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--service", "services", multiple=True, help="Service id (repeatable); all services if omitted.")
@click.option("--on", "on", help="Date, YYYY-MM-DD (default: the policy set's as-of date).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@policies_option
@lang_option
def command(
    scenario: Path, services: tuple[str, ...], on: str | None, fmt: str, policies_dir: Path | None, lang: str
) -> None:
    """Say whether SCENARIO's person is covered for each service on a date, and why."""
    from ..core.dates import month_of
    from ..inputs.scenario import load_scenario
    from ..outputs.records import PAYMENTS_ASSUMED, envelope, to_json
    from ..outputs.services import coverage
    from ..runs.scenarios import evaluate

    policy = load(policies_dir)
    day = date_arg(on or policy.as_of, "--on")
    m = month_of(day)
    require_covered(m, policy.covers, str(day), "--on")
    require_known("service", services, list(policy.services), "--service")
    sc = load_scenario(scenario, policy)
    ev = evaluate(policy, [sc], [m], lang)
    ids = list(services) or [s for s in policy.services if policy.services[s].timeline.exists_at(day)]
    answers = [coverage(ev, 0, sid, day, lang) for sid in ids]
    if fmt == "json":
        doc = envelope(policy, answers)
        doc["scenario"] = sc.id
        click.echo(to_json(doc), nl=False)
        return
    yes = Msg("YES")[lang]
    no = Msg("NO")[lang]
    first = answers[0]
    state = {True: Msg("insured"), False: Msg("not insured")}[first["insured"]][lang]
    click.echo(f"{sc.id} · {day} · {state}: {first['insured_reason_text']}")
    if first["payments_assumed"]:  # an answer resting on payments nobody listed says so
        click.echo("  " + PAYMENTS_ASSUMED[lang])
    for a in answers:
        click.echo(f"  {(yes if a['covered'] else no):4} {a['service']:32} [{a['package']}] {a['label']}")
        click.echo(f"       {a['explanation']} — {a['citation']}")
