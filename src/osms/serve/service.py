"""What each endpoint answers, as plain data: the CLI's own code paths (runner, report, explain, coverage) fed
from JSON request bodies instead of files. Nothing here imports the web framework."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..cli.common import date_arg, month_arg, require_covered, require_known
from ..core.dates import format_month, month_of
from ..core.errors import Collector, OsmsError
from ..core.messages import _
from ..inputs.scenario import parse_scenario
from ..inputs.scenario_model import Scenario
from ..outputs.parameter_report import parameter_docs
from ..outputs.records import envelope
from ..policy import PolicySet, UndefinedAt
from ..policy.bibliography import cited, gaps, source_docs
from .inputs import require_keys, scenario_documents
from .limits import MAX_RECORDS, TooLarge


def scenarios_of(policy: PolicySet, body: Any, many: bool) -> list[Scenario]:
    """Parse every scenario of a request, reporting every problem at once (each with its field path)."""
    errors = Collector()
    out = []
    for n, (where, doc) in enumerate(scenario_documents(body, many)):
        try:
            out.append(parse_scenario(doc, where, policy, f"scenario-{n + 1}"))
        except OsmsError as exc:
            errors.extend([exc])
    errors.raise_if_any()
    return out


def _string(body: dict[str, Any], key: str) -> str | None:
    value = body.get(key)
    if value is not None and not isinstance(value, str):
        raise OsmsError(_("{value} is not a string", value=repr(value)), field=key)
    return value


def _months(policy: PolicySet, body: dict[str, Any]) -> tuple[list[int], dt.date | None]:
    """The months asked for (`month`, `from`/`to` or `on`), each within what the policy set covers."""
    month, first, last, on = (_string(body, k) for k in ("month", "from", "to", "on"))
    given = [k for k, v in (("month", month), ("from", first), ("on", on)) if v is not None]
    if len(given) != 1 or (first is None) != (last is None):
        raise OsmsError(_("give exactly one of `month` (YYYY-MM), `from` and `to` (YYYY-MM), or `on` (YYYY-MM-DD)"))
    if on is not None:
        day = date_arg(on, "on")
        require_covered(month_of(day), policy.covers, on, "on")
        return [month_of(day)], day
    if month is not None:
        ms = [month_arg(month, "month")]
    else:
        assert first is not None and last is not None
        a, b = month_arg(first, "from"), month_arg(last, "to")
        if b < a:
            raise OsmsError(_("`to` {last} is before `from` {first}", last=last, first=first), field="to")
        ms = list(range(a, b + 1))
    for m in ms:
        require_covered(m, policy.covers, format_month(m), "month")
    return ms, None


def calculate(policy: PolicySet, body: Any, lang: str) -> dict[str, Any]:
    """`osms-eval run --format json` for the scenarios of the body; with `on`, the status is the one on that day."""
    from ..outputs.records import full_record, records
    from ..runs.scenarios import evaluate

    require_keys(body, {"scenario", "scenarios", "month", "from", "to", "on"})
    ms, day = _months(policy, body)
    count = len(body["scenarios"]) if isinstance(body.get("scenarios"), list) else 1
    if count * len(ms) > MAX_RECORDS:
        raise TooLarge(
            f"{count} scenarios × {len(ms)} months = {count * len(ms)} records; the limit is "
            f"{MAX_RECORDS} a request (ask for fewer months or split the scenarios)"
        )
    scenarios = scenarios_of(policy, body, many=True)
    ev = evaluate(policy, scenarios, ms, lang)
    if day is None:
        recs = records(ev, ms)
    else:
        st = ev.status(day)
        recs = sorted(
            (full_record(ev, ev.results[ms[0]], st, i) for i in range(len(scenarios))),
            key=lambda r: (r["scenario"], r["month"]),
        )
    return envelope(policy, recs)


def explain(policy: PolicySet, body: Any, lang: str) -> dict[str, Any]:
    """`osms-eval explain --format json`."""
    from ..outputs.explain import explain as tree_of
    from ..runs.scenarios import evaluate

    require_keys(body, {"scenario", "month", "outputs"})
    month = _string(body, "month")
    if month is None:
        raise OsmsError(_("give `month` (YYYY-MM)"), field="month")
    m = month_arg(month, "month")
    require_covered(m, policy.covers, month, "month")
    outputs = body.get("outputs") or []
    if not isinstance(outputs, list) or not all(isinstance(o, str) for o in outputs):
        raise OsmsError(_("`outputs` must be a list of output names"), field="outputs")
    require_known("output", outputs, list(policy.rules), "outputs")
    (sc,) = scenarios_of(policy, body, many=False)
    ev = evaluate(policy, [sc], [m], lang)
    return envelope(policy, [tree_of(ev, 0, m, list(outputs) or None, lang)])


def coverage(policy: PolicySet, body: Any, lang: str) -> dict[str, Any]:
    """`osms-eval coverage --format json`."""
    from ..outputs.services import coverage as cover
    from ..runs.scenarios import evaluate

    require_keys(body, {"scenario", "on", "services"})
    on = _string(body, "on")
    day = date_arg(on or policy.as_of, "on")
    m = month_of(day)
    require_covered(m, policy.covers, str(day), "on")
    services = body.get("services") or []
    if not isinstance(services, list) or not all(isinstance(s, str) for s in services):
        raise OsmsError(_("`services` must be a list of service ids"), field="services")
    require_known("service", services, list(policy.services), "services")
    (sc,) = scenarios_of(policy, body, many=False)
    ev = evaluate(policy, [sc], [m], lang)
    ids = list(services) or [s for s in policy.services if policy.services[s].timeline.exists_at(day)]
    doc = envelope(policy, [cover(ev, 0, sid, day, lang) for sid in ids])
    doc["scenario"] = sc.id
    return doc


def _cite(entry: Any, policy: PolicySet, lang: str) -> dict[str, Any]:
    ref = entry.prov.reference
    return {
        "from": entry.start.isoformat(),
        "citation": ref.cite() + gaps(ref.unknown, lang),
        "url": ref.url,
        "sources": cited(policy.sources, ref.sources, lang),
        "confidence": entry.prov.confidence,
        "assumption": entry.prov.assumption[lang] if entry.prov.assumption else None,
        "note": entry.prov.note,
    }


def parameters(policy: PolicySet, name: str | None, at: str | None, lang: str) -> dict[str, Any]:
    """`osms-eval params --format json` (the same documents, with the engine stamp added)."""
    if name is not None:
        require_known("parameter", [name], list(policy.parameters), "name")
    day = date_arg(at, "at") if at else None
    try:
        docs = parameter_docs(policy, [name] if name else list(policy.parameters), day, lang, bool(name))
    except UndefinedAt as exc:
        raise OsmsError(exc.message, field="at") from None
    return {**_stamp(policy), "at": at, "parameters": docs}


def categories(policy: PolicySet, lang: str) -> dict[str, Any]:
    """The preferential categories: label, number in the law, and each dated version with its payer and condition."""
    out = []
    for c in policy.categories.values():
        versions = []
        for e in c.timeline.entries:
            v: dict[str, Any] = {**_cite(e, policy, lang), "in_force": e.no_value is None}
            if e.payload is not None:
                cond = e.payload.condition
                v.update({"payer": e.payload.payer, "condition": cond.text if cond is not None else None})
            else:
                v["no_value"] = e.no_value
            versions.append(v)
        out.append({"id": c.name, "label": c.label[lang], "number": c.number, "versions": versions})
    return {**_stamp(policy), "categories": out}


def services(policy: PolicySet, lang: str) -> dict[str, Any]:
    """The care catalogue: each service and the package it belongs to, by date."""
    out = []
    for s in policy.services.values():
        out.append(
            {
                "id": s.name,
                "label": s.label[lang],
                "versions": [
                    {**_cite(e, policy, lang), "package": e.payload, "no_value": e.no_value} for e in s.timeline.entries
                ],
            }
        )
    return {**_stamp(policy), "services": out}


def sources(policy: PolicySet, lang: str) -> dict[str, Any]:
    """The bibliography and every place each source is used (as `osms-eval sources --format json`)."""
    return {**_stamp(policy), "sources": source_docs(policy, sorted(policy.sources), lang)}


def _stamp(policy: PolicySet) -> dict[str, Any]:
    doc = envelope(policy, [])
    del doc["results"]
    return doc
