"""Options and helpers shared by the subcommands."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click

from ..core.dates import DateFormatError, format_month, parse_date, parse_month
from ..core.errors import OsmsError
from ..core.messages import LANGS, N_, _, using


def policies_option(f: Any) -> Any:
    return click.option(
        "--policies",
        "policies_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Policy directory (default: the bundled policies).",
    )(f)


def locale_lang() -> str:
    """The language the locale names (LC_ALL, LC_MESSAGES, LANG: ru_*, kk_*, en_*), else ru, the project's default
    (a C or POSIX locale says nothing about the reader's language)."""
    import os

    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var)
        if value:  # the first one set decides, as for gettext
            code = value.split(".")[0].split("_")[0].lower()
            return code if code in LANGS else "ru"
    return "ru"


def default_lang() -> str:
    """The language when --lang is not given: OSMS_LANG, else the locale, else ru (see locale_lang)."""
    import os

    env = os.environ.get("OSMS_LANG")
    if env is not None:
        if env.strip().lower() not in LANGS:
            raise click.UsageError(
                _(
                    "OSMS_LANG={value} is not one of {langs}; set it to one of them, or unset it",
                    locale_lang(),
                    value=repr(env[:20]),
                    langs=", ".join(LANGS),
                )
            )
        return env.strip().lower()
    return locale_lang()


def set_lang(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    ctx.meta["osms.lang"] = value  # shared with the subcommand's context (its --lang default)
    ctx.with_resource(using(value))  # messages in this language until the command ends, then as they were
    return value


def _command_default() -> str:
    """A command's --lang default: `osms-eval --lang X COMMAND` when given so, else default_lang."""
    ctx = click.get_current_context(silent=True)
    return (ctx.meta.get("osms.lang") if ctx is not None else None) or default_lang()


def lang_option(f: Any) -> Any:
    """--lang ru|kk|en; default from OSMS_LANG, then the locale, then ru (see default_lang)."""
    return click.option(
        "--lang",
        type=click.Choice(LANGS),
        default=_command_default,
        show_default=N_("OSMS_LANG, locale, ru"),
        is_eager=True,
        callback=set_lang,
        help="Language of labels and messages.",
    )(f)


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


KINDS = {
    "output": (N_("unknown output {name}"), N_("; the outputs are: {names}")),
    "parameter": (N_("unknown parameter {name}"), N_("; the parameters are: {names}")),
    "service": (N_("unknown service {name}"), N_("; the services are: {names}")),
    "source": (N_("unknown source {name}"), N_("; the sources are: {names}")),
}


def require_known(kind: str, names: tuple[str, ...] | list[str], known: list[str], field: str) -> None:
    """Each name must be one of `known`; otherwise an error with the nearest match and the full list."""
    import difflib

    from ..core.limits import cut

    for name in names:
        if name not in known:
            hint = difflib.get_close_matches(name[:200], known, n=1)
            unknown, listed = KINDS[kind]
            said = _(unknown, name=cut(name)) + (_(" (did you mean {hint}?)", hint=repr(hint[0])) if hint else "")
            raise OsmsError(said + _(listed, names=", ".join(known)), field=field)


def months(month: str | None, first: str | None, last: str | None, covers: tuple[int, int]) -> list[int]:
    """The months asked for; each must lie within what the policy set covers."""
    if month and (first or last):
        raise OsmsError(_("give either --month or --from/--to, not both"))
    if month:
        ms = [month_arg(month, "--month")]
    elif first and last:
        a, b = month_arg(first, "--from"), month_arg(last, "--to")
        if b < a:
            raise OsmsError(_("--to {last} is before --from {first}", last=last, first=first))
        if b - a >= 12 * 50:
            raise OsmsError(_("the range is longer than {years} years", years=50))
        ms = list(range(a, b + 1))
    else:
        raise OsmsError(_("give --month YYYY-MM, or --from YYYY-MM and --to YYYY-MM"))
    for m in ms:
        require_covered(m, covers, format_month(m), "--month")
    return ms


def require_covered(month: int, covers: tuple[int, int], shown: str, field: str) -> None:
    lo, hi = covers
    if not lo <= month <= hi:
        raise OsmsError(
            _(
                "{day} is outside the months the policy set covers ({first} to {last})",
                day=shown,
                first=format_month(lo),
                last=format_month(hi),
            ),
            field=field,
        )


def period(
    month: str | None, first: str | None, last: str | None, on: str | None, covers: tuple[int, int]
) -> tuple[list[int], dt.date | None]:
    """The months asked and the day status is taken on (None: each month's end). `--on DAY` asks for one day;
    nothing at all asks for today, when the policies cover it (said on standard error)."""
    from ..core.dates import month_of

    if on is not None:
        if month or first or last:
            raise OsmsError(_("give either --on or --month/--from/--to, not both"))
        day = date_arg(on, "--on")
        require_covered(month_of(day), covers, day.isoformat(), "--on")
        return [month_of(day)], day
    if not (month or first or last):
        today = dt.date.today()
        lo, hi = covers
        if not lo <= month_of(today) <= hi:
            raise OsmsError(
                _(
                    "give --month YYYY-MM, --from/--to or --on YYYY-MM-DD (today, {today}, is outside the "
                    "months the policy set covers, {first} to {last})",
                    today=today,
                    first=format_month(lo),
                    last=format_month(hi),
                )
            )
        click.echo(_("note: no --month or --on given: answering for today, {today}", today=today), err=True)
        return [month_of(today)], today
    return months(month, first, last, covers), None
