"""CSV files people open in Excel: a text cell a spreadsheet would run as a formula is written with an apostrophe
before it (OWASP CSV injection)."""

from __future__ import annotations

_INJECTION = r"^[=+\-@\t\r]"  # cells a spreadsheet would run as a formula (OWASP CSV injection)


def neutralise(value: str) -> str:
    """A text cell for a CSV file people open in Excel: a leading = + - @ tab or CR gets an apostrophe."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


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
