"""The calculator page: server-rendered HTML in the asked language, with the words its script needs inlined."""

from __future__ import annotations

import datetime as dt
import html
import json
from functools import lru_cache
from importlib import resources

from ..outputs.records import output_rules
from ..policy import PolicySet
from .i18n import PAGE, PAYER_TYPES, RESIDENCIES, words

BUDGET_PAYERS = ("state", "local")  # payers of the schema's `payer` vocabulary that are budgets, not persons


@lru_cache(maxsize=8)
def asset(name: str) -> str:
    return resources.files("osms.serve").joinpath("static").joinpath(name).read_text(encoding="utf-8")


def _options(values: tuple[str, ...], lang: str, selected: str) -> str:
    return "".join(
        f'<option value="{v}"{" selected" if v == selected else ""}>{html.escape(PAGE[v][lang])}</option>'
        for v in values
    )


def render(policy: PolicySet, lang: str) -> str:
    w = {k: html.escape(v) for k, v in words(lang).items()}
    switch = " ".join(
        f'<a href="?lang={code}" hreflang="{code}" lang="{code}"'
        + (' aria-current="true"' if code == lang else "")
        + f">{name}</a>"
        for code, name in (("ru", "Русский"), ("kk", "Қазақша"), ("en", "English"))
    )
    # What a person or an employer pays (the budgets' own contributions are not paid by a payment they record),
    # with its payer; those due under the version in force on the set's as-of date first (a version that reads no
    # fact or parameter is a constant, such as the 0 left when a regime ended).
    today = dt.date.fromisoformat(policy.as_of)
    paid = [r for r in output_rules(policy) if r.payer and r.payer not in BUDGET_PAYERS]
    kinds = [[r.name, r.label[lang], r.payer] for r in sorted(paid, key=lambda r: not r.computes_on(today))]
    data = {
        "lang": lang,
        "words": words(lang),
        "reasons": {k: v[lang] for k, v in policy.outcomes["status"].items()},
        "kinds": kinds,
        "policy": policy.stamp,
        "order": [r.name for r in output_rules(policy)],
        "total": policy.roles.rule("total"),
    }
    script_data = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    year, month = policy.as_of[:4], policy.as_of[5:7]
    fields = {
        "LANG": lang,
        "SWITCH": switch,
        "RESIDENCY_OPTIONS": _options(RESIDENCIES, lang, "citizen"),
        "PAYER_OPTIONS": _options(PAYER_TYPES, lang, "employee"),
        "DATA": script_data,
        "MONTH": f"{year}-{month}",
        "DAY": policy.as_of,
        "POLICY": html.escape(f"{policy.id} {policy.version} ({policy.fingerprint[:19]}…)"),
        "CSS": asset("page.css"),
        "JS": asset("page.js"),
    }
    out = asset("page.html")
    for key, value in {**{f"W.{k}": v for k, v in w.items()}, **fields}.items():
        out = out.replace("{{" + key + "}}", value)
    return out
