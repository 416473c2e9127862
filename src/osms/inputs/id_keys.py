"""Ids and text cells as numbers, without a Python object per row: a string array's bytes (`text_buffers`), a
keyed 64-bit hash of each string (`hash_text`) or of fixed-width byte strings (`fixed_width_keys`), and the index
of ids met so far that finds duplicates across chunks (`SeenIds`, 16 bytes a row); and which ids are numbers Excel
rounded (`excel_numbers`)."""

from __future__ import annotations

import os
from collections.abc import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_KEY = np.frombuffer(os.urandom(8), dtype=np.uint64)[0]  # per process, as Python's own str hash
_LOW_BYTES = np.array([(1 << (8 * k)) - 1 for k in range(8)] + [(1 << 64) - 1], dtype=np.uint64)


def _mix(z: np.ndarray) -> np.ndarray:
    """The splitmix64 finaliser, in place: every input bit moves about half the output bits."""
    z ^= z >> np.uint64(30)
    z *= np.uint64(0xBF58476D1CE4E5B9)
    z ^= z >> np.uint64(27)
    z *= np.uint64(0x94D049BB133111EB)
    z ^= z >> np.uint64(31)
    return z


def text_buffers(text: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """A string array's cells as Arrow holds them, without a Python object per cell: the n + 1 offsets into its
    data (int32, int64 for a large string) and the data bytes (empty when every cell is)."""
    wide = pa.types.is_large_string(text.type)
    buffers = text.buffers()
    offsets = np.frombuffer(buffers[1], dtype=np.int64 if wide else np.int32)[text.offset : text.offset + len(text) + 1]
    data = np.frombuffer(buffers[2], dtype=np.uint8) if buffers[2] is not None else np.zeros(0, np.uint8)
    return offsets, data


def hash_text(text: pa.Array) -> np.ndarray:
    """A 64-bit hash of each string of a string array (nulls hash as ""), from its bytes, with no Python object per
    row: the length, then each 8 bytes in turn, chained through a mixing function with a per-process key (as
    Python's str hash is keyed, so a file cannot be made to collide on purpose)."""
    offsets, data = text_buffers(text)
    padded = np.zeros(len(data) + 8, dtype=np.uint8)  # 8-byte reads at any byte of a string stay inside
    padded[: len(data)] = data
    words = np.ndarray((len(data) + 1,), dtype="<u8", buffer=padded, strides=(1,))  # the 8 bytes from each byte
    start = offsets[:-1].astype(np.int64)
    length = offsets[1:].astype(np.int64) - start
    length[~text.is_valid().to_numpy(zero_copy_only=False)] = 0
    h = _mix(length.astype(np.uint64) ^ _KEY)
    at = np.flatnonzero(length > 0)
    done = 0
    while len(at):
        word = words[start[at] + done] & _LOW_BYTES[np.minimum(length[at] - done, 8)]
        h[at] = _mix(h[at] ^ word)
        done += 8
        at = at[length[at] > done]
    return h.view(np.int64)


def fixed_width_keys(values: np.ndarray) -> tuple[np.ndarray, bool]:
    """For byte strings all of one width (a numpy S array): a 64-bit key of each, and whether the key is the
    bytes themselves (up to 8 bytes: equal keys, equal strings) or a keyed hash of them, as hash_text's (equal
    keys may then, very rarely, be different strings)."""
    m, width = len(values), values.dtype.itemsize
    words = max((width + 7) // 8, 1)
    padded = np.zeros((m, 8 * words), dtype=np.uint8)
    padded[:, :width] = values.view(np.uint8).reshape(m, width)
    word = padded.view("<u8")
    if words == 1:
        return word[:, 0].view(np.int64), True
    h = _mix(word[:, 0] ^ _KEY)
    for j in range(1, words):
        h = _mix(h ^ word[:, j])
    return h.view(np.int64), False


def stable_order(h: np.ndarray) -> np.ndarray:
    """np.argsort(h, kind="stable"), five times faster on random hashes: numpy's unstable sort, then each run of
    equal values (repeated ids: few) put back in the order of their positions."""
    order = np.argsort(h)
    if len(h) < 2:
        return order
    hs = h[order]
    eq = hs[1:] == hs[:-1]
    if eq.any():
        group = np.cumsum(np.concatenate([[True], ~eq]))  # the run of equal values each sorted position is in
        tie = np.zeros(len(h), dtype=bool)
        tie[1:] |= eq
        tie[:-1] |= eq
        at = np.flatnonzero(tie)
        order[at] = order[at][np.lexsort((order[at], group[at]))]
    return order


class SeenIds:
    """Ids met so far, as 64-bit hashes with the row of their first appearance, in sorted runs of doubling size
    (a merge touches each id O(log n) times). A hash collision (odds about n² / 2⁶⁵) would be reported as a
    duplicate, never hidden."""

    def __init__(self, where: Callable[[int], str] = "row {}".format) -> None:
        self.runs: list[tuple[np.ndarray, np.ndarray]] = []
        self.where = where  # how a reason names the first row: "row 7", or "b.csv row 7" with several inputs

    def duplicates(self, ids: pa.Array, offset: int) -> dict[int, str]:
        """Rows of this chunk (numbered from 1 over the whole input) whose id appeared before: row → reason."""
        if isinstance(ids, pa.ChunkedArray):
            ids = ids.combine_chunks()
        if pa.types.is_string(ids.type) or pa.types.is_large_string(ids.type):
            present = ids.is_valid().to_numpy(zero_copy_only=False)
            h = hash_text(ids)
        else:  # not text (refused later, with its own message): hashed as Python values
            values = ids.to_pylist()
            present = np.array([v is not None for v in values], dtype=bool)
            h = np.fromiter((hash(v) for v in values), dtype=np.int64, count=len(values))
        rows = np.arange(offset + 1, offset + len(ids) + 1, dtype=np.int64)
        h, rows = h[present], rows[present]
        order = stable_order(h)
        hs, rs = h[order], rows[order]
        first = rs.copy()
        repeat = np.zeros(len(hs), dtype=bool)
        if len(hs) > 1:
            repeat[1:] = hs[1:] == hs[:-1]
            start = np.maximum.accumulate(np.where(repeat, 0, np.arange(len(hs))))
            first = rs[start]
        for run_h, run_r in self.runs:
            if not len(run_h):
                continue
            pos = np.minimum(np.searchsorted(run_h, hs), len(run_h) - 1)
            seen = run_h[pos] == hs
            first = np.where(seen & (run_r[pos] < first), run_r[pos], first)
            repeat |= seen
        out = {int(r): f"id: the same id as {self.where(int(f))}" for r, f in zip(rs[repeat], first[repeat])}
        new_h, new_r = hs[~repeat], rs[~repeat]
        if len(new_h):
            self.runs.append((new_h, new_r))
        while len(self.runs) > 1 and len(self.runs[-2][0]) <= 2 * len(self.runs[-1][0]):
            self.runs.append(_merge(self.runs.pop(-2), self.runs.pop()))
        return out


def _merge(b: tuple[np.ndarray, np.ndarray], a: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Two sorted runs of hashes (with their rows) as one, in place of a sort: each of `a`'s goes after the `b`s
    not greater than it. The runs share no hash (a repeat is never added), so the order is the sorted one."""
    at = np.searchsorted(b[0], a[0], side="right") + np.arange(len(a[0]))
    from_b = np.ones(len(a[0]) + len(b[0]), dtype=bool)
    from_b[at] = False
    merged = []
    for x, y in zip(a, b):
        out = np.empty(len(from_b), dtype=x.dtype)
        out[at] = x
        out[from_b] = y
        merged.append(out)
    return merged[0], merged[1]


# An id as Excel shows and saves a long number (an IIN of 12 digits) in a cell not formatted as text: 1.23457E+11,
# or 1,23457E+11 in a Russian locale. Its digits are lost; rows so written would share one wrong id.
EXCEL_NUMBER = r"^[0-9]+([.,][0-9]+)?E\+[0-9]+$"


def excel_numbers(ids: pa.Array) -> np.ndarray:
    """Which (trimmed) ids are numbers in Excel's rounded form (EXCEL_NUMBER): the few holding "E+" are matched."""
    near = np.asarray(pc.fill_null(pc.match_substring(ids, "E+"), False).to_numpy(zero_copy_only=False), dtype=bool)
    if not near.any():
        return near
    at = np.flatnonzero(near)
    found = pc.fill_null(pc.match_substring_regex(pc.take(ids, pa.array(at)), EXCEL_NUMBER), False)
    out = np.zeros(len(near), dtype=bool)
    out[at] = np.asarray(found.to_numpy(zero_copy_only=False), dtype=bool)
    return out
