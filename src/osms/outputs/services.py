"""Is a service covered for a person on a date, under which package, and why."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..core.dates import month_of
from ..engine.status import REASON_CODES
from ..runs.scenarios import Evaluation


def coverage(ev: Evaluation, i: int, service_id: str, day: dt.date, lang: str) -> dict[str, Any]:
    """One service for person i on `day`; raises if the catalogue has no entry for that date."""
    policy = ev.policy
    entry = policy.services[service_id].timeline.at(day)
    package = entry.payload
    res = ev.results[month_of(day)]
    st = ev.status(day)
    insured = bool(st.insured[i])
    status_reason = REASON_CODES[int(st.reason[i])]
    if package == "everyone":
        covered, why = True, "everyone"
    elif package == "gobmp":
        covered = bool(res.values[policy.roles.rule("basic_entitled")][i])
        why = "gobmp" if covered else "gobmp_no"
    else:
        participant = bool(res.values[policy.roles.rule("participant")][i])
        covered = participant and insured
        why = "osms" if covered else ("osms_not_participant" if not participant else "osms_no")
    ref = entry.prov.reference
    return {
        "service": service_id,
        "label": policy.services[service_id].label[lang],
        "on": day.isoformat(),
        "covered": covered,
        "package": package,
        "why": why,
        "explanation": policy.outcomes["services"][why][lang],
        "insured": insured,
        "insured_reason": status_reason,
        "insured_reason_text": policy.outcomes["status"][status_reason][lang],
        "payments_assumed": bool(ev.history.assumed[i]),  # the scenario lists none: taken as made on time
        "citation": ref.cite(),
        "sources": list(ref.sources),
        "confidence": entry.prov.confidence,
        "assumption": entry.prov.assumption[lang] if entry.prov.assumption else None,
        "note": entry.prov.note,
        "policy_file": f"{entry.prov.file}:{entry.prov.line}",
    }
