"""Parameters as documents: each one's dated values with citation, sources, confidence and assumption, in a language.

One builder for `osms-eval params --format json` and the web API's `/parameters`, so the two never drift.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..policy import PolicySet, UndefinedAt
from ..policy.bibliography import cited, gaps


def parameter_docs(
    policy: PolicySet, names: list[str], day: dt.date | None, lang: str, raise_undefined: bool
) -> list[dict[str, Any]]:
    """The documents for `names`; with `day`, only the value in force then (an error entry where none is, or the
    error itself with `raise_undefined`)."""
    docs: list[dict[str, Any]] = []
    for n in names:
        p = policy.parameters[n]
        entries = p.timeline.entries
        if day is not None:
            try:
                entries = [p.timeline.at(day)]
            except UndefinedAt as exc:
                if raise_undefined:
                    raise
                docs.append({"name": n, "label": p.label[lang], "unit": p.unit, "error": exc.message})
                continue
        docs.append(
            {
                "name": n,
                "label": p.label[lang],
                "unit": p.unit,
                "file": p.timeline.file,
                "values": [
                    {
                        "from": e.start.isoformat(),
                        "value": e.payload,
                        "no_value": e.no_value,
                        "citation": e.prov.reference.cite() + gaps(e.prov.reference.unknown, lang),
                        "unknown": dict(e.prov.reference.unknown),
                        "url": e.prov.reference.url,
                        "sources": cited(policy.sources, e.prov.reference.sources, lang),
                        "confidence": e.prov.confidence,
                        "assumption": e.prov.assumption[lang] if e.prov.assumption else None,
                        "note": e.prov.note,
                    }
                    for e in entries
                ],
            }
        )
    return docs
