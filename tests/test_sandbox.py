"""The expression sandbox: every attempt in tests/sandbox/attempts.yaml is refused at load time, in a policy file,
with file, line, field and the exact message; and nothing that loads can reach Python."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
import yaml
from conftest import cli

HERE = Path(__file__).parent
ATTEMPTS = yaml.safe_load((HERE / "sandbox" / "attempts.yaml").read_text(encoding="utf-8"))["attempts"]


@pytest.mark.parametrize("attempt", ATTEMPTS, ids=[a["note"] for a in ATTEMPTS])
def test_refused_at_load_time(attempt: dict, tmp_path: Path) -> None:
    root = tmp_path / "policy"
    shutil.copytree(HERE / "policy" / "base", root)
    rule = {
        "rules": {
            "attempt": {
                "label": {"ru": "x", "kk": "x", "en": "x"},
                "unit": "tenge",
                "versions": {
                    "2024-01-01": {
                        "formula": attempt["formula"],
                        "reference": {"act": "x", "sources": ["x"]},
                        "confidence": "C",
                    }
                },
            }
        }
    }
    (root / "attempt.yaml").write_text(yaml.safe_dump(rule, allow_unicode=True), encoding="utf-8")
    start = time.perf_counter()
    proc = cli("validate", str(root), "--lang", "en", cwd=tmp_path)
    assert time.perf_counter() - start < 10
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith("error: policy/attempt.yaml:")
    assert "rules.attempt.versions.2024-01-01.formula: " + attempt["error"] in proc.stderr, proc.stderr
