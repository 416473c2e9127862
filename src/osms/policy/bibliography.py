"""The bibliography (policies/sources.yaml): every document a reference names, where it is used, and how to show it.

A reference's `sources` are keys of this bibliography; a key that names no entry is an error at load, with the
nearest key as a hint. An entry whose document was amended after the entry was last checked is a warning
(`validate --strict` fails on it): the document has to be read again.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from ..core.errors import OsmsError
from ..core.messages import Msg, _

WORDS = {
    "address_unknown": Msg("address unknown"),
    "date_unknown": Msg("date unknown"),
    "sources": Msg("sources"),
    "number": Msg("act number not established"),
    "adopted": Msg("adoption date not established"),
}


@dataclass(frozen=True)
class Use:
    """One place a source key is named: a reference in a policy file."""

    file: str
    line: int | None
    field: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass
class SourceEntry:
    key: str
    title: str
    publisher: str
    kind: str
    language: tuple[str, ...]
    checked: str
    file: str
    line: int | None
    translated: dict[str, str] = field(default_factory=dict)
    untitled: str | None = None
    number: str | None = None
    published: str | None = None
    published_unknown: str | None = None
    in_force: str | None = None
    address: str | None = None
    address_unknown: str | None = None
    amended: tuple[str, ...] = ()
    via: tuple[str, ...] = ()
    note: str | None = None

    @classmethod
    def from_doc(cls, key: str, spec: dict[str, Any], file: str, line: int | None) -> SourceEntry:
        return cls(
            key=key,
            title=spec["title"],
            publisher=spec["publisher"],
            kind=spec["kind"],
            language=tuple(spec["language"]),
            checked=spec["checked"],
            file=file,
            line=line,
            translated=dict(spec.get("translated", {})),
            untitled=spec.get("untitled"),
            number=spec.get("number"),
            published=spec.get("published"),
            published_unknown=spec.get("published_unknown"),
            in_force=spec.get("in_force"),
            address=spec.get("address"),
            address_unknown=spec.get("address_unknown"),
            amended=tuple(spec.get("amended", ())),
            via=tuple(spec.get("via", ())),
            note=spec.get("note"),
        )

    @property
    def last_amended(self) -> str | None:
        return max(self.amended) if self.amended else None

    def title_in(self, lang: str) -> str:
        """The title in `lang` when the entry gives one (for acts published in several languages), else the
        original title."""
        return self.translated.get(lang, self.title)

    def describe(self, lang: str) -> str:
        """One line an analyst can follow: title (publisher, date) — address."""
        date = self.published or WORDS["date_unknown"][lang]
        number = f", № {self.number}" if self.number else ""
        # The reason an address is unknown can be long: `osms-eval sources KEY` prints it.
        where = self.address or f"({WORDS['address_unknown'][lang]}: osms-eval sources {self.key})"
        return f"{self.title_in(lang)} ({self.publisher}{number}, {date}) — {where}"

    def view(self, lang: str) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "title_shown": self.title_in(lang),
            "translated": self.translated,
            "untitled": self.untitled,
            "publisher": self.publisher,
            "kind": self.kind,
            "number": self.number,
            "published": self.published,
            "published_unknown": self.published_unknown,
            "in_force": self.in_force,
            "address": self.address,
            "address_unknown": self.address_unknown,
            "language": list(self.language),
            "checked": self.checked,
            "amended": list(self.amended),
            "via": list(self.via),
            "note": self.note,
            "where": f"{self.file}:{self.line}",
        }


def unknown_key_error(key: str, known: list[str], use: Use) -> OsmsError:
    hint = difflib.get_close_matches(key, known, n=1, cutoff=0.5)
    return OsmsError(
        _("unknown source {key}", key=repr(key))
        + (_(" (did you mean {hint}?)", hint=repr(hint[0])) if hint else "")
        + _("; every key must name an entry of the bibliography (sources.yaml)"),
        file=use.file,
        line=use.line,
        field=use.field,
    )


def check(entries: dict[str, SourceEntry], uses: dict[str, list[Use]]) -> tuple[list[OsmsError], list[OsmsError]]:
    """(errors, warnings): keys that resolve to nothing; entries amended after they were last checked."""
    errors: list[OsmsError] = []
    known = sorted(entries)
    for key, where in sorted(uses.items()):
        if key not in entries:
            errors += [unknown_key_error(key, known, u) for u in where]
    for e in entries.values():
        for i, via in enumerate(e.via):
            if via not in entries:
                errors.append(unknown_key_error(via, known, Use(e.file, e.line, f"sources.{e.key}.via[{i}]")))
    warnings = [
        OsmsError(
            _(
                "the document was amended on {last_amended}, after this entry was last checked on "
                "{checked}: read it again, then update `checked`",
                last_amended=e.last_amended,
                checked=e.checked,
            ),
            file=e.file,
            line=e.line,
            field=f"sources.{e.key}",
        )
        for e in entries.values()
        if e.last_amended and e.last_amended > e.checked
    ]
    return errors, warnings


def gaps(unknown: tuple[tuple[str, str], ...], lang: str) -> str:
    """What a citation lacks, said aloud: the act's number or adoption date the sources do not give (the reasons
    are in the policy file and in JSON output). A missing article is common and not repeated on every line."""
    said = [WORDS[k][lang] for k, _ in unknown if k in ("number", "adopted")]
    return f" ({'; '.join(said)})" if said else ""


def cited(entries: dict[str, SourceEntry], keys: tuple[str, ...] | list[str], lang: str) -> list[dict[str, Any]]:
    """The sources of one reference as the analyst reads them (key kept for `osms-eval sources KEY`)."""
    return [
        {
            "key": k,
            "title": entries[k].title_in(lang),
            "address": entries[k].address,
            "address_unknown": entries[k].address_unknown,
            "text": entries[k].describe(lang),
        }
        for k in keys
        if k in entries
    ]


def source_docs(policy: Any, keys: list[str], lang: str) -> list[dict[str, Any]]:
    """Each source as a document: its bibliographic entry, whether it was amended after it was checked, the
    sources read through it, and every file:line that cites it (`osms-eval sources` and the web API's `/sources`)."""
    docs = []
    for k in keys:
        entry = policy.sources[k]
        uses = policy.source_uses.get(k, [])
        stale = bool(entry.last_amended and entry.last_amended > entry.checked)
        read_for = sorted(other for other, e in policy.sources.items() if k in e.via)
        docs.append(
            {
                **entry.view(lang),
                "stale": stale,
                "read_for": read_for,
                "used": [{"file": u.file, "line": u.line, "field": u.field} for u in uses],
            }
        )
    return docs
