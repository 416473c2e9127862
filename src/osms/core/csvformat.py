"""How a CSV file writes its numbers and text: delimiter, decimal mark, thousands separator, encoding.

Nothing here is guessed. The defaults are RFC 4180 CSV in UTF-8 with decimal points; a file saved by Excel in a
Russian or Kazakh locale ("CSV (разделители — точка с запятой)": cp1251, `;`, decimal commas) is read only when
the user says so (`--delimiter ';' --decimal ',' --encoding cp1251`). A cell written the other way is an error
row whose reason names the option that reads it; a thousands separator is accepted only with `--thousands`, and
then only in correct groups of three digits (`1 234 567,50`; a space also stands for the no-break spaces Excel
writes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .errors import OsmsError
from .limits import cut
from .messages import _

DELIMITERS = {",": ",", ";": ";", "tab": "\t", "\\t": "\t", "\t": "\t", "|": "|"}
ENCODINGS = ("utf-8", "utf-8-sig", "cp1251")
_SPACES = " \u00a0\u202f"  # space, no-break space, narrow no-break space (Excel's thousands separators)


@dataclass(frozen=True)
class CsvFormat:
    delimiter: str = ","
    decimal: str = "."
    encoding: str = "utf-8"
    thousands: str | None = None

    @property
    def default_numbers(self) -> bool:
        return self.decimal == "." and self.thousands is None

    def shown(self, char: str) -> str:
        return "tab" if char == "\t" else char


DEFAULT = CsvFormat()


def csv_format(
    delimiter: str = ",", decimal: str = ".", encoding: str = "utf-8", thousands: str | None = None
) -> CsvFormat:
    """The options checked together: a decimal mark, a delimiter and a thousands separator must all differ."""
    if delimiter not in DELIMITERS:
        raise OsmsError(
            _("--delimiter {delimiter}: use ',', ';', '|' or tab", delimiter=cut(delimiter)), field="--delimiter"
        )
    delim = DELIMITERS[delimiter]
    if decimal not in (".", ","):
        raise OsmsError(_("--decimal {decimal}: use '.' or ','", decimal=cut(decimal)), field="--decimal")
    if encoding.lower().replace("_", "-") not in ENCODINGS:
        raise OsmsError(
            _(
                "--encoding {encoding}: use utf-8 or cp1251 (Excel in a Russian or Kazakh locale)",
                encoding=cut(encoding),
            ),
            field="--encoding",
        )
    if thousands is not None and thousands not in (" ", ",", "."):
        raise OsmsError(
            _("--thousands {thousands}: use ' ' (space; no-break spaces too), ',' or '.'", thousands=cut(thousands)),
            field="--thousands",
        )
    if decimal == delim:
        raise OsmsError(
            _(
                "--decimal '{decimal}' with --delimiter '{delimiter}': a cell's decimal mark cannot also "
                "separate the cells; files with decimal commas use --delimiter ';'",
                decimal=decimal,
                delimiter=delimiter,
            ),
            field="--decimal",
        )
    if thousands is not None and thousands == decimal:
        raise OsmsError(
            _("--thousands '{thousands}' is also the decimal mark: choose another", thousands=thousands),
            field="--thousands",
        )
    if thousands is not None and thousands == delim:
        raise OsmsError(
            _("--thousands '{thousands}' is also the delimiter: choose another", thousands=thousands),
            field="--thousands",
        )
    return CsvFormat(delim, decimal, encoding.lower().replace("_", "-"), thousands)


def _accept(fmt: CsvFormat) -> str:
    """The cells the format reads as a number (sign and range are checked later, on the converted text)."""
    dec = re.escape(fmt.decimal)
    if fmt.thousands is None:
        return rf"^-?\d+({dec}\d+)?$"
    sep = f"[{_SPACES}]" if fmt.thousands == " " else re.escape(fmt.thousands)
    return rf"^-?(\d{{1,3}}({sep}\d{{3}})+|\d+)({dec}\d+)?$"


_GROUPED_SPACE = re.compile(rf"^-?\d{{1,3}}([{_SPACES}]\d{{3}})+([.,]\d+)?$")
_GROUPED_DOT = re.compile(r"^-?\d{1,3}(\.\d{3})+(,\d+)?$")
_GROUPED_COMMA = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")
_COMMA_DECIMAL = re.compile(r"^-?\d+,\d+$")
_DOT_DECIMAL = re.compile(r"^-?\d+\.\d+$")


def _hint(name: str, value: str, fmt: CsvFormat) -> str | None:
    """Why a cell the format does not read is not a number, when another option would read it."""
    shown = cut(value)
    if fmt.thousands is None and _GROUPED_SPACE.match(value):
        return f"{name}: {shown} has spaces between digit groups; if they separate thousands, add --thousands ' '" + (
            "" if "," not in value or fmt.decimal == "," else " --decimal ','"
        )
    if fmt.decimal == ".":
        if _COMMA_DECIMAL.match(value):
            also = ", or with thousands separators --thousands ','" if _GROUPED_COMMA.match(value) else ""
            return f"{name}: {shown} is not a number; with decimal commas add --decimal ','{also}"
        if fmt.thousands is None and _GROUPED_COMMA.match(value):
            return f"{name}: {shown} is not a number; with thousands separators add --thousands ','"
        return None
    if fmt.thousands is None and _GROUPED_DOT.match(value):
        return f"{name}: {shown} is not a number; with thousands separators add --thousands '.'"
    if _DOT_DECIMAL.match(value) or (fmt.thousands != "," and _GROUPED_COMMA.match(value)):
        return f"{name}: {shown} has a decimal point, but --decimal ',' is given: write it with a comma"
    return None


def read_numbers(
    rb: pa.RecordBatch, columns: list[str], fmt: CsvFormat, offset: int
) -> tuple[pa.RecordBatch, dict[int, str]]:
    """The number columns of a chunk of text cells rewritten to plain decimals (`1 234,50` → `1234.50`) as the
    format says; cells another option would read become error rows (row → reason, rows numbered from 1)."""
    flagged: dict[int, str] = {}
    accept = _accept(fmt)
    for name in columns:
        i = rb.schema.get_field_index(name)
        if i < 0 or not (pa.types.is_string(rb.column(i).type) or pa.types.is_large_string(rb.column(i).type)):
            continue
        col = rb.column(i)
        text = pc.fill_null(pc.utf8_trim_whitespace(col), "")
        ok = np.asarray(pc.match_substring_regex(text, accept).to_numpy(zero_copy_only=False), dtype=bool)
        empty = np.asarray(pc.equal(text, "").to_numpy(zero_copy_only=False), dtype=bool)
        for j in np.flatnonzero(~ok & ~empty):
            why = _hint(name, text[j].as_py(), fmt)
            if why is not None:
                flagged.setdefault(offset + int(j) + 1, why)
        if fmt.default_numbers:
            continue
        conv = text
        if fmt.thousands is not None:
            conv = pc.replace_substring_regex(
                conv, f"[{_SPACES}]" if fmt.thousands == " " else re.escape(fmt.thousands), ""
            )
        if fmt.decimal == ",":
            conv = pc.replace_substring(conv, ",", ".")
        # A cell the format does not read becomes text no reading accepts, so it is "not a number", never 0.
        fixed = pc.if_else(pa.array(ok | empty), conv, pa.scalar("not a number"))
        rb = rb.set_column(i, name, pc.if_else(pc.is_null(col), col, fixed))
    return rb, flagged
