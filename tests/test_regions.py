"""The akimats' base keyed by region (docs/legal-basis.md §7.7): what `params` and `explain` show an analyst."""

from __future__ import annotations

from pathlib import Path

from conftest import cli

UNEMPLOYED = """person: {{birth_date: 1990-01-01, residency: citizen}}
facts: [{{fact: registered_unemployed, from: 2025-06}}, {{fact: region, from: 2020-01, value: {region}}}]
"""


def test_params_lists_each_region_and_the_fallback() -> None:
    proc = cli("params", "local_contribution_base", "--lang", "en")
    assert proc.returncode == 0, proc.stderr
    assert (
        "from 2026-01-01: atyrau 633 300; mangystau 580 900; astana 538 000; almaty 491 000; jetisu 293 200; "
        "north_kazakhstan 293 400; turkestan 295 300; zhambyl 299 970; fallback 405 416   [I]"
    ) in proc.stdout


def test_explain_names_the_region_and_says_when_the_fallback_is_used(tmp_path: Path) -> None:
    for region, base, fallback in (("atyrau", "633 300", False), ("akmola", "405 416", True)):
        path = tmp_path / f"{region}.yaml"
        path.write_text(UNEMPLOYED.format(region=region), encoding="utf-8")
        proc = cli("explain", str(path), "--month", "2026-03", "--lang", "en", "--detail")
        assert proc.returncode == 0, proc.stderr
        lines = proc.stdout.splitlines()
        at = next(i for i, line in enumerate(lines) if "local_contribution_base = " in line)
        assert f"local_contribution_base = {base} — " in lines[at]
        assert lines[at + 1].endswith(f"· region = {region} ({region.capitalize()} Region)")
        said = "· no figure for this region: the fallback (national) figure is used"
        assert lines[at + 2].endswith(said) is fallback


def test_the_plain_explanation_names_the_region_and_the_fallback(tmp_path: Path) -> None:
    said = "no figure for this region: the fallback (national) figure is used"
    for region, fallback in (("atyrau", False), ("akmola", True)):
        path = tmp_path / f"{region}.yaml"
        path.write_text(UNEMPLOYED.format(region=region), encoding="utf-8")
        proc = cli("explain", str(path), "--month", "2026-03", "--lang", "en")
        assert proc.returncode == 0, proc.stderr
        text = " ".join(proc.stdout.split())
        assert f"(region = {region.capitalize()} Region" in text
        assert (said in text) is fallback
