"""The engine interface: every speech engine is one module with one Engine subclass."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import numpy as np


@dataclass(frozen=True)
class AudioChunk:
    """Mono 16-bit little-endian PCM and its sample rate."""

    pcm: bytes
    sample_rate: int

    @property
    def frames(self) -> int:
        return len(self.pcm) // 2

    @property
    def seconds(self) -> float:
        return self.frames / self.sample_rate

    @classmethod
    def from_float(cls, samples: np.ndarray, sample_rate: int) -> AudioChunk:
        """Convert float samples in [-1, 1] to a chunk (clipping anything outside)."""
        pcm = (np.clip(samples, -1.0, 1.0) * 32767.0).astype("<i2").tobytes()
        return cls(pcm, sample_rate)

    @classmethod
    def silence(cls, seconds: float, sample_rate: int) -> AudioChunk:
        return cls(bytes(2 * round(seconds * sample_rate)), sample_rate)


@dataclass(frozen=True)
class VoiceInfo:
    """One voice an engine offers, for `readcast voices`."""

    name: str
    language: str
    description: str = ""
    installed: bool = True
    """False when the voice must be downloaded before use."""


class Engine(ABC):
    """A speech engine. Subclasses declare what they can do and implement `synthesize`.

    An instance is bound to one voice, speed and language; readcast creates one per
    distinct choice and reuses it for every segment that needs it.
    """

    name: ClassVar[str]
    """Name used in readcast.toml, front matter and --engine."""
    version: ClassVar[str] = "1"
    """Enters the cache key: bump it (or include the library's version) when the sound changes."""
    sample_rate: ClassVar[int]
    """Native output rate in Hz."""
    languages: ClassVar[tuple[str, ...]] = ("en",)
    """Primary language subtags the engine can speak ("en" covers "en-us", "en-gb")."""
    needs_network: ClassVar[bool] = False
    default_voice: ClassVar[str] = ""
    licence: ClassVar[str] = ""
    supports_phonemes: ClassVar[bool] = False
    """True when `phoneme_markup` can make the engine say an IPA transcription."""

    def __init__(self, voice: str | None = None, speed: float = 1.0, language: str = "en") -> None:
        self.voice = voice or self.default_voice
        self.speed = speed
        self.language = language

    @classmethod
    def is_available(cls) -> bool:
        """False when an optional dependency or system program is missing."""
        return True

    @classmethod
    def install_hint(cls) -> str:
        """How to make the engine available, shown when `is_available` is False."""
        return ""

    @classmethod
    def voices(cls) -> list[VoiceInfo]:
        return [VoiceInfo(cls.default_voice, cls.languages[0])]

    @classmethod
    def language_list(cls) -> tuple[str, ...]:
        """Languages the engine can speak here (override when it depends on what is installed)."""
        return cls.languages

    @classmethod
    def speaks(cls, language: str) -> bool:
        return language.lower().split("-")[0] in cls.language_list()

    @classmethod
    def resolve_voice(cls, voice: str | None, language: str, base_dir: Path) -> str:
        """The voice to use for `language` when the user asked for `voice` (None: the default).

        Called once per article before any synthesis, so a wrong voice fails fast:
        raise EngineError saying what is wrong and which voices exist. `base_dir` is where
        relative paths are resolved (the project folder, or the current one for `say`).
        """
        return voice or cls.default_voice

    @classmethod
    def engine_version(cls) -> str:
        """The version that enters the cache key (override to add the library's version)."""
        return cls.version

    @classmethod
    def engine_version_for(cls, voice: str) -> str:
        """The cache-key version for one resolved voice (override when a voice file can change)."""
        return cls.engine_version()

    def phoneme_markup(self, word: str, ipa: str) -> str:
        """Text that makes this engine say `word` as the IPA `ipa` (only if supports_phonemes)."""
        return word

    @abstractmethod
    def synthesize(self, text: str) -> AudioChunk:
        """Speak `text` (already normalized for speech) and return mono PCM."""
