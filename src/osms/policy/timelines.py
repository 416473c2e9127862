"""Dated maps → timelines: each entry's start, value and provenance (the act, article, confidence)."""

from __future__ import annotations

from collections.abc import Callable

from ..core.dates import DateFormatError, parse_date
from ..core.errors import OsmsError
from ..core.messages import _
from .bibliography import Use
from .builder import Builder
from .loading import LineDict, field_name, line_of
from .model import Dated, P, Provenance, Reference, Timeline


def provenance(b: Builder, doc: LineDict, entry: LineDict, path: list[str | int], file: str) -> Provenance:
    ref = entry["reference"]
    for i, key in enumerate(ref["sources"]):
        where = [*path, "reference", "sources", i]
        b.source_uses.setdefault(key, []).append(Use(file, line_of(doc, where), field_name(where)))
    unknown = tuple((k, ref[f"{k}_unknown"]) for k in ("number", "article", "adopted") if f"{k}_unknown" in ref)
    return Provenance(
        reference=Reference(
            act=ref["act"],
            sources=tuple(ref["sources"]),
            number=ref.get("number"),
            article=ref.get("article"),
            adopted=ref.get("adopted"),
            url=ref.get("url"),
            in_force=ref.get("in_force"),
            unknown=unknown,
        ),
        confidence=entry["confidence"],
        file=file,
        line=line_of(doc, path),
        field=field_name(path),
        assumption=entry.get("assumption"),
        note=entry.get("note"),
    )


def timeline(
    b: Builder,
    kind: str,
    name: str,
    doc: LineDict,
    section: str,
    key: str,
    file: str,
    payload: Callable[[LineDict, list[str | int]], P | None],
) -> Timeline[P] | None:
    """A timeline from a section's dated map; `payload` builds an entry's content (None where it has errors,
    which are collected and raised before the model is used)."""
    entries: list[Dated[P]] = []
    versions = doc[section][name][key]
    ok = True
    for date_text, entry in versions.items():
        path: list[str | int] = [section, name, key, date_text]
        try:
            start = parse_date(date_text)
        except DateFormatError as exc:
            b.errors.add(str(exc), file=file, line=line_of(doc, path), field=field_name(path))
            ok = False
            continue
        ref = entry.get("reference", {})
        if b.known_on is not None and "adopted" in ref:
            try:
                if parse_date(ref["adopted"]) > b.known_on:
                    continue  # not yet adopted on the as-known-on date
            except DateFormatError:
                pass
        missing = [k for k in ("number", "article", "adopted") if k not in ref and f"{k}_unknown" not in ref]
        if missing:
            b.warnings.append(
                OsmsError(
                    _(
                        "reference lacks {fields} (give it, or say why it is not known in {missing}_unknown)",
                        fields=", ".join(missing),
                        missing=missing[0],
                    ),
                    file=file,
                    line=line_of(doc, [*path, "reference"]),
                    field=field_name([*path, "reference"]),
                )
            )
        for k in ("number", "article", "adopted"):
            if k in ref and f"{k}_unknown" in ref:
                b.errors.add(
                    _("give either {k} or {k}_unknown, not both", k=k),
                    file=file,
                    line=line_of(doc, [*path, "reference", f"{k}_unknown"]),
                    field=field_name([*path, "reference", f"{k}_unknown"]),
                )
        no_value = entry.get("no_value")
        value = None if no_value is not None else payload(entry, path)
        entries.append(Dated(start, value, no_value, provenance(b, doc, entry, path, file)))
    if not ok:
        return None
    entries.sort(key=lambda e: e.start)
    return Timeline(kind, name, entries, file, line_of(doc, [section, name]))
