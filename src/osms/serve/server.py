"""Running the application under uvicorn: one process, or N workers each loading the policy set once."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from types import FrameType
from typing import Any

from .limits import BODY_TIMEOUT_SECONDS

_ENV_POLICIES = "OSMS_SERVE_POLICIES"
_ENV_TIMEOUT = "OSMS_SERVE_BODY_TIMEOUT"


def app_from_env() -> Any:
    """The factory each worker process calls (the policy directory and limits come through the environment)."""
    from ..cli.common import load
    from .app import create_app

    root = os.environ.get(_ENV_POLICIES) or None
    return create_app(
        load(Path(root) if root else None), body_timeout=float(os.environ.get(_ENV_TIMEOUT, BODY_TIMEOUT_SECONDS))
    )


def _exit_cleanly(signum: int, frame: FrameType | None) -> None:
    # uvicorn re-raises the signal that stopped it once in-flight requests are done; by then the shutdown was
    # orderly, so exit 0.
    sys.exit(0)


def run(policies_dir: Path | None, host: str, port: int, workers: int, body_timeout: float) -> None:
    """Load and compile the policies (an error here stops before listening), then serve until SIGTERM/SIGINT.
    On SIGTERM uvicorn stops accepting connections and lets the requests in flight finish (up to 30 s)."""
    import uvicorn

    from ..cli.common import load
    from .app import create_app

    policy = load(policies_dir)
    signal.signal(signal.SIGTERM, _exit_cleanly)
    common: dict[str, Any] = {
        "host": host,
        "port": port,
        "timeout_graceful_shutdown": 30,
        "log_level": "info",
        "server_header": False,
    }
    if workers == 1:
        uvicorn.run(create_app(policy, body_timeout=body_timeout), **common)
        return
    os.environ[_ENV_POLICIES] = str(policies_dir or "")
    os.environ[_ENV_TIMEOUT] = str(body_timeout)
    uvicorn.run("osms.serve.server:app_from_env", factory=True, workers=workers, **common)
