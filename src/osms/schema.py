"""JSON Schemas for policy and scenario files, and validation that reports file, line and field.

The schemas are built here and also shipped as files in `osms/schemas/` so that an editor can be
pointed at them (`# yaml-language-server: $schema=...`); a test keeps the two identical.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from .errors import OsmsError
from .limits import cut
from .loading import field_name, line_of

NAME = r"^[a-z][a-z0-9_]{0,62}$"
DATE = r"^\d{4}-\d{2}-\d{2}$"
MONTH = r"^\d{4}-\d{2}$"
DATE_OR_MONTH = r"^\d{4}-\d{2}(-\d{2})?$"

LANGS = ("ru", "kk", "en")
UNITS = ("tenge", "rate", "multiple", "months", "years", "count", "bool", "date")
PAYERS = ("employer", "employee", "entrepreneur", "self_payer", "self_employed", "state", "local")

_text = {"type": "string", "minLength": 1, "maxLength": 4000}
_labels = {
    "type": "object",
    "description": "The same text in Russian, Kazakh and English; all three are required.",
    "properties": {lang: _text for lang in LANGS},
    "required": list(LANGS),
    "additionalProperties": False,
}
_reference = {
    "type": "object",
    "description": "Where the value comes from in law. `sources` are keys of the research table "
                   "(shared/law/osms-law.md §13).",
    "properties": {
        "act": {**_text, "description": "Title of the act, e.g. Закон РК «Об ОСМС»"},
        "number": {**_text, "description": "Number of the act, e.g. 405-V"},
        "article": {**_text, "description": "Article, point, subpoint, e.g. ст. 27 п. 2-2"},
        "adopted": {"type": "string", "pattern": DATE, "description": "Date of adoption"},
        "url": {"type": "string", "pattern": r"^https?://\S+$"},
        "sources": {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1},
    },
    "required": ["act", "sources"],
    "additionalProperties": False,
}
_confidence = {
    "enum": ["C", "S", "I"],
    "description": "C confirmed by two sources, S a single source, I inferred. S and I need an `assumption`.",
}
_needs_assumption = {
    "if": {"properties": {"confidence": {"enum": ["S", "I"]}}, "required": ["confidence"]},
    "then": {"required": ["assumption"]},
}
_dated_common = {
    "reference": _reference,
    "confidence": _confidence,
    "assumption": {**_text, "description": "The documented assumption behind an S or I value"},
    "note": _text,
}
_number = {"type": "number"}
_parameter_value = {
    "type": "object",
    "properties": {
        "value": {**_number, "description": "The value from this date until the next dated entry"},
        "no_value": {**_text, "description": "No value from this date: repealed, or not yet set by law. "
                                             "Asking for it is an error that quotes this text."},
        **_dated_common,
    },
    "oneOf": [{"required": ["value"]}, {"required": ["no_value"]}],
    "required": ["reference", "confidence"],
    "additionalProperties": False,
    **_needs_assumption,
}
_rounding = {
    "type": "object",
    "properties": {
        "step": {"type": "number", "exclusiveMinimum": 0},
        "mode": {"enum": ["half_up", "floor", "ceiling"]},
    },
    "required": ["step", "mode"],
    "additionalProperties": False,
}
_invalid_if = {
    "type": "object",
    "description": "A condition on the facts under which this rule version cannot give an answer: "
                   "the person is reported as an error, never silently given 0.",
    "properties": {"when": _text, "message": _labels},
    "required": ["when", "message"],
    "additionalProperties": False,
}
_rule_version = {
    "type": "object",
    "properties": {
        "formula": {**_text, "description": "An expression over parameters, facts and other rules"},
        "no_value": _text,
        "invalid_if": {"type": "array", "items": _invalid_if},
        **_dated_common,
    },
    "oneOf": [{"required": ["formula"]}, {"required": ["no_value"]}],
    "required": ["reference", "confidence"],
    "additionalProperties": False,
    **_needs_assumption,
}
_dated_map = {"type": "object", "propertyNames": {"pattern": DATE}, "minProperties": 1}

POLICY_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://osms-eval.example/schemas/policy.schema.json",
    "title": "osms-eval policy file",
    "description": "One file of an ОСМС policy set: the set's header, parameters, rules, categories or services.",
    "type": "object",
    "properties": {
        "policy_set": {
            "type": "object",
            "properties": {
                "id": {"type": "string", "pattern": NAME},
                "version": {"type": "string", "pattern": r"^\d+\.\d+\.\d+([-+.][0-9A-Za-z.]+)?$"},
                "title": _labels,
                "as_of": {"type": "string", "pattern": DATE,
                          "description": "The date up to which the law was read for this set"},
                "covers": {"type": "object",
                           "properties": {"from": {"type": "string", "pattern": MONTH},
                                          "to": {"type": "string", "pattern": MONTH}},
                           "required": ["from", "to"], "additionalProperties": False},
                "rounding": {**_rounding, "description": "Default rounding of tenge outputs"},
                "month_rule": {"enum": ["first_day"],
                               "description": "Which day of a month parameters are read on"},
                "note": _text,
            },
            "required": ["id", "version", "title", "as_of", "covers", "rounding", "month_rule"],
            "additionalProperties": False,
        },
        "parameters": {
            "type": "object",
            "propertyNames": {"pattern": NAME},
            "additionalProperties": {
                "type": "object",
                "properties": {
                    "label": _labels,
                    "description": _labels,
                    "unit": {"enum": list(UNITS)},
                    "values": {**_dated_map, "additionalProperties": _parameter_value},
                },
                "required": ["label", "unit", "values"],
                "additionalProperties": False,
            },
        },
        "rules": {
            "type": "object",
            "propertyNames": {"pattern": NAME},
            "additionalProperties": {
                "type": "object",
                "properties": {
                    "label": _labels,
                    "description": _labels,
                    "unit": {"enum": list(UNITS)},
                    "entity": {"enum": ["person", "job"]},
                    "payer": {"enum": list(PAYERS)},
                    "output": {"type": "boolean"},
                    "rounding": {"oneOf": [_rounding, {"const": "none"}]},
                    "versions": {**_dated_map, "additionalProperties": _rule_version},
                },
                "required": ["label", "unit", "versions"],
                "additionalProperties": False,
            },
        },
        "categories": {
            "type": "object",
            "propertyNames": {"pattern": NAME},
            "additionalProperties": {
                "type": "object",
                "properties": {
                    "label": _labels,
                    "number": {"type": "integer", "minimum": 1},
                    "versions": {
                        **_dated_map,
                        "additionalProperties": {
                            "type": "object",
                            "properties": {
                                "payer": {"enum": ["republican", "local"]},
                                "condition": {**_text, "description": "When the facts make a person a member"},
                                "no_value": _text,
                                **_dated_common,
                            },
                            "oneOf": [{"required": ["payer"]}, {"required": ["no_value"]}],
                            "required": ["reference", "confidence"],
                            "additionalProperties": False,
                            **_needs_assumption,
                        },
                    },
                },
                "required": ["label", "versions"],
                "additionalProperties": False,
            },
        },
        "facts": {
            "type": "object",
            "description": "Facts a scenario may state under `facts:` (absent means false or 0)",
            "propertyNames": {"pattern": NAME},
            "additionalProperties": {
                "type": "object",
                "properties": {"label": _labels, "type": {"enum": ["bool", "number"]},
                               "unit": {"enum": list(UNITS)}},
                "required": ["label", "type"],
                "additionalProperties": False,
            },
        },
        "services": {
            "type": "object",
            "propertyNames": {"pattern": NAME},
            "additionalProperties": {
                "type": "object",
                "properties": {
                    "label": _labels,
                    "versions": {
                        **_dated_map,
                        "additionalProperties": {
                            "type": "object",
                            "properties": {
                                "package": {"enum": ["gobmp", "osms", "everyone"],
                                            "description": "gobmp: ГОБМП-eligible residents regardless of "
                                                           "insured status; osms: insured persons only; "
                                                           "everyone: regardless of status and residency"},
                                "no_value": _text,
                                **_dated_common,
                            },
                            "oneOf": [{"required": ["package"]}, {"required": ["no_value"]}],
                            "required": ["reference", "confidence"],
                            "additionalProperties": False,
                            **_needs_assumption,
                        },
                    },
                },
                "required": ["label", "versions"],
                "additionalProperties": False,
            },
        },
    },
    "additionalProperties": False,
    "minProperties": 1,
}

_spell = {
    "from": {"type": "string", "pattern": DATE_OR_MONTH, "description": "First day or month (inclusive)"},
    "to": {"type": "string", "pattern": DATE_OR_MONTH, "description": "Last day or month (inclusive)"},
}
_money = {"type": "number", "minimum": 0, "maximum": 1_000_000_000,
          "description": "Tenge, at most two decimals (tiyn)"}
_monthly = {"type": "object", "propertyNames": {"pattern": MONTH}, "additionalProperties": _money,
            "description": "Amounts by month, YYYY-MM: amount"}

SCENARIO_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://osms-eval.example/schemas/scenario.schema.json",
    "title": "osms-eval scenario",
    "description": "One person's facts over time.",
    "type": "object",
    "properties": {
        "id": {"type": "string", "pattern": r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,80}$"},
        "note": _text,
        "person": {
            "type": "object",
            "properties": {
                "birth_date": {"type": "string", "pattern": DATE},
                "residency": {"enum": ["citizen", "kandas", "refugee", "permanent_resident",
                                       "temporary_resident", "asylum_seeker", "eaeu_worker"]},
                "sex": {"enum": ["female", "male"]},
            },
            "required": ["birth_date", "residency"],
            "additionalProperties": False,
        },
        "jobs": {
            "type": "array",
            "maxItems": 20,
            "items": {
                "type": "object",
                "properties": {
                    "employer": {"type": "string", "minLength": 1, "maxLength": 200},
                    **_spell,
                    "wage": {**_money, "description": "Monthly wage paid in every month of the job"},
                    "wages": {**_monthly, "description": "Wage by month; overrides `wage` for those months"},
                },
                "required": ["employer", "from"],
                "anyOf": [{"required": ["wage"]}, {"required": ["wages"]}],
                "additionalProperties": False,
            },
        },
        "civil_contracts": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"customer": {"type": "string", "minLength": 1, "maxLength": 200},
                               "income": _monthly},
                "required": ["customer", "income"],
                "additionalProperties": False,
            },
        },
        "entrepreneur": {
            "type": "array",
            "description": "Registration as ИП, private practice or peasant farm head",
            "items": {"type": "object",
                      "properties": {**_spell, "kind": {"enum": ["ip", "private_practice", "peasant_farm"]}},
                      "required": ["from", "kind"], "additionalProperties": False},
        },
        "self_payer": {"type": "array",
                       "items": {"type": "object", "properties": _spell, "required": ["from"],
                                 "additionalProperties": False}},
        "self_employed": {
            "type": "array",
            "description": "The special tax regime for the self-employed (from 2026)",
            "items": {"type": "object", "properties": {**_spell, "income": _monthly, "monthly_income": _money},
                      "required": ["from"], "additionalProperties": False},
        },
        "esp": {
            "type": "array",
            "description": "Payer of the single aggregate payment (ЕСП, 2019–2023)",
            "items": {"type": "object",
                      "properties": {**_spell, "locality": {"enum": ["city", "other"]}},
                      "required": ["from", "locality"], "additionalProperties": False},
        },
        "categories": {
            "type": "array",
            "description": "Membership of preferential categories, stated directly",
            "items": {"type": "object",
                      "properties": {"id": {"type": "string", "pattern": NAME}, **_spell},
                      "required": ["id", "from"], "additionalProperties": False},
        },
        "facts": {
            "type": "array",
            "description": "Other dated facts (used by category conditions)",
            "items": {"type": "object",
                      "properties": {"fact": {"type": "string", "pattern": NAME}, **_spell,
                                     "value": {"type": ["number", "boolean"]}},
                      "required": ["fact", "from"], "additionalProperties": False},
        },
        "payments": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "paid_on": {"type": "string", "pattern": DATE},
                    "for_month": {"type": "string", "pattern": MONTH},
                    "amount": _money,
                    "kind": {"enum": ["employer_deduction", "employee_contribution", "civil_contribution",
                                      "entrepreneur", "self_payer", "self_employed", "esp", "state", "local"]},
                },
                "required": ["paid_on", "for_month", "amount", "kind"],
                "additionalProperties": False,
            },
        },
    },
    "required": ["person"],
    "additionalProperties": False,
}

SCHEMAS = {"policy": POLICY_SCHEMA, "scenario": SCENARIO_SCHEMA}
_VALIDATORS = {k: Draft202012Validator(v) for k, v in SCHEMAS.items()}


def schema_path(kind: str) -> Path:
    return Path(__file__).parent / "schemas" / f"{kind}.schema.json"


def schema_text(kind: str) -> str:
    return json.dumps(SCHEMAS[kind], ensure_ascii=False, indent=2) + "\n"


def _message(err: Any) -> str:
    v = err.validator
    if v == "additionalProperties":
        extra = sorted(set(err.instance) - set(err.schema.get("properties", {})))
        allowed = ", ".join(sorted(err.schema.get("properties", {})))
        return f"unknown key {', '.join(map(cut, extra[:3]))}; allowed here: {allowed}"
    if v == "required":
        return err.message.replace("is a required property", "is required")
    if v == "oneOf" and isinstance(err.instance, dict):
        options = [s.get("required", ["?"])[0] for s in err.validator_value if "required" in s]
        present = [o for o in options if o in err.instance]
        if len(present) > 1:
            return f"give only one of {', '.join(options)}"
        return f"one of {', '.join(options)} is required"
    if v == "propertyNames":
        return f"{cut(err.instance)} is not a valid name here"
    if v == "pattern":
        if err.validator_value == DATE:
            return f"{cut(err.instance)} is not a date of the form YYYY-MM-DD"
        if err.validator_value == MONTH:
            return f"{cut(err.instance)} is not a month of the form YYYY-MM"
        if err.validator_value == DATE_OR_MONTH:
            return f"{cut(err.instance)} is not a date YYYY-MM-DD or a month YYYY-MM"
        if err.validator_value == NAME:
            return f"{cut(err.instance)} is not a valid name (lowercase letters, digits and _)"
    if v == "enum":
        return f"{cut(err.instance)} is not one of: {', '.join(map(str, err.validator_value))}"
    if v == "type":
        return f"{cut(err.instance)} is not of type {err.validator_value}"
    shown = repr(err.instance)  # jsonschema's messages start with the whole value: cut it
    return cut(err.instance) + err.message[len(shown):] if err.message.startswith(shown) else err.message


def validate(kind: str, data: Any, file: str) -> list[OsmsError]:
    """Every schema error in one document, each with the line and field it concerns."""
    out: list[OsmsError] = []
    errors = sorted(_VALIDATORS[kind].iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    for err in errors:
        path = list(err.absolute_path)
        if err.validator == "propertyNames":
            path = [*path, err.instance]
        elif err.validator == "additionalProperties" and isinstance(err.instance, dict):
            extra = sorted(set(err.instance) - set(err.schema.get("properties", {})))
            if extra:
                path = [*path, extra[0]]
        out.append(OsmsError(_message(err), file=file, line=line_of(data, path),
                             field=field_name(path) or "(top level)"))
    return out


def write_schema_files() -> None:
    from .fileio import write_text_atomic

    for kind in SCHEMAS:
        write_text_atomic(schema_path(kind), schema_text(kind))


if __name__ == "__main__":
    write_schema_files()
