"""`osms-eval serve`: the web API and the calculator page (needs `pip install "osms-eval[serve]"`)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import click

from ..core.messages import _
from .common import lang_option, policies_option

INSTALL = 'pip install "osms-eval[serve]"'


@click.command("serve")
@policies_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Worker processes (each loads the policy set once).",
)
@click.option(
    "--body-timeout",
    default=None,
    type=click.FloatRange(0.1, 600),
    help="Seconds a request body may take to arrive (default 20).",
)
@click.option("--print-openapi", is_flag=True, help="Print the OpenAPI document and exit.")
@lang_option
def command(
    policies_dir: Path | None,
    host: str,
    port: int,
    workers: int,
    body_timeout: float | None,
    print_openapi: bool,
    lang: str,
) -> None:
    """Serve the API (POST /calculate, /explain, /coverage; GET /parameters, …) and the calculator page at /."""
    from ..core.errors import OsmsError

    missing = [m for m in ("fastapi", "uvicorn") if importlib.util.find_spec(m) is None]
    if missing:
        raise OsmsError(
            _(
                "`serve` needs the serve extra ({missing} not installed): {command}",
                missing=", ".join(missing),
                command=INSTALL,
            )
        )
    from ..serve.limits import BODY_TIMEOUT_SECONDS

    if print_openapi:
        from ..serve.openapi import text

        click.echo(text(), nl=False)
        return
    from ..serve.server import run

    run(policies_dir, host, port, workers, body_timeout or BODY_TIMEOUT_SECONDS)
