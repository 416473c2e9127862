"""The JSON Schema of regression-case files, with the scenario schema inside it (editors then help in inline
scenarios too). Shipped as osms/schemas/cases.schema.json; `python -m osms.testing.case_schema` rewrites that file
and a test keeps the two identical.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..policy.schema import DATE, LANGS, MONTH, NAME, SCENARIO_SCHEMA, _d

CASES_SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schemas" / "cases.schema.json"

_name = {"pattern": NAME}
_scenario = {k: v for k, v in SCENARIO_SCHEMA.items() if k not in ("$schema", "$id")}

CASES_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://osms-eval.example/schemas/cases.schema.json",
    "title": "osms-eval regression cases",
    **_d(
        "Regression cases: for this person, in this month or on this date, the law gives these outputs",
        "Регрессионные примеры: для этого человека в этом месяце или на эту дату закон даёт такие результаты",
    ),
    "type": "object",
    "properties": {
        "cases": {
            "type": "array",
            "minItems": 1,
            **_d("The cases of this file", "Примеры этого файла"),
            "items": {
                "type": "object",
                "properties": {
                    "id": {
                        "type": "string",
                        "pattern": r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,80}$",
                        **_d(
                            "Optional short name, unique in the file; `osms-eval test -k` and JUnit reports use it",
                            "Необязательное короткое имя, уникальное в файле; его используют "
                            "`osms-eval test -k` и отчёты JUnit",
                        ),
                    },
                    "note": {
                        "type": "string",
                        "minLength": 1,
                        "maxLength": 4000,
                        **_d(
                            "What the case checks, with the arithmetic from the law",
                            "Что проверяет пример, с расчётом по закону",
                        ),
                    },
                    "month": {
                        "type": "string",
                        "pattern": MONTH,
                        **_d(
                            "Month evaluated, YYYY-MM; status is taken on its last day",
                            "Рассчитываемый месяц, ГГГГ-ММ; статус — на его последний день",
                        ),
                    },
                    "on": {
                        "type": "string",
                        "pattern": DATE,
                        **_d(
                            "Date evaluated, YYYY-MM-DD: status and coverage on that day",
                            "Дата расчёта, ГГГГ-ММ-ДД: статус и покрытие на этот день",
                        ),
                    },
                    "scenario": {
                        "$ref": "#/$defs/scenario",
                        **_d("The person, inline, in the scenario format", "Человек, в формате сценария"),
                    },
                    "scenario_file": {
                        "type": "string",
                        "minLength": 1,
                        **_d(
                            "Path of a scenario file, relative to the case file",
                            "Путь к файлу сценария относительно файла примеров",
                        ),
                    },
                    "tolerance": {
                        "type": "number",
                        "minimum": 0,
                        "maximum": 1_000_000,
                        **_d(
                            "Error margin in tenge for the money outputs under want: |actual − want| ≤ "
                            "tolerance; default 0 (exact)",
                            "Допустимое отклонение в тенге для денежных результатов в want: |факт − "
                            "ожидание| ≤ tolerance; по умолчанию 0 (точно)",
                        ),
                    },
                    "want": {
                        "type": "object",
                        "minProperties": 1,
                        **_d(
                            "Expected outputs: output name → value, plus coverage, error and lang",
                            "Ожидаемые результаты: имя результата → значение, а также coverage, error и lang",
                        ),
                        "propertyNames": _name,
                        "properties": {
                            "coverage": {
                                "type": "object",
                                "propertyNames": _name,
                                "additionalProperties": {"type": "boolean"},
                                **_d(
                                    "Service id → covered (true) or not (false) on the case's date",
                                    "Услуга → покрыта (true) или нет (false) на дату примера",
                                ),
                            },
                            "error": {
                                "type": "string",
                                "minLength": 1,
                                **_d(
                                    "The exact message the analyst reads when the policies cannot answer",
                                    "Точное сообщение, которое видит аналитик, когда политика не может дать ответ",
                                ),
                            },
                            "lang": {
                                "enum": list(LANGS),
                                **_d(
                                    "Language of the expected error message (default en)",
                                    "Язык ожидаемого сообщения об ошибке (по умолчанию en)",
                                ),
                            },
                        },
                    },
                },
                "required": ["note", "want"],
                "allOf": [
                    {"oneOf": [{"required": ["month"]}, {"required": ["on"]}]},
                    {"oneOf": [{"required": ["scenario"]}, {"required": ["scenario_file"]}]},
                ],
                "additionalProperties": False,
            },
        },
    },
    "required": ["cases"],
    "additionalProperties": False,
    "$defs": {"scenario": _scenario},
}


def cases_schema_text() -> str:
    return json.dumps(CASES_SCHEMA, ensure_ascii=False, indent=2) + "\n"


if __name__ == "__main__":
    CASES_SCHEMA_PATH.write_text(cases_schema_text(), encoding="utf-8")
