"""Input limits, in one place, and the one helper that cuts quoted input short in messages.

The limits are checked before expensive work (schema validation, evaluation), so a refusal is quick and its
message short. They are far above any real person's record: 50 years of monthly payments is 600.
"""

from __future__ import annotations

from typing import Any

MAX_JOBS = 100                 # jobs in one scenario
MAX_PAYMENTS = 5_000           # payments in one scenario
MAX_FACTS = 1_000              # stated facts in one scenario
MAX_LIST_ITEMS = 1_000         # any other list in a scenario (civil contracts, spells, categories)
MAX_TEXT = 1_000               # characters in a note, id or other free text of a scenario
MAX_ID = 64                    # characters in a population id
QUOTE = 60                     # characters of an input value quoted in a message


def cut(value: Any, limit: int = QUOTE) -> str:
    """`repr` of a value quoted in a message, cut to `limit` characters with an ellipsis."""
    text = repr(value)
    if len(text) <= limit:
        return text
    return text[: limit - 1] + "…"
