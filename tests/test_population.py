"""Population runs: one engine, one answer (batch rows against per-scenario evaluation), the batch command's
errors file, summary and atomic output, and the notebook API."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from conftest import ROOT, cli, scenario
from hypothesis import example, given, settings
from hypothesis import strategies as st

from osms.core.dates import format_month, month_start
from osms.engine.history import budget_payers
from osms.outputs.records import records
from osms.runs.population import evaluate_arrow
from osms.runs.scenarios import evaluate

# Amounts of at least 100 tenge: below that a contribution can round to 0 in one year and 1 in the next, and the
# batch row (which sees only this month) takes an obligation owed now as owed all year.
amount = st.one_of(st.just(Decimal(0)), st.integers(10_000, 300_000_000).map(lambda t: Decimal(t) / 100))
person = st.fixed_dictionaries(
    {
        # Months old at the month evaluated: adults, and those who turn 18 (the children's category ends) within the
        # year before or after it.
        "age_months": st.one_of(st.integers(25 * 12, 55 * 12), st.integers(17 * 12, 19 * 12)),
        "birth_day": st.integers(1, 28),
        "wages": st.lists(amount, max_size=3),
        "civil": amount,
        "ip": st.booleans(),
        "self_payer": st.booleans(),
        # The self-employed regime (from 2026, 1 % of at most 300 MRP) and the ЕСП (until 2023, city or other).
        "self_employed": st.one_of(st.none(), st.integers(1_000_000, 50_000_000).map(lambda t: Decimal(t) / 100)),
        "esp": st.sampled_from([None, "city", "other"]),
        "pension": st.booleans(),
        "unemployed": st.booleans(),
        "crisis": st.booleans(),
        "no_pension_months": st.integers(0, 8),
        "residency": st.sampled_from(["citizen", "kandas", "temporary_resident", "eaeu_worker"]),
        "run": st.integers(0, 80),
        "lag": st.integers(-6, 10),
    }
)
# Months where the law changes: the prospective route (2022-09), the last month of the ЕСП (2023-12), the month it
# ends and the new regime begins (2024-01), the last month before the 2026 Tax Code and its first (2025-12, 2026-01).
months = st.one_of(
    st.integers(2021 * 12, 2026 * 12 + 11),
    st.sampled_from([2022 * 12 + 8, 2023 * 12 + 11, 2024 * 12, 2025 * 12 + 11, 2026 * 12]),
)


def _birth(p: dict, month: int) -> str:
    born = month - p["age_months"]
    return f"{born // 12}-{born % 12 + 1:02d}-{p['birth_day']:02d}"


def _spells_from(p: dict, month: int) -> int:
    """Where the person's activities start: with a paid run, at its first month (so that no older debt exists and
    the run is what the Fund's allocation gives); with none, long before (every month of the window is owed)."""
    if not p["run"]:
        return 2015 * 12
    return min(p["through"] - p["run"] + 1, month)


def _scenario_text(p: dict, month: int, pays: list[str] | None = None) -> str:
    birth = _birth(p, month)
    since = format_month(_spells_from(p, month))
    jobs = ", ".join(f"{{employer: E{j}, from: {since}, wage: {w}}}" for j, w in enumerate(p["wages"]))
    facts = []
    if p["pension"]:
        facts.append("{fact: pension_recipient, from: 2015-01}")
    if p["unemployed"]:
        facts.append("{fact: registered_unemployed, from: 2015-01}")
    if p["crisis"]:
        facts.append("{fact: wellbeing_crisis, from: 2015-01}")
    facts.append(f"{{fact: months_without_pension_contributions, from: 2015-01, value: {p['no_pension_months']}}}")
    facts.append("{fact: region, from: 2015-01, value: astana}")  # the akimats' 2 % reads the region's wage
    civil_from = _spells_from(p, month) if p["run"] else month - 13
    return (
        f"person: {{birth_date: {birth}, residency: {p['residency']}}}\n"
        f"jobs: [{jobs}]\n"
        # The batch row knows only this month's income; it takes an obligation owed now as owed in each of the
        # last 12 months (and, reading payments, in the 12 to come), so the scenario has the same ГПХ income then.
        "civil_contracts: [{customer: C, income: {"
        + ", ".join(f"{format_month(mo)}: {p['civil']}" for mo in range(civil_from, month + 13))
        + "}}]\n"
        + (f"entrepreneur: [{{from: {since}, kind: ip}}]\n" if p["ip"] else "")
        + (f"self_payer: [{{from: {since}}}]\n" if p["self_payer"] else "")
        + (f"self_employed: [{{from: {since}, monthly_income: {p['self_employed']}}}]\n" if p["self_employed"] else "")
        + (f"esp: [{{from: {since}, locality: {p['esp']}}}]\n" if p["esp"] else "")
        + f"facts: [{', '.join(facts)}]\n"
        + f"payments: [{', '.join(_yaml_payment(x) for x in pays or [])}]\n"
    )


def _exact_payments(policy, people: list[dict], month: int) -> list[list[dict]]:  # type: ignore[no-untyped-def]
    """For each person, one payment per contribution due in each month of the paid run, of exactly the amount due,
    naming the month: a tidy history, paid on the due date (prepaid months on the first day of the month evaluated).
    A run keeps only its months with something of the person's own due (a child's, or those before the
    self-employed regime began, have none, and cannot be paid): it is cut after the last month with none.
    One evaluation of everyone: what is due does not depend on what is paid."""
    scs = [scenario(policy, _scenario_text(p, month), f"p{i}") for i, p in enumerate(people)]
    ev = evaluate(policy, scs, [policy.covers[0]], strict=False)
    budget = budget_payers(policy)
    out = []
    for i, p in enumerate(people):
        through = p["through"]
        owed: dict[int, list[dict]] = {}
        for mo in range(through - p["run"] + 1, through + 1):
            day = month_start(month) if mo >= month else month_start(mo + 1).replace(day=25)
            res = ev.results[mo]
            owed[mo] = []
            for rule in policy.rules.values():
                if not rule.payer or rule.payer in budget:
                    continue
                v = res.values[rule.name]
                per = [(f"E{j}", v[j][i]) for j in range(len(p["wages"]))] if v.ndim == 2 else [(None, v[i])]
                owed[mo].extend(
                    {
                        "paid_on": day.isoformat(),
                        "for_month": format_month(mo),
                        "amount": f"{amount_due:.2f}",
                        "kind": rule.name,
                        "job": int(employer[1:]) + 1 if employer else None,
                    }
                    for employer, amount_due in per
                    if amount_due > 0
                )
        unpaid = [mo for mo, pays in owed.items() if not pays]
        start = max(unpaid) + 1 if unpaid else through - p["run"] + 1
        out.append([x for mo in range(start, through + 1) for x in owed[mo]])
        if unpaid:  # the activities now begin where the run does: no month owed and left unpaid comes before it
            p["run"] = through - start + 1
    return out


def _yaml_payment(pay: dict) -> str:
    """A payment record as a scenario lists it (job n is the employer E{n-1} of `_scenario_text`)."""
    named = f", for_month: {pay['for_month']}" if pay.get("for_month") else ""
    who = f", employer: E{pay['job'] - 1}" if pay.get("job") else ""
    return f"{{paid_on: {pay['paid_on']}{named}, amount: {pay['amount']}, kind: {pay['kind']}{who}}}"


def _payments_table(people_pays: list[tuple[str, list[dict]]]) -> pa.Table:
    rows = [
        {
            "id": pid,
            "paid_on": x["paid_on"],
            "amount": x["amount"],
            "kind": x["kind"],
            "for_month": x.get("for_month") or "",
            "job": str(x["job"]) if x.get("job") else "",
        }
        for pid, pays in people_pays
        for x in pays
    ]
    names = ["id", "paid_on", "amount", "kind", "for_month", "job"]
    return pa.table({n: pa.array([r[n] for r in rows], pa.string()) for n in names})


def _records(policy, table: pa.Table, tmp: Path):  # type: ignore[no-untyped-def]
    from osms.inputs.payments_table import read_payments

    path = tmp / "payments.parquet"
    pq.write_table(table, path)
    return read_payments(policy, [path])


def _row(p: dict, i: int, month: int, ledger: bool = False) -> dict:
    through = month - p["lag"]
    row = {
        "id": f"p{i}",
        "birth_date": _birth(p, month),
        "residency": p["residency"],
        "civil_income": float(p["civil"]),
        "entrepreneur": p["ip"],
        "self_payer": p["self_payer"],
        "self_employed": p["self_employed"] is not None,
        "self_employed_income": float(p["self_employed"] or 0),
        "esp_payer": p["esp"] is not None,
        "esp_city": p["esp"] == "city",
        "pension_recipient": p["pension"],
        "registered_unemployed": p["unemployed"],
        "wellbeing_crisis": p["crisis"],
        "region": "astana",
        "months_without_pension_contributions": float(p["no_pension_months"]),
        "paid_through": format_month(through) if p["run"] else None,
        "paid_run": p["run"],
    }
    if ledger:  # status from the payment records: the situation began where the scenario's activities begin
        del row["paid_through"], row["paid_run"]
        row["situation_from"] = format_month(_spells_from(p, month))
    for j in range(3):
        row[f"wage_{j + 1}"] = float(p["wages"][j]) if j < len(p["wages"]) else None
    return row


# Random histories explore locally; in CI (CI set) the examples are derandomized, so that a run's verdict does not
# depend on the draw and a failure found there can be replayed.
@settings(max_examples=25, deadline=None, derandomize=bool(os.environ.get("CI")))
@given(st.lists(person, min_size=1, max_size=8), months)
# Found by this test: a kandas paying the ЕСП, 7 months in the kandas category and then 6 paid, is insured in 2021-01
# on every path — beside a first person with no past membership too (the test once built its tables from rows, which
# take their columns from the first row and so lost the others' past membership).
@example(
    people=[
        {
            "age_months": 320,
            "crisis": True,
            "self_employed": None,
            "run": 43,
            "ip": False,
            "unemployed": False,
            "wages": [Decimal("0")],
            "esp": None,
            "no_pension_months": 0,
            "pension": False,
            "lag": 6,
            "civil": Decimal("0"),
            "self_payer": True,
            "residency": "citizen",
            "birth_day": 25,
        },
        {
            "age_months": 300,
            "birth_day": 7,
            "ip": True,
            "esp": None,
            "run": 51,
            "civil": Decimal("0"),
            "unemployed": False,
            "pension": False,
            "self_employed": None,
            "lag": 4,
            "wages": [],
            "self_payer": False,
            "residency": "citizen",
            "crisis": True,
            "no_pension_months": 0,
        },
        {
            "age_months": 627,
            "civil": Decimal("0"),
            "crisis": False,
            "lag": 0,
            "esp": None,
            "unemployed": False,
            "ip": False,
            "pension": False,
            "wages": [Decimal("0"), Decimal("0"), Decimal("0")],
            "run": 0,
            "birth_day": 19,
            "self_payer": False,
            "residency": "citizen",
            "no_pension_months": 0,
            "self_employed": None,
        },
        {
            "age_months": 300,
            "birth_day": 1,
            "wages": [],
            "civil": Decimal("0"),
            "ip": False,
            "self_payer": False,
            "self_employed": None,
            "esp": None,
            "pension": False,
            "unemployed": False,
            "crisis": False,
            "no_pension_months": 0,
            "residency": "citizen",
            "run": 0,
            "lag": 0,
        },
        {
            "age_months": 300,
            "unemployed": False,
            "ip": False,
            "self_payer": False,
            "wages": [],
            "civil": Decimal("0"),
            "residency": "kandas",
            "self_employed": None,
            "pension": False,
            "no_pension_months": 0,
            "crisis": False,
            "birth_day": 1,
            "run": 6,
            "esp": "other",
            "lag": 0,
        },
    ],
    month=2021 * 12,
)
# Found by this test: a child who turned 18 in May 2022, owed nothing in June and July and paid a contract's 2 % for
# August. The scenario's budget months do not lead into an own contribution, so August begins a run of one (not
# insured); the summary row, owing in every month, cannot state that history and is not compared on status.
@example(
    people=[
        {
            "age_months": 219,
            "wages": [],
            "crisis": False,
            "esp": None,
            "run": 1,
            "lag": 0,
            "no_pension_months": 0,
            "self_payer": False,
            "pension": False,
            "self_employed": None,
            "civil": Decimal("100"),
            "residency": "citizen",
            "unemployed": False,
            "ip": False,
            "birth_day": 18,
        }
    ],
    month=2022 * 12 + 7,
)
def test_batch_and_scenario_paths_agree(policy, tmp_path_factory, people: list[dict], month: int) -> None:
    """Tidy histories: the scenario path, the summary-column path and the payments-table path agree."""
    for p in people:
        # A run lies within what the policies cover (amounts due before 2020 are not known) and within the history.
        p["through"] = month - p["lag"]
        p["run"] = max(0, min(p["run"], p["through"] - policy.covers[0] + 1))
        if p["through"] > policy.covers[1]:
            p["run"] = 0
        if month >= 2024 * 12:  # the ЕСП ends with 2023; the self-employed regime begins in 2026
            p["esp"] = None
        if month < 2026 * 12:
            p["self_employed"] = None
    scenarios = []
    all_pays = []
    for i, (p, pays) in enumerate(zip(people, _exact_payments(policy, people, month))):
        if not pays:
            p["run"] = 0  # nothing was due in the run's months, so none of them can be paid
        all_pays.append((f"p{i}", pays))
        scenarios.append(scenario(policy, _scenario_text(p, month, pays), f"p{i}"))
    ev = evaluate(policy, scenarios, [month], strict=False)
    by_scenario = records(ev, [month])
    # The row takes an obligation owed now as owed in each of the last 12 months: compare debt where that holds.
    window = ev.history.obligation[max(month - 13 - ev.history.first, 0) : month - ev.history.first + 1]
    steady = (window == window[-1]).all(axis=0)
    # It also takes a month of a state-paid membership as owing nothing, which holds for contributions the formulas
    # waive for members, not for the ЕСП or the self-employed regime: compare debt where no member month owed one.
    lo, hi = max(month - 13 - ev.history.first, 0), month - ev.history.first + 1
    steady &= ~(window & ev.history.member[lo:hi]).any(axis=0)
    rows_in = [_row(p, i, month) for i, p in enumerate(people)]
    ledger_rows = [_row(p, i, month, ledger=True) for i, p in enumerate(people)]
    # Months the budget paid for count toward the 12 (a non-working kandas before a business began): the row states
    # the latest membership before this month, as the scenario's history has it (on both paths: before the
    # situation began, the payments path evaluates no month).
    member = ev.history.member[: month - ev.history.first]
    expressible = np.ones(len(people), dtype=bool)
    for i, (row, ledger_row) in enumerate(zip(rows_in, ledger_rows)):
        # Every row names every column: a table built from rows takes its columns from the first row alone.
        for r in (row, ledger_row):
            r["last_category_month"], r["last_category_run"] = None, None
        past = np.flatnonzero(member[:, i])
        if past.size:
            last = int(past[-1])
            run = last - int(np.flatnonzero(~member[: last + 1, i])[-1]) if (~member[: last + 1, i]).any() else last + 1
            for r in (row, ledger_row):
                r["last_category_month"] = format_month(ev.history.first + last)
                r["last_category_run"] = run
            # Between that membership and now the row owes in every month what it owes now; where the scenario
            # owed nothing in one of them (a child turned 18 who began a contract two months later), the budget
            # months do not lead into an own contribution there, and the two histories differ: the row cannot
            # state this one, so its status is not compared (the payments path, which reads situation_from, is).
            now = ev.history.obligation[month - ev.history.first, i]
            expressible[i] = not (now and (~ev.history.obligation[last + 1 : month - ev.history.first, i]).any())
    table = pa.Table.from_pylist(rows_in)
    result, bad, _ = evaluate_arrow(policy, table, month)
    assert not bad.rows
    rows = result.to_pylist()
    if any(pays for _, pays in all_pays):
        ledger_table = pa.Table.from_pylist(ledger_rows)
        records_ = _records(policy, _payments_table(all_pays), tmp_path_factory.mktemp("pay"))
        by_ledger, bad, _ = evaluate_arrow(policy, ledger_table, month, payments=records_)
        assert not bad.rows
        for rec, row in zip(by_scenario, by_ledger.to_pylist()):
            assert (row["insured"], row["insured_reason"], row["debt_months"]) == (
                rec["insured"],
                rec["insured_reason"],
                rec["debt_months"],
            ), rec["scenario"]
            assert row["overpaid"] == 0, rec["scenario"]
    for rec, row in zip(by_scenario, rows):
        for rule in policy.rules.values():
            if not rule.output:
                continue
            want = rec[rule.name]["total"] if isinstance(rec[rule.name], dict) else rec[rule.name]
            assert row[rule.name] == want, (rule.name, rec["scenario"])
        if expressible[int(rec["scenario"][1:])]:
            assert row["insured"] == rec["insured"], rec["scenario"]
            assert row["insured_reason"] == rec["insured_reason"], rec["scenario"]
            assert row["osms_package"] == rec["osms_package"], rec["scenario"]
        if steady[int(rec["scenario"][1:])]:
            assert row["debt_months"] == rec["debt_months"], rec["scenario"]


def test_batch_command_errors_file_and_summary(tmp_path: Path) -> None:
    src = tmp_path / "people.csv"
    src.write_text(
        "id,birth_date,residency,wage_1,wage_2,pension_recipient,paid_through,paid_run\n"
        "a,1985-01-01,citizen,300000,,false,2025-12,30\n"  # 3 % × 300 000 = 9 000; 2 % = 6 000
        "b,1955-03-03,citizen,250000,,true,,0\n"  # pensioner: state 2 % × 405 416 = 8 108.3
        "c,1985-13-01,citizen,100000,,false,,0\n"  # bad birth date
        "d,1985-01-01,martian,100000,,false,,0\n"  # unknown residency
        "e,1985-01-01,citizen,12x,,false,,0\n"  # malformed wage
        "g,1990-02-30,citizen,100000,,false,,0\n"  # a day that does not exist
        "f,1990-05-05,citizen,4000000,1000000,false,2025-12,80\n",  # 102 000 + 30 000; 2 % × 1 700 000 = 34 000
        encoding="utf-8",
    )
    out = tmp_path / "result.parquet"
    proc = cli(
        "batch",
        str(src),
        "-o",
        str(out),
        "--month",
        "2026-01",
        "--lang",
        "en",
        "--summary",
        str(tmp_path / "s.json"),
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    rows = {r["id"]: r for r in pq.read_table(out).to_pylist()}
    assert set(rows) == {"a", "b", "f"}
    assert rows["a"]["employer_deduction"] == Decimal("9000.00") and rows["a"]["employee_contribution"] == 6000
    assert rows["b"]["state_contribution"] == Decimal("8108.30") and rows["b"]["insured_reason"] == "category"
    assert rows["f"]["employer_deduction"] == Decimal("132000.00")
    assert rows["f"]["employee_contribution"] == Decimal("34000.00")
    assert rows["a"]["insured"] and rows["a"]["insured_reason"] == "payments"
    errors = (tmp_path / "result.errors.csv").read_text(encoding="utf-8").splitlines()
    assert errors == [
        "row,id,reason",
        "3,c,2026-01: birth_date: not a date YYYY-MM-DD",
        '4,d,"2026-01: residency: not one of citizen, kandas, refugee, permanent_resident, '
        'temporary_resident, asylum_seeker, eaeu_worker"',
        "5,e,2026-01: wage_1: not a number",
        "6,g,2026-01: birth_date: not a date YYYY-MM-DD",
    ]
    summary = json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))["summary"]
    assert summary["input_rows"] == 7 and summary["error_rows"] == 4 and summary["rows"] == 3
    assert summary["categories"]["pensioners"] == 1
    assert summary["payers"]["employer"] == "141000.00"  # by employer: a 9 000 + f 132 000, an exact decimal
    assert "4 error rows" in proc.stdout.replace(",", "")


def test_a_killed_batch_leaves_no_output(tmp_path: Path) -> None:
    src = tmp_path / "big.parquet"
    n = 200_000  # × 84 months in chunks of the smallest size: a minute of work, so the signal lands mid-run
    pq.write_table(pa.table({"id": [f"p{i}" for i in range(n)], "age": [30] * n, "wage_1": [300000.0] * n}), src)
    out = tmp_path / "out.parquet"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "osms",
            "batch",
            str(src),
            "-o",
            str(out),
            "--from",
            "2020-01",
            "--to",
            "2026-12",
            "--chunk-size",
            "1000",
            "--workers",
            "1",
            "--no-progress",
            "--no-status",
            "--lang",
            "en",
        ],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.time() + 20
    while time.time() < deadline and not any(p.suffix == ".part" for p in tmp_path.iterdir()):
        time.sleep(0.02)
    assert any(p.suffix == ".part" for p in tmp_path.iterdir()), "the batch never started writing"
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err.decode()
    assert b"interrupted: no output written" in err and b"Traceback" not in err, err.decode()
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.parquet"]


def test_notebook_api_with_pandas() -> None:
    import pandas as pd

    from osms.api import evaluate as evaluate_frame

    people = pd.DataFrame(
        {"id": ["a", "b"], "age": [40, 70], "wage_1": [300000, 250000], "pension_recipient": [False, True]}
    )
    out = evaluate_frame(people, "2026-01", status=False)
    assert isinstance(out, pd.DataFrame)
    assert out.loc[0, "employer_deduction"] == Decimal("9000.00")  # 3 % × 300 000
    assert out.loc[1, "state_contribution"] == Decimal("8108.30")  # 2 % × 405 416 = 8 108.32 → 8 108.3
    assert out.attrs["osms_policy"]["id"] == "kz_osms"


def test_notebook_api_reports_bad_rows() -> None:
    import pandas as pd

    from osms.api import evaluate as evaluate_frame
    from osms.core.errors import OsmsError

    people = pd.DataFrame({"id": ["a", "b"], "age": [40, -3], "wage_1": [300000, 1]})
    try:
        evaluate_frame(people, "2026-01", status=False)
    except OsmsError as exc:
        assert "row 2: age: must be between 0 and 150" in str(exc)
    else:
        raise AssertionError("a bad row must not pass silently")
    kept = evaluate_frame(people, "2026-01", errors="report", status=False)
    assert list(kept["id"]) == ["a"] and kept.attrs["osms_errors"] == {2: "age: must be between 0 and 150"}


def test_root_has_examples() -> None:
    assert (ROOT / "examples").is_dir()
