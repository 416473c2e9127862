"""Validated documents → the model, section by section: sources, facts, parameters (with their timelines)
and services; rules and categories are compiled in `rules.py`, roles bound in `binding.py`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from ..core.errors import Collector, OsmsError
from ..core.messages import _
from .bibliography import SourceEntry, Use
from .facts import BUILTIN_FACTS, FactDef
from .loading import LineDict, line_of
from .model import AGGREGATES, Category, Parameter, Rule, Service


class Builder:
    """Turns validated documents into the model, collecting every semantic error on the way."""

    def __init__(self, root: Path, known_on: dt.date | None = None) -> None:
        self.root = root
        self.known_on = known_on
        self.errors = Collector()
        self.warnings: list[OsmsError] = []
        self.where: dict[str, tuple[str, int | None]] = {}
        self.header: tuple[LineDict, str] | None = None
        self.roles: tuple[LineDict, str] | None = None
        self.outcomes: tuple[LineDict, str] | None = None
        self.params: dict[str, Parameter] = {}
        self.rules: dict[str, Rule] = {}
        self.categories: dict[str, Category] = {}
        self.services: dict[str, Service] = {}
        self.facts: dict[str, FactDef] = dict(BUILTIN_FACTS)
        self.raw_rules: list[tuple[str, LineDict, str, LineDict]] = []
        self.raw_categories: list[tuple[str, LineDict, str, LineDict]] = []
        self.sources: dict[str, SourceEntry] = {}
        self.source_uses: dict[str, list[Use]] = {}

    def rel(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root.parent))
        except ValueError:
            return str(path)

    def claim(self, name: str, file: str, line: int | None, kind: str) -> bool:
        # Categories and services have their own namespaces; a category is read in formulas as in_<id>.
        key = f"{kind}:{name}" if kind in ("category", "service") else name
        if key in self.where:
            f, ln = self.where[key]
            self.errors.add(
                _(
                    "{kind} '{name}' is already defined at {where}; names must be unique",
                    kind=_(kind),
                    name=name,
                    where=f"{f}:{ln}",
                ),
                file=file,
                line=line,
                field=name,
            )
            return False
        if key in BUILTIN_FACTS or key in AGGREGATES or key.startswith("in_"):
            self.errors.add(
                _("'{name}' is a reserved name (a built-in fact, aggregate or category flag)", name=name),
                file=file,
                line=line,
                field=name,
            )
            return False
        self.where[key] = (file, line)
        return True

    def add_document(self, doc: LineDict, file: str) -> None:
        from .parameters import parameter_payload  # below the builder: they take it as their first argument
        from .timelines import timeline

        # Sections a set declares once: a second one would make the result depend on the order files are read in.
        for section, attr, again in (
            ("policy_set", "header", lambda where: _("policy_set is already declared in {value}", value=where)),
            ("roles", "roles", lambda where: _("roles are already bound in {where}", where=where)),
            ("outcomes", "outcomes", lambda where: _("outcomes are already worded in {where}", where=where)),
        ):
            if section not in doc:
                continue
            held = getattr(self, attr)
            if held is not None:
                self.errors.add(again(held[1]), file=file, line=line_of(doc, [section]), field=section)
            else:
                setattr(self, attr, (doc, file))
        for key, spec in doc.get("sources", {}).items():
            line = line_of(doc, ["sources", key])
            if f"source:{key}" in self.where:
                f, ln = self.where[f"source:{key}"]
                self.errors.add(
                    _("source '{key}' is already defined at {where}; keys must be unique", key=key, where=f"{f}:{ln}"),
                    file=file,
                    line=line,
                    field=f"sources.{key}",
                )
                continue
            self.where[f"source:{key}"] = (file, line)
            self.sources[key] = SourceEntry.from_doc(key, spec, file, line)
        for name, spec in doc.get("facts", {}).items():
            if self.claim(name, file, line_of(doc, ["facts", name]), "fact"):
                self.facts[name] = FactDef(
                    name,
                    spec["type"],
                    spec["label"],
                    spec.get("unit"),
                    derived=spec.get("derived"),
                    choices=spec.get("choices"),
                )
        for name, spec in doc.get("parameters", {}).items():
            if not self.claim(name, file, line_of(doc, ["parameters", name]), "parameter"):
                continue
            keyed = spec.get("keyed_by")

            def payload(entry: LineDict, path: list[str | int], keyed: str | None = keyed) -> Any:
                return parameter_payload(self, entry, path, doc, file, keyed)

            tl = timeline(self, "parameter", name, doc, "parameters", "values", file, payload)
            if tl is not None:
                self.params[name] = Parameter(name, spec["label"], spec["unit"], tl, spec.get("description"), keyed)
        for name, spec in doc.get("rules", {}).items():
            if self.claim(name, file, line_of(doc, ["rules", name]), "rule"):
                self.raw_rules.append((name, spec, file, doc))
        for name, spec in doc.get("categories", {}).items():
            if self.claim(name, file, line_of(doc, ["categories", name]), "category"):
                self.raw_categories.append((name, spec, file, doc))
        for name, spec in doc.get("services", {}).items():
            if self.claim(name, file, line_of(doc, ["services", name]), "service"):
                stl = timeline(
                    self, "service", name, doc, "services", "versions", file, lambda entry, path: str(entry["package"])
                )
                if stl is not None:
                    self.services[name] = Service(name, spec["label"], stl)
