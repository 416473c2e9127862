"""Rules and categories: formulas compiled against the names the set defines, with what each reads."""

from __future__ import annotations

from decimal import Decimal

from ..core.errors import OsmsError
from ..core.messages import _
from .builder import Builder
from .expressions import JOB, PERSON, ExpressionError, Formula, compile_formula
from .loading import LineDict, field_name, line_of
from .model import AGGREGATES, Category, CategoryVersion, InvalidIf, Rule, RuleVersion
from .timelines import timeline


def known_names(b: Builder) -> dict[str, str]:
    known = {n: f.entity for n, f in b.facts.items()}
    known.update({n: PERSON for n in b.params})
    known.update({n: (spec.get("entity") or PERSON) for n, spec, _, _ in b.raw_rules})
    known.update({f"in_{n}": PERSON for n, *_ in b.raw_categories})
    known.update({n: PERSON for n in AGGREGATES})
    return known


def _compile(
    b: Builder, text: str, known: dict[str, str], doc: LineDict, path: list[str | int], file: str
) -> Formula | None:
    try:
        return compile_formula(text, known)
    except ExpressionError as exc:
        b.errors.add(str(exc), file=file, line=line_of(doc, path), field=field_name(path))
        return None


def build_rules(b: Builder, known: dict[str, str], default_round: tuple[Decimal, str]) -> dict[str, set[str]]:
    deps: dict[str, set[str]] = {}
    for name, spec, file, doc in b.raw_rules:
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
            f = _compile(b, entry["formula"], known, doc, [*path, "formula"], file)
            if f is not None:
                names.update(f.names)
                if entity == PERSON and f.entity == JOB:
                    b.errors.add(
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
                g = _compile(b, inv["when"], known, doc, ipath, file)
                if g is not None and g.entity == JOB:
                    b.errors.add(
                        _("an invalid_if condition must give one value per person; use any_jobs(...)"),
                        file=file,
                        line=line_of(doc, ipath),
                        field=field_name(ipath),
                    )
                elif g is not None:
                    names.update(g.names)
                    checks.append(InvalidIf(g, inv["message"]))
            return RuleVersion(f, tuple(checks)) if f is not None else None

        tl = timeline(b, "rule", name, doc, "rules", "versions", file, payload)
        if tl is None:
            continue
        # Tenge outputs take the set's declared rounding unless the rule declares its own (or "none").
        spec_round = spec.get("rounding")
        rounding: tuple[Decimal, str] | None = None
        if isinstance(spec_round, dict):
            rounding = (Decimal(spec_round["step"]), spec_round["mode"])
        elif spec_round is None and spec["unit"] == "tenge":
            rounding = default_round
        b.rules[name] = Rule(
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
    for name, spec, file, doc in b.raw_categories:
        names = set()

        def cpayload(
            entry: LineDict, path: list[str | int], names: set[str] = names, file: str = file, doc: LineDict = doc
        ) -> CategoryVersion | None:
            cond = None
            if "condition" in entry:
                cond = _compile(b, entry["condition"], known, doc, [*path, "condition"], file)
                if cond is not None:
                    names.update(cond.names)
                    if cond.entity == JOB:
                        b.errors.add(
                            _("a category condition must give one value per person"),
                            file=file,
                            line=line_of(doc, [*path, "condition"]),
                            field=field_name([*path, "condition"]),
                        )
            payer = entry["payer"]
            if payer == "republican":  # the old name, accepted for one release
                b.warnings.append(
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

        ctl = timeline(b, "category", name, doc, "categories", "versions", file, cpayload)
        if ctl is not None:
            b.categories[name] = Category(name, spec["label"], spec.get("number"), ctl)
            deps[f"in_{name}"] = names
    aggregate_deps = {f"in_{n}" for n in b.categories}
    for agg in AGGREGATES:
        deps[agg] = aggregate_deps
    return deps
