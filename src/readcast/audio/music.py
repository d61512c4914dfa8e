"""Intro and outro music ([audio] intro_music / outro_music), mixed around and under the speech.

Intro: the music plays alone for up to INTRO_LEAD_S, then ducks under the spoken intro (title and
byline) and fades out after it. A clip shorter than that plays whole before the first word.
Outro: the music comes in ducked under the spoken outro, swells after the last word and plays out
for up to OUTRO_TAIL_S. A clip too short to sit under the outro plays after the last word instead.

Levels follow the speech: the music alone sits BED_FULL_LU below the speech's loudness and
BED_DUCKED_LU below it under speech. Loudness normalization then applies to the whole mix.
"""

from __future__ import annotations

import hashlib
import logging
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import AudioError, ConfigError
from ..project.settings import Settings
from .ffmpeg import Piece, ffmpeg_exe, measure_loudness, silence_frames, stitched_pcm

MUSIC_VERSION = "1"
"""Enters the episode key: bump it when the mixing rules below change."""
INTRO_LEAD_S = 4.0
INTRO_FADE_S = 2.0
DUCK_S = 0.6
OUTRO_FADE_IN_S = 1.0
OUTRO_TAIL_S = 8.0
OUTRO_FADE_S = 2.0
EDGE_S = 0.05
"""Short fades at the clip's own start and end, so a cut never clicks."""
GAP_S = 0.3
"""Silence between a short intro clip and the first word."""
BED_FULL_LU = -3.0
BED_DUCKED_LU = -18.0
MAX_MUSIC_S = 90.0
"""Only the first this many seconds of a music file are read."""
ABSOLUTE_GATE_LUFS = -70.0
"""What ffmpeg's meter reports for audio with no block above its gate (silence, a click)."""

logger = logging.getLogger(__name__)


@dataclass
class _Clip:
    path: Path
    key: str
    cache: dict[int, np.ndarray] = field(default_factory=dict)

    def samples(self, rate: int) -> np.ndarray:
        """Mono float32 samples at `rate` (decoded once per rate)."""
        if rate not in self.cache:
            self.cache[rate] = _decode(self.path, rate, self.key)
        return self.cache[rate]


@dataclass
class MusicBeds:
    """The project's intro and outro music; without either, pcm() is the plain stitched speech."""

    intro: _Clip | None = None
    outro: _Clip | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> MusicBeds:
        """Load and check the configured files; ConfigError names the key and the fix."""
        clips = {}
        for key in ("intro_music", "outro_music"):
            value = getattr(settings.audio, key)
            if not value:
                continue
            path = (settings.root / value).resolve()
            if not path.is_file():
                raise ConfigError(
                    f"[audio] {key} {value!r}: file not found (looked for {path}). "
                    "Fix the path (relative to the project folder) or remove the key."
                )
            clip = _Clip(path, key)
            clip.samples(44100)  # decode now: a bad file stops the build before any work
            clips[key.split("_")[0]] = clip
        return cls(**clips)

    @property
    def fingerprint(self) -> str:
        """Changes whenever the music or the mixing rules change (part of the episode key)."""
        digest = hashlib.sha256(MUSIC_VERSION.encode())
        for clip in (self.intro, self.outro):
            digest.update(clip.path.read_bytes() if clip else b"-")
        return digest.hexdigest()

    def padding(self, pieces: list[Piece], rate: int) -> tuple[int, int]:
        """(lead, tail): frames of music alone before the first word and after the last."""
        layout = self._layout(pieces, rate)
        return layout.lead, layout.tail

    def beds(self, pieces: list[Piece], rate: int) -> list[tuple[int, np.ndarray]]:
        """(first frame, enveloped samples) of each clip, as pcm() mixes them (lead counted)."""
        if self.intro is None and self.outro is None:
            return []
        return self._beds(pieces, rate, self._layout(pieces, rate))

    def reach(self, pieces: list[Piece], rate: int) -> list[tuple[int, int]]:
        """(first, end) frames each clip sounds over, without measuring anything (lead counted)."""
        spans = []
        layout = self._layout(pieces, rate)
        if self.intro is not None:
            length = len(self.intro.samples(rate))
            end = length if layout.intro_short else min(length, layout.intro_end + round(INTRO_FADE_S * rate))
            spans.append((0, end))
        if self.outro is not None:
            start = layout.speech_end if layout.outro_short else layout.outro_start
            spans.append((start, layout.speech_end + layout.tail))
        return spans

    def _layout(self, pieces: list[Piece], rate: int) -> _Layout:
        spans = _speech_spans(pieces, rate)
        speech_end = spans[-1][2] if spans else 0
        intro_end = max((end for kind, _, end in spans if kind == "intro"), default=0)
        outro_start = min((start for kind, start, _ in spans if kind == "outro"), default=speech_end)
        lead = tail = 0
        intro_short = outro_short = False
        if self.intro is not None:
            length = len(self.intro.samples(rate))
            intro_short = length <= (INTRO_LEAD_S + 1.0) * rate
            lead = length + round(GAP_S * rate) if intro_short else round(INTRO_LEAD_S * rate)
        if self.outro is not None:
            length = len(self.outro.samples(rate))
            under = speech_end - outro_start
            outro_short = length < under + rate  # less than a second left after the last word
            tail = min(length if outro_short else length - under, round(OUTRO_TAIL_S * rate))
        return _Layout(
            lead, tail, intro_short, outro_short, lead + intro_end, lead + outro_start, lead + speech_end
        )

    def _beds(self, pieces: list[Piece], rate: int, layout: _Layout) -> list[tuple[int, np.ndarray]]:
        """(start frame, enveloped samples) for each clip, levelled against the speech."""
        beds = []
        if self.intro is not None:
            music = self.intro.samples(rate)
            speech = _loudness_of(pieces, rate, "intro")
            if layout.intro_short:
                points: list[tuple[int, float | str]] = [(0, "full"), (len(music), "full")]
            else:
                duck_at = layout.lead
                fade_end = layout.intro_end + round(INTRO_FADE_S * rate)
                music = music[:fade_end]
                points = [
                    (0, "full"),
                    (duck_at - round(DUCK_S * rate), "full"),
                    (duck_at, "ducked"),
                    (layout.intro_end, "ducked"),
                    (fade_end, 0.0),
                ]
            beds.append((0, _shape(music, rate, points, speech, self.intro)))
        if self.outro is not None:
            music = self.outro.samples(rate)
            speech = _loudness_of(pieces, rate, "outro")
            if layout.outro_short:
                start, full_from = layout.speech_end, 0
                points = [(0, "full")]
            else:
                start = layout.outro_start
                swell = layout.speech_end - start
                full_from = swell + round(DUCK_S * rate)
                points = [
                    (0, 0.0),
                    (min(round(OUTRO_FADE_IN_S * rate), swell // 2), "ducked"),
                    (swell, "ducked"),
                    (full_from, "full"),
                ]
            end = layout.speech_end + layout.tail - start
            fade_from = max(full_from, end - round(min(OUTRO_FADE_S, layout.tail / rate / 2) * rate))
            points += [(fade_from, "full"), (end, 0.0)]
            beds.append((start, _shape(music[:end], rate, points, speech, self.outro)))
        return beds


@dataclass(frozen=True)
class _Layout:
    lead: int
    tail: int
    intro_short: bool
    outro_short: bool
    intro_end: int
    outro_start: int
    speech_end: int
    """Frames from the start of the episode (lead included)."""


def _speech_spans(pieces: list[Piece], rate: int) -> list[tuple[str, int, int]]:
    """(kind, first frame, end of speech) of each piece, without the lead; as build's timeline."""
    spans = []
    position = 0
    for piece in pieces:
        frames = piece.frames if piece.rate == rate else round(piece.frames * rate / piece.rate)
        spans.append((piece.kind, position, position + frames))
        position += frames + silence_frames(piece.pause_ms, rate)
    return spans


def _loudness_of(pieces: list[Piece], rate: int, kind: str) -> float:
    """Loudness of the intro (or outro) speech, or of all of it when there is none (or it is silent).

    AudioError when the whole speech is silent: then there is nothing to level the music against.
    """
    chosen = [p for p in pieces if p.kind == kind]
    if chosen:
        try:
            return _measured(measure_loudness(stitched_pcm(chosen, rate), rate))
        except AudioError:
            logger.warning(
                "the %s speech is too short or quiet to measure: music levelled to the whole speech", kind
            )
    try:
        return _measured(measure_loudness(stitched_pcm(pieces, rate), rate))
    except AudioError:
        raise AudioError(
            "the speech is too quiet or too short to set the music's level against: the engine "
            "produced no audible speech"
        ) from None


def _shape(
    music: np.ndarray, rate: int, points: list[tuple[int, float | str]], speech_lufs: float, clip: _Clip
) -> np.ndarray:
    """`music` times a piecewise-linear gain through `points` ("full", "ducked" or a gain)."""
    music_lufs = _clip_loudness(music, rate, clip)
    levels = {
        "full": 10 ** ((speech_lufs + BED_FULL_LU - music_lufs) / 20),
        "ducked": 10 ** ((speech_lufs + BED_DUCKED_LU - music_lufs) / 20),
    }
    xs = np.array([x for x, _ in points], dtype=np.float64)
    ys = np.array([levels[y] if isinstance(y, str) else y for _, y in points], dtype=np.float64)
    frames = np.arange(len(music), dtype=np.float64)
    gain = np.interp(frames, xs, ys, left=ys[0], right=0.0)
    edge = min(round(EDGE_S * rate), len(music) // 2)
    if edge:
        ramp = np.linspace(0.0, 1.0, edge)
        gain[:edge] *= ramp
        gain[-edge:] *= ramp[::-1]
    return (music * gain).astype(np.float32)


def _clip_loudness(music: np.ndarray, rate: int, clip: _Clip) -> float:
    """Loudness of the stretch of `clip` that plays; of the whole clip, with a warning, if that
    stretch is silent; ConfigError (naming the key and the fix) if neither can be measured."""
    try:
        return _music_loudness(music, rate)
    except AudioError:
        pass
    try:
        whole = _music_loudness(clip.samples(rate), rate)
    except AudioError:
        raise ConfigError(
            f"[audio] {clip.key} {clip.path}: its loudness cannot be measured (too little sound), so "
            "readcast cannot set its level against the speech. Use a longer or louder file, or remove "
            "the key."
        ) from None
    logger.warning(
        "[audio] %s %s: the %.1f s that play are silent; levelled by the loudness of the whole file. "
        "Trim the silence at its start to hear it.",
        clip.key,
        clip.path,
        len(music) / rate,
    )
    return whole


def _music_loudness(music: np.ndarray, rate: int) -> float:
    """AudioError when the music is silent to the loudness meter."""
    pcm = np.clip(music, -32768, 32767).astype("<i2").tobytes()
    return _measured(measure_loudness(iter([pcm]), rate))


def _measured(lufs: float) -> float:
    if lufs <= ABSOLUTE_GATE_LUFS:
        raise AudioError("too quiet or too short to measure its loudness")
    return lufs


def _decode(path: Path, rate: int, key: str) -> np.ndarray:
    """Any audio file ffmpeg reads, as mono float32 samples in the int16 range."""
    cmd = [
        ffmpeg_exe(),
        "-hide_banner",
        "-v",
        "error",
        "-nostdin",
        "-i",
        str(path),
        "-t",
        str(MAX_MUSIC_S),
        "-vn",
        "-ac",
        "1",
        "-ar",
        str(rate),
        "-f",
        "s16le",
        "pipe:1",
    ]
    result = subprocess.run(cmd, capture_output=True)
    samples = np.frombuffer(result.stdout, dtype="<i2").astype(np.float32)
    if result.returncode != 0 or len(samples) < rate // 2:
        detail = result.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["too short"]
        raise ConfigError(
            f"[audio] {key} {path}: not an audio file of at least half a second "
            f"that ffmpeg can read ({detail[0]}). Use an MP3, WAV, FLAC or OGG file."
        )
    if not np.any(np.abs(samples) > 32):
        raise ConfigError(f"[audio] {key} {path}: the file is silent. Use another file or remove the key.")
    return samples
