"""hibari-tts: the default engine. Offline, bundled English voice, about 100x realtime on one core."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import ClassVar

import numpy as np

from ..errors import EngineError
from .base import AudioChunk, Engine, VoiceInfo

_SENTENCE_GAP_S = 0.12  # hibari's sentences end abruptly; a short gap keeps them apart


class HibariEngine(Engine):
    name = "hibari"
    version = "1"
    sample_rate = 24000
    languages = ("en",)
    default_voice = "heart"
    licence = "Apache-2.0"
    supports_phonemes = True
    _models: ClassVar[dict[str, object]] = {}

    @classmethod
    def engine_version(cls) -> str:
        import hibari

        return f"{cls.version}+hibari-{hibari.__version__}"

    @classmethod
    def install_hint(cls) -> str:
        return "pip install hibari-tts (a core dependency of readcast: reinstall readcast)"

    @classmethod
    def voices(cls) -> list[VoiceInfo]:
        from hibari.voices import VOICES, cache_dir

        infos = []
        for name, info in VOICES.items():
            installed = bool(info.get("bundled")) or os.path.exists(os.path.join(cache_dir(), info["file"]))
            description = f"{info.get('accent', '')} {info.get('gender', '')}".strip()
            if not installed:
                description += "; downloaded on first use (needs the network once)"
            infos.append(VoiceInfo(name, "en-gb" if info.get("british") else "en-us", description,
                                   installed))
        return infos

    @classmethod
    def resolve_voice(cls, voice: str | None, language: str, base_dir: Path) -> str:
        from hibari.voices import VOICES

        name = voice or cls.default_voice
        if name not in VOICES:
            raise EngineError(f"hibari has no voice '{name}'. Voices: {', '.join(VOICES)} "
                              "(see 'readcast voices --engine hibari').")
        return name

    def _model(self):
        model = self._models.get(self.voice)
        if model is None:
            from hibari import Hibari
            from hibari.voices import VOICES

            if self.voice not in VOICES:
                raise EngineError(f"hibari has no voice '{self.voice}'. Voices: {', '.join(VOICES)}")
            try:
                model = Hibari(voice=self.voice, threads=1)
            except RuntimeError as exc:  # a voice that is not bundled and could not be downloaded
                raise EngineError(f"hibari voice '{self.voice}' is not installed and could not be "
                                  f"downloaded ({exc}). It needs the network once; offline, use "
                                  "the bundled voice 'heart'.") from None
            self._models[self.voice] = model
        return model

    def phoneme_markup(self, word: str, ipa: str) -> str:
        return f"[{word}](/{ipa}/)"

    def synthesize(self, text: str) -> AudioChunk:
        model = self._model()
        gap = np.zeros(round(_SENTENCE_GAP_S * self.sample_rate), np.float32)
        parts: list[np.ndarray] = []
        # seed=0: the same text always gives the same samples, so rebuilds are byte-identical.
        for sentence in model.stream(_clean(text), speed=self.speed, seed=0):
            if parts:
                parts.append(gap)
            parts.append(sentence)
        samples = np.concatenate(parts) if parts else np.zeros(0, np.float32)
        return AudioChunk.from_float(samples, self.sample_rate)


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
