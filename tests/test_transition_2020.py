"""The 2020 transition (art. 40) on the batch path: ОСМС participants only, as the scenario cases in
tests/cases/status.yaml check on the scenario path (docs/legal-basis.md §9.9)."""

from __future__ import annotations

import pyarrow as pa

from osms.core.dates import parse_month
from osms.runs.population import evaluate_arrow


def test_batch_transition_covers_participants_only(policy) -> None:  # type: ignore[no-untyped-def]
    table = pa.Table.from_pylist(
        # Nobody has paid (paid_through empty): status from the transition alone.
        [
            {"id": r, "age": 30, "residency": r, "paid_through": "", "paid_run": 0}
            for r in ("citizen", "eaeu_worker", "temporary_resident")
        ]
    )
    got = {}
    for month in ("2020-06", "2020-07"):  # status on 2020-06-30, the transition's last day, and on 2020-07-31
        result, bad, _ = evaluate_arrow(policy, table, parse_month(month))
        assert not bad.rows
        got[month] = {r["id"]: (r["insured"], r["insured_reason"]) for r in result.to_pylist()}
    assert got["2020-06"] == {
        "citizen": (True, "transition_2020"),
        "eaeu_worker": (True, "transition_2020"),
        "temporary_resident": (False, "none"),
    }
    assert set(got["2020-07"].values()) == {(False, "none")}
