"""Shared fixtures: the bundled policy set (loaded once) and helpers to evaluate inline scenarios."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

from osms.dates import parse_month
from osms.evaluation import MonthResult, evaluate_month
from osms.loading import load_yaml_text
from osms.policy import PolicySet, bundled_policies, load_policies
from osms.report import person_record
from osms.scenario import Scenario, build_batch, parse_scenario

ROOT = Path(__file__).resolve().parent.parent
# The tests use their own compiled-policy cache, not the user's (subprocesses inherit this).
os.environ.setdefault("XDG_CACHE_HOME", tempfile.mkdtemp(prefix="osms-test-cache-"))


@pytest.fixture(scope="session")
def policy() -> PolicySet:
    return load_policies(bundled_policies())


def scenario(policy: PolicySet, text: str, name: str = "inline") -> Scenario:
    return parse_scenario(load_yaml_text(text, f"{name}.yaml"), f"{name}.yaml", policy, name)


def evaluate(policy: PolicySet, scenarios: list[Scenario], month: str) -> tuple[MonthResult, list[dict[str, Any]]]:
    m = parse_month(month)
    batch = build_batch(scenarios, m, policy)
    res = evaluate_month(policy, batch, m)
    return res, [person_record(policy, res, batch, i, s.id) for i, s in enumerate(scenarios)]


def cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """Run osms-eval as an analyst would, in a separate process."""
    return subprocess.run([sys.executable, "-m", "osms", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


# --- Regression case files (tests/cases/*.yaml) collected by pytest, one item per case ---------------------------

_POLICY: list[PolicySet] = []


def _bundled() -> PolicySet:
    if not _POLICY:
        _POLICY.append(load_policies(bundled_policies()))
    return _POLICY[0]


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    if file_path.suffix == ".yaml" and file_path.parent.name == "cases":
        return CaseFile.from_parent(parent, path=file_path)
    return None


class CaseFile(pytest.File):
    """A case file: its cases are evaluated together, once, when the first of them runs."""

    def collect(self):  # type: ignore[no-untyped-def]
        from osms.regression import load_cases

        self.cases = load_cases([self.path], _bundled(), ROOT)
        self.outcomes = None
        for case in self.cases:
            yield CaseItem.from_parent(self, name=f"line {case.line}: {case.note[:70]}", case=case)

    def outcome(self, case):  # type: ignore[no-untyped-def]
        from osms.regression import run_cases

        if self.outcomes is None:
            self.outcomes, _ = run_cases(_bundled(), self.cases)
        return self.outcomes[self.cases.index(case)]


class CaseFailed(Exception):
    pass


class CaseItem(pytest.Item):
    def __init__(self, *, case, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(**kwargs)
        self.case = case

    def runtest(self) -> None:
        outcome = self.parent.outcome(self.case)
        if not outcome.passed:
            raise CaseFailed("\n".join(outcome.failures) + "\n\n" + outcome.explanation)

    def repr_failure(self, excinfo, style=None):  # type: ignore[no-untyped-def]
        if isinstance(excinfo.value, CaseFailed):
            return f"{self.case.name} — {self.case.note}\n{excinfo.value}"
        return super().repr_failure(excinfo, style)

    def reportinfo(self):  # type: ignore[no-untyped-def]
        return self.path, self.case.line, f"case: {self.case.note}"
