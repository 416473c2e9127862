"""pytest plugin (entry point `osms`): regression-case YAML files become test items, one per case.

Installed with osms-eval, so `pytest DIR` runs the case files under DIR: `*.yaml` files inside a folder named
`cases`, or whose top-level key is `cases:`. `--osms-policies DIR` picks the policy set (default: the bundled
one). `-p no:osms` turns the plugin off.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from ..core.messages import _

_TOP_LEVEL_CASES = re.compile(rb"^cases\s*:", re.M)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("osms", "osms-eval regression cases")
    group.addoption(
        "--osms-policies",
        metavar="DIR",
        default=None,
        help="Policy directory the YAML cases run against (default: the bundled policies).",
    )


def pytest_configure(config: pytest.Config) -> None:
    option = config.getoption("osms_policies", None)
    if option and not Path(option).is_dir():
        raise pytest.UsageError(_("--osms-policies {option}: no such folder", option=option))


def _is_case_file(path: Path, root: Path) -> bool:
    if path.suffix != ".yaml":
        return False
    inside = path.parent.relative_to(root).parts if path.is_relative_to(root) else path.parent.parts[-1:]
    if "cases" in inside:
        return True
    try:
        with path.open("rb") as fh:
            head = fh.read(1 << 20)
    except OSError:
        return False
    return bool(_TOP_LEVEL_CASES.search(head))


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    if _is_case_file(file_path, parent.config.rootpath):
        return CaseFile.from_parent(parent, path=file_path)
    return None


def _policy(config: pytest.Config) -> Any:
    """The policy set, loaded once per session (a broken one fails each case file's collection)."""
    from ..core.errors import OsmsError
    from ..policy import bundled_policies, load_policies

    cached = config.stash.get(_POLICY_KEY, None)
    if cached is None:
        option = config.getoption("osms_policies")
        try:
            cached = load_policies(Path(option) if option else bundled_policies())
        except OsmsError as exc:
            raise CaseFileError(f"the policy set {option or '(bundled)'} does not load:\n{exc}") from None
        config.stash[_POLICY_KEY] = cached
    return cached


_POLICY_KEY = pytest.StashKey[Any]()


class CaseFile(pytest.File):
    """A case file: its cases are evaluated together, once, when the first of them runs."""

    def collect(self):  # type: ignore[no-untyped-def]
        from ..core.errors import OsmsError
        from .regression import load_cases

        policy = _policy(self.config)
        try:
            self.cases = load_cases([self.path], policy, self.config.rootpath)
        except OsmsError as exc:
            raise CaseFileError(str(exc)) from None
        self.outcomes = None
        for case in self.cases:
            label = f"{case.id}: " if case.id else ""
            yield CaseItem.from_parent(self, name=f"line {case.line}: {label}{case.note[:70]}", case=case)

    def outcome(self, case):  # type: ignore[no-untyped-def]
        from .regression import run_cases

        if self.outcomes is None:
            self.outcomes, _ = run_cases(_policy(self.config), self.cases)
        return self.outcomes[self.cases.index(case)]

    def repr_failure(self, excinfo, style=None):  # type: ignore[no-untyped-def]
        if isinstance(excinfo.value, CaseFileError):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)


class CaseFileError(Exception):
    """A case file that does not load: reported as the analyst's error, without a traceback."""


class CaseFailed(Exception):
    pass


class CaseItem(pytest.Item):
    def __init__(self, *, case, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(**kwargs)
        self.case = case

    def runtest(self) -> None:
        assert isinstance(self.parent, CaseFile)
        outcome = self.parent.outcome(self.case)
        if not outcome.passed:
            raise CaseFailed("\n".join(outcome.failures) + "\n\n" + outcome.explanation)

    def repr_failure(self, excinfo, style=None):  # type: ignore[no-untyped-def]
        if isinstance(excinfo.value, CaseFailed):
            return f"{self.case.name} — {self.case.title}\n{excinfo.value}"
        return super().repr_failure(excinfo, style)

    def reportinfo(self):  # type: ignore[no-untyped-def]
        return self.path, (self.case.line or 1) - 1, f"case: {self.case.title}"  # pytest counts lines from 0
