"""tone: a test engine that "says" each word as a short beep. Deterministic, instant, any language.

For readcast's own tests (and for trying a pipeline change without waiting for speech): every
word becomes a sine tone whose pitch comes from the word and whose length from its letters, so
the audio changes exactly when the text, speed or voice does. Not meant for listening.
"""

from __future__ import annotations

import re
import zlib
from pathlib import Path

import numpy as np

from ..errors import EngineError
from .base import AudioChunk, Engine, VoiceInfo

# Base pitch per voice, in Hz; a word's pitch is its base times one of a few steps above it.
_VOICES = {"low": 220.0, "mid": 330.0, "high": 440.0}
_STEPS = (1.0, 9 / 8, 5 / 4, 4 / 3, 3 / 2, 5 / 3, 15 / 8, 2.0)
_SECONDS_PER_LETTER = 0.025
_MIN_WORD_S = 0.06
_GAP_S = 0.03  # silence after each word
_FADE_S = 0.005  # ramps at both ends of a tone, so words do not click
_AMPLITUDE = 0.3
_WORD_RE = re.compile(r"\w+", re.UNICODE)


class ToneEngine(Engine):
    name = "tone"
    version = "1"
    sample_rate = 24000
    languages = ("en",)
    default_voice = "mid"
    licence = "GPL-3.0-or-later (part of readcast; a test engine, not speech)"

    @classmethod
    def voices(cls) -> list[VoiceInfo]:
        return [VoiceInfo(name, "any", f"test tones from {hz:.0f} Hz") for name, hz in _VOICES.items()]

    @classmethod
    def speaks(cls, language: str) -> bool:
        return True  # beeps have no language, so tests can build articles in any

    @classmethod
    def resolve_voice(cls, voice: str | None, language: str, base_dir: Path) -> str:
        name = voice or cls.default_voice
        if name not in _VOICES:
            raise EngineError(f"tone has no voice '{name}'. Voices: {', '.join(_VOICES)}.")
        return name

    def synthesize(self, text: str) -> AudioChunk:
        words = _WORD_RE.findall(text) or ([text.strip()] if text.strip() else [])
        rate = self.sample_rate
        base = _VOICES.get(self.voice, _VOICES[self.default_voice])
        gap = np.zeros(round(_GAP_S / self.speed * rate))
        pieces = []
        for word in words:
            seconds = max(_MIN_WORD_S, _SECONDS_PER_LETTER * len(word)) / self.speed
            t = np.arange(round(seconds * rate)) / rate
            pitch = base * _STEPS[zlib.crc32(word.lower().encode("utf-8")) % len(_STEPS)]
            tone = _AMPLITUDE * np.sin(2 * np.pi * pitch * t)
            fade = min(len(t) // 2, round(_FADE_S * rate))
            ramp = np.linspace(0.0, 1.0, fade)
            tone[:fade] *= ramp
            tone[len(t) - fade :] *= ramp[::-1]
            pieces += [tone, gap]
        samples = np.concatenate(pieces) if pieces else np.zeros(0)
        return AudioChunk.from_float(samples, rate)
