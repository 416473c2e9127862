"""Work on a small thread pool, results in order: numpy and Arrow release the GIL, so chunks run side by side."""

from __future__ import annotations

import contextvars
from collections import deque
from collections.abc import Callable, Generator, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")


def in_order(calls: Iterable[Callable[[], T]], workers: int, ahead: int | None = None) -> Generator[T, None, None]:
    """Each call run on `workers` threads in the caller's context (its language for messages), at most `ahead`
    (default: `workers`) waiting beyond the one yielded next; the results in the calls' order. The next call is
    drawn on the caller's thread, so what drawing it computes in order (the ids seen so far) stays in order."""
    ahead = workers if ahead is None else ahead
    with ThreadPoolExecutor(workers) as pool:
        pending: deque[Future[T]] = deque()
        for call in calls:
            pending.append(pool.submit(contextvars.copy_context().run, call))
            if len(pending) > ahead:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
