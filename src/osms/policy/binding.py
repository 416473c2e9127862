"""The `roles:` section: the names the engine's procedures read, each checked against the set."""

from __future__ import annotations

from ..core.messages import _
from .builder import Builder
from .loading import field_name, line_of
from .roles import KINDS as ROLE_KINDS
from .roles import RULE_UNITS, Roles


def bind_roles(b: Builder) -> Roles | None:
    """The `roles:` section, each bound name checked to be a parameter, fact or rule of the set."""
    if b.roles is None:
        b.errors.add(_("no file binds the engine's roles (expected a roles: section in policy.yaml)"), file=str(b.root))
        return None
    doc, file = b.roles
    rule_units = {n: spec["unit"] for n, spec, *_ in b.raw_rules}
    defined: dict[str, set[str]] = {
        "parameters": set(b.params),
        "facts": set(b.facts),
        "rules": set(rule_units),
    }
    for kind in ROLE_KINDS:
        for role, name in doc["roles"][kind].items():
            path: list[str | int] = ["roles", kind, role]
            problem = None
            if name not in defined[kind]:
                what = {"parameters": _("a parameter"), "facts": _("a fact"), "rules": _("a rule")}[kind]
                problem = _(
                    "role {role} is bound to '{name}', which is not {kind} of this set",
                    role=role,
                    name=name,
                    kind=what,
                )
            elif kind == "facts" and b.facts[name].type != "bool":
                problem = _(
                    "role {role} needs a yes/no fact; '{name}' is a {type}",
                    role=role,
                    name=name,
                    type=b.facts[name].type,
                )
            elif kind == "rules" and rule_units[name] != RULE_UNITS[role]:
                problem = _(
                    "role {role} needs a rule in {unit}; '{name}' is in {other}",
                    role=role,
                    unit=RULE_UNITS[role],
                    name=name,
                    other=rule_units[name],
                )
            if problem:
                b.errors.add(problem, file=file, line=line_of(doc, path), field=field_name(path))
    lines = {
        f"{kind}.{role}": (file, line_of(doc, ["roles", kind, role]))
        for kind in ROLE_KINDS
        for role in doc["roles"][kind]
    }
    return Roles(**{kind: dict(doc["roles"][kind]) for kind in ROLE_KINDS}, lines=lines)
