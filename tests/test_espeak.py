"""eSpeak NG: detected on the system, intelligible, with a clear install hint when it is missing."""

from __future__ import annotations

import struct
import sys
from pathlib import Path

import pytest
from conftest import REPO, Project

from readcast.engines.espeak import EspeakEngine, _parse_wav
from readcast.errors import EngineError

sys.path.insert(0, str(REPO / "scripts"))
import asr  # noqa: E402  (scripts/ is not a package)

SENTENCE = (
    "The committee met on Tuesday morning to discuss the new library, and after a long "
    "debate they agreed to open it next spring."
)


@pytest.fixture
def no_espeak(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A system without espeak-ng: nothing on PATH."""
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))


@pytest.mark.slow
@pytest.mark.requires("espeak-ng")
def test_say_with_espeak_is_intelligible(project: Project, tmp_path: Path) -> None:
    out = tmp_path / "espeak.mp3"
    result = project.cli("say", SENTENCE, "-o", str(out), "--engine", "espeak")
    assert result.exit_code == 0, result.stderr
    assert asr.wer(SENTENCE, asr.transcribe(out)) <= 0.10


@pytest.mark.requires("espeak-ng")
def test_voices_follow_the_language_and_speed_changes_the_rate(tmp_path: Path) -> None:
    assert EspeakEngine.is_available()
    assert EspeakEngine.resolve_voice(None, "en", tmp_path) == "en-us"
    assert EspeakEngine.resolve_voice(None, "en-GB", tmp_path) == "en-gb"
    assert EspeakEngine.resolve_voice(None, "de-AT", tmp_path) == "de"
    assert EspeakEngine.resolve_voice("en-us+f3", "en", tmp_path) == "en-us+f3"
    assert {"en", "de", "fr", "ja"} <= set(EspeakEngine.language_list())
    assert EspeakEngine.engine_version().startswith("1+espeak-ng-1.")
    normal = EspeakEngine().synthesize("Good morning, everyone.")
    fast = EspeakEngine(speed=2.0).synthesize("Good morning, everyone.")
    assert normal.sample_rate == 22050
    assert normal.pcm == EspeakEngine().synthesize("Good morning, everyone.").pcm
    assert 0.4 < fast.frames / normal.frames < 0.7


@pytest.mark.requires("espeak-ng")
def test_unknown_voice_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(EngineError, match="espeak has no voice 'klingon'.*readcast voices --engine espeak"):
        EspeakEngine.resolve_voice("klingon", "en", tmp_path)


def test_missing_espeak_gives_the_install_hint(no_espeak: None, project: Project, tmp_path: Path) -> None:
    assert not EspeakEngine.is_available()
    out = tmp_path / "x.mp3"
    result = project.cli("say", "Hello.", "-o", str(out), "--engine", "espeak")
    assert result.exit_code == 1
    assert "engine 'espeak' is not available here" in result.stderr
    assert "apt-get install espeak-ng" in result.stderr and "Traceback" not in result.stderr
    assert not out.exists()


def test_streamed_wav_is_read_to_the_end() -> None:
    pcm = struct.pack("<4h", 1, -1, 300, -300)
    fmt = struct.pack("<HHIIHH", 1, 1, 22050, 44100, 2, 16)
    wav = (
        b"RIFF\xff\xff\xff\x7fWAVE"
        + b"fmt "
        + struct.pack("<I", 16)
        + fmt
        + b"data"
        + struct.pack("<I", 0x7FFFF000)
        + pcm
    )
    chunk = _parse_wav(wav)
    assert (chunk.pcm, chunk.sample_rate) == (pcm, 22050)
    with pytest.raises(EngineError, match="did not write a WAV"):
        _parse_wav(b"garbage")
