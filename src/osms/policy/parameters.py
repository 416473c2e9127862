"""Parameter values: exact decimals within bounds, or one value per choice of a choice fact and a fallback."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..core.messages import _
from .builder import Builder
from .loading import LineDict, field_name, line_of

MAX_PARAMETER = Decimal("1e15")


def parameter_payload(
    b: Builder, entry: LineDict, path: list[str | int], doc: LineDict, file: str, keyed: str | None
) -> Any:
    """A number, or for a parameter keyed by a choice fact {"by": {choice: Decimal}, "fallback": Decimal}."""
    value = entry["value"]
    if keyed is None:
        if isinstance(value, dict) or "fallback" in entry:
            b.errors.add(
                _("a value per choice and `fallback` need `keyed_by` on the parameter"),
                file=file,
                line=line_of(doc, [*path, "value"]),
                field=field_name([*path, "value"]),
            )
            return Decimal(0)
        return parameter_number(b, entry, path, doc, file)
    if not isinstance(value, dict) or "fallback" not in entry:
        b.errors.add(
            _("a parameter keyed by {fact} needs a map of values by choice and a `fallback`", fact=keyed),
            file=file,
            line=line_of(doc, [*path, "value"]),
            field=field_name([*path, "value"]),
        )
        return {"by": {}, "fallback": Decimal(0)}
    by = {k: parameter_number(b, {"value": v}, [*path, "value", k], doc, file) for k, v in value.items()}
    return {
        "by": by,
        "fallback": parameter_number(b, {"value": entry["fallback"]}, [*path, "fallback"], doc, file),
    }


def parameter_number(b: Builder, entry: dict[str, Any], path: list[str | int], doc: LineDict, file: str) -> Decimal:
    """A parameter value as an exact decimal; evaluation only checks division results for non-finite numbers,
    so every value must be a finite float too."""
    value = Decimal(entry["value"])
    if not abs(value) < MAX_PARAMETER:
        b.errors.add(
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


def check_keyed(b: Builder) -> None:
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
