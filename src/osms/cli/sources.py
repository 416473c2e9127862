"""`osms-eval sources [KEY]`: the bibliography, and where in the policies each source is used."""

from __future__ import annotations

from pathlib import Path

import click

from ..core.messages import Msg
from .common import lang_option, load, policies_option, require_known

WORDS = {
    "publisher": Msg("publisher"),
    "kind": Msg("kind"),
    "number": Msg("number"),
    "published": Msg("date"),
    "in_force": Msg("in force from"),
    "address": Msg("address"),
    "language": Msg("language"),
    "checked": Msg("checked"),
    "amended": Msg("amended"),
    "via": Msg("read through"),
    "read_for": Msg("the project read through it"),
    "unknown": Msg("unknown"),
    "untitled": Msg("title supplied by the project"),
    "used": Msg("used in"),
    "unused": Msg("not used by any reference"),
    "stale": Msg("AMENDED AFTER IT WAS CHECKED"),
    "note": Msg("note"),
}


@click.command("sources")
@click.argument("key", required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@policies_option
@lang_option
def command(key: str | None, fmt: str, policies_dir: Path | None, lang: str) -> None:
    """List the bibliography (or the source KEY): title, publisher, date, address, and each file:line using it."""
    from ..outputs.records import to_json
    from ..policy.bibliography import source_docs

    policy = load(policies_dir)
    if key is not None:
        require_known("source", [key], sorted(policy.sources), "KEY")
    keys = [key] if key else sorted(policy.sources)
    docs = source_docs(policy, keys, lang)
    if fmt == "json":
        click.echo(to_json({"policy": policy.stamp, "sources": docs}), nl=False)
        return
    for d in docs:
        click.echo(_text(d, lang))


def _text(d: dict, lang: str) -> str:
    w = {k: v[lang] for k, v in WORDS.items()}
    lines = [f"{d['key']}: {d['title_shown']}" + (f"  [{w['stale']}]" if d["stale"] else "")]
    if d["title_shown"] != d["title"]:
        lines.append(f"  {d['title']}")
    if d["untitled"]:
        lines.append(f"  · {w['untitled']}: {d['untitled']}")
    lines.append(
        f"  · {w['publisher']}: {d['publisher']}; {w['kind']}: {d['kind']}"
        + (f"; {w['number']}: {d['number']}" if d["number"] else "")
    )
    lines.append(
        f"  · {w['published']}: "
        + (d["published"] or f"{w['unknown']} ({d['published_unknown']})")
        + (f"; {w['in_force']}: {d['in_force']}" if d["in_force"] else "")
    )
    lines.append(f"  · {w['address']}: " + (d["address"] or f"{w['unknown']} ({d['address_unknown']})"))
    lines.append(
        f"  · {w['language']}: {', '.join(d['language'])}; {w['checked']}: {d['checked']}"
        + (f"; {w['amended']}: {', '.join(d['amended'])}" if d["amended"] else "")
    )
    if d["via"]:
        lines.append(f"  · {w['via']}: {', '.join(d['via'])}")
    if d["read_for"]:
        lines.append(f"  · {w['read_for']}: {', '.join(d['read_for'])}")
    if d["note"]:
        lines.append(f"  · {w['note']}: {d['note']}")
    if d["used"]:
        lines.append(f"  · {w['used']} ({len(d['used'])}):")
        lines.extend(f"      {u['file']}:{u['line']}  {u['field']}" for u in d["used"])
    else:
        lines.append(f"  · {w['unused']}")
    return "\n".join(lines) + "\n"
