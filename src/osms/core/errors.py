"""Errors an analyst can act on: each names the file, line and field, and says what to change."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

# The error types callers catch and read; Collector is the engine's own helper for gathering them.
__all__ = ["Location", "OsmsError", "OsmsErrors"]


@dataclass(frozen=True)
class Location:
    file: str | None = None
    line: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        parts = []
        if self.file:
            parts.append(self.file if self.line is None else f"{self.file}:{self.line}")
        if self.field:
            parts.append(self.field)
        return ": ".join(parts)


class OsmsError(Exception):
    """A clean, user-facing error; the CLI prints it and exits with code 2."""

    exit_code = 2

    def __init__(
        self, message: str, *, file: str | None = None, line: int | None = None, field: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.location = Location(file, line, field)

    def __str__(self) -> str:
        where = str(self.location)
        return f"{where}: {self.message}" if where else self.message


class OsmsErrors(OsmsError):
    """Several errors found at once (validation reports all of them, not just the first)."""

    def __init__(self, errors: Iterable[OsmsError]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(str(e) for e in self.errors))

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)


class Collector:
    """Gathers errors so that one run reports every problem; raises them together at the end."""

    def __init__(self) -> None:
        self.errors: list[OsmsError] = []

    def add(self, message: str, *, file: str | None = None, line: int | None = None, field: str | None = None) -> None:
        self.errors.append(OsmsError(message, file=file, line=line, field=field))

    def extend(self, errors: Iterable[OsmsError]) -> None:
        for e in errors:
            self.errors.extend(e.errors if isinstance(e, OsmsErrors) else [e])

    def raise_if_any(self) -> None:
        if self.errors:
            if len(self.errors) == 1:
                raise self.errors[0]
            raise OsmsErrors(self.errors)
