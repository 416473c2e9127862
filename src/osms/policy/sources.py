"""Where a policy set comes from: a directory, a git revision (read through real git), optionally as known on a date.

Spec forms: `policies` (a directory), `main` or `HEAD~1` (a revision of the repository: its `policies/` folder),
and either followed by `@YYYY-MM-DD` for the law as known on that date (entries adopted later left out).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..core.dates import DateFormatError, parse_date
from ..core.errors import OsmsError
from ..core.messages import _
from . import PolicySet, load_policies

_KNOWN_ON = re.compile(r"^(?P<base>.+)@(?P<date>\d{4}-\d{2}-\d{2})$")


@dataclass
class Source:
    spec: str
    label: str
    policy: PolicySet


def _git(repo: Path, *args: str) -> bytes:
    try:
        proc = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, timeout=120)
    except FileNotFoundError:
        raise OsmsError(_("git is not installed; give policy directories instead of revisions")) from None
    if proc.returncode != 0:
        raise OsmsError(
            _("git {command}: {stderr}", command=" ".join(args), stderr=proc.stderr.decode("utf-8", "replace").strip())
        )
    return proc.stdout


def open_source(spec: str, repo: Path, subdir: str, workdir: Path) -> Source:
    """Load the policy set a spec names; revisions are exported from git into `workdir`."""
    known_on: dt.date | None = None
    base = spec
    m = _KNOWN_ON.match(spec)
    if m:
        base = m["base"]
        try:
            known_on = parse_date(m["date"])
        except DateFormatError as exc:
            raise OsmsError(str(exc), field=spec) from None
    path = Path(base)
    if path.is_dir():
        label = base
        root = path
    else:
        toplevel = Path(_git(repo, "rev-parse", "--show-toplevel").decode().strip())
        commit = _git(toplevel, "rev-parse", "--verify", "--quiet", f"{base}^{{commit}}").decode().strip()
        if not commit:
            raise OsmsError(_("{base} is neither a policy directory nor a git revision", base=repr(base)), field=spec)
        data = _git(toplevel, "archive", "--format=tar", commit, "--", subdir)
        root = Path(tempfile.mkdtemp(prefix="rev-", dir=workdir))
        with tarfile.open(fileobj=io.BytesIO(data)) as tar:
            tar.extractall(root, filter="data")
        root = root / subdir
        if not root.is_dir():
            raise OsmsError(_("revision {base} has no {subdir}/ folder", base=base, subdir=subdir), field=spec)
        label = f"{base} ({commit[:10]})"
    if known_on is not None:
        label += f", as known on {known_on}"
    return Source(spec, label, load_policies(root, known_on))
