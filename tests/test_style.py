"""The code's style is checked with the tests: ruff's lint rules and its formatter (the project's formatting commit
is listed in .git-blame-ignore-revs, so `git blame` looks through it)."""

from __future__ import annotations

import shutil
import subprocess
import sys

from conftest import ROOT


def _ruff(*args: str) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("ruff")
    cmd = [exe] if exe else [sys.executable, "-m", "ruff"]
    return subprocess.run([*cmd, *args], cwd=ROOT, capture_output=True, text=True)


def test_ruff_lint_is_clean() -> None:
    proc = _ruff("check", "src", "tests", "benchmarks")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_code_is_formatted() -> None:
    proc = _ruff("format", "--check", "src", "tests", "benchmarks")
    assert proc.returncode == 0, "run `ruff format src tests benchmarks`:\n" + proc.stdout + proc.stderr


def test_the_formatting_commit_is_ignored_by_blame() -> None:
    revs = [
        line
        for line in (ROOT / ".git-blame-ignore-revs").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    assert revs and all(len(r) == 40 and int(r, 16) >= 0 for r in revs)
