"""The bibliography: `osms-eval sources`, the freshness lint, titles and addresses in explain/params/diff, and a
project that stands alone (no file names anything outside the repository; every legal-basis section cited exists)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

from conftest import cli

HERE = Path(__file__).parent
ROOT = HERE.parent
ADILET_405 = "https://adilet.zan.kz/rus/docs/Z1500000405"


def test_sources_key_lists_title_address_and_every_use() -> None:
    proc = cli("sources", "law-405-v", "--lang", "en")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "law-405-v: On compulsory social medical insurance"
    assert lines[1] == "  Об обязательном социальном медицинском страховании"
    assert f"  · address: {ADILET_405}" in lines
    # Every use is a file:line whose line really holds a reference naming the key.
    uses = [ln.split() for ln in lines if ln.startswith("      policies/")]
    assert len(uses) > 40
    for where, field in uses:
        file, line = where.rsplit(":", 1)
        text = (ROOT / file).read_text(encoding="utf-8").splitlines()[int(line) - 1]
        assert "law-405-v" in text and "reference:" in text, (where, field)


def test_sources_json_and_unknown_address_stated() -> None:
    proc = cli("sources", "law-206-viii", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    (entry,) = json.loads(proc.stdout)["sources"]
    assert entry["number"] == "206-VIII ЗРК"
    assert entry["published"] == "2025-07-14" and entry["in_force"] == "2026-01-01"
    assert entry["address"] == "http://insecure.zan.kz/kaz/docs/Z2500000206" and entry["stale"] is False
    assert {
        "file": "policies/parameters/employer/deduction_cap.yaml",
        "line": 28,
        "field": "parameters.employer_deduction_cap.values.2026-01-01.reference.sources[0]",
    } in entry["used"]
    (order,) = json.loads(cli("sources", "moh-order-111-2025", "--format", "json").stdout)["sources"]
    assert order["address"] is None and order["address_unknown"].startswith("the order's adilet.zan.kz page was not")
    assert order["via"] == ["lada-2025-10-order-111", "zakon-2025-10-new-consumer-rules"]
    (report,) = json.loads(cli("sources", "lada-2025-10-order-111", "--format", "json").stdout)["sources"]
    assert report["read_for"] == ["moh-order-111-2025"]


def test_sources_unknown_key_is_an_error_with_a_hint() -> None:
    proc = cli("sources", "law-405v", "--lang", "en")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith("error: KEY: unknown source 'law-405v' (did you mean 'law-405-v'?)")


def test_every_bundled_source_is_cited_or_read_through() -> None:
    doc = json.loads(cli("sources", "--format", "json").stdout)
    unused = [s["key"] for s in doc["sources"] if not s["used"] and not s["read_for"]]
    # The two base orders are cited through their amending orders; they are kept so the amendments can be followed.
    assert unused == ["moh-order-478-2017", "moh-order-dsm-333-2020"]


def _with_sources(tmp_path: Path, extra: str) -> Path:
    root = tmp_path / "policy"
    shutil.copytree(HERE / "policy" / "base", root)
    (root / "stale.yaml").write_text(extra, encoding="utf-8")
    return root


STALE = """sources:
  law-x:
    title: Об обязательном социальном медицинском страховании
    publisher: Парламент РК
    kind: law
    published: 2015-11-16
    address: https://adilet.zan.kz/rus/docs/Z1500000405
    language: [ru]
    checked: 2025-06-01
    amended: [2020-05-13, 2025-07-14]
"""


def test_a_source_amended_after_it_was_checked_warns_and_fails_strict(tmp_path: Path) -> None:
    root = _with_sources(tmp_path, STALE)
    plain = cli("validate", str(root), "--show-warnings", "--lang", "en", cwd=tmp_path)
    assert plain.returncode == 0, plain.stderr
    warning = (
        "policy/stale.yaml:2: sources.law-x: the document was amended on 2025-07-14, after this entry was last "
        "checked on 2025-06-01: read it again, then update `checked`"
    )
    assert f"  warning: {warning}" in plain.stdout
    strict = cli("validate", str(root), "--strict", "--lang", "en", cwd=tmp_path)
    assert strict.returncode == 2 and strict.stderr == f"error: {warning}\n"
    shown = cli("sources", "law-x", "--policies", str(root), "--lang", "en", cwd=tmp_path)
    assert shown.stdout.splitlines()[0].endswith("[AMENDED AFTER IT WAS CHECKED]")
    # Checked again after the amendment: no warning.
    root2 = _with_sources(tmp_path / "again", STALE.replace("checked: 2025-06-01", "checked: 2025-07-20"))
    assert cli("validate", str(root2), "--strict", "--lang", "en", cwd=tmp_path).returncode == 0


def test_bundled_policies_pass_strict() -> None:
    proc = cli("validate", "--strict")
    assert proc.returncode == 0, proc.stderr
    assert "warnings" not in proc.stdout


def test_params_and_explain_show_titles_and_addresses_not_keys() -> None:
    params = cli("params", "employer_deduction_cap", "--lang", "kk").stdout
    assert (
        "– Міндетті әлеуметтік медициналық сақтандыру туралы (Республика Казахстан (Закон; Парламент РК), "
        f"№ 405-V ЗРК, 2015-11-16) — {ADILET_405}"
    ) in params
    assert "(мекенжайы белгісіз: osms-eval sources fund-pages-gobmp-osms-2024)" in params
    assert "болжам: 10 ЕТЖ шегі" in params
    explain = cli(
        "explain",
        str(ROOT / "examples" / "employee-300k.yaml"),
        "--month",
        "2026-01",
        "--output",
        "employer_deduction",
        "--lang",
        "en",
        "--detail",
    ).stdout
    assert (
        "– [KPMG Kazakhstan tax and legal newsflash, July 2025] (KPMG Kazakhstan, 2025-07) — "
        "https://launch.kpmg.com/kz/en/home/insights/2025/07/nf-jul.html" in explain
    )
    assert "kpmg-2025-07-newsflash" not in explain


def test_diff_prints_the_sources_of_a_change(tmp_path: Path) -> None:
    head = tmp_path / "policies"
    shutil.copytree(ROOT / "policies", head)
    cap = head / "parameters" / "employer" / "deduction_cap.yaml"
    cap.write_text(cap.read_text(encoding="utf-8").replace("        value: 40\n", "        value: 50\n"), "utf-8")
    proc = cli("diff", str(ROOT / "policies"), str(head), "--lang", "en", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert (
        "        – [KPMG Kazakhstan tax and legal newsflash, July 2025] (KPMG Kazakhstan, 2025-07) — "
        "https://launch.kpmg.com/kz/en/home/insights/2025/07/nf-jul.html"
    ) in proc.stdout.splitlines()
    md = cli("diff", str(ROOT / "policies"), str(head), "--format", "markdown", cwd=tmp_path).stdout
    assert "[[Changes in social contributions in 2026]](https://kz.f-chain.com/en/" in md


def _repo_files() -> list[Path]:
    out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return [ROOT / f for f in out.splitlines() if (ROOT / f).is_file()]


def test_no_file_names_anything_outside_the_repository() -> None:
    # The research material lives outside the repository; nothing here may point to it.
    # The pattern is assembled so that this file does not itself spell the names it looks for.
    bad = re.compile("|".join(["osms" + "-law", "sha" + "red/", r"\bs" + r"eed0\d\d\b", r"\.\./s" + "eeds"]))
    offenders = []
    for path in _repo_files():
        if path.suffix in (".parquet", ".pickle"):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        offenders += [
            f"{path.relative_to(ROOT)}:{i}" for i, line in enumerate(text.splitlines(), 1) if bad.search(line)
        ]
    assert offenders == []


def test_every_cited_legal_basis_section_exists() -> None:
    anchors = set(re.findall(r'<a id="s([\d.]+)"></a>', (ROOT / "docs" / "legal-basis.md").read_text("utf-8")))
    cited = set()
    for path in _repo_files():
        if path.suffix in (".yaml", ".md", ".py"):
            for m in re.finditer(r"legal-basis\.md ((?:§[\d.]+(?:[–, ]+)?)+)", path.read_text("utf-8")):
                cited.update(re.findall(r"§([\d]+(?:\.\d+)*)", m[1]))
    assert cited and cited <= anchors, sorted(cited - anchors)


def test_a_citation_says_what_it_lacks() -> None:
    # The 2021 rate comes from a report on the 2021–2023 budget law, whose number and date no source gives.
    text = cli("params", "state_contribution_rate", "--at", "2021-06-01", "--lang", "en").stdout
    assert (
        "[S] Закон РК «О республиканском бюджете на 2021–2023 годы» (act number not established; adoption date not "
        "established)"
    ) in text
    doc = json.loads(cli("params", "state_contribution_rate", "--at", "2021-06-01", "--format", "json").stdout)
    (value,) = doc["parameters"][0]["values"]
    assert value["unknown"]["number"] == "the sources name the budget law without its number"
    assert value["sources"][0]["key"] == "budget-law-2021-2023" and value["sources"][0]["address"] is None
