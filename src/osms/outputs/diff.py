"""What a change in law does: the semantic diff of two policy sets, and its impact on a corpus of scenarios."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..core.dates import format_month
from ..core.errors import OsmsError
from ..core.messages import N_, _, current
from ..inputs.scenario_model import Scenario
from ..policy import CategoryVersion, Dated, PolicySet, RuleVersion, Timeline
from ..policy.bibliography import cited
from ..runs.scenarios import evaluate
from .records import output_rules, records

# What the engine itself adds to every record, beside the policies' output rules: who pays, the categories that
# apply, the insured status and the ОСМС package (engine concepts, not names from the law).
ENGINE_OUTPUTS = ("payer", "categories", "insured", "insured_reason", "insured_until", "osms_package")


def compared_outputs(base: PolicySet, head: PolicySet) -> list[str]:
    """The outputs whose change is an impact: every output rule of either policy set (so a rule added only in
    YAML shows up), in the order records list them, then the engine's own outputs."""
    names = [r.name for r in output_rules(head)]
    names += [r.name for r in output_rules(base) if r.name not in names]
    return [*names, *ENGINE_OUTPUTS]


def _entry_view(e: Dated[Any]) -> Any:
    if e.no_value is not None:
        return {"no_value": e.no_value}
    v = e.value
    if isinstance(v, RuleVersion):
        return {"formula": v.formula.text}
    if isinstance(v, CategoryVersion):
        return {"payer": v.payer, "condition": v.condition.text if v.condition else None}
    return {"package" if isinstance(v, str) else "value": v}


def _timeline_changes(
    kind: str,
    name: str,
    label: str,
    old: Timeline | None,
    new: Timeline | None,
    sources: tuple[PolicySet, PolicySet],
    lang: str,
) -> list[dict[str, Any]]:
    out = []
    a = {e.start: e for e in (old.entries if old else [])}
    b = {e.start: e for e in (new.entries if new else [])}
    for start in sorted(set(a) | set(b)):
        ea, eb = a.get(start), b.get(start)
        va = _entry_view(ea) if ea else None
        vb = _entry_view(eb) if eb else None
        cite_a = ea.prov.reference.cite() if ea else None
        cite_b = eb.prov.reference.cite() if eb else None
        conf_a = ea.prov.confidence if ea else None
        conf_b = eb.prov.confidence if eb else None
        if va == vb and cite_a == cite_b and conf_a == conf_b:
            continue
        change = "added" if ea is None else "removed" if eb is None else "changed"
        if change == "added" and old is not None:
            # A new entry that repeats what was already in force (a new act restating the same value).
            prev = [e for e in old.entries if e.start < start]
            if prev and prev[-1].no_value is None and _entry_view(prev[-1]) == vb:
                change = "restated"
        entry = eb or ea
        assert entry is not None  # the start is one of either set's entries
        prov = entry.prov
        bib = (sources[1] if eb else sources[0]).sources
        out.append(
            {
                "kind": kind,
                "name": name,
                "label": label,
                "from": start.isoformat(),
                "change": change,
                "old": va,
                "new": vb,
                "citation": cite_b or cite_a,
                "url": prov.reference.url,
                "sources": cited(bib, prov.reference.sources, lang),
                "confidence": prov.confidence,
                "where": f"{prov.file}:{prov.line}",
            }
        )
    return out


def semantic_diff(base: PolicySet, head: PolicySet, lang: str) -> list[dict[str, Any]]:
    """Every dated value, formula, category version and service entry that differs, oldest date first."""
    changes: list[dict[str, Any]] = []
    for kind, get in (
        ("parameter", lambda p: p.parameters),
        ("rule", lambda p: p.rules),
        ("category", lambda p: p.categories),
        ("service", lambda p: p.services),
    ):
        ga, gb = get(base), get(head)
        for name in sorted(set(ga) | set(gb)):
            oa, ob = ga.get(name), gb.get(name)
            label = (ob or oa).label[lang]
            changes += _timeline_changes(
                kind, name, label, oa.timeline if oa else None, ob.timeline if ob else None, (base, head), lang
            )
    changes += _role_changes(base, head)
    changes.sort(key=lambda c: (c["from"], c["kind"], c["name"]))
    return changes


def _role_changes(base: PolicySet, head: PolicySet) -> list[dict[str, Any]]:
    """A role of the engine bound to another name: not a dated change in law, so it holds from the first covered
    month, and it is shown so a rebinding never changes results unannounced."""
    a, b = base.roles.bound(), head.roles.bound()
    out: list[dict[str, Any]] = []
    for key in sorted(set(a) | set(b)):
        if a.get(key) == b.get(key):
            continue
        file, line = (head.roles if key in b else base.roles).lines[key]
        kind, role = key.split(".")
        out.append(
            {
                "kind": "role",
                "name": role,
                "label": f"{kind[:-1]} bound to the engine's role {role}",
                "from": f"{format_month(min(base.covers[0], head.covers[0]))}-01",
                "change": "changed",
                "old": {"bound": a.get(key)},
                "new": {"bound": b.get(key)},
                "citation": f"{file}, roles:",
                "url": None,
                "sources": [],
                "confidence": "—",
                "where": f"{file}:{line}",
            }
        )
    return out


@dataclass
class Impact:
    scenario: str
    output: str
    first: str
    last: str
    before: Any
    after: Any


@dataclass
class DiffReport:
    base: str
    head: str
    base_stamp: dict[str, str]
    head_stamp: dict[str, str]
    changes: list[dict[str, Any]]
    impacts: list[Impact] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.changes or self.impacts)


def _evaluate(policy: PolicySet, scenarios: list[Scenario], months: list[int]) -> dict[tuple[str, str], Any]:
    ev = evaluate(policy, scenarios, months, strict=False)
    out = {(r["scenario"], r["month"]): r for r in records(ev, months)}
    for m in months:
        for inv in ev.results[m].invalid:
            for i, flag in enumerate(inv.mask):
                if flag:
                    rec = out[(scenarios[i].id, format_month(m))]
                    rec[inv.node] = _("error: {message}", message=inv.check.message[current()])
    return out


def _simplify(v: Any) -> Any:
    if isinstance(v, dict) and "total" in v:
        return v["total"]
    if isinstance(v, list) and v and isinstance(v[0], dict):
        return [c["id"] for c in v if not c.get("not_in_force")]
    return v


def impact(base: PolicySet, head: PolicySet, scenarios: list[Scenario]) -> tuple[list[Impact], list[str]]:
    """For each scenario and output, the stretches of months where the two policy sets give different answers."""
    lo = max(base.covers[0], head.covers[0])
    hi = min(base.covers[1], head.covers[1])
    months = list(range(lo, hi + 1))
    errors: list[str] = []
    try:
        before = _evaluate(base, scenarios, months)
        after = _evaluate(head, scenarios, months)
    except OsmsError as exc:
        return [], [str(exc)]
    impacts: list[Impact] = []
    compared = compared_outputs(base, head)
    for sc in scenarios:
        for out in compared:
            run: Impact | None = None
            for m in months:
                key = (sc.id, format_month(m))
                a, b = _simplify(before[key].get(out)), _simplify(after[key].get(out))
                if a != b:
                    if run and run.before == a and run.after == b:
                        run.last = key[1]
                    else:
                        run = Impact(sc.id, out, key[1], key[1], a, b)
                        impacts.append(run)
                else:
                    run = None
    return impacts, errors


# the kinds and changes as said in the text and markdown reports (the JSON report keeps these codes)
WORDS = (
    N_("parameter"),
    N_("rule"),
    N_("category"),
    N_("service"),
    N_("added"),
    N_("removed"),
    N_("changed"),
    N_("restated"),
)


def _fmt(v: Any) -> str:
    if v is None:
        return "—"
    if isinstance(v, bool):
        return _("yes") if v else _("no")
    if isinstance(v, Decimal):
        from .records import fmt_amount

        return fmt_amount(v)
    if isinstance(v, dict):
        return "; ".join(f"{k}: {_fmt(x)}" for k, x in v.items())
    if isinstance(v, list):
        return ", ".join(map(str, v)) or "—"
    return str(v)


def _months(i: Impact) -> str:
    return i.first if i.first == i.last else f"{i.first} … {i.last}"


def _md_sources(c: dict[str, Any]) -> str:
    """The sources of a change as markdown links (a title alone where the address is unknown)."""
    parts = [f"[{s['title']}]({s['address']})" if s["address"] else s["title"] for s in c["sources"]]
    return ("<br>" + "; ".join(p.replace("|", "\\|") for p in parts)) if parts else ""


def to_markdown(r: DiffReport) -> str:
    lines = [
        _("## Policy diff: `{base}` → `{head}`", base=r.base, head=r.head),
        "",
        _(
            "Fingerprints: `{base}…` → `{head}…`",
            base=r.base_stamp["fingerprint"][:23],
            head=r.head_stamp["fingerprint"][:23],
        ),
        "",
    ]
    if not r.changed:
        lines.append(_("No change in the law or in any scenario's result."))
        return "\n".join(lines) + "\n"
    lines += [
        _("### What changes in the law ({count})", count=len(r.changes)),
        "",
        _("| from | kind | name | change | before | after | citation |"),
        "|---|---|---|---|---|---|---|",
    ]
    for c in r.changes:
        lines.append(
            f"| {c['from']} | {_(c['kind'])} | `{c['name']}` {c['label']} | {_(c['change'])} | "
            f"{_fmt(c['old'])} | {_fmt(c['new'])} | {c['citation']} [{c['confidence']}]{_md_sources(c)} |"
        )
    lines += ["", _("### Who is affected ({count} changed results)", count=len(r.impacts)), ""]
    if r.impacts:
        lines += [_("| scenario | output | months | before | after |"), "|---|---|---|---|---|"]
        for i in r.impacts:
            lines.append(f"| {i.scenario} | `{i.output}` | {_months(i)} | {_fmt(i.before)} | {_fmt(i.after)} |")
    else:
        lines.append(_("No scenario's result changes."))
    for e in r.errors:
        lines.append("\n> " + _("error: {message}", message=e))
    return "\n".join(lines) + "\n"


def to_text(r: DiffReport) -> str:
    lines = [_("policy diff: {base} → {head}", base=r.base, head=r.head)]
    if not r.changed:
        return lines[0] + "\n" + _("no change") + "\n"
    lines.append("\n" + _("what changes in the law ({count}):", count=len(r.changes)))
    for c in r.changes:
        lines.append(
            "  " + _("from {day}", day=c["from"]) + f"  {_(c['kind'])} {c['name']} ({c['label']}): "
            f"{_(c['change'])}, {_fmt(c['old'])} → {_fmt(c['new'])}"
        )
        lines.append(f"      {c['citation']} [{c['confidence']}]  {c['where']}")
        lines.extend(f"        – {src['text']}" for src in c["sources"])
    lines.append("\n" + _("who is affected ({count} changed results):", count=len(r.impacts)))
    for i in r.impacts:
        lines.append(f"  {i.scenario:24} {i.output:28} {_months(i):19} {_fmt(i.before)} → {_fmt(i.after)}")
    for e in r.errors:
        lines.append(_("error: {message}", message=e))
    return "\n".join(lines) + "\n"


def to_doc(r: DiffReport) -> dict[str, Any]:
    return {
        "base": {"spec": r.base, **r.base_stamp},
        "head": {"spec": r.head, **r.head_stamp},
        "changed": r.changed,
        "changes": r.changes,
        "impacts": [i.__dict__ for i in r.impacts],
        "errors": r.errors,
    }
