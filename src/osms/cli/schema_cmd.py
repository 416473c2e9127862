"""`osms-eval schema`: print the JSON Schema of policy or scenario files."""

from __future__ import annotations

import click


@click.command("schema")
@click.argument("kind", type=click.Choice(["policy", "scenario"]))
def command(kind: str) -> None:
    """Print the JSON Schema for KIND files (for editors: # yaml-language-server: $schema=...)."""
    from ..schema import schema_text

    click.echo(schema_text(kind), nl=False)
