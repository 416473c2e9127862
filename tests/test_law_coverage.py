"""CI's coverage gate: the case corpus must exercise every dated value, rule version, category, service version
and status route of the bundled policies (osms-eval test --coverage --min-coverage 100)."""

from __future__ import annotations

from conftest import ROOT, cli


def test_every_part_of_the_law_is_exercised() -> None:
    proc = cli("test", "tests/cases", "--coverage", "--min-coverage", "100", "--lang", "en", cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "law coverage: " in proc.stdout and "(100.0 %)" in proc.stdout
    assert proc.stdout.rstrip().endswith(" passed, 0 failed")


def test_a_failing_case_shows_expected_actual_and_explanation(tmp_path) -> None:
    case = tmp_path / "wrong.yaml"
    case.write_text(
        "cases:\n"
        "  - note: deliberately wrong — 3 % × 300 000 is 9 000, not 9 001\n"
        "    month: 2024-01\n"
        "    scenario:\n"
        "      person: {birth_date: 1990-01-01, residency: citizen}\n"
        "      jobs: [{employer: A, from: 2024-01, wage: 300000}]\n"
        "    want: {employer_deduction: 9001}\n",
        encoding="utf-8",
    )
    proc = cli("test", str(case), "--lang", "en")
    assert proc.returncode == 1
    assert "employer_deduction: want 9001, got 9000" in proc.stdout
    assert "employer_deduction_rate = 0.03" in proc.stdout  # the explanation of the actual value
    assert proc.stdout.rstrip().endswith("0 passed, 1 failed")
