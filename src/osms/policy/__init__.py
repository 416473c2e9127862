"""The policy side: load a policy directory, validate it (schema, then meaning) and resolve it for a date."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from pathlib import Path

from ..core.dates import DateFormatError, parse_month
from ..core.errors import OsmsError
from ..core.messages import _
from . import bibliography, schema
from .binding import bind_roles
from .builder import Builder
from .cache import cache_get, cache_key, cache_put
from .graph import order_of
from .loading import LineDict, line_of, load_yaml_file, yaml_files_within
from .model import (
    AGGREGATES,
    Category,
    CategoryVersion,
    Dated,
    InvalidIf,
    Labels,
    Parameter,
    PolicySet,
    Provenance,
    Reference,
    Rule,
    RuleVersion,
    Service,
    Timeline,
    UndefinedAt,
)
from .parameters import check_keyed
from .rules import build_rules, known_names

__all__ = [
    "AGGREGATES",
    "Category",
    "CategoryVersion",
    "Dated",
    "InvalidIf",
    "Labels",
    "Parameter",
    "PolicySet",
    "Provenance",
    "Reference",
    "Rule",
    "RuleVersion",
    "Service",
    "Timeline",
    "UndefinedAt",
    "bundled_policies",
    "load_policies",
    "policy_files",
]


def _fingerprint(files: list[tuple[str, bytes]]) -> str:
    h = hashlib.sha256()
    for rel, data in files:
        h.update(rel.encode("utf-8") + b"\0" + hashlib.sha256(data).digest())
    return "sha256:" + h.hexdigest()


def policy_files(root: Path) -> list[Path]:
    return yaml_files_within(root)


def load_policies(root: Path | str, known_on: dt.date | None = None) -> PolicySet:
    """Load → validate (schema, then meaning) a policy directory. Raises every error found at once.

    With `known_on`, entries whose act was adopted after that date are left out: the law as it was known then."""
    root = Path(root)
    if not root.is_dir():
        raise OsmsError(_("not a policy directory"), file=str(root))
    files = policy_files(root)
    if not files:
        raise OsmsError(_("no policy files (*.yaml) found"), file=str(root))
    key = cache_key(root, files, known_on)
    cached = cache_get(key)
    if cached is not None:
        cached.root = root
        return cached
    policy = _load(root, files, known_on)
    cache_put(key, policy)
    return policy


def _load(root: Path, files: list[Path], known_on: dt.date | None) -> PolicySet:
    b = Builder(root, known_on)
    blobs: list[tuple[str, bytes]] = []
    for path in files:
        rel = b.rel(path)
        try:
            doc = load_yaml_file(path, rel)
        except OsmsError as exc:
            b.errors.extend([exc])
            continue
        blobs.append((path.relative_to(root).as_posix(), path.read_bytes()))
        if not isinstance(doc, LineDict):
            b.errors.add(
                _("a policy file must be a mapping of sections (policy_set, parameters, rules, ...)"), file=rel, line=1
            )
            continue
        problems = schema.validate("policy", doc, rel)
        if problems:
            b.errors.extend(problems)
            continue
        b.add_document(doc, rel)
    if b.header is None and not b.errors.errors:
        b.errors.add(_("no file declares policy_set (expected in policy.yaml)"), file=str(root))
    if b.header is None:
        b.errors.raise_if_any()
    assert b.header is not None
    hdr, hfile = b.header
    ps = hdr["policy_set"]
    default_round = (Decimal(ps["rounding"]["step"]), ps["rounding"]["mode"])
    deps = build_rules(b, known_names(b), default_round)
    roles = bind_roles(b)
    if b.outcomes is None and not b.errors.errors:  # a file whose outcomes failed the schema has said so
        b.errors.add(_("no file words the engine's outcomes (expected an outcomes: section)"), file=str(root))
    check_keyed(b)
    source_errors, source_warnings = bibliography.check(b.sources, b.source_uses)
    b.errors.extend(source_errors)
    b.warnings += source_warnings
    order = order_of(b, deps) if not b.errors.errors else []
    b.errors.raise_if_any()
    assert roles is not None
    try:
        covers = (parse_month(ps["covers"]["from"]), parse_month(ps["covers"]["to"]))
    except DateFormatError as exc:
        raise OsmsError(
            str(exc), file=hfile, line=line_of(hdr, ["policy_set", "covers"]), field="policy_set.covers"
        ) from None
    return PolicySet(
        root=root,
        id=ps["id"],
        version=ps["version"],
        title=ps["title"],
        as_of=ps["as_of"],
        covers=covers,
        rounding=default_round,
        parameters=b.params,
        rules=b.rules,
        categories=b.categories,
        services=b.services,
        facts=b.facts,
        order=order,
        fingerprint=_fingerprint(blobs) + (f"@known-on:{known_on}" if known_on else ""),
        roles=roles,
        outcomes=outcomes_of(b),
        warnings=b.warnings,
        sources=b.sources,
        source_uses=b.source_uses,
    )


def outcomes_of(b: Builder) -> dict[str, dict[str, Labels]]:
    """The `outcomes:` section: group → code → wording (complete: the schema requires every code)."""
    assert b.outcomes is not None  # a missing section is an error raised before the set is built
    doc = b.outcomes[0]["outcomes"]
    return {group: {code: dict(text) for code, text in codes.items()} for group, codes in doc.items()}


def bundled_policies() -> Path:
    """The policy set shipped with the package (or, in a source checkout, the repository's policies/)."""
    here = Path(__file__).resolve().parent.parent  # the osms package
    for candidate in (here / "policies", here.parent.parent / "policies"):
        if (candidate / "policy.yaml").is_file():
            return candidate
    raise OsmsError(_("the bundled policies are missing from this installation; pass --policies DIR"))
