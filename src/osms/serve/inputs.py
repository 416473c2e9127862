"""Request bodies: JSON parsed with exact decimals into the same shapes the YAML loader gives the scenario parser.

The scenario parser expects what `osms.policy.loading` produces — mappings and lists that carry line numbers, numbers as
int or Decimal, dates as strings — so a JSON scenario gets the very checks and messages a YAML file gets."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

from ..core.errors import OsmsError
from ..core.messages import _
from ..policy.loading import MAX_DEPTH, LineDict, LineList
from .limits import MAX_PAYMENTS, MAX_SCENARIOS, TooLarge

_DECIMAL_TEXT = re.compile(r"^\d{1,12}(\.\d{1,12})?$")
# Where a scenario holds money: a decimal string there ("4250.50") is taken as the exact number it spells.
_MONEY_LEAVES = {("jobs", "wage"), ("self_employed", "monthly_income"), ("payments", "amount")}
_MONEY_MAPS = {("jobs", "wages"), ("civil_contracts", "income"), ("self_employed", "income")}


def _reject_constant(name: str) -> Any:
    raise OsmsError(_("{name} is not a number; amounts are plain decimals", name=name))


def _decimal(text: str) -> Decimal:
    if "e" in text.lower():
        raise OsmsError(_("{text} is not a plain decimal number: write the digits out (e.g. 4250.50)", text=text))
    return Decimal(text)


def _pairs(pairs: list[tuple[str, Any]]) -> LineDict:
    out = LineDict()
    out.line = 0
    out.key_lines = {}
    for key, value in pairs:
        if key in out:
            raise OsmsError(_("duplicate key {key}: keep one", key=repr(key)))
        out[key] = value
    return out


def _lists(value: Any, depth: int = 0) -> Any:
    """Lists → LineList (without lines), recursively; refuses nesting deeper than the YAML loader allows."""
    if depth > MAX_DEPTH:
        raise OsmsError(_("nesting deeper than {limit} levels", limit=MAX_DEPTH))
    if isinstance(value, dict):
        for k in value:
            value[k] = _lists(value[k], depth + 1)
        return value
    if isinstance(value, list):
        out = LineList(_lists(v, depth + 1) for v in value)
        out.line = 0
        out.item_lines = [None] * len(out)  # type: ignore[list-item]
        return out
    return value


def parse_json(data: bytes) -> Any:
    """Bytes → data: UTF-8, no duplicate keys, no NaN/Infinity or exponents, every non-integer number a Decimal
    (never a binary float, so 0.1 stays 0.1)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise OsmsError(_("the body is not UTF-8 (byte {start})", start=exc.start)) from None
    try:
        doc = json.loads(text, parse_float=_decimal, parse_constant=_reject_constant, object_pairs_hook=_pairs)
    except json.JSONDecodeError as exc:
        raise OsmsError(
            _(
                "JSON syntax error: {msg} (line {lineno}, column {colno})",
                msg=exc.msg,
                lineno=exc.lineno,
                colno=exc.colno,
            )
        ) from None
    except RecursionError:
        raise OsmsError(_("nesting deeper than {limit} levels", limit=MAX_DEPTH)) from None
    return _lists(doc)


def _money_strings(doc: Any) -> None:
    """In place: decimal strings at money fields become Decimal; anything else is left for the schema to judge."""
    if not isinstance(doc, dict):
        return
    for section, key in _MONEY_LEAVES | _MONEY_MAPS:
        items = doc.get(section)
        if not isinstance(items, list):
            continue
        for item in items:
            if not isinstance(item, dict) or key not in item:
                continue
            if (section, key) in _MONEY_LEAVES:
                item[key] = _as_decimal(item[key])
            elif isinstance(item[key], dict):
                for month in item[key]:
                    item[key][month] = _as_decimal(item[key][month])


def _as_decimal(value: Any) -> Any:
    if isinstance(value, str) and _DECIMAL_TEXT.match(value):
        return Decimal(value)
    return value


def scenario_documents(body: Any, many: bool) -> list[tuple[str, Any]]:
    """The scenario documents of a request, each with the field path it came from (`scenarios[3]`).

    `many`: the body may hold `scenarios` (a list) or `scenario` (one); otherwise only `scenario`."""
    if many and "scenarios" in body:
        if "scenario" in body:
            raise OsmsError(_("give either `scenario` or `scenarios`, not both"), field="scenarios")
        items = body["scenarios"]
        if not isinstance(items, list) or not items:
            raise OsmsError(_("`scenarios` must be a non-empty list of scenarios"), field="scenarios")
        if len(items) > MAX_SCENARIOS:
            raise TooLarge(f"{len(items)} scenarios in one request; the limit is {MAX_SCENARIOS}")
        docs = [(f"scenarios[{i}]", d) for i, d in enumerate(items)]
    elif "scenario" in body:
        docs = [("scenario", body["scenario"])]
    else:
        raise OsmsError(
            _("give `scenarios` (a list) or `scenario`") if many else _("give `scenario`"), field="scenario"
        )
    for where, d in docs:
        pays = d.get("payments") if isinstance(d, dict) else None
        if isinstance(pays, list) and len(pays) > MAX_PAYMENTS:
            raise TooLarge(f"{where}: {len(pays)} payments; the limit is {MAX_PAYMENTS} per scenario")
        _money_strings(d)
    return docs


def require_keys(body: Any, allowed: set[str]) -> None:
    """The body is an object and has no key nobody reads."""
    if not isinstance(body, dict):
        raise OsmsError(_("the body must be a JSON object"))
    extra = sorted(set(body) - allowed)
    if extra:
        raise OsmsError(
            _("unknown key {key}; the keys are: {keys}", key=repr(extra[0]), keys=", ".join(sorted(allowed))),
            field=extra[0],
        )
