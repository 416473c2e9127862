"""Input limits, in one place, and the one helper that cuts quoted input short in messages.

The limits are checked before expensive work (schema validation, evaluation), so a refusal is quick and its
message short. They are far above any real person's record: 50 years of monthly payments is 600.
"""

from __future__ import annotations

from typing import Any

MAX_JOBS = 20  # jobs in one scenario (as the scenario schema says)
MAX_PAYMENTS = 2_400  # payments in one scenario: 50 years × 12 months × 4 kinds
MAX_FACTS = 1_000  # stated facts in one scenario
MAX_LIST_ITEMS = 1_000  # any other list in a scenario (civil contracts, spells, categories)
MAX_TEXT = 4_000  # characters in any text of a scenario (a note, an id, a name)
MAX_ANY_LIST = 20_000  # items in any list of any YAML file (policies, cases)
MAX_ANY_TEXT = 100_000  # characters in any scalar of any YAML file
MAX_ID = 64  # characters in a population id
QUOTE = 60  # characters of an input value quoted in a message

# Scenario limits by top-level key ("*" for any other list), checked while the YAML is scanned, before anything
# is built or validated.
SCENARIO_LISTS = {"jobs": MAX_JOBS, "payments": MAX_PAYMENTS, "facts": MAX_FACTS, "*": MAX_LIST_ITEMS}


def cut(value: Any, limit: int = QUOTE) -> str:
    """`repr` of a value quoted in a message, cut to `limit` characters with an ellipsis."""
    text = repr(value)
    if len(text) <= limit:
        return text
    return text[: limit - 1] + "…"
