"""Bad requests (tests/serve/bad/*.yaml): 422 problem documents with the field and the CLI's own message."""

from __future__ import annotations

import json

import pytest
import yaml
from conftest import cli

from osms.serve.inputs import parse_json

from .conftest import ROOT
from .helpers import dumps, plain

CASES = [
    case
    for path in sorted((ROOT / "tests" / "serve" / "bad").glob("*.yaml"))
    for case in yaml.safe_load(path.read_text(encoding="utf-8"))
]


@pytest.mark.parametrize("case", CASES, ids=[c["note"] for c in CASES])
def test_bad_request(api, case) -> None:
    r = api.post(case["path"] + "?lang=en", content=case["body"].encode(), headers={"content-type": "application/json"})
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    doc = r.json()
    assert doc["errors"] == case["errors"]
    assert (doc["type"], doc["title"], doc["status"], doc["instance"]) == (
        "urn:osms-eval:problem:invalid-input",
        "Invalid input",
        422,
        case["path"],
    )
    assert doc["detail"] == (
        case["errors"][0]["message"] if len(case["errors"]) == 1 else f"{len(case['errors'])} problems; see `errors`"
    )
    assert "Traceback" not in r.text


def test_the_cli_says_the_same(tmp_path) -> None:
    """Each `cli: true` case's scenario, as a file (JSON is YAML), through one `osms-eval run`: the CLI reports
    every file's problem at once, with the same message the API gave."""
    cases = [c for c in CASES if c.get("cli")]
    paths = []
    for n, case in enumerate(cases):
        body = parse_json(case["body"].encode())
        assert body["month"] == "2025-03"
        paths.append(tmp_path / f"case{n}.yaml")
        paths[-1].write_text(dumps(plain(body["scenario"])), encoding="utf-8")
    proc = cli("run", *map(str, paths), "--month", "2025-03", "--lang", "en")
    assert proc.returncode == 2
    for path, case in zip(paths, cases):
        for err in case["errors"]:
            field = err["field"].removeprefix("scenario.")
            assert f"{path}:1: {field}: {err['message']}" in proc.stderr, (case["note"], proc.stderr)


def test_problem_documents_hide_internals(api) -> None:
    r = api.get("/parameters/mzp?at=2026-02-30&lang=en")
    assert r.status_code == 422
    assert r.json()["errors"] == [
        {"field": "at", "message": "'2026-02-30' is not a real date (day is out of range for month)"}
    ]
    r = api.get("/parameters/mzp?at=2027-06-01&lang=en")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "at"
    assert "not set yet" in r.json()["errors"][0]["message"]
    r = api.get("/parameters/mzq?lang=en")
    assert r.status_code == 404
    assert r.json()["detail"].startswith("unknown parameter 'mzq' (did you mean 'mzp'?)")
    r = api.request("DELETE", "/calculate")
    assert r.status_code == 405 and r.headers["content-type"] == "application/problem+json"
    r = api.post("/calculate", content=b"month=2025-03", headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 415 and r.json()["title"] == "Неподдерживаемый тип содержимого"
    assert json.loads(r.text)["policy"]["id"]
