"""Options and helpers shared by the subcommands."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..dates import DateFormatError, format_month, parse_date, parse_month
from ..errors import OsmsError

LANGS = ("ru", "kk", "en")


def policies_option(f: Any) -> Any:
    return click.option("--policies", "policies_dir", type=click.Path(file_okay=False, path_type=Path),
                        default=None, help="Policy directory (default: the bundled policies).")(f)


def lang_option(f: Any) -> Any:
    return click.option("--lang", type=click.Choice(LANGS), default="ru", show_default=True,
                        help="Language of labels and messages.")(f)


def load(policies_dir: Path | None):  # type: ignore[no-untyped-def]
    from ..policy import bundled_policies, load_policies

    return load_policies(policies_dir if policies_dir is not None else bundled_policies())


def month_arg(text: str, option: str) -> int:
    try:
        return parse_month(text)
    except DateFormatError as exc:
        raise OsmsError(str(exc), field=option) from None


def date_arg(text: str, option: str):  # type: ignore[no-untyped-def]
    try:
        return parse_date(text)
    except DateFormatError as exc:
        raise OsmsError(str(exc), field=option) from None


def months(month: str | None, first: str | None, last: str | None, covers: tuple[int, int]) -> list[int]:
    """The months asked for; each must lie within what the policy set covers."""
    if month and (first or last):
        raise OsmsError("give either --month or --from/--to, not both")
    if month:
        ms = [month_arg(month, "--month")]
    elif first and last:
        a, b = month_arg(first, "--from"), month_arg(last, "--to")
        if b < a:
            raise OsmsError(f"--to {last} is before --from {first}")
        if b - a >= 12 * 50:
            raise OsmsError("the range is longer than 50 years")
        ms = list(range(a, b + 1))
    else:
        raise OsmsError("give --month YYYY-MM, or --from YYYY-MM and --to YYYY-MM")
    lo, hi = covers
    outside = [m for m in ms if not lo <= m <= hi]
    if outside:
        raise OsmsError(f"{format_month(outside[0])} is outside the months the policy set covers "
                        f"({format_month(lo)} to {format_month(hi)})", field="--month")
    return ms
