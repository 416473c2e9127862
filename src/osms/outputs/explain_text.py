"""`explain` for an analyst: the reasoning in sentences, each value with its article, each part said once.

Reads the tree `explain.explain` builds (the same data `--detail` and `--format json` show). A formula is written
with the person's numbers in it, as an analyst writes it: `2 % × min(300 000, 10 × 85 000) = 6 000`; a condition
(`0 if preferential else …`) is resolved and the branch taken is said with the reason. A value already described
is referred to ("see above"), not described again.
"""

from __future__ import annotations

import ast
import re
import textwrap
from decimal import Decimal
from typing import Any

from ..core.messages import N_, _
from ..policy import PolicySet
from .records import fmt_amount
from .status_detail import render_months

LEGEND = N_("[C] confirmed by two independent sources, [S] from a single source, [I] inferred (with its assumption)")
NBSP = "\u00a0"
OPS = {ast.Mult: "×", ast.Add: "+", ast.Sub: "−", ast.Div: "/"}
PRECEDENCE = {ast.Add: 1, ast.Sub: 1, ast.Mult: 2, ast.Div: 2}


def _yes(v: bool, lang: str) -> str:
    return _("yes", lang) if v else _("no", lang)


def _number(v: Any, unit: str | None = None) -> str:
    """A value as an analyst writes it: rates in per cent, money with its thousands apart."""
    if isinstance(v, bool):
        return str(v)
    d = v if isinstance(v, Decimal) else Decimal(str(v))
    if unit == "rate":
        pct = (d * 100).normalize()
        shown = fmt_amount(pct if pct != pct.to_integral_value() else pct.quantize(Decimal(1)))
        return f"{shown}{NBSP}%".replace(" ", NBSP)
    d = d.normalize()
    return fmt_amount(d if d != d.to_integral_value() else d.quantize(Decimal(1))).replace(" ", NBSP)


def citation(n: dict[str, Any], lang: str, cited: set[str]) -> str:
    """The act (its full title the first time, then its kind and number), and the article, or that it is not
    established."""
    act = n["act"]
    if n.get("number"):
        key = f"{act} № {n['number']}"
        number = f"№{NBSP}{n['number']}"
        act = f"{act}, {number}" if key not in cited else f"{act.split('«')[0].strip()} {number}"
        cited.add(key)
    article = n["article"].replace(" ", NBSP) if n.get("article") else _("article not established", lang)
    return f"{act}, {article} [{n['confidence']}]"


class Writer:
    """Builds the text: one paragraph per output, then the categories and the status."""

    def __init__(self, policy: PolicySet, lang: str, width: int) -> None:
        self.policy, self.lang, self.width = policy, lang, width
        self.lines: list[str] = []
        self.said: set[str] = set()  # names already described: referred to after
        self.pending: list[dict[str, Any]] = []  # rules a formula uses that are not outputs: described after
        self.cited: set[str] = set()  # acts named in full once

    def para(self, text: str, indent: str = "", first: str | None = None) -> None:
        """`text` wrapped at words; a number's groups and "№ 405-V" are kept on one line (NBSP while wrapping)."""
        lines = textwrap.wrap(
            text,
            self.width,
            initial_indent=indent if first is None else first,
            subsequent_indent=indent,
            break_on_hyphens=False,
            break_long_words=False,
        ) or [""]
        self.lines.extend(line.replace(NBSP, " ") for line in lines)

    def cite(self, n: dict[str, Any]) -> str:
        return _("{citation}, from {day}", self.lang, citation=citation(n, self.lang, self.cited), day=n["from"])

    def basis(self, n: dict[str, Any], indent: str) -> None:
        self.para(_("Basis: {citation}.", self.lang, citation=self.cite(n)), indent)
        if n.get("assumption"):
            self.para(_("Assumption: {text}", self.lang, text=n["assumption"]), indent + "  ", indent)

    # --- formulas -----------------------------------------------------------------------------------------------

    def env(self, n: dict[str, Any]) -> dict[str, dict[str, Any]]:
        return {c["name"]: c for c in n.get("children", []) if "name" in c}

    def truth(self, node: ast.expr, env: dict[str, Any], employer: str | None) -> bool:
        if isinstance(node, ast.Name):
            return bool(self.value(env[node.id], employer))
        if isinstance(node, ast.Constant):
            return bool(node.value)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return not self.truth(node.operand, env, employer)
        if isinstance(node, ast.BoolOp):
            parts = [self.truth(v, env, employer) for v in node.values]
            return all(parts) if isinstance(node.op, ast.And) else any(parts)
        raise ValueError(ast.dump(node))

    @staticmethod
    def value(c: dict[str, Any], employer: str | None) -> Any:
        v = c["value"]
        if isinstance(v, dict):
            return v.get(employer) if employer is not None else sum(v.values(), Decimal(0))
        return c["by_employer"].get(employer, v) if employer is not None and "by_employer" in c else v

    def show(self, node: ast.expr, env: dict[str, Any], employer: str | None, reasons: list[str]) -> str:
        """The expression with the person's values in place of its names; conditions resolved (and said why)."""
        if isinstance(node, ast.Name):
            c = env[node.id]
            v = self.value(c, employer)
            return _yes(v, self.lang) if isinstance(v, bool) else _number(v, c.get("unit"))
        if isinstance(node, ast.Constant):
            return _number(node.value)
        if isinstance(node, ast.BinOp):
            prec = PRECEDENCE[type(node.op)]

            def side(x: ast.expr, right: bool) -> str:
                s = self.show(x, env, employer, reasons)
                inner = PRECEDENCE.get(type(x.op)) if isinstance(x, ast.BinOp) else None
                return (
                    f"({s})" if inner is not None and (inner < prec or (right and inner == prec and prec == 1)) else s
                )

            return f"{side(node.left, False)} {OPS[type(node.op)]} {side(node.right, True)}"
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id == "sum_jobs" and isinstance(node.args[0], ast.Name):
                c = env[node.args[0].id]
                if isinstance(c["value"], dict) and employer is None and len(c["value"]) > 1:
                    return "(" + " + ".join(_number(v) for v in c["value"].values()) + ")"
                return self.show(node.args[0], env, employer, reasons)
            return f"{node.func.id}(" + ", ".join(self.show(a, env, employer, reasons) for a in node.args) + ")"
        if isinstance(node, ast.IfExp):
            taken = self.truth(node.test, env, employer)
            names = sorted({x.id for x in ast.walk(node.test) if isinstance(x, ast.Name)})
            reasons.append(
                "; ".join(f"{self.label(env[x])}: {_yes(bool(self.value(env[x], employer)), self.lang)}" for x in names)
            )
            return self.show(node.body if taken else node.orelse, env, employer, reasons)
        raise ValueError(ast.dump(node))

    def label(self, c: dict[str, Any]) -> str:
        return _("in a preferential category", self.lang) if c["kind"] == "aggregate" else c["label"]

    def formula(self, n: dict[str, Any], indent: str) -> bool:
        """The formula with the values in it; False when a condition makes it a plain number (nothing to list)."""
        tree = ast.parse(n["formula"], mode="eval").body
        env = self.env(n)
        employers = list(n.get("by_employer", {})) or [None]
        if n["unit"] == "bool":  # a yes/no rule: the facts it reads, each with its value
            names = sorted({x.id for x in ast.walk(tree) if isinstance(x, ast.Name)})
            said = "; ".join(f"{self.label(env[x])}: {_yes(bool(self.value(env[x], None)), self.lang)}" for x in names)
            self.para(_("because {conditions}", self.lang, conditions=said), indent + "    ", indent + "  ")
            self.said.update(names)
            return False
        parts = False
        reasons: list[str] = []  # said once, after the lines (the same for every employer, as a rule)
        for employer in employers:
            text = self.show(tree, env, employer, reasons)
            total = self.value(n, employer)
            shown = _yes(total, self.lang) if isinstance(total, bool) else _number(total)
            line = text if text == shown else f"{text} = {shown}"
            if employer is not None and len(employers) > 1:
                line = f"{employer}: {line}"
            parts = parts or text != shown
            if text != shown or not reasons:
                self.para(line, indent + "    ", indent + "  ")
        for r in dict.fromkeys(reasons):
            self.para(_("because {conditions}", self.lang, conditions=r), indent + "    ", indent + "  ")
        return parts

    def where(self, n: dict[str, Any], indent: str) -> None:
        """Each name the formula uses: its value and what it is, with the article; once (then "see above")."""
        kids = [c for c in n.get("children", []) if "name" in c]
        if not kids:
            return
        self.para(_("where:", self.lang), indent + "  ")
        for c in kids:
            v = c["value"]
            shown = (
                _yes(v, self.lang)
                if isinstance(v, bool)
                else (
                    ", ".join(f"{k}: {_number(x)}" for k, x in v.items()) or "—"
                    if isinstance(v, dict)
                    else _number(v, c.get("unit"))
                )
            )
            head = f"{shown} — {c['label']}"
            if c["name"] in self.said:
                self.para(head + " " + _("(see above)", self.lang), indent + "      ", indent + "    ")
                continue
            self.said.add(c["name"])
            if c["kind"] == "fact":
                self.para(head + " " + _("(from the scenario)", self.lang), indent + "      ", indent + "    ")
            elif c["kind"] == "parameter":
                if "keyed_by" in c:  # read by the person's choice (a region): which one, and whether the fallback
                    k = c["keyed_by"]
                    head += (
                        " ("
                        + f"{k['name']} = {k.get('value_label') or k['value'] or '—'}"
                        + (
                            "; " + _("no figure for this region: the fallback (national) figure is used", self.lang)
                            if c.get("fallback_used")
                            else ""
                        )
                        + ")"
                    )
                self.para(f"{head}; {self.cite(c)}", indent + "      ", indent + "    ")
            elif c["kind"] == "aggregate":
                self.para(
                    head + " " + _("(see the preferential categories below)", self.lang),
                    indent + "      ",
                    indent + "    ",
                )
            elif c["kind"] == "rule":
                self.para(head + " " + _("(explained below)", self.lang), indent + "      ", indent + "    ")
                self.pending.append(c)
            else:
                self.para(head, indent + "      ", indent + "    ")

    def rule(self, n: dict[str, Any]) -> None:
        self.said.add(n["name"])
        v = n["value"]
        value = _yes(v, self.lang) if isinstance(v, bool) else _("{amount} tenge", self.lang, amount=_number(v))
        self.lines.append("")
        self.para(f"{n['label']}: {value}.")
        if self.formula(n, ""):
            self.where(n, "")
        self.basis(n, "  ")

    # --- categories and status ----------------------------------------------------------------------------------

    def categories(self, agg: dict[str, Any]) -> None:
        self.lines.append("")
        if not agg["children"]:
            self.para(_("Preferential categories: none applies, so nobody else pays for this person.", self.lang))
            return
        self.para(_("Preferential categories that apply:", self.lang))
        for c in agg["children"]:
            how = _("stated in the scenario", self.lang) if c.get("stated") else _("condition holds", self.lang)
            payer = {
                "state": _("paid by the republican budget", self.lang),
                "local": _("paid by the local executive body", self.lang),
            }[c["payer"]]
            self.para(f"{c['label']} — {how}; {payer}.", "    ", "  ")
            self.basis(c, "    ")

    def status(self, st: dict[str, Any]) -> None:
        self.lines.append("")
        verdict = _("insured", self.lang) if st["value"] else _("not insured", self.lang)
        self.para(
            _(
                "Status on {day}: {verdict} — {reason}.",
                self.lang,
                day=st["on"],
                verdict=verdict,
                reason=st["reason_text"],
            )
        )
        facts = [
            (_("insured until", self.lang), st["insured_until"]),
            (_("grace period ends", self.lang), st["grace_period_end"]),
            (_("last paid month", self.lang), st["last_paid_month"]),
            (_("months of continuous payments", self.lang), st["continuous_months"] or None),
            (_("months in debt", self.lang), st["debt_months"] or None),
            (_("next payment due", self.lang), st["next_payment_due"]),
        ]
        for o in st["overpaid"]:  # paid and credited to no month: a wrong kind, or more than was due
            facts.append(
                (_("overpaid by payment #{payment}", self.lang, payment=o["payment"]), _number(o["amount"], "tenge"))
            )
        said = "; ".join(f"{k}: {v}" for k, v in facts if v is not None)
        if said:
            self.para(said[:1].upper() + said[1:] + ".", "  ", "  ")
        if st["payments_assumed"]:
            said = _("payments taken as made on time (the scenario lists none)", self.lang)
            self.para(said[:1].upper() + said[1:] + ".", "  ", "  ")
        else:  # the months the decision read, each with what was due, what paid it and when
            head, *months = render_months(st["months"][-12:], self.lang)
            self.para(head.strip(), "  ")
            for line in months:
                self.para(re.sub(r"(?<=\d) (?=\d{3}\b)", NBSP, line.strip()), "             ", "    ")
        self.para(_("The law's terms for the status:", self.lang), "  ")
        for c in st["children"]:
            shown = _yes(c["value"], self.lang) if isinstance(c["value"], bool) else _number(c["value"], c["unit"])
            self.para(f"{shown} — {c['label']}; {self.cite(c)}", "      ", "    ")


def render_text(tree: dict[str, Any], policy: PolicySet, lang: str, width: int = 80) -> str:
    """The explanation as sentences an analyst reads (`render` in explain.py is the full tree, `--detail`)."""
    w = Writer(policy, lang, width)
    w.para(f"{tree['scenario']} · {tree['month']} · {policy.id} {policy.version} ({policy.fingerprint[:19]}…)")
    full: dict[str, dict[str, Any]] = {}  # each rule once with its parts (the tree gives them where first met)

    def collect(n: dict[str, Any]) -> None:
        if n["kind"] == "rule" and "children" in n:
            full.setdefault(n["name"], n)
        for c in n.get("children", []):
            collect(c)

    for n in tree["outputs"]:
        collect(n)
    queue = list(tree["outputs"])
    while queue:
        n = queue.pop(0)
        if n["name"] in w.said:
            continue
        w.rule(full.get(n["name"], n))
        queue[:0] = [p for p in w.pending if p["name"] not in w.said]
        w.pending.clear()
    w.categories(tree["categories"])
    w.status(tree["status"])
    w.lines.append("")
    w.para(_(LEGEND, lang))
    w.para(_("The full tree, with every source of every value: the same command with --detail.", lang))
    return "\n".join(line.rstrip() for line in w.lines) + "\n"
