"""Several inputs as one population (files, a quoted glob, a folder of Parquet, .csv.gz), the result's `payer` and
`categories` columns and Parquet metadata, exact decimal summaries, and the summary line in each language."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from conftest import cli

HEAD = "id,age,wage_1\n"


def _batch(tmp_path: Path, *args: str):  # type: ignore[no-untyped-def]
    """Contributions only (--no-status): these inputs are about reading files, and state nothing paid."""
    return cli("batch", *args, "--month", "2026-01", "--lang", "en", "--no-status", cwd=tmp_path)


def test_several_csv_files_name_file_and_row_in_errors(tmp_path: Path) -> None:
    (tmp_path / "part1.csv").write_text(HEAD + "a,30,300000\nb,30,12x\n", encoding="utf-8")
    (tmp_path / "part2.csv").write_text(HEAD + "c,30,100000\na,30,5\n", encoding="utf-8")
    proc = _batch(tmp_path, "part1.csv", "part2.csv", "-o", "out.parquet", "--summary", "s.json")
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "out.errors.csv").read_text(encoding="utf-8").splitlines() == [
        "file,row,id,reason",
        "part1.csv,2,b,2026-01: wage_1: not a number",
        "part2.csv,2,a,2026-01: id: the same id as part1.csv row 1",
    ]
    assert pq.read_table(tmp_path / "out.parquet").column("id").to_pylist() == ["a", "c"]
    summary = json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))["summary"]
    # employer 3 % × 300 000 = 9 000 and 3 % × 100 000 = 3 000: summed in tiyn, written as a decimal string
    assert summary["payers"]["employer"] == "12000.00" and summary["input_rows"] == 4


def test_a_quoted_glob_and_gzip(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "a.csv").write_text(HEAD + "a,30,300000\n", encoding="utf-8")
    with gzip.open(data / "b.csv.gz", "wt", encoding="utf-8") as fh:
        fh.write(HEAD + "b,30,200000\n")
    proc = _batch(tmp_path, "data/*.csv*", "-o", "out.csv")
    assert proc.returncode == 0, proc.stderr
    lines = (tmp_path / "out.csv").read_text(encoding="utf-8").splitlines()
    assert [line.split(",")[0] for line in lines[1:]] == ['"a"', '"b"']  # name order: a.csv, then b.csv.gz
    assert lines[1].count('"employee,employer"') == 1  # the payers joined by ',' in CSV


def test_a_folder_of_parquet_files(tmp_path: Path) -> None:
    folder = tmp_path / "people"
    folder.mkdir()
    for i, ids in enumerate((["a", "b"], ["c"])):
        pq.write_table(
            pa.table({"id": ids, "age": [30] * len(ids), "wage_1": [300000] * len(ids)}), folder / f"part-{i}.parquet"
        )
    proc = _batch(tmp_path, "people", "-o", "out.parquet")
    assert proc.returncode == 0, proc.stderr
    table = pq.read_table(tmp_path / "out.parquet")
    assert table.column("id").to_pylist() == ["a", "b", "c"]
    meta = {k.decode(): v.decode() for k, v in table.schema.metadata.items()}
    from osms import __version__
    from osms.policy import bundled_policies, load_policies

    policy = load_policies(bundled_policies())
    assert meta["osms.policy_id"] == policy.id and meta["osms.policy_version"] == policy.version
    assert meta["osms.policy_fingerprint"] == policy.fingerprint and meta["osms.engine_version"] == __version__
    assert meta["osms.as_of"] == policy.as_of and meta["osms.months"] == "2026-01"
    assert table.column("payer").to_pylist() == [["employee", "employer"]] * 3
    assert table.column("categories").to_pylist() == [[]] * 3


def test_inputs_must_share_their_columns(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text(HEAD + "a,30,1\n", encoding="utf-8")
    (tmp_path / "b.csv").write_text("id,age,wage_1,wage_2\nb,30,1,2\n", encoding="utf-8")
    proc = _batch(tmp_path, "a.csv", "b.csv", "-o", "out.csv")
    assert (proc.returncode, proc.stderr) == (
        2,
        "error: b.csv: the columns differ from those of a.csv: also 'wage_2'; all inputs need the same columns\n",
    )


def test_input_list_refusals(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text(HEAD + "a,30,1\n", encoding="utf-8")
    (tmp_path / "empty").mkdir()
    cases = [
        (
            ("a.csv", "a.csv", "-o", "out.csv"),
            "error: a.csv: this file is named twice among the inputs: its rows would be counted twice",
        ),
        (("x/*.csv", "-o", "out.csv"), "error: x/*.csv: no .csv, .csv.gz or .parquet file matches this pattern"),
        (("nope.csv", "-o", "out.csv"), "error: nope.csv: no such file"),
        (
            ("empty", "-o", "out.csv"),
            "error: empty: the folder holds no .parquet files; name CSV files themselves or by a glob",
        ),
        (
            ("*.csv", "-o", "a.csv"),
            "error: a.csv: -o is the same file as the input a.csv: writing it would "
            "destroy the input; choose another path",
        ),
    ]
    for args, message in cases:
        proc = _batch(tmp_path, *args)
        assert (proc.returncode, proc.stderr) == (2, message + "\n"), args
    assert (tmp_path / "a.csv").read_text(encoding="utf-8") == HEAD + "a,30,1\n"


def test_summary_line_and_errors_header_follow_lang(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text(HEAD + "a,30,300000\nb,30,x\n", encoding="utf-8")
    want = {
        "ru": ("строка,id,причина", "строк с ошибками: 1", "9,000.00 тенге"),
        "kk": ("жол,id,себеп", "қатесі бар жолдар: 1", "9,000.00 теңге"),
        "en": ("row,id,reason", "1 error rows", "9,000.00 tenge"),
    }  # employer 3 % × 300 000 = 9 000
    for lang, (header, errors, employer) in want.items():
        proc = cli(
            "batch", "a.csv", "-o", f"{lang}.csv", "--month", "2026-01", "--lang", lang, "--no-status", cwd=tmp_path
        )
        assert proc.returncode == 0, proc.stderr
        assert (tmp_path / f"{lang}.errors.csv").read_text(encoding="utf-8").splitlines()[0] == header
        assert errors in proc.stdout and employer in proc.stdout, proc.stdout


def test_a_row_with_too_many_cells_is_named_by_its_line_wherever_it_is(tmp_path: Path) -> None:
    # Far into a gzipped file, past the first blocks the reader parses on threads, after a quoted line break: the
    # line is the file's (the header is line 1; the quoted cell spans lines 3 and 4), the same every time.
    rows = ['a,"30\n",300000'] + [f"p{i},30,300000" for i in range(400_000)]
    rows[300_000] = "x,30,300000,7"
    with gzip.open(tmp_path / "people.csv.gz", "wt", encoding="utf-8") as fh:
        fh.write(HEAD + "\n".join(rows) + "\n")
    proc = _batch(tmp_path, "people.csv.gz", "-o", "out.parquet")
    assert proc.returncode == 2
    # rows[300 000] is record 300 002 of the file (after the header), on line 300 003 (one record spans two lines)
    assert proc.stderr == (
        "error: people.csv.gz:300003: 4 cells where the header has 3: 'x,30,300000,7'; quote a cell that holds ',', "
        "or give the row as many cells as the header\n"
    )
    assert not (tmp_path / "out.parquet").exists()


def test_a_run_in_which_no_row_could_be_evaluated_fails(tmp_path: Path) -> None:
    """An export from Excel in a Russian locale writes every date as DD.MM.YYYY: each row is an error row, and a
    run that evaluated nothing printed totals of 0.00 and exited 0, which a script took for a result. It exits 2
    naming the first reason (with the date to write), and keeps the errors file, where the rest are."""
    (tmp_path / "people.csv").write_text(
        "id;birth_date;wage_1\na;16.02.1990;300000\nb;01.12.1985;250000\n", encoding="utf-8"
    )
    proc = cli("batch", "people.csv", "-o", "out.csv", "--month", "2026-01", "--no-status", "--delimiter", ";",
               "--lang", "en", cwd=tmp_path)  # fmt: skip
    assert (proc.returncode, proc.stderr) == (
        2,
        "error: people.csv: no row could be evaluated: every row is an error row (the first: 2026-01: birth_date: "
        "not a date YYYY-MM-DD; as DD.MM.YYYY (Excel in a Russian or Kazakh locale), write 1990-02-16); all of them "
        "are in out.errors.csv\n",
    )
    assert len((tmp_path / "out.errors.csv").read_text(encoding="utf-8").splitlines()) == 3
    # One row evaluated is a result: the other is an error row, as ever.
    (tmp_path / "people.csv").write_text("id;birth_date;wage_1\na;16.02.1990;300000\nb;1985-12-01;250000\n", "utf-8")
    proc = cli("batch", "people.csv", "-o", "out.csv", "--month", "2026-01", "--no-status", "--delimiter", ";",
               "--lang", "en", cwd=tmp_path)  # fmt: skip
    assert proc.returncode == 0, proc.stderr


def test_yes_and_no_as_analysts_write_them(tmp_path: Path) -> None:
    """Yes/no cells in any case, in Russian and Kazakh, and as Excel saves TRUE and FALSE in those locales."""
    yes = ["Да", "ИСТИНА", "иә", "Иә", "АҚИҚАТ", "TRUE", "Yes", "1"]
    no = ["Нет", "ЛОЖЬ", "жоқ", "ЖАЛҒАН", "False", "NO", "0", ""]
    rows = [f"{'y' if k < len(yes) else 'n'}{k},30,{v}" for k, v in enumerate(yes + no)]
    (tmp_path / "people.csv").write_text("id,age,entrepreneur\n" + "\n".join(rows) + "\nbad,30,maybe\n", "utf-8")
    proc = cli("batch", "people.csv", "-o", "out.parquet", "--month", "2026-01", "--no-status", "--lang", "en",
               cwd=tmp_path)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    out = pq.read_table(tmp_path / "out.parquet").to_pylist()
    # An ИП pays 5 % × 1.4 × 85 000 = 5 950 in 2026; a person who is none pays nothing.
    assert {r["id"]: str(r["entrepreneur_contribution"]) for r in out} == {
        **{f"y{k}": "5950.00" for k in range(len(yes))},
        **{f"n{k}": "0.00" for k in range(len(yes), len(yes) + len(no))},
    }
    assert (tmp_path / "out.errors.csv").read_text(encoding="utf-8").splitlines()[1:] == [
        f"{len(rows) + 1},bad,2026-01: entrepreneur: must be true or false"
    ]


def test_ids_that_excel_rounded_are_error_rows(tmp_path: Path) -> None:
    """An IIN in a cell not formatted as text is saved by Excel as 1.23457E+11 (1,23457E+11 in a Russian locale):
    its digits are lost and different persons would share it, so the row is an error saying what to do."""
    (tmp_path / "people.csv").write_text(
        'id,age,wage_1\n1.23457E+11,30,300000\n"1,23457E+11",30,300000\n123456789012,30,300000\nE+1,30,300000\n',
        encoding="utf-8",
    )
    proc = cli("batch", "people.csv", "-o", "out.parquet", "--month", "2026-01", "--no-status", "--lang", "en",
               cwd=tmp_path)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    why = "id: a number as Excel rounds it (digits lost, e.g. an IIN): format the id column as text and export again"
    assert (tmp_path / "out.errors.csv").read_text(encoding="utf-8").splitlines()[1:] == [
        f'1,1.23457E+11,"2026-01: {why}"',
        f'2,"1,23457E+11","2026-01: {why}"',
    ]
    assert pq.read_table(tmp_path / "out.parquet").column("id").to_pylist() == ["123456789012", "E+1"]
