"""`batch --payments` with bounded memory: the payments table spilled to one file per range of people chunks, then
read back chunk by chunk, so that a run holds the people's ids and a few chunks' payments, never the whole table.

Pass 1 reads only the people's `id` column (Parquet: that column alone; CSV: streamed) and indexes it
(`people_index.PeopleIndex`: a payment's id is found by an exact search, vectorized). The payments are then read
and checked batch by batch as `read_payments` checks them (the same error rows), each row sent to the chunk its
person's row falls in (to each such chunk if the id is on several rows) and appended to that chunk range's Arrow
IPC file. Pass 2 (`records_for`) gives a chunk the payments of its persons as `PaymentRecords`, grouped by person
in the people's order, as read within a person. Payments for ids no person row has are kept aside (id, file, first
row) and reported at the end, in id order, as the in-memory path did.

The files live in `.OUTPUT.PID.RANDOM.spill` beside the output, removed at the end, on an error, on Ctrl-C and
SIGTERM; a folder left by a killed run (SIGKILL, power loss) is removed by the next run beside the same output.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..core.csvformat import DEFAULT, CsvFormat
from ..core.errors import OsmsError
from ..core.fileio import _pid_alive
from ..core.interrupt import check as check_stop
from ..core.limits import cut
from ..core.messages import _, os_reason
from ..policy import PolicySet
from .payments_table import (
    Checked,
    PaymentRecords,
    checked_batches,
    grouped,
    old_kind_warnings,
    payment_kinds,
    payment_sources,
)
from .people_index import PeopleIndex

MAX_BUCKETS = 64  # spill files open at once; beyond that, each file holds the payments of several chunks
BATCH = 250_000  # payment rows read and checked at a time (a few batches in flight)
# Bytes a spilled payment takes on disk (Arrow IPC: chunk, id, paid_on, amount, kind, for_month, job, source row,
# reason): about 60 with ids of a few characters, measured on the ledger benchmark's 18 M payments.
SPILL_BYTES = 60


def _id_batches(path: Path, chunk: int, policy: PolicySet, keep: tuple[str, ...], fmt: CsvFormat) -> Iterator[pa.Array]:
    """The `id` column of a people file, batch by batch: Parquet reads that column alone."""
    import pyarrow.parquet as pq

    from .tabular import open_table

    if path.suffix.lower() in (".parquet", ".pq"):
        for rb in pq.ParquetFile(path).iter_batches(batch_size=chunk, columns=["id"]):
            yield rb.column(0)
        return
    for rb in open_table(path, chunk, policy, keep, fmt)[2]:
        yield rb.column(rb.schema.get_field_index("id"))


_SCHEMA = pa.schema(
    [
        ("key", pa.int64()),
        ("chunk", pa.int32()),
        ("id", pa.string()),
        ("kind", pa.int16()),
        ("job", pa.int16()),
        ("paid_on", pa.int32()),
        ("amount", pa.int64()),
        ("for_month", pa.int32()),
        ("row", pa.int64()),
        ("file_of", pa.int16()),
        ("why", pa.string()),
    ]
)
_COLUMNS = ("kind", "job", "paid_on", "amount", "for_month", "row", "file_of")


def clean_stale_spills(target: Path) -> None:
    """Remove `.NAME.PID.*.spill` folders beside `target` whose run (PID) is gone."""
    directory = target.parent if str(target.parent) else Path(".")
    pattern = re.compile(rf"^\.{re.escape(target.name)}\.(\d+)\.[A-Za-z0-9_]+\.spill$")
    with contextlib.suppress(OSError):
        for name in os.listdir(directory):
            m = pattern.match(name)
            if m and int(m[1]) != os.getpid() and not _pid_alive(int(m[1])):
                shutil.rmtree(directory / name, ignore_errors=True)


class SpilledPayments:
    """The payments of a run, spilled by people chunk; `records_for` reads one chunk's back."""

    def __init__(self, policy: PolicySet, folder: Path, chunk: int, max_buckets: int = MAX_BUCKETS) -> None:
        self.policy, self.folder, self.chunk_size, self.max_buckets = policy, folder, chunk, max_buckets
        self.kinds = payment_kinds(policy)
        self.files: list[str] = []
        self.warnings: list[str] = []
        self.starts: list[int] = []  # per people chunk: its first row (over all inputs, from 0) …
        self.sizes: list[int] = []  # … and its number of rows
        self.broken: OsmsError | None = None  # the people could not all be read in pass 1 (pass 2 will say why)
        self.readable = 0  # rows read whole in pass 1
        self.per_bucket = 1
        self.counts = np.zeros(0, dtype=np.int64)
        self._unmatched: list[tuple[pa.Array, np.ndarray, np.ndarray]] = []

    def _disk_error(self, exc: OSError, rows: int) -> OsmsError:
        """The spill folder's disk refused a write: say so, with the space a copy of the payments takes."""
        need = max(rows, 1) * SPILL_BYTES
        return OsmsError(
            _(
                "cannot write the temporary copy of the payments beside the output ({why}; about {mb} MB for "
                "{rows} payments read so far); nothing was written (any old files are kept)",
                why=os_reason(exc),
                mb=f"{-(-need // 1_000_000):,}".replace(",", " "),
                rows=f"{rows:,}".replace(",", " "),
            ),
            file=str(self.folder.parent),
        )

    def index_people(self, sources: list[Iterator[pa.Array]], names: list[str]) -> PeopleIndex:
        """Pass 1: the ids of every people file, numbered and chunked as the batch reads them."""
        index = PeopleIndex()
        row = 0
        for name, batches in zip(names, sources):
            local = 0
            try:
                for ids in batches:
                    check_stop()  # a stop asked for (SIGTERM, Ctrl-C) takes effect between batches
                    chunks = len(self.starts) + (local + np.arange(len(ids))) // self.chunk_size
                    index.add(ids, row + local, chunks)
                    local += len(ids)
            except OsmsError as exc:
                self.broken = exc
            except (pa.ArrowInvalid, OSError) as exc:
                self.broken = OsmsError(_("cannot read the input: {value}", value=cut(str(exc), 100)[1:-1]), file=name)
            if self.broken is not None:
                break
            for lo in range(0, local, self.chunk_size):
                self.starts.append(row + lo)
                self.sizes.append(min(self.chunk_size, local - lo))
            row += local
            self.readable = row
        index.freeze()
        self.per_bucket = max(1, -(-len(self.starts) // self.max_buckets))
        self.counts = np.zeros(len(self.starts), dtype=np.int64)  # payments spilled for each chunk
        return index

    def spill(self, index: PeopleIndex, sources: Iterator[tuple[str, Any]], fmt: CsvFormat = DEFAULT) -> None:
        """Read and check the payments, each row appended to its chunk range's file."""
        writers: dict[int, pa.ipc.RecordBatchFileWriter] = {}
        old_used: set[str] = set()
        rows = 0

        def where(part: Checked) -> tuple[np.ndarray, np.ndarray]:
            key, chunk = index.find(part.ids)
            return key, chunk

        batches = checked_batches(self.policy, sources, self.files, fmt, also=where)
        try:
            for part in batches:
                check_stop()
                old_used |= part.old
                rows += len(part.ids)
                key, chunk = part.extra
                self._keep_unmatched(part, key)
                at, chunks = index.destinations(key, chunk)
                if not len(at):
                    continue
                self.counts += np.bincount(chunks, minlength=len(self.counts))
                bucket = chunks // self.per_bucket
                order = np.lexsort((at, bucket))
                at, chunks, bucket = at[order], chunks[order], bucket[order]
                why = np.full(len(part.ids), None, dtype=object) if part.bad else None
                for i, reason in part.bad.items():
                    why[i] = reason  # type: ignore[index]
                cuts = np.flatnonzero(np.diff(bucket)) + 1
                for lo, hi in zip(np.r_[0, cuts], np.r_[cuts, len(at)]):
                    b, sel = int(bucket[lo]), at[lo:hi]
                    if b not in writers:
                        writers[b] = pa.ipc.new_file(str(self.folder / f"{b}.arrow"), _SCHEMA)
                    take = pa.array(sel)
                    writers[b].write_batch(
                        pa.record_batch(
                            [
                                pa.array(key[sel]),
                                pa.array(chunks[lo:hi].astype(np.int32)),
                                pc.cast(pc.take(part.ids, take), pa.string()),
                                *(
                                    pa.array(part.cols[c][sel].astype(_SCHEMA.field(c).type.to_pandas_dtype()))
                                    for c in _COLUMNS
                                ),
                                pa.nulls(len(sel), pa.string()) if why is None else pa.array(why[sel], pa.string()),
                            ],
                            schema=_SCHEMA,
                        )
                    )
        except pa.ArrowInvalid as exc:
            raise OsmsError(
                _("cannot read the input: {value}", value=cut(str(exc), 100)[1:-1]),
                file=self.files[-1] if self.files else None,
            ) from None
        except OSError as exc:  # reading errors are OsmsErrors already: this is the spill folder's disk
            raise self._disk_error(exc, rows) from None
        finally:
            batches.close()  # a few batches still being checked are waited for
            try:
                for w in writers.values():
                    w.close()  # writes each file's last batches and footer: the disk may fill here too
            except OSError as exc:
                raise self._disk_error(exc, rows) from None
        if not rows:
            raise OsmsError(_("the payments table has no rows"), file=self.files[0] if self.files else None)
        self.warnings = old_kind_warnings(self.policy, old_used)

    def _keep_unmatched(self, part: Checked, key: np.ndarray) -> None:
        """The first row of each id of this batch no person has (the rest say nothing new)."""
        lost = np.flatnonzero(key < 0)
        if not len(lost):
            return
        ids = pc.take(part.ids, pa.array(lost))
        codes = np.asarray(pc.dictionary_encode(ids).indices.to_numpy(zero_copy_only=False), dtype=np.int64)
        seen = np.maximum.accumulate(np.r_[-1, codes[:-1]])
        first = codes > seen  # codes count up in order of first appearance
        self._unmatched.append(
            (
                pc.cast(pc.filter(ids, pa.array(first)), pa.string()),
                part.cols["file_of"][lost[first]],
                part.cols["row"][lost[first]],
            )
        )

    def unmatched(self) -> list[tuple[str, int, str]]:
        """Payments whose person the people table does not have: (file, first row, id) per id, in id order."""
        if not self._unmatched:
            return []
        ids = pa.concat_arrays([u[0] for u in self._unmatched])
        file_of = np.concatenate([u[1] for u in self._unmatched])
        row = np.concatenate([u[2] for u in self._unmatched])
        order = np.asarray(pc.sort_indices(ids).to_numpy(zero_copy_only=False), dtype=np.int64)  # stable
        ids = pc.take(ids, pa.array(order))
        new = np.ones(len(order), dtype=bool)
        if len(order) > 1:
            new[1:] = np.asarray(
                pc.not_equal(ids.slice(1), ids.slice(0, len(order) - 1)).to_numpy(zero_copy_only=False)
            )
        return [
            (self.files[int(file_of[order[i]])], int(row[order[i]]), str(ids[int(i)].as_py()))
            for i in np.flatnonzero(new)
        ]

    def records_for(self, offset: int, rows: int) -> PaymentRecords:
        """Pass 2: the payments of the people chunk that starts at row `offset` (over all inputs, from 0), read
        batch by batch into arrays of the chunk's size, then grouped by person."""
        import bisect

        k = bisect.bisect_left(self.starts, offset)
        if k == len(self.starts) or self.starts[k] != offset or self.sizes[k] != rows:
            if self.broken is not None and offset + rows > self.readable:
                raise self.broken
            raise AssertionError(f"people chunk at row {offset} ({rows} rows) was not indexed")
        n = int(self.counts[k])
        key = np.empty(n, dtype=np.int64)
        cols = {c: np.empty(n, dtype=_SCHEMA.field(c).type.to_pandas_dtype()) for c in _COLUMNS}
        ids: list[pa.Array] = []
        why: list[tuple[int, str]] = []  # (row in the chunk, as read; reason) of malformed rows
        at = 0
        if n:
            with pa.OSFile(str(self.folder / f"{k // self.per_bucket}.arrow")) as fh:
                reader = pa.ipc.open_file(fh)
                for i in range(reader.num_record_batches):
                    rb = reader.get_batch(i)
                    if self.per_bucket > 1:
                        rb = rb.filter(pc.equal(rb.column(1), k))
                    m = rb.num_rows
                    key[at : at + m] = rb.column(0).to_numpy()
                    for c in _COLUMNS:
                        cols[c][at : at + m] = rb.column(c).to_numpy()
                    ids.append(rb.column(2))
                    reasons = rb.column(len(_SCHEMA) - 1)
                    if reasons.null_count < m:
                        flagged = np.flatnonzero(pc.is_valid(reasons).to_numpy(zero_copy_only=False))
                        why += [(at + int(r), reasons[int(r)].as_py()) for r in flagged]
                    at += m
        assert at == n, "a chunk's spilled payments are read back whole"
        order = np.argsort(key, kind="stable")
        for c in _COLUMNS:  # one column at a time, as PaymentRecords holds them
            cols[c] = cols[c][order].astype(np.int64, copy=False) if c in ("paid_on", "for_month") else cols[c][order]
        key = key[order]
        new = np.ones(n, dtype=bool)
        new[1:] = key[1:] != key[:-1]
        all_ids = pa.chunked_array(ids, pa.string())
        firsts = order[np.flatnonzero(new)]
        bad: dict[str, str] = {}
        if why:  # the first malformed row of each person, as the rows were read
            named = all_ids.take(pa.array([r for r, _ in why])).to_pylist()
            for pid, (_, reason) in zip(named, why):
                bad.setdefault(pid, reason)
        return grouped(cols, all_ids.take(pa.array(firsts)), None, new, bad, self.kinds, self.files, self.warnings)


@contextlib.contextmanager
def spilled_payments(
    policy: PolicySet,
    paths: list[Path],
    people: list[Path],
    beside: Path,
    chunk: int,
    keep: tuple[str, ...] = (),
    fmt: CsvFormat = DEFAULT,
    max_buckets: int = MAX_BUCKETS,
) -> Iterator[SpilledPayments]:
    """Index the people, spill the payments beside `beside` (the output), yield them for pass 2; the folder is
    removed however the run ends."""
    directory = beside.parent if str(beside.parent) else Path(".")
    clean_stale_spills(beside)
    folder = Path(tempfile.mkdtemp(prefix=f".{beside.name}.{os.getpid()}.", suffix=".spill", dir=directory))
    try:
        spilled = SpilledPayments(policy, folder, chunk, max_buckets)
        index = spilled.index_people(
            [_id_batches(p, chunk, policy, keep, fmt) for p in people], [str(p) for p in people]
        )
        spilled.spill(index, payment_sources(policy, paths, fmt, BATCH), fmt)
        del index
        yield spilled
    finally:
        shutil.rmtree(folder, ignore_errors=True)
