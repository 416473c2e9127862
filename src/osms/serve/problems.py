"""RFC 9457 problem documents built from the engine's errors (no framework imports)."""

from __future__ import annotations

from typing import Any

from ..core.errors import OsmsError, OsmsErrors
from .i18n import INTERNAL_DETAIL, TITLES

TYPES = {
    "invalid": "urn:osms-eval:problem:invalid-input",
    "too_large": "urn:osms-eval:problem:too-large",
    "timeout": "urn:osms-eval:problem:body-timeout",
    "internal": "urn:osms-eval:problem:internal",
}


def error_entry(exc: OsmsError) -> dict[str, str]:
    """Where (the field path within the request) and the CLI's message for that input."""
    loc = exc.location
    parts = [p for p in (loc.file, loc.field) if p]
    if loc.file and loc.field and loc.field != "(top level)":
        where = f"{loc.file}.{loc.field}"
    else:
        where = parts[0] if parts else "(body)"
    return {"field": where, "message": exc.message}


def problem(
    kind: str, status: int, lang: str, instance: str, detail: str | None = None, errors: list[OsmsError] | None = None
) -> dict[str, Any]:
    entries = [error_entry(e) for e in errors or []]
    if detail is None:
        detail = (
            INTERNAL_DETAIL[lang]
            if kind == "internal"
            else (entries[0]["message"] if len(entries) == 1 else f"{len(entries)} problems; see `errors`")
        )
    return {
        "type": TYPES.get(kind, "about:blank"),
        "title": TITLES[kind][lang],
        "status": status,
        "detail": detail,
        "instance": instance,
        "errors": entries,
    }


def invalid(exc: OsmsError, lang: str, instance: str) -> dict[str, Any]:
    errors = exc.errors if isinstance(exc, OsmsErrors) else [exc]
    return problem("invalid", 422, lang, instance, errors=errors)
