"""What a bad date or month cell is told to write (core.dates.written_hint): never an error of its own, never the
text as written, and always a date or month that then reads strictly."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from osms.core.dates import parse_date, parse_month, written_hint

_SHOWN = re.compile(r"(\d{4}-\d{2}-\d{2}|\d{4}-\d{2})$")
_CELLS = st.one_of(
    st.text(max_size=14),
    st.from_regex(r"\d{1,2}[./]\d{1,2}[./]\d{4}", fullmatch=True),
    st.from_regex(r"\d{4}[-/.]\d{1,2}([-/.]\d{1,2})?", fullmatch=True),
    st.from_regex(r"\d{1,2}[./]\d{4}", fullmatch=True),
)


@settings(max_examples=400, deadline=None)
@given(_CELLS, st.booleans())
def test_a_hint_names_a_date_or_month_that_reads(cell: str, month: bool) -> None:
    hint = written_hint(cell, month)
    if not hint:
        return
    shown = _SHOWN.search(hint)
    assert shown, hint
    written = shown[1]
    assert written != cell.strip()
    (parse_month if len(written) == 7 else parse_date)(written)  # reads strictly: no DateFormatError
    assert len(written) == (7 if month else 10)


def test_the_forms_analysts_meet() -> None:
    # DD.MM.YYYY (Excel in a Russian or Kazakh locale); the year first without zeros; a day where a month is meant
    assert written_hint("16.02.1990").endswith("write 1990-02-16")
    assert written_hint("2024-2-5").endswith("write 2024-02-05")
    assert written_hint("01.12.2025", month=True).endswith("write its month, 2025-12")
    assert written_hint("12.2025", month=True).endswith("write 2025-12")
    assert written_hint("2024-1", month=True).endswith("write 2024-01")
    # not a real day, not a month, or already as it should be: nothing to suggest
    assert (
        written_hint("31.02.1990") == written_hint("13.2024", month=True) == written_hint("2024-01", month=True) == ""
    )
