"""`osms-eval sources [KEY]`: the bibliography, and where in the policies each source is used."""

from __future__ import annotations

from pathlib import Path

import click

from .common import lang_option, load, policies_option, require_known

WORDS = {
    "publisher": {"ru": "издатель", "kk": "басып шығарушы", "en": "publisher"},
    "kind": {"ru": "вид", "kk": "түрі", "en": "kind"},
    "number": {"ru": "номер", "kk": "нөмірі", "en": "number"},
    "published": {"ru": "дата", "kk": "күні", "en": "date"},
    "in_force": {"ru": "в силе с", "kk": "күшіне енді", "en": "in force from"},
    "address": {"ru": "адрес", "kk": "мекенжайы", "en": "address"},
    "language": {"ru": "язык", "kk": "тілі", "en": "language"},
    "checked": {"ru": "проверено", "kk": "тексерілді", "en": "checked"},
    "amended": {"ru": "изменения", "kk": "өзгерістер", "en": "amended"},
    "via": {"ru": "прочитано через", "kk": "арқылы оқылды", "en": "read through"},
    "read_for": {"ru": "через него прочитаны", "kk": "ол арқылы оқылғандар", "en": "the project read through it"},
    "unknown": {"ru": "неизвестно", "kk": "белгісіз", "en": "unknown"},
    "untitled": {"ru": "название дано проектом", "kk": "атауын жоба берген", "en": "title supplied by the project"},
    "used": {"ru": "используется", "kk": "қолданылады", "en": "used in"},
    "unused": {"ru": "нигде не используется", "kk": "еш жерде қолданылмайды", "en": "not used by any reference"},
    "stale": {"ru": "ИЗМЕНЁН ПОСЛЕ ПРОВЕРКИ", "kk": "ТЕКСЕРІЛГЕННЕН КЕЙІН ӨЗГЕРТІЛДІ",
              "en": "AMENDED AFTER IT WAS CHECKED"},
    "note": {"ru": "примечание", "kk": "ескертпе", "en": "note"},
}


@click.command("sources")
@click.argument("key", required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@policies_option
@lang_option
def command(key: str | None, fmt: str, policies_dir: Path | None, lang: str) -> None:
    """List the bibliography (or the source KEY): title, publisher, date, address, and each file:line using it."""
    from ..bibliography import source_docs
    from ..report import to_json

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
    lines.append(f"  · {w['publisher']}: {d['publisher']}; {w['kind']}: {d['kind']}"
                 + (f"; {w['number']}: {d['number']}" if d["number"] else ""))
    lines.append(f"  · {w['published']}: " + (d["published"] or f"{w['unknown']} ({d['published_unknown']})")
                 + (f"; {w['in_force']}: {d['in_force']}" if d["in_force"] else ""))
    lines.append(f"  · {w['address']}: " + (d["address"] or f"{w['unknown']} ({d['address_unknown']})"))
    lines.append(f"  · {w['language']}: {', '.join(d['language'])}; {w['checked']}: {d['checked']}"
                 + (f"; {w['amended']}: {', '.join(d['amended'])}" if d["amended"] else ""))
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
