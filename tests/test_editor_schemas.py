"""Schemas for editors outside the checkout: `osms-eval schema --write DIR`, bilingual field descriptions."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, cli
from jsonschema import Draft202012Validator

from osms.policy.loading import load_yaml_file
from osms.policy.schema import SCENARIO_SCHEMA
from osms.testing.case_schema import CASES_SCHEMA_PATH, cases_schema_text
from osms.testing.regression import cases_schema

LATIN, CYRILLIC = re.compile(r"[A-Za-z]"), re.compile(r"[А-Яа-яЁё]")


def properties(schema: Any, path: str = "") -> list[tuple[str, dict]]:
    """Every (path, subschema) under a `properties` keyword, at any depth."""
    out = []
    if isinstance(schema, dict):
        for name, sub in schema.get("properties", {}).items():
            out.append((f"{path}.{name}".lstrip("."), sub))
        for key, sub in schema.items():
            if key == "properties":
                for name, s in sub.items():
                    out += properties(s, f"{path}.{name}".lstrip("."))
            elif isinstance(sub, (dict, list)):
                out += properties(sub, path)
    elif isinstance(schema, list):
        for sub in schema:
            out += properties(sub, path)
    return out


@pytest.mark.parametrize(("schema", "count"), [(SCENARIO_SCHEMA, 45), (cases_schema(), 12)], ids=["scenario", "cases"])
def test_every_property_is_described_in_english_and_russian(schema: dict, count: int) -> None:
    props = properties(schema)
    assert len(props) >= count  # the walk finds the fields (45 and 12 today)
    for path, sub in props:
        en, sep, ru = sub.get("description", "").partition(" / ")
        assert sep and LATIN.search(en) and CYRILLIC.search(ru) and not CYRILLIC.search(en[:1]), path


def test_wage_description() -> None:
    wage = SCENARIO_SCHEMA["properties"]["jobs"]["items"]["properties"]["wage"]
    assert wage["description"] == (
        "Monthly wage, tenge, paid in every month of the job / Ежемесячная заработная "
        "плата, тенге, в каждом месяце работы"
    )


def test_cases_schema_is_served_and_valid() -> None:
    Draft202012Validator.check_schema(cases_schema())
    assert cli("schema", "cases").stdout == cases_schema_text() == CASES_SCHEMA_PATH.read_text(encoding="utf-8")
    validator = Draft202012Validator(cases_schema())
    for path in sorted((ROOT / "tests" / "cases").glob("*.yaml")):
        assert not list(validator.iter_errors(load_yaml_file(path))), path


def test_write_puts_all_three_schemas_in_a_folder(tmp_path: Path) -> None:
    target = tmp_path / "schemas"
    proc = cli("schema", "--write", str(target), "--lang", "en", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in target.iterdir()) == [
        "cases.schema.json",
        "policy.schema.json",
        "scenario.schema.json",
    ]
    for kind in ("policy", "scenario", "cases"):
        assert (target / f"{kind}.schema.json").read_text(encoding="utf-8") == cli("schema", kind).stdout
        assert (
            f"first line of a {kind} file: # yaml-language-server: $schema={target / kind}.schema.json" in proc.stdout
        )
    # An editor reading the written file accepts the shipped examples.
    scenario = Draft202012Validator(json.loads((target / "scenario.schema.json").read_text(encoding="utf-8")))
    examples = sorted((ROOT / "examples").glob("*.yaml"))
    assert examples
    for path in examples:
        assert not list(scenario.iter_errors(load_yaml_file(path))), path
    again = cli("schema", "--write", str(target), cwd=tmp_path)  # its own files are replaced without --force
    assert again.returncode == 0, again.stderr


def test_write_refuses_to_replace_a_foreign_file(tmp_path: Path) -> None:
    (tmp_path / "policy.schema.json").write_text('{"title": "someone else\'s"}\n', encoding="utf-8")
    proc = cli("schema", "--write", ".", "--lang", "en", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr == (
        "error: policy.schema.json: exists and is not a schema osms-eval wrote; not replaced (--force replaces it)\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["policy.schema.json"]  # nothing written at all
    proc = cli("schema", "--write", ".", "--force", "--lang", "en", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert json.loads((tmp_path / "policy.schema.json").read_text(encoding="utf-8"))["title"] == "osms-eval policy file"


def test_schema_needs_a_kind_or_write() -> None:
    proc = cli("schema", "--lang", "en")
    assert (proc.returncode, proc.stderr) == (
        2,
        "error: name a kind (policy, scenario, cases), or give --write FOLDER\n",
    )
