"""Status from a payments table agrees with the scenario path person by person, on untidy records: payments late,
short, doubled, naming no month or another month, lump sums, prepayments; and the table's bad rows read clearly."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from unittest import mock

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import cli, scenario
from hypothesis import given, settings
from hypothesis import strategies as st

from osms.core.dates import format_month, month_end
from osms.inputs.payments_table import read_payments
from osms.outputs.records import records
from osms.runs import population_ledger
from osms.runs.population import evaluate_arrow, evaluate_months
from osms.runs.scenarios import evaluate

# Self-payer: 5 % × MZP (3 000 in 2022, 3 500 in 2023, 4 250 from 2024); ИП: 5 % × 1.4 MZP; an employee on
# 300 000: 3 % = 9 000 deducted by the employer, 2 % = 6 000 withheld.
KINDS = {
    "self_payer": ["self_payer_contribution"],
    "ip": ["entrepreneur_contribution"],
    "job": ["employer_deduction", "employee_contribution"],
}
AMOUNTS = [
    Decimal("4250"),
    Decimal("3000"),
    Decimal("9000"),
    Decimal("6000"),
    Decimal("4900"),
    Decimal("5950"),
    Decimal("51000"),
    Decimal("1250.50"),
    Decimal("8500"),
]


DEDUCTIONS_FROM, POLICIES_FROM = 2017 * 12 + 6, 2020 * 12  # employers' deductions from 2017-07; policies from 2020


@st.composite
def people(draw):  # type: ignore[no-untyped-def]
    month = draw(st.integers(2020 * 12, 2026 * 12 + 11))
    out = []
    for _ in range(draw(st.integers(1, 5))):
        what = draw(st.sampled_from(sorted(KINDS)))
        # A job may have begun before 2020, its employer's deductions then recorded (naming their months).
        since = draw(st.integers(2018 * 12 if what == "job" else POLICIES_FROM, month))
        pays = []
        for _ in range(draw(st.integers(0, 16))):
            mo = draw(st.integers(since, month + 1))
            day = dt.date(mo // 12, mo % 12 + 1, draw(st.integers(1, 28)))
            kind = draw(st.sampled_from(KINDS[what]))
            lo = max(since - 2, DEDUCTIONS_FROM if kind == "employer_deduction" else POLICIES_FROM)
            named = draw(st.one_of(st.none(), st.integers(lo, month + 6)))
            if mo < POLICIES_FROM:  # made before 2020: only a deduction, naming a month before 2020
                kind, named = (
                    "employer_deduction",
                    draw(st.integers(max(since - 2, DEDUCTIONS_FROM), POLICIES_FROM - 1)),
                )
            pays.append(
                {
                    "paid_on": day.isoformat(),
                    "amount": str(draw(st.sampled_from(AMOUNTS))),
                    "kind": kind,
                    "for_month": format_month(named) if named is not None else "",
                }
            )
        out.append({"what": what, "since": since, "pays": pays})
    return month, out


def _scenario(p: dict) -> str:
    since = format_month(p["since"])
    lines = ["person: {birth_date: 1990-06-15, residency: citizen}"]
    if p["what"] == "job":
        lines.append(f"jobs: [{{employer: E, from: {since}, wage: 300000}}]")
    elif p["what"] == "ip":
        lines.append(f"entrepreneur: [{{from: {since}, kind: ip}}]")
    else:
        lines.append(f"self_payer: [{{from: {since}}}]")
    pays = [
        f"{{paid_on: {x['paid_on']}, amount: {x['amount']}, kind: {x['kind']}"
        + (f", for_month: {x['for_month']}" if x["for_month"] else "")
        + "}"
        for x in p["pays"]
    ]
    return "\n".join(lines) + f"\npayments: [{', '.join(pays)}]\n"


def _row(p: dict, i: int) -> dict:
    return {
        "id": f"p{i}",
        "birth_date": "1990-06-15",
        "residency": "citizen",
        "wage_1": "300000" if p["what"] == "job" else "",
        "entrepreneur": str(p["what"] == "ip").lower(),
        "self_payer": str(p["what"] == "self_payer").lower(),
        "situation_from": format_month(p["since"]),
    }


@settings(max_examples=30, deadline=None)
@given(people())
def test_ledger_and_scenario_paths_agree(policy, tmp_path_factory, drawn) -> None:  # type: ignore[no-untyped-def]
    month, persons = drawn
    if not any(p["pays"] for p in persons):
        persons[0]["pays"].append(
            {"paid_on": "2022-01-10", "amount": "3000", "kind": KINDS[persons[0]["what"]][0], "for_month": ""}
        )
    scenarios = [scenario(policy, _scenario(p), f"p{i}") for i, p in enumerate(persons)]
    ev = evaluate(policy, scenarios, [month], strict=False)
    want = records(ev, [month])
    table = pa.Table.from_pylist([_row(p, i) for i, p in enumerate(persons)])
    rows = [{"id": f"p{i}", **x} for i, p in enumerate(persons) for x in p["pays"]]
    path = tmp_path_factory.mktemp("pay") / "payments.parquet"
    names = ["id", "paid_on", "amount", "kind", "for_month"]
    pq.write_table(pa.table({n: pa.array([r[n] for r in rows], pa.string()) for n in names}), path)
    result, bad, _ = evaluate_arrow(policy, table, month, payments=read_payments(policy, [path]))
    assert not bad.rows
    # A person's answer does not depend on who shares the slice: each person alone gives the same table.
    with mock.patch.object(population_ledger, "SLICE", 1):
        alone, _, _ = evaluate_arrow(policy, table, month, payments=read_payments(policy, [path]))
    assert alone.equals(result)
    end = month_end(month).toordinal()
    for rec, row, p in zip(want, result.to_pylist(), persons):
        got = (row["insured"], row["insured_reason"], row["debt_months"])
        assert got == (rec["insured"], rec["insured_reason"], rec["debt_months"]), (rec["scenario"], p)
        # What the payments made by the month's end did not credit to any month up to 12 months after it: the
        # scenario's overpayments plus what its ledger credited to later months.
        made = {k for k, x in enumerate(p["pays"], 1) if dt.date.fromisoformat(x["paid_on"]).toordinal() <= end}
        over = sum((Decimal(str(o["amount"])) for o in rec["overpaid"] if o["payment"] in made), Decimal(0))
        over += sum(
            (Decimal(str(a["amount"])) for a in rec["payments_applied"] if a["month"] > format_month(month + 12)),
            Decimal(0),
        )
        assert row["overpaid"] == over, (rec["scenario"], p, rec["overpaid"], format_month(month))


def _write(tmp: Path, name: str, text: str) -> Path:
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    return path


def test_batch_payments_command_and_its_errors(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "people.csv",
        "id,birth_date,wage_1,wage_2,self_payer,situation_from\n"
        "a,1990-01-01,,,true,2024-01\n"  # 12 payments of 4 250 for 2024: insured in January 2025
        "b,1990-01-01,,,true,2024-01\n"  # one 51 000 lump sum: 12 × 4 250 pays 2024 (I, §9.11): insured
        "c,1990-01-01,,,true,\n"  # owes 4 250 and does not say since when: an error row
        "d,1990-01-01,100000,200000,false,2024-01\n"  # two jobs, a deduction naming no job: an error row
        "e,1990-01-01,,,true,2024-01\n",
    )  # an amount with three decimals: an error row
    pays = ["id,paid_on,amount,kind,for_month,job"]
    pays += [f"a,{2024 + m // 12}-{m % 12 + 1:02d}-20,4250,self_payer_contribution,2024-{m:02d}," for m in range(1, 13)]
    pays += [
        "b,2024-09-06,51000,self_payer_contribution,,",
        "d,2024-02-25,3000,employer_deduction,2024-01,",
        "e,2024-02-25,4250.125,self_payer_contribution,2024-01,",
        "zz,2024-02-25,4250,self_payer_contribution,2024-01,",
    ]
    _write(tmp_path, "payments.csv", "\n".join(pays) + "\n")
    proc = cli(
        "batch",
        "people.csv",
        "--payments",
        "payments.csv",
        "-o",
        "out.parquet",
        "--month",
        "2025-01",
        "--lang",
        "en",
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    rows = {r["id"]: r for r in pq.read_table(tmp_path / "out.parquet").to_pylist()}
    assert set(rows) == {"a", "b"}
    assert rows["a"]["insured"] and rows["a"]["insured_reason"] == "payments" and rows["a"]["overpaid"] == 0
    # 51 000 = 12 × 4 250: nothing over
    assert rows["b"]["insured"] and rows["b"]["insured_reason"] == "payments" and rows["b"]["overpaid"] == 0
    errors = (tmp_path / "out.errors.csv").read_text(encoding="utf-8").splitlines()
    assert errors == [
        "row,id,reason",
        '3,c,"2025-01: situation_from: empty, but the person owes contributions: give the month their current '
        'jobs and activities began (YYYY-MM)"',
        '4,d,"2025-01: payments.csv row 14: job: the person has several wage columns; say which employer paid this '
        '`employer_deduction` (1 for wage_1, …)"',
        "5,e,2025-01: payments.csv row 15: amount: not a plain decimal of tenge with at most two decimals (e.g. "
        "4250 or 4250.50)",
        ",zz,payments.csv row 16: payments for an id the people table does not have",
    ]


def _batch(tmp_path: Path):  # type: ignore[no-untyped-def]
    return cli(
        "batch",
        "people.csv",
        "--payments",
        "payments.csv",
        "-o",
        "out.csv",
        "--month",
        "2025-01",
        "--lang",
        "en",
        cwd=tmp_path,
    )


def test_batch_payments_refuses_what_it_would_not_read(tmp_path: Path) -> None:
    _write(tmp_path, "people.csv", "id,age,self_payer,paid_through,paid_run\na,30,true,2024-12,12\n")
    _write(tmp_path, "payments.csv", "id,paid_on,amount,kind,note\na,2024-02-20,4250,self_payer_contribution,x\n")
    proc = _batch(tmp_path)
    assert proc.returncode == 2
    assert proc.stderr == (
        "error: people.csv: with --payments, status comes from the payments: remove the column paid_through\n"
    )
    _write(tmp_path, "people.csv", "id,age,self_payer,situation_from\na,30,true,2024-01\n")
    proc = _batch(tmp_path)
    assert proc.returncode == 2
    assert proc.stderr == (
        "error: payments.csv: unknown column 'note' in the payments table: it reads id, paid_on, "
        "amount, kind, for_month, job\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["payments.csv", "people.csv"]


def test_notebook_api_takes_a_payments_frame() -> None:
    import pandas as pd

    from osms import api

    people = pd.DataFrame(
        {
            "id": ["a", "b"],
            "birth_date": ["1990-01-01", "1990-01-01"],
            "self_payer": [True, True],
            "situation_from": ["2024-01", "2024-01"],
        }
    )
    # a: 12 payments of 4 250 (5 % × 85 000) for 2024, each naming its month; b: the same less December
    rows = [
        (pid, f"{2024 + m // 12}-{m % 12 + 1:02d}-20", "4250", "self_payer_contribution", f"2024-{m:02d}")
        for pid, last in (("a", 12), ("b", 11))
        for m in range(1, last + 1)
    ]
    pays = pd.DataFrame(rows, columns=["id", "paid_on", "amount", "kind", "for_month"])
    out = api.evaluate(people, "2025-01", payments=pays).set_index("id")
    assert bool(out.loc["a", "insured"]) and out.loc["a", "insured_reason"] == "payments"
    # b: December 2024 fell due on 2025-01-25 unpaid; the run Jan–Nov is 11 months: not insured by payments
    assert not bool(out.loc["b", "insured"]) and out.loc["b", "debt_months"] == 1


def test_ledger_path_counts_the_stated_budget_months_of_a_graduate(policy) -> None:  # type: ignore[no-untyped-def]
    """A full-time student (state-paid) until June 2025 who works from July 2025; the employer pays July and August
    (3 % × 300 000 = 9 000 deducted, 2 % = 6 000 withheld). The budget months count toward the 12 where own
    payments take over (state_paid_months_count_toward_required, §9.15): with the 12 months of study stated the run
    Jul 2024–Aug 2025 is 14 months, insured on 2025-09-30; with only the last month of study, Jun–Aug 2025 is 3."""
    from osms.inputs.payments_table import payments_from_table

    pays = pa.table(
        {
            "id": ["g"] * 4,
            "paid_on": ["2025-08-25", "2025-08-25", "2025-09-25", "2025-09-25"],
            "amount": ["9000", "6000", "9000", "6000"],
            "kind": ["employer_deduction", "employee_contribution"] * 2,
            "for_month": ["2025-07", "2025-07", "2025-08", "2025-08"],
        }
    )
    got = {}
    for run in ("12", ""):
        people = pa.table(
            {
                "id": ["g"],
                "birth_date": ["2003-05-01"],
                "wage_1": ["300000"],
                "situation_from": ["2025-07"],
                "last_category_month": ["2025-06"],
                "last_category_run": [run],
                "region": ["astana"],
            }
        )
        result, bad, _ = evaluate_arrow(policy, people, 2025 * 12 + 8, payments=payments_from_table(policy, pays))
        assert not bad.rows
        got[run] = result.to_pylist()[0]
    assert got["12"]["insured"] and got["12"]["insured_reason"] == "payments"
    assert not got[""]["insured"]


def test_a_payment_for_a_month_beyond_the_history_is_credit_kept(policy) -> None:  # type: ignore[no-untyped-def]
    """A self-payer since 2024-01 (5 % × MZP 85 000 = 4 250 a month), every month of 2024 paid on the 20th of the
    next, evaluated for 2025-01, who also paid 4 250 on 2025-01-10 naming 2026-01 (12 months ahead: the last month
    the history holds) and 4 250 the same day naming 2026-06 (17 ahead). The first pays 2026-01; the second pays no
    month up to 12 months ahead, so it is credit kept: overpaid = 4 250, the 2026-06 payment's alone."""
    from osms.inputs.payments_table import payments_from_table

    named = [f"2024-{m:02d}" for m in range(1, 13)]
    paid = [f"2024-{m + 1:02d}-20" for m in range(1, 12)] + ["2025-01-20"]
    pays = pa.table(
        {
            "id": ["s"] * 14,
            "paid_on": [*paid, "2025-01-10", "2025-01-10"],
            "amount": ["4250"] * 14,
            "kind": ["self_payer_contribution"] * 14,
            "for_month": [*named, "2026-01", "2026-06"],
        }
    )
    people = pa.table(
        {
            "id": ["s"],
            "birth_date": ["1990-01-01"],
            "self_payer": ["true"],
            "situation_from": ["2024-01"],
            "region": ["astana"],
        }
    )
    result, bad, _ = evaluate_arrow(policy, people, 2025 * 12, payments=payments_from_table(policy, pays))
    assert not bad.rows
    row = result.to_pylist()[0]
    assert row["overpaid"] == Decimal("4250.00")  # the 2026-06 payment only
    assert row["insured"] and row["insured_reason"] == "payments"  # 2024-01 … 2024-12 paid: 12 months


@pytest.mark.parametrize(("seed", "alone"), [(0, False), (1, False), (2, False), (3, False), (4, True)])
def test_months_together_give_the_months_one_by_one(policy, tmp_path: Path, seed: int, alone: bool) -> None:  # type: ignore[no-untyped-def]
    """A payments run of several months credits once for up to MONTHS_TOGETHER of them (population.evaluate_months):
    every month's table, error rows and totals are those of the month evaluated alone. 80 persons (30 alone) over
    9 months: self-payers, ИП, employees with one or two jobs, pensioners and a child turning 18, some stating a past
    membership; payments late, early, doubled, lump sums, naming no month, naming months up to 16 ahead, made after
    the last month; error rows in some months only (a payment naming a job the person lacks made mid-way, an ИП
    with no situation_from once the regime makes them owe, someone born during the months). `alone`: each person
    in a slice of their own, so that months differ in which evaluate months after their own (the payments made by
    one month's end name none ahead, a later month's do)."""
    rng = np.random.default_rng(seed)
    start = int(rng.integers(2020 * 12, 2026 * 12 - 8))
    months = list(range(start, start + 9))
    people, pays = [], []
    count = 30 if alone else 80  # alone: each person evaluated on their own, slower
    for i in range(count):
        what = str(rng.choice(["self_payer", "ip", "job", "two_jobs", "pensioner", "child"]))
        since = int(rng.integers(2019 * 12, start + 9))
        born = "2008-" + format_month(start + 3)[5:] + "-10" if what == "child" else "1970-05-05"
        if i == count - 1:
            born = format_month(start + 4) + "-02"  # born during the months: an error row before
        stated = rng.random() < 0.15
        people.append(
            {
                "id": f"p{i}",
                "birth_date": born,
                "wage_1": "300000" if "job" in what else "",
                "wage_2": "150000" if what == "two_jobs" else "",
                "entrepreneur": str(what == "ip").lower(),
                "self_payer": str(what == "self_payer").lower(),
                "pension_recipient": str(what == "pensioner").lower(),
                "situation_from": "" if (what == "ip" and rng.random() < 0.2) else format_month(since),
                "last_category_month": format_month(start - int(rng.integers(1, 30))) if stated else "",
                "last_category_run": str(int(rng.integers(1, 20))) if stated else "",
            }
        )
        kinds = {
            "self_payer": ["self_payer_contribution"],
            "ip": ["entrepreneur_contribution"],
            "job": ["employer_deduction", "employee_contribution"],
            "two_jobs": ["employer_deduction", "employee_contribution"],
        }.get(what, ["self_payer_contribution"])
        if "job" in what and since < POLICIES_FROM:  # the deductions of the years before the policies, some late
            for m in range(since, POLICIES_FROM):
                made = m + 1 + int(rng.random() < 0.2) * int(rng.integers(1, 12))
                job = "1" if what == "job" else ""  # one job: may be named; two: left empty, still the month's
                pays.append({"id": f"p{i}", "paid_on": f"{format_month(made)}-20", "amount": "4500",
                             "kind": "employer_deduction", "for_month": format_month(m), "job": job})  # fmt: skip
        for _ in range(int(rng.integers(0, 24))):
            mo = int(rng.integers(max(since, start - 30), start + 12))  # some after the last month
            named = "" if rng.random() < 0.3 else format_month(mo + int(rng.integers(-3, 17)))
            job = ""
            if what == "two_jobs":
                job = str(int(rng.integers(1, 3)))
            if rng.random() < 0.03:
                job = "3"  # no third wage column: an error row from the month it was made
            pays.append(
                {
                    "id": f"p{i}",
                    "paid_on": f"{format_month(mo)}-{int(rng.integers(1, 29)):02d}",
                    "amount": str(rng.choice(["4250", "3000", "9000", "6000", "4900", "5950", "51000", "1250.50"])),
                    "kind": str(rng.choice(kinds)),
                    "for_month": named,
                    "job": job,
                }
            )
    table = pa.table({k: pa.array([p[k] for p in people], pa.string()) for k in people[0]})
    path = tmp_path / "payments.parquet"
    pq.write_table(pa.table({k: pa.array([p[k] for p in pays], pa.string()) for k in pays[0]}), path)
    with mock.patch.object(population_ledger, "SLICE", 1 if alone else population_ledger.SLICE):
        together = evaluate_months(policy, table, months, payments=read_payments(policy, [path]))
        assert [m for m, _ in together] == months
        errors = 0
        for m, (result, bad, summary) in together:
            one, one_bad, one_summary = evaluate_arrow(policy, table, m, payments=read_payments(policy, [path]))
            assert result.equals(one), format_month(m)
            assert bad.rows == one_bad.rows and summary == one_summary, format_month(m)
            errors += len(bad.rows)
    assert errors  # error rows were exercised


def test_a_payment_made_before_the_policies_is_an_error_row_not_a_failed_run(tmp_path: Path) -> None:
    """The crediting reads the rules of the day a payment was made (its deadline, the debt window): a payment made
    in 2019 naming January 2020 failed the whole run ("payment_deadline_day has no value on 2019-12-28"). It is an
    error row naming paid_on, as a month named outside the policies' years is one naming for_month. Before 2020
    only employers' deductions were paid (from 2017-07), naming their month: anything else there is an error row."""
    _write(
        tmp_path,
        "people.csv",
        "id,birth_date,self_payer,wage_1,situation_from\n"
        + "".join(f"{p},1990-01-01,true,,{since}\n" for p, since in zip("abcd", ["2019-06", "2024-01"] * 2))
        + "".join(f"{p},1990-01-01,false,300000,2017-01\n" for p in "efg"),
    )
    _write(
        tmp_path,
        "payments.csv",
        "id,paid_on,amount,kind,for_month\n"
        "a,2019-09-13,4250,self_payer_contribution,\n"  # made in 2019, naming none
        "b,2024-02-20,4250,self_payer_contribution,2024-01\n"
        "c,2019-12-28,4250,self_payer_contribution,2020-01\n"  # made in 2019, naming January 2020
        "d,2024-02-20,4250,self_payer_contribution,2019-11\n"  # naming a month of 2019: not a deduction
        "e,2017-08-20,2000,employer_deduction,2017-06\n"  # before the deductions began
        "f,2017-06-30,2000,employer_deduction,2017-07\n"  # made before they began
        "g,2018-03-20,4500,employer_deduction,2018-02\n",  # a deduction then: paid, nothing wrong
    )
    proc = cli("batch", "people.csv", "--payments", "payments.csv", "-o", "out.parquet", "--month", "2024-02",
               "--lang", "en", cwd=tmp_path)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    outside = "outside what the policies can check (2020-01 to 2026-12, and prepayments for the 12 months after)"
    began = "when employer deductions began: nothing was paid to the Fund then"
    assert (tmp_path / "out.errors.csv").read_text(encoding="utf-8").splitlines() == [
        "row,id,reason",
        f'1,a,"2024-02: payments.csv row 1: paid_on: {outside}"',
        f'3,c,"2024-02: payments.csv row 3: paid_on: {outside}"',
        '4,d,"2024-02: payments.csv row 4: for_month: 2019-11 is before 2020-01, when only employer deductions '
        '(employer_deduction) were paid"',
        f'5,e,"2024-02: payments.csv row 5: for_month: 2017-06 is before 2017-07, {began}"',
        f'6,f,"2024-02: payments.csv row 6: paid_on: 2017-06 is before 2017-07, {began}"',
    ]
    assert pq.read_table(tmp_path / "out.parquet").column("id").to_pylist() == ["b", "g"]


def test_deductions_before_2020_count_toward_the_12_months(tmp_path: Path) -> None:
    """An employee since 2019 whose employer paid every month on time: in July 2020, after the transition, the 12
    consecutive paid months are July 2019 to June 2020 (art. 5 p. 3), so the person is insured by payments. Without
    the 2019 records the same person had 6 paid months and was not insured, while the same job with no payments
    listed (assumed paid) was: the Fund's records go back to 2017."""
    _write(tmp_path, "people.csv", "id,birth_date,wage_1,situation_from\nwith,1990-01-01,300000,2019-01\n"
           "without,1990-01-01,300000,2019-01\n")  # fmt: skip
    rows = ["id,paid_on,amount,kind,for_month,job"]
    for m in range(2019 * 12, 2020 * 12 + 6):  # 2019-01 … 2020-06, each paid on the 20th of the next month
        named, paid = format_month(m), f"{format_month(m + 1)}-20"
        # 2019: 1.5 % × 300 000 = 4 500 (not checked); 2020: 2 % × 300 000 = 6 000 and 1 % = 3 000 withheld.
        for who in ("with", "without") if m >= 2020 * 12 else ("with",):
            if m < 2020 * 12:
                rows.append(f"{who},{paid},4500,employer_deduction,{named},1")
            else:
                rows += [f"{who},{paid},6000,employer_deduction,{named},1",
                         f"{who},{paid},3000,employee_contribution,{named},"]  # fmt: skip
    _write(tmp_path, "payments.csv", "\n".join(rows) + "\n")
    proc = cli("batch", "people.csv", "--payments", "payments.csv", "-o", "out.parquet", "--month", "2020-07",
               cwd=tmp_path)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    out = pq.read_table(tmp_path / "out.parquet").to_pylist()
    assert [(r["id"], r["insured"], r["insured_reason"], r["overpaid"]) for r in out] == [
        ("with", True, "payments", 0),
        ("without", False, "none", 0),
    ]


def test_a_situation_that_began_after_the_month_is_an_error_row_in_that_month(tmp_path: Path) -> None:
    """A row states the situation of the month evaluated. One whose situation_from is later describes another
    month: nothing would be due in this one, its payments would pay nothing and the person read as uninsured with
    no debt (confidently wrong); it is an error row in the months before, and answered from the month it names."""
    _write(tmp_path, "people.csv", "id,birth_date,wage_1,situation_from\na,1990-01-01,300000,2026-02\n")
    # 3 % × 300 000 = 9 000 deducted, 2 % = 6 000 withheld, for January 2026, paid on 2026-02-20.
    _write(tmp_path, "payments.csv", "id,paid_on,amount,kind,for_month\na,2026-02-20,9000,employer_deduction,2026-01\n"
           "a,2026-02-20,6000,employee_contribution,2026-01\n")  # fmt: skip
    proc = cli("batch", "people.csv", "--payments", "payments.csv", "-o", "out.csv", "--from", "2026-01", "--to",
               "2026-02", "--lang", "en", cwd=tmp_path)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "out.errors.csv").read_text(encoding="utf-8").splitlines() == [
        "row,id,reason",
        '1,a,"2026-01: situation_from: 2026-02 is after 2026-01: the row states the situation of the month '
        'evaluated; give the month it began, 2026-01 or earlier"',
    ]
    rows = (tmp_path / "out.csv").read_text(encoding="utf-8").splitlines()
    assert len(rows) == 2 and rows[1].startswith('"a","2026-02"')


def test_payment_dates_written_another_way_say_what_to_write(tmp_path: Path) -> None:
    """The Fund's extracts opened in Excel come back with dates as DD.MM.YYYY and months as dates: each payment row
    is an error row saying what to write."""
    _write(tmp_path, "people.csv", "id,birth_date,self_payer,situation_from\na,1990-01-01,true,2024-01\n"
           "b,1990-01-01,true,2024-01\nc,1990-01-01,true,2024-01\n")  # fmt: skip
    _write(tmp_path, "payments.csv", "id,paid_on,amount,kind,for_month\na,20.02.2024,4250,self_payer_contribution,"
           "2024-01\nb,2024-02-20,4250,self_payer_contribution,01.01.2024\nc,2024-02-20,4250,self_payer_contribution,"
           "2024-01\n")  # fmt: skip
    proc = cli("batch", "people.csv", "--payments", "payments.csv", "-o", "out.csv", "--month", "2024-02",
               "--lang", "en", cwd=tmp_path)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "out.errors.csv").read_text(encoding="utf-8").splitlines()[1:] == [
        '1,a,"2024-02: payments.csv row 1: paid_on: not a date YYYY-MM-DD between 2000 and 2100; as DD.MM.YYYY '
        '(Excel in a Russian or Kazakh locale), write 2024-02-20"',
        '2,b,"2024-02: payments.csv row 2: for_month: not a month YYYY-MM; that is a day: write its month, 2024-01"',
    ]
