"""Dates and months. A month is an integer index (year * 12 + month - 1) so that arrays of months are cheap."""

from __future__ import annotations

import datetime as dt
import re

from .messages import _

_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")

# A date's and a month's text where a whole column is checked at once (pyarrow regexes over a table's cells, the
# JSON schemas): one pattern for the people table, the payments table and the schemas.
DATE_TEXT = r"^\d{4}-\d{2}-\d{2}$"
MONTH_TEXT = r"^\d{4}-(0[1-9]|1[0-2])$"

FIRST_YEAR = 1900
LAST_YEAR = 2200


class DateFormatError(ValueError):
    pass


def parse_date(text: str) -> dt.date:
    """YYYY-MM-DD, strictly."""
    m = _DATE.match(str(text))
    if not m:
        raise DateFormatError(_("{text} is not a date of the form YYYY-MM-DD", text=repr(text)))
    try:
        d = dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        why = _("month must be in 1..12") if not 1 <= int(m[2]) <= 12 else _("day is out of range for month")
        raise DateFormatError(_("{text} is not a real date ({why})", text=repr(text), why=why)) from None
    if not FIRST_YEAR <= d.year <= LAST_YEAR:
        raise DateFormatError(_("{text} is outside {first}–{last}", text=repr(text), first=FIRST_YEAR, last=LAST_YEAR))
    return d


def parse_month(text: str) -> int:
    """YYYY-MM (a whole month) to a month index."""
    m = _MONTH.match(str(text))
    if not m or not 1 <= int(m[2]) <= 12:
        raise DateFormatError(_("{text} is not a month of the form YYYY-MM", text=repr(text)))
    year = int(m[1])
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise DateFormatError(_("{text} is outside {first}–{last}", text=repr(text), first=FIRST_YEAR, last=LAST_YEAR))
    return year * 12 + int(m[2]) - 1


def month_of(d: dt.date) -> int:
    return d.year * 12 + d.month - 1


def month_start(month: int) -> dt.date:
    return dt.date(month // 12, month % 12 + 1, 1)


def month_end(month: int) -> dt.date:
    return month_start(month + 1) - dt.timedelta(days=1)


def due_date(month: int, deadline_day: int) -> dt.date:
    """When a month's payment falls due: the deadline day of the following month."""
    nxt = month_start(month + 1)
    return nxt.replace(day=min(deadline_day, 28))


def last_fallen_due(month, day_of_month, deadline_day):  # type: ignore[no-untyped-def]
    """The last month whose payment has fallen due on a day of `month` (ints or numpy arrays): the month before
    from its deadline day on, the one before that until then. Status and payment allocation share this."""
    import numpy as np

    return (
        np.where(np.asarray(day_of_month) >= deadline_day, month - 1, month - 2)
        if np.ndim(month)
        else (month - 1 if day_of_month >= deadline_day else month - 2)
    )


def format_month(month: int) -> str:
    return f"{month // 12:04d}-{month % 12 + 1:02d}"


_EPOCH = 719163  # dt.date(1970, 1, 1).toordinal()


def months_of_days(ordinals):  # type: ignore[no-untyped-def]
    """Month index of each ordinal day (numpy arrays)."""
    import numpy as np

    days = (np.asarray(ordinals, dtype=np.int64) - _EPOCH).astype("datetime64[D]")
    return days.astype("datetime64[M]").astype(np.int64) + 1970 * 12


def month_start_ordinals(months):  # type: ignore[no-untyped-def]
    """Ordinal of the first day of each month index (numpy arrays)."""
    import numpy as np

    firsts = (np.asarray(months, dtype=np.int64) - 1970 * 12).astype("datetime64[M]").astype("datetime64[D]")
    return firsts.astype(np.int64) + _EPOCH
