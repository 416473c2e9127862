"""`osms-eval schema`: print the JSON Schema of policy, scenario or case files, or write all three for editors."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..core.messages import _
from .common import lang_option

KINDS = ("policy", "scenario", "cases")


def schema_text(kind: str) -> str:
    from ..policy.schema import schema_text as built
    from ..testing.case_schema import cases_schema_text

    return cases_schema_text() if kind == "cases" else built(kind)


def _ours(path: Path, kind: str) -> bool:
    """Whether an existing file is a schema this command wrote (same $id), so that replacing it loses nothing."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return False
    return isinstance(doc, dict) and doc.get("$id") == json.loads(schema_text(kind))["$id"]


@click.command("schema")
@click.argument("kind", required=False, type=click.Choice(KINDS))
@click.option(
    "--write",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write the schemas (KIND, or all three) into this folder as KIND.schema.json, atomically.",
)
@click.option("--force", is_flag=True, help="With --write: replace files that are not schemas osms-eval wrote.")
@lang_option
def command(kind: str | None, folder: Path | None, force: bool, lang: str) -> None:
    """Print the JSON Schema for KIND files, or --write them into a folder for editors.

    A YAML file then names its schema on its first line: # yaml-language-server: $schema=FOLDER/scenario.schema.json
    """
    from ..core.errors import Collector, OsmsError
    from ..core.fileio import write_text_atomic

    if folder is None:
        if force:
            raise OsmsError(_("--force goes with --write"), field="--force")
        if kind is None:
            raise OsmsError(_("name a kind ({kinds}), or give --write FOLDER", kinds=", ".join(KINDS)))
        click.echo(schema_text(kind), nl=False)
        return
    if folder.exists() and not folder.is_dir():
        raise OsmsError(_("not a folder"), file=str(folder))
    if not folder.parent.is_dir():
        raise OsmsError(_("the parent folder does not exist"), file=str(folder))
    kinds = [kind] if kind else list(KINDS)
    targets = {k: folder / f"{k}.schema.json" for k in kinds}
    errors = Collector()
    for k, path in targets.items():
        if path.exists() and not force and not _ours(path, k):
            errors.add(
                _("exists and is not a schema osms-eval wrote; not replaced (--force replaces it)"), file=str(path)
            )
    errors.raise_if_any()  # check every target before writing any
    folder.mkdir(exist_ok=True)
    for k, path in targets.items():
        write_text_atomic(path, schema_text(k))
        click.echo(
            _(
                "wrote {path}; first line of a {kind} file: # yaml-language-server: $schema={schema}",
                path=path,
                kind=k,
                schema=path.resolve(),
            )
        )
