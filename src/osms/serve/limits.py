"""Bounds on what one request may ask for: beyond them the answer is 413, before any work is done."""

from __future__ import annotations

MAX_BODY_BYTES = 8 * 1024 * 1024
MAX_SCENARIOS = 10_000
MAX_PAYMENTS = 2_000
# Records in one answer (scenarios × months): 10 000 scenarios over 84 months would be ~600 MB of JSON.
MAX_RECORDS = 120_000
# A request body must arrive whole within this many seconds (a slowloris client is cut off with 408).
BODY_TIMEOUT_SECONDS = 20.0


class TooLarge(Exception):
    """A request beyond one of the bounds (answered with 413)."""
