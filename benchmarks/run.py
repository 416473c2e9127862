"""Benchmarks, measured side by side in one process, reported as ratios (never as timed unit tests).

1. The contribution formulas over 1 000 000 persons: the engine (policies in YAML, formulas through the sandboxed
   evaluator) against a plain hand-written numpy implementation of the same formulas, same rounding, same answers.
2. End-to-end `osms-eval batch` on a 1 000 000-row Parquet file (read, evaluate with status, write Parquet).
3. With --big: 20 000 000 rows streamed, with peak memory (max RSS of the child process).

    python benchmarks/run.py            # 1 and 2
    python benchmarks/run.py --big      # and 3 (writes a ~0.5 GB file in a temporary folder)
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import population, write  # noqa: E402

from osms.core.dates import month_start, parse_month  # noqa: E402
from osms.engine.evaluation import evaluate_month  # noqa: E402
from osms.inputs.population_rows import batch_from_arrow  # noqa: E402
from osms.policy import bundled_policies, load_policies  # noqa: E402


def _round(x: np.ndarray, step: float = 1.0) -> np.ndarray:
    q = np.round(x / step * 1e6) / 1e6
    return np.floor(q + 0.5) * step


def numpy_reference(f: dict, stated_pref: np.ndarray, p: dict) -> dict:
    """The same formulas, written by hand: categories (2026), exemption, deductions, contributions, state, local."""
    age, working = f["age"], f["working"]
    republican = (
        (age < 18)
        | (f["pregnant"] & ~working & (f["months_without_pension_contributions"] >= 2))
        | (f["raising_child_under_3"] & ~working)
        | f["on_childcare_leave"]
        | f["mother_heroine_award"]
        | (f["carer_disabled_child"] & ~working)
        | f["disability"]
        | (f["carer_disabled_since_childhood"] & f["carer_group1_disabled"] & ~working)
        | f["pension_recipient"]
        | f["wwii_veteran"]
        | f["full_time_student"]
        | (f["asp_recipient"] & ~working)
        | (f["resident_kandas"] & ~working)
        | f["prisoner"]
        | f["pretrial_detention"]
        | (f["carer_group1_disabled"] & ~working)
        | (f["house_arrest"] & ~working)
        | stated_pref
    )
    local = (f["registered_unemployed"] & ~f["subsidised_job"]) | (
        f["wellbeing_crisis"] & ~working & (f["months_without_pension_contributions"] > 3)
    )
    pref = republican | local
    mzp = p["mzp"]
    employer = np.where(
        pref, 0.0, _round(p["employer_deduction_rate"] * np.minimum(f["wage"], p["employer_deduction_cap"] * mzp))
    )
    employee = np.where(
        pref,
        0.0,
        _round(
            p["employee_contribution_rate"] * np.minimum(f["wage"].sum(axis=0), p["employee_contribution_cap"] * mzp)
        ),
    )
    civil = np.where(
        pref,
        0.0,
        _round(
            p["civil_contribution_rate"]
            * np.minimum(f["civil_income"], np.maximum(0.0, p["civil_contribution_cap"] * mzp - f["wage"].sum(axis=0)))
        ),
    )
    ip = np.where(f["entrepreneur"] & ~pref, _round(p["entrepreneur_rate"] * p["entrepreneur_base"] * mzp), 0.0)
    sp = np.where(f["self_payer"] & ~pref, _round(p["self_payer_rate"] * p["self_payer_base"] * mzp), 0.0)
    se = np.where(f["self_employed"], _round(p["self_employed_rate"] * f["self_employed_income"]), 0.0)
    state = np.where(republican, _round(p["state_contribution_rate"] * p["state_contribution_base"], 0.1), 0.0)
    loc = np.where(
        local,
        _round(p["local_contribution_rate"] * p["local_contribution_base"][f["region"].astype(np.int64)], 0.1),
        0.0,
    )  # the region's base, by the person's region code
    total = _round(employer.sum(axis=0) + employee + civil + ip + sp + se + state + loc, 0.1)
    return {
        "employer_deduction": employer,
        "employee_contribution": employee,
        "civil_contribution": civil,
        "entrepreneur_contribution": ip,
        "self_payer_contribution": sp,
        "self_employed_contribution": se,
        "state_contribution": state,
        "local_contribution": loc,
        "total_contributions": total,
    }


def bench_formulas(n: int, month: str, repeats: int) -> None:
    policy = load_policies(bundled_policies())
    m = parse_month(month)
    table = population(n)
    batch, _, _, _ = batch_from_arrow(policy, table, m)
    day = month_start(m)
    params: dict = {}
    for k, par in policy.parameters.items():
        if not par.timeline.exists_at(day):
            continue
        value = policy.parameter_value(k, day)[0]
        if par.keyed_by:  # a table by the keyed fact's choices, the fallback where a choice has no figure
            choices = policy.facts[par.keyed_by].choices or {}
            params[k] = np.array([float(value["by"].get(c, value["fallback"])) for c in choices])
        else:
            params[k] = float(value)
    stated = np.zeros(n, dtype=bool)
    for v in batch.stated.values():
        stated |= v
    engine_t, ref_t = [], []
    for _ in range(repeats):  # interleaved, so both see the same machine state
        t = time.perf_counter()
        res = evaluate_month(policy, batch, m)
        engine_t.append(time.perf_counter() - t)
        t = time.perf_counter()
        ref = numpy_reference(batch.facts, stated, params)
        ref_t.append(time.perf_counter() - t)
    for name, want in ref.items():
        got = res.values[name]
        assert np.array_equal(got, want), f"{name}: engine and numpy reference disagree"
    e, r = min(engine_t), min(ref_t)
    print(f"contribution formulas, {n:,} persons, {month} (best of {repeats}; identical results):")
    print(f"  engine (YAML policies)   {e * 1000:8.1f} ms   {n / e / 1e6:6.1f} M persons/s")
    print(f"  plain numpy reference    {r * 1000:8.1f} ms   {n / r / 1e6:6.1f} M persons/s")
    print(f"  ratio engine / numpy     {e / r:8.2f}×")


def bench_batch(n: int, month: str, tmp: Path, label: str) -> None:
    src = tmp / f"pop-{n}.parquet"
    t = time.perf_counter()
    write(n, src)
    gen = time.perf_counter() - t
    out = tmp / f"out-{n}.parquet"
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "osms", "batch", str(src), "-o", str(out), "--month", month, "--no-progress"],
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if proc.returncode != 0:
        print(proc.stderr)
        raise SystemExit(1)
    print(
        f"end-to-end osms-eval batch, {label} ({n:,} rows, Parquet in and out, with status; input made in {gen:.1f} s):"
    )
    print(f"  {wall:6.1f} s wall, {n / wall:,.0f} rows/s, peak memory {max(peak, before) / 1024:,.0f} MiB")
    print("  " + proc.stdout.splitlines()[0])


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--month", default="2026-01")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--big", action="store_true", help="also stream 20 000 000 rows")
    args = ap.parse_args()
    bench_formulas(args.rows, args.month, args.repeats)
    with tempfile.TemporaryDirectory() as tmp:
        bench_batch(args.rows, args.month, Path(tmp), "one month")
        if args.big:
            bench_batch(20_000_000, args.month, Path(tmp), "20 million, streamed")
