"""Bad inputs, Catala-style: each file under tests/<feature>/bad/ holds the exact message an analyst will read.

The expected output sits at the end of the file, after `# expect:`, so it never shifts the lines above.
Set OSMS_RESET=1 to re-record it, then review the change with `git diff` before committing.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from conftest import cli

HERE = Path(__file__).parent
RESET = os.environ.get("OSMS_RESET") == "1"
_EXPECT = re.compile(r"^# expect:\n((?:#   .*\n)*)", re.M)


def expected(path: Path) -> str:
    m = _EXPECT.search(path.read_text(encoding="utf-8"))
    assert m, f"{path} has no '# expect:' block"
    return "".join(line[4:] + "\n" for line in m[1].splitlines())


def record(path: Path, actual: str) -> None:
    block = "# expect:\n" + "".join(f"#   {line}\n" for line in actual.splitlines())
    text = path.read_text(encoding="utf-8")
    path.write_text(_EXPECT.sub(lambda _: block, text, count=1), encoding="utf-8")


def check(path: Path, proc) -> None:  # type: ignore[no-untyped-def]
    assert "Traceback" not in proc.stderr
    assert proc.returncode == 2, proc.stderr
    if RESET:
        record(path, proc.stderr)
    assert proc.stderr == expected(path)


@pytest.mark.parametrize("path", sorted((HERE / "policy" / "bad").glob("*.yaml")), ids=lambda p: p.stem)
def test_bad_policy(path: Path, tmp_path: Path) -> None:
    root = tmp_path / "policy"
    shutil.copytree(HERE / "policy" / "base", root)
    shutil.copy(path, root / "case.yaml")
    for name in re.findall(r"^# replaces: (\S+)$", path.read_text(encoding="utf-8"), re.M):
        (root / name).unlink()  # the case stands in for that file of the base set
    check(path, cli("validate", str(root), "--lang", "ru", cwd=tmp_path))  # the messages a Russian reader gets


@pytest.mark.parametrize("path", sorted((HERE / "scenario" / "bad").glob("*.yaml")), ids=lambda p: p.stem)
def test_bad_scenario(path: Path, tmp_path: Path) -> None:
    shutil.copy(path, tmp_path / path.name)
    month = re.search(r"^# month: (\S+)", path.read_text(encoding="utf-8"), re.M)
    check(
        path,
        cli(
            "run",
            path.name,
            "--month",
            month[1] if month else "2024-01",
            "--lang",
            "en",
            "--policies",
            str(HERE.parent / "policies"),
            cwd=tmp_path,
        ),
    )
