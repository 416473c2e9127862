"""The message catalogs (src/osms/locale/*/LC_MESSAGES/osms.po) are complete: every message id the code uses has a
non-empty ru, kk and en text with the same placeholders, and no catalog keeps an entry nobody uses."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from osms.core.messages import LANGS, catalog, placeholders, read_po, translate

SRC = Path(__file__).resolve().parent.parent / "src" / "osms"
CALLS = {"_", "translate", "N_", "Msg"}
CLICK_DECORATORS = {"option", "argument", "command", "group"}


def _name(func: ast.expr) -> str | None:
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


def used_ids(root: Path = SRC) -> dict[tuple[str | None, str], str]:
    """Every (context, msgid) the code names, with the first file:line naming it: the first argument of `_`,
    `translate`, `N_` and `Msg`, and the help texts of click commands and options (their docstrings and help=)."""
    found: dict[tuple[str | None, str], str] = {}

    def add(context: str | None, msgid: str, path: Path, line: int) -> None:
        found.setdefault((context, msgid), f"{path.relative_to(root.parent.parent).as_posix()}:{line}")

    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = _name(node.func)
                context = next(
                    (k.value.value for k in node.keywords if k.arg == "context" and isinstance(k.value, ast.Constant)),
                    None,
                )
                if (
                    name in CALLS
                    and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)
                ):
                    add(context, node.args[0].value, path, node.lineno)
                if name in CLICK_DECORATORS and isinstance(node.func, ast.Attribute):
                    for k in node.keywords:
                        if k.arg == "help" and isinstance(k.value, ast.Constant):
                            add(None, k.value.value, path, node.lineno)
            if isinstance(node, ast.FunctionDef) and any(
                isinstance(d, ast.Call) and _name(d.func) in ("command", "group") for d in node.decorator_list
            ):
                doc = ast.get_docstring(node, clean=True)
                if doc:
                    add(None, doc, path, node.lineno)
    return found


USED = used_ids()


@pytest.mark.parametrize("lang", LANGS)
def test_every_message_is_translated(lang: str) -> None:
    entries = catalog(lang)
    missing = [f"{where}: {msgid[:60]!r}" for (ctx, msgid), where in USED.items() if not entries.get((ctx, msgid))]
    assert not missing, f"{lang}: {len(missing)} message(s) without a translation:\n" + "\n".join(missing)


@pytest.mark.parametrize("lang", LANGS)
def test_no_unused_entries(lang: str) -> None:
    unused = [msgid[:60] for key in catalog(lang) if key not in USED for msgid in [key[1]]]
    assert not unused, f"{lang}: entries no code uses (remove them): {unused}"


@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_placeholders_match(lang: str) -> None:
    wrong = [
        (msgid[:60], text[:60])
        for (ctx, msgid), text in catalog(lang).items()
        if placeholders(msgid) != placeholders(text)
    ]
    assert not wrong, f"{lang}: translations whose {{fields}} differ from the message id: {wrong}"


def test_english_catalog_names_the_same_ids() -> None:
    assert set(catalog("en")) == set(catalog("ru")) == set(catalog("kk"))


def test_fields_are_filled_after_translation() -> None:
    # "the range is longer than {years} years" in each language, with the number put in
    assert translate("the range is longer than {years} years", "ru", years=50) == "диапазон длиннее 50 лет"
    assert translate("the range is longer than {years} years", "en", years=50) == "the range is longer than 50 years"


def test_po_reader_reads_continued_strings_and_contexts(tmp_path: Path) -> None:
    po = tmp_path / "x.po"
    po.write_text(
        'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        '#: a.py:1\nmsgid "two "\n"lines"\nmsgstr "две "\n"строки"\n\n'
        'msgctxt "menu"\nmsgid "open"\nmsgstr "открыть"\n',
        encoding="utf-8",
    )
    assert read_po(po) == {(None, "two lines"): "две строки", ("menu", "open"): "открыть"}


# messages whose braces the call leaves as they are: the batch summary is filled where it is printed, and the case
# file message shows a mapping's keys in braces
UNFILLED = ("{rows} rows × {months} month(s)", "a case file must have `cases:`")


def test_every_call_fills_exactly_the_fields_of_its_message() -> None:
    # a field the message names and the call does not give would fail when the message is said; one given and not
    # named would be lost: both are checked here, for every literal message id
    wrong = []
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and _name(node.func) in ("_", "translate")
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                given = {f"{{{k.arg}}}" for k in node.keywords if k.arg not in ("context", None)}
                named = {p for p in placeholders(node.args[0].value) if not p.startswith("%")}
                if given != named and not (not given and node.args[0].value.startswith(UNFILLED)):
                    wrong.append(f"{path.name}:{node.lineno}: {sorted(named ^ given)}")
    assert not wrong, wrong


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext's msgfmt is not installed")
@pytest.mark.parametrize("lang", LANGS)
def test_catalogs_pass_msgfmt(lang: str) -> None:
    # the catalogs are standard .po files: the tool translators' editors use accepts them without a warning
    po = SRC / "locale" / lang / "LC_MESSAGES" / "osms.po"
    proc = subprocess.run(["msgfmt", "--check", "-o", os.devnull, str(po)], capture_output=True, text=True)
    assert (proc.returncode, proc.stderr) == (0, "")
