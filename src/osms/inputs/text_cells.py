r"""Dates and months written as text (YYYY-MM-DD, YYYY-MM), checked and read on their bytes: the shapes
^\d{4}-\d{2}-\d{2}$ and ^\d{4}-(0[1-9]|1[0-2])$ as arithmetic on a (width, cells) array of bytes, with no regex and
no Python object per cell. The people table and the payments table read their dates and months here.

They read a column as `trimmed` gives it: text without surrounding blanks, a null as "". A cell that is not a date
or a month gets its reason with what to write where it reads as one in another common form (`hinted`)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..core.dates import written_hint
from .id_keys import text_buffers

DASH = (ord("-") - ord("0")) % 256


def as_text(arr: pa.Array) -> pa.Array:
    """A column as text: a string column as it is, any other cast (a number in its shortest exact form)."""
    return arr if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type) else pc.cast(arr, pa.string())


def trimmed(arr: pa.Array) -> pa.Array:
    """A column as text without surrounding blanks, an empty or null cell as "": how both tables read a cell."""
    return pc.fill_null(pc.utf8_trim_whitespace(as_text(arr)), "")


_DAYS_IN = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


def ascii_digits(text: pa.Array, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Each cell's length in bytes, and its first `width` bytes less ord("0") as a (width, n) uint8 array (a digit
    is 0 … 9, any other byte more, a non-ASCII byte too; "0"s where the cell is of another length)."""
    offsets, data = text_buffers(text)
    length = (offsets[1:] - offsets[:-1]).astype(np.int64)
    n, at = len(length), int(offsets[0])
    if int(offsets[-1]) - at == n * width and (length == width).all():  # the usual column: the bytes side by side
        cells = np.ascontiguousarray(data[at : at + n * width].reshape(n, width).T)
        cells -= np.uint8(ord("0"))  # wraps: a byte below "0" becomes large
        return length, cells
    padded = np.full(len(data) + width, ord("0"), dtype=np.uint8)  # a cell of another length reads as "0"s
    padded[: len(data)] = data
    start = np.where(length == width, offsets[:-1], len(data))
    cells = padded[start[None, :] + np.arange(width)[:, None]]
    cells -= np.uint8(ord("0"))  # wraps: a byte below "0" becomes large
    return length, cells


def all_digits(c: np.ndarray, at: tuple[int, ...]) -> np.ndarray:
    ok = np.ones(c.shape[1], dtype=bool)
    for i in at:
        ok &= c[i] <= 9
    return ok


def digits(c: np.ndarray, *at: int) -> np.ndarray:
    """The number the digits at these positions write (int32)."""
    value = np.zeros(c.shape[1], dtype=np.int32)
    for i in at:
        value = value * 10 + c[i]
    return value


def dates(text: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(length in bytes, year, month, day, real): `real` where the cell is YYYY-MM-DD and that day exists; the
    other cells read as 1900-01-01."""
    length, c = ascii_digits(text, 10)
    shaped = (length == 10) & all_digits(c, (0, 1, 2, 3, 5, 6, 8, 9)) & (c[4] == DASH) & (c[7] == DASH)
    y = np.where(shaped, digits(c, 0, 1, 2, 3), 1900)
    mo = np.where(shaped, digits(c, 5, 6), 1)
    dom = np.where(shaped, digits(c, 8, 9), 1)
    leap = (y % 4 == 0) & ((y % 100 != 0) | (y % 400 == 0))
    real = shaped & (mo >= 1) & (mo <= 12) & (dom >= 1) & (dom <= _DAYS_IN[np.clip(mo, 0, 12)] + (leap & (mo == 2)))
    return length, y, mo, dom, real


def months(text: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(length in bytes, month index y·12 + m − 1 or -1, ok): `ok` where the cell is YYYY-MM with a month 01–12."""
    length, c = ascii_digits(text, 7)
    mon = digits(c, 5, 6)
    ok = (length == 7) & all_digits(c, (0, 1, 2, 3, 5, 6)) & (c[4] == DASH) & (mon >= 1) & (mon <= 12)
    return length, np.where(ok, digits(c, 0, 1, 2, 3).astype(np.int64) * 12 + mon - 1, -1), ok


def hinted(text: pa.Array, mask: np.ndarray, reason: str, month: bool = False) -> dict[int, str]:
    """`reason` for each row of `mask` (positions in `text`), ending with what to write where the cell reads as a
    date (with `month`, a month) in another common form (core.dates.written_hint), worked out once per cell text."""
    rows = np.flatnonzero(mask)
    if not len(rows):
        return {}
    memo: dict[bytes | None, str] = {}
    out = {}
    cells = pc.take(text, pa.array(rows)).cast(pa.binary()).to_pylist()  # bytes: a cell need not be UTF-8 here
    for row, cell in zip(rows.tolist(), cells):
        if cell not in memo:
            memo[cell] = reason + written_hint((cell or b"").decode("utf-8", "replace"), month)
        out[row] = memo[cell]
    return out
