"""A payments table (CSV or Parquet, one row per payment as the Fund records it), read and checked column-wise.

Columns: `id` (the person, as in the people table), `paid_on` (YYYY-MM-DD), `amount` (tenge, a plain decimal, at
most two decimals, above 0), `kind` (the contribution paid: a rule that has a payer), and optionally `for_month`
(YYYY-MM, the period the payer named; empty = none named) and `job` (which wage column's employer paid: 1 for
`wage_1`…; needed for per-employer kinds when a person has several jobs). Nothing else is read, so any other column
is refused. A malformed row makes its person an error row; nothing is dropped silently.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..core.csvformat import DEFAULT, CsvFormat, read_numbers
from ..core.errors import OsmsError
from ..core.limits import MAX_ID, cut
from ..core.messages import _
from ..engine.allocation import deduction_months
from ..policy import PolicySet
from .id_keys import excel_numbers
from .row_flags import flag_each, flag_rows
from .scenario_payments import before_policies, payment_kind, payment_kinds
from .text_cells import dates, hinted, months, trimmed

COLUMNS = ("id", "paid_on", "amount", "kind", "for_month", "job")
REQUIRED = ("id", "paid_on", "amount", "kind")
MONEY_MAX = 1_000_000_000
JOB_MAX = 99
_AMOUNT = r"^\d+(\.\d{1,2})?$"
_WHOLE = r"^[1-9]\d{0,1}$"
_EPOCH = 719163  # dt.date(1970, 1, 1).toordinal()


def check_payment_columns(
    policy: PolicySet, names: list[str], keep: Iterable[str] = (), file: str | None = None
) -> None:
    """Every column one this table reads; the required ones present; none twice."""
    for name in names:
        if name not in COLUMNS:
            hint = difflib.get_close_matches(name.lower(), COLUMNS, n=1, cutoff=0.6)
            raise OsmsError(
                (
                    _(
                        "unknown column {name} in the payments table (did you mean {hint}?): it reads {columns}",
                        name=cut(name),
                        hint=repr(hint[0]),
                        columns=", ".join(COLUMNS),
                    )
                    if hint
                    else _(
                        "unknown column {name} in the payments table: it reads {columns}",
                        name=cut(name),
                        columns=", ".join(COLUMNS),
                    )
                ),
                file=file,
            )
        if names.count(name) > 1:
            raise OsmsError(_("column {name} appears more than once: rename or remove one", name=cut(name)), file=file)
    for name in REQUIRED:
        if name not in names:
            raise OsmsError(_("the payments table has no `{name}` column", name=name), file=file)


@dataclass
class PaymentRecords:
    """Payments grouped by person (then as read); per distinct id the range of its rows. All of a table's payments
    (`read_payments`, sorted by id), or those of one people chunk (`payments_spill`, in the people's order)."""

    ids: pa.Array  # distinct person ids
    start: np.ndarray  # first row of each id
    stop: np.ndarray  # one past its last row
    kind: np.ndarray  # int16: index into `kinds`
    job: np.ndarray  # int16: 0-based job slot, -1 where not given
    paid_on: np.ndarray  # int64 ordinal day
    amount: np.ndarray  # int64 tiyn
    for_month: np.ndarray  # int64 month index, -1 where none is named
    row: np.ndarray  # int64 row in its file, from 1 (header not counted)
    kinds: list[str]
    bad: dict[str, str]  # person id → the first reason one of their payment rows is malformed
    files: list[str]
    file_of: np.ndarray  # int16 index into files
    warnings: list[str] = field(default_factory=list)
    matched: np.ndarray | None = None  # per distinct id: met in the people table

    @property
    def size(self) -> int:
        return len(self.kind)

    def rows_of(self, ids: pa.Array) -> tuple[np.ndarray, np.ndarray]:
        """For a chunk of people ids: (person index in the chunk, payment row) of every payment of theirs."""
        if not len(self.ids):  # a chunk of people none of whom has a payment
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        pos = pc.index_in(ids, value_set=self.ids).to_numpy(zero_copy_only=False)
        has = ~np.isnan(pos) if pos.dtype.kind == "f" else np.ones(len(pos), dtype=bool)
        p = np.where(has, np.nan_to_num(pos), 0).astype(np.int64)
        if self.matched is not None:
            self.matched[p[has]] = True
        counts = np.where(has, self.stop[p] - self.start[p], 0)
        person = np.repeat(np.arange(len(ids)), counts)
        base = np.repeat(np.where(has, self.start[p], 0) - (np.cumsum(counts) - counts), counts)
        return person, base + np.arange(int(counts.sum()))

    def unmatched(self) -> list[tuple[str, int, str]]:
        """Payments whose person the people table does not have: (file, first row, id) per id."""
        if self.matched is None:
            return []
        out = []
        for k in np.flatnonzero(~self.matched):
            r = int(self.start[k])
            out.append((self.files[int(self.file_of[r])], int(self.row[r]), str(self.ids[int(k)].as_py())))
        return out


def _np(arr: pa.Array) -> np.ndarray:
    return np.asarray(arr.to_numpy(zero_copy_only=False))


def _days(text: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """YYYY-MM-DD text → ordinal days, and which cells are real dates between 2000 and 2100."""
    y, m, d, real = dates(text)[1:]
    real &= (y >= 2000) & (y <= 2100)
    firsts = np.where(real, (y - 1970) * 12 + m - 1, 0).astype("datetime64[M]").astype("datetime64[D]")
    return firsts.astype(np.int64) + np.where(real, d - 1, 0) + _EPOCH, real


def _chunk(
    policy: PolicySet, rb: pa.RecordBatch, offset: int, kinds: list[str], flagged: dict[int, str]
) -> tuple[dict[str, np.ndarray], pa.Array, dict[int, str], set[str]]:
    n = rb.num_rows
    why = [""] * n
    bad = np.zeros(n, dtype=bool)

    def flag(mask: np.ndarray, reason: str) -> None:
        flag_rows(bad, why, mask, reason)

    def flag_reasons(reasons: dict[int, str]) -> None:
        flag_each(bad, why, reasons)

    for row, reason in flagged.items():
        bad[row - offset - 1] = True
        why[row - offset - 1] = reason
    names = rb.schema.names
    ids = trimmed(rb.column(names.index("id")))
    flag(_np(pc.equal(ids, "")), _("id: empty"))
    flag(
        excel_numbers(ids),
        _("id: a number as Excel rounds it (digits lost, e.g. an IIN): format the id column as text and export again"),
    )
    flag(_np(pc.greater(pc.utf8_length(ids), MAX_ID)), _("id: longer than {limit} characters", limit=MAX_ID))
    paid_col = rb.column(names.index("paid_on"))
    if pa.types.is_date32(paid_col.type):  # a typed date (Parquet): no text to check
        real = _np(pc.is_valid(paid_col))
        paid_on = np.where(real, _np(pc.fill_null(pc.cast(paid_col, pa.int32()), 0)).astype(np.int64), 0) + _EPOCH
        years = (paid_on - _EPOCH).astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
        real &= (years >= 2000) & (years <= 2100)
    else:
        paid_text = trimmed(paid_col)
        paid_on, real = _days(paid_text)
    if pa.types.is_date32(paid_col.type):
        flag(~real, _("paid_on: not a date YYYY-MM-DD between 2000 and 2100"))
    else:
        flag_reasons(hinted(paid_text, ~real, _("paid_on: not a date YYYY-MM-DD between 2000 and 2100")))
    amount_col = rb.column(names.index("amount"))
    if pa.types.is_decimal(amount_col.type) and amount_col.type.scale <= 2:
        # An exact decimal (Parquet): its tiyn are the value × 100, no text or float in between.
        plain = _np(pc.is_valid(amount_col))
        arr = amount_col.combine_chunks() if isinstance(amount_col, pa.ChunkedArray) else amount_col
        if not pa.types.is_decimal128(arr.type):
            arr = pc.cast(arr, pa.decimal128(38, arr.type.scale))
        # The unscaled 128-bit integers, two little-endian words each: the low word is the amount when the high one
        # only extends its sign.
        words = np.frombuffer(arr.buffers()[1], dtype=np.int64)[2 * arr.offset : 2 * (arr.offset + len(arr))]
        low, high = words[0::2], words[1::2]
        big = (high != np.where(low < 0, -1, 0)) | (np.abs(low) > MONEY_MAX * 10**arr.type.scale)
        tiyn = np.where(big | ~plain, 0, low) * 10 ** (2 - arr.type.scale)
        value = np.where(big, MONEY_MAX + 1, tiyn / 100)
        flag(~plain, _("amount: empty"))
    else:
        amount_text = trimmed(amount_col)
        plain = _np(pc.match_substring_regex(amount_text, _AMOUNT))
        flag(~plain, _("amount: not a plain decimal of tenge with at most two decimals (e.g. 4250 or 4250.50)"))
        # A plain decimal with at most two decimals, below 10^9: float × 100 rounds to its exact tiyn.
        value = _np(pc.cast(pc.if_else(pa.array(plain), amount_text, pa.scalar("0")), pa.float64()))
        tiyn = np.round(value * 100).astype(np.int64)
    flag(
        plain & ((value <= 0) | (value > MONEY_MAX)),
        _("amount: must be above 0 and at most {limit}", limit=f"{MONEY_MAX:,}"),
    )
    kind_text = trimmed(rb.column(names.index("kind")))
    kind = np.full(n, -1, dtype=np.int16)
    old_used: set[str] = set()
    for value_kind in pc.unique(kind_text).to_pylist():
        rule, old = payment_kind(value_kind, policy)
        where = _np(pc.equal(kind_text, value_kind))
        if rule is None:
            hint = difflib.get_close_matches(value_kind, kinds, n=1)
            flag(
                where,
                _("kind: {kind} is not a payment kind (did you mean {hint}?)", kind=cut(value_kind), hint=repr(hint[0]))
                if hint
                else _(
                    "kind: {kind} is not a payment kind; one of {kinds}", kind=cut(value_kind), kinds=", ".join(kinds)
                ),
            )
            continue
        if old:
            old_used.add(old)
        kind[where] = kinds.index(rule)
    for_month = np.full(n, -1, dtype=np.int64)
    if "for_month" in names:
        text = trimmed(rb.column(names.index("for_month")))
        length, for_month, ok = months(text)
        flag_reasons(hinted(text, ~ok & (length > 0), _("for_month: not a month YYYY-MM"), month=True))
    job = np.full(n, -1, dtype=np.int16)
    if "job" in names:
        text = trimmed(rb.column(names.index("job")))
        ok = _np(pc.match_substring_regex(text, _WHOLE))
        flag(
            ~ok & ~_np(pc.equal(text, "")), _("job: a whole number from 1 to {limit} (1 for wage_1, …)", limit=JOB_MAX)
        )
        job = np.where(ok, _np(pc.cast(pc.if_else(pa.array(ok), text, pa.scalar("0")), pa.int64())) - 1, -1).astype(
            np.int16
        )
    lo, hi = policy.covers
    made = (paid_on - _EPOCH).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) + 1970 * 12
    named = for_month >= 0
    # Before the policies' first month only deductions, naming their month, for months deductions were due in
    # (engine.allocation credits them apart): scenario_payments.before_policies decides, once for each (kind,
    # month named, month made) that occurs.
    early = named & (for_month < lo)
    ask = early & ~bad
    if ask.any():
        # One integer per (kind, month named, month made): months are below 2²⁰, kinds a few.
        key = (kind[ask].astype(np.int64) << 40) | (for_month[ask] << 20) | made[ask]
        cases, case_of = np.unique(key, return_inverse=True)
        in_force = deduction_months(policy)
        problems = [
            before_policies(policy, kinds[c >> 40], (c >> 20) & 0xFFFFF, c & 0xFFFFF, in_force) for c in cases.tolist()
        ]
        wrong = np.array([p is not None for p in problems], dtype=bool)[case_of.ravel()]
        rows, which = np.flatnonzero(ask)[wrong], case_of.ravel()[wrong]
        flag_reasons({int(r): "{}: {}".format(*problems[c]) for r, c in zip(rows.tolist(), which.tolist())})
    # The month a payment names, and the day it was made: the crediting reads that day's rules (the deadline, the
    # debt window), which the policies hold from their first month only.
    for which, outside in (
        ("for_month", named & (for_month > hi + 12)),
        ("paid_on", ((made < lo) & ~early) | (~named & (made > hi + 12))),
    ):
        flag(
            ~bad & outside,
            _(
                "{field}: outside what the policies can check ({first} to {last}, and prepayments for the 12 months "
                "after)",
                field=which,
                first=f"{lo // 12}-{lo % 12 + 1:02d}",
                last=f"{hi // 12}-{hi % 12 + 1:02d}",
            ),
        )
    errors = {offset + int(i) + 1: why[i] for i in np.flatnonzero(bad)}
    cols = {
        "kind": kind,
        "job": job,
        "paid_on": paid_on,
        "amount": tiyn,
        "for_month": for_month,
        "row": np.arange(offset + 1, offset + n + 1, dtype=np.int64),
    }
    return cols, ids, errors, old_used


def read_payments(
    policy: PolicySet, paths: list[Path], fmt: CsvFormat = DEFAULT, chunk: int = 1_000_000
) -> PaymentRecords:
    """Read and check every payment of the files into memory (about 40 bytes a payment), sorted by person; `batch
    --payments` streams them instead (payments_spill)."""
    return payment_records(policy, payment_sources(policy, paths, fmt, chunk), fmt)


def payment_sources(
    policy: PolicySet, paths: list[Path], fmt: CsvFormat = DEFAULT, chunk: int = 1_000_000
) -> Iterator[tuple[str, Iterable[pa.RecordBatch]]]:
    """(file, batches) of each payments file, its header checked when it is reached."""
    from .tabular import open_table

    for path in paths:
        yield str(path), open_table(path, chunk, policy, (), fmt, columns=check_payment_columns)[2]


def payments_from_table(policy: PolicySet, table: pa.Table, name: str = "payments") -> PaymentRecords:
    """The same records from an Arrow table already in memory (the notebook API)."""
    check_payment_columns(policy, table.schema.names, (), name)
    return payment_records(policy, iter([(name, table.to_batches())]))


@dataclass
class Checked:
    """One batch of payment rows, checked: the columns PaymentRecords holds (and `file_of`), the trimmed ids, the
    reasons of its malformed rows (index in the batch → "FILE row N: reason") and the old kind names it used."""

    cols: dict[str, np.ndarray]
    ids: pa.Array
    bad: dict[int, str]
    old: set[str]
    extra: Any = None  # what the caller's `also` computed from it, on the worker thread


def checked_batches(
    policy: PolicySet,
    sources: Iterator[tuple[str, Iterable[pa.RecordBatch]]],
    files: list[str],
    fmt: CsvFormat = DEFAULT,
    also: Callable[[Checked], Any] | None = None,
    rows: list[np.ndarray] | None = None,
) -> Generator[Checked, None, None]:
    """Every batch of every source checked, in order; `files` gets each source's name as it is reached. `rows`:
    per source, its rows' numbers in their file when they are not 1, 2, … (the Dask engine checks the payments of
    a partition's people, gathered from anywhere in the files)."""
    from functools import partial

    from ..core.pool import in_order

    kinds = payment_kinds(policy)

    def check(file: str, fi: int, rb: pa.RecordBatch, offset: int) -> Checked:
        rb, flagged = read_numbers(rb, ["amount"], fmt, offset)
        cols, ids, errors, old = _chunk(policy, rb, offset, kinds, flagged)
        cols["file_of"] = np.full(rb.num_rows, fi, dtype=np.int16)
        if rows is not None:
            cols["row"] = rows[fi][offset : offset + rb.num_rows]
        bad = {
            row - offset - 1: _(
                "{file} row {row}: {reason}",
                file=Path(file).name,
                row=int(cols["row"][row - offset - 1]),
                reason=reason,
            )
            for row, reason in errors.items()
        }
        out = Checked(cols, ids, bad, old)
        if also is not None:
            out.extra = also(out)
        return out

    def calls() -> Generator[Callable[[], Checked], None, None]:
        for fi, (file, batches) in enumerate(sources):
            files.append(file)
            offset = 0
            for rb in batches:
                yield partial(check, file, fi, rb, offset)
                offset += rb.num_rows

    # Arrow's kernels release the GIL: chunks are checked side by side (a few in flight), kept in order.
    yield from in_order(calls(), 4)


def old_kind_warnings(policy: PolicySet, old_used: set[str]) -> list[str]:
    return [
        f"payments: kind `{old}` is the old name of `{payment_kind(old, policy)[0]}`; it is read for "
        "this release, rename it"
        for old in sorted(old_used)
    ]


def grouped(
    cols: dict[str, np.ndarray],
    ids: pa.Array,
    order: np.ndarray | None,
    new: np.ndarray,
    bad: dict[str, str],
    kinds: list[str],
    files: list[str],
    warnings: list[str],
    matched: bool = False,
) -> PaymentRecords:
    """PaymentRecords from checked columns: `order` sorts the rows by person (then as read), `new` marks where
    each person's rows begin in that order. With no `order`, the columns are in that order already and `ids` are
    the distinct ids."""
    start = np.flatnonzero(new)
    stop = np.r_[start[1:], len(new)]
    cat = cols if order is None else {k: v[order] for k, v in cols.items()}
    return PaymentRecords(
        ids if order is None else pc.take(ids, pa.array(order[start])),
        start,
        stop,
        cat["kind"],
        cat["job"],
        cat["paid_on"],
        cat["amount"],
        cat["for_month"],
        cat["row"],
        kinds,
        bad,
        files,
        cat["file_of"],
        warnings,
        np.zeros(len(start), dtype=bool) if matched else None,
    )


def payment_records(
    policy: PolicySet,
    sources: Iterator[tuple[str, Iterable[pa.RecordBatch]]],
    fmt: CsvFormat = DEFAULT,
    rows: list[np.ndarray] | None = None,
) -> PaymentRecords:
    """Every payment of the sources in memory, sorted by person id (then as read); `rows` as for
    `checked_batches`."""
    parts: list[dict[str, np.ndarray]] = []
    id_parts: list[pa.Array] = []
    bad: dict[str, str] = {}
    old_used: set[str] = set()
    files: list[str] = []
    for part in checked_batches(policy, sources, files, fmt, rows=rows):
        old_used |= part.old
        for i, reason in part.bad.items():
            bad.setdefault(part.ids[i].as_py(), reason)
        parts.append(part.cols)
        id_parts.append(part.ids)
    if not parts:
        raise OsmsError(_("the payments table has no rows"), file=files[0] if files else None)
    ids = pa.concat_arrays(id_parts)
    order = _np(pc.sort_indices(ids))
    sorted_ids = pc.take(ids, pa.array(order))
    n = len(order)
    new = np.ones(n, dtype=bool)
    if n > 1:
        new[1:] = _np(pc.not_equal(sorted_ids.slice(1), sorted_ids.slice(0, n - 1)))
    cols = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    return grouped(
        cols, ids, order, new, bad, payment_kinds(policy), files, old_kind_warnings(policy, old_used), matched=True
    )
