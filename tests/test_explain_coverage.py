"""explain and coverage as an analyst reads them: the legal path, in each language, and the care answer."""

from __future__ import annotations

import json

from conftest import ROOT, cli

EX = ROOT / "examples"


def test_explain_text_cites_each_value_used() -> None:
    proc = cli(
        "explain",
        str(EX / "high-earner-2026.yaml"),
        "--month",
        "2026-01",
        "--output",
        "employer_deduction",
        "--lang",
        "en",
        "--detail",
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    # 3 % × min(4 000 000, 40 × 85 000) = 102 000
    assert "employer_deduction = 102 000 — Employer deductions to ОСМС" in out
    assert "employer_deduction_cap = 40" in out and "ст. 27 п. 2-2" in out and "№ 206-VIII" in out
    assert "mzp = 85 000" in out and "№ 239-VIII" in out
    assert "employer_deduction_rate = 0.03" in out
    assert "Insured status on 2026-01-31: yes" in out


def test_explain_in_russian_and_kazakh() -> None:
    ru = cli(
        "explain",
        str(EX / "working-pensioner.yaml"),
        "--month",
        "2024-01",
        "--output",
        "state_contribution",
        "--detail",
        "--lang",
        "ru",
    )
    assert "Взносы государства (республиканский бюджет)" in ru.stdout and "формула" in ru.stdout
    assert "pensioners = да — Пенсионеры и ветераны Великой Отечественной войны" in ru.stdout
    kk = cli("explain", str(EX / "working-pensioner.yaml"), "--month", "2024-01", "--lang", "kk")
    assert "Мемлекеттің жарналары" in kk.stdout and "республикалық бюджет төлейді" in kk.stdout


def test_explain_json_is_the_same_trace() -> None:
    proc = cli("explain", str(EX / "working-pensioner.yaml"), "--month", "2023-01", "--format", "json")
    tree = json.loads(proc.stdout)["results"][0]
    state = next(o for o in tree["outputs"] if o["name"] == "state_contribution")
    assert state["value"] == 4505.6  # 1.8 % × 250 311 = 4 505.598 → 4 505.6
    params = {c["name"]: c for c in state["children"] if c["kind"] == "parameter"}
    assert params["state_contribution_rate"]["value"] == 0.018
    assert params["state_contribution_rate"]["confidence"] == "C"
    assert tree["status"]["reason"] == "category"


def test_explain_unknown_output() -> None:
    proc = cli(
        "explain",
        str(EX / "working-pensioner.yaml"),
        "--month",
        "2023-01",
        "--output",
        "employer_deductoin",
        "--lang",
        "en",
    )
    assert proc.returncode == 2
    assert "unknown output 'employer_deductoin' (did you mean 'employer_deduction'?)" in proc.stderr


def test_coverage_insured_and_not(tmp_path) -> None:
    # The self-payer prepaid 2025; Dec 2025 + 3 months of grace = 2026-03-31:
    # insured on 2026-03-15, not on 2026-05-10.
    on = cli(
        "coverage",
        str(EX / "self-payer.yaml"),
        "--service",
        "planned_inpatient",
        "--on",
        "2026-03-15",
        "--format",
        "json",
    )
    a = json.loads(on.stdout)["results"][0]
    assert a["covered"] is True and a["package"] == "osms" and a["insured_reason"] == "grace"
    off = json.loads(
        cli(
            "coverage",
            str(EX / "self-payer.yaml"),
            "--service",
            "planned_inpatient",
            "--on",
            "2026-05-10",
            "--format",
            "json",
        ).stdout
    )["results"][0]
    assert off["covered"] is False and off["why"] == "osms_no"
    gobmp = json.loads(
        cli(
            "coverage", str(EX / "self-payer.yaml"), "--service", "phc", "--on", "2026-05-10", "--format", "json"
        ).stdout
    )["results"][0]
    assert gobmp["covered"] is True and gobmp["package"] == "gobmp"  # a citizen, regardless of status


def test_coverage_temporary_resident_and_2026_move(tmp_path) -> None:
    sc = tmp_path / "migrant.yaml"
    sc.write_text(
        "person: {birth_date: 1990-01-01, residency: temporary_resident}\n"
        "jobs: [{employer: A, from: 2023-01, wage: 200000}]\n",
        encoding="utf-8",
    )
    res = {
        a["service"]: a
        for a in json.loads(cli("coverage", str(sc), "--on", "2026-02-10", "--format", "json").stdout)["results"]
    }
    assert res["dangerous_diseases"]["covered"] and res["ambulance"]["covered"]
    assert not res["phc"]["covered"] and res["phc"]["why"] == "gobmp_no"
    assert not res["specialist_consultations"]["covered"]
    assert res["specialist_consultations"]["why"] == "osms_not_participant"
    # Diabetes observation moved from ГОБМП to ОСМС on 2026-01-01 (baq-2026-ssd-list-update)
    citizen = EX / "employee-300k.yaml"
    before = json.loads(
        cli(
            "coverage", str(citizen), "--service", "diabetes_observation", "--on", "2025-12-31", "--format", "json"
        ).stdout
    )["results"][0]
    after = json.loads(
        cli(
            "coverage", str(citizen), "--service", "diabetes_observation", "--on", "2026-01-01", "--format", "json"
        ).stdout
    )["results"][0]
    assert before["package"] == "gobmp" and after["package"] == "osms"


def test_coverage_errors() -> None:
    proc = cli("coverage", str(EX / "self-payer.yaml"), "--service", "epilepsy", "--on", "2025-05-10", "--lang", "en")
    assert proc.returncode == 2
    assert proc.stderr == (
        "error: policies/services/catalogue.yaml:105: services.epilepsy: service 'epilepsy' has "
        "no value on 2025-05-10: it is defined only from 2026-01-01\n"
    )
    assert cli("coverage", str(EX / "self-payer.yaml"), "--service", "phcc", "--lang", "en").returncode == 2


def test_coverage_says_when_status_rests_on_payments_nobody_listed() -> None:
    """employee-300k lists no payments: insured because every month is taken as paid on time, and the answer says
    so; self-payer lists its payments, and no such line appears."""
    args = ["--service", "specialist_consultations", "--on", "2026-06-01", "--lang", "en"]
    assumed = cli("coverage", str(EX / "employee-300k.yaml"), *args)
    assert assumed.returncode == 0, assumed.stderr
    assert assumed.stdout.splitlines()[1] == (
        "  Status takes every contribution as paid on time: the scenario lists no payments "
        "(list them under payments: to check the real ones)."
    )
    listed = cli("coverage", str(EX / "self-payer.yaml"), *args)
    assert listed.returncode == 0, listed.stderr
    assert "taken as paid on time" not in listed.stdout and "lists no payments" not in listed.stdout
    doc = json.loads(cli("coverage", str(EX / "employee-300k.yaml"), *args[:-2], "--format", "json").stdout)
    assert [a["payments_assumed"] for a in doc["results"]] == [True]
