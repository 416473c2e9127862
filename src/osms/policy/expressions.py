"""The policy expression language: a small, sandboxed, vectorized subset of Python arithmetic.

Formulas are parsed once at load time and every node and name is checked there, so a policy that
loads cannot fail at evaluation for a syntactic or naming reason. Evaluation goes through
`simpleeval` with its node table cut down to the allowed nodes, plain numpy arithmetic (the default
guarded operators reject long arrays), and elementwise `and`/`or`/`not`/comparisons/`if-else`.
Only numbers and boolean arrays ever reach an expression.
"""

from __future__ import annotations

import ast
import functools
import operator
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from simpleeval import SimpleEval

from ..core.messages import N_, _
from ..core.money import round_array

MAX_FORMULA_CHARS = 4000
MAX_DEPTH = 60

PERSON = "person"
JOB = "job"


def _min(*xs: Any) -> Any:
    return functools.reduce(np.minimum, xs)


def _max(*xs: Any) -> Any:
    return functools.reduce(np.maximum, xs)


def _sum_jobs(x: Any) -> Any:
    x = np.asarray(x)
    return x.sum(axis=0) if x.ndim == 2 else x


def _any_jobs(x: Any) -> Any:
    x = np.asarray(x, dtype=bool)
    return x.any(axis=0) if x.ndim == 2 else x


def _count_jobs(x: Any) -> Any:
    x = np.asarray(x, dtype=bool)
    return x.sum(axis=0).astype(np.float64) if x.ndim == 2 else x.astype(np.float64)


@dataclass(frozen=True)
class Function:
    impl: Callable[..., Any]
    min_args: int
    max_args: int | None
    doc: str
    gives: str | None = None  # entity of the result when it differs from the arguments'
    const_args: tuple[int, ...] = ()  # argument positions that must be number literals


FUNCTIONS: dict[str, Function] = {
    "min": Function(_min, 2, None, "elementwise minimum"),
    "max": Function(_max, 2, None, "elementwise maximum"),
    "where": Function(lambda c, a, b: np.where(c, a, b), 3, 3, "where(condition, if_true, if_false)"),
    "abs": Function(np.abs, 1, 1, "absolute value"),
    "round_tenge": Function(lambda x: round_array(x, 1.0, "half_up"), 1, 1, "round half-up to whole tenge"),
    "round_to": Function(
        lambda x, s: round_array(x, float(s), "half_up"),
        2,
        2,
        "round_to(x, step): round half-up to a multiple of step",
        const_args=(1,),
    ),
    "floor_to": Function(
        lambda x, s: round_array(x, float(s), "floor"),
        2,
        2,
        "floor_to(x, step): round down to a multiple of step",
        const_args=(1,),
    ),
    "sum_jobs": Function(_sum_jobs, 1, 1, "sum of a per-job value over the person's jobs", gives=PERSON),
    "any_jobs": Function(_any_jobs, 1, 1, "true where any of the person's jobs is true", gives=PERSON),
    "count_jobs": Function(_count_jobs, 1, 1, "number of the person's jobs where true", gives=PERSON),
}

_BINOPS: dict[type, Callable[[Any, Any], Any]] = {
    # numpy's division: a scalar divided by 0 gives inf (caught as "no finite number") instead of raising
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: np.true_divide,
}
_CMPOPS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}
_OP_SYMBOL = {
    ast.Pow: "**",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.BitAnd: "&",
    ast.BitOr: "|",
    ast.BitXor: "^",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.MatMult: "@",
    ast.Invert: "~",
}


class ExpressionError(ValueError):
    """A formula that breaks the language's rules; the loader adds file, line and field."""


def _describe(node: ast.AST) -> str:
    names = {
        ast.Attribute: N_("attribute access (a.b)"),
        ast.Subscript: N_("indexing (a[b])"),
        ast.Lambda: "lambda",
        ast.ListComp: N_("comprehensions"),
        ast.SetComp: N_("comprehensions"),
        ast.DictComp: N_("comprehensions"),
        ast.GeneratorExp: N_("comprehensions"),
        ast.List: N_("lists"),
        ast.Tuple: N_("tuples"),
        ast.Dict: N_("dicts"),
        ast.Set: N_("sets"),
        ast.JoinedStr: "f-strings",
        ast.NamedExpr: N_("assignment (:=)"),
        ast.Starred: N_("unpacking (*x)"),
        ast.Await: "await",
        ast.Yield: "yield",
        ast.YieldFrom: "yield",
    }
    return _(names[type(node)]) if type(node) in names else type(node).__name__


@dataclass
class Formula:
    """A checked formula: its text, parsed tree, the names it reads and the entity of its result."""

    text: str
    tree: ast.Expression
    names: frozenset[str]
    entity: str
    functions: frozenset[str] = field(default_factory=frozenset)
    divides: bool = False  # only a division can make a non-finite number


def compile_formula(text: str, known: Mapping[str, str]) -> Formula:
    """Parse and check a formula. `known` maps each readable name to its entity (person or job)."""
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError(_("formula is empty"))
    if len(text) > MAX_FORMULA_CHARS:
        raise ExpressionError(
            _("formula is {count} characters; the limit is {limit}", count=len(text), limit=MAX_FORMULA_CHARS)
        )
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(
            _("not a valid formula: {msg} (column {offset})", msg=exc.msg, offset=exc.offset)
        ) from None
    except (RecursionError, MemoryError, ValueError):
        raise ExpressionError(_("formula is too deeply nested")) from None
    names: set[str] = set()
    funcs: set[str] = set()
    entity = _check(tree.body, known, names, funcs, 0)
    divides = any(isinstance(n, ast.BinOp) and isinstance(n.op, ast.Div) for n in ast.walk(tree))
    return Formula(text, tree, frozenset(names), entity, frozenset(funcs), divides)


def _check(node: ast.AST, known: Mapping[str, str], names: set[str], funcs: set[str], depth: int) -> str:
    """Check one node; return the entity of its value (job if any job-level value flows into it)."""
    if depth > MAX_DEPTH:
        raise ExpressionError(_("formula is nested deeper than {limit} levels", limit=MAX_DEPTH))
    d = depth + 1
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise ExpressionError(_("only numbers may be written in a formula, not {value}", value=repr(node.value)))
        if abs(node.value) > 1e15:
            raise ExpressionError(_("number {value} is too large", value=node.value))
        return PERSON
    if isinstance(node, ast.Name):
        if node.id in ("True", "False"):
            return PERSON
        if node.id in FUNCTIONS:
            raise ExpressionError(_("{id} is a function: call it as {id}(...)", id=node.id))
        if node.id not in known:
            hint = _closest(node.id, known)
            raise ExpressionError(
                _("unknown name {name}", name=repr(node.id))
                + (_(" (did you mean {hint}?)", hint=repr(hint)) if hint else "")
            )
        names.add(node.id)
        return known[node.id]
    if isinstance(node, ast.BinOp):
        if type(node.op) not in _BINOPS:
            sym = _OP_SYMBOL.get(type(node.op), type(node.op).__name__)
            raise ExpressionError(_("operator {sym} is not allowed (use + - * / and the functions)", sym=sym))
        return _join(_check(node.left, known, names, funcs, d), _check(node.right, known, names, funcs, d))
    if isinstance(node, ast.UnaryOp):
        if isinstance(node.op, ast.Invert):
            raise ExpressionError(_("operator ~ is not allowed (use not)"))
        return _check(node.operand, known, names, funcs, d)
    if isinstance(node, ast.BoolOp):
        ents = [_check(v, known, names, funcs, d) for v in node.values]
        return JOB if JOB in ents else PERSON
    if isinstance(node, ast.Compare):
        for op in node.ops:
            if type(op) not in _CMPOPS:
                raise ExpressionError(_("comparison {name} is not allowed", name=type(op).__name__))
        ents = [_check(node.left, known, names, funcs, d)]
        ents += [_check(c, known, names, funcs, d) for c in node.comparators]
        return JOB if JOB in ents else PERSON
    if isinstance(node, ast.IfExp):
        ents = [_check(x, known, names, funcs, d) for x in (node.test, node.body, node.orelse)]
        return JOB if JOB in ents else PERSON
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name):
            raise ExpressionError(_("only the policy functions may be called, by name"))
        fname = node.func.id
        if fname not in FUNCTIONS:
            allowed = ", ".join(sorted(FUNCTIONS))
            raise ExpressionError(
                _("unknown function {fname}; the functions are: {allowed}", fname=repr(fname), allowed=allowed)
            )
        fn = FUNCTIONS[fname]
        if node.keywords:
            raise ExpressionError(_("{fname}() takes no keyword arguments", fname=fname))
        if any(isinstance(a, ast.Starred) for a in node.args):
            raise ExpressionError(_("unpacking (*x) is not allowed in a formula"))
        n = len(node.args)
        if n < fn.min_args or (fn.max_args is not None and n > fn.max_args):
            want = str(fn.min_args) if fn.max_args == fn.min_args else _("at least {count}", count=fn.min_args)
            raise ExpressionError(_("{fname}() takes {want} arguments, not {n}", fname=fname, want=want, n=n))
        for pos in fn.const_args:
            arg = node.args[pos]
            if not (
                isinstance(arg, ast.Constant)
                and isinstance(arg.value, (int, float))
                and not isinstance(arg.value, bool)
                and arg.value > 0
            ):
                raise ExpressionError(
                    _("argument {value} of {fname}() must be a positive number", value=pos + 1, fname=fname)
                )
        funcs.add(fname)
        ents = [_check(a, known, names, funcs, d) for a in node.args]
        if fn.gives is not None:
            return fn.gives
        return JOB if JOB in ents else PERSON
    raise ExpressionError(_("{describe} is not allowed in a formula", describe=_describe(node)))


def _join(a: str, b: str) -> str:
    return JOB if JOB in (a, b) else PERSON


def _closest(name: str, known: Mapping[str, str]) -> str | None:
    import difflib

    hits = difflib.get_close_matches(name, list(known), n=1, cutoff=0.75)
    return hits[0] if hits else None


class _VectorEval(SimpleEval):
    """simpleeval with elementwise boolean logic and only the node types the checker allows."""

    def __init__(self) -> None:
        super().__init__(
            operators={**_BINOPS, **_CMPOPS, ast.USub: operator.neg, ast.UAdd: operator.pos, ast.Not: np.logical_not},
            functions={k: f.impl for k, f in FUNCTIONS.items()},
            names={},
        )
        allowed = (ast.Name, ast.UnaryOp, ast.BinOp, ast.BoolOp, ast.Compare, ast.IfExp, ast.Call, ast.Constant)
        self.nodes: dict[type, Any] = {k: v for k, v in self.nodes.items() if k in allowed}

    def _eval_boolop(self, node: ast.BoolOp) -> Any:
        combine = np.logical_and if isinstance(node.op, ast.And) else np.logical_or
        return functools.reduce(combine, (self._eval(v) for v in node.values))

    def _eval_compare(self, node: ast.Compare) -> Any:
        left = self._eval(node.left)
        if len(node.ops) == 1:
            return self.operators[type(node.ops[0])](left, self._eval(node.comparators[0]))
        result: Any = True
        for op, comp in zip(node.ops, node.comparators):
            right = self._eval(comp)
            result = np.logical_and(result, self.operators[type(op)](left, right))
            left = right
        return result

    def _eval_ifexp(self, node: ast.IfExp) -> Any:
        return np.where(self._eval(node.test), self._eval(node.body), self._eval(node.orelse))

    def _check_disallowed_items(self, item: Any) -> None:
        # Only numbers and arrays of numbers/booleans flow here; the load-time check guarantees it.
        return None


_LOCAL = threading.local()


def evaluate(formula: Formula, env: Mapping[str, Any]) -> Any:
    """Evaluate a checked formula over arrays in `env` (one evaluator per thread: it holds nothing but names)."""
    ev = getattr(_LOCAL, "evaluator", None)
    if ev is None:
        ev = _LOCAL.evaluator = _VectorEval()
    ev.names = env
    ev.expr = formula.text
    with np.errstate(divide="ignore", invalid="ignore"):
        return ev._eval(formula.tree.body)
