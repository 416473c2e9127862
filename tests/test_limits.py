"""Bounded resources: oversized inputs are refused quickly (before schema checks or evaluation) with short
messages; quoted values are cut with an ellipsis (`limits.cut`). The limits live in `osms/limits.py`."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import cli

from osms.core.errors import OsmsError
from osms.core.limits import QUOTE, cut
from osms.inputs.scenario import load_scenario
from osms.policy.loading import load_yaml_text

PERSON = "person: {birth_date: 1990-01-01, residency: citizen}\n"
LONG = "x" * 3_000_000

CASES = [
    (
        "a 3 MB note",
        f'note: "{LONG}"\n' + PERSON,
        "big.yaml:1: note: a text of 3,000,000 characters; the limit is 4,000",
    ),
    (
        "20 000 jobs",
        PERSON + "jobs:\n" + "".join(f"  - {{employer: E{i}, from: 2024-01, wage: 100}}\n" for i in range(20_000)),
        "big.yaml:23: jobs: more than 20 items; the limit is 20",
    ),
    (
        "90 000 payments",
        PERSON
        + "payments:\n"
        + "".join(
            "  - {paid_on: 2024-01-25, for_month: 2024-01, amount: 100, kind: self_payer}\n" for _ in range(90_000)
        ),
        "big.yaml:2403: payments: more than 2,400 items; the limit is 2,400",
    ),
    (
        "5 000 facts",
        PERSON + "facts:\n" + "".join("  - {fact: disabled, from: 2024-01}\n" for _ in range(5_000)),
        "big.yaml:1003: facts: more than 1,000 items; the limit is 1,000",
    ),
    (
        "a long list anywhere",
        PERSON + "categories:\n  - id: x\n    from: 2024-01\n    to: [" + "1, " * 2_000 + "1]\n",
        "big.yaml:5: to: more than 1,000 items; the limit is 1,000",
    ),
    (
        "a long unknown category",
        PERSON + f"categories:\n  - {{id: {'c' * 3000}, from: 2024-01}}\n",
        "big.yaml:3: categories[0].id: '" + "c" * 58 + "… is not a valid name (lowercase letters, digits and _)",
    ),
    (
        "a long residency",
        f"person: {{birth_date: 1990-01-01, residency: {'r' * 3000}}}\n",
        "big.yaml:1: person.residency: '" + "r" * 58 + "… is not one of: ",
    ),
]


@pytest.mark.parametrize(("note", "text", "want"), CASES, ids=[c[0] for c in CASES])
def test_oversized_scenarios_are_refused_at_the_limit_and_briefly(policy, tmp_path: Path, note, text, want) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "big.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(OsmsError) as exc:
        load_scenario(path, policy)
    message = str(exc.value).replace(str(tmp_path) + "/", "")
    # The line named is the first item past the limit (e.g. 2 403 of 90 000 payments): reading stopped there, so a
    # huge file is refused at once however long it is, and not timed here (the suite times nothing).
    assert message.startswith(want)
    assert len(message) < 600  # the enum case lists the allowed values after the cut value


def test_any_yaml_file_has_bounded_lists() -> None:
    with pytest.raises(OsmsError) as exc:
        load_yaml_text("values: [" + "1, " * 30_000 + "1]\n", "p.yaml")
    assert str(exc.value) == "p.yaml:1: values: more than 20,000 items; the limit is 20,000"


def test_cut() -> None:
    assert cut("short") == "'short'"
    assert cut("y" * 100) == "'" + "y" * (QUOTE - 2) + "…"
    assert len(cut("y" * 100)) == QUOTE


def test_long_batch_cells_and_names_stay_short(tmp_path: Path) -> None:
    (tmp_path / "long.csv").write_text("id,age,wage_1\n" + "i" * 1_000_000 + ",30,300000\n", encoding="utf-8")
    proc = cli("batch", "long.csv", "-o", "out.csv", "--month", "2026-01", "--lang", "en", "--no-status", cwd=tmp_path)
    assert (proc.returncode, proc.stderr) == (  # its one row an error row: nothing evaluated, a short failure
        2,
        "error: long.csv: no row could be evaluated: every row is an error row (the first: 2026-01: id: longer than 64 "
        "characters); all of them are in out.errors.csv\n",
    )
    assert (
        (tmp_path / "out.errors.csv")
        .read_text(encoding="utf-8")
        .splitlines()[1]
        .endswith(",2026-01: id: longer than 64 characters")
    )
    (tmp_path / "name.csv").write_text("id,age," + "w" * 100_000 + "\na,30,1\n", encoding="utf-8")
    proc = cli("batch", "name.csv", "-o", "out.csv", "--month", "2026-01", "--lang", "en", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr == (
        "error: name.csv: unknown column '" + "w" * 58 + "…; to carry it to the output unchanged, add it to --keep\n"
    )


def test_a_case_is_checked_against_its_own_month_only(tmp_path: Path) -> None:
    """Cases are evaluated together; a baby born in 2025 in a 2026 case is no error because another case asks
    for 2020, but a case asking for a month before its person's birth is."""
    ok = """cases:
  - note: "2020-12: 2 % × 300 000 = 6 000 by the employer"
    month: 2020-12
    scenario:
      person: {birth_date: 1988-05-14, residency: citizen}
      jobs: [{employer: A, from: 2020-01, wage: 300000}]
    want: {employer_deduction: 6000}
  - note: "2026-01: a baby born in 2025 pays nothing itself"
    month: 2026-01
    scenario:
      person: {birth_date: 2025-03-01, residency: citizen}
    want: {employer_deduction: 0}
"""
    (tmp_path / "cases.yaml").write_text(ok, encoding="utf-8")
    proc = cli(
        "test", "cases.yaml", "--policies", str(Path(__file__).parent.parent / "policies"), "--lang", "en", cwd=tmp_path
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (tmp_path / "cases.yaml").write_text(ok.replace("month: 2026-01", "month: 2024-01"), encoding="utf-8")
    proc = cli(
        "test", "cases.yaml", "--policies", str(Path(__file__).parent.parent / "policies"), "--lang", "en", cwd=tmp_path
    )
    assert proc.returncode == 2
    assert proc.stderr == (
        "error: cases.yaml:11: person.birth_date: born 2025-03-01, after the month evaluated "
        "(2024-01): correct the date or evaluate months from the birth on\n"
    )
