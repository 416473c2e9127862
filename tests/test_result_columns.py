"""The `payer` and `categories` list columns, built from each row's set of names as the bits of one number (up to
20 names) or from the positions of the true cells: both give, per row, the names whose mask is true, in order."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from osms.runs.population_output import names_where


@pytest.mark.parametrize("n", [0, 1, 7, 2000])
@pytest.mark.parametrize("k", [1, 3, 20, 21])  # 21: more names than the bit route takes
def test_names_per_row_in_the_order_given(n: int, k: int) -> None:
    rng = np.random.default_rng(n * 100 + k)
    masks = [rng.random(n) < 0.3 for _ in range(k)]
    names = [f"name_{j}" for j in range(k)]
    got = names_where(names, masks, n)
    want = [[names[j] for j in range(k) if masks[j][i]] for i in range(n)]
    assert got.type == pa.list_(pa.string()) and got.to_pylist() == want


def test_no_names_gives_empty_lists() -> None:
    assert names_where([], [], 3).to_pylist() == [[], [], []]
