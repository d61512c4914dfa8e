"""hibari-tts: the default engine. Offline, bundled English voice, about 100x realtime on one core."""

from __future__ import annotations

import http.client
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
            infos.append(VoiceInfo(name, "en-gb" if info.get("british") else "en-us", description, installed))
        return infos

    @classmethod
    def resolve_voice(cls, voice: str | None, language: str, base_dir: Path) -> str:
        from hibari.voices import VOICES

        name = voice or cls.default_voice
        if name not in VOICES:
            raise EngineError(
                f"hibari has no voice '{name}'. Voices: {', '.join(VOICES)} "
                "(see 'readcast voices --engine hibari')."
            )
        _ensure_installed(name)  # once, here, rather than in every synthesis process
        return name

    def _model(self):
        model = self._models.get(self.voice)
        if model is None:
            from hibari import Hibari
            from hibari.voices import VOICES

            if self.voice not in VOICES:
                raise EngineError(f"hibari has no voice '{self.voice}'. Voices: {', '.join(VOICES)}")
            _ensure_installed(self.voice)
            model = Hibari(voice=self.voice, threads=1)
            self._models[self.voice] = model
        return model

    def phoneme_markup(self, word: str, ipa: str) -> str:
        return f"[{word}](/{misaki_phonemes(ipa)}/)"

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


def _ensure_installed(name: str) -> None:
    """Download a voice that is not bundled (hibari checks its sha256 and renames atomically)."""
    from hibari.voices import voice_path

    try:
        voice_path(name)
    except (RuntimeError, OSError, ValueError, http.client.HTTPException) as exc:
        raise EngineError(
            f"hibari voice '{name}' is not installed and could not be downloaded "
            f"({exc}). It needs the network once; offline, use the bundled voice "
            "'heart'."
        ) from None


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


# Standard IPA -> the misaki alphabet hibari's model was trained on (diphthongs and affricates are
# one symbol each; stress marks sit just before the stressed vowel). Unknown symbols are dropped
# by hibari, so the ASCII look-alikes (g, r, ') must be mapped too.
_IPA_SEQUENCES = [
    ("dʒ", "ʤ"),
    ("d͡ʒ", "ʤ"),
    ("tʃ", "ʧ"),
    ("t͡ʃ", "ʧ"),
    ("eɪ", "A"),
    ("aɪ", "I"),
    ("aʊ", "W"),
    ("ɔɪ", "Y"),
    ("oʊ", "O"),
    ("əʊ", "O"),
    ("ɝ", "ɜɹ"),
    ("r", "ɹ"),
    ("g", "ɡ"),
    ("ɫ", "l"),
    ("'", "ˈ"),
    ("ʔ", "t"),
    (".", ""),
    ("ˑ", ""),
]
_MISAKI_VOWELS = set("AIOQWYaeiouæɐɑɒɔəɚɛɜɪʊʌᵻ")


def misaki_phonemes(ipa: str) -> str:
    """An IPA transcription ("ˈdʒɪf", "ˈtɛl.əˌvɛr.oʊ") in hibari's phoneme alphabet."""
    text = ipa.strip().strip("/[]")
    for written, misaki in _IPA_SEQUENCES:
        text = text.replace(written, misaki)
    out: list[str] = []
    pending = ""
    for char in text:
        if char in "ˈˌ":
            pending = char
            continue
        if pending and char in _MISAKI_VOWELS:
            out.append(pending)
            pending = ""
        out.append(char)
    return "".join(out)
