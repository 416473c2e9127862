"""Safe YAML loading: line numbers kept, duplicate keys and aliases rejected, exact decimals, bounded size."""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from ..core.dates import written_hint
from ..core.errors import OsmsError
from ..core.limits import MAX_ANY_LIST, MAX_ANY_TEXT, cut
from ..core.messages import _, os_reason

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 40


class LineDict(dict):
    """A mapping that remembers the line of each key (1-based)."""

    line: int = 0
    key_lines: dict[str, int]


class LineList(list):
    """A sequence that remembers the line of each item (1-based)."""

    line: int = 0
    item_lines: list[int]


_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: ten times faster


class _Loader(_Base):  # type: ignore[misc, valid-type]
    """A safe loader that keeps dates as strings, floats as Decimal and mappings with their lines."""

    def __init__(self, stream: str, filename: str) -> None:
        super().__init__(stream)
        self.filename = filename


def _scan(text: str, filename: str, lists: dict[str, int] | None = None, max_text: int = MAX_ANY_TEXT) -> None:
    """Refuse anchors, aliases, deep nesting, long lists and long texts before anything is built (a
    billion-laughs file stops here, and so does a scenario with 20 000 jobs, at its 21st).

    `lists` limits the items of a top-level key's list ("*" for any other); any list has at most MAX_ANY_LIST."""
    # One frame per open collection: [is_mapping, items so far, limit, key expected next, last key]
    stack: list[list[Any]] = []
    for event in yaml.parse(text, Loader=_Base):
        if isinstance(event, yaml.AliasEvent):
            raise OsmsError(
                _("YAML aliases (*name) are not allowed: write the value out in full"),
                file=filename,
                line=event.start_mark.line + 1,
            )
        anchor = getattr(event, "anchor", None)
        if anchor:
            raise OsmsError(
                _("YAML anchors (&{value}) are not allowed: write the value out in full", value=cut(anchor)[1:-1]),
                file=filename,
                line=event.start_mark.line + 1,
            )
        if isinstance(event, (yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            key = None
            if stack:
                frame = stack[-1]
                if frame[0]:
                    if frame[3]:  # a key: remember it for the value that follows
                        frame[3] = False
                        frame[4] = event.value if isinstance(event, yaml.ScalarEvent) else None
                        if isinstance(event, yaml.ScalarEvent):
                            if len(event.value) > max_text:
                                raise OsmsError(
                                    _(
                                        "a key of {count} characters; the limit is {max_text}",
                                        count=format(len(event.value), ","),
                                        max_text=format(max_text, ","),
                                    ),
                                    file=filename,
                                    line=event.start_mark.line + 1,
                                )
                            continue
                    else:
                        frame[3], key = True, frame[4]
                else:
                    frame[1] += 1
                    if frame[1] > frame[2]:
                        raise OsmsError(
                            _("more than {limit} items; the limit is {limit}", limit=format(frame[2], ",")),
                            file=filename,
                            line=event.start_mark.line + 1,
                            field=frame[4],
                        )
            if isinstance(event, yaml.ScalarEvent):
                if len(event.value) > max_text:
                    raise OsmsError(
                        _(
                            "a text of {count} characters; the limit is {max_text}",
                            count=format(len(event.value), ","),
                            max_text=format(max_text, ","),
                        ),
                        file=filename,
                        line=event.start_mark.line + 1,
                        field=cut(key)[1:-1] if isinstance(key, str) else None,
                    )
                continue
            if len(stack) >= MAX_DEPTH:
                raise OsmsError(
                    _("nesting deeper than {limit} levels", limit=MAX_DEPTH),
                    file=filename,
                    line=event.start_mark.line + 1,
                )
            limit = MAX_ANY_LIST
            if isinstance(event, yaml.SequenceStartEvent) and lists is not None:
                limit = lists.get(key, lists["*"]) if len(stack) == 1 and isinstance(key, str) else lists["*"]
            stack.append(
                [
                    isinstance(event, yaml.MappingStartEvent),
                    0,
                    limit,
                    True,
                    cut(key)[1:-1] if isinstance(key, str) else None,
                ]
            )
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            stack.pop()


# Dates stay strings: the schema checks their form and the model parses them, so a bad date
# is reported with its line instead of surfacing as a Python date or datetime. Booleans follow YAML 1.2
# (true/false only), so `on:`, `no:` and `yes:` stay words.
# Numbers are plain decimals only: YAML 1.1 reads 0300000 as octal (98 304), 300:00 as base 60 (18 000), and
# has hex, binary, digit separators and exponents; those forms are kept as text and refused after loading,
# wherever they stand, so no amount is silently misread.
_DROPPED = ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag not in _DROPPED] for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_NOT_PLAIN_TAG = "tag:osms,2024:not-plain-number"
_YAML11_NUMBER = re.compile(
    r"^(?:"
    + "|".join(
        rx.pattern.strip("^$").removeprefix("(?:").removesuffix(")")
        for tag, rx in {(t, r) for v in yaml.SafeLoader.yaml_implicit_resolvers.values() for t, r in v}
        if tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
    )
    + r")$",
    re.X,
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Loader.add_implicit_resolver("tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), list("-+0123456789"))
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?(?:0|[1-9][0-9]*)\.[0-9]*|[-+]?\.[0-9]+|[-+]?\.(?:inf|Inf|INF)"
        r"|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)
_Loader.add_implicit_resolver(_NOT_PLAIN_TAG, _YAML11_NUMBER, list("-+0123456789."))


class NotPlainNumber(str):
    """A scalar YAML 1.1 would read as a number in a form other than plain decimal digits."""


def _not_plain_reason(text: str) -> str:
    t = text.lstrip("+-")
    if ":" in t:
        return _("YAML reads digits with colons as base 60")
    if t[:2] in ("0x", "0b"):
        return _("YAML reads it as hexadecimal") if t[1] == "x" else _("YAML reads it as binary")
    if "_" in t:
        return _("digit separators are not allowed")
    if "e" in t.lower():
        return _("exponents are not allowed")
    return _("leading zeros are not allowed") if "." in t else _("a leading 0 makes YAML read it as octal")


def _check_plain(node: Any, root: Any, path: list[str | int], filename: str) -> None:
    """Refuse every scalar left as a NotPlainNumber (a mapping key stays a name)."""
    if isinstance(node, NotPlainNumber):
        raise OsmsError(
            _(
                "{node} is not a plain decimal number ({not_plain_reason}): write the digits only, like "
                "300000 or 1500.50, or quote it if it is text",
                node=node,
                not_plain_reason=_not_plain_reason(node),
            )
            + written_hint(node, month=True),  # 01.2024: a month, as MM.YYYY
            file=filename,
            line=line_of(root, path),
            field=field_name(path) or None,
        )
    if isinstance(node, dict):
        for k, v in node.items():
            _check_plain(v, root, [*path, k], filename)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            _check_plain(v, root, [*path, i], filename)


def _construct_float(loader: _Loader, node: yaml.ScalarNode) -> Decimal:
    text = str(node.value).replace("_", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        raise OsmsError(
            _("{value} is not a finite number", value=repr(node.value)),
            file=loader.filename,
            line=node.start_mark.line + 1,
        )
    return value


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if isinstance(key, bool) or not isinstance(key, (str, int)):
            raise OsmsError(
                _("mapping key {value} must be a plain name or date", value=repr(key_node.value)),
                file=loader.filename,
                line=line,
            )
        key = str(key)
        if key in result:
            raise OsmsError(
                _("duplicate key {key} (first at line {value}): keep one", key=repr(key), value=result.key_lines[key]),
                file=loader.filename,
                line=line,
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = line
    return result


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


_Loader.add_constructor("tag:yaml.org,2002:float", _construct_float)
_Loader.add_constructor(_NOT_PLAIN_TAG, lambda loader, node: NotPlainNumber(node.value))
_Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)


def load_yaml_text(text: str, filename: str, lists: dict[str, int] | None = None, max_text: int = MAX_ANY_TEXT) -> Any:
    """Parse YAML text; any problem becomes an OsmsError naming the file and line."""
    loader = None
    try:
        _scan(text, filename, lists, max_text)
        loader = _Loader(text, filename)
        data = loader.get_single_data()
        _check_plain(data, data, [], filename)
        return data
    except OsmsError:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise OsmsError(_("YAML syntax error: {problem}", problem=problem), file=filename, line=line) from None
    except yaml.YAMLError as exc:
        raise OsmsError(_("YAML error: {exc}", exc=exc), file=filename) from None
    except RecursionError:
        raise OsmsError(_("nesting deeper than {limit} levels", limit=MAX_DEPTH), file=filename) from None
    finally:
        if loader is not None:
            loader.dispose()


def load_yaml_file(
    path: Path,
    display: str | None = None,
    max_bytes: int = MAX_FILE_BYTES,
    lists: dict[str, int] | None = None,
    max_text: int = MAX_ANY_TEXT,
) -> Any:
    """Read and parse one YAML file with size and encoding checks."""
    name = display or str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise OsmsError(_("cannot read file: {reason}", reason=os_reason(exc)), file=name) from None
    if size > max_bytes:
        raise OsmsError(_("file is {size} bytes; the limit is {max_bytes}", size=size, max_bytes=max_bytes), file=name)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise OsmsError(_("cannot read file: {reason}", reason=os_reason(exc)), file=name) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise OsmsError(_("file is not UTF-8 (byte {col} of the line)", col=col), file=name, line=line) from None
    return load_yaml_text(text, name, lists, max_text)


def yaml_files_within(root: Path) -> list[Path]:
    """The `*.yaml` files under `root` (not hidden ones), refusing any symbolic link that leads outside it: a
    link would otherwise make a file elsewhere (even /etc/passwd) be read as policy, and a linked folder would be
    skipped without a word."""
    import os

    from ..core.limits import cut

    top = os.path.realpath(root)
    found = []
    for dirpath, dirnames, filenames in os.walk(root):  # links are not followed, but each is checked
        for name in sorted(dirnames + filenames):
            path = Path(dirpath) / name
            if path.is_symlink():
                target = os.path.realpath(path)
                if target != top and not target.startswith(top.rstrip(os.sep) + os.sep):
                    shown = os.path.relpath(path, root.parent)
                    raise OsmsError(
                        _(
                            "a symbolic link to {target}, outside the policy folder: policy files are "
                            "read only from inside it; copy the file into the folder instead",
                            target=cut(target, 200),
                        ),
                        file=shown,
                    )
        found += [Path(dirpath) / n for n in filenames if n.endswith(".yaml") and not n.startswith(".")]
    return sorted(p for p in found if p.is_file())


def line_of(root: Any, path: Sequence[str | int]) -> int | None:
    """The line of the deepest node along `path` that has one."""
    line = getattr(root, "line", None) or None
    node = root
    for step in path:
        if isinstance(node, LineDict) and isinstance(step, str) and step in node:
            line = node.key_lines.get(step, line)
            node = node[step]
        elif isinstance(node, LineList) and isinstance(step, int) and 0 <= step < len(node):
            line = node.item_lines[step]
            node = node[step]
        else:
            break
    return line


def field_name(path: Sequence[str | int]) -> str:
    """A readable field path: values.2024-01-01.value or jobs[0].wage."""
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out
