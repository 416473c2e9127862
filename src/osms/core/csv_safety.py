"""CSV files people open in Excel: a text cell a spreadsheet would run as a formula is written with an apostrophe
before it (OWASP CSV injection)."""

from __future__ import annotations

import re

FORMULA_START = frozenset("=+-@\t\r")  # a cell starting so a spreadsheet would run as a formula (OWASP)
_INJECTION = "^[" + re.escape("".join(sorted(FORMULA_START))) + "]"  # the same set, for Arrow's regex kernel


def neutralise(value: str) -> str:
    """A text cell for a CSV file people open in Excel: a leading = + - @ tab or CR gets an apostrophe."""
    return "'" + value if value[:1] in FORMULA_START else value


def neutralise_table(table, columns: list[str]):  # type: ignore[no-untyped-def]
    """The same rule on the text columns of a result table (numbers the engine writes stay numbers)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    for name in columns:
        i = table.schema.get_field_index(name)
        col = table.column(i)
        if not pa.types.is_string(col.type):
            continue
        risky = pc.fill_null(pc.match_substring_regex(col, _INJECTION), False)
        table = table.set_column(i, name, pc.if_else(risky, pc.binary_join_element_wise("'", col, ""), col))
    return table
