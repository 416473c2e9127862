"""`osms-eval test` and `osms-eval validate` reports for CI: JUnit XML, JSON, GitHub annotations, -k, tolerance, -o."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import ROOT, cli
from junitparser import Failure, JUnitXml

from osms.testing.reports import escape_data, escape_property, github_command

PERSON = """
    scenario:
      person: {birth_date: 1988-05-14, residency: citizen}
      jobs: [{employer: A, from: 2020-01, wage: 300000}]
"""
# 2026-01, wage 300 000: employer 3 % × 300 000 = 9 000; employee 2 % × 300 000 = 6 000.
CASES = f"""cases:
  - id: exact
    note: "employer 3 % × 300 000 = 9 000; employee 2 % × 300 000 = 6 000"
    month: 2026-01{PERSON}    want: {{employer_deduction: 9000, employee_contribution: 6000}}
  - id: within-margin
    note: "employer 9 000 written as 9 001, tolerance 1: |9 000 − 9 001| = 1 ≤ 1 passes"
    month: 2026-01
    tolerance: 1{PERSON}    want: {{employer_deduction: 9001}}
  - id: outside-margin
    note: "employer 9 000 written as 9 002, tolerance 1: |9 000 − 9 002| = 2 > 1 fails"
    month: 2026-01
    tolerance: 1{PERSON}    want: {{employer_deduction: 9002}}
  - id: exact-by-default
    note: "employee 6 000 written as 6 000.5, no tolerance: fails"
    month: 2026-01{PERSON}    want: {{employee_contribution: 6000.5}}
"""


@pytest.fixture
def cases(tmp_path: Path) -> Path:
    (tmp_path / "cases.yaml").write_text(CASES, encoding="utf-8")
    return tmp_path


def test_junit_report_parses_with_counts_and_failure_message(cases: Path) -> None:
    proc = cli("test", "cases.yaml", "--format", "junit", "-o", "junit.xml", "--lang", "en", cwd=cases)
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout == "2 passed, 2 failed\n"
    xml = JUnitXml.fromfile(str(cases / "junit.xml"))
    suites = list(xml)
    assert [s.name for s in suites] == ["cases.yaml"]
    assert (suites[0].tests, suites[0].failures, suites[0].errors) == (4, 2, 0)
    by_name = {c.name.split(":")[0]: c for c in suites[0]}
    assert all(c.classname == "cases.yaml" for c in by_name.values())
    assert by_name["exact"].is_passed and by_name["within-margin"].is_passed
    failure = by_name["outside-margin"].result[0]
    assert isinstance(failure, Failure)
    assert failure.message == "employer_deduction: want 9002 ± 1, got 9000 (off by 2)"
    assert "explanation of the actual values" in failure.text
    assert by_name["exact-by-default"].result[0].message == "employee_contribution: want 6000.5, got 6000"


def test_json_report_lists_every_result(cases: Path) -> None:
    proc = cli("test", "cases.yaml", "--format", "json", "--lang", "en", cwd=cases)
    assert proc.returncode == 1
    doc = json.loads(proc.stdout)
    assert doc["summary"] == {"passed": 2, "failed": 2, "deselected": 0}
    assert [(r["id"], r["line"], r["passed"]) for r in doc["results"]] == [
        ("exact", 2, True),
        ("within-margin", 9, True),
        ("outside-margin", 17, False),
        ("exact-by-default", 25, False),
    ]
    assert doc["results"][2]["failures"] == ["employer_deduction: want 9002 ± 1, got 9000 (off by 2)"]
    assert proc.stderr == "2 passed, 2 failed\n"


def test_github_annotations_point_at_the_case_line(cases: Path) -> None:
    proc = cli("test", "cases.yaml", "--format", "github", "-k", "outside", "--lang", "en", cwd=cases)
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(
        "::error file=cases.yaml,line=17,title=case failed%3A outside-margin%3A employer "
        "9 000 written as 9 002%2C tolerance 1%3A |9 000 − 9 002| = 2 > 1 fails::"
        "employer_deduction: want 9002 ± 1, got 9000 (off by 2)%0A%0Aexplanation"
    )
    assert "\n" not in lines[0] and "%0A" in lines[0]
    assert proc.stderr == "0 passed, 1 failed, 3 deselected\n"


def test_workflow_command_escaping() -> None:
    # The Actions toolkit's rules: data escapes % CR LF; properties also escape : and ,
    assert escape_data("100% done\r\nnext: a,b") == "100%25 done%0D%0Anext: a,b"
    assert escape_property("a,b: 100%\n") == "a%2Cb%3A 100%25%0A"
    assert (
        github_command("error", "x: y", "dir/f,1.yaml", 3, "T: t")
        == "::error file=dir/f%2C1.yaml,line=3,title=T%3A t::x: y"
    )
    assert github_command("warning", "plain") == "::warning::plain"


def test_keyword_selects_and_counts_deselected(cases: Path) -> None:
    proc = cli("test", "cases.yaml", "-k", "MARGIN", "--lang", "en", cwd=cases)
    assert proc.returncode == 1
    assert proc.stdout.endswith("1 passed, 1 failed, 2 deselected\n")
    proc = cli("test", "cases.yaml", "-k", "nothing-like-this", "--lang", "en", cwd=cases)
    assert proc.returncode == 2
    assert proc.stderr == (
        "error: -k 'nothing-like-this' matches none of the 4 cases (it looks in each case's id and note)\n"
    )


def test_output_never_replaces_a_case_file(cases: Path) -> None:
    before = (cases / "cases.yaml").read_text(encoding="utf-8")
    proc = cli("test", "cases.yaml", "--format", "json", "-o", "cases.yaml", "--lang", "en", cwd=cases)
    assert proc.returncode == 2
    assert proc.stderr == (
        "error: cases.yaml: -o is the same file as the case path cases.yaml: writing it would "
        "destroy the input; choose another path\n"
    )
    assert (cases / "cases.yaml").read_text(encoding="utf-8") == before
    assert sorted(p.name for p in cases.iterdir()) == ["cases.yaml"]  # no temporary file left behind


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            "    tolerance: 1\n    want: {insured: true}\n",
            "cases.yaml:2: cases[0].tolerance: tolerance applies to money outputs, and want names none",
        ),
        (
            "    tolerance: -1\n    want: {employer_deduction: 9000}\n",
            "cases.yaml:5: cases[0].tolerance: -1 is out of range: minimum 0",
        ),
        ("    want: {}\n", "cases.yaml:5: cases[0].want: must not be empty"),
        (
            "    scenario_file: x.yaml\n    want: {insured: true}\n",
            "cases.yaml:2: cases[0]: give only one of scenario, scenario_file",
        ),
        (
            "    want: {Insured: true}\n",
            "cases.yaml:5: cases[0].want: 'Insured' is not a valid name (lowercase letters, digits and _)",
        ),
    ],
)
def test_bad_case_files(tmp_path: Path, extra: str, message: str) -> None:
    head = (
        "cases:\n  - note: n\n    month: 2026-01\n"
        "    scenario: {person: {birth_date: 1990-01-01, residency: citizen}}\n"
    )
    (tmp_path / "cases.yaml").write_text(head + extra, encoding="utf-8")
    proc = cli("test", "cases.yaml", "--lang", "en", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr == f"error: {message}\n"


def test_duplicate_case_id(tmp_path: Path) -> None:
    case = (
        "  - id: same\n    note: n\n    month: 2026-01\n    scenario: {person: {birth_date: 1990-01-01, "
        "residency: citizen}}\n    want: {insured: true}\n"
    )
    (tmp_path / "cases.yaml").write_text("cases:\n" + case + case, encoding="utf-8")
    proc = cli("test", "cases.yaml", "--format", "github", "--lang", "en", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stdout == (
        "::error file=cases.yaml,line=7,title=osms-eval test::cases[1]: id 'same' is already used "
        "by the case on line 2\n"
    )


def test_validate_github_and_json_name_file_and_line(tmp_path: Path) -> None:
    root = tmp_path / "policy"
    shutil.copytree(ROOT / "tests" / "policy" / "base", root)
    shutil.copy(ROOT / "tests" / "policy" / "bad" / "unknown_key.yaml", root / "case.yaml")
    proc = cli("validate", "policy", "--format", "github", "--lang", "en", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stdout.splitlines() == [
        "::error file=policy/case.yaml,line=3,title=osms-eval validate::parameters.rate: 'unit' is required",
        "::error file=policy/case.yaml,line=5,title=osms-eval validate::parameters.rate.unti: unknown key 'unti'; "
        "allowed here: description, keyed_by, label, unit, values",
    ]
    proc = cli("validate", "policy", "--format", "json", "-o", "problems.json", "--lang", "en", cwd=tmp_path)
    assert proc.returncode == 2
    doc = json.loads((tmp_path / "problems.json").read_text(encoding="utf-8"))
    assert doc["ok"] is False
    assert [(p["level"], p["file"], p["line"], p["field"]) for p in doc["problems"]] == [
        ("error", "policy/case.yaml", 3, "parameters.rate"),
        ("error", "policy/case.yaml", 5, "parameters.rate.unti"),
    ]


def test_validate_json_of_the_bundled_set_is_ok() -> None:
    proc = cli("validate", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["ok"] is True
    assert all(p["level"] == "warning" and p["file"] and p["line"] for p in doc["problems"])


def test_validate_annotations_name_files_from_the_working_directory(tmp_path: Path) -> None:
    root = tmp_path / "repo" / "law" / "policy"
    shutil.copytree(ROOT / "tests" / "policy" / "base", root)
    shutil.copy(ROOT / "tests" / "policy" / "bad" / "unknown_key.yaml", root / "case.yaml")
    proc = cli("validate", "law/policy", "--format", "github", "--lang", "en", cwd=tmp_path / "repo")
    assert proc.stdout.splitlines()[0] == (
        "::error file=law/policy/case.yaml,line=3,title=osms-eval validate::parameters.rate: 'unit' is required"
    )


def test_malformed_case_file_as_junit(tmp_path: Path) -> None:
    (tmp_path / "cases.yaml").write_text(
        CASES.replace("    month: 2026-01\n    tolerance", "    tolerance", 1), encoding="utf-8"
    )
    proc = cli("test", "cases.yaml", "--format", "junit", "-o", "junit.xml", "--lang", "en", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr == "error: cases.yaml:9: cases[1]: one of month, on is required\n"
    (suite,) = list(JUnitXml.fromfile(str(tmp_path / "junit.xml")))
    assert (suite.tests, suite.errors, suite.failures) == (1, 1, 0)
    (case,) = list(suite)
    assert (
        case.classname == "cases.yaml"
        and case.result[0].message == "cases.yaml:9: cases[1]: one of month, on is required"
    )


def test_text_where_an_amount_is_wanted_is_shown_quoted(tmp_path: Path) -> None:
    # employer 3 % × 300 000 = 9 000, but the case wants the text "9000": it fails, and says why it differs.
    text = CASES.split("  - id: within-margin")[0].replace(
        "want: {employer_deduction: 9000,", "want: {employer_deduction: '9000',"
    )
    (tmp_path / "cases.yaml").write_text(
        text.replace("    month: 2026-01\n", "    month: 2026-01\n    tolerance: 1\n"), encoding="utf-8"
    )
    proc = cli("test", "cases.yaml", "--format", "json", "--lang", "en", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert json.loads(proc.stdout)["results"][0]["failures"] == ["employer_deduction: want '9000', got 9000"]
