"""Entry point: a click group whose subcommands are imported lazily, so start-up stays fast."""

from __future__ import annotations

import importlib
import os
import sys

import click

from .. import __version__

COMMANDS = {
    "run": ("osms.cli.run", "Evaluate scenarios: who pays how much, month by month."),
    "validate": ("osms.cli.validate", "Check a policy directory and report every problem at once."),
    "params": ("osms.cli.params", "Show parameters with their dated values and legal citations."),
    "schema": ("osms.cli.schema_cmd", "Print the JSON Schema for policy or scenario files."),
    "coverage": ("osms.cli.coverage", "Is a service covered for a person on a date, and why."),
    "explain": ("osms.cli.explain", "Show how each output was reached, citing the law."),
    "test": ("osms.cli.test_cmd", "Run regression cases; report failures and law coverage."),
    "batch": ("osms.cli.batch", "Evaluate a population from CSV or Parquet, streamed, with an errors file."),
    "diff": ("osms.cli.diff", "What changes between two policy sets, from which date, and for whom."),
    "serve": ("osms.cli.serve", "Serve the web API and the calculator page (needs the serve extra)."),
    "sources": ("osms.cli.sources", "The bibliography: each source's title, address, and where it is used."),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        return importlib.import_module(COMMANDS[name][0]).command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(n, COMMANDS[n][1]) for n in sorted(COMMANDS)])


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="osms-eval")
def cli() -> None:
    """osms-eval: Kazakhstan's mandatory social health insurance (ОСМС / МӘМС) law as data."""


def main(argv: list[str] | None = None) -> None:
    from ..errors import OsmsError

    try:
        cli.main(args=argv, prog_name="osms-eval", standalone_mode=False)
    except OsmsError as exc:
        click.echo(f"error: {exc}".replace("\n", "\nerror: "), err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
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
        click.echo(f"internal error: {type(exc).__name__}: {exc} (set OSMS_DEBUG=1 for a traceback; "
                   "please report it)", err=True)
        sys.exit(70)
