"""Exact money: the vectorized float path against Decimal arithmetic, on the grid the law's inputs live on."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pytest
from conftest import evaluate, scenario
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from osms.core.dates import format_month, month_start
from osms.core.money import RoundingRangeError, round_array, round_decimal

tiyn = st.integers(min_value=0, max_value=10**11).map(lambda t: Decimal(t) / 100)  # up to 1e9 tenge
rate = st.integers(min_value=1, max_value=10_000).map(lambda r: Decimal(r) / 10_000)  # four decimals


def test_ties_round_up_never_to_even() -> None:
    # 0.5 → 1, 1.5 → 2, 2.5 → 3 (banker's rounding would give 0, 2, 2)
    assert list(round_array(np.array([0.5, 1.5, 2.5, 1500.5]), 1.0)) == [1.0, 2.0, 3.0, 1501.0]
    # 4 505.598 → 4 505.6 and 3 614.25 → 3 614.3 at a 0.1 step
    assert list(round_array(np.array([4505.598, 3614.25]), 0.1)) == pytest.approx([4505.6, 3614.3], abs=1e-9)


def test_float_noise_does_not_move_a_tie() -> None:
    # 4 505.65 / 0.1 is 45 056.49999999999 in binary floats; naive floor(q + 0.5) gives 4 505.6, the law 4 505.7.
    assert math.floor(4505.65 / 0.1 + 0.5) == 45056
    got = round_array(np.array([4505.65, 0.35, 1.45, 2.05]), 0.1)
    assert got == pytest.approx([4505.7, 0.4, 1.5, 2.1], abs=1e-9)


def test_out_of_exact_range_is_an_error() -> None:
    with pytest.raises(RoundingRangeError):
        round_array(np.array([2e8]), 1.0)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(tiyn, rate), min_size=1, max_size=50), st.sampled_from(["1", "0.1", "0.01"]))
def test_round_array_matches_decimal(pairs: list[tuple[Decimal, Decimal]], step: str) -> None:
    products = [w * r for w, r in pairs]
    assume(all(p / Decimal(step) < Decimal(10**8) for p in products))  # the documented exact range
    got = round_array(np.array([float(w) * float(r) for w, r in pairs]), float(step))
    want = [round_decimal(p, Decimal(step)) for p in products]
    for g, w in zip(got, want):
        assert Decimal(round(g / float(step))) * Decimal(step) == w


def _q(x: Decimal) -> Decimal:
    return x.quantize(Decimal(1), rounding=ROUND_HALF_UP)


person = st.fixed_dictionaries(
    {
        "wages": st.lists(
            st.integers(min_value=0, max_value=500_000_000).map(lambda t: Decimal(t) / 100), min_size=0, max_size=3
        ),
        "civil": st.integers(min_value=0, max_value=300_000_000).map(lambda t: Decimal(t) / 100),
        "ip": st.booleans(),
        "self_payer": st.booleans(),
    }
)


@settings(max_examples=60, deadline=None)
@given(st.lists(person, min_size=1, max_size=12), st.integers(min_value=2020 * 12, max_value=2026 * 12 + 11))
def test_batch_matches_decimal_reference(policy, people: list[dict], month: int) -> None:
    """Every contribution of a random batch equals the law's formula worked in Decimal, person by person."""
    m = format_month(month)
    texts = []
    for _i, p in enumerate(people):
        jobs = ", ".join(f"{{employer: E{j}, from: 2020-01, wage: {w}}}" for j, w in enumerate(p["wages"]))
        texts.append(
            "person: {birth_date: 1980-01-01, residency: citizen}\n"
            f"jobs: [{jobs}]\n"
            f"civil_contracts: [{{customer: C, income: {{{m}: {p['civil']}}}}}]\n"
            + ("entrepreneur: [{from: 2020-01, kind: ip}]\n" if p["ip"] else "")
            + ("self_payer: [{from: 2020-01}]\n" if p["self_payer"] else "")
        )
    scenarios = [scenario(policy, t, f"p{i}") for i, t in enumerate(texts)]
    _, records = evaluate(policy, scenarios, m)

    day = month_start(month)

    def par(name: str) -> Decimal:
        return policy.parameter_value(name, day)[0]

    mzp = par("mzp")
    for p, rec in zip(people, records):
        employer = [
            _q(par("employer_deduction_rate") * min(w, par("employer_deduction_cap") * mzp)) for w in p["wages"]
        ]
        assert rec["employer_deduction"]["total"] == sum(employer, Decimal(0))
        total_wage = sum(p["wages"], Decimal(0))
        assert rec["employee_contribution"] == _q(
            par("employee_contribution_rate") * min(total_wage, par("employee_contribution_cap") * mzp)
        )
        # One cap for wages and ГПХ income: ГПХ income bears contributions within what wages leave of it.
        civil_room = max(Decimal(0), par("civil_contribution_cap") * mzp - total_wage)
        assert rec["civil_contribution"] == _q(par("civil_contribution_rate") * min(p["civil"], civil_room))
        want_ip = _q(par("entrepreneur_rate") * par("entrepreneur_base") * mzp) if p["ip"] else 0
        assert rec["entrepreneur_contribution"] == want_ip
        want_sp = _q(par("self_payer_rate") * par("self_payer_base") * mzp) if p["self_payer"] else 0
        assert rec["self_payer_contribution"] == want_sp
