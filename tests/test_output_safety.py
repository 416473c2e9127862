"""Nothing lost: outputs never replace inputs or each other, a full disk is a clean error, stale temporary files
are cleaned, outputs get the user's permissions, and CSV files are real CSV that Excel will not run."""

from __future__ import annotations

import csv
import errno
import io
import os
import shlex
import subprocess
from pathlib import Path

import pyarrow.csv as pacsv
import pytest
import yaml
from conftest import ROOT, cli

from osms.core import fileio
from osms.core.csv_safety import neutralise
from osms.core.errors import OsmsError

HERE = Path(__file__).parent
CLASHES = yaml.safe_load((HERE / "output" / "clashes.yaml").read_text(encoding="utf-8"))
POLICIES = str(ROOT / "policies")


def _make(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        if text.startswith("-> "):
            (folder / name).symlink_to(text[3:])
        elif text.startswith("=> "):
            os.link(folder / text[3:], folder / name)
        else:
            (folder / name).write_text(text, encoding="utf-8")


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("case", CLASHES, ids=[c["note"] for c in CLASHES])
def test_an_output_never_replaces_an_input_or_another_output(case: dict, tmp_path: Path) -> None:
    _make(tmp_path, case["files"])
    before = _snapshot(tmp_path)
    proc = cli(*shlex.split(case["run"].format(policies=POLICIES)), "--lang", "en", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip() == case["expect"].format(policies=POLICIES)
    assert _snapshot(tmp_path) == before  # nothing written, nothing replaced, no temporary file left


def _full_disk(*args, **kwargs):  # type: ignore[no-untyped-def]
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize("where", ["fsync", "write"])
def test_a_full_disk_is_a_clean_error_and_keeps_the_old_file(tmp_path: Path, monkeypatch, where: str) -> None:
    out = tmp_path / "result.json"
    out.write_text("old\n", encoding="utf-8")
    if where == "fsync":
        monkeypatch.setattr(fileio.os, "fsync", _full_disk)
        with pytest.raises(OsmsError) as exc:
            fileio.write_text_atomic(out, "new\n")
    else:
        with pytest.raises(OsmsError) as exc, fileio.atomic_open(out) as fh:
            fh.write("new")
            _full_disk()  # what a write to a full disk raises
    assert str(exc.value) == (
        f"{out}: cannot write the output: no space left on the disk; nothing was written (any old file is kept)"
    )
    assert out.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["result.json"]


def test_a_full_tmpfs_is_a_clean_error(tmp_path: Path) -> None:
    """A real full disk: a 64 KiB tmpfs (needs root; skipped where mounting is not permitted)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if (
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(disk)], capture_output=True).returncode
        != 0
    ):
        pytest.skip("cannot mount a tmpfs here")
    try:
        src = tmp_path / "people.csv"
        src.write_text("id,age,wage_1\n" + "".join(f"p{i},30,300000\n" for i in range(5000)), encoding="utf-8")
        out = disk / "out.csv"
        out.write_text("old\n", encoding="utf-8")
        proc = cli(
            "batch",
            str(src),
            "-o",
            str(out),
            "--month",
            "2026-01",
            "--no-progress",
            "--no-status",
            "--lang",
            "en",
            cwd=tmp_path,
        )
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr == (
            f"error: {disk}: cannot write the outputs: no space left on the disk; nothing was "
            "written (any old files are kept)\n"
        )
        assert out.read_text(encoding="utf-8") == "old\n"
        assert sorted(p.name for p in disk.iterdir()) == ["out.csv"]
    finally:
        subprocess.run(["umount", str(disk)], check=True)


def _dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid  # reaped: no process has this id now (pids are not reused this quickly)


def test_a_stale_part_file_is_cleaned_by_the_next_run(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    stale = tmp_path / f".out.csv.{_dead_pid()}.k1llED.part"  # its writer is gone
    live = tmp_path / ".out.csv.1.aLive_.part"  # pid 1 is running: maybe still writing
    other = tmp_path / f".other.csv.{_dead_pid()}.x.part"  # another target's: not ours to judge
    unrelated = tmp_path / ".out.csv.notapid.part"  # not our naming: left alone
    for p in (stale, live, other, unrelated):
        p.write_text("half", encoding="utf-8")
    fileio.write_text_atomic(out, "whole\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([out.name, live.name, other.name, unrelated.name])


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_outputs_get_the_users_umask(tmp_path: Path, umask: int, mode: int) -> None:
    old = os.umask(umask)
    try:
        fileio.write_text_atomic(tmp_path / "out.txt", "x\n")
    finally:
        os.umask(old)
    assert (tmp_path / "out.txt").stat().st_mode & 0o777 == mode


@pytest.mark.parametrize(
    ("cell", "shown"),
    [
        ("=1+1", "'=1+1"),
        ("+7", "'+7"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_neutralise(cell: str, shown: str) -> None:
    assert neutralise(cell) == shown


def test_errors_and_results_are_real_csv_without_formulas(tmp_path: Path) -> None:
    src = tmp_path / "people.csv"
    src.write_text(
        "id,age,wage_1,branch\n"
        '"x"",evil",30,12x,north\n'  # quote and comma in an id; a malformed wage
        ",30,300000,south\n"  # no id
        '=HYPERLINK("http://e.example"),30,1x,east\n'  # a formula in an id
        "@ok,30,300000,=2+3\n"  # a formula in a pass-through column
        "-5,30,300000,west\n",
        encoding="utf-8",
    )

    def batch(out: str, *extra: str):  # type: ignore[no-untyped-def]
        return cli(
            "batch", str(src), "-o", out, "--month", "2026-01", "--lang", "en", "--keep", "branch", "--no-status",
            *extra, cwd=tmp_path,
        )  # fmt: skip

    proc = batch("out.csv")
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.reader(io.StringIO((tmp_path / "out.errors.csv").read_text(encoding="utf-8"), newline="")))
    assert rows == [
        ["row", "id", "reason"],
        ["1", 'x",evil', "2026-01: wage_1: not a number"],
        ["2", "", "2026-01: id: empty"],
        ["3", '\'=HYPERLINK("http://e.example")', "2026-01: wage_1: not a number"],
    ]
    out = pacsv.read_csv(tmp_path / "out.csv").to_pylist()
    assert [(r["id"], r["branch"]) for r in out] == [("'@ok", "'=2+3"), ("'-5", "west")]
    # 2 % × 300 000 = 6 000: the engine's numbers stay numbers
    assert [r["employee_contribution"] for r in out] == [6000, 6000]
    proc = batch("raw.csv", "--no-csv-escape")
    assert proc.returncode == 0, proc.stderr
    raw = pacsv.read_csv(
        tmp_path / "raw.csv", convert_options=pacsv.ConvertOptions(column_types={"id": "string", "branch": "string"})
    ).to_pylist()
    assert [(r["id"], r["branch"]) for r in raw] == [("@ok", "=2+3"), ("-5", "west")]
    assert (
        list(csv.reader(io.StringIO((tmp_path / "raw.errors.csv").read_text(encoding="utf-8"))))[3][1]
        == '=HYPERLINK("http://e.example")'
    )
