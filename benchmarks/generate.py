"""A deterministic synthetic population of Kazakhstan for benchmarks (not real data; a plausible mix).

python benchmarks/generate.py 1000000 -o pop.parquet   # same seed → the same file, byte for byte
python benchmarks/generate.py 10000 -o people.csv       # CSV or Parquet by the file's suffix
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from osms.core.fileio import atomic_open

FORMATS = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv"}
REGIONS = [
    "abai",
    "akmola",
    "aktobe",
    "almaty_region",
    "atyrau",
    "east_kazakhstan",
    "jetisu",
    "karaganda",
    "kostanay",
    "kyzylorda",
    "mangystau",
    "north_kazakhstan",
    "pavlodar",
    "turkestan",
    "ulytau",
    "west_kazakhstan",
    "zhambyl",
    "astana",
    "almaty",
    "shymkent",
]


def population(n: int, seed: int = 2026, month: int = 2026 * 12) -> pa.Table:
    """n persons: ages, residency, wages (log-normal, several jobs), ГПХ, ИП, self-payers, categories, payments."""
    rng = np.random.default_rng(seed)
    age = np.clip(rng.gamma(4.2, 8.5, n), 0, 95).astype(int)
    year = month // 12 - age
    birth = np.array(
        [f"{y:04d}-{m:02d}-{d:02d}" for y, m, d in zip(year - 1, rng.integers(1, 13, n), rng.integers(1, 29, n))],
        dtype=object,
    )
    residency = rng.choice(
        ["citizen", "kandas", "permanent_resident", "temporary_resident", "eaeu_worker"],
        n,
        p=[0.955, 0.02, 0.01, 0.01, 0.005],
    )
    adult = (age >= 18) & (age < 63)
    employed = adult & (rng.random(n) < 0.62)
    wage_1 = np.where(employed, np.round(rng.lognormal(np.log(330_000), 0.65, n), 0), np.nan)
    second = employed & (rng.random(n) < 0.08)
    wage_2 = np.where(second, np.round(rng.lognormal(np.log(150_000), 0.6, n), 0), np.nan)
    civil = np.where(adult & (rng.random(n) < 0.05), np.round(rng.lognormal(np.log(120_000), 0.8, n), 2), 0.0)
    entrepreneur = adult & ~employed & (rng.random(n) < 0.18)
    self_payer = adult & ~employed & ~entrepreneur & (rng.random(n) < 0.12)
    pension = (age >= 63) | (adult & (rng.random(n) < 0.01))
    student = (age >= 18) & (age < 24) & (rng.random(n) < 0.35)
    disability = rng.random(n) < 0.04
    unemployed = adult & ~employed & ~entrepreneur & ~self_payer & (rng.random(n) < 0.08)
    crisis = adult & ~employed & (rng.random(n) < 0.06)
    no_pension = np.where(crisis, rng.integers(0, 12, n), 0)
    pays = employed | entrepreneur | self_payer
    run = np.where(pays, rng.integers(1, 90, n), 0)
    lag = np.where(pays, rng.choice([1, 1, 1, 1, 2, 3, 5, 8], n), 0)
    through = np.where(pays, month - lag, -1)
    paid_through = np.array([f"{t // 12:04d}-{t % 12 + 1:02d}" if t >= 0 else None for t in through], dtype=object)
    region = rng.choice(REGIONS, n)  # drawn last, so the columns above stay as they were for a seed
    return pa.table(
        {
            "id": pa.array([f"P{i:08d}" for i in range(n)]),
            "birth_date": pa.array(birth, pa.string()),
            "residency": pa.array(residency),
            "wage_1": pa.array(wage_1, from_pandas=True),
            "wage_2": pa.array(wage_2, from_pandas=True),
            "civil_income": pa.array(civil),
            "entrepreneur": pa.array(entrepreneur),
            "self_payer": pa.array(self_payer),
            "pension_recipient": pa.array(pension),
            "full_time_student": pa.array(student),
            "disability": pa.array(disability),
            "registered_unemployed": pa.array(unemployed),
            "wellbeing_crisis": pa.array(crisis),
            "months_without_pension_contributions": pa.array(no_pension.astype(float)),
            "paid_through": pa.array(paid_through, pa.string()),
            "paid_run": pa.array(run),
            "region": pa.array(region),
        }
    )


def write(n: int, path: Path, seed: int = 2026, chunk: int = 1_000_000) -> None:
    """Write CSV or Parquet (by suffix), atomically, in chunks so that 20 million rows need no more memory than
    one million."""
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise SystemExit(f"{path}: the output must end in .csv, .parquet or .pq")
    with atomic_open(path, "wb") as fh:
        writer = None
        try:
            for start in range(0, n, chunk):
                t = population(min(chunk, n - start), seed + start)
                t = t.set_column(0, "id", pa.array([f"P{i:08d}" for i in range(start, start + t.num_rows)]))
                if writer is None:
                    writer = pq.ParquetWriter(fh, t.schema) if kind == "parquet" else pacsv.CSVWriter(fh, t.schema)
                writer.write_table(t)
        finally:
            if writer:
                writer.close()


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("rows", type=int)
    ap.add_argument("-o", "--output", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=2026)
    args = ap.parse_args()
    write(args.rows, args.output, args.seed)
