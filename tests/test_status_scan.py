"""Status computed a month row at a time, in small integers and without masked stores, agrees with the matrix form
it replaced (every month × every person in int32, `argmax` over reversed rows) on random histories; so do the
per-month parameter lookups and the branch-free selects."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from osms.core.dates import month_start_ordinals
from osms.core.errors import OsmsError
from osms.engine.allocation import BIG
from osms.engine.status import History, _last_true, _member_until, _param_at_months, _pick, _scan_runs
from osms.policy import bundled_policies, load_policies

TODAY = dt.date(2026, 1, 31).toordinal()


def _matrix_runs(paid: np.ndarray) -> np.ndarray:
    runs = np.empty(paid.shape, dtype=np.int32)
    run = np.zeros(paid.shape[1], dtype=np.int32)
    for t in range(paid.shape[0]):
        run += 1
        run *= paid[t]
        runs[t] = run
    return runs


def _matrix_last_true(mask: np.ndarray) -> np.ndarray:
    t = mask.shape[0]
    if t == 0:
        return np.full(mask.shape[1], -1)
    rev = np.argmax(mask[::-1], axis=0)
    return np.where(mask.any(axis=0), t - 1 - rev, -1)


def _matrix_scan(hist: History, m: int, need: np.ndarray, credit: bool) -> tuple[np.ndarray, ...]:
    """The former computation, as it stood in compute_status."""
    n, rows = hist.size, hist.paid_day.shape[0]
    cols = np.arange(n)
    paid = hist.paid_day <= TODAY
    runs = _matrix_runs(paid[: m + 1])
    qualifying = runs >= need[None, :]
    credited = runs
    if credit:
        credited = _matrix_runs(paid[: m + 1] | hist.member[: m + 1])
        own_next = np.zeros((m + 1, n), dtype=bool)
        own_next[:-1] = hist.obligation[1 : m + 1] | paid[1 : m + 1]
        if m + 1 < rows:
            own_next[-1] = hist.obligation[m + 1] | paid[m + 1]
        qualifying = (credited >= need[None, :]) & (paid[: m + 1] | (hist.member[: m + 1] & own_next))
    end = _matrix_last_true(qualifying)
    run_len = np.where(end >= 0, credited[np.maximum(end, 0), cols], 0)
    own_run_len = np.where(end >= 0, runs[np.maximum(end, 0), cols], 0)
    return end, run_len, own_run_len, _matrix_last_true(paid[: m + 1]), runs.max(axis=0)


def _history(rng: np.random.Generator, rows: int, n: int, p_paid: float) -> History:
    paid = rng.random((rows, n)) < p_paid
    days = TODAY + rng.integers(-400, 60, (rows, n))  # some paid after the day asked: not yet paid then
    return History(
        first=2020 * 12,
        paid_day=np.where(paid, days, BIG).astype(np.int32),
        member=rng.random((rows, n)) < 0.2,
        obligation=rng.random((rows, n)) < 0.5,
        it_failure=np.zeros((rows, n), dtype=bool),
        assumed=np.zeros(n, dtype=bool),
    )


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    rows=st.integers(1, 40),
    n=st.integers(1, 60),
    p_paid=st.sampled_from([0.3, 0.8, 0.97]),
    credit=st.booleans(),
    at_end=st.booleans(),
)
def test_streamed_runs_agree_with_the_matrix_form(
    seed: int, rows: int, n: int, p_paid: float, credit: bool, at_end: bool
) -> None:
    rng = np.random.default_rng(seed)
    hist = _history(rng, rows, n, p_paid)
    m = rows - 1 if at_end else int(rng.integers(0, rows))  # the last row: no month after it to look at
    need = rng.choice([3, 12, 12, 99], n)  # 99: more months than the window has, never reached
    got = _scan_runs(hist, m, TODAY, need, credit)
    want = _matrix_scan(hist, m, need, credit)
    for name, g, w in zip(("end", "run_len", "own_run_len", "last_paid", "ever_run"), got, want):
        assert np.array_equal(g, w), name
    assert np.array_equal(_last_true(hist.member[:m]), _matrix_last_true(hist.member[:m]))


@pytest.mark.parametrize("rows", [126, 127, 400])  # the widest window in 8-bit integers, and 16-bit ones
def test_long_windows_agree_with_the_matrix_form(rows: int) -> None:
    rng = np.random.default_rng(rows)
    hist = _history(rng, rows, 40, 0.97)
    for m, credit in ((rows - 1, True), (rows - 1, False), (rows // 2, True)):
        need = rng.choice([3, 12, 200], 40)
        got = _scan_runs(hist, m, TODAY, need, credit)
        for g, w in zip(got, _matrix_scan(hist, m, need, credit)):
            assert np.array_equal(g, w)
    assert np.array_equal(_last_true(hist.member), _matrix_last_true(hist.member))


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), rows=st.integers(2, 30), n=st.integers(1, 50))
def test_membership_end_and_selects_agree_with_masked_stores(seed: int, rows: int, n: int) -> None:
    rng = np.random.default_rng(seed)
    member = rng.random((rows, n)) < 0.7
    m, known = int(rng.integers(0, rows)), int(rng.integers(0, rows + 3))
    want = np.full(n, -1)
    alive = member[m].copy()
    for c in range(m + 1, min(known + 1, rows)):
        stop = alive & ~member[c]
        want[stop] = c - 1
        alive &= member[c]
    assert np.array_equal(_member_until(member, m, known), want)
    cond, a, b = rng.random(n) < 0.5, rng.integers(-5, 800_000, n), rng.integers(-5, 800_000, n)
    assert np.array_equal(_pick(cond, a, b), np.where(cond, a, b))
    assert np.array_equal(_pick(cond, 7, b), np.where(cond, 7, b))


@pytest.mark.parametrize("span", [30, 5000])  # months read once each, and (a span too wide) person by person
def test_parameters_read_once_per_month_as_person_by_person(span: int) -> None:
    policy = load_policies(bundled_policies())
    months = np.random.default_rng(span).integers(2015 * 12, 2015 * 12 + span, 1000)
    for role in ("grace", "long_history_grace", "long_history_months", "category_exit_grace"):
        used: set = set()
        got = _param_at_months(policy, role, months, used)
        want_used: set = set()
        days = month_start_ordinals(np.maximum(months, policy.covers[0]))
        want = policy.parameter_on_days(policy.roles.parameter(role), days, want_used).astype(np.int64)
        assert np.array_equal(got, want) and used == want_used, role


def test_a_month_without_a_value_is_named_as_the_first_person_s() -> None:
    """The parameter has no value before 2024: the error names the first person's day (2023-05-01), as reading
    person by person does, not the earliest month (2022-01)."""
    first_value = dt.date(2024, 1, 1).toordinal()

    def on_days(name: str, ordinals: np.ndarray, used: set) -> np.ndarray:
        early = np.flatnonzero(np.asarray(ordinals) < first_value)
        if len(early):
            raise OsmsError(f"{name}: no value on {dt.date.fromordinal(int(ordinals[early[0]]))}")
        return np.full(len(ordinals), 3.0)

    policy = SimpleNamespace(
        covers=(2020 * 12, 2030 * 12), roles=SimpleNamespace(parameter=lambda role: "grace"), parameter_on_days=on_days
    )
    months = np.array([2025 * 12, 2023 * 12 + 4, 2022 * 12, 2026 * 12])
    with pytest.raises(OsmsError, match="no value on 2023-05-01"):
        _param_at_months(policy, "grace", months, set())  # type: ignore[arg-type]
    assert np.array_equal(_param_at_months(policy, "grace", months[[0, 3]], set()), [3, 3])  # type: ignore[arg-type]
