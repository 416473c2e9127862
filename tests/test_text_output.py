"""What an analyst reads, exactly: `run` tables and `explain` reasoning in ru, kk and en (tests/text/*.txt).

Each file starts with the command (`$ osms-eval …`) and holds its standard output below it; a one-month table or
explanation must also fit an 80-column terminal. Set OSMS_RESET=1 to re-record, then review with `git diff`.
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path

import pytest
from conftest import ROOT, cli

HERE = Path(__file__).parent / "text"
RESET = os.environ.get("OSMS_RESET") == "1"
CASES = sorted(HERE.glob("*.txt"))


def _read(path: Path) -> tuple[list[str], str]:
    first, _, rest = path.read_text(encoding="utf-8").partition("\n")
    assert first.startswith("$ osms-eval "), f"{path}: the first line is the command, `$ osms-eval …`"
    return shlex.split(first[len("$ osms-eval ") :]), rest


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_output(path: Path) -> None:
    args, want = _read(path)
    proc = cli(*args, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    if RESET:
        path.write_text(path.read_text(encoding="utf-8").partition("\n")[0] + "\n" + proc.stdout, encoding="utf-8")
        want = proc.stdout
    assert proc.stdout == want
    if "--month" in args or "--on" in args:  # one month: every line fits an 80-column terminal
        too_wide = [line for line in proc.stdout.splitlines() if len(line) > 80]
        assert not too_wide, too_wide


def test_months_beyond_one_wrap_into_blocks_that_fit() -> None:
    # twelve months at the default 80 columns: several blocks, each line within 80; at COLUMNS=200, fewer blocks
    narrow = cli("run", "examples/employee-300k.yaml", "--from", "2025-01", "--to", "2025-12", "--lang", "ru")
    assert narrow.returncode == 0 and max(len(line) for line in narrow.stdout.splitlines()) <= 80
    heads = [line for line in narrow.stdout.splitlines() if line.startswith("Сценарий employee-300k")]
    assert len(heads) > 1 and all(line.split()[2:] for line in heads)
    months = [m for line in heads for m in line.split()[2:]]
    assert months == [f"2025-{k:02}" for k in range(1, 13)]  # every month once, in order
    env = {**os.environ, "COLUMNS": "200"}
    import subprocess
    import sys

    wide = subprocess.run(
        [
            sys.executable,
            "-m",
            "osms",
            "run",
            "examples/employee-300k.yaml",
            "--from",
            "2025-01",
            "--to",
            "2025-12",
            "--lang",
            "ru",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    wide_heads = [line for line in wide.stdout.splitlines() if line.startswith("Сценарий employee-300k")]
    assert len(wide_heads) < len(heads) and max(len(line) for line in wide.stdout.splitlines()) <= 200


def test_labels_wrap_at_words() -> None:
    # every word of every label in the table is whole: the wrapped lines, joined, give the policies' label back
    from osms.policy import bundled_policies, load_policies

    policy = load_policies(bundled_policies())
    out = cli("run", "examples/employee-300k.yaml", "--month", "2025-03", "--lang", "kk", "--all").stdout
    words = {w for line in out.splitlines() for w in line.split()}
    for rule in policy.rules.values():
        if rule.output:
            assert set(rule.label["kk"].split()) <= words, rule.name
