"""A policy folder is read only from inside: a symbolic link that leads out of it is refused with a message naming
the link and what to do (a file elsewhere, even /etc/passwd, must never be read as policy)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import cli

HERE = Path(__file__).parent

CASES = [
    (
        "a file outside",
        "case.yaml",
        lambda tmp: tmp / "elsewhere" / "rates.yaml",
        "error: policy/case.yaml: a symbolic link to '{target}', outside the policy folder: policy files are read "
        "only from inside it; copy the file into the folder instead",
    ),
    (
        "a system file",
        "passwd.yaml",
        lambda tmp: Path("/etc/passwd"),
        "error: policy/passwd.yaml: a symbolic link to '/etc/passwd', outside the policy folder: policy files are read "
        "only from inside it; copy the file into the folder instead",
    ),
    (
        "a folder outside",
        "more",
        lambda tmp: tmp / "elsewhere",
        "error: policy/more: a symbolic link to '{target}', outside the policy folder: policy files are read only "
        "from inside it; copy the file into the folder instead",
    ),
]


@pytest.mark.parametrize(("note", "link", "target", "message"), CASES, ids=[c[0] for c in CASES])
def test_a_link_out_of_the_policy_folder_is_refused(tmp_path: Path, note, link, target, message) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "policy"
    shutil.copytree(HERE / "policy" / "base", root)
    (tmp_path / "elsewhere").mkdir()
    shutil.copy(HERE / "policy" / "bad" / "unknown_name.yaml", tmp_path / "elsewhere" / "rates.yaml")
    (root / link).symlink_to(target(tmp_path))
    proc = cli("validate", str(root), "--lang", "en", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.strip() == message.format(target=target(tmp_path))


def test_a_link_inside_the_folder_is_read(tmp_path: Path) -> None:
    root = tmp_path / "policy"
    shutil.copytree(HERE.parent / "policies", root)
    first = sorted(p for p in root.glob("*.yaml") if p.name != "policy.yaml")[0]
    first.rename(root / ("." + first.name))  # hidden names are not read: this file is read only through the link
    first.symlink_to("." + first.name)
    proc = cli("validate", str(root), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr


def test_validate_takes_policies_like_every_command(tmp_path: Path) -> None:
    policies = str(HERE.parent / "policies")
    by_option = cli("validate", "--policies", policies, "--lang", "en")
    by_argument = cli("validate", policies, "--lang", "en")
    assert by_option.returncode == 0 and by_option.stdout == by_argument.stdout
    assert cli("validate", policies, "--policies", policies, "--lang", "en").returncode == 0  # the same folder twice
    both = cli("validate", str(HERE / "policy" / "base"), "--policies", policies, "--lang", "en")
    assert (both.returncode, both.stderr) == (
        2,
        f"error: two policy folders given ({HERE / 'policy' / 'base'} and --policies {policies}): give one\n",
    )
