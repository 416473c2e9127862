"""Safe output: never over an input or another output; whole or not at all; a full disk is a clean error.

Each output is written to `.NAME.PID.RANDOM.part` beside the target, flushed to disk, then renamed over it. A
`.part` whose writer (PID) is gone was left by a killed run and is removed by the next run on the same target.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from .errors import OsmsError
from .messages import _, os_reason

# Errors of the disk or the folder, not of the engine: reported as a clean error (exit 2), old output kept.
_DISK_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EROFS, errno.EACCES, errno.EPERM, errno.EFBIG}


def _disk_error(exc: OSError, target: Path) -> OsmsError:
    why = os_reason(exc)
    return OsmsError(
        _("cannot write the output: {why}; nothing was written (any old file is kept)", why=why), file=str(target)
    )


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


def clean_stale_parts(target: Path) -> list[Path]:
    """Remove our own `.NAME.PID.*.part` files beside `target` whose writer is no longer running."""
    directory = target.parent if str(target.parent) else Path(".")
    pattern = re.compile(rf"^\.{re.escape(target.name)}\.(\d+)\.[A-Za-z0-9_]+\.part$")
    removed: list[Path] = []
    try:
        names = os.listdir(directory)
    except OSError:
        return removed
    for name in names:
        m = pattern.match(name)
        if m and int(m[1]) != os.getpid() and not _pid_alive(int(m[1])):
            with contextlib.suppress(OSError):
                os.unlink(directory / name)
                removed.append(directory / name)
    return removed


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


class AtomicGroup:
    """Several outputs that appear together: all are written to temporary files, then all renamed at the end."""

    def __init__(self) -> None:
        self.files: list[tuple[Path, str, IO]] = []

    def open(self, path: Path | str, mode: str = "w", encoding: str | None = "utf-8", newline: str | None = None) -> IO:
        target = Path(path)
        directory = target.parent if str(target.parent) else Path(".")
        if not directory.is_dir():
            raise OsmsError(_("the output folder does not exist"), file=str(target))
        clean_stale_parts(target)
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".part", dir=directory)
        except OSError as exc:
            if exc.errno in _DISK_ERRORS:
                raise _disk_error(exc, target) from None
            raise
        fh = os.fdopen(fd, mode, encoding=None if "b" in mode else encoding, newline=None if "b" in mode else newline)
        self.files.append((target, tmp, fh))
        return fh

    def commit(self) -> None:
        mode = 0o666 & ~_umask()  # mkstemp makes 0600; an output gets the user's usual permissions
        target = None
        try:
            for path, tmp, fh in self.files:
                target = path
                if not fh.closed:
                    fh.flush()
                    os.fsync(fh.fileno())
                    fh.close()
                os.chmod(tmp, mode)
            for target, tmp, _ in self.files:
                os.replace(tmp, target)
        except OSError as exc:
            self.abort()
            if exc.errno in _DISK_ERRORS and target is not None:
                raise _disk_error(exc, target) from None
            raise

    def abort(self) -> None:
        for _path, tmp, fh in self.files:
            with contextlib.suppress(OSError):
                fh.close()
            with contextlib.suppress(OSError):
                os.unlink(tmp)


@contextlib.contextmanager
def atomic_group() -> Iterator[AtomicGroup]:
    group = AtomicGroup()
    try:
        yield group
    except OSError as exc:
        group.abort()
        if exc.errno in _DISK_ERRORS and len(group.files) == 1:
            raise _disk_error(exc, group.files[0][0]) from None
        if exc.errno in _DISK_ERRORS and group.files:  # which of the files failed is not known: name the folder
            why = os_reason(exc)
            raise OsmsError(
                _("cannot write the outputs: {why}; nothing was written (any old files are kept)", why=why),
                file=str(group.files[0][0].parent),
            ) from None
        raise
    except BaseException:
        group.abort()
        raise
    group.commit()


@contextlib.contextmanager
def atomic_open(
    path: Path | str, mode: str = "w", encoding: str | None = "utf-8", newline: str | None = None
) -> Iterator[IO]:
    """Open a temporary file next to `path`; on success it replaces `path`, on failure it is removed."""
    with atomic_group() as group:
        yield group.open(path, mode, encoding, newline)


def write_text_atomic(path: Path | str, text: str) -> None:
    with atomic_open(path) as fh:
        fh.write(text)


def _same(a: Path, b: Path) -> bool:
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.samefile(a, b)  # hard links, bind mounts, case-insensitive file systems
    except OSError:
        return False


def _inside(path: Path, folder: Path) -> bool:
    real, top = os.path.realpath(path), os.path.realpath(folder)
    return real.startswith(top.rstrip(os.sep) + os.sep)


def refuse_clashes(inputs: Iterable[tuple[str, Path | None]], outputs: Iterable[tuple[str, Path | None]]) -> None:
    """Stop before anything is written if an output is an input (or a YAML file in an input folder) or another one.

    `inputs` and `outputs` are (label, path) pairs; the labels name the option in the message."""
    ins = [(label, Path(p)) for label, p in inputs if p is not None]
    outs = [(label, Path(p)) for label, p in outputs if p is not None]
    for i, (label, out) in enumerate(outs):
        for in_label, src in ins:
            if src.is_dir() and out.suffix.lower() in (".yaml", ".yml") and _inside(out, src):
                raise OsmsError(
                    _(
                        "{label} lies inside the {in_label} folder {src}, whose YAML files are read: "
                        "write it somewhere else",
                        label=label,
                        in_label=in_label,
                        src=src,
                    ),
                    file=str(out),
                )
            if _same(out, src):
                raise OsmsError(
                    _(
                        "{label} is the same file as the {in_label} {src}: writing it would destroy the "
                        "input; choose another path",
                        label=label,
                        in_label=in_label,
                        src=src,
                    ),
                    file=str(out),
                )
        for other_label, other in outs[:i]:
            if _same(out, other):
                raise OsmsError(
                    _(
                        "{label} is the same file as {other_label} {other}: choose another path",
                        label=label,
                        other_label=other_label,
                        other=other,
                    ),
                    file=str(out),
                )
