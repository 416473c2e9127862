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

_DOTTED = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})$")  # DD.MM.YYYY: Excel's dates in a ru or kk locale
_DOTTED_MONTH = re.compile(r"^(\d{1,2})[./](\d{4})$")  # MM.YYYY
_LOOSE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")  # 2024-2-5, 2024/02/05
_LOOSE_MONTH = re.compile(r"^(\d{4})[-/.](\d{1,2})$")  # 2024-1, 2024/01


def _real(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day) if FIRST_YEAR <= year <= LAST_YEAR else None
    except ValueError:
        return None


def written_hint(text: str, month: bool = False) -> str:
    """What to write instead of a cell that is not YYYY-MM-DD (with `month`, YYYY-MM) but reads as one in another
    common form, as a clause to end a message with ("" if it reads as none, or as itself): DD.MM.YYYY, as Excel
    writes dates in a Russian or Kazakh locale, or the year first without leading zeros or with slashes (2024-2-5,
    2024/02/05); for a month, MM.YYYY, 2024-1, or a whole date (Excel turns 2024-01 typed in a cell into one)."""
    text = str(text).strip()
    dotted, loose = _DOTTED.match(text), _LOOSE.match(text)
    day = _real(int(dotted[3]), int(dotted[2]), int(dotted[1])) if dotted else None
    if not month:
        if day:
            return _("; as DD.MM.YYYY (Excel in a Russian or Kazakh locale), write {day}", day=day)
        day = _real(int(loose[1]), int(loose[2]), int(loose[3])) if loose else None
        return _("; write {day}", day=day) if day and day.isoformat() != text else ""
    if loose:
        day = _real(int(loose[1]), int(loose[2]), int(loose[3]))
    if day is not None:
        return _("; that is a day: write its month, {month}", month=f"{day.year}-{day.month:02d}")
    short, year_first = _DOTTED_MONTH.match(text), _LOOSE_MONTH.match(text)
    if short and 1 <= int(short[1]) <= 12 and FIRST_YEAR <= int(short[2]) <= LAST_YEAR:
        return _("; as MM.YYYY, write {month}", month=f"{short[2]}-{int(short[1]):02d}")
    if year_first and 1 <= int(year_first[2]) <= 12 and FIRST_YEAR <= int(year_first[1]) <= LAST_YEAR:
        written = f"{year_first[1]}-{int(year_first[2]):02d}"
        return _("; write {month}", month=written) if written != text else ""
    return ""


class DateFormatError(ValueError):
    pass


def parse_date(text: str) -> dt.date:
    """YYYY-MM-DD, strictly."""
    m = _DATE.match(str(text))
    if not m:
        raise DateFormatError(
            _("{text} is not a date of the form YYYY-MM-DD", text=repr(text)) + written_hint(str(text))
        )
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
        raise DateFormatError(
            _("{text} is not a month of the form YYYY-MM", text=repr(text)) + written_hint(str(text), month=True)
        )
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
