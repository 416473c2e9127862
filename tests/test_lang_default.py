"""--lang defaults: OSMS_LANG, then the locale (LC_ALL, LC_MESSAGES, LANG), then ru."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from conftest import ROOT

from osms.cli.common import default_lang

LOCALE_VARS = ("OSMS_LANG", "LC_ALL", "LC_MESSAGES", "LANG")


@pytest.mark.parametrize(("env", "want"), [
    ({}, "ru"),
    ({"LANG": "C.UTF-8"}, "ru"),                       # a C locale says nothing of the reader: the project default
    ({"LANG": "kk_KZ.UTF-8"}, "kk"),
    ({"LANG": "en_GB.UTF-8"}, "en"),
    ({"LANG": "de_DE.UTF-8"}, "ru"),
    ({"LC_MESSAGES": "en_US.UTF-8", "LANG": "kk_KZ.UTF-8"}, "en"),
    ({"LC_ALL": "ru_RU.UTF-8", "LC_MESSAGES": "en_US.UTF-8"}, "ru"),
    ({"OSMS_LANG": "kk", "LC_ALL": "en_US.UTF-8"}, "kk"),
    ({"OSMS_LANG": "EN"}, "en"),
])
def test_default_lang(monkeypatch: pytest.MonkeyPatch, env: dict[str, str], want: str) -> None:
    for var in LOCALE_VARS:
        monkeypatch.delenv(var, raising=False)
    for var, value in env.items():
        monkeypatch.setenv(var, value)
    assert default_lang() == want


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in LOCALE_VARS}
    return subprocess.run([sys.executable, "-m", "osms", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**base, **env}, timeout=120)


def test_commands_follow_osms_lang() -> None:
    en = _run({"OSMS_LANG": "en"}, "params", "mzp")
    assert en.returncode == 0 and en.stdout.startswith("mzp — Minimum monthly wage (MZP)"), en.stderr
    kk = _run({"LANG": "kk_KZ.UTF-8"}, "params", "mzp")
    assert kk.returncode == 0 and kk.stdout.startswith("mzp — Ең төменгі жалақы"), kk.stdout[:80]
    given = _run({"OSMS_LANG": "en"}, "params", "mzp", "--lang", "ru")  # the option wins
    assert given.stdout.startswith("mzp — Минимальный размер заработной платы (МЗП)"), given.stdout[:80]


def test_invalid_osms_lang_is_a_usage_error() -> None:
    proc = _run({"OSMS_LANG": "fr"}, "params", "mzp")
    assert proc.returncode == 2
    assert proc.stderr.endswith("Error: OSMS_LANG='fr' is not one of ru, kk, en; set it to one of them, or unset it\n")
    assert "Traceback" not in proc.stderr
