"""`osms-eval params`: parameters with their dated values, labels and legal citations."""

from __future__ import annotations

from pathlib import Path

import click

from ..core.messages import _
from .common import date_arg, lang_option, load, policies_option, require_known


@click.command("params")
@click.argument("name", required=False)
@click.option("--at", "at", help="Show only the value in force on this date, YYYY-MM-DD.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@policies_option
@lang_option
def command(name: str | None, at: str | None, fmt: str, policies_dir: Path | None, lang: str) -> None:
    """Show parameter NAME (or all) with its history and citations."""
    from ..outputs.explain import WORDS
    from ..outputs.parameter_report import parameter_docs
    from ..outputs.records import fmt_amount, to_json

    policy = load(policies_dir)
    if name is not None:
        require_known("parameter", [name], list(policy.parameters), "NAME")
    day = date_arg(at, "--at") if at else None
    docs = parameter_docs(policy, [name] if name else list(policy.parameters), day, lang, bool(name))
    if fmt == "json":
        click.echo(to_json({"policy": policy.stamp, "at": at, "parameters": docs}), nl=False)
        return
    for d in docs:
        click.echo(f"{d['name']} — {d['label']} [{d['unit']}]")
        if "error" in d:
            click.echo(f"  {d['error']}")
            continue
        for v in d["values"]:
            value = v["value"]
            if v["no_value"] is not None:
                shown = _("(none: {why})", why=v["no_value"])
            elif isinstance(value, dict):  # keyed by a choice fact (region): each figure, then the fallback
                shown = "; ".join(
                    [f"{k} {fmt_amount(x)}" for k, x in value["by"].items()]
                    + [_("fallback {amount}", amount=fmt_amount(value["fallback"]))]
                )
            else:
                shown = fmt_amount(value)
            click.echo("  " + _("from {day}", day=v["from"]) + f": {shown}   [{v['confidence']}] {v['citation']}")
            for src in v["sources"]:
                click.echo(f"      – {src['text']}")
            if v["assumption"]:
                click.echo(f"      {WORDS['assumption'][lang]}: {v['assumption']}")
        click.echo("")
