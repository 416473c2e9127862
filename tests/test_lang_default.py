"""--lang defaults: OSMS_LANG, then the locale (LC_ALL, LC_MESSAGES, LANG), then ru."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from conftest import ROOT

from osms.cli.common import default_lang

LOCALE_VARS = ("OSMS_LANG", "LC_ALL", "LC_MESSAGES", "LANG")


@pytest.mark.parametrize(
    ("env", "want"),
    [
        ({}, "ru"),
        ({"LANG": "C.UTF-8"}, "ru"),  # a C locale says nothing of the reader: the project default
        ({"LANG": "kk_KZ.UTF-8"}, "kk"),
        ({"LANG": "en_GB.UTF-8"}, "en"),
        ({"LANG": "de_DE.UTF-8"}, "ru"),
        ({"LC_MESSAGES": "en_US.UTF-8", "LANG": "kk_KZ.UTF-8"}, "en"),
        ({"LC_ALL": "ru_RU.UTF-8", "LC_MESSAGES": "en_US.UTF-8"}, "ru"),
        ({"OSMS_LANG": "kk", "LC_ALL": "en_US.UTF-8"}, "kk"),
        ({"OSMS_LANG": "EN"}, "en"),
    ],
)
def test_default_lang(monkeypatch: pytest.MonkeyPatch, env: dict[str, str], want: str) -> None:
    for var in LOCALE_VARS:
        monkeypatch.delenv(var, raising=False)
    for var, value in env.items():
        monkeypatch.setenv(var, value)
    assert default_lang() == want


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in LOCALE_VARS}
    return subprocess.run(
        [sys.executable, "-m", "osms", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**base, **env},
        timeout=120,
    )


def test_commands_follow_osms_lang() -> None:
    en = _run({"OSMS_LANG": "en"}, "params", "mzp")
    assert en.returncode == 0 and en.stdout.startswith("mzp — Minimum monthly wage (MZP)"), en.stderr
    kk = _run({"LANG": "kk_KZ.UTF-8"}, "params", "mzp")
    assert kk.returncode == 0 and kk.stdout.startswith("mzp — Ең төменгі жалақы"), kk.stdout[:80]
    given = _run({"OSMS_LANG": "en"}, "params", "mzp", "--lang", "ru")  # the option wins
    assert given.stdout.startswith("mzp — Минимальный размер заработной платы (МЗП)"), given.stdout[:80]


def test_invalid_osms_lang_is_a_usage_error() -> None:
    # said in the locale's language (none here: ru), since OSMS_LANG itself cannot be read
    proc = _run({"OSMS_LANG": "fr"}, "params", "mzp")
    assert proc.returncode == 2
    assert proc.stderr.endswith(
        "Ошибка: OSMS_LANG='fr' — не одно из ru, kk, en; задайте одно из них или удалите переменную\n"
    )
    assert "Traceback" not in proc.stderr
    en = _run({"OSMS_LANG": "fr", "LANG": "en_US.UTF-8"}, "params", "mzp")
    assert en.stderr.endswith("Error: OSMS_LANG='fr' is not one of ru, kk, en; set it to one of them, or unset it\n")


def test_help_reads_in_the_language_asked() -> None:
    ru = _run({"OSMS_LANG": "ru"}, "run", "--help")
    assert ru.returncode == 0
    assert ru.stdout.startswith(
        "Использование: osms-eval run [OPTIONS] SCENARIOS...\n\n  Рассчитать файлы SCENARIO: "
        "кто сколько платит за каждый запрошенный месяц.\n\nПараметры:\n"
    )
    assert "  --month TEXT           Один месяц, ГГГГ-ММ (YYYY-MM).\n" in ru.stdout
    assert "  -h, --help             Показать эту справку и выйти.\n" in ru.stdout
    kk = _run({"OSMS_LANG": "en"}, "--lang", "kk", "--help")  # --lang anywhere decides, even where it is not an option
    assert (
        "Командалар:\n" in kk.stdout
        and "  run       Сценарийлерді есептеу: кім қанша төлейді, айлар бойынша.\n" in kk.stdout
    ), kk.stdout
    en = _run({}, "validate", "--help", "--lang", "en")
    assert (
        "Check a policy DIRECTORY or --policies DIR (default: the bundled policies); exit 2 on any error."
        in en.stdout.replace("\n ", "").replace("  ", " ")
    )


@pytest.mark.parametrize(
    "command",
    ["run", "validate", "params", "schema", "coverage", "explain", "test", "batch", "diff", "serve", "sources"],
)
def test_every_command_takes_lang(command: str) -> None:
    proc = _run({"OSMS_LANG": "kk"}, command, "--help")
    assert proc.returncode == 0 and "  --lang [ru|kk|en]" in proc.stdout, proc.stdout


def test_errors_read_in_russian() -> None:
    # a month that is not one: the analyst reads what is wrong and the form wanted, in Russian
    bad = _run({}, "run", "examples/employee-300k.yaml", "--month", "2025-13", "--lang", "ru")
    assert (bad.returncode, bad.stderr) == (2, "ошибка: --month: '2025-13' — не месяц вида ГГГГ-ММ (YYYY-MM)\n")
    usage = _run({"OSMS_LANG": "ru"}, "run", "examples/employee-300k.yaml", "--format", "xml")
    assert usage.returncode == 2
    assert usage.stderr.endswith("Ошибка: Неверное значение '--format': 'xml' — не одно из: 'table', 'json'.\n")
