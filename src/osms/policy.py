"""The policy model: load a policy directory, validate it (schema, then meaning) and resolve it for a date."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Generic, TypeVar

from . import bibliography, schema
from .bibliography import SourceEntry, Use
from .dates import DateFormatError, parse_date, parse_month
from .errors import Collector, OsmsError
from .expressions import JOB, PERSON, ExpressionError, Formula, compile_formula
from .facts import BUILTIN_FACTS, FactDef
from .loading import LineDict, field_name, line_of, load_yaml_file, yaml_files_within
from .messages import _
from .roles import KINDS as ROLE_KINDS
from .roles import RULE_UNITS, Roles

Labels = Mapping[str, str]


@dataclass(frozen=True)
class Reference:
    act: str
    sources: tuple[str, ...]
    number: str | None = None
    article: str | None = None
    adopted: str | None = None
    url: str | None = None
    in_force: str | None = None
    unknown: tuple[tuple[str, str], ...] = ()  # (field, why it is not known), e.g. ("number", "…")

    def cite(self) -> str:
        parts = [self.act]
        if self.number:
            parts.append(f"№ {self.number}")
        if self.adopted:
            parts.append(f"от {self.adopted}")
        if self.article:
            parts.append(self.article)
        if self.in_force:
            parts.append(f"в силе с {self.in_force}")
        return ", ".join(parts)


@dataclass(frozen=True)
class Provenance:
    """Where a dated value or formula comes from, and how sure the research is."""

    reference: Reference
    confidence: str
    file: str
    line: int | None
    field: str
    assumption: Labels | None = None
    note: str | None = None


@dataclass(frozen=True)
class InvalidIf:
    """A condition under which a rule version cannot answer for a person, and what the analyst is told."""

    when: Formula
    message: Labels


@dataclass(frozen=True)
class RuleVersion:
    """What a rule computes from a date on: its formula and the conditions under which it cannot answer."""

    formula: Formula
    invalid_if: tuple[InvalidIf, ...] = ()

    def formulas(self) -> list[Formula]:
        """Every expression the version evaluates: the formula, then each `invalid_if` condition."""
        return [self.formula, *(c.when for c in self.invalid_if)]


@dataclass(frozen=True)
class CategoryVersion:
    """A category from a date on: who pays for its members, and the condition on the facts that makes one (None:
    membership only as a scenario states it)."""

    payer: str  # state | local
    condition: Formula | None

    def formulas(self) -> list[Formula]:
        return [self.condition] if self.condition is not None else []


P = TypeVar("P")  # what an entry holds: Decimal (parameter), RuleVersion, CategoryVersion, str (service package)


@dataclass(frozen=True)
class Dated(Generic[P]):
    """One entry of a timeline: from `start` until the next entry's start."""

    start: dt.date
    payload: P | None  # None when no_value
    no_value: str | None
    prov: Provenance

    @property
    def value(self) -> P:
        """What the entry holds; an entry with `no_value` holds nothing (Timeline.at never returns one)."""
        if self.payload is None:
            raise UndefinedAt(
                f"no value from {self.start.isoformat()}: {self.no_value}",
                file=self.prov.file,
                line=self.prov.line,
                field=self.prov.field,
            )
        return self.payload


class UndefinedAt(OsmsError):
    """Asked for a value on a date where the policies define none."""


@dataclass
class Timeline(Generic[P]):
    kind: str
    name: str
    entries: list[Dated[P]]
    file: str
    line: int | None

    def at(self, day: dt.date) -> Dated[P]:
        found: Dated[P] | None = None
        for entry in self.entries:
            if entry.start <= day:
                found = entry
            else:
                break
        if found is None and not self.entries:
            raise UndefinedAt(
                f"{self.kind} '{self.name}' has no value on {day.isoformat()}: none of its entries "
                f"had been adopted on the as-known-on date",
                file=self.file,
                line=self.line,
                field=f"{self.kind}s.{self.name}",
            )
        if found is None:
            first = self.entries[0].start.isoformat()
            raise UndefinedAt(
                f"{self.kind} '{self.name}' has no value on {day.isoformat()}: it is defined only from {first}",
                file=self.file,
                line=self.line,
                field=f"{self.kind}s.{self.name}",
            )
        if found.no_value is not None:
            raise UndefinedAt(
                f"{self.kind} '{self.name}' has no value on {day.isoformat()}: {found.no_value}",
                file=found.prov.file,
                line=found.prov.line,
                field=found.prov.field,
            )
        return found

    def exists_at(self, day: dt.date) -> bool:
        try:
            self.at(day)
        except UndefinedAt:
            return False
        return True


@dataclass
class Parameter:
    name: str
    label: Labels
    unit: str
    timeline: Timeline[Decimal]
    description: Labels | None = None
    keyed_by: str | None = None  # a choice fact: each value is then {"by": {choice: Decimal}, "fallback": Decimal}


@dataclass
class Rule:
    name: str
    label: Labels
    unit: str
    entity: str
    timeline: Timeline[RuleVersion]
    payer: str | None = None
    output: bool = True
    rounding: tuple[Decimal, str] | None = None
    description: Labels | None = None


@dataclass
class Category:
    name: str
    label: Labels
    number: int | None
    timeline: Timeline[CategoryVersion]


@dataclass
class Service:
    name: str
    label: Labels
    timeline: Timeline[str]  # payload: the package's name


@dataclass
class PolicySet:
    root: Path
    id: str
    version: str
    title: Labels
    as_of: str
    covers: tuple[int, int]
    rounding: tuple[Decimal, str]
    parameters: dict[str, Parameter]
    rules: dict[str, Rule]
    categories: dict[str, Category]
    services: dict[str, Service]
    facts: dict[str, FactDef]
    order: list[str]  # evaluation order of rules and category nodes
    fingerprint: str
    roles: Roles  # the engine's roles, bound to names of this set
    warnings: list[OsmsError] = field(default_factory=list)
    sources: dict[str, SourceEntry] = field(default_factory=dict)
    source_uses: dict[str, list[Use]] = field(default_factory=dict)

    @property
    def stamp(self) -> dict[str, str]:
        return {"id": self.id, "version": self.version, "fingerprint": self.fingerprint}

    def parameter_value(self, name: str, day: dt.date) -> tuple[Decimal, Dated[Decimal]]:
        """The value of a parameter on a day, and the dated entry that holds it."""
        entry = self.parameters[name].timeline.at(day)
        return entry.value, entry

    def parameter_on_days(self, name: str, ordinals: Any, used: set) -> Any:
        """A parameter's value on each ordinal day (a numpy array), vectorized; records (name, entry start) read in
        `used`. A day with no value (before the first entry, or in a `no_value` entry) raises, as `parameter_value`."""
        import numpy as np

        entries = self.parameters[name].timeline.entries
        starts = np.array([e.start.toordinal() for e in entries], dtype=np.int64)
        idx = np.searchsorted(starts, np.asarray(ordinals, dtype=np.int64), side="right") - 1
        for i in np.unique(idx):
            if i < 0 or entries[int(i)].no_value is not None:
                day = dt.date.fromordinal(int(np.asarray(ordinals)[idx == i][0]))
                self.parameters[name].timeline.at(day)  # raises UndefinedAt naming the file and line
            used.add((name, entries[int(i)].start))
        values = np.array([float(e.value) if e.no_value is None else np.nan for e in entries])
        return values[idx]


MAX_PARAMETER = Decimal("1e15")
CACHE_ENTRIES = 16

AGGREGATES = {
    "state_paid": "in a category paid from the republican budget",
    "locally_paid": "in a category paid by a local executive body",
    "preferential": "in any state- or locally-paid category",
}


def _fingerprint(files: list[tuple[str, bytes]]) -> str:
    h = hashlib.sha256()
    for rel, data in files:
        h.update(rel.encode("utf-8") + b"\0" + hashlib.sha256(data).digest())
    return "sha256:" + h.hexdigest()


def policy_files(root: Path) -> list[Path]:
    return yaml_files_within(root)


class _Builder:
    """Turns validated documents into the model, collecting every semantic error on the way."""

    def __init__(self, root: Path, known_on: dt.date | None = None) -> None:
        self.root = root
        self.known_on = known_on
        self.errors = Collector()
        self.warnings: list[OsmsError] = []
        self.where: dict[str, tuple[str, int | None]] = {}
        self.header: tuple[LineDict, str] | None = None
        self.roles: tuple[LineDict, str] | None = None
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

    def provenance(self, doc: LineDict, entry: LineDict, path: list[str | int], file: str) -> Provenance:
        ref = entry["reference"]
        for i, key in enumerate(ref["sources"]):
            where = [*path, "reference", "sources", i]
            self.source_uses.setdefault(key, []).append(Use(file, line_of(doc, where), field_name(where)))
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
        self,
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
                self.errors.add(str(exc), file=file, line=line_of(doc, path), field=field_name(path))
                ok = False
                continue
            ref = entry.get("reference", {})
            if self.known_on is not None and "adopted" in ref:
                try:
                    if parse_date(ref["adopted"]) > self.known_on:
                        continue  # not yet adopted on the as-known-on date
                except DateFormatError:
                    pass
            missing = [k for k in ("number", "article", "adopted") if k not in ref and f"{k}_unknown" not in ref]
            if missing:
                self.warnings.append(
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
                    self.errors.add(
                        _("give either {k} or {k}_unknown, not both", k=k),
                        file=file,
                        line=line_of(doc, [*path, "reference", f"{k}_unknown"]),
                        field=field_name([*path, "reference", f"{k}_unknown"]),
                    )
            no_value = entry.get("no_value")
            value = None if no_value is not None else payload(entry, path)
            entries.append(Dated(start, value, no_value, self.provenance(doc, entry, path, file)))
        if not ok:
            return None
        entries.sort(key=lambda e: e.start)
        return Timeline(kind, name, entries, file, line_of(doc, [section, name]))

    def add_document(self, doc: LineDict, file: str) -> None:
        if "policy_set" in doc:
            if self.header is not None:
                self.errors.add(
                    _("policy_set is already declared in {value}", value=self.header[1]),
                    file=file,
                    line=line_of(doc, ["policy_set"]),
                    field="policy_set",
                )
            else:
                self.header = (doc, file)
        if "roles" in doc:
            if self.roles is not None:
                self.errors.add(
                    _("roles are already bound in {where}", where=self.roles[1]),
                    file=file,
                    line=line_of(doc, ["roles"]),
                    field="roles",
                )
            else:
                self.roles = (doc, file)
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
                return self.parameter_payload(entry, path, doc, file, keyed)

            tl = self.timeline("parameter", name, doc, "parameters", "values", file, payload)
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
                stl = self.timeline(
                    "service", name, doc, "services", "versions", file, lambda entry, path: str(entry["package"])
                )
                if stl is not None:
                    self.services[name] = Service(name, spec["label"], stl)

    def parameter_payload(
        self, entry: LineDict, path: list[str | int], doc: LineDict, file: str, keyed: str | None
    ) -> Any:
        """A number, or for a parameter keyed by a choice fact {"by": {choice: Decimal}, "fallback": Decimal}."""
        value = entry["value"]
        if keyed is None:
            if isinstance(value, dict) or "fallback" in entry:
                self.errors.add(
                    _("a value per choice and `fallback` need `keyed_by` on the parameter"),
                    file=file,
                    line=line_of(doc, [*path, "value"]),
                    field=field_name([*path, "value"]),
                )
                return Decimal(0)
            return self.parameter_number(entry, path, doc, file)
        if not isinstance(value, dict) or "fallback" not in entry:
            self.errors.add(
                _("a parameter keyed by {fact} needs a map of values by choice and a `fallback`", fact=keyed),
                file=file,
                line=line_of(doc, [*path, "value"]),
                field=field_name([*path, "value"]),
            )
            return {"by": {}, "fallback": Decimal(0)}
        by = {k: self.parameter_number({"value": v}, [*path, "value", k], doc, file) for k, v in value.items()}
        return {
            "by": by,
            "fallback": self.parameter_number({"value": entry["fallback"]}, [*path, "fallback"], doc, file),
        }

    def parameter_number(self, entry: dict[str, Any], path: list[str | int], doc: LineDict, file: str) -> Decimal:
        """A parameter value as an exact decimal; evaluation only checks division results for non-finite numbers,
        so every value must be a finite float too."""
        value = Decimal(entry["value"])
        if not abs(value) < MAX_PARAMETER:
            self.errors.add(
                _(
                    "value {value} is too large (the limit is {limit})",
                    value=entry["value"],
                    limit=format(MAX_PARAMETER, ".0e"),
                ),
                file=file,
                line=line_of(doc, [*path, "value"]),
                field=field_name([*path, "value"]),
            )
        return value

    def bind_roles(self) -> Roles | None:
        """The `roles:` section, each bound name checked to be a parameter, fact or rule of the set."""
        if self.roles is None:
            self.errors.add(
                _("no file binds the engine's roles (expected a roles: section in policy.yaml)"), file=str(self.root)
            )
            return None
        doc, file = self.roles
        rule_units = {n: spec["unit"] for n, spec, *_ in self.raw_rules}
        defined: dict[str, set[str]] = {
            "parameters": set(self.params),
            "facts": set(self.facts),
            "rules": set(rule_units),
        }
        for kind in ROLE_KINDS:
            for role, name in doc["roles"][kind].items():
                path: list[str | int] = ["roles", kind, role]
                problem = None
                if name not in defined[kind]:
                    what = {"parameters": _("a parameter"), "facts": _("a fact"), "rules": _("a rule")}[kind]
                    problem = _(
                        "role {role} is bound to '{name}', which is not {kind} of this set",
                        role=role,
                        name=name,
                        kind=what,
                    )
                elif kind == "facts" and self.facts[name].type != "bool":
                    problem = _(
                        "role {role} needs a yes/no fact; '{name}' is a {type}",
                        role=role,
                        name=name,
                        type=self.facts[name].type,
                    )
                elif kind == "rules" and rule_units[name] != RULE_UNITS[role]:
                    problem = _(
                        "role {role} needs a rule in {unit}; '{name}' is in {other}",
                        role=role,
                        unit=RULE_UNITS[role],
                        name=name,
                        other=rule_units[name],
                    )
                if problem:
                    self.errors.add(problem, file=file, line=line_of(doc, path), field=field_name(path))
        lines = {
            f"{kind}.{role}": (file, line_of(doc, ["roles", kind, role]))
            for kind in ROLE_KINDS
            for role in doc["roles"][kind]
        }
        return Roles(**{kind: dict(doc["roles"][kind]) for kind in ROLE_KINDS}, lines=lines)

    def known_names(self) -> dict[str, str]:
        known = {n: f.entity for n, f in self.facts.items()}
        known.update({n: PERSON for n in self.params})
        known.update({n: (spec.get("entity") or PERSON) for n, spec, _, _ in self.raw_rules})
        known.update({f"in_{n}": PERSON for n, *_ in self.raw_categories})
        known.update({n: PERSON for n in AGGREGATES})
        return known

    def compile(
        self, text: str, known: dict[str, str], doc: LineDict, path: list[str | int], file: str
    ) -> Formula | None:
        try:
            return compile_formula(text, known)
        except ExpressionError as exc:
            self.errors.add(str(exc), file=file, line=line_of(doc, path), field=field_name(path))
            return None

    def build_rules(self, known: dict[str, str], default_round: tuple[Decimal, str]) -> dict[str, set[str]]:
        deps: dict[str, set[str]] = {}
        for name, spec, file, doc in self.raw_rules:
            entity = spec.get("entity", PERSON)
            names: set[str] = set()

            def payload(
                entry: LineDict,
                path: list[str | int],
                entity: str = entity,
                names: set[str] = names,
                file: str = file,
                doc: LineDict = doc,
            ) -> RuleVersion | None:
                f = self.compile(entry["formula"], known, doc, [*path, "formula"], file)
                if f is not None:
                    names.update(f.names)
                    if entity == PERSON and f.entity == JOB:
                        self.errors.add(
                            _(
                                "the rule is per person but the formula gives one value per job; wrap "
                                "per-job values in sum_jobs(...)"
                            ),
                            file=file,
                            line=line_of(doc, [*path, "formula"]),
                            field=field_name([*path, "formula"]),
                        )
                checks: list[InvalidIf] = []
                for i, inv in enumerate(entry.get("invalid_if", [])):
                    ipath = [*path, "invalid_if", i, "when"]
                    g = self.compile(inv["when"], known, doc, ipath, file)
                    if g is not None and g.entity == JOB:
                        self.errors.add(
                            _("an invalid_if condition must give one value per person; use any_jobs(...)"),
                            file=file,
                            line=line_of(doc, ipath),
                            field=field_name(ipath),
                        )
                    elif g is not None:
                        names.update(g.names)
                        checks.append(InvalidIf(g, inv["message"]))
                return RuleVersion(f, tuple(checks)) if f is not None else None

            tl = self.timeline("rule", name, doc, "rules", "versions", file, payload)
            if tl is None:
                continue
            # Tenge outputs take the set's declared rounding unless the rule declares its own (or "none").
            spec_round = spec.get("rounding")
            rounding: tuple[Decimal, str] | None = None
            if isinstance(spec_round, dict):
                rounding = (Decimal(spec_round["step"]), spec_round["mode"])
            elif spec_round is None and spec["unit"] == "tenge":
                rounding = default_round
            self.rules[name] = Rule(
                name,
                spec["label"],
                spec["unit"],
                entity,
                tl,
                spec.get("payer"),
                spec.get("output", True),
                rounding,
                spec.get("description"),
            )
            deps[name] = names
        for name, spec, file, doc in self.raw_categories:
            names = set()

            def cpayload(
                entry: LineDict, path: list[str | int], names: set[str] = names, file: str = file, doc: LineDict = doc
            ) -> CategoryVersion | None:
                cond = None
                if "condition" in entry:
                    cond = self.compile(entry["condition"], known, doc, [*path, "condition"], file)
                    if cond is not None:
                        names.update(cond.names)
                        if cond.entity == JOB:
                            self.errors.add(
                                _("a category condition must give one value per person"),
                                file=file,
                                line=line_of(doc, [*path, "condition"]),
                                field=field_name([*path, "condition"]),
                            )
                payer = entry["payer"]
                if payer == "republican":  # the old name, accepted for one release
                    self.warnings.append(
                        OsmsError(
                            _("payer 'republican' is the old name of 'state'; write 'state'"),
                            file=file,
                            line=line_of(doc, [*path, "payer"]),
                            field=field_name([*path, "payer"]),
                        )
                    )
                    payer = "state"
                if "condition" in entry and cond is None:
                    return None  # the condition's error is collected
                return CategoryVersion(payer, cond)

            ctl = self.timeline("category", name, doc, "categories", "versions", file, cpayload)
            if ctl is not None:
                self.categories[name] = Category(name, spec["label"], spec.get("number"), ctl)
                deps[f"in_{name}"] = names
        aggregate_deps = {f"in_{n}" for n in self.categories}
        for agg in AGGREGATES:
            deps[agg] = aggregate_deps
        return deps

    def order(self, deps: dict[str, set[str]]) -> list[str]:
        order: list[str] = []
        state: dict[str, int] = {}

        def visit(node: str, stack: list[str]) -> None:
            if state.get(node) == 2:
                return
            if state.get(node) == 1:
                cycle = [*stack[stack.index(node) :], node]
                first = cycle[0]
                key = f"category:{first[3:]}" if first.startswith("in_") else first
                where = self.where.get(key, (None, None))
                self.errors.add(
                    _("rules depend on each other in a cycle: {cycle}", cycle=" → ".join(cycle)),
                    file=where[0],
                    line=where[1],
                    field=cycle[0],
                )
                raise _CycleFound
            state[node] = 1
            for dep in sorted(deps.get(node, ())):
                if dep in deps:
                    visit(dep, [*stack, node])
            state[node] = 2
            order.append(node)

        for node in sorted(deps):
            try:
                visit(node, [])
            except _CycleFound:
                return []
        return order


class _CycleFound(Exception):
    pass


def load_policies(root: Path | str, known_on: dt.date | None = None) -> PolicySet:
    """Load → validate (schema, then meaning) a policy directory. Raises every error found at once.

    With `known_on`, entries whose act was adopted after that date are left out: the law as it was known then."""
    root = Path(root)
    if not root.is_dir():
        raise OsmsError(_("not a policy directory"), file=str(root))
    files = policy_files(root)
    if not files:
        raise OsmsError(_("no policy files (*.yaml) found"), file=str(root))
    key = _cache_key(root, files, known_on)
    cached = _cache_get(key)
    if cached is not None:
        cached.root = root
        return cached
    policy = _load(root, files, known_on)
    _cache_put(key, policy)
    return policy


def _cache_key(root: Path, files: list[Path], known_on: dt.date | None) -> str:
    from . import __version__

    # The folder's name is in the key because messages name files relative to its parent ("policies/…").
    from .messages import LOCALE_DIR, current

    # ... and the language: warnings are kept in the set, in the words of the language they were made in
    h = hashlib.sha256(f"{__version__}|{known_on}|{root.resolve().name}|{current()}".encode())
    h.update((LOCALE_DIR / current() / "LC_MESSAGES" / "osms.po").read_bytes())
    engine = Path(__file__).parent
    for path in sorted(engine.rglob("*.py")):  # any change to the engine, in any subpackage, invalidates the cache
        h.update(path.relative_to(engine).as_posix().encode() + b"\0" + path.read_bytes())
    for path in files:
        h.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def _cache_dir() -> Path | None:
    import os

    if os.environ.get("OSMS_NO_CACHE"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "osms-eval"


def _cache_get(key: str) -> PolicySet | None:
    """A validated, compiled policy set saved by an earlier run with exactly the same files and engine."""
    import pickle

    d = _cache_dir()
    if d is None:
        return None
    try:
        with open(d / f"{key}.pickle", "rb") as fh:
            policy = pickle.load(fh)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
        return None
    return policy if isinstance(policy, PolicySet) else None


def _cache_put(key: str, policy: PolicySet) -> None:
    import contextlib
    import os
    import pickle
    import tempfile

    d = _cache_dir()
    if d is None:
        return
    with contextlib.suppress(OSError, pickle.PicklingError, RecursionError):
        d.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=d, suffix=".part")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(policy, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, d / f"{key}.pickle")
        # Keep the cache small: the newest CACHE_ENTRIES compiled sets.
        entries = sorted(d.glob("*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[CACHE_ENTRIES:]:
            old.unlink()


def _load(root: Path, files: list[Path], known_on: dt.date | None) -> PolicySet:
    b = _Builder(root, known_on)
    blobs: list[tuple[str, bytes]] = []
    for path in files:
        rel = b.rel(path)
        try:
            doc = load_yaml_file(path, rel)
        except OsmsError as exc:
            b.errors.extend([exc])
            continue
        blobs.append((path.relative_to(root).as_posix(), path.read_bytes()))
        if not isinstance(doc, LineDict):
            b.errors.add(
                _("a policy file must be a mapping of sections (policy_set, parameters, rules, ...)"), file=rel, line=1
            )
            continue
        problems = schema.validate("policy", doc, rel)
        if problems:
            b.errors.extend(problems)
            continue
        b.add_document(doc, rel)
    if b.header is None and not b.errors.errors:
        b.errors.add(_("no file declares policy_set (expected in policy.yaml)"), file=str(root))
    if b.header is None:
        b.errors.raise_if_any()
    assert b.header is not None
    hdr, hfile = b.header
    ps = hdr["policy_set"]
    default_round = (Decimal(ps["rounding"]["step"]), ps["rounding"]["mode"])
    deps = b.build_rules(b.known_names(), default_round)
    roles = b.bind_roles()
    _check_keyed(b)
    source_errors, source_warnings = bibliography.check(b.sources, b.source_uses)
    b.errors.extend(source_errors)
    b.warnings += source_warnings
    order = b.order(deps) if not b.errors.errors else []
    b.errors.raise_if_any()
    assert roles is not None
    try:
        covers = (parse_month(ps["covers"]["from"]), parse_month(ps["covers"]["to"]))
    except DateFormatError as exc:
        raise OsmsError(
            str(exc), file=hfile, line=line_of(hdr, ["policy_set", "covers"]), field="policy_set.covers"
        ) from None
    return PolicySet(
        root=root,
        id=ps["id"],
        version=ps["version"],
        title=ps["title"],
        as_of=ps["as_of"],
        covers=covers,
        rounding=default_round,
        parameters=b.params,
        rules=b.rules,
        categories=b.categories,
        services=b.services,
        facts=b.facts,
        order=order,
        fingerprint=_fingerprint(blobs) + (f"@known-on:{known_on}" if known_on else ""),
        roles=roles,
        warnings=b.warnings,
        sources=b.sources,
        source_uses=b.source_uses,
    )


def _check_keyed(b: _Builder) -> None:
    """A keyed parameter names a choice fact, and each of its values names only that fact's choices."""
    for p in b.params.values():
        if p.keyed_by is None:
            continue
        fact = b.facts.get(p.keyed_by)
        if fact is None or fact.choices is None:
            b.errors.add(
                _("keyed_by names {fact}, which is not a choice fact", fact=repr(p.keyed_by)),
                file=p.timeline.file,
                line=p.timeline.line,
                field=f"parameters.{p.name}.keyed_by",
            )
            continue
        for e in p.timeline.entries:
            choices: list[str] = list(e.payload["by"]) if isinstance(e.payload, dict) else []
            for k in choices:
                if k not in fact.choices:
                    b.errors.add(
                        _(
                            "{value} is not a choice of {fact} (one of: {choices})",
                            value=repr(k),
                            fact=p.keyed_by,
                            choices=", ".join(fact.choices),
                        ),
                        file=e.prov.file,
                        line=e.prov.line,
                        field=f"{e.prov.field}.value.{k}",
                    )


def bundled_policies() -> Path:
    """The policy set shipped with the package (or, in a source checkout, the repository's policies/)."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "policies", here.parent.parent / "policies"):
        if (candidate / "policy.yaml").is_file():
            return candidate
    raise OsmsError(_("the bundled policies are missing from this installation; pass --policies DIR"))
