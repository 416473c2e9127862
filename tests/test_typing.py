"""The engine type-checks: `mypy` over src/osms with the configuration in pyproject.toml, as part of the suite (so
the README's test command and CI check it). Never skipped: without mypy installed, the test fails."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from conftest import ROOT

# mypy's incremental cache outside the tree, kept between runs (a cold run takes ~30 s, a warm one a few): mypy
# checks each cached module against its source, so a stale entry is re-checked, never trusted.
CACHE = Path(tempfile.gettempdir()) / f"osms-eval-mypy-cache-{os.getuid() if hasattr(os, 'getuid') else 0}"


def test_mypy_is_clean() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", str(CACHE)], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert "No module named mypy" not in proc.stderr, "mypy is missing: pip install -e '.[test]'"
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.startswith("Success: no issues found")


def test_the_package_says_it_is_typed() -> None:
    import osms

    assert (Path(osms.__file__).parent / "py.typed").is_file()


def test_public_api_is_declared() -> None:
    import osms.api
    import osms.core.errors

    assert osms.api.__all__ == ["MONEY", "OsmsError", "evaluate", "month_index", "payers"]
    assert osms.core.errors.__all__ == ["Location", "OsmsError", "OsmsErrors"]
    for module in (osms.api, osms.core.errors):
        assert all(hasattr(module, name) for name in module.__all__)
