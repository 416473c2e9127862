"""A stop asked for by SIGTERM or Ctrl-C, acted on between pieces of work, never inside a wait.

An exception raised by a signal handler can land inside a thread pool's wait and leave its lock held, so that the
pool's shutdown hangs and the run never exits. The handler only records the request; long loops call `check()` at
their safe points (between chunks, between payment batches), which raises KeyboardInterrupt there. A second signal
while the first is pending raises at once.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_requested = threading.Event()


def check() -> None:
    """Raise KeyboardInterrupt if a stop was asked for (call between pieces of work, on the main thread)."""
    if _requested.is_set():
        raise KeyboardInterrupt


def _handler(signum: int, frame: Any) -> None:
    if _requested.is_set():
        raise KeyboardInterrupt  # asked twice: stop now
    _requested.set()


@contextmanager
def stoppable() -> Iterator[None]:
    """SIGTERM and SIGINT recorded for `check()` while the block runs; the former handlers after it."""
    _requested.clear()
    old = {s: signal.signal(s, _handler) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)
        _requested.clear()
