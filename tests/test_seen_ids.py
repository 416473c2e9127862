"""Duplicate ids across chunks, found from a hash of each id's bytes (no Python object per row): equal ids hash
equal and different ids apart, whatever the string layout, and each repeat names the row of the first."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from osms.inputs.id_keys import SeenIds, hash_text, stable_order

# Lengths on both sides of the 8-byte steps, a NUL (so "a" and "a\0" must differ), Cyrillic, a leading space.
IDS = ["", "a", "a\0", "ab", "абв", "x" * 8, "x" * 9, "x" * 16, "x" * 17, "Р" * 40, "P00000001", " P00000001"]


@pytest.mark.parametrize("kind", [pa.string(), pa.large_string()])
def test_equal_ids_hash_equal_and_different_ones_apart(kind: pa.DataType) -> None:
    picks = [IDS[i] if i < len(IDS) else None for i in np.random.default_rng(7).integers(0, len(IDS) + 1, 2000)]
    whole = pa.array(picks, kind)
    for arr in (whole, whole.slice(13, 1500)):  # a slice starts inside the buffers
        by_id: dict[str, set[int]] = {}
        for value, h in zip(arr.to_pylist(), hash_text(arr)):
            if value is not None:
                by_id.setdefault(value, set()).add(int(h))
        assert all(len(hs) == 1 for hs in by_id.values())
        assert len({min(hs) for hs in by_id.values()}) == len(by_id)


def test_repeats_name_the_first_row_across_chunks() -> None:
    seen = SeenIds()
    assert seen.duplicates(pa.array(["A", "B", None, "A"]), 0) == {4: "id: the same id as row 1"}
    # Rows 5–8: B again (first at row 2), C twice (first at row 6), an empty cell is not an id.
    got = seen.duplicates(pa.array(["B", "C", None, "C"]), 4)
    assert got == {5: "id: the same id as row 2", 8: "id: the same id as row 6"}
    assert SeenIds().duplicates(pa.array([7, 7]), 0) == {2: "id: the same id as row 1"}  # not text: refused later


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(0, 6), max_size=200))
def test_stable_order_is_a_stable_argsort(values: list[int]) -> None:
    h = np.array(values, dtype=np.int64)
    assert np.array_equal(stable_order(h), np.argsort(h, kind="stable"))


def test_many_chunks_with_repeats_as_a_dictionary_finds_them() -> None:
    """60 chunks (sorted runs merged as they grow) against a plain dictionary of first rows."""
    ids = [f"id{int(x)}" for x in np.random.default_rng(0).integers(0, 30_000, 60_000)]
    seen, got = SeenIds(), {}
    for offset in range(0, len(ids), 1000):
        got.update(seen.duplicates(pa.array(ids[offset : offset + 1000]), offset))
    first: dict[str, int] = {}
    want = {}
    for row, value in enumerate(ids, start=1):
        if value in first:
            want[row] = f"id: the same id as row {first[value]}"
        first.setdefault(value, row)
    assert got == want
