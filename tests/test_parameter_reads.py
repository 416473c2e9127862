"""The vectorized parameter read answers as `parameter_value` does, day by day, and refuses a day with no value."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from osms.policy import UndefinedAt


def test_vectorized_read_matches_parameter_value(policy) -> None:
    days = [dt.date(2020, 1, 1), dt.date(2022, 9, 4), dt.date(2022, 9, 5), dt.date(2026, 12, 31)]
    used: set = set()
    got = policy.parameter_on_days("prospective_route", np.array([d.toordinal() for d in days]), used)
    # the route is 0 until 2022-09-04 and 1 from 2022-09-05
    assert got.tolist() == [float(policy.parameter_value("prospective_route", d)[0]) for d in days] == [0, 0, 1, 1]
    assert used == {("prospective_route", dt.date(2020, 1, 1)), ("prospective_route", dt.date(2022, 9, 5))}


def test_vectorized_read_refuses_a_day_with_no_value(policy) -> None:
    with pytest.raises(UndefinedAt, match="is defined only from 2020-01-01"):
        policy.parameter_on_days("grace_months", np.array([dt.date(2019, 12, 31).toordinal()]), set())
