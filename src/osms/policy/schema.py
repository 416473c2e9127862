"""JSON Schemas for policy and scenario files, and validation that reports file, line and field.

The schemas are built here and also shipped as files in `osms/schemas/` so that an editor can be
pointed at them (`# yaml-language-server: $schema=...`); a test keeps the two identical.
"""

from __future__ import annotations

import functools
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..core.dates import DATE_TEXT, written_hint
from ..core.errors import OsmsError
from ..core.limits import cut
from ..core.messages import N_, _
from .facts import RESIDENCY_FACT
from .loading import field_name, line_of
from .roles import KINDS as ROLE_KINDS
from .roles import OPTIONAL, OUTCOMES

NAME = r"^[a-z][a-z0-9_]{0,62}$"
DATE = DATE_TEXT
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
SOURCE_KEY = r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"
SOURCE_KINDS = (
    "law",
    "code",
    "budget_law",
    "government_decree",
    "ministerial_order",
    "fund_publication",
    "ministry_statement",
    "government_page",
    "statistics",
    "news",
    "commentary",
    "legal_database",
    "provider_notice",
)
_source_key = {
    "type": "string",
    "pattern": SOURCE_KEY,
    "maxLength": 64,
    "description": "A key of the bibliography (policies/sources.yaml), naming the document",
}
_reason = {**_text, "description": "Why the value is not given: what was looked for and not found"}
_reference = {
    "type": "object",
    "description": "Where the value comes from in law. `sources` are keys of the bibliography "
    "(policies/sources.yaml). A missing number, article or adoption date is a warning "
    "(an error with validate --strict) unless its `*_unknown` field says why it is not known.",
    "properties": {
        "act": {**_text, "description": "Title of the act, e.g. Закон РК «Об ОСМС»"},
        "number": {**_text, "description": "Number of the act, e.g. 405-V"},
        "number_unknown": _reason,
        "article": {**_text, "description": "Article, point, subpoint, e.g. ст. 27 п. 2-2"},
        "article_unknown": _reason,
        "adopted": {"type": "string", "pattern": DATE, "description": "Date of adoption"},
        "adopted_unknown": _reason,
        "in_force": {"type": "string", "pattern": DATE, "description": "Date the provision entered into force"},
        "url": {"type": "string", "pattern": r"^https?://\S+$"},
        "sources": {"type": "array", "items": _source_key, "minItems": 1},
    },
    "required": ["act", "sources"],
    "additionalProperties": False,
}
_source = {
    "type": "object",
    "description": "One document of the bibliography.",
    "properties": {
        "title": {
            **_text,
            "description": "The title in the original language; a title the project supplies "
            "(the document has none, or it was not recorded) is in [brackets] "
            "and `untitled` says why",
        },
        "translated": {
            "type": "object",
            "properties": {lang: _text for lang in LANGS},
            "additionalProperties": False,
            "minProperties": 1,
            "description": "The title in other languages (official texts or the project's translation)",
        },
        "untitled": _reason,
        "publisher": {
            **_text,
            "description": "Author or publisher: Parliament, Government, Ministry of Health, "
            "the Fund, the statistics bureau, a news outlet, a firm",
        },
        "kind": {"enum": list(SOURCE_KINDS)},
        "number": {**_text, "description": "The act's number (legal acts)"},
        "published": {
            "type": "string",
            "pattern": DATE_OR_MONTH,
            "description": "Date of adoption (acts) or publication (YYYY-MM-DD or YYYY-MM)",
        },
        "published_unknown": _reason,
        "in_force": {"type": "string", "pattern": DATE, "description": "Date the act entered into force"},
        "address": {
            "type": "string",
            "pattern": r"^https?://\S+$",
            "description": "Where the document can be read (adilet.zan.kz for legal acts, where they are)",
        },
        "address_unknown": _reason,
        "language": {"type": "array", "items": {"enum": list(LANGS)}, "minItems": 1, "uniqueItems": True},
        "checked": {"type": "string", "pattern": DATE, "description": "The date the entry was last checked"},
        "amended": {
            "type": "array",
            "items": {"type": "string", "pattern": DATE},
            "minItems": 1,
            "description": "Dates of amending acts known to the project; a date after `checked` is a "
            "warning (re-read the document)",
        },
        "via": {
            "type": "array",
            "items": _source_key,
            "minItems": 1,
            "description": "Documents through which this one was read (a news report on an order)",
        },
        "note": _text,
    },
    "required": ["title", "publisher", "kind", "language", "checked"],
    "allOf": [
        {"oneOf": [{"required": ["published"]}, {"required": ["published_unknown"]}]},
        {"oneOf": [{"required": ["address"]}, {"required": ["address_unknown"]}]},
    ],
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
    "assumption": {
        **_labels,
        "description": "The documented assumption behind an S or I value, in Russian, "
        "Kazakh and English; all three are required",
    },
    "note": _text,
}
_number = {"type": "number"}
_parameter_value = {
    "type": "object",
    "properties": {
        "value": {
            "if": {"type": "object"},
            "then": {"propertyNames": {"pattern": NAME}, "additionalProperties": _number},
            "else": _number,
            "description": "The value from this date until the next dated entry; for a parameter `keyed_by` "
            "a choice fact, a value per choice (a choice left out takes `fallback`)",
        },
        "fallback": {
            **_number,
            "description": "For a keyed parameter: the value for a choice with no figure of "
            "its own (the output says when it was used)",
        },
        "no_value": {
            **_text,
            "description": "No value from this date: repealed, or not yet set by law. "
            "Asking for it is an error that quotes this text.",
        },
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
_roles = {
    "type": "object",
    "description": "Binds each of the engine's roles (insured status, payment allocation, the services' packages) "
    "to a parameter, fact or rule of this set by name; every role is bound (an optional one may be left out), "
    "once, in one file",
    "properties": {
        kind: {
            "type": "object",
            "properties": {
                role: {
                    "type": "string",
                    "pattern": NAME,
                    "description": text
                    + (f" (optional: left unbound, {OPTIONAL[kind][role]})" if role in OPTIONAL.get(kind, {}) else ""),
                }
                for role, text in roles.items()
            },
            "required": [r for r in roles if r not in OPTIONAL.get(kind, {})],
            "additionalProperties": False,
        }
        for kind, roles in ROLE_KINDS.items()
    },
    "required": list(ROLE_KINDS),
    "additionalProperties": False,
}
_outcomes = {
    "type": "object",
    "description": "What each outcome the engine reaches means, in each language: why a person is or is not insured "
    "(status) and why a service is or is not covered (services); every outcome is worded, once, in one file",
    "properties": {
        group: {
            "type": "object",
            "properties": {code: _labels for code in codes},
            "required": list(codes),
            "additionalProperties": False,
        }
        for group, codes in OUTCOMES.items()
    },
    "required": list(OUTCOMES),
    "additionalProperties": False,
}

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
                "as_of": {
                    "type": "string",
                    "pattern": DATE,
                    "description": "The date up to which the law was read for this set",
                },
                "covers": {
                    "type": "object",
                    "properties": {
                        "from": {"type": "string", "pattern": MONTH},
                        "to": {"type": "string", "pattern": MONTH},
                    },
                    "required": ["from", "to"],
                    "additionalProperties": False,
                },
                "rounding": {**_rounding, "description": "Default rounding of tenge outputs"},
                "month_rule": {"enum": ["first_day"], "description": "Which day of a month parameters are read on"},
                "note": _text,
            },
            "required": ["id", "version", "title", "as_of", "covers", "rounding", "month_rule"],
            "additionalProperties": False,
        },
        "roles": _roles,
        "outcomes": _outcomes,
        "parameters": {
            "type": "object",
            "propertyNames": {"pattern": NAME},
            "additionalProperties": {
                "type": "object",
                "properties": {
                    "label": _labels,
                    "description": _labels,
                    "unit": {"enum": list(UNITS)},
                    "keyed_by": {
                        "type": "string",
                        "pattern": NAME,
                        "description": "A choice fact (e.g. region): each dated value is then a map from "
                        "the fact's choices to numbers, read by the person's choice",
                    },
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
                                "payer": {"enum": ["state", "local", "republican"]},
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
            "description": "Facts a scenario may state under `facts:`. A yes/no fact says what it is when not "
            "stated (`default: false`, the law's default); a number is stated or derived from the "
            "person's own records (`derived:`), never taken as 0",
            "propertyNames": {"pattern": NAME},
            "additionalProperties": {
                "type": "object",
                "properties": {
                    "label": _labels,
                    "type": {"enum": ["bool", "number", "choice"]},
                    "choices": {
                        "type": "object",
                        "propertyNames": {"pattern": NAME},
                        "additionalProperties": _labels,
                        "minProperties": 1,
                        "description": "For a choice fact: its choices, id → labels",
                    },
                    "unit": {"enum": list(UNITS)},
                    "default": {"const": False, "description": "A yes/no fact not stated is false (say so per fact)"},
                    "derived": {
                        "enum": ["months_not_working"],
                        "description": "months_not_working: consecutive months just before "
                        "the month with no job, ГПХ income, ИП, self-employment "
                        "or ЕСП in the scenario's records",
                    },
                },
                "required": ["label", "type"],
                "allOf": [
                    {
                        "if": {"properties": {"type": {"const": "bool"}}},
                        "then": {"required": ["default"], "not": {"required": ["derived"]}},
                    },
                    {"if": {"properties": {"type": {"const": "number"}}}, "then": {"not": {"required": ["default"]}}},
                    {
                        "if": {"properties": {"type": {"const": "choice"}}},
                        "then": {
                            "required": ["choices"],
                            "not": {"anyOf": [{"required": ["default"]}, {"required": ["derived"]}]},
                        },
                        "else": {"not": {"required": ["choices"]}},
                    },
                ],
                "additionalProperties": False,
            },
        },
        "sources": {
            "type": "object",
            "description": "The bibliography: every document a reference names, keyed by a name for the document",
            "propertyNames": {"pattern": SOURCE_KEY, "maxLength": 64},
            "additionalProperties": _source,
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
                                "package": {
                                    "enum": ["gobmp", "osms", "everyone"],
                                    "description": "gobmp: ГОБМП-eligible residents regardless of "
                                    "insured status; osms: insured persons only; "
                                    "everyone: regardless of status and residency",
                                },
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


def _d(en: str, ru: str) -> dict[str, str]:
    """A field description in English and Russian, "English / Русский" (editors show one description string)."""
    return {"description": f"{en} / {ru}"}


_spell = {
    "from": {
        "type": "string",
        "pattern": DATE_OR_MONTH,
        **_d(
            "First day or month (inclusive), YYYY-MM-DD or YYYY-MM",
            "Первый день или месяц (включительно), ГГГГ-ММ-ДД или ГГГГ-ММ",
        ),
    },
    "to": {
        "type": "string",
        "pattern": DATE_OR_MONTH,
        **_d(
            "Last day or month (inclusive); open-ended if absent",
            "Последний день или месяц (включительно); без конца, если не указан",
        ),
    },
}
_money = {
    "type": "number",
    "minimum": 0,
    "maximum": 1_000_000_000,
    **_d("Tenge, at most two decimals (tiyn)", "Тенге, не более двух знаков после запятой (тиыны)"),
}
_monthly = {
    "type": "object",
    "propertyNames": {"pattern": MONTH},
    "additionalProperties": _money,
    **_d("Amounts by month, YYYY-MM: amount", "Суммы по месяцам, ГГГГ-ММ: сумма"),
}

SCENARIO_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://osms-eval.example/schemas/scenario.schema.json",
    "title": "osms-eval scenario",
    **_d("One person's facts over time", "Факты об одном человеке во времени"),
    "type": "object",
    "properties": {
        "id": {
            "type": "string",
            "pattern": r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,80}$",
            **_d("Scenario id (default: the file name)", "Идентификатор сценария (по умолчанию — имя файла)"),
        },
        "note": {**_text, **_d("Free text", "Произвольный текст")},
        "person": {
            "type": "object",
            **_d("The person", "Человек"),
            "properties": {
                "birth_date": {
                    "type": "string",
                    "pattern": DATE,
                    **_d("Date of birth, YYYY-MM-DD", "Дата рождения, ГГГГ-ММ-ДД"),
                },
                "residency": {
                    "enum": list(RESIDENCY_FACT),
                    **_d("Citizenship or residence status", "Гражданство или статус пребывания"),
                },
                "sex": {"enum": ["female", "male"], **_d("Sex", "Пол")},
            },
            "required": ["birth_date", "residency"],
            "additionalProperties": False,
        },
        "jobs": {
            "type": "array",
            "maxItems": 20,
            **_d("Employment, one entry per employer", "Работа по найму, по одной записи на работодателя"),
            "items": {
                "type": "object",
                "properties": {
                    "employer": {
                        "type": "string",
                        "minLength": 1,
                        "maxLength": 200,
                        **_d("Employer's name", "Наименование работодателя"),
                    },
                    **_spell,
                    "wage": {
                        **_money,
                        **_d(
                            "Monthly wage, tenge, paid in every month of the job",
                            "Ежемесячная заработная плата, тенге, в каждом месяце работы",
                        ),
                    },
                    "wages": {
                        **_monthly,
                        **_d(
                            "Wage by month; overrides `wage` for those months",
                            "Заработная плата по месяцам; заменяет `wage` в эти месяцы",
                        ),
                    },
                },
                "required": ["employer", "from"],
                "anyOf": [{"required": ["wage"]}, {"required": ["wages"]}],
                "additionalProperties": False,
            },
        },
        "civil_contracts": {
            "type": "array",
            **_d(
                "Civil-law contracts (ГПХ), income by month",
                "Договоры гражданско-правового характера (ГПХ), доход по месяцам",
            ),
            "items": {
                "type": "object",
                "properties": {
                    "customer": {
                        "type": "string",
                        "minLength": 1,
                        "maxLength": 200,
                        **_d("Customer's name", "Наименование заказчика"),
                    },
                    "income": {**_monthly, **_d("Income by month, YYYY-MM: tenge", "Доход по месяцам, ГГГГ-ММ: тенге")},
                },
                "required": ["customer", "income"],
                "additionalProperties": False,
            },
        },
        "entrepreneur": {
            "type": "array",
            **_d(
                "Registration as ИП, private practice or peasant farm head",
                "Регистрация в качестве ИП, лица частной практики или главы крестьянского хозяйства",
            ),
            "items": {
                "type": "object",
                "properties": {
                    **_spell,
                    "kind": {
                        "enum": ["ip", "private_practice", "peasant_farm"],
                        **_d("Kind of registration", "Вид регистрации"),
                    },
                },
                "required": ["from", "kind"],
                "additionalProperties": False,
            },
        },
        "self_payer": {
            "type": "array",
            **_d(
                "Periods of paying contributions as a self-payer",
                "Периоды уплаты взносов в качестве самостоятельного плательщика",
            ),
            "items": {"type": "object", "properties": _spell, "required": ["from"], "additionalProperties": False},
        },
        "self_employed": {
            "type": "array",
            **_d(
                "The special tax regime for the self-employed (from 2026)",
                "Специальный налоговый режим для самозанятых (с 2026 года)",
            ),
            "items": {
                "type": "object",
                "properties": {
                    **_spell,
                    "income": {**_monthly, **_d("Income by month, YYYY-MM: tenge", "Доход по месяцам, ГГГГ-ММ: тенге")},
                    "monthly_income": {
                        **_money,
                        **_d("Income in every month of the period, tenge", "Доход в каждом месяце периода, тенге"),
                    },
                },
                "required": ["from"],
                "additionalProperties": False,
            },
        },
        "esp": {
            "type": "array",
            **_d(
                "Payer of the single aggregate payment (ЕСП, 2019–2023)",
                "Плательщик единого совокупного платежа (ЕСП, 2019–2023)",
            ),
            "items": {
                "type": "object",
                "properties": {
                    **_spell,
                    "locality": {
                        "enum": ["city", "other"],
                        **_d(
                            "Where the person lives: a city, or elsewhere",
                            "Место жительства: город или иной населённый пункт",
                        ),
                    },
                },
                "required": ["from", "locality"],
                "additionalProperties": False,
            },
        },
        "categories": {
            "type": "array",
            **_d(
                "Membership of preferential categories, stated directly",
                "Принадлежность к льготным категориям, указанная напрямую",
            ),
            "items": {
                "type": "object",
                "properties": {
                    "id": {
                        "type": "string",
                        "pattern": NAME,
                        **_d("Category id of the policy set", "Идентификатор категории в политике"),
                    },
                    **_spell,
                },
                "required": ["id", "from"],
                "additionalProperties": False,
            },
        },
        "facts": {
            "type": "array",
            **_d(
                "Other dated facts (used by category conditions)",
                "Прочие факты с датами (используются в условиях категорий)",
            ),
            "items": {
                "type": "object",
                "properties": {
                    "fact": {
                        "type": "string",
                        "pattern": NAME,
                        **_d("Fact name of the policy set", "Имя факта в политике"),
                    },
                    **_spell,
                    "value": {
                        "type": ["number", "boolean", "string"],
                        **_d(
                            "Value of a number fact, or the id of a choice (e.g. a region); a yes/no fact needs none",
                            "Значение числового факта или идентификатор варианта "
                            "(например, региона); для факта да/нет не нужно",
                        ),
                    },
                },
                "required": ["fact", "from"],
                "additionalProperties": False,
            },
        },
        "payments": {
            "type": "array",
            **_d("Payments made (used for insured status)", "Произведённые платежи (для статуса застрахованности)"),
            "items": {
                "type": "object",
                "properties": {
                    "paid_on": {
                        "type": "string",
                        "pattern": DATE,
                        **_d("The day the payment was made, YYYY-MM-DD", "Дата платежа, ГГГГ-ММ-ДД"),
                    },
                    "for_month": {
                        "type": "string",
                        "pattern": MONTH,
                        **_d(
                            "The period the payer named, YYYY-MM (optional)",
                            "Период, указанный плательщиком, ГГГГ-ММ (необязательно)",
                        ),
                    },
                    "amount": {**_money, **_d("Amount paid, tenge", "Уплаченная сумма, тенге")},
                    "kind": {
                        "type": "string",
                        "pattern": NAME,
                        **_d(
                            "The contribution paid: the name of a rule of the policy set that has a "
                            "`payer` (as `osms-eval run` names its outputs)",
                            "Какой взнос уплачен: имя правила набора, у которого есть `payer` "
                            "(так, как их называет `osms-eval run`)",
                        ),
                    },
                    "employer": {
                        "type": "string",
                        "minLength": 1,
                        "maxLength": 200,
                        **_d(
                            "The employer that paid (one of the scenario's jobs)",
                            "Работодатель, который уплатил (один из работодателей сценария)",
                        ),
                    },
                },
                "required": ["paid_on", "amount", "kind"],
                "additionalProperties": False,
            },
        },
    },
    "required": ["person"],
    "additionalProperties": False,
}

SCHEMAS = {"policy": POLICY_SCHEMA, "scenario": SCENARIO_SCHEMA}


@functools.cache
def _validator(kind: str) -> Any:
    """The schema's validator, built on first use: a run whose policies come from the compiled cache and that
    reads no scenario never imports jsonschema (a tenth of a second of start-up)."""
    from jsonschema import Draft202012Validator

    return Draft202012Validator(SCHEMAS[kind])


def schema_path(kind: str) -> Path:
    return Path(__file__).resolve().parent.parent / "schemas" / f"{kind}.schema.json"


def schema_text(kind: str) -> str:
    return json.dumps(SCHEMAS[kind], ensure_ascii=False, indent=2) + "\n"


TYPES = {
    "number": N_("a number"),
    "integer": N_("a whole number"),
    "string": N_("a text"),
    "boolean": N_("true or false"),
    "object": N_("a mapping (key: value)"),
    "array": N_("a list"),
    "null": N_("empty"),
}


def _type_name(t: Any) -> str:
    names = t if isinstance(t, list) else [t]
    return _(" or ").join(_(TYPES[n]) if n in TYPES else str(n) for n in names)


def _hint(err: Any) -> str:
    """What to write where a value meant as a date or month (its schema's pattern) is one in another common form
    (DD.MM.YYYY, MM.YYYY, …: core.dates.written_hint); "" for any other value."""
    pattern = err.schema.get("pattern") if isinstance(err.schema, dict) else None
    text = str(err.instance)
    if pattern == DATE:
        return written_hint(text)
    if pattern == MONTH:
        return written_hint(text, month=True)
    if pattern == DATE_OR_MONTH:
        return written_hint(text) or written_hint(text, month=True)
    return ""


def _message(err: Any) -> str:
    v = err.validator
    if v == "additionalProperties":
        extra = sorted(set(err.instance) - set(err.schema.get("properties", {})))
        allowed = ", ".join(sorted(err.schema.get("properties", {})))
        return _("unknown key {keys}; allowed here: {allowed}", keys=", ".join(map(cut, extra[:3])), allowed=allowed)
    if v == "required":
        return _("{name} is required", name=err.message.replace(" is a required property", ""))
    if v == "oneOf" and isinstance(err.instance, dict):
        options = [s.get("required", ["?"])[0] for s in err.validator_value if "required" in s]
        present = [o for o in options if o in err.instance]
        if len(present) > 1:
            return _("give only one of {options}", options=", ".join(options))
        return _("one of {options} is required", options=", ".join(options))
    if v == "propertyNames":
        return _("{value} is not a valid name here", value=cut(err.instance))
    if v == "pattern":
        if err.validator_value == DATE:
            return _("{value} is not a date of the form YYYY-MM-DD", value=cut(err.instance)) + _hint(err)
        if err.validator_value == MONTH:
            return _("{value} is not a month of the form YYYY-MM", value=cut(err.instance)) + _hint(err)
        if err.validator_value == DATE_OR_MONTH:
            return _("{value} is not a date YYYY-MM-DD or a month YYYY-MM", value=cut(err.instance)) + _hint(err)
        if err.validator_value == NAME:
            return _("{value} is not a valid name (lowercase letters, digits and _)", value=cut(err.instance))
        if err.validator_value == SOURCE_KEY:
            return _(
                "{value} is not a valid source key (lowercase letters and digits, joined by -)", value=cut(err.instance)
            )
    if v == "enum":
        return _(
            "{value} is not one of: {choices}",
            value=cut(err.instance),
            choices=", ".join(map(str, err.validator_value)),
        )
    if v == "type":
        # A YAML number where a date or a month is meant (12.2025) says which text to write.
        shown = str(err.instance) if isinstance(err.instance, Decimal) else cut(err.instance)
        return _("{value} is not {type}", value=shown, type=_type_name(err.validator_value)) + _hint(err)
    if v in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
        said = {
            "minimum": N_("{value} is less than the minimum of {limit}"),
            "exclusiveMinimum": N_("{value} must be more than {limit}"),
            "maximum": N_("{value} is more than the maximum of {limit}"),
            "exclusiveMaximum": N_("{value} must be less than {limit}"),
        }[v]
        return _(said, value=cut(err.instance), limit=err.validator_value)
    shown = repr(err.instance)  # jsonschema's messages start with the whole value: cut it
    return cut(err.instance) + err.message[len(shown) :] if err.message.startswith(shown) else err.message


def validate(kind: str, data: Any, file: str) -> list[OsmsError]:
    """Every schema error in one document, each with the line and field it concerns."""
    out: list[OsmsError] = []
    errors = sorted(_validator(kind).iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    for err in errors:
        path = list(err.absolute_path)
        if err.validator == "propertyNames":
            path = [*path, err.instance]
        elif err.validator == "additionalProperties" and isinstance(err.instance, dict):
            extra = sorted(set(err.instance) - set(err.schema.get("properties", {})))
            if extra:
                path = [*path, extra[0]]
        out.append(
            OsmsError(_message(err), file=file, line=line_of(data, path), field=field_name(path) or "(top level)")
        )
    return out


def write_schema_files() -> None:
    from ..core.fileio import write_text_atomic

    for kind in SCHEMAS:
        write_text_atomic(schema_path(kind), schema_text(kind))


if __name__ == "__main__":
    write_schema_files()
