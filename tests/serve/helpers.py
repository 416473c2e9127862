"""Scenario files as JSON request bodies."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from osms.policy.loading import load_yaml_file


def plain(value: Any) -> Any:
    """YAML-loaded data → JSON-ready data. A Decimal is written as a JSON number with the same digits: every
    amount here has at most 15 significant digits, which a float's shortest repr keeps exactly."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, Decimal):
        out = int(value) if value == value.to_integral_value() else float(value)
        assert Decimal(repr(out)) == value, value
        return out
    return value


def scenario_json(path: Path) -> Any:
    return plain(load_yaml_file(path))


def dumps(doc: Any) -> str:
    return json.dumps(doc, ensure_ascii=False)
