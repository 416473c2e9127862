"""The expression language: vectorized semantics and load-time rejection of everything else."""

from __future__ import annotations

import numpy as np
import pytest

from osms.policy.expressions import JOB, PERSON, ExpressionError, compile_formula, evaluate

KNOWN = {"a": PERSON, "b": PERSON, "flag": PERSON, "wage": JOB, "rate": PERSON}


def run(text: str, **env):  # type: ignore[no-untyped-def]
    return evaluate(compile_formula(text, KNOWN), env)


def test_elementwise_logic_and_conditionals() -> None:
    a = np.array([1.0, 5.0, 10.0])
    flag = np.array([True, False, True])
    assert list(run("a * 2 if flag and a > 2 else 0", a=a, flag=flag)) == [0.0, 0.0, 20.0]
    assert list(run("not flag or a >= 10", a=a, flag=flag)) == [False, True, True]
    assert list(run("1 < a <= 5", a=a)) == [False, True, False]


def test_long_arrays_use_plain_numpy_arithmetic() -> None:
    # simpleeval's default guarded operators refuse arrays over 50 000 elements; ours must not.
    a = np.arange(200_000, dtype=float)
    out = run("min(a, 1000) * rate + a * 0", a=a, rate=0.5)
    assert out.shape == (200_000,) and out[-1] == 500.0


def test_jobs_aggregate_to_persons() -> None:
    wage = np.array([[100.0, 0.0], [50.0, 20.0]])  # 2 job slots × 2 persons
    f = compile_formula("sum_jobs(min(wage, 60))", KNOWN)
    assert f.entity == PERSON
    assert list(evaluate(f, {"wage": wage})) == [110.0, 20.0]  # min(100,60)+min(50,60); min(0,60)+min(20,60)
    assert compile_formula("wage * rate", KNOWN).entity == JOB


def test_names_are_collected() -> None:
    assert compile_formula("a + b * min(rate, 2)", KNOWN).names == {"a", "b", "rate"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a.real", "attribute access (a.b) is not allowed in a formula"),
        ("a[0]", "indexing (a[b]) is not allowed in a formula"),
        ("open(1)", "unknown function 'open'"),
        ("(lambda: 1)()", "only the policy functions may be called, by name"),
        ("[x for x in a]", "comprehensions is not allowed in a formula"),
        ("'x' * 1000000", "only numbers may be written in a formula, not 'x'"),
        ("a ** 1000000", "operator ** is not allowed (use + - * / and the functions)"),
        ("a // 2", "operator // is not allowed (use + - * / and the functions)"),
        ("min(a)", "min() takes at least 2 arguments, not 1"),
        ("round_to(a, b)", "argument 2 of round_to() must be a positive number"),
        ("where(flag, a)", "where() takes 3 arguments, not 2"),
        ("zz + 1", "unknown name 'zz'"),
        ("rat + 1", "unknown name 'rat' (did you mean 'rate'?)"),
        ("min", "min is a function: call it as min(...)"),
        ("(a := 1)", "assignment (:=) is not allowed in a formula"),
        ("a if", "not a valid formula: invalid syntax"),
        ("1" + "+1" * 3000, "formula is 6001 characters; the limit is 4000"),
        ("-" * 200 + "a", "formula is nested deeper than 60 levels"),
    ],
)
def test_rejected_at_load_time(text: str, message: str) -> None:
    with pytest.raises(ExpressionError) as err:
        compile_formula(text, KNOWN)
    assert str(err.value).startswith(message)
