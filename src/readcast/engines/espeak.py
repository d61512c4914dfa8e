"""eSpeak NG: the system's formant synthesizer. Robotic but clear, 100+ languages, very fast.

Used when the `espeak-ng` program is installed (Debian/Ubuntu: apt-get install espeak-ng;
macOS: brew install espeak-ng). Voices are eSpeak's language names: en-us, en-gb, de, fr, ...
"""

from __future__ import annotations

import functools
import re
import shutil
import struct
import subprocess
from pathlib import Path

from ..errors import EngineError
from .base import AudioChunk, Engine, VoiceInfo

PROGRAM = "espeak-ng"
_DEFAULT_WPM = 175  # eSpeak's own default rate, used for speed 1.0
_TIMEOUT_S = 120.0


class EspeakEngine(Engine):
    name = "espeak"
    version = "1"
    sample_rate = 22050
    languages = ("en",)  # the real list comes from the installed program: see language_list()
    default_voice = "en-us"
    licence = "GPL-3.0-or-later (eSpeak NG, run as a separate program)"

    @classmethod
    def is_available(cls) -> bool:
        return _program() is not None

    @classmethod
    def install_hint(cls) -> str:
        return (
            "Install eSpeak NG: 'sudo apt-get install espeak-ng' (Debian, Ubuntu), "
            "'brew install espeak-ng' (macOS), or the installer from the espeak-ng releases "
            "(Windows); then check that 'espeak-ng --version' works."
        )

    @classmethod
    def engine_version(cls) -> str:
        return f"{cls.version}+espeak-ng-{_program_version()}" if cls.is_available() else cls.version

    @classmethod
    def language_list(cls) -> tuple[str, ...]:
        if not cls.is_available():
            return cls.languages
        return tuple(sorted({voice.language.split("-")[0] for voice in _voice_table()}))

    @classmethod
    def voices(cls) -> list[VoiceInfo]:
        if not cls.is_available():
            return [VoiceInfo(cls.default_voice, "en-us", "English (America)", installed=False)]
        return list(_voice_table())

    @classmethod
    def resolve_voice(cls, voice: str | None, language: str, base_dir: Path) -> str:
        """An eSpeak voice: the language itself by default (en-gb, de, fr-be, ...)."""
        known = {v.name for v in _voice_table()} if cls.is_available() else set()
        if voice is None:
            tag = language.lower()
            candidates = [tag, tag.split("-")[0]]
            if tag.split("-")[0] == "en":
                candidates.insert(1, cls.default_voice)
            return next((c for c in candidates if c in known), candidates[-1])
        base = voice.split("+")[0]  # "en-us+f3": a voice with a variant
        if known and base not in known:
            raise EngineError(
                f"espeak has no voice '{base}'. Voices are language names such as "
                "en-us, en-gb, de, fr (see 'readcast voices --engine espeak')."
            )
        return voice

    def synthesize(self, text: str) -> AudioChunk:
        program = _program()
        if program is None:
            raise EngineError(f"espeak-ng is not installed. {self.install_hint()}")
        wpm = max(80, min(450, round(_DEFAULT_WPM * self.speed)))
        # Text on stdin (-b 1: UTF-8), WAV on stdout; "[[" would start eSpeak's phoneme input.
        cmd = [program, "-v", self.voice, "-s", str(wpm), "-b", "1", "--stdout"]
        try:
            result = subprocess.run(
                cmd, input=text.replace("[[", "[ [").encode("utf-8"), capture_output=True, timeout=_TIMEOUT_S
            )
        except subprocess.TimeoutExpired:
            raise EngineError(f"espeak-ng took longer than {_TIMEOUT_S:.0f} s on {text[:60]!r}") from None
        if result.returncode != 0:
            message = result.stderr.decode("utf-8", "replace").strip()[-300:]
            raise EngineError(f"espeak-ng failed (exit {result.returncode}): {message}")
        return _parse_wav(result.stdout)


def _program() -> str | None:
    return shutil.which(PROGRAM)


@functools.cache
def _program_version() -> str:
    result = subprocess.run([PROGRAM, "--version"], capture_output=True, text=True)
    match = re.search(r"speech:\s*([\w.\-]+)", result.stdout)
    return match.group(1) if match else "unknown"


@functools.cache
def _voice_table() -> tuple[VoiceInfo, ...]:
    """eSpeak's own voices (not the MBROLA ones, which need separate voice data)."""
    result = subprocess.run([PROGRAM, "--voices"], capture_output=True, text=True)
    voices: dict[str, VoiceInfo] = {}
    for line in result.stdout.splitlines()[1:]:
        fields = line.split()
        if len(fields) < 5 or fields[4].startswith("mb/") or fields[1] == "variant":
            continue
        language, name = fields[1].lower(), fields[3].replace("_", " ")
        voices.setdefault(language, VoiceInfo(language, language, name))
    return tuple(voices.values())


def _parse_wav(data: bytes) -> AudioChunk:
    """Mono s16 PCM from espeak's streamed WAV, whose header sizes are placeholders."""
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise EngineError("espeak-ng did not write a WAV file")
    position, rate = 12, 0
    while position + 8 <= len(data):
        chunk_id, size = data[position : position + 4], struct.unpack_from("<I", data, position + 4)[0]
        body = position + 8
        if chunk_id == b"fmt ":
            channels, rate, bits = (
                struct.unpack_from("<H", data, body + 2)[0],
                struct.unpack_from("<I", data, body + 4)[0],
                struct.unpack_from("<H", data, body + 14)[0],
            )
            if channels != 1 or bits != 16:
                raise EngineError(
                    f"espeak-ng wrote {channels} channel(s) of {bits}-bit audio, expected mono 16-bit"
                )
        elif chunk_id == b"data":
            pcm = data[body:]  # the size field is 0x7ffff000 when streaming: read to the end
            return AudioChunk(pcm[: len(pcm) // 2 * 2], rate or EspeakEngine.sample_rate)
        position = body + size + (size & 1)
    raise EngineError("espeak-ng wrote a WAV file without audio data")
