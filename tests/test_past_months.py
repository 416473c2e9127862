"""Past months evaluated per group of months under the same rules (engine/past_months.py) give, month by month and
person by person, what evaluating each month on its own at the person's age then gives; and the month keys kept
for a policy set go with it."""

from __future__ import annotations

import gc

import numpy as np
import pyarrow as pa
import pytest

from osms.engine.evaluation import evaluate_month
from osms.engine.past_months import _KEYS, age_then, past_months, rules_in_force
from osms.inputs.population_rows import batch_from_arrow
from osms.policy import bundled_policies, load_policies


@pytest.mark.parametrize("stated", ["birth_date", "age"])
def test_grouped_months_are_the_months_one_by_one(policy, stated: str) -> None:  # type: ignore[no-untyped-def]
    """400 persons born on random days (1–28) of 1955–2026 (children turning 18, pensioners reaching the
    age, the unborn), with jobs, ИП, self-payment and ГПХ income, over every month of 2020–2026: every rule,
    category and aggregate the same as a month evaluated alone. A table giving `age` instead keeps it in every
    month (the same situation)."""
    rng = np.random.default_rng(5)
    n = 400
    births = [
        f"{y}-{m:02d}-{d:02d}"
        for y, m, d in zip(rng.integers(1955, 2027, n), rng.integers(1, 13, n), rng.integers(1, 29, n))
    ]
    table = pa.table(
        {
            "id": [f"p{i}" for i in range(n)],
            stated: births if stated == "birth_date" else [str(a) for a in rng.integers(0, 90, n)],
            "wage_1": [str(w) if w else "" for w in rng.choice([0, 0, 85_000, 300_000, 2_000_000], n)],
            "entrepreneur": [str(x).lower() for x in rng.random(n) < 0.2],
            "self_payer": [str(x).lower() for x in rng.random(n) < 0.2],
            "civil_income": [str(x) for x in rng.choice([0, 150_000], n)],
            "region": ["astana"] * n,
        }
    )
    month = 2026 * 12 + 11
    batch, bad, _, extra = batch_from_arrow(policy, table, month, 0, [], {})
    assert not bad.any()
    months = list(range(policy.covers[0], month + 1))
    keys = [*policy.rules, "preferential", "state_paid", "locally_paid", *(f"in_{c}" for c in policy.categories)]
    got = list(past_months(policy, batch, extra["birth"], months, keys, False))
    assert [mo for mo, _, _ in got] == months
    for mo, values, age in got:
        alone = evaluate_month(policy, batch.with_fact("age", age_then(batch, extra["birth"], mo)), mo)
        assert np.array_equal(age, age_then(batch, extra["birth"], mo))
        for k in keys:
            assert np.array_equal(values[k], alone.values[k]), (mo, k)


def test_month_keys_go_with_their_policy_set() -> None:
    """A notebook that loads policy sets in a loop keeps none of them alive through the month keys."""
    gc.collect()
    before = len(_KEYS)
    sets = [load_policies(bundled_policies()) for _ in range(3)]
    for s in sets:
        rules_in_force(s, 2026 * 12)
    assert len(_KEYS) == before + 3
    del sets, s
    gc.collect()
    assert len(_KEYS) == before
