"""The law lives in policies/: a rule added in YAML, or a status parameter renamed there, reaches `run`, `explain`
and `diff` with no change to Python."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT, cli

from osms.policy import PolicySet
from osms.policy.facts import BUILTIN_FACTS

ENGINE = ROOT / "src" / "osms"
# Where a name of the bundled policies is also a word of the engine's own vocabulary. Each entry says why, and names
# the files where the word is the engine's; anywhere else, or a name not listed, fails.
ENGINE_WORDS = {
    "gobmp": (
        "the services' package `gobmp` (the catalogue's vocabulary, like `osms` and `everyone`); the rule "
        "of that name is read through the role basic_entitled",
        {"outputs/services.py", "policy/roles.py", "policy/schema.py", "schemas/policy.schema.json"},
    ),
    "it_failure": (
        "the insured-status route `it_failure` (an `insured_reason` value) and the history's column for "
        "it; the fact of that name is read through the role system_failure",
        {
            "engine/status.py",
            "outputs/records.py",
            "engine/history.py",
            "runs/population_status.py",
            "policy/roles.py",
            "runs/scenarios.py",
            "schemas/policy.schema.json",
        },
    ),
    "children": (
        "the explanation tree's `children` key",
        {"outputs/explain.py", "outputs/explain_text.py", "serve/models.py", "serve/static/page.js"},
    ),
    "region": (
        "the English word, in comments, a message and the schemas' examples; the engine reads the fact a "
        "parameter is keyed by from the parameter's keyed_by, never by this name",
        {
            "cli/params.py",
            "outputs/explain.py",
            "outputs/explain_text.py",
            "policy/facts.py",
            "inputs/population_rows.py",
            "outputs/records.py",
            "policy/schema.py",
            "schemas/cases.schema.json",
            "schemas/policy.schema.json",
            "schemas/scenario.schema.json",
        },
    ),
}


def _policy_names(policy: PolicySet) -> set[str]:
    """Every parameter, rule, fact, category and service the bundled policies declare (the built-in facts are the
    scenario format's own, declared by the engine in osms/facts.py, and are not law names)."""
    return (
        set(policy.parameters) | set(policy.rules) | set(policy.facts) | set(policy.categories) | set(policy.services)
    ) - set(BUILTIN_FACTS)


def _engine_files() -> list[Path]:
    """The engine's source: Python, and the JSON Schemas and page assets shipped with it (built from Python
    constants, not from the policies, so they too must hold no name of the law)."""
    return sorted([*ENGINE.rglob("*.py"), *ENGINE.rglob("*.json"), *(ENGINE / "serve" / "static").glob("*")])


def test_no_name_of_the_bundled_policies_in_the_engine(policy: PolicySet) -> None:
    names = _policy_names(policy)
    assert len(names) > 100  # 33 parameters, 12 rules, 20 declared facts, 18 categories, 31 services, less overlaps
    pattern = re.compile(r"\b(" + "|".join(sorted(map(re.escape, names), key=len, reverse=True)) + r")\b")
    hits, used = [], set()
    for path in _engine_files():
        rel = path.relative_to(ENGINE).as_posix()
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for m in pattern.finditer(line):
                name = m.group(1)
                if name in ENGINE_WORDS and rel in ENGINE_WORDS[name][1]:
                    used.add((name, rel))
                else:
                    hits.append(f"src/osms/{rel}:{n}: {name}")
    assert hits == []
    stale = {(name, f) for name, (_, files) in ENGINE_WORDS.items() for f in files} - used
    assert stale == set()  # an allowance no longer needed is removed


GIT = ("-c", "user.name=a", "-c", "user.email=a@b")

# A rule that exists only in YAML: nothing before 2026, then 1 % of all wages, paid by nobody (an output only, so
# no payment stream and no change to anyone's insured status).
NEW_RULE = """\
rules:
  solidarity_levy:
    label: {ru: Тестовый сбор, kk: Сынақ алымы, en: Test levy}
    unit: tenge
    versions:
      2020-01-01:
        formula: "0"
        reference:
          {act: Закон РК «Об обязательном социальном медицинском страховании», number: 405-V, adopted: 2015-11-16,
           article: ст. 1, sources: [law-405-v]}
        confidence: I
        assumption: {ru: тест, kk: сынақ, en: a test rule}
      2026-01-01:
        formula: 0.01 * sum_jobs(wage)
        reference:
          {act: Закон РК «Об обязательном социальном медицинском страховании», number: 405-V, adopted: 2015-11-16,
           article: ст. 1, sources: [law-405-v]}
        confidence: I
        assumption: {ru: тест, kk: сынақ, en: a test rule}
"""


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def policy_repo(tmp_path: Path) -> Path:
    """The bundled policies and examples in a git repository, committed on `main`, with branch `amend` checked out."""
    repo = tmp_path / "policy-repo"
    shutil.copytree(ROOT / "policies", repo / "policies")
    shutil.copytree(ROOT / "examples", repo / "examples")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, *GIT, "commit", "-qm", "the law as bundled")
    git(repo, "checkout", "-qb", "amend")
    return repo


def test_a_rule_added_in_yaml_is_run_explained_and_diffed(tmp_path: Path) -> None:
    repo = policy_repo(tmp_path)
    (repo / "policies" / "rules" / "solidarity_levy.yaml").write_text(NEW_RULE, encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, *GIT, "commit", "-qm", "a test levy from 2026")

    # employee-300k: 1 % × 300 000 = 3 000
    run = cli(
        "run",
        "examples/employee-300k.yaml",
        "--month",
        "2026-01",
        "--format",
        "json",
        "--policies",
        "policies",
        cwd=repo,
    )
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["results"][0]["solidarity_levy"] == 3000

    explain = cli(
        "explain",
        "examples/employee-300k.yaml",
        "--month",
        "2026-01",
        "--output",
        "solidarity_levy",
        "--detail",
        "--lang",
        "en",
        "--policies",
        "policies",
        cwd=repo,
    )
    assert explain.returncode == 0, explain.stderr
    assert "solidarity_levy" in explain.stdout and "0.01 * sum_jobs(wage)" in explain.stdout

    diff = cli("diff", "main", "HEAD", "--lang", "en", cwd=repo)
    assert diff.returncode == 1, diff.stderr
    assert "from 2026-01-01  rule solidarity_levy (Test levy): added" in diff.stdout
    affected = diff.stdout.split("who is affected")[1]
    # before the rule there is no value (—); from 2026-01 it is 1 % × 300 000 = 3 000
    assert "employee-300k            solidarity_levy              2026-01 … 2026-12   — → 3 000" in affected


def test_a_status_parameter_renamed_in_yaml_is_read_explained_and_diffed(tmp_path: Path) -> None:
    repo = policy_repo(tmp_path)
    status = repo / "policies" / "parameters" / "status" / "insured_status.yaml"
    text = status.read_text(encoding="utf-8")
    assert text.count("\n  grace_months:\n") == 1
    status.write_text(text.replace("\n  grace_months:\n", "\n  months_of_grace:\n"), encoding="utf-8")
    header = repo / "policies" / "policy.yaml"
    text = header.read_text(encoding="utf-8")
    assert text.count("    grace: grace_months\n") == 1
    header.write_text(text.replace("    grace: grace_months\n", "    grace: months_of_grace\n"), encoding="utf-8")
    git(repo, *GIT, "commit", "-qam", "the grace period parameter renamed")

    validate = cli("validate", "--strict", "policies", cwd=repo)
    assert validate.returncode == 0, validate.stdout + validate.stderr
    run = cli(
        "run",
        "examples/employee-300k.yaml",
        "--month",
        "2025-06",
        "--format",
        "json",
        "--policies",
        "policies",
        cwd=repo,
    )
    assert run.returncode == 0, run.stderr
    record = json.loads(run.stdout)["results"][0]
    assert record["insured"] is True and record["insured_reason"] == "payments"

    explain = cli(
        "explain",
        "examples/employee-300k.yaml",
        "--month",
        "2025-06",
        "--format",
        "json",
        "--policies",
        "policies",
        cwd=repo,
    )
    assert explain.returncode == 0, explain.stderr
    read = {c["name"]: c["value"] for c in json.loads(explain.stdout)["results"][0]["status"]["children"]}
    assert read["months_of_grace"] == 3 and "grace_months" not in read  # 3 months: art. 5 p. 2

    diff = cli("diff", "main", "HEAD", "--format", "json", cwd=repo)
    assert diff.returncode == 1, diff.stderr
    changes = {(c["name"], c["change"]) for c in json.loads(diff.stdout)["changes"]}
    assert ("grace_months", "removed") in changes and ("months_of_grace", "added") in changes
    assert ("grace", "changed") in changes  # the rebinding is shown with the changes
    text = cli("diff", "main", "HEAD", "--lang", "en", cwd=repo).stdout
    assert (
        "from 2020-01-01  role grace (parameter bound to the engine's role grace): changed, "
        "bound: grace_months → bound: months_of_grace"
    ) in text
    assert json.loads(diff.stdout)["impacts"] == []  # the same law under a new name: nobody's result changes


def test_a_role_bound_to_a_missing_parameter_is_an_error(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "policies", tmp_path / "policies")
    header = tmp_path / "policies" / "policy.yaml"
    text = header.read_text(encoding="utf-8")
    header.write_text(text.replace("    grace: grace_months\n", "    grace: grace_period\n"), encoding="utf-8")
    proc = cli("validate", str(tmp_path / "policies"), "--lang", "en")
    assert proc.returncode == 2
    line = text[: text.index("    grace: grace_months")].count("\n") + 1
    assert (
        f"policies/policy.yaml:{line}: roles.parameters.grace: role grace is bound to 'grace_period', which is "
        f"not a parameter of this set"
    ) in proc.stdout + proc.stderr


def _base_copy(tmp_path: Path, old: str, new: str) -> tuple[Path, int]:
    """The test set of tests/policy/base with one edit of its policy.yaml; the edit's line."""
    root = tmp_path / "policy"
    shutil.copytree(ROOT / "tests" / "policy" / "base", root)
    header = root / "policy.yaml"
    text = header.read_text(encoding="utf-8")
    assert text.count(old) == 1
    header.write_text(text.replace(old, new), encoding="utf-8")
    return root, text[: text.index(old)].count("\n") + 1


def test_a_role_bound_to_a_name_of_the_wrong_kind_is_an_error(tmp_path: Path) -> None:
    root, line = _base_copy(tmp_path, "    basic_entitled: takes_part\n", "    basic_entitled: paid_total\n")
    proc = cli("validate", str(root), "--lang", "en", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr == (
        f"error: policy/policy.yaml:{line}: roles.rules.basic_entitled: role basic_entitled needs "
        f"a rule in bool; 'paid_total' is in tenge\n"
    )


def test_a_role_parameter_with_no_value_in_a_covered_month_is_an_error(tmp_path: Path) -> None:
    # The grace period defined only from 2024-03: insured status could not be decided in 2024-01 and 2024-02.
    root, _ = _base_copy(tmp_path, "      2024-01-01: {value: 3,", "      2024-03-01: {value: 3,")
    text = (root / "policy.yaml").read_text(encoding="utf-8")
    line = text[: text.index("  grace_period:\n")].count("\n") + 1
    proc = cli("validate", str(root), "--lang", "en", cwd=tmp_path)
    assert proc.returncode == 2
    assert (
        f"policy/policy.yaml:{line}: parameters.grace_period: parameter 'grace_period' (role grace) has no value "
        f"for 2024-01–2024-02, which the policy set covers"
    ) in proc.stderr


def test_the_cache_key_follows_the_engine_and_the_roles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A change anywhere in the engine's source (a subpackage too) or in the roles binding gives a new cache key,
    so a compiled policy set from before the change is never loaded."""
    import osms.policy.cache as cache_module
    from osms.policy import policy_files
    from osms.policy.cache import cache_key

    engine = tmp_path / "osms"
    shutil.copytree(ENGINE, engine, ignore=shutil.ignore_patterns("__pycache__", "schemas", "static"))
    monkeypatch.setattr(cache_module, "__file__", str(engine / "policy" / "cache.py"))
    policies = tmp_path / "policies"
    shutil.copytree(ROOT / "policies", policies)

    def key() -> str:
        return cache_key(policies, policy_files(policies), None)

    first = key()
    assert key() == first
    main = engine / "cli" / "main.py"
    main.write_text(main.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    second = key()
    assert second != first
    header = policies / "policy.yaml"
    header.write_text(
        header.read_text(encoding="utf-8").replace("    grace: grace_months\n", "    grace: extended_grace_months\n"),
        encoding="utf-8",
    )
    assert key() not in (first, second)


def test_an_outcome_reworded_in_yaml_is_what_explain_and_coverage_say(tmp_path: Path) -> None:
    """Why a person is insured and why a service is covered are worded in policies/outcomes.yaml: a new wording
    there is what the analyst reads, with no change to Python."""
    policies = tmp_path / "policies"
    shutil.copytree(ROOT / "policies", policies)
    outcomes = policies / "outcomes.yaml"
    text = outcomes.read_text(encoding="utf-8")
    text = text.replace(
        'en: "the required consecutive paid months with no debt (art. 5 p. 3)"',
        'en: "twelve paid months in a row, no debt (test wording)"',
    ).replace(
        'en: "ОСМС package: the person is insured"',
        'en: "insured package, insured person (test wording)"',
    )
    outcomes.write_text(text, encoding="utf-8")
    scenario = str(ROOT / "examples" / "employee-300k.yaml")
    explain = cli("explain", scenario, "--month", "2026-01", "--lang", "en", "--policies", str(policies))
    assert explain.returncode == 0, explain.stderr
    # employee-300k works from 2020-01, deductions assumed paid on time → the last 12 months paid, the payments route
    assert "insured — twelve paid months in a row, no debt (test wording)" in " ".join(explain.stdout.split())
    coverage = cli(
        "coverage", scenario, "--on", "2026-01-15", "--format", "json", "--lang", "en", "--policies", str(policies)
    )
    assert coverage.returncode == 0, coverage.stderr
    osms_services = [s for s in json.loads(coverage.stdout)["results"] if s["package"] == "osms"]
    assert osms_services and {s["explanation"] for s in osms_services} == {
        "insured package, insured person (test wording)"
    }
