"""The analyst's language: every message the product writes, looked up in gettext catalogs (ru, kk, en).

The catalogs are the `.po` files in `osms/locale/<lang>/LC_MESSAGES/osms.po`, read directly (no compile step), so a
Russian or Kazakh reviewer corrects wording there without reading Python. A message id is the English sentence; its
fields are `{name}` placeholders filled after translation: `_("unknown column {name}", name=col)`.

The language is the one given (`lang=`), else the current one: the CLI sets it from `--lang` / OSMS_LANG / the
locale, the web service per request (`using`); a program importing osms gets English unless it says otherwise.
"""

from __future__ import annotations

import ast
import contextlib
import contextvars
import string
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path

LANGS = ("ru", "kk", "en")
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
_current: contextvars.ContextVar[str] = contextvars.ContextVar("osms_lang", default="en")


def current() -> str:
    return _current.get()


def use(lang: str) -> None:
    """Make `lang` the language of messages from here on (the CLI, once per command)."""
    if lang not in LANGS:
        raise ValueError(f"language {lang!r} is not one of {', '.join(LANGS)}")
    _current.set(lang)


@contextlib.contextmanager
def using(lang: str) -> Iterator[None]:
    """Messages in `lang` inside the block (a web request)."""
    token = _current.set(lang)
    try:
        yield
    finally:
        _current.reset(token)


def _unquote(text: str, path: Path, line: int) -> str:
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        value = None
    if not isinstance(value, str):
        raise ValueError(f"{path}:{line}: not a quoted string: {text[:40]}")
    return value


def read_po(path: Path) -> dict[tuple[str | None, str], str]:
    """A .po file as {(msgctxt, msgid): msgstr}; the header entry (empty msgid) is left out."""
    entries: dict[tuple[str | None, str], str] = {}
    current: dict[str, str] = {}
    key: str | None = None

    def flush() -> None:
        if current.get("msgid"):
            entries[(current.get("msgctxt"), current["msgid"])] = current.get("msgstr", "")
        current.clear()

    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            if not line and current:
                flush()
                key = None
            continue
        if line.startswith('"'):
            if key is None:
                raise ValueError(f"{path}:{n}: a continued string outside an entry")
            current[key] += _unquote(line, path, n)
            continue
        word, _, rest = line.partition(" ")
        if word not in ("msgctxt", "msgid", "msgstr"):
            raise ValueError(f"{path}:{n}: unexpected {word[:20]!r} (plural forms are not used)")
        if "msgstr" in current and (word == "msgctxt" or (word == "msgid" and "msgctxt" not in current)):
            flush()
        key = word
        current[key] = _unquote(rest, path, n)
    flush()
    return entries


@cache
def catalog(lang: str) -> dict[tuple[str | None, str], str]:
    return read_po(LOCALE_DIR / lang / "LC_MESSAGES" / "osms.po")


def translate(msgid: str, lang: str | None = None, /, *, context: str | None = None, **fields: object) -> str:
    """`msgid` in `lang` (default: the current language), its `{fields}` filled in.

    An id missing from the catalog is shown as written (English); the completeness test keeps that from happening.
    """
    text = catalog(lang or current()).get((context, msgid)) or msgid
    return text.format(**fields) if fields else text


_ = translate


def N_(msgid: str) -> str:
    """Marks a message id for the catalogs where it is translated later (click help, tables of ids)."""
    return msgid


def words(lang: str, *msgids: str) -> list[str]:
    return [translate(m, lang) for m in msgids]


def placeholders(text: str) -> set[str]:
    """The `{field}` names (and click's `%(name)s`) in a message, to check that translations keep them."""
    names = {f"{{{name}}}" for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    import re

    return names | set(re.findall(r"%\(\w+\)s", text))


class Msg(Mapping[str, str]):
    """A message id read in any language by indexing, as the old {lang: text} tables were: Msg("insured")["kk"]."""

    __slots__ = ("context", "msgid")

    def __init__(self, msgid: str, context: str | None = None) -> None:
        self.msgid, self.context = msgid, context

    def __getitem__(self, lang: str) -> str:
        if lang not in LANGS:
            raise KeyError(lang)
        return translate(self.msgid, lang, context=self.context)

    def __iter__(self) -> Iterator[str]:
        return iter(LANGS)

    def __len__(self) -> int:
        return len(LANGS)

    def __repr__(self) -> str:
        return f"Msg({self.msgid!r})"


def os_reason(exc: OSError) -> str:
    """Why the system refused a file, in the analyst's language for the usual reasons (else as the system says)."""
    import errno

    said = {
        errno.ENOENT: N_("no such file or folder"),
        errno.EACCES: N_("permission denied"),
        errno.EPERM: N_("permission denied"),
        errno.EISDIR: N_("it is a folder, not a file"),
        errno.ENOTDIR: N_("a part of the path is not a folder"),
        errno.ENOSPC: N_("no space left on the disk"),
        errno.EDQUOT: N_("the disk quota is used up"),
        errno.EROFS: N_("the disk is read-only"),
    }
    msgid = said.get(exc.errno or 0)
    return translate(msgid) if msgid else (exc.strerror or str(exc))
