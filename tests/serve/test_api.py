"""The API through a real uvicorn server: the same answers as the CLI, the policy stamp, languages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import cli

from osms.core.errors import OsmsError
from osms.serve.i18n import negotiate
from osms.serve.inputs import parse_json

from .conftest import ROOT
from .helpers import scenario_json

EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


def cli_json(*args: str) -> dict:
    proc = cli(*args)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_calculate_answers_the_records_of_run_for_every_example(api) -> None:
    body = {"scenarios": [scenario_json(p) for p in EXAMPLES], "from": "2025-12", "to": "2026-01"}
    got = api.post("/calculate", json=body)
    assert got.status_code == 200, got.text
    want = cli_json("run", *map(str, EXAMPLES), "--from", "2025-12", "--to", "2026-01", "--format", "json")
    doc = got.json()
    assert {k: doc[k] for k in ("policy", "engine", "as_of")} == {k: want[k] for k in ("policy", "engine", "as_of")}
    assert len(doc["results"]) == len(want["results"]) == 2 * len(EXAMPLES)
    for mine, theirs in zip(doc["results"], want["results"]):
        assert mine == theirs, f"{theirs['scenario']} {theirs['month']}"


def test_high_earner_2026(api) -> None:
    """2026-03, wage 5 000 000, MZP 85 000 (policies/parameters/general/mzp.yaml, budget law № 239-VIII)."""
    sc = {
        "person": {"birth_date": "1979-11-02", "residency": "citizen"},
        "jobs": [{"employer": "АО «Казахтелеком»", "from": "2024-01", "wage": 5000000}],
    }
    r = api.post("/calculate", json={"scenario": sc, "month": "2026-03"}).json()["results"][0]
    # 3 % × min(5 000 000, 40 × 85 000 = 3 400 000) = 102 000
    assert r["employer_deduction"] == {"total": 102000, "by_employer": {"АО «Казахтелеком»": 102000}}
    # 2 % × min(5 000 000, 20 × 85 000 = 1 700 000) = 34 000
    assert r["employee_contribution"] == 34000
    assert r["scenario"] == "scenario-1"  # no id given: named by its place in the request


def test_amounts_are_exact_decimals_as_numbers_or_strings(api) -> None:
    """0.1-style amounts are never binary floats: 300 000.10 as a number or a string gives the same answer."""
    base = {"person": {"birth_date": "1990-01-01", "residency": "citizen"}}
    as_number = (
        b'{"month": "2025-03", "scenario": {"person": {"birth_date": "1990-01-01", "residency": "citizen"}, '
        b'"jobs": [{"employer": "A", "from": "2025-01", "wage": 300000.10}]}}'
    )
    as_text = {
        "month": "2025-03",
        "scenario": {**base, "jobs": [{"employer": "A", "from": "2025-01", "wage": "300000.10"}]},
    }
    one = api.post("/calculate", content=as_number, headers={"content-type": "application/json"}).json()
    two = api.post("/calculate", json=as_text).json()
    assert one["results"] == two["results"]
    # 3 % × 300 000.10 = 9 000.003 → rounded to the tenge by the policy's rounding rule = 9 000
    assert one["results"][0]["employer_deduction"]["total"] == 9000
    assert parse_json(b'{"a": 0.1}')["a"].as_tuple().exponent == -1  # Decimal('0.1'), not 0.1000000000000000055…


def test_on_a_day_gives_the_status_on_that_day(api) -> None:
    sc = scenario_json(ROOT / "examples" / "self-payer.yaml")
    # 12 separate payments made 2025-01-10 for 2025-01…12 (ст. 5 п. 3, from 2022-09-05): insured at once; after the
    # last paid month 2025-12 the 3-month grace (ст. 5 п. 2) runs to 2026-03-31.
    r = api.post("/calculate", json={"scenario": sc, "on": "2025-03-15"}).json()["results"][0]
    assert (r["insured"], r["insured_reason"], r["insured_until"], r["status_on"]) == (
        True,
        "prospective",
        "2026-03-31",
        "2025-03-15",
    )
    r = api.post("/calculate", json={"scenario": sc, "on": "2026-04-01"}).json()["results"][0]
    assert (r["insured"], r["insured_reason"], r["month"]) == (False, "none", "2026-04")


def test_explain_and_coverage_answer_as_the_cli(api) -> None:
    path = ROOT / "examples" / "high-earner-2026.yaml"
    sc = scenario_json(path)
    got = api.post("/explain?lang=kk", json={"scenario": sc, "month": "2026-03"}).json()
    want = cli_json("explain", str(path), "--month", "2026-03", "--format", "json", "--lang", "kk")
    assert got == want
    got = api.post("/coverage?lang=en", json={"scenario": sc, "on": "2026-03-10"}).json()
    want = cli_json("coverage", str(path), "--on", "2026-03-10", "--format", "json", "--lang", "en")
    assert got == want


def test_parameters_answer_as_params(api) -> None:
    got = api.get("/parameters", params={"lang": "en"}).json()
    want = cli_json("params", "--format", "json", "--lang", "en")
    assert got["parameters"] == want["parameters"] and got["policy"] == want["policy"]
    one = api.get("/parameters/mzp", params={"at": "2026-03-01", "lang": "en"}).json()["parameters"]
    assert [(v["from"], v["value"]) for v in one[0]["values"]] == [("2026-01-01", 85000)]
    assert one[0]["label"] == "Minimum monthly wage (MZP)"


def test_categories_services_sources(api, policy) -> None:
    cats = api.get("/categories?lang=en").json()["categories"]
    assert [c["id"] for c in cats] == list(policy.categories)
    services = api.get("/services").json()["services"]
    assert [s["id"] for s in services] == list(policy.services)
    got = api.get("/sources?lang=en").json()
    assert got["sources"] == cli_json("sources", "--format", "json", "--lang", "en")["sources"]
    by_key = {s["key"]: s for s in got["sources"]}
    # mzp from 2026-01-01 cites the 2026–2028 budget law (policies/parameters/general/mzp.yaml, line 36)
    assert {"file": "policies/parameters/general/mzp.yaml", "line": 36}.items() <= next(
        u for u in by_key["budget-law-2026-2028"]["used"] if u["line"] == 36
    ).items()


def test_every_response_carries_the_policy_stamp(api, policy) -> None:
    for r in (
        api.get("/health"),
        api.get("/ready"),
        api.get("/nowhere"),
        api.get("/?lang=en"),
        api.post("/calculate", content=b"{", headers={"content-type": "application/json"}),
    ):
        assert r.headers["x-osms-policy"] == f"{policy.id} {policy.version}"
        assert r.headers["x-osms-fingerprint"] == policy.fingerprint
        assert r.headers["x-osms-engine"].startswith("osms-eval ")
        if r.headers["content-type"].startswith("application/"):
            assert r.json().get("policy", policy.stamp) == policy.stamp
    assert api.get("/ready").json() == {
        "status": "ready",
        "policy": policy.stamp,
        "engine": {"name": "osms-eval", "version": api.get("/ready").json()["engine"]["version"]},
    }
    assert api.get("/health").json() == {"status": "ok"}


@pytest.mark.parametrize(
    ("query", "header", "want"),
    [
        ("kk", "en", "kk"),
        (None, "kk-KZ,ru;q=0.8", "kk"),
        (None, "de-DE, en;q=0.5, ru;q=0.7", "ru"),
        (None, "en-GB,en;q=0.9", "en"),
        (None, "de", "ru"),
        (None, None, "ru"),
        (None, "ru;q=0, en;q=0.1", "en"),
    ],
)
def test_language_negotiation(query, header, want) -> None:
    assert negotiate(query, header) == want


def test_language_reaches_labels_and_titles(api) -> None:
    assert (
        api.get("/parameters/mzp", headers={"accept-language": "kk"}).json()["parameters"][0]["label"]
        == "Ең төменгі жалақы мөлшері (ЕТЖ)"
    )
    assert api.post("/calculate", content=b"[]", headers={"accept-language": "en"}).json()["title"] == "Invalid input"
    bad = api.get("/categories?lang=de")
    assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json"
    assert bad.json()["errors"][0]["field"] == "query.lang"


def test_openapi_is_served_and_checked_in(api) -> None:
    from osms.serve.openapi import text

    served = api.get("/openapi.json").json()
    checked_in = (ROOT / "docs" / "openapi.json").read_text(encoding="utf-8")
    assert text() == checked_in, "docs/openapi.json is stale: python -m osms.serve.openapi > docs/openapi.json"
    assert served == json.loads(checked_in)
    assert {
        "/calculate",
        "/explain",
        "/coverage",
        "/parameters",
        "/parameters/{name}",
        "/categories",
        "/services",
        "/sources",
        "/health",
        "/ready",
    } <= set(served["paths"])
    body = served["paths"]["/calculate"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/CalculateRequest"}
    assert "CalculateRequest" in served["components"]["schemas"]


def test_print_openapi_matches() -> None:
    proc = cli("serve", "--print-openapi")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == (ROOT / "docs" / "openapi.json").read_text(encoding="utf-8")


def test_missing_extra_is_a_clear_error(tmp_path: Path) -> None:
    import subprocess
    import sys

    # A Python where fastapi cannot be imported (None in sys.modules makes find_spec answer "not installed").
    code = "import sys; sys.modules['fastapi'] = None; from osms.cli.main import main; main(['serve', '--lang', 'en'])"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr == (
        'error: `serve` needs the serve extra (fastapi not installed): pip install "osms-eval[serve]"\n'
    )


def test_bad_json_is_an_osms_error() -> None:
    for data, message in (
        (b'{"a": NaN}', "NaN is not a number; amounts are plain decimals"),
        (b'{"a": 1, "a": 2}', "duplicate key 'a': keep one"),
        (b"\xff", "the body is not UTF-8 (byte 0)"),
        (b"[" * 100 + b"]" * 100, "nesting deeper than 40 levels"),
    ):
        with pytest.raises(OsmsError) as exc:
            parse_json(data)
        assert exc.value.message == message


@pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")
def test_a_fault_is_a_500_problem_without_internals(policy, monkeypatch) -> None:
    """In-process (a fault cannot be provoked from outside): the catch-all answers a problem document that names
    no exception, file or value."""
    from fastapi.testclient import TestClient

    from osms.serve import app as app_module
    from osms.serve import service

    def broken(*args, **kwargs):
        raise RuntimeError("secret internal detail /srv/osms/policy.py")

    monkeypatch.setattr(service, "calculate", broken)
    client = TestClient(app_module.create_app(policy), raise_server_exceptions=False)
    r = client.post("/calculate?lang=en", json={"month": "2026-03"})
    assert r.status_code == 500 and r.headers["content-type"] == "application/problem+json"
    assert r.headers["x-osms-fingerprint"] == policy.fingerprint
    doc = r.json()
    assert (doc["type"], doc["title"], doc["errors"]) == ("urn:osms-eval:problem:internal", "Internal server error", [])
    assert "secret" not in r.text and "RuntimeError" not in r.text and "Traceback" not in r.text


def test_a_bad_policy_directory_stops_before_listening(tmp_path: Path) -> None:
    proc = cli("serve", "--policies", str(tmp_path / "nowhere"), "--port", "1", "--lang", "en")
    assert proc.returncode == 2
    assert proc.stderr == f"error: {tmp_path / 'nowhere'}: not a policy directory\n"
