"""Status from a payments table against status from the summary columns, side by side on the same population.

A synthetic population (benchmarks/generate.py) and, for everyone who owes contributions, 12–24 months of payment
records: each contribution due paid in full on the 25th of the next month, naming its month (a person's last
months sometimes late or missing). Both runs are `osms-eval batch` child processes, interleaved, best of `--repeat`;
reported: wall time, rows/s, peak memory, and the ledger path's time as a ratio of the summary-column path's.

    python benchmarks/ledger_bench.py 1000000          # writes ~0.6 GB in a temporary folder
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import population  # noqa: E402

from osms.core.dates import month_start_ordinals, parse_month  # noqa: E402
from osms.inputs.columns import STATUS_COLUMNS  # noqa: E402

EPOCH = 719163  # date(1970, 1, 1).toordinal()


def payments_for(people: pa.Table, due: pa.Table, month: int, months_back: np.ndarray, seed: int = 7) -> pa.Table:
    """For each person, `months_back` months (ending at `month` − 1) of the contributions due this month."""
    rng = np.random.default_rng(seed)
    cols = []
    for kind, column, job in (
        ("employer_deduction", "employer_deduction_1", "1"),
        ("employer_deduction", "employer_deduction_2", "2"),
        ("employee_contribution", "employee_contribution", ""),
        ("entrepreneur_contribution", "entrepreneur_contribution", ""),
        ("self_payer_contribution", "self_payer_contribution", ""),
        ("civil_contribution", "civil_contribution", ""),
    ):
        if column not in due.schema.names:
            continue
        amount = pc.cast(due.column(column), pa.float64()).to_numpy()
        who = np.flatnonzero(amount > 0)
        k = months_back[who]
        person = np.repeat(who, k)
        back = np.arange(int(k.sum())) - np.repeat(np.cumsum(k) - k, k) + 1  # 1 … k months before `month`
        named = month - back
        late = rng.random(len(named)) < 0.03  # a few paid a month late, some not at all
        keep = rng.random(len(named)) > 0.01
        paid = month_start_ordinals(named + 1 + late) + 24
        cols.append((person[keep], kind, job, paid[keep], amount[person][keep], named[keep]))
    person = np.concatenate([c[0] for c in cols])
    order = np.argsort(person, kind="stable")
    ids = pc.take(people.column("id"), pa.array(person[order]))
    kind = np.concatenate([np.full(len(c[0]), c[1], dtype=object) for c in cols])[order]
    job = np.concatenate([np.full(len(c[0]), c[2], dtype=object) for c in cols])[order]
    days = (np.concatenate([c[3] for c in cols])[order] - EPOCH).astype("datetime64[D]")
    amount = np.concatenate([c[4] for c in cols])[order]
    named = np.concatenate([c[5] for c in cols])[order]
    named_text = pc.strftime(pa.array((named - 1970 * 12).astype("datetime64[M]").astype("datetime64[s]")), "%Y-%m")
    tiyn = np.round(amount * 100).astype(np.int64)
    words = np.zeros((len(tiyn), 2), dtype=np.int64)
    words[:, 0] = tiyn  # decimal(20, 2) from its unscaled value, the amount in tiyn (all positive)
    money = pa.Array.from_buffers(pa.decimal128(20, 2), len(tiyn), [None, pa.py_buffer(words)])
    return pa.table(
        {
            "id": ids,
            "paid_on": pc.cast(pa.array(days), pa.string()),
            "amount": money,
            "kind": pa.array(kind.tolist(), pa.string()),
            "for_month": named_text,
            "job": pa.array(job.tolist(), pa.string()),
        }
    )


# The child reports its own peak memory: VmHWM, its address space's high-water mark (ru_maxrss of RUSAGE_CHILDREN
# would be the largest child's so far, and Linux carries ru_maxrss of RUSAGE_SELF over exec from the forking
# parent, which holds the generated inputs on a first run).
_CHILD = (
    "import atexit, resource, runpy, sys\n"
    "def peak():\n"
    "    try:\n"
    "        return next(int(x.split()[1]) for x in open('/proc/self/status') if x.startswith('VmHWM:'))\n"
    "    except OSError:\n"
    "        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
    "atexit.register(lambda: sys.stderr.write(f'MAXRSS {peak()}\\n'))\n"
    "sys.argv = ['osms-eval', *sys.argv[1:]]; runpy.run_module('osms', run_name='__main__')"
)


def _run(args: list[str]) -> tuple[float, float]:
    t = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, "batch", *args, "--no-progress"],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    wall = time.perf_counter() - t
    rss = [int(line.split()[1]) for line in proc.stderr.splitlines() if line.startswith("MAXRSS ")]
    return wall, rss[-1] / 1024


def _inputs(d: Path, rows: int, month_text: str, month: int) -> None:
    """The people (with summary columns, and with situation_from instead) and their payments, in `d`."""
    people = population(rows, month=month)
    pq.write_table(people, d / "summary.parquet")
    # The amounts due alone (--no-status): from the same people without the columns only status reads.
    status_only = [c for c in STATUS_COLUMNS if c in people.column_names]
    pq.write_table(people.drop_columns(status_only), d / "due-input.parquet")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "osms",
            "batch",
            str(d / "due-input.parquet"),
            "-o",
            str(d / "due.parquet"),
            "--month",
            month_text,
            "--no-status",
            "--no-progress",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    due = pq.read_table(d / "due.parquet")
    assert due.column("id").equals(people.column("id")), "the due amounts must be in the people's order"
    # 12–24 months of records; the situation (jobs, ИП, self-payment) began with the first of them.
    months_back = np.random.default_rng(11).integers(12, 25, rows)
    pays = payments_for(people, due, month, months_back)
    since = (month - months_back - 1970 * 12).astype("datetime64[M]").astype("datetime64[s]")
    ledger_people = people.drop_columns(["paid_through", "paid_run"]).append_column(
        "situation_from", pc.strftime(pa.array(since), "%Y-%m")
    )
    pq.write_table(ledger_people, d / "ledger.parquet")
    pq.write_table(pays, d / "payments.parquet")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("rows", type=int, nargs="?", default=1_000_000)
    ap.add_argument("--month", default="2026-01")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--data", type=Path, help="keep the inputs in this folder (made once, reused)")
    a = ap.parse_args()
    month = parse_month(a.month)
    with tempfile.TemporaryDirectory() as tmp:
        d = a.data or Path(tmp)
        d.mkdir(exist_ok=True)
        if not (d / "payments.parquet").exists():
            _inputs(d, a.rows, a.month, month)
        pays = pq.ParquetFile(d / "payments.parquet").metadata
        print(f"{a.rows:,} persons, {pays.num_rows:,} payments, month {a.month}")
        best: dict[str, tuple[float, float]] = {}
        for _ in range(a.repeat):
            for name, extra in (
                ("summary columns", [str(d / "summary.parquet")]),
                ("payments table", [str(d / "ledger.parquet"), "--payments", str(d / "payments.parquet")]),
            ):
                out = d / f"out-{name[0]}.parquet"
                out.unlink(missing_ok=True)
                wall, rss = _run([*extra, "-o", str(out), "--month", a.month])
                if name not in best or wall < best[name][0]:
                    best[name] = (wall, rss)
        for name, (wall, rss) in best.items():
            print(f"{name:16} {wall:6.1f} s wall  {a.rows / wall:>10,.0f} rows/s  peak {rss:,.0f} MiB")
        s, p = best["summary columns"][0], best["payments table"][0]
        print(f"payments table ÷ summary columns: {p / s:.2f}×")
        ins = pq.read_table(d / "out-p.parquet", columns=["insured", "insured_reason"])
        reasons = pc.value_counts(pc.cast(ins.column("insured_reason"), pa.string())).to_pylist()
        print(
            f"insured from the payments: {pc.sum(ins.column('insured')).as_py():,} ("
            + ", ".join(f"{r['values']} {r['counts']:,}" for r in reasons)
            + ")"
        )


if __name__ == "__main__":
    main()
