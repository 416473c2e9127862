"""The installed pytest plugin: case folders outside the repository run with plain `pytest DIR`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parent.parent

PERSON = """
    scenario:
      person: {birth_date: 1988-05-14, residency: citizen}
      jobs: [{employer: A, from: 2020-01, wage: 300000}]
"""
# employer 3 % × 300 000 = 9 000; employee 2 % × 300 000 = 6 000 (2026-01, wage under both caps)
GOOD = f"""cases:
  - id: wage-300k
    note: "2026-01, wage 300 000: employer 3 % × 300 000 = 9 000; employee 2 % × 300 000 = 6 000"
    month: 2026-01{PERSON}    want: {{employer_deduction: 9000, employee_contribution: 6000}}
"""
# The same person, with the employer's amount written wrongly as 9 500: the case must fail and say so.
BAD = f"""cases:
  - id: wrong-on-purpose
    note: "2026-01, wage 300 000: employer 9 000, written here as 9 500"
    month: 2026-01{PERSON}    want: {{employer_deduction: 9500}}
"""


def test_plugin_is_installed_and_active(request: pytest.FixtureRequest) -> None:
    # Without it, plain `pytest` would silently stop running tests/cases: say how to fix an old install.
    from importlib.metadata import entry_points

    names = {ep.name: ep.value for ep in entry_points(group="pytest11")}
    assert names.get("osms") == "osms.testing.pytest_plugin", "reinstall osms-eval: pip install -e .[test]"
    assert request.config.pluginmanager.has_plugin("osms")


@pytest.fixture
def folder(pytester: pytest.Pytester) -> Path:
    assert not pytester.path.is_relative_to(ROOT)  # a case folder outside the repository
    (pytester.path / "cases").mkdir()
    (pytester.path / "cases" / "good.yaml").write_text(GOOD, encoding="utf-8")
    (pytester.path / "cases" / "bad.yaml").write_text(BAD, encoding="utf-8")
    return pytester.path


def test_case_folder_runs_with_plain_pytest(pytester: pytest.Pytester, folder: Path) -> None:
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", str(folder))
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        ["*cases/bad.yaml:2 — wrong-on-purpose: 2026-01, wage 300 000*", "employer_deduction: want 9500, got 9000"]
    )
    assert result.ret == 1


def test_top_level_cases_key_is_collected_anywhere(pytester: pytest.Pytester) -> None:
    (pytester.path / "checks.yaml").write_text(GOOD, encoding="utf-8")
    (pytester.path / "settings.yaml").write_text("cases_dir: somewhere\nother: 1\n", encoding="utf-8")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--collect-only", "-q", str(pytester.path))
    result.stdout.fnmatch_lines(["checks.yaml::line 2: wage-300k: 2026-01, wage 300 000*"])
    assert "settings.yaml" not in result.stdout.str()


def test_keyword_selects_cases(pytester: pytest.Pytester, folder: Path) -> None:
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-k", "wage-300k", str(folder))
    result.assert_outcomes(passed=1, deselected=1)


def test_osms_policies_picks_the_policy_set(pytester: pytest.Pytester, folder: Path) -> None:
    # A copy of the bundled set whose employer rate from 2022 is 3.5 %: 3.5 % × 300 000 = 10 500, so the case
    # that wants 9 000 now fails, and the one that wants 9 500 still fails.
    policies = pytester.path / "policies"
    shutil.copytree(ROOT / "policies", policies)
    rate = policies / "parameters" / "employer" / "deduction_rate.yaml"
    text = rate.read_text(encoding="utf-8")
    assert text.count("value: 0.03\n") == 1
    rate.write_text(text.replace("value: 0.03\n", "value: 0.035\n"), encoding="utf-8")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--osms-policies", str(policies), str(folder))
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(["employer_deduction: want 9000, got 10500"])


def test_missing_policy_folder_is_a_usage_error(pytester: pytest.Pytester, folder: Path) -> None:
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--osms-policies", "nowhere", str(folder))
    result.stderr.fnmatch_lines(["*--osms-policies nowhere: no such folder*"])
    assert result.ret == pytest.ExitCode.USAGE_ERROR


def test_malformed_case_file_reports_file_and_line(pytester: pytest.Pytester, folder: Path) -> None:
    (folder / "cases" / "typo.yaml").write_text(GOOD.replace("month:", "mnth:"), encoding="utf-8")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", str(folder))
    out = result.stdout.str()
    assert "cases/typo.yaml:2: cases[0]: one of month, on is required\n" in out
    assert (
        "cases/typo.yaml:4: cases[0].mnth: unknown key 'mnth'; allowed here: id, month, note, on, scenario, "
        "scenario_file, tolerance, want\n"
    ) in out
    assert "Traceback" not in out
    assert result.ret == pytest.ExitCode.INTERRUPTED  # a collection error stops the run
