"""Any JSON body gets an answer or an error the user can act on — never another exception (which the server would
turn into a 500). In-process, through the same functions the routes call."""

from __future__ import annotations

import json
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from osms.core.errors import OsmsError
from osms.serve import service
from osms.serve.inputs import parse_json
from osms.serve.limits import TooLarge

KEYS = [
    "scenario",
    "scenarios",
    "month",
    "from",
    "to",
    "on",
    "outputs",
    "services",
    "person",
    "birth_date",
    "residency",
    "jobs",
    "employer",
    "wage",
    "wages",
    "payments",
    "paid_on",
    "for_month",
    "amount",
    "kind",
    "self_payer",
    "categories",
    "id",
    "facts",
    "fact",
    "value",
    "civil_contracts",
    "income",
    "customer",
]
WORDS = [
    "2026-03",
    "2025-13",
    "2020-01",
    "2026-02-30",
    "2025-01-10",
    "citizen",
    "self_payer",
    "children",
    "x",
    "",
    "300000.10",
    "1e5",
    "-1",
    "employer_deduction",
    "phc",
]
scalars = (
    st.none()
    | st.booleans()
    | st.integers(-10, 10**13)
    | st.sampled_from(WORDS)
    | st.decimals(allow_nan=False, allow_infinity=False, places=3, min_value=-(10**6), max_value=10**10)
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(KEYS), inner, max_size=5),
    max_leaves=25,
)


def _encode(v):
    if isinstance(v, Decimal):
        return float(v)
    raise TypeError(type(v))


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(body=st.dictionaries(st.sampled_from(KEYS[:8]), values, max_size=4))
def test_any_body_is_answered_or_refused_cleanly(policy, body) -> None:
    data = json.dumps(body, default=_encode).encode()
    for work in (service.calculate, service.explain, service.coverage):
        try:
            work(policy, parse_json(data), "en")
        except (OsmsError, TooLarge) as exc:
            assert str(exc)


leaf = scalars | st.sampled_from(["2025-06", "2026-01-15", "4250", "4250.5", "ip"])
scenario = st.fixed_dictionaries(
    {
        "person": st.fixed_dictionaries(
            {
                "birth_date": st.sampled_from(["1990-01-01", "2010-05-05", "1990-02-30", 5]),
                "residency": st.sampled_from(["citizen", "temporary_resident", "x"]),
            }
        )
    },
    optional={
        "jobs": st.lists(
            st.fixed_dictionaries(
                {"employer": st.sampled_from(["A", "B"]), "from": st.sampled_from(["2024-01", "2026-02", "2025-13"])},
                optional={"wage": leaf, "to": leaf},
            ),
            max_size=3,
        ),
        "payments": st.lists(
            st.fixed_dictionaries(
                {
                    "paid_on": leaf,
                    "for_month": leaf,
                    "amount": leaf,
                    "kind": st.sampled_from(["self_payer", "esp", "x"]),
                }
            ),
            max_size=4,
        ),
        "self_payer": st.lists(st.fixed_dictionaries({"from": leaf}), max_size=2),
    },
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(sc=scenario, month=st.sampled_from(["2026-03", "2020-01", "2019-12", "2026-13"]))
def test_near_valid_scenarios_are_answered_or_refused_cleanly(policy, sc, month) -> None:
    data = json.dumps({"scenario": sc, "month": month}, default=_encode).encode()
    try:
        doc = service.calculate(policy, parse_json(data), "en")
    except (OsmsError, TooLarge) as exc:
        assert str(exc)
    else:
        assert [r["month"] for r in doc["results"]] == [month]
