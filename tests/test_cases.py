"""Conformance cases as data (tests/cases/*.yaml): a scenario, a month, and the outputs the law gives."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from osms.dates import parse_month
from osms.errors import OsmsError
from osms.loading import load_yaml_file
from osms.runner import evaluate, records
from osms.scenario import load_scenario, parse_scenario

CASES = Path(__file__).parent / "cases"


def _collect() -> list[Any]:
    params = []
    for path in sorted(CASES.glob("*.yaml")):
        doc = load_yaml_file(path, str(path.relative_to(CASES.parent.parent)))
        for i, case in enumerate(doc["cases"]):
            params.append(pytest.param(path, doc, i, id=f"{path.stem}[{i}] {case['note'][:60]}"))
    return params


def _norm(v: Any) -> Any:
    if isinstance(v, dict):
        return {k: _norm(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_norm(x) for x in v]
    if isinstance(v, (int, Decimal)) and not isinstance(v, bool):
        return Decimal(v)
    return v


@pytest.mark.parametrize(("path", "doc", "index"), _collect())
def test_case(policy, path: Path, doc: Any, index: int) -> None:
    case = doc["cases"][index]
    display = str(path.relative_to(CASES.parent.parent))
    if "scenario_file" in case:
        sc = load_scenario(path.parent / case["scenario_file"], policy)
    else:
        sc = parse_scenario(case["scenario"], display, policy, f"case-{index}")
    want = case["want"]
    month = parse_month(case["month"])
    if "error" in want:
        with pytest.raises(OsmsError) as err:
            evaluate(policy, [sc], [month], want.get("lang", "en"))
        assert err.value.message == want["error"]
        return
    (rec,) = records(evaluate(policy, [sc], [month]), [month])
    for key, expected in want.items():
        actual = rec[key]
        if key == "categories":
            actual = [c["id"] for c in actual if not c.get("not_in_force")]
        elif isinstance(actual, dict) and not isinstance(expected, dict):
            actual = actual["total"]
        assert _norm(actual) == _norm(expected), f"{key}: want {expected}, got {actual} ({case['note']})"
