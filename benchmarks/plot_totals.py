"""Draw docs/totals-by-payer.png: a month's ОСМС contributions by payer for a synthetic population.

python benchmarks/plot_totals.py [rows]      # needs matplotlib (not a dependency of osms-eval)

The numbers come from osms.api.evaluate exactly as in the README's notebook section; the population is the
deterministic one of benchmarks/generate.py (not real data).
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display needed
import matplotlib.pyplot as plt
from generate import population

from osms.api import evaluate, payers

OUT = Path(__file__).resolve().parent.parent / "docs" / "totals-by-payer.png"


def main(rows: int = 100_000) -> None:
    people = population(rows).to_pandas()
    out = evaluate(people, "2026-01")
    pay = payers()
    totals = out[list(pay)].sum().groupby(pay).sum().astype(float).sort_values()  # exact sums, then floats to draw
    fig, ax = plt.subplots(figsize=(7, 3.6), dpi=120)
    bars = ax.barh(totals.index, totals.to_numpy() / 1e6, color="#2f6f8f")
    ax.bar_label(bars, labels=[f"{v / 1e6:,.1f}".replace(",", " ") for v in totals], padding=3, fontsize=8)
    ax.set_xlabel("million tenge")
    ax.set_title(f"ОСМС contributions for 2026-01 by payer — {rows:,} synthetic persons".replace(",", " "), fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_xlim(0, totals.max() / 1e6 * 1.18)
    fig.tight_layout()
    fig.savefig(OUT)
    print(f"wrote {OUT}")
    print(totals.to_string())


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
