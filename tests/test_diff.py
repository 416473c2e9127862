"""osms-eval diff: the semantic diff and the impact on scenarios, from directories and from real git revisions."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from conftest import ROOT, cli


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def test_diff_of_one_dated_value_between_git_revisions(tmp_path: Path) -> None:
    repo = tmp_path / "policy-repo"
    shutil.copytree(ROOT / "policies", repo / "policies")
    shutil.copytree(ROOT / "examples", repo / "examples")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "-c", "user.name=a", "-c", "user.email=a@b", "commit", "-qam", "base", "--allow-empty")
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=a", "-c", "user.email=a@b", "commit", "-qm", "law as of 2026")
    git(repo, "checkout", "-qb", "amend")
    cap = repo / "policies" / "parameters" / "employer" / "deduction_cap.yaml"
    text = cap.read_text(encoding="utf-8")
    cap.write_text(text.replace("        value: 40\n", "        value: 50\n"), encoding="utf-8")
    git(repo, "-c", "user.name=a", "-c", "user.email=a@b", "commit", "-qam", "employer cap 50 MZP from 2026")

    proc = cli("diff", "main", "HEAD", "--lang", "en", cwd=repo)
    assert proc.returncode == 1, proc.stderr  # 1 = changes
    out = proc.stdout
    assert "from 2026-01-01  parameter employer_deduction_cap" in out
    assert "changed, value: 40 → value: 50" in out and "ст. 27 п. 2-2" in out
    # high earner, 4 000 000 a month: 3 % × min(4 000 000, 40 × 85 000) = 102 000 → 3 % × min(4 000 000, 50 × 85 000)
    # = 3 % × 4 000 000 = 120 000
    assert "high-earner-2026         employer_deduction           2026-01 … 2026-12   102 000 → 120 000" in out
    # nobody else earns above 40 MZP, so no other scenario's result changes
    assert "employee-300k" not in out.split("who is affected")[1]

    md = cli("diff", "main", "HEAD", "--format", "markdown", "--lang", "en", cwd=repo)
    assert "| 2026-01-01 | parameter | `employer_deduction_cap`" in md.stdout
    assert "| high-earner-2026 | `employer_deduction` | 2026-01 … 2026-12 | 102 000 | 120 000 |" in md.stdout

    same = cli("diff", "main", "main", "--lang", "en", cwd=repo)
    assert same.returncode == 0 and same.stdout.endswith("no change\n")


def test_the_2026_amendment_as_known_on_dates() -> None:
    """The law as known on 2025-07-01 (before Law No. 206-VIII) against the law today: the 2026 amendment."""
    proc = cli("diff", "policies@2025-07-01", "policies", "--format", "json")
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    changes = {(c["name"], c["from"]): c for c in doc["changes"]}
    assert changes[("employer_deduction_cap", "2026-01-01")]["new"] == {"value": 40}
    assert changes[("employee_contribution_cap", "2026-01-01")]["new"] == {"value": 20}
    assert changes[("extended_grace_months", "2026-01-01")]["new"] == {"value": 6}
    assert changes[("registered_unemployed", "2026-01-01")]["new"]["payer"] == "local"
    hits = {(i["scenario"], i["output"], i["first"], i["last"]): [i["before"], i["after"]] for i in doc["impacts"]}
    # 3 % × 10 × 85 000 = 25 500 → 3 % × min(4 000 000, 40 × 85 000) = 102 000; 2 % × 850 000 = 17 000 → 34 000
    assert hits[("high-earner-2026", "employer_deduction", "2026-01", "2026-12")] == [25500, 102000]
    assert hits[("high-earner-2026", "employee_contribution", "2026-01", "2026-12")] == [17000, 34000]
    # 72 months of payments by 2026-01: grace 3 → 6 months, Dec 2025 + 3 = Mar, + 6 = Jun
    assert hits[("employee-300k", "insured_until", "2026-01", "2026-01")] == ["2026-03-31", "2026-06-30"]


def test_diff_errors_exit_2(tmp_path: Path) -> None:
    proc = cli("diff", "no-such-rev", "policies", "--repo", str(tmp_path), "--lang", "en")
    assert proc.returncode == 2 and proc.stderr.startswith("error: ")


def test_a_policy_set_older_than_an_optional_role_still_loads(tmp_path: Path) -> None:
    """The role `deduction` (deductions before 2020) is optional: a policy set written before it, as an older git
    revision is, loads, diffs against today's and keeps its old answer (no payment before its first month)."""
    old = tmp_path / "old"
    shutil.copytree(ROOT / "policies", old)
    head = old / "policy.yaml"
    head.write_text(head.read_text(encoding="utf-8").replace("    deduction: employer_deduction\n", ""), "utf-8")
    proc = cli("diff", str(old), "policies", "--lang", "en")
    assert proc.returncode == 1, proc.stderr
    assert (
        "role deduction (rule bound to the engine's role deduction): changed, bound: — → bound: employer_deduction"
        in (proc.stdout)
    )
    (tmp_path / "s.yaml").write_text(
        "person: {birth_date: 1990-01-01, residency: citizen}\njobs: [{employer: A, from: 2019-01, wage: 300000}]\n"
        "payments:\n  - {paid_on: 2019-08-20, amount: 4500, kind: employer_deduction, for_month: 2019-07}\n",
        encoding="utf-8",
    )
    proc = cli("run", str(tmp_path / "s.yaml"), "--month", "2020-07", "--policies", str(old), "--lang", "en")
    assert (proc.returncode, proc.stderr) == (
        2,
        f"error: {tmp_path / 's.yaml'}:4: payments[0].for_month: 2019-07 is before 2020-01: this policy set takes no "
        "payment for a month before its first\n",
    )
    assert cli("run", str(tmp_path / "s.yaml"), "--month", "2020-07", "--lang", "en").returncode == 0
