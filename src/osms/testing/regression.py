"""Regression cases analysts write: a scenario, a month or date, and the outputs the law gives.

Case files (YAML) hold `cases: [{note, month | on, scenario | scenario_file, want}]`. All cases of a run are
evaluated together as one batch; each case is then compared, and what the cases exercise of the law is recorded
for `--coverage`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from ..core.dates import DateFormatError, month_end, month_of, parse_date, parse_month
from ..core.errors import Collector, OsmsError
from ..core.messages import _
from ..engine.status import REASON_CODES
from ..inputs.scenario import load_scenario, parse_scenario, require_born
from ..inputs.scenario_model import Scenario
from ..outputs.explain import explain, render
from ..outputs.records import full_record
from ..outputs.services import coverage as service_coverage
from ..policy import PolicySet, Timeline
from ..policy.loading import LineDict, LineList, field_name, line_of, load_yaml_file
from ..runs.scenarios import evaluate


@dataclass
class Case:
    file: str
    index: int
    line: int | None
    note: str
    month: int
    on: dt.date
    scenario: Scenario
    want: dict[str, Any]
    id: str | None = None
    tolerance: Decimal = Decimal(0)

    @property
    def name(self) -> str:
        return f"{self.file}:{self.line}"

    @property
    def title(self) -> str:
        """How reports name the case: its id and note, or the note alone."""
        return f"{self.id}: {self.note}" if self.id else self.note

    def matches(self, keyword: str) -> bool:
        """`-k`: a case-insensitive substring of the id or the note."""
        return keyword.casefold() in self.title.casefold()


@dataclass
class Outcome:
    case: Case
    failures: list[str] = field(default_factory=list)
    explanation: str = ""

    @property
    def passed(self) -> bool:
        return not self.failures


def load_cases(paths: list[Path], policy: PolicySet, root: Path | None = None) -> list[Case]:
    """Every case in the given files or folders (recursively, *.yaml), checked for form."""
    files: list[Path] = []
    for p in paths:
        files.extend(sorted(p.rglob("*.yaml")) if p.is_dir() else [p])
    errors = Collector()
    cases: list[Case] = []
    for path in files:
        shown = str(path.relative_to(root)) if root and path.is_relative_to(root) else str(path)
        try:
            cases.extend(_file_cases(path, shown, policy))
        except OsmsError as exc:
            errors.extend([exc])
    errors.raise_if_any()
    return cases


def cases_schema() -> dict[str, Any]:
    """The JSON Schema of case files (osms/testing/case_schema.py; shipped as osms/schemas/cases.schema.json)."""
    from .case_schema import CASES_SCHEMA

    return CASES_SCHEMA


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    return Draft202012Validator(cases_schema())


def _schema_errors(doc: Any, shown: str) -> list[OsmsError]:
    """Every schema error of a case file, with its line and field (the wording is the policy schema's)."""
    from ..policy.schema import _message

    out = []
    for err in sorted(_validator().iter_errors(doc), key=lambda e: list(map(str, e.absolute_path))):
        path = list(err.absolute_path)
        if err.validator == "propertyNames":
            path = [*path, err.instance]
        elif err.validator == "additionalProperties" and isinstance(err.instance, dict):
            extra = sorted(set(err.instance) - set(err.schema.get("properties", {})))
            path = [*path, extra[0]] if extra else path
        if err.validator == "minProperties":
            message = "must not be empty"
        elif err.validator in ("minimum", "maximum"):
            message = f"{err.instance} is out of range: {err.validator} {err.validator_value}"
        else:
            message = _message(err)
        out.append(OsmsError(message, file=shown, line=line_of(doc, path), field=field_name(path) or "(top level)"))
    return out


def _file_cases(path: Path, shown: str, policy: PolicySet) -> list[Case]:
    doc = load_yaml_file(path, shown)
    if not isinstance(doc, LineDict) or not isinstance(doc.get("cases"), LineList):
        raise OsmsError(
            _("a case file must have `cases:`, a list of {note, month, scenario, want}"), file=shown, line=1
        )
    errors = Collector()
    errors.extend(_schema_errors(doc, shown))
    errors.raise_if_any()
    out = []
    ids: dict[str, int | None] = {}
    for i, c in enumerate(doc["cases"]):
        line = line_of(doc, ["cases", i])
        where: dict[str, Any] = {"file": shown, "line": line, "field": f"cases[{i}]"}
        if "id" in c:
            if str(c["id"]) in ids:
                errors.add(
                    _("id {id} is already used by the case on line {ids}", id=repr(c["id"]), ids=ids[str(c["id"])]),
                    **where,
                )
            ids[str(c["id"])] = line
        try:
            if "month" in c:
                month = parse_month(str(c["month"]))
                on = month_end(month)
            else:
                on = parse_date(str(c["on"]))
                month = month_of(on)
        except DateFormatError as exc:
            errors.add(str(exc), **where)
            continue
        try:
            if "scenario_file" in c:
                sc = load_scenario(path.parent / str(c["scenario_file"]), policy)
            else:
                sc = parse_scenario(c["scenario"], shown, policy, f"{path.stem}-{i}")
        except OsmsError as exc:
            errors.extend([exc])
            continue
        tolerance = Decimal(str(c.get("tolerance", 0)))
        if tolerance and not any(k in policy.rules and policy.rules[k].unit == "tenge" for k in c["want"]):
            errors.add(
                _("tolerance applies to money outputs, and want names none"),
                **{**where, "field": f"cases[{i}].tolerance"},
            )
            continue
        out.append(
            Case(
                shown,
                i,
                line,
                str(c["note"]),
                month,
                on,
                sc,
                dict(c["want"]),
                str(c["id"]) if "id" in c else None,
                tolerance,
            )
        )
    errors.raise_if_any()
    return out


def _norm(v: Any) -> Any:
    if isinstance(v, dict):
        return {str(k): _norm(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_norm(x) for x in v]
    if isinstance(v, (int, Decimal, float)) and not isinstance(v, bool):
        return Decimal(str(v))
    return v


@dataclass
class Exercised:
    """Which parts of the law the cases touched."""

    values: set[tuple[str, dt.date]] = field(default_factory=set)
    versions: set[tuple[str, dt.date]] = field(default_factory=set)
    categories: set[str] = field(default_factory=set)
    services: set[tuple[str, dt.date]] = field(default_factory=set)
    reasons: set[str] = field(default_factory=set)


def run_cases(policy: PolicySet, cases: list[Case], lang: str = "en") -> tuple[list[Outcome], Exercised]:
    """Evaluate all cases as one batch and compare each with what it wants."""
    seen = Exercised()
    if not cases:
        return [], seen
    months = sorted({c.month for c in cases})
    scenarios = [c.scenario for c in cases]
    for c in cases:
        require_born([c.scenario], [c.month])
    ev = evaluate(policy, scenarios, months, lang, strict=False)
    statuses = {day: ev.status(day) for day in {c.on for c in cases}}
    seen.values |= ev.history.used
    outcomes = []
    for i, case in enumerate(cases):
        res = ev.results[case.month]
        st = statuses[case.on]
        for name, use in res.params.items():
            seen.values.add((name, use.entry.start))
        for name, (_value, entry) in st.params.items():
            seen.values.add((name, entry.start))
        seen.values |= st.fixed
        for node, entry in res.versions.items():
            if entry is not None and node in policy.rules:
                seen.versions.add((node, entry.start))
        seen.reasons.add(REASON_CODES[int(st.reason[i])])
        outcomes.append(_compare(policy, ev, i, case, res, st, lang, seen))
    return outcomes, seen


def _compare(policy, ev, i, case, res, st, lang, seen) -> Outcome:  # type: ignore[no-untyped-def]
    out = Outcome(case)
    # Expected error messages are written in English unless the case says `lang:` under want.
    msg_lang = str(case.want.get("lang", "en"))
    messages = [inv.message(case.month, msg_lang) for inv in res.invalid if inv.mask[i]]
    if "error" in case.want:
        if case.want["error"] not in messages:
            out.failures.append(
                _("error: want {want}, got {got}", want=repr(case.want["error"]), got=messages or _("no error"))
            )
        return out
    if messages:
        out.failures.append(_("unexpected error: {errors}", errors="; ".join(messages)))
        return out
    rec = full_record(ev, res, st, i)
    for cat in policy.categories:
        if res.values[f"in_{cat}"][i]:
            seen.categories.add(cat)
    for key, expected in case.want.items():
        if key == "lang":
            continue
        if key == "coverage":
            for sid, want_cov in expected.items():
                if sid not in policy.services:
                    out.failures.append(_("coverage: unknown service {service}", service=repr(sid)))
                    continue
                got = service_coverage(ev, i, sid, case.on, lang)
                seen.services.add((sid, policy.services[sid].timeline.at(case.on).start))
                if got["covered"] != want_cov:
                    out.failures.append(
                        _(
                            "coverage.{service}: want {want}, got {got} ({why})",
                            service=sid,
                            want=want_cov,
                            got=got["covered"],
                            why=got["explanation"],
                        )
                    )
            continue
        if key not in rec:
            out.failures.append(
                _("{key}: not an output (the outputs are: {outputs})", key=key, outputs=", ".join(sorted(rec)))
            )
            continue
        actual = rec[key]
        if key == "categories":
            actual = [c["id"] for c in actual if not c.get("not_in_force")]
        elif isinstance(actual, dict) and not isinstance(expected, dict):
            actual = actual["total"]
        got, want = _norm(actual), _norm(expected)
        if (
            case.tolerance
            and key in policy.rules
            and policy.rules[key].unit == "tenge"
            and isinstance(got, Decimal)
            and isinstance(want, Decimal)
        ):  # a per-employer mapping: exact
            gap = abs(got - want)
            if gap > case.tolerance:
                out.failures.append(
                    _(
                        "{key}: want {want} ± {tolerance}, got {got} (off by {gap})",
                        key=key,
                        want=_show(expected),
                        tolerance=_show(case.tolerance),
                        got=_show(actual),
                        gap=_show(gap),
                    )
                )
        elif got != want:
            out.failures.append(_("{key}: want {want}, got {got}", key=key, want=_show(expected), got=_show(actual)))
    if out.failures:
        names = [k for k in case.want if k in policy.rules]
        tree = explain(ev, i, case.month, names or None, lang)
        out.explanation = render(tree, policy, lang)
    return out


def _show(v: Any) -> str:
    if isinstance(v, Decimal):
        return format(v.normalize(), "f")
    if isinstance(v, str):  # quoted, so that the text "9000" is not mistaken for the amount 9000
        return repr(v)
    return str(v)


def law_coverage(policy: PolicySet, seen: Exercised) -> dict[str, Any]:
    """What of the law no case exercises: dated values, rule versions, categories, services, status routes."""
    lo, hi = policy.covers
    start, stop = month_end(lo - 1), month_end(hi)  # entries in force within the covered months

    def relevant(entries):  # type: ignore[no-untyped-def]
        out = []
        for k, e in enumerate(entries):
            nxt = entries[k + 1].start if k + 1 < len(entries) else None
            if e.no_value is None and e.start <= stop and (nxt is None or nxt > start):
                out.append(e)
        return out

    readers = _readers(policy)

    def read(name: str, entries, k: int) -> bool:  # type: ignore[no-untyped-def]
        """Whether any formula in force while entry k holds reads the parameter (status ones always are)."""
        if name not in readers:
            return True
        lo_d = entries[k].start
        hi_d = entries[k + 1].start if k + 1 < len(entries) else dt.date.max
        return any(a < hi_d and lo_d < b for a, b in readers[name])

    groups: dict[str, tuple[list[str], list[str]]] = {}
    values = [
        (n, e.start)
        for n, p in policy.parameters.items()
        for k, e in enumerate(p.timeline.entries)
        if e in relevant(p.timeline.entries) and read(n, p.timeline.entries, k)
    ]
    groups["parameter values"] = _split(values, seen.values, lambda k: f"{k[0]} from {k[1]}")
    versions = [(n, e.start) for n, r in policy.rules.items() for e in relevant(r.timeline.entries)]
    groups["rule versions"] = _split(versions, seen.versions, lambda k: f"{k[0]} from {k[1]}")
    groups["categories"] = _split(list(policy.categories), seen.categories, str)
    services = [(n, e.start) for n, s in policy.services.items() for e in relevant(s.timeline.entries)]
    groups["service versions"] = _split(services, seen.services, lambda k: f"{k[0]} from {k[1]}")
    groups["status routes"] = _split(REASON_CODES, seen.reasons, str)
    total = sum(len(a) for a, _ in groups.values())
    covered = sum(len(a) - len(m) for a, m in groups.values())
    return {
        "groups": {k: {"total": len(a), "missing": m} for k, (a, m) in groups.items()},
        "total": total,
        "covered": covered,
        "percent": round(100 * covered / total, 1) if total else 100.0,
    }


def _readers(policy: PolicySet) -> dict[str, list[tuple[dt.date, dt.date]]]:
    """For each parameter a formula reads: the windows of the rule or category versions that read it."""
    out: dict[str, list[tuple[dt.date, dt.date]]] = {}
    timelines: list[Timeline[Any]] = [r.timeline for r in policy.rules.values()]
    timelines += [c.timeline for c in policy.categories.values()]
    for tl in timelines:
        for k, e in enumerate(tl.entries):
            if e.no_value is not None:
                continue
            end = tl.entries[k + 1].start if k + 1 < len(tl.entries) else dt.date.max
            for f in e.value.formulas():
                for name in f.names:
                    if name in policy.parameters:
                        out.setdefault(name, []).append((e.start, end))
    return out


def _split(items, seen, show):  # type: ignore[no-untyped-def]
    return [show(k) for k in items], [show(k) for k in items if k not in seen]
