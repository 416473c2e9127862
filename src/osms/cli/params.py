"""`osms-eval params`: parameters with their dated values, labels and legal citations."""

from __future__ import annotations

from pathlib import Path

import click

from .common import date_arg, lang_option, load, policies_option, require_known


@click.command("params")
@click.argument("name", required=False)
@click.option("--at", "at", help="Show only the value in force on this date, YYYY-MM-DD.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@policies_option
@lang_option
def command(name: str | None, at: str | None, fmt: str, policies_dir: Path | None, lang: str) -> None:
    """Show parameter NAME (or all) with its history and citations."""
    from ..bibliography import cited, gaps
    from ..explain import WORDS
    from ..policy import UndefinedAt
    from ..report import fmt_amount, to_json

    policy = load(policies_dir)
    if name is not None:
        require_known("parameter", [name], list(policy.parameters), "NAME")
    day = date_arg(at, "--at") if at else None
    names = [name] if name else list(policy.parameters)
    docs = []
    for n in names:
        p = policy.parameters[n]
        entries = p.timeline.entries
        if day is not None:
            try:
                entries = [p.timeline.at(day)]
            except UndefinedAt as exc:
                if name:
                    raise
                docs.append({"name": n, "label": p.label[lang], "unit": p.unit, "error": exc.message})
                continue
        docs.append({"name": n, "label": p.label[lang], "unit": p.unit, "file": p.timeline.file, "values": [
            {"from": e.start.isoformat(), "value": e.payload, "no_value": e.no_value,
             "citation": e.prov.reference.cite() + gaps(e.prov.reference.unknown, lang),
             "unknown": dict(e.prov.reference.unknown), "url": e.prov.reference.url,
             "sources": cited(policy.sources, e.prov.reference.sources, lang), "confidence": e.prov.confidence,
             "assumption": e.prov.assumption[lang] if e.prov.assumption else None, "note": e.prov.note}
            for e in entries]})
    if fmt == "json":
        click.echo(to_json({"policy": policy.stamp, "at": at, "parameters": docs}), nl=False)
        return
    for d in docs:
        click.echo(f"{d['name']} — {d['label']} [{d['unit']}]")
        if "error" in d:
            click.echo(f"  {d['error']}")
            continue
        for v in d["values"]:
            shown = fmt_amount(v["value"]) if v["no_value"] is None else f"(none: {v['no_value']})"
            click.echo(f"  from {v['from']}: {shown}   [{v['confidence']}] {v['citation']}")
            for src in v["sources"]:
                click.echo(f"      – {src['text']}")
            if v["assumption"]:
                click.echo(f"      {WORDS['assumption'][lang]}: {v['assumption']}")
        click.echo("")
