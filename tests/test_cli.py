"""The command line as an analyst uses it: examples, JSON shape, exit codes, atomic output, determinism."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import ROOT, cli

from osms.policy.schema import SCHEMAS, schema_path, schema_text

EXAMPLES = sorted(str(p) for p in (ROOT / "examples").glob("*.yaml"))


def test_run_examples_every_year_json() -> None:
    proc = cli("run", *EXAMPLES, "--from", "2020-01", "--to", "2026-12", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["policy"]["fingerprint"].startswith("sha256:") and doc["policy"]["version"]
    assert doc["as_of"] and doc["engine"]["version"]
    recs = {(r["scenario"], r["month"]): r for r in doc["results"]}
    assert len(recs) == len(EXAMPLES) * 84
    for key in (
        "employer_deduction",
        "employee_contribution",
        "entrepreneur_contribution",
        "self_payer_contribution",
        "self_employed_contribution",
        "state_contribution",
        "payer",
    ):
        assert key in recs[("employee-300k", "2024-01")]
    # 3 % × 300 000 = 9 000 by the one employer; 2 % × 300 000 = 6 000
    assert recs[("employee-300k", "2024-01")]["employer_deduction"] == {
        "total": 9000,
        "by_employer": {"ТОО «Дала Құрылыс»": 9000},
    }
    # 2025-12: 3 % × 10 × 85 000 = 25 500; 2026-01: 3 % × 40 × 85 000 = 102 000
    assert recs[("high-earner-2026", "2025-12")]["employer_deduction"]["total"] == 25500
    assert recs[("high-earner-2026", "2026-01")]["employer_deduction"]["total"] == 102000
    # ИП 2021-03: 5 % × 1.4 × 42 500 = 2 975; before registration (2021-02) nothing
    assert recs[("entrepreneur", "2021-03")]["entrepreneur_contribution"] == 2975
    assert recs[("entrepreneur", "2021-02")]["entrepreneur_contribution"] == 0
    # Working pensioner 2023: state 1.8 % × 250 311 = 4 505.6; no deductions on her wage
    assert recs[("working-pensioner", "2023-05")]["state_contribution"] == 4505.6
    assert recs[("working-pensioner", "2023-05")]["employer_deduction"]["total"] == 0


def test_output_is_deterministic_and_atomic(tmp_path: Path) -> None:
    out = tmp_path / "result.json"
    args = ["run", *EXAMPLES, "--month", "2026-01", "--format", "json"]
    first = cli(*args, "-o", str(out))
    assert first.returncode == 0, first.stderr
    text = out.read_text(encoding="utf-8")
    assert cli(*args).stdout == text  # byte-identical on a second run
    assert [p.name for p in tmp_path.iterdir()] == ["result.json"]  # no temporary file left behind
    failed = cli("run", *EXAMPLES, "--month", "2019-01", "-o", str(out))
    assert failed.returncode == 2
    assert out.read_text(encoding="utf-8") == text  # a failed run leaves the old output untouched


def test_run_from_another_directory_uses_bundled_policies(tmp_path: Path) -> None:
    proc = cli("run", str(ROOT / "examples" / "self-payer.yaml"), "--month", "2025-03", "--lang", "kk", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Дербес төлеушінің жарналары" in proc.stdout and "4 250" in proc.stdout  # 5 % × 85 000


def test_validate_bundled_policies() -> None:
    proc = cli("validate", "--lang", "en")
    assert proc.returncode == 0, proc.stderr
    assert ": OK — policy kz_osms" in proc.stdout
    ru = cli("validate", "--lang", "ru")
    assert ": OK — набор правил kz_osms" in ru.stdout and "  параметров: 35 (датированных значений: " in ru.stdout


def test_params_history_with_citation() -> None:
    proc = cli("params", "employer_deduction_cap", "--lang", "en")
    assert proc.returncode == 0
    assert "from 2026-01-01: 40" in proc.stdout and "ст. 27 п. 2-2" in proc.stdout
    assert "assumption: The 10 MZP cap is attested only from 2022" in proc.stdout
    proc = cli("params", "mzp", "--at", "2027-03-01", "--lang", "en")
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: ") and "has no value on 2027-03-01: not set yet" in proc.stderr


def test_schema_command_and_shipped_files_agree() -> None:
    for kind in SCHEMAS:
        proc = cli("schema", kind)
        assert proc.returncode == 0
        assert proc.stdout == schema_text(kind) == schema_path(kind).read_text(encoding="utf-8")


def test_usage_errors_exit_2() -> None:
    assert cli("run", EXAMPLES[0], "--on", "2024-02-30").returncode == 2
    assert cli("run", EXAMPLES[0], "--on", "2024-02-10", "--month", "2024-02").returncode == 2
    assert cli("run", EXAMPLES[0], "--on", "2019-12-31").returncode == 2  # before the policies' coverage
    assert cli("run", EXAMPLES[0], "--month", "2024-13").returncode == 2
    assert cli("run", "missing.yaml", "--month", "2024-01").returncode == 2
    assert cli("frobnicate").returncode == 2


def test_run_without_a_month_answers_for_today_and_says_so() -> None:
    import datetime as dt

    proc = cli("run", EXAMPLES[0], "--format", "json", "--lang", "en")
    today = dt.date.today()
    if not dt.date(2020, 1, 1) <= today <= dt.date(2026, 12, 31):
        assert proc.returncode == 2 and "outside the months the policy set covers" in proc.stderr
        return
    assert proc.returncode == 0, proc.stderr
    assert f"note: no --month or --on given: answering for today, {today}" in proc.stderr
    assert {r["status_on"] for r in json.loads(proc.stdout)["results"]} == {today.isoformat()}
