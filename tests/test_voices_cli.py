"""`readcast voices`: engines, voices, languages, offline or online, installed or not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from readcast.cli import app


def voices(*args: str):
    return CliRunner().invoke(app, ["voices", *args])


@pytest.mark.requires("espeak-ng")
def test_lists_every_engine_with_its_status_and_voices() -> None:
    result = voices()
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    headers = [line for line in lines if line and not line.startswith(" ")]
    assert headers == [
        "hibari  [installed, offline]  licence: Apache-2.0",
        "piper  [installed, offline]  licence: GPL-3.0-or-later (piper-tts); each voice has its own "
        "licence (joe: CC0)",
        "espeak  [installed, offline]  licence: GPL-3.0-or-later (eSpeak NG, run as a separate program)",
        "gtts  [installed, online: needs the network]  licence: MIT (gTTS library); speech from "
        "Google Translate's unofficial endpoint",
    ]
    assert "  * heart   en-us: American female" in lines
    assert any(line.startswith("    emma ") and line.endswith("(not installed)") for line in lines)
    assert any(line.startswith("  * en_US-joe-medium ") and "bundled" in line for line in lines)
    assert "* marks each engine's default voice" in result.stderr


def test_one_engine_as_json() -> None:
    result = voices("--engine", "gtts", "--json")
    assert result.exit_code == 0
    (gtts,) = json.loads(result.stdout)
    assert (gtts["name"], gtts["available"], gtts["needs_network"], gtts["default_voice"]) == (
        "gtts",
        True,
        True,
        "com",
    )
    assert {"en", "fr", "de", "ja"} <= set(gtts["languages"])
    assert {
        "name": "co.uk",
        "language": "en",
        "installed": True,
        "description": "United Kingdom accent (translate.google.co.uk)",
    } in gtts["voices"]


def test_a_missing_engine_shows_how_to_install_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no espeak-ng program
    result = voices("--engine", "espeak")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[:3] == [
        "espeak  [NOT INSTALLED, offline]  licence: GPL-3.0-or-later (eSpeak NG, run as a separate program)",
        "  languages: en",
        "  to install: Install eSpeak NG: 'sudo apt-get install espeak-ng' (Debian, Ubuntu), "
        "'brew install espeak-ng' (macOS), or the installer from the espeak-ng releases (Windows); "
        "then check that 'espeak-ng --version' works.",
    ]


def test_an_unknown_engine_is_a_clear_error() -> None:
    result = voices("--engine", "nope")
    assert result.exit_code == 1
    assert result.stderr == "error: Unknown engine 'nope'. Available: hibari, piper, espeak, gtts\n"
