"""The people's ids, indexed so that each payment finds its person's row and chunk: the trimmed ids grouped by
byte length, each group sorted, searched on 64-bit keys (the bytes up to 8, a keyed hash beyond, compared on a hit),
vectorized, with no Python object per id."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .id_keys import fixed_width_keys, text_buffers


def _fixed(ids: pa.Array, length: int) -> np.ndarray:
    """Strings all `length` bytes long as a numpy bytes array, a view of their data."""
    if length == 0:
        return np.zeros(len(ids), dtype="S1")
    offsets, data = text_buffers(ids)
    first = int(offsets[0])
    assert int(offsets[-1]) - first == length * len(ids), "ids of one length lie side by side"
    return data[first : first + length * len(ids)].view(f"S{length}")


def _by_length(ids: pa.Array) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
    """(byte length, positions in `ids`, those ids as fixed-width bytes) for each length present."""
    lengths = np.asarray(pc.binary_length(ids).to_numpy(zero_copy_only=False), dtype=np.int64)
    order = np.argsort(lengths, kind="stable")
    ordered = pc.take(ids, pa.array(order))
    cuts = np.flatnonzero(np.diff(lengths[order])) + 1
    for lo, hi in zip(np.r_[0, cuts], np.r_[cuts, len(order)]):
        if hi > lo:
            n = int(lengths[order[lo]])
            yield n, order[lo:hi], _fixed(ordered.slice(int(lo), int(hi - lo)), n)


class PeopleIndex:
    """The people's trimmed ids → the first row holding each (its key) and the chunks holding it."""

    def __init__(self) -> None:
        self._parts: dict[int, list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = {}
        self.values: dict[int, np.ndarray] = {}  # per byte length: the distinct ids, sorted
        self.key: dict[int, np.ndarray] = {}  # the first row (over all inputs, from 0) of each
        self.chunk: dict[int, np.ndarray] = {}  # the chunk of that row
        # per byte length: the ids' 64-bit keys, sorted, and where each id is in `values` (None if two ids share
        # a key: that length is searched on its bytes)
        self.keys: dict[int, tuple[np.ndarray, np.ndarray] | None] = {}
        self.extra_key = np.zeros(0, dtype=np.int64)  # an id also on rows of other chunks: its key, sorted …
        self.extra_chunk = np.zeros(0, dtype=np.int64)  # … and each such chunk

    def add(self, ids: pa.Array, first_row: int, chunks: np.ndarray) -> None:
        ids = pc.utf8_trim_whitespace(ids)  # as the payments' ids are read, and as population_ledger matches them
        valid = np.asarray(pc.is_valid(ids).to_numpy(zero_copy_only=False), dtype=bool)
        at = np.flatnonzero(valid)
        for n, pos, values in _by_length(pc.take(ids, pa.array(at))):
            self._parts.setdefault(n, []).append((values.copy(), first_row + at[pos], chunks[at[pos]]))

    def freeze(self) -> None:
        extra_key, extra_chunk = [], []
        for n, parts in self._parts.items():
            values = np.concatenate([p[0] for p in parts])
            rows = np.concatenate([p[1] for p in parts])
            chunks = np.concatenate([p[2] for p in parts])
            order = np.argsort(values, kind="stable")  # rows were added in order: each id's first row leads
            values, rows, chunks = values[order], rows[order], chunks[order]
            new = np.ones(len(values), dtype=bool)
            new[1:] = values[1:] != values[:-1]
            group = np.cumsum(new) - 1
            start = np.flatnonzero(new)
            self.values[n], self.key[n], self.chunk[n] = values[start], rows[start], chunks[start]
            keys = fixed_width_keys(self.values[n])[0]
            by_key = np.argsort(keys)
            keys = keys[by_key]
            self.keys[n] = None if (keys[1:] == keys[:-1]).any() else (keys, by_key)
            other = chunks != chunks[start][group]
            extra_key.append(rows[start][group][other])
            extra_chunk.append(chunks[other])
        self._parts.clear()
        if extra_key:
            pairs = np.unique(np.stack([np.concatenate(extra_key), np.concatenate(extra_chunk)]), axis=1)
            self.extra_key, self.extra_chunk = pairs[0], pairs[1]

    def find(self, ids: pa.Array) -> tuple[np.ndarray, np.ndarray]:
        """For payment ids (trimmed, none null): (key, chunk) of each, -1 where no person row has it."""
        key = np.full(len(ids), -1, dtype=np.int64)
        chunk = np.full(len(ids), -1, dtype=np.int64)
        for n, pos, values in _by_length(ids):
            if n not in self.values:
                continue
            known, keyed = self.values[n], self.keys[n]
            if keyed is None:  # searched on the bytes (slower: numpy compares strings)
                at = np.minimum(np.searchsorted(known, values), len(known) - 1)
                hit = known[at] == values
            else:  # on the 64-bit keys, then the bytes compared where a key is a hash
                sorted_keys, by_key = keyed
                wanted, exact = fixed_width_keys(values)
                j = np.minimum(np.searchsorted(sorted_keys, wanted), len(sorted_keys) - 1)
                at = by_key[j]
                hit = sorted_keys[j] == wanted
                if not exact:
                    hit &= known[at] == values
            key[pos[hit]] = self.key[n][at[hit]]
            chunk[pos[hit]] = self.chunk[n][at[hit]]
        return key, chunk

    def destinations(self, key: np.ndarray, chunk: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(payment row, chunk) for every chunk each found payment goes to."""
        found = np.flatnonzero(key >= 0)
        rows, chunks = [found], [chunk[found]]
        if len(self.extra_key) and len(found):
            lo = np.searchsorted(self.extra_key, key[found], "left")
            hi = np.searchsorted(self.extra_key, key[found], "right")
            count = hi - lo
            rows.append(np.repeat(found, count))
            chunks.append(
                self.extra_chunk[
                    np.repeat(lo, count) + np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
                ]
            )
        return np.concatenate(rows), np.concatenate(chunks)
