"""`batch --payments` streams the payments table: spilled per people chunk and read back chunk by chunk, it gives the
same answers, error rows and order as one chunk holding everyone, and as the in-memory records; no temporary file
outlives the run, however it ends."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import cli

from osms.inputs.payments_spill import spilled_payments
from osms.inputs.payments_table import read_payments
from osms.runs.population import evaluate_arrow

MONTH = 2026 * 12  # 2026-01
PEOPLE = 2_500


def _inputs(tmp: Path) -> None:
    """Self-payers, ИП and employees since 2024-01 with untidy payments (months skipped, lump sums, none named),
    the rows shuffled so that each person's payments are spread over the file; a few malformed rows, an id no person
    has, and a person listed twice (rows 6 and 2 401, in different chunks of 1 000)."""
    rng = np.random.default_rng(3)
    what = rng.choice(["self_payer", "ip", "job"], PEOPLE)
    people = ["id,birth_date,wage_1,entrepreneur,self_payer,situation_from"]
    pays = []
    # 5 % × 85 000 = 4 250 (self-payer), 5 % × 1.4 × 85 000 = 5 950 (ИП), 3 % and 2 % of 300 000 (an employee);
    # the 2024 and 2025 minimum wage is 85 000 too.
    due = {"self_payer": [("self_payer_contribution", 4250)], "ip": [("entrepreneur_contribution", 5950)]}
    due["job"] = [("employer_deduction", 9000), ("employee_contribution", 6000)]
    for i in range(PEOPLE):
        w = what[i]
        people.append(
            f"p{i},1990-03-0{1 + i % 9},{'300000' if w == 'job' else ''},{w == 'ip'},{w == 'self_payer'},2024-01"
        )
        for m in range(24 + int(rng.integers(-3, 1))):  # from 2024-01, the last months sometimes unpaid
            if rng.random() < 0.05:
                continue
            mo = 2024 * 12 + m
            for kind, amount in due[w]:
                named = "" if rng.random() < 0.2 else f"{mo // 12}-{mo % 12 + 1:02d}"
                paid = mo + 1 + int(rng.random() < 0.1)
                pays.append(f"p{i},{paid // 12}-{paid % 12 + 1:02d}-2{rng.integers(0, 8)},{amount},{kind},{named},")
    order = rng.permutation(len(pays))
    pays = [pays[k] for k in order]
    pays[100] = "p1700,2025-02-25,12.345,self_payer_contribution,2025-01,"  # three decimals
    pays[200] = "p4,2025-02-25,4250,self_payr,2025-01,"  # no such kind
    pays[300] = "zz,2025-02-25,4250,self_payer_contribution,2025-01,"  # nobody's id
    people.insert(2401, people[6])  # p5 (row 6) again as row 2 401, in the third chunk of 1 000
    (tmp / "people.csv").write_text("\n".join(people) + "\n", encoding="utf-8")
    (tmp / "payments.csv").write_text(
        "id,paid_on,amount,kind,for_month,job\n" + "\n".join(pays) + "\n", encoding="utf-8"
    )


def _run(tmp: Path, out: str, *extra: str) -> subprocess.CompletedProcess[str]:
    proc = cli(
        "batch",
        "people.csv",
        "--payments",
        "payments.csv",
        "-o",
        out,
        "--month",
        "2026-01",
        "--lang",
        "en",
        "--no-progress",
        *extra,
        cwd=tmp,
    )
    assert proc.returncode == 0, proc.stderr
    return proc


def test_chunks_of_payments_give_the_answers_of_one(tmp_path: Path) -> None:
    _inputs(tmp_path)
    _run(tmp_path, "one.csv", "--chunk-size", "5000")  # one chunk: one spill file
    _run(tmp_path, "three.csv", "--chunk-size", "1000")  # three chunks (2 501 rows), three spill files
    one = (tmp_path / "one.csv").read_bytes()
    assert one == (tmp_path / "three.csv").read_bytes()
    assert one.count(b"\n") > 2_000  # the people answered (the header and a row each, but the error rows)
    errors = (tmp_path / "three.errors.csv").read_text(encoding="utf-8")
    assert errors == (tmp_path / "one.errors.csv").read_text(encoding="utf-8")
    assert errors.splitlines() == [
        "row,id,reason",
        "5,p4,\"2026-01: payments.csv row 201: kind: 'self_payr' is not a payment kind; one of civil_contribution, "
        "employee_contribution, employer_deduction, entrepreneur_contribution, esp_contribution, "
        'self_employed_contribution, self_payer_contribution, state_contribution, local_contribution"',
        "1701,p1700,2026-01: payments.csv row 101: amount: not a plain decimal of tenge with at most two decimals "
        "(e.g. 4250 or 4250.50)",
        "2401,p5,2026-01: id: the same id as row 6",
        ",zz,payments.csv row 301: payments for an id the people table does not have",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["people.csv", "payments.csv", "one.csv", "one.errors.csv", "three.csv", "three.errors.csv"]
    )  # no spill folder left


def test_spilled_chunks_match_the_in_memory_records(policy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """9 chunks of 300 people in 3 spill files (3 chunks each, read back by chunk): each chunk's result equals
    that of the whole table's records held in memory, and so do the payments no person has."""
    _inputs(tmp_path)
    import pyarrow.csv as pacsv

    people = pacsv.read_csv(
        tmp_path / "people.csv",
        convert_options=pacsv.ConvertOptions(
            column_types={"id": pa.string(), "situation_from": pa.string(), "birth_date": pa.string()}
        ),
    )
    pq.write_table(people, tmp_path / "people.parquet")
    whole = read_payments(policy, [tmp_path / "payments.csv"])
    with spilled_payments(
        policy, [tmp_path / "payments.csv"], [tmp_path / "people.parquet"], tmp_path / "out.csv", 300, max_buckets=3
    ) as spilled:
        assert spilled.per_bucket == 3 and len(spilled.starts) == 9
        assert len(list(tmp_path.glob(".out.csv.*.spill/*.arrow"))) == 3
        for lo in spilled.starts:
            chunk = people.slice(lo, 300)
            got = evaluate_arrow(policy, chunk, MONTH, offset=lo, payments=spilled.records_for(lo, chunk.num_rows))
            want = evaluate_arrow(policy, chunk, MONTH, offset=lo, payments=whole)
            assert got[0].equals(want[0]) and got[1].rows == want[1].rows
        assert spilled.unmatched() == whole.unmatched() == [(str(tmp_path / "payments.csv"), 301, "zz")]
    assert not list(tmp_path.glob(".*.spill"))


def _interrupt(monkeypatch, tmp_path: Path, target: str, when: int) -> None:  # type: ignore[no-untyped-def]
    """Run the batch in this process; a real SIGTERM arrives on the `when`-th call of `target`."""
    import osms.inputs.payments_spill as spill
    from osms.cli.main import main

    cls, name = target.split(".")
    real = getattr(getattr(spill, cls), name)
    calls = []

    def hit(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == when:
            assert list(tmp_path.glob(".out.csv.*.spill/*.arrow")) or name == "destinations"
            os.kill(os.getpid(), signal.SIGTERM)
        return real(*args, **kwargs)

    monkeypatch.setattr(getattr(spill, cls), name, hit)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exit_:
        main(
            [
                "batch",
                "people.csv",
                "--payments",
                "payments.csv",
                "-o",
                "out.csv",
                "--month",
                "2026-01",
                "--chunk-size",
                "1000",
                "--lang",
                "en",
                "--no-progress",
            ]
        )
    assert exit_.value.code == 130
    assert len(calls) >= when
    assert sorted(p.name for p in tmp_path.iterdir()) == ["payments.csv", "people.csv"]


def test_a_run_stopped_while_spilling_leaves_nothing(monkeypatch, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    _inputs(tmp_path)
    _interrupt(monkeypatch, tmp_path, "PeopleIndex.destinations", 1)
    assert capsys.readouterr().err.endswith("interrupted: no output written\n")


def test_a_run_stopped_between_chunks_leaves_nothing(monkeypatch, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    _inputs(tmp_path)
    _interrupt(monkeypatch, tmp_path, "SpilledPayments.records_for", 2)
    assert capsys.readouterr().err.endswith("interrupted: no output written\n")


def test_a_killed_runs_spill_folder_is_removed_by_the_next_run(tmp_path: Path) -> None:
    """SIGKILL cannot be caught: the folder it leaves (named with the dead run's PID) goes with the next run."""
    _inputs(tmp_path)
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = tmp_path / f".out.csv.{int(gone.stdout)}.x1y2.spill"
    stale.mkdir()
    (stale / "0.arrow").write_bytes(b"left by a killed run")
    live = tmp_path / f".out.csv.{os.getpid()}.x1y2.spill"  # a running process's (this one): kept
    live.mkdir()
    _run(tmp_path, "out.csv", "--chunk-size", "1000")
    assert not stale.exists() and live.exists()


def test_a_full_disk_while_spilling_is_a_clean_error(tmp_path: Path) -> None:
    """A real full disk under the output (a 256 KiB tmpfs; needs root, skipped where mounting is not permitted):
    the spill's copy of the payments (about 55 B each, 3.9 MB here) does not fit; the run says so, and leaves the old
    output and nothing else."""
    _inputs(tmp_path)
    disk = tmp_path / "disk"
    disk.mkdir()
    mount = ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(disk)]
    if subprocess.run(mount, capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        (disk / "out.csv").write_text("old\n", encoding="utf-8")
        proc = cli(
            "batch", "people.csv", "--payments", "payments.csv", "-o", str(disk / "out.csv"), "--month", "2026-01",
            "--lang", "en", "--no-progress", cwd=tmp_path,
        )  # fmt: skip
        assert proc.returncode == 2, proc.stderr
        # Where the disk filled depends on the file system's blocks: the figures after "about" are not asserted.
        head, _, tail = proc.stderr.partition(" (no space left on the disk; about ")
        assert head == f"error: {disk}: cannot write the temporary copy of the payments beside the output", proc.stderr
        assert tail.endswith(" payments read so far); nothing was written (any old files are kept)\n"), proc.stderr
        assert (disk / "out.csv").read_text(encoding="utf-8") == "old\n"
        assert sorted(p.name for p in disk.iterdir()) == ["out.csv"]  # the spill folder is gone
    finally:
        subprocess.run(["umount", str(disk)], check=True)


@pytest.mark.parametrize("weak", [False, True])
def test_people_index_finds_each_payments_id_as_a_dictionary_would(monkeypatch, weak: bool) -> None:  # type: ignore[no-untyped-def]
    """Ids of every length (1–20 bytes: searched on 64-bit keys, the bytes themselves up to 8, a hash beyond),
    repeated across chunks, padded with blanks, Cyrillic; payments for ids nobody has. `weak`: keys that collide
    for most ids (their first byte), so that a length falls back to its bytes and a hit's bytes are compared."""
    import osms.inputs.people_index as spill

    if weak:
        monkeypatch.setattr(
            spill, "fixed_width_keys", lambda v: (v.view(np.uint8).reshape(len(v), -1)[:, 0].astype(np.int64), False)
        )
    rng = np.random.default_rng(3)
    alphabet = list("0123456789ABCDEFЖҚ")
    people = ["".join(rng.choice(alphabet, int(rng.integers(1, 21)))) for _ in range(3000)]
    people += people[:200]  # on rows of later chunks too
    index = spill.PeopleIndex()
    chunk_of = np.arange(len(people)) // 700
    for lo in range(0, len(people), 1000):
        part = people[lo : lo + 1000]
        index.add(pa.array([f" {p} " if i % 7 == 0 else p for i, p in enumerate(part)]), lo, chunk_of[lo : lo + 1000])
    index.freeze()
    asked = list(rng.choice(people, 2000)) + [
        "".join(rng.choice(alphabet, int(rng.integers(1, 21)))) for _ in range(500)
    ]
    key, chunk = index.find(pa.array(asked))
    first: dict[str, int] = {}
    for row, p in enumerate(people):
        first.setdefault(p, row)
    for i, p in enumerate(asked):
        want = first.get(p, -1)
        assert key[i] == want and chunk[i] == (chunk_of[want] if want >= 0 else -1), p
