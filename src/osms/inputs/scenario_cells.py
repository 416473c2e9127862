"""A scenario's cells read strictly: spells (from/to), amounts in tenge and tiyn, amounts by month."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..core.dates import (
    DateFormatError,
    month_end,
    month_start,
    parse_date,
    parse_month,
)
from ..core.errors import Collector
from ..core.messages import _
from ..policy.loading import field_name, line_of
from .scenario_model import Spell


def spell_of(d: dict[str, Any], doc: Any, path: list[str | int], file: str, errors: Collector) -> Spell | None:
    try:
        start_text = d["from"]
        start = parse_date(start_text) if len(start_text) == 10 else month_start(parse_month(start_text))
        end = None
        if "to" in d:
            to = d["to"]
            end = parse_date(to) if len(to) == 10 else month_end(parse_month(to))
    except DateFormatError as exc:
        errors.add(str(exc), file=file, line=line_of(doc, path), field=field_name(path))
        return None
    if end is not None and end < start:
        errors.add(
            _("'to' ({end}) is before 'from' ({start})", end=end, start=start),
            file=file,
            line=line_of(doc, [*path, "to"]),
            field=field_name([*path, "to"]),
        )
        return None
    return Spell(start, end)


def money_of(value: Any, doc: Any, path: list[str | int], file: str, errors: Collector) -> Decimal:
    d = Decimal(value)
    if d != d.quantize(Decimal("0.01")):
        errors.add(
            _("{value} has more than two decimals; amounts are in tenge and tiyn", value=value),
            file=file,
            line=line_of(doc, path),
            field=field_name(path),
        )
    return d


def monthly_of(
    mapping: dict[str, Any], doc: Any, path: list[str | int], file: str, errors: Collector
) -> dict[int, Decimal]:
    out: dict[int, Decimal] = {}
    for k, v in mapping.items():
        try:
            out[parse_month(k)] = money_of(v, doc, [*path, k], file, errors)
        except DateFormatError as exc:
            errors.add(str(exc), file=file, line=line_of(doc, [*path, k]), field=field_name([*path, k]))
    return out
