"""The law lives in policies/: a rule added in YAML, or a status parameter renamed there, reaches `run`, `explain`
and `diff` with no change to Python."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from conftest import ROOT, cli

GIT = ("-c", "user.name=a", "-c", "user.email=a@b")

# A rule that exists only in YAML: nothing before 2026, then 1 % of all wages, paid by nobody (an output only, so
# no payment stream and no change to anyone's insured status).
NEW_RULE = """\
rules:
  solidarity_levy:
    label: {ru: Тестовый сбор, kk: Сынақ алымы, en: Test levy}
    unit: tenge
    versions:
      2020-01-01:
        formula: "0"
        reference:
          {act: Закон РК «Об обязательном социальном медицинском страховании», number: 405-V, adopted: 2015-11-16,
           article: ст. 1, sources: [law-405-v]}
        confidence: I
        assumption: {ru: тест, kk: сынақ, en: a test rule}
      2026-01-01:
        formula: 0.01 * sum_jobs(wage)
        reference:
          {act: Закон РК «Об обязательном социальном медицинском страховании», number: 405-V, adopted: 2015-11-16,
           article: ст. 1, sources: [law-405-v]}
        confidence: I
        assumption: {ru: тест, kk: сынақ, en: a test rule}
"""


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def policy_repo(tmp_path: Path) -> Path:
    """The bundled policies and examples in a git repository, committed on `main`, with branch `amend` checked out."""
    repo = tmp_path / "policy-repo"
    shutil.copytree(ROOT / "policies", repo / "policies")
    shutil.copytree(ROOT / "examples", repo / "examples")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, *GIT, "commit", "-qm", "the law as bundled")
    git(repo, "checkout", "-qb", "amend")
    return repo


def test_a_rule_added_in_yaml_is_run_explained_and_diffed(tmp_path: Path) -> None:
    repo = policy_repo(tmp_path)
    (repo / "policies" / "rules" / "solidarity_levy.yaml").write_text(NEW_RULE, encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, *GIT, "commit", "-qm", "a test levy from 2026")

    # employee-300k: 1 % × 300 000 = 3 000
    run = cli("run", "examples/employee-300k.yaml", "--month", "2026-01", "--format", "json",
              "--policies", "policies", cwd=repo)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["results"][0]["solidarity_levy"] == 3000

    explain = cli("explain", "examples/employee-300k.yaml", "--month", "2026-01", "--output", "solidarity_levy",
                  "--lang", "en", "--policies", "policies", cwd=repo)
    assert explain.returncode == 0, explain.stderr
    assert "solidarity_levy" in explain.stdout and "0.01 * sum_jobs(wage)" in explain.stdout

    diff = cli("diff", "main", "HEAD", "--lang", "en", cwd=repo)
    assert diff.returncode == 1, diff.stderr
    assert "from 2026-01-01  rule solidarity_levy (Test levy): added" in diff.stdout
    affected = diff.stdout.split("who is affected")[1]
    # before the rule there is no value (—); from 2026-01 it is 1 % × 300 000 = 3 000
    assert "employee-300k            solidarity_levy              2026-01 … 2026-12   — → 3 000" in affected
