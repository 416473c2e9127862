"""Reports for CI: regression results and policy problems as text, JUnit XML, JSON or GitHub workflow commands.

JUnit: one <testsuite> per case file, one <testcase> per case (classname = the case file, name = the case's id
and note), a <failure> with expected and actual values. GitHub: `::error file=F,line=L,title=T::message`, escaped
as the Actions toolkit does (`%`, CR and LF everywhere; `:` and `,` too in properties).
"""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any

from .. import __version__
from ..core.errors import OsmsError, OsmsErrors
from ..core.messages import N_, _
from .regression import Outcome

FORMATS = ("text", "junit", "json", "github")


@dataclass
class Run:
    """One `osms-eval test` run: the outcomes of the selected cases and what was left out."""

    outcomes: list[Outcome]
    deselected: int = 0
    policy: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    coverage: dict[str, Any] | None = None
    coverage_error: str | None = None

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.passed]

    def summary(self) -> str:
        text = _(
            "{passed} passed, {failed} failed", passed=len(self.outcomes) - len(self.failed), failed=len(self.failed)
        )
        return text + (_(", {count} deselected", count=self.deselected) if self.deselected else "")


def problems(exc: OsmsError) -> list[OsmsError]:
    """The single errors inside an OsmsError (several when validation found several)."""
    return list(exc.errors) if isinstance(exc, OsmsErrors) else [exc]


# --- GitHub Actions workflow commands ------------------------------------------------------------------------------


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_command(
    level: str, message: str, file: str | None = None, line: int | None = None, title: str | None = None
) -> str:
    props = [
        f"{k}={escape_property(str(v))}" for k, v in (("file", file), ("line", line), ("title", title)) if v is not None
    ]
    return f"::{level}{' ' + ','.join(props) if props else ''}::{escape_data(message)}"


def _cut(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- osms-eval test -------------------------------------------------------------------------------------------------


def _failure_text(o: Outcome) -> str:
    text = "\n".join(o.failures)
    if o.explanation:
        text += "\n\n" + _("explanation of the actual values:") + "\n" + o.explanation
    return text


def results_text(run: Run) -> str:
    lines: list[str] = []
    for o in run.failed:
        lines.append(_("FAIL {case} — {title}", case=o.case.name, title=o.case.title))
        lines += [f"  {f}" for f in o.failures]
        if o.explanation:
            lines.append("  " + _("explanation of the actual values:"))
            lines += [f"    {line}" for line in o.explanation.splitlines()]
        lines.append("")
    lines += coverage_lines(run)
    lines.append(run.summary())
    return "\n".join(lines) + "\n"


GROUPS = {
    "parameter values": N_("parameter values"),
    "rule versions": N_("rule versions"),
    "categories": N_("categories"),
    "service versions": N_("service versions"),
    "status routes": N_("status routes"),
}  # the JSON report keeps the English keys


def coverage_lines(run: Run) -> list[str]:
    if run.coverage is None:
        return []
    r = run.coverage
    out = [
        _("law coverage: {covered}/{total} ({percent} %)", covered=r["covered"], total=r["total"], percent=r["percent"])
    ]
    for group, g in r["groups"].items():
        out.append(f"  {_(GROUPS.get(group, group))}: {g['total'] - len(g['missing'])}/{g['total']}")
        out += ["    " + _("not exercised: {item}", item=m) for m in g["missing"]]
    return out


def results_json(run: Run) -> str:
    doc = {
        "engine": {"name": "osms-eval", "version": __version__},
        "policy": run.policy,
        "summary": {
            "passed": len(run.outcomes) - len(run.failed),
            "failed": len(run.failed),
            "deselected": run.deselected,
        },
        "results": [
            {
                "file": o.case.file,
                "line": o.case.line,
                "id": o.case.id,
                "note": o.case.note,
                "passed": o.passed,
                "failures": o.failures,
                "explanation": o.explanation or None,
            }
            for o in run.outcomes
        ],
    }
    if run.coverage is not None:
        doc["coverage"] = run.coverage
    if run.coverage_error:
        doc["coverage_error"] = run.coverage_error
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def results_github(run: Run) -> str:
    lines = [
        github_command("error", _failure_text(o), o.case.file, o.case.line, _cut(f"case failed: {o.case.title}"))
        for o in run.failed
    ]
    if run.coverage_error:
        lines.append(github_command("error", run.coverage_error, title="law coverage"))
    return "\n".join(lines) + ("\n" if lines else "")


def results_junit(run: Run) -> str:
    root = ET.Element(
        "testsuites",
        name="osms-eval test",
        tests=str(len(run.outcomes)),
        failures=str(len(run.failed)),
        errors="0",
        skipped="0",
        time=f"{run.seconds:.3f}",
    )
    by_file: dict[str, list[Outcome]] = {}
    for o in run.outcomes:
        by_file.setdefault(o.case.file, []).append(o)
    stamp = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
    for file, outs in by_file.items():
        suite = ET.SubElement(
            root,
            "testsuite",
            name=file,
            tests=str(len(outs)),
            failures=str(sum(not o.passed for o in outs)),
            errors="0",
            skipped="0",
            timestamp=stamp,
        )
        _properties(suite, run.policy)
        for o in outs:
            case = ET.SubElement(
                suite, "testcase", classname=file, name=o.case.title, file=file, line=str(o.case.line or 0)
            )
            if not o.passed:
                failure = ET.SubElement(case, "failure", message=_cut("; ".join(o.failures), 1000), type="mismatch")
                failure.text = _failure_text(o)
    return _xml(root)


def _properties(suite: ET.Element, policy: dict[str, str]) -> None:
    if policy:
        props = ET.SubElement(suite, "properties")
        for k, v in policy.items():
            ET.SubElement(props, "property", name=f"policy.{k}", value=str(v))


def _xml(root: ET.Element) -> str:
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


RESULT_FORMATS = {"text": results_text, "json": results_json, "github": results_github, "junit": results_junit}


# --- problems (a case file or policy that cannot be read) ----------------------------------------------------------


def problems_report(fmt: str, errors: list[OsmsError], command: str, warnings: list[OsmsError] | None = None) -> str:
    """Errors (and warnings) in the given format; each names its file and line."""
    warnings = warnings or []
    if fmt == "json":

        def one(e: OsmsError, level: str) -> dict[str, Any]:
            loc = e.location
            return {"level": level, "file": loc.file, "line": loc.line, "field": loc.field, "message": e.message}

        doc = {
            "engine": {"name": "osms-eval", "version": __version__},
            "command": command,
            "ok": not errors,
            "problems": [one(e, "error") for e in errors] + [one(w, "warning") for w in warnings],
        }
        return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    if fmt == "github":
        lines = [
            github_command(
                level,
                (f"{e.location.field}: " if e.location.field else "") + e.message,
                e.location.file,
                e.location.line,
                f"osms-eval {command}",
            )
            for level, group in (("error", errors), ("warning", warnings))
            for e in group
        ]
        return "\n".join(lines) + ("\n" if lines else "")
    if fmt == "junit":
        root = ET.Element(
            "testsuites",
            name=f"osms-eval {command}",
            tests=str(len(errors)),
            failures="0",
            errors=str(len(errors)),
            skipped="0",
        )
        suite = ET.SubElement(
            root,
            "testsuite",
            name=f"osms-eval {command}",
            tests=str(len(errors)),
            failures="0",
            errors=str(len(errors)),
            skipped="0",
        )
        for e in errors:
            case = ET.SubElement(
                suite,
                "testcase",
                classname=e.location.file or command,
                name=f"line {e.location.line}" if e.location.line else "file",
                file=e.location.file or "",
                line=str(e.location.line or 0),
            )
            ET.SubElement(case, "error", message=_cut(str(e), 1000), type="OsmsError").text = str(e)
        return _xml(root)
    return "".join(f"error: {e}\n" for e in errors) + "".join(f"warning: {w}\n" for w in warnings)
