"""Hostile and malformed input: YAML limits, fuzzing of every loader, and a corpus of inputs that once mattered.
Any input gives a result or a clean error (OsmsError: exit 2, file and line where they exist), never a traceback
or a hang."""

from __future__ import annotations

import contextlib
import shutil
import string
import time
from pathlib import Path

import numpy as np
import pytest
import yaml
from conftest import cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from osms.cli.main import main
from osms.core.errors import OsmsError
from osms.core.money import RoundingRangeError
from osms.inputs.scenario import parse_scenario
from osms.policy import load_policies
from osms.policy.completeness import coverage_errors
from osms.policy.expressions import PERSON, ExpressionError, compile_formula, evaluate
from osms.policy.loading import load_yaml_text
from osms.runs.scenarios import evaluate as evaluate_scenarios

HERE = Path(__file__).parent
BASE = HERE / "policy" / "base"
FUZZ = settings(
    max_examples=60, deadline=2000, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


@pytest.fixture(autouse=True)
def _no_cache(request, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # Fuzzed policies must not fill the compiled-policy cache; the batch-reader fuzz reads only the bundled
    # policies, and uses the cache so that each example measures the reader, not policy compilation.
    if "batch_reader" not in request.node.name:
        monkeypatch.setenv("OSMS_NO_CACHE", "1")


def _policy_with(tmp: Path, text: str | bytes) -> Path:
    root = tmp / "policy"
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(BASE, root)
    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    (root / "case.yaml").write_bytes(data)
    return root


def _load_cleanly(root: Path) -> None:
    try:
        policy = load_policies(root)
        coverage_errors(policy)
    except OsmsError:
        pass


def test_billion_laughs_is_refused_quickly(tmp_path: Path) -> None:
    lol = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n" for p, c in zip("abcdefgh", "bcdefghi")
    )
    start = time.perf_counter()
    proc = cli("validate", str(_policy_with(tmp_path, lol)), "--lang", "en", cwd=tmp_path)
    assert time.perf_counter() - start < 5
    assert proc.returncode == 2
    assert proc.stderr == "error: policy/case.yaml:1: YAML anchors (&a) are not allowed: write the value out in full\n"


def test_size_depth_encoding_and_tags(tmp_path: Path) -> None:
    big = cli(
        "validate", str(_policy_with(tmp_path, "# " + "x" * (2 * 1024 * 1024) + "\n")), "--lang", "en", cwd=tmp_path
    )
    assert big.returncode == 2 and "file is 2097155 bytes; the limit is 2097152" in big.stderr
    deep = cli(
        "validate", str(_policy_with(tmp_path, "a: " + "[" * 50 + "]" * 50 + "\n")), "--lang", "en", cwd=tmp_path
    )
    assert deep.returncode == 2 and "nesting deeper than 40 levels" in deep.stderr
    latin = cli("validate", str(_policy_with(tmp_path, b"parameters: {\xff: 1}\n")), "--lang", "en", cwd=tmp_path)
    assert latin.returncode == 2 and "policy/case.yaml:1: file is not UTF-8 (byte 14 of the line)" in latin.stderr
    tag = cli(
        "validate",
        str(_policy_with(tmp_path, "!!python/object/apply:os.system ['echo hi']\n")),
        "--lang",
        "en",
        cwd=tmp_path,
    )
    assert tag.returncode == 2 and "YAML syntax error" in tag.stderr and "hi" not in tag.stdout


@pytest.mark.parametrize("path", sorted((HERE / "fuzz" / "corpus").glob("*.yaml")), ids=lambda p: p.stem)
def test_corpus_of_found_inputs(path: Path, tmp_path: Path) -> None:
    proc = cli("validate", str(_policy_with(tmp_path, path.read_bytes())), cwd=tmp_path)
    assert proc.returncode in (0, 2) and "Traceback" not in proc.stderr and "internal error" not in proc.stderr


@FUZZ
@given(st.text(alphabet=string.printable + "«»ёңәі\t", max_size=400))
def test_fuzz_policy_text(tmp_path: Path, text: str) -> None:
    _load_cleanly(_policy_with(tmp_path, text))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**20), 10**20) | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=25,
)
keys = st.sampled_from(
    [
        "parameters",
        "rules",
        "categories",
        "services",
        "facts",
        "policy_set",
        "label",
        "unit",
        "values",
        "versions",
        "value",
        "formula",
        "reference",
        "confidence",
        "2024-01-01",
        "x",
    ]
)
policy_like = st.recursive(json_values, lambda inner: st.dictionaries(keys, inner, max_size=5), max_leaves=30)


@FUZZ
@given(
    st.dictionaries(
        st.sampled_from(["parameters", "rules", "categories", "services", "facts"]),
        st.dictionaries(st.sampled_from(["x", "mzp", "r"]), policy_like, max_size=3),
        max_size=3,
    )
)
def test_fuzz_policy_structure(tmp_path: Path, doc: dict) -> None:
    _load_cleanly(_policy_with(tmp_path, yaml.safe_dump(doc, allow_unicode=True)))


scenario_keys = st.sampled_from(
    [
        "person",
        "jobs",
        "birth_date",
        "residency",
        "employer",
        "from",
        "to",
        "wage",
        "wages",
        "categories",
        "id",
        "facts",
        "fact",
        "value",
        "payments",
        "paid_on",
        "for_month",
        "amount",
        "kind",
        "self_employed",
        "monthly_income",
        "2024-01",
    ]
)
scenario_like = st.recursive(
    json_values | st.sampled_from(["2024-01", "2024-01-31", "citizen", "pensioners", "self_payer"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(scenario_keys, inner, max_size=5),
    max_leaves=30,
)


@FUZZ
@given(scenario_like)
def test_fuzz_scenario(policy, doc) -> None:  # type: ignore[no-untyped-def]
    base = {"person": {"birth_date": "1990-01-01", "residency": "citizen"}}
    if isinstance(doc, dict):
        base.update(doc)
    text = yaml.safe_dump(base, allow_unicode=True)
    try:
        sc = parse_scenario(load_yaml_text(text, "fuzz.yaml"), "fuzz.yaml", policy, "fuzz")
        evaluate_scenarios(policy, [sc], [2024 * 12])
    except OsmsError:
        pass


tokens = st.sampled_from(
    [
        "mzp",
        "wage",
        "age",
        "a",
        "1",
        "0",
        "0.5",
        "+",
        "-",
        "*",
        "/",
        "(",
        ")",
        ",",
        " if ",
        " else ",
        " and ",
        " or ",
        " not ",
        "<",
        ">=",
        "==",
        "min(",
        "max(",
        "where(",
        "round_to(",
        "sum_jobs(",
        "__class__",
        ".",
        "[",
        "]",
        "'",
        "**",
        "lambda",
        ":",
    ]
)


@settings(max_examples=300, deadline=2000)
@given(st.lists(tokens, max_size=25).map("".join))
def test_fuzz_expressions(text: str) -> None:
    known = {"mzp": PERSON, "age": PERSON, "a": PERSON, "wage": "job"}
    try:
        f = compile_formula(text, known)
    except ExpressionError:
        return
    env = {
        "mzp": 85000.0,
        "age": np.array([20.0, 70.0]),
        "a": np.array([0.0, 1.0]),
        "wage": np.array([[100.0, 0.0], [50.0, 20.0]]),
    }
    with contextlib.suppress(RoundingRangeError):
        evaluate(f, env)


@settings(max_examples=40, deadline=4000, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=string.printable + "ё", max_size=300))
def test_fuzz_batch_reader(tmp_path: Path, capsys, text: str) -> None:  # type: ignore[no-untyped-def]
    src = tmp_path / "in.csv"
    src.write_text("id,age,wage_1,residency,paid_through,paid_run\n" + text, encoding="utf-8")
    out = tmp_path / "out.parquet"
    with pytest.raises(SystemExit) as code:
        main(["batch", str(src), "-o", str(out), "--month", "2024-01", "--no-progress"])
        raise SystemExit(0)
    captured = capsys.readouterr()
    assert code.value.code in (0, 2), captured.err
    assert "Traceback" not in captured.err and "internal error" not in captured.err
