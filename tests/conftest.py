"""Shared fixtures: the bundled policy set (loaded once) and helpers to evaluate inline scenarios."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

from osms.core.dates import parse_month
from osms.engine.evaluation import MonthResult, evaluate_month
from osms.inputs.scenario import parse_scenario
from osms.inputs.scenario_batch import build_batch
from osms.inputs.scenario_model import Scenario
from osms.outputs.records import person_record
from osms.policy import PolicySet, bundled_policies, load_policies
from osms.policy.loading import load_yaml_text

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
    return subprocess.run([sys.executable, "-m", "osms", *args], cwd=cwd, capture_output=True, text=True, timeout=120)


# The YAML regression cases (tests/cases/*.yaml) are collected by the osms pytest plugin
# (src/osms/testing/pytest_plugin.py), installed with the package.
