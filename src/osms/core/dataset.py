"""A Parquet dataset partitioned by month (`OUT/month=2026-01/part-0.parquet`, hive style), built whole or not at all.

The dataset is built in a temporary sibling folder `.OUT.PID.RANDOM.part` and renamed into place at the end. A folder
that is already there is replaced only if this tool wrote it (it holds `_osms_dataset.json`, a name Arrow's dataset
reader skips); any other folder or file is refused, or with `--force` renamed aside and kept, never deleted.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from .errors import OsmsError
from .messages import _

MARKER = "_osms_dataset.json"
ROW_GROUP = 131_072  # fixed, so the same rows give the same files


def parquet_options(schema: pa.Schema) -> dict[str, Any]:
    """How every Parquet output is written: zstd (files 40 % smaller than snappy's, for the same time); money
    (decimals of at most 18 digits) as INT64 rather than 16-byte values, which every Parquet reader takes and
    which writes in half the time; no dictionary for the ids, which are all different (trying one costs 12 %)."""
    return {
        "compression": "zstd",
        "store_decimal_as_integer": True,
        "use_dictionary": [name for name in schema.names if name != "id"],
    }


def ours(path: Path) -> bool:
    return path.is_dir() and not path.is_symlink() and (path / MARKER).is_file()


def check_target(path: Path, force: bool) -> None:
    """Refuse, before any work, an OUTPUT folder or file this tool did not write (unless --force)."""
    if (path.exists() or path.is_symlink()) and not ours(path) and not force:
        what = _("a folder") if path.is_dir() else _("a file")
        raise OsmsError(
            _(
                "-o is {what} that osms-eval did not write as a dataset: choose another path, or give "
                "--force to set it aside (it is renamed, never deleted)",
                what=what,
            ),
            file=str(path),
        )
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise OsmsError(_("the output folder does not exist"), file=str(path))


def write_part(path: Path, table: pa.Table) -> None:
    """One Parquet file, written the same way every time (fixed row groups; Arrow writes no timestamps)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.part")  # a retried partition replaces a half-written one
    pq.write_table(table, tmp, row_group_size=ROW_GROUP, **parquet_options(table.schema))
    os.replace(tmp, path)


class DatasetBuild:
    """The temporary folder a dataset is built in; `commit` renames it over the target."""

    def __init__(self, target: Path, force: bool) -> None:
        check_target(target, force)
        self.target, self.force = target, force
        parent = target.parent if str(target.parent) else Path(".")
        self.tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".part", dir=parent))
        self.set_aside: Path | None = None

    def part(self, month: str, name: str) -> Path:
        return self.tmp / f"month={month}" / f"part-{name}.parquet"

    def commit(self, stamp: dict[str, Any]) -> None:
        text = json.dumps(stamp, ensure_ascii=False, indent=2, sort_keys=True, default=str)  # money: decimal text
        (self.tmp / MARKER).write_text(text + "\n", encoding="utf-8")
        os.chmod(self.tmp, 0o777 & ~_umask())  # mkdtemp makes 0700
        old = None
        if self.target.exists() or self.target.is_symlink():
            check_target(self.target, self.force)  # it may have changed while we ran
            if ours(self.target):
                old = self.target.with_name(f".{self.target.name}.{os.getpid()}.old")
            else:
                self.set_aside = self.target.with_name(f"{self.target.name}.set-aside-{time.strftime('%Y%m%d%H%M%S')}")
                old = self.set_aside
            os.replace(self.target, old)
        os.replace(self.tmp, self.target)
        if old is not None and self.set_aside is None:  # our own previous dataset
            shutil.rmtree(old, ignore_errors=True)

    def abort(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def building(target: Path, force: bool):  # type: ignore[no-untyped-def]
    build = DatasetBuild(target, force)
    try:
        yield build
    except BaseException:
        build.abort()
        raise
