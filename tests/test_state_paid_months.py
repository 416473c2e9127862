"""Months paid by the budget and the 12-payment rule: one dated parameter, `state_paid_months_count_toward_required`
(docs/legal-basis.md §9.15). The bundled reading (1) is in tests/cases/status.yaml; here the other reading (0) on a
copy of the policies, the batch path under both, and `diff` between the two showing who each reading affects."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow as pa
from conftest import ROOT, cli

from osms.core.dates import parse_month
from osms.policy import load_policies
from osms.runs.population import evaluate_arrow

PARAMETER = "  state_paid_months_count_toward_required:\n"
GRADUATE = """person: {birth_date: 2003-03-10, residency: citizen}
categories: [{id: full_time_students, from: 2021-09-01, to: 2025-06-30}]
jobs: [{employer: A, from: 2025-07, wage: 300000}]
"""
EMPLOYEE = """person: {birth_date: 1985-05-10, residency: citizen}
jobs: [{employer: A, from: 2018-01, wage: 300000}]
"""


def _other_reading(tmp_path: Path) -> Path:
    """A copy of the bundled policies with the parameter set to 0 from its first date."""
    root = tmp_path / "policies"
    shutil.copytree(ROOT / "policies", root)
    path = root / "parameters" / "status" / "insured_status.yaml"
    text = path.read_text(encoding="utf-8")
    at = text.index(PARAMETER)
    value = text.index("        value: 1\n", at)
    path.write_text(text[:value] + "        value: 0\n" + text[value + len("        value: 1\n") :], encoding="utf-8")
    return root


def test_graduate_under_the_reading_that_budget_months_do_not_count(tmp_path: Path) -> None:
    root = _other_reading(tmp_path)
    cases = tmp_path / "graduate.yaml"
    scenario = "    scenario:\n" + "".join(f"      {line}\n" for line in GRADUATE.splitlines())
    cases.write_text(
        "cases:\n"
        # Own months only: July 2025 is the first; nothing before it counts → not insured.
        '  - note: "2025-07-15, reading 0: no own paid month yet, the state months do not count → not insured"\n'
        "    on: 2025-07-15\n" + scenario + "    want: {insured: false, insured_reason: none}\n"
        # Jul 2025 … May 2026 paid by 2026-07-24 (each on the 25th of the month after) = 11 months < 12.
        '  - note: "2026-07-24, reading 0: Jul 2025–May 2026 = 11 own paid months < 12 → not insured"\n'
        "    on: 2026-07-24\n" + scenario + "    want: {insured: false}\n"
        # June 2026 paid on 2026-07-25: Jul 2025 … Jun 2026 = 12 own paid months.
        '  - note: "2026-07-25, reading 0: June 2026 paid today → Jul 2025–Jun 2026 = 12 → insured by payments"\n'
        "    on: 2026-07-25\n" + scenario + "    want: {insured: true, insured_reason: payments}\n",
        encoding="utf-8",
    )
    proc = cli("test", str(cases), "--policies", str(root), "--lang", "en")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "3 passed, 0 failed" in proc.stdout


def test_batch_rows_follow_the_reading(policy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The batch path reads the membership from last_category_month/last_category_run, as the scenario path does."""
    table = pa.Table.from_pylist(
        [
            # 46 months of study, Sep 2021 … Jun 2025; the July deduction not yet due on 2025-07-31 (due 2025-08-25).
            {
                "id": "graduate",
                "birth_date": "2003-03-10",
                "wage_1": 300000.0,
                "paid_through": None,
                "paid_run": 0,
                "last_category_month": "2025-06",
                "last_category_run": 46,
            },
            # A student who left with no job: no own payment takes the run over.
            {
                "id": "no-job",
                "birth_date": "2003-03-10",
                "wage_1": None,
                "paid_through": None,
                "paid_run": 0,
                "last_category_month": "2025-06",
                "last_category_run": 46,
            },
        ]
    )
    month = parse_month("2025-07")
    got = {}
    for reading, root in (("1", ROOT / "policies"), ("0", _other_reading(tmp_path))):
        result, bad, _ = evaluate_arrow(load_policies(root), table, month)
        assert not bad.rows
        got[reading] = {r["id"]: (r["insured"], r["insured_reason"]) for r in result.to_pylist()}
    assert got["1"] == {"graduate": (True, "payments"), "no-job": (False, "none")}
    assert got["0"] == {"graduate": (False, "none"), "no-job": (False, "none")}


def test_batch_refuses_a_category_run_without_its_month(policy) -> None:  # type: ignore[no-untyped-def]
    table = pa.Table.from_pylist(
        [
            {
                "id": "x",
                "age": 30,
                "paid_through": "",
                "paid_run": 0,
                "last_category_month": None,
                "last_category_run": 12,
            }
        ]
    )
    _, bad, _ = evaluate_arrow(policy, table, parse_month("2025-07"))
    assert bad.rows == {1: "last_category_run: given without last_category_month"}


def test_diff_between_the_readings_shows_the_graduate(tmp_path: Path) -> None:
    root = _other_reading(tmp_path)
    scenarios = tmp_path / "scenarios"
    scenarios.mkdir()
    (scenarios / "graduate.yaml").write_text(GRADUATE, encoding="utf-8")
    (scenarios / "employee.yaml").write_text(EMPLOYEE, encoding="utf-8")
    proc = cli("diff", str(ROOT / "policies"), str(root), "--scenarios", str(scenarios), "--format", "json")
    assert proc.returncode == 1, proc.stderr  # 1 = changes
    doc = json.loads(proc.stdout)
    assert [(c["name"], c["from"]) for c in doc["changes"]] == [
        ("state_paid_months_count_toward_required", "2020-01-01")
    ]
    hits = {(i["scenario"], i["output"]): (i["first"], i["last"], i["before"], i["after"]) for i in doc["impacts"]}
    # Status on each month's last day: reading 1 insures the graduate from July 2025; reading 0 only once June 2026
    # (the 12th own month) is paid on 2026-07-25, so July 2026 agrees again.
    assert hits[("graduate", "insured")] == ("2025-07", "2026-06", True, False)
    # The employee paid by the employer since 2018 has 12 own months under either reading.
    assert not [k for k in hits if k[0] == "employee"]
