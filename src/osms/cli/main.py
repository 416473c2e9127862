"""Entry point: a click group whose subcommands are imported lazily, so start-up stays fast."""

from __future__ import annotations

import importlib
import os
import sys

import click

from .. import __version__
from ..core.messages import LANGS, N_, _, using
from .common import set_lang

COMMANDS = {
    "run": ("osms.cli.run", N_("Evaluate scenarios: who pays how much, month by month.")),
    "validate": ("osms.cli.validate", N_("Check a policy directory and report every problem at once.")),
    "params": ("osms.cli.params", N_("Show parameters with their dated values and legal citations.")),
    "schema": ("osms.cli.schema_cmd", N_("Print the JSON Schema for policy or scenario files.")),
    "coverage": ("osms.cli.coverage", N_("Is a service covered for a person on a date, and why.")),
    "explain": ("osms.cli.explain", N_("Show how each output was reached, citing the law.")),
    "test": ("osms.cli.test_cmd", N_("Run regression cases; report failures and law coverage.")),
    "batch": ("osms.cli.batch", N_("Evaluate a population from CSV or Parquet, streamed, with an errors file.")),
    "diff": ("osms.cli.diff", N_("What changes between two policy sets, from which date, and for whom.")),
    "serve": ("osms.cli.serve", N_("Serve the web API and the calculator page (needs the serve extra).")),
    "sources": ("osms.cli.sources", N_("The bibliography: each source's title, address, and where it is used.")),
}


def translate_help(command: click.Command) -> click.Command:
    """The command's and its options' help in the current language (the English ids are kept to translate again)."""
    import inspect

    for item in (command, *command.params):
        source = item.__dict__.setdefault("_osms_help", getattr(item, "help", None))
        if source:
            item.help = _(inspect.cleandoc(source))  # type: ignore[attr-defined]
        shown = item.__dict__.setdefault("_osms_default", getattr(item, "show_default", None))
        if isinstance(shown, str):  # a default said in words (--lang's)
            item.show_default = _(shown)  # type: ignore[attr-defined]
    return command


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        return translate_help(importlib.import_module(COMMANDS[name][0]).command)

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        translate_help(self)
        super().format_help(ctx, formatter)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section(_("Commands")):
            formatter.write_dl([(n, _(COMMANDS[n][1])) for n in sorted(COMMANDS)])


def first_lang(argv: list[str]) -> str:
    """The language for everything said before options are read (--help, usage errors): --lang in the arguments,
    else OSMS_LANG, the locale, ru. An unknown --lang value is left for click to refuse."""
    from .common import default_lang, locale_lang

    for n, arg in enumerate(argv):
        if arg == "--":
            break
        value = argv[n + 1] if arg == "--lang" and n + 1 < len(argv) else arg[7:] if arg.startswith("--lang=") else None
        if value in LANGS:
            return value
    try:
        return default_lang()
    except click.UsageError:
        return locale_lang()  # a wrong OSMS_LANG is refused when the command reads it, in the locale's language


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="osms-eval")
@click.option(
    "--lang",
    type=click.Choice(LANGS),
    default=None,
    is_eager=True,
    expose_value=False,
    callback=set_lang,
    help="Language of labels and messages, for this and every command (default: OSMS_LANG, locale, ru).",
)
def cli() -> None:
    """osms-eval: Kazakhstan's mandatory social health insurance (ОСМС / МӘМС) law as data."""


def main(argv: list[str] | None = None) -> None:
    from .click_words import install

    args = sys.argv[1:] if argv is None else argv
    install()
    with using(first_lang(args)):  # a program calling main() gets its own language back afterwards
        _main(args)


def _main(args: list[str]) -> None:
    from ..core.errors import OsmsError

    try:
        cli.main(args=args, prog_name="osms-eval", standalone_mode=False)
    except OsmsError as exc:
        prefix = _("error: ")
        click.echo(f"{prefix}{exc}".replace("\n", "\n" + prefix), err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo(_("aborted"), err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2 if isinstance(exc, click.UsageError) else exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # an engine bug, not bad input: say so plainly
        if os.environ.get("OSMS_DEBUG"):
            raise
        click.echo(
            _(
                "internal error: {error} (set OSMS_DEBUG=1 for a traceback; please report it)",
                error=f"{type(exc).__name__}: {exc}",
            ),
            err=True,
        )
        sys.exit(70)
