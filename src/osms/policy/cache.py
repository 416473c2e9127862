"""The compiled-policy cache: a validated set saved under a key of every policy file and the engine's source."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

from .model import PolicySet

CACHE_ENTRIES = 16


def cache_key(root: Path, files: list[Path], known_on: dt.date | None) -> str:
    from .. import __version__

    # The folder's name is in the key because messages name files relative to its parent ("policies/…").
    from ..core.messages import LOCALE_DIR, current

    # ... and the language: warnings are kept in the set, in the words of the language they were made in
    h = hashlib.sha256(f"{__version__}|{known_on}|{root.resolve().name}|{current()}".encode())
    h.update((LOCALE_DIR / current() / "LC_MESSAGES" / "osms.po").read_bytes())
    engine = Path(__file__).resolve().parent.parent  # the whole osms package, not only policy/
    for path in sorted(engine.rglob("*.py")):  # any change to the engine, in any subpackage, invalidates the cache
        h.update(path.relative_to(engine).as_posix().encode() + b"\0" + path.read_bytes())
    for path in files:
        h.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def cache_dir() -> Path | None:
    import os

    if os.environ.get("OSMS_NO_CACHE"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "osms-eval"


def cache_get(key: str) -> PolicySet | None:
    """A validated, compiled policy set saved by an earlier run with exactly the same files and engine."""
    import pickle

    d = cache_dir()
    if d is None:
        return None
    try:
        with open(d / f"{key}.pickle", "rb") as fh:
            policy = pickle.load(fh)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
        return None
    return policy if isinstance(policy, PolicySet) else None


def cache_put(key: str, policy: PolicySet) -> None:
    import contextlib
    import os
    import pickle
    import tempfile

    d = cache_dir()
    if d is None:
        return
    with contextlib.suppress(OSError, pickle.PicklingError, RecursionError):
        d.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=d, suffix=".part")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(policy, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, d / f"{key}.pickle")
        # Keep the cache small: the newest CACHE_ENTRIES compiled sets.
        entries = sorted(d.glob("*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[CACHE_ENTRIES:]:
            old.unlink()
