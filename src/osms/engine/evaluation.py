"""Evaluate a policy set for one month over a batch of persons, all arrays, in dependency order."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np

from ..core.dates import format_month, month_start
from ..core.errors import OsmsError
from ..core.messages import _
from ..core.money import RoundingRangeError, round_array
from ..policy import AGGREGATES, Dated, InvalidIf, PolicySet, UndefinedAt
from ..policy.expressions import JOB, evaluate
from .batch import Batch


@dataclass
class ParamUse:
    name: str
    value: Decimal
    entry: Dated


@dataclass
class Invalid:
    node: str
    mask: np.ndarray
    check: InvalidIf
    entry: Dated

    def message(self, month: int, lang: str) -> str:
        """What the analyst reads: the output, the month and why the policies cannot answer."""
        return f"{self.node} for {format_month(month)}: {self.check.message[lang]}"


@dataclass
class MonthResult:
    month: int
    size: int
    values: dict[str, np.ndarray]
    versions: dict[str, Dated | None]  # node → entry used (None: category not in force)
    params: dict[str, ParamUse] = field(default_factory=dict)
    invalid: list[Invalid] = field(default_factory=list)
    batch: Batch | None = None
    # A parameter keyed by a choice fact: each person's value, and where the fallback stood in for a missing figure
    keyed: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)


def _in_context(exc: UndefinedAt, where: str) -> UndefinedAt:
    """The same gap in the policies, its message saying who asked for the value and for which month."""
    return UndefinedAt(
        f"{exc.message} ({where})", file=exc.location.file, line=exc.location.line, field=exc.location.field
    )


def _param_env(
    policy: PolicySet,
    names: frozenset[str],
    day: dt.date,
    env: dict[str, Any],
    used: dict[str, ParamUse],
    node: str,
    month: int,
) -> None:
    for name in names:
        if name in policy.parameters and name not in used:
            try:
                value, entry = policy.parameter_value(name, day)
            except UndefinedAt as exc:
                raise _in_context(exc, f"needed by '{node}' for {format_month(month)}") from None
            used[name] = ParamUse(name, value, entry)
            env[name] = float(value) if not isinstance(value, dict) else _keyed(policy, name, value, env)


def _keyed(policy: PolicySet, name: str, value: dict[str, Any], env: dict[str, Any]) -> np.ndarray:
    """A keyed parameter for each person: looked up by the person's choice code (NaN where the choice is not
    stated, so a formula that needs it gives NaN there); a choice with no figure takes the fallback."""
    fact = policy.facts[policy.parameters[name].keyed_by or ""]
    assert fact.choices is not None
    table = np.array([float(value["by"].get(c, value["fallback"])) for c in fact.choices] + [np.nan])
    codes = np.asarray(env[fact.name], dtype=np.float64)
    idx = np.where(np.isnan(codes), len(fact.choices), codes).astype(np.int64)
    return table[idx]


def _keyed_fallbacks(policy: PolicySet, name: str, value: Any, env: dict[str, Any]) -> np.ndarray:
    fact = policy.facts[policy.parameters[name].keyed_by or ""]
    assert fact.choices is not None
    missing = np.array([c not in value["by"] for c in fact.choices] + [False])
    codes = np.asarray(env[fact.name], dtype=np.float64)
    return missing[np.where(np.isnan(codes), len(fact.choices), codes).astype(np.int64)]


def _unstated_choice(
    policy: PolicySet,
    node: str,
    names: frozenset[str],
    value: np.ndarray,
    res: MonthResult,
    entry: Dated,
    formula: Any,
    env: dict[str, Any],
) -> np.ndarray:
    """Where a rule needs a keyed parameter for a person whose choice is not stated: an error naming the fact
    (never a default), and 0 in the array so that rounding and totals stay defined."""
    gap = np.isnan(value)
    for name in sorted(n for n in names if n in policy.parameters and policy.parameters[n].keyed_by):
        use = res.params[name].value
        # The fallback counts as used where it gave this rule a non-zero amount.
        res.keyed[name] = (env[name], _keyed_fallbacks(policy, name, use, env) & ~gap & (value != 0))
    if gap.any():
        facts = sorted(
            {
                policy.parameters[n].keyed_by or ""
                for n in names
                if n in policy.parameters and policy.parameters[n].keyed_by
            }
        )
        msg = {
            "ru": f"нужен факт {', '.join(facts)}: не указан (параметр читается по нему)",
            "kk": f"{', '.join(facts)} фактісі қажет: көрсетілмеген (параметр соған қарай оқылады)",
            "en": f"the fact {', '.join(facts)} is needed and not stated (a parameter is read by it)",
        }
        res.invalid.append(Invalid(node, gap.copy(), InvalidIf(formula, msg), entry))
        value = np.where(gap, 0.0, value)
    return value


def evaluate_month(policy: PolicySet, batch: Batch, month: int, categories_only: bool = False) -> MonthResult:
    """All rules, categories and aggregates for `month`; raises on anything the policies leave undefined.

    With `categories_only`, only memberships and the aggregates are evaluated (for status history)."""
    day = month_start(month)
    n = batch.size
    k = batch.facts["wage"].shape[0]
    env: dict[str, Any] = dict(batch.facts)
    res = MonthResult(month, n, {}, {}, batch=batch)
    payers: dict[str, str] = {}
    for node in policy.order:
        if node in AGGREGATES:
            want = {"state_paid": ("state",), "locally_paid": ("local",), "preferential": ("state", "local")}[node]
            acc = np.zeros(n, dtype=bool)
            for cat, payer in payers.items():
                if payer in want:
                    acc |= env[f"in_{cat}"]
            env[node] = acc
            res.values[node] = acc
            continue
        if node.startswith("in_") and node[3:] in policy.categories:
            cat = node[3:]
            tl = policy.categories[cat].timeline
            if not tl.exists_at(day):
                res.versions[node] = None
                env[node] = np.zeros(n, dtype=bool)
                res.values[node] = env[node]
                continue
            version = tl.at(day)
            payers[cat] = version.value.payer
            member = batch.stated[cat].copy()
            cond = version.value.condition
            if cond is not None:
                _param_env(policy, cond.names, day, env, res.params, node, month)
                member |= np.broadcast_to(np.asarray(evaluate(cond, env), dtype=bool), (n,))
            res.versions[node] = version
            env[node] = member
            res.values[node] = member
            continue
        if categories_only:
            continue
        rule = policy.rules[node]
        try:
            entry = rule.timeline.at(day)
        except UndefinedAt as exc:
            raise _in_context(exc, f"asked for {format_month(month)}") from None
        formula, checks = entry.value.formula, entry.value.invalid_if
        _param_env(policy, formula.names, day, env, res.params, node, month)
        shape = (k, n) if rule.entity == JOB else (n,)
        value = np.asarray(evaluate(formula, env))
        if value.shape != shape:
            value = np.broadcast_to(value, shape)
        if any(n in policy.parameters and policy.parameters[n].keyed_by for n in formula.names):
            value = _unstated_choice(
                policy, node, formula.names, np.asarray(value, dtype=np.float64), res, entry, formula, env
            )
        if rule.unit == "bool":
            value = value.astype(bool, copy=False)
        else:
            value = value.astype(np.float64, copy=False)
            bad = ~np.isfinite(value) if formula.divides else None
            if bad is not None and bad.any():
                raise OsmsError(
                    _(
                        "rule '{node}' gives no finite number for {count} person(s) in {month} (a division by zero?)",
                        node=node,
                        count=int(bad.sum()),
                        month=format_month(month),
                    ),
                    file=entry.prov.file,
                    line=entry.prov.line,
                    field=entry.prov.field,
                )
            if rule.rounding is not None:
                step, mode = rule.rounding
                try:
                    value = round_array(value, float(step), mode)
                except RoundingRangeError as exc:
                    raise OsmsError(
                        _("rule '{node}': {exc}", node=node, exc=exc),
                        file=entry.prov.file,
                        line=entry.prov.line,
                        field=entry.prov.field,
                    ) from None
        for check in checks:
            _param_env(policy, check.when.names, day, env, res.params, node, month)
            mask = np.broadcast_to(np.asarray(evaluate(check.when, env), dtype=bool), (n,))
            if mask.any():
                res.invalid.append(Invalid(node, mask.copy(), check, entry))
        res.versions[node] = entry
        env[node] = value
        res.values[node] = value
    return res
