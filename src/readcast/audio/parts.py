"""Stage 4, incrementally: an episode laid out in parts, each mastered and encoded to MP3 once.

An episode is cut, at pauses, into parts of a few segments. Cuts depend on the segments' own keys
(content-defined, like rsync's chunks), so an edit moves at most the cuts next to it. Each part is
encoded on its own (gain, limiter, resampling, LAME) and cached under a key made of its audio and
every encoder setting; an edit re-encodes only the parts it touched, and the MP3 is the cached
parts' frames joined (mp3join.py).

Each part is padded with silence to a whole number of MP3 frames, so where every part, and every
segment in it, starts in the final file is known before anything is encoded: the captions, chapters
and pages use the exact times of the MP3.

Loudness comes from the segments' cached energy profiles (loudness.py); the gain is rounded to
GAIN_STEP_DB, so an edit that barely moves the loudness keeps the gain, and with it every other
part.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..engines.base import AudioChunk
from ..errors import AudioError
from .cache import EncodedPart, SegmentInfo
from .ffmpeg import encode_mp3, to_segment
from .loudness import energy_profile, integrated_loudness
from .mp3join import samples_per_frame, split_info_frame

PARTS_VERSION = "1"
"""Enters every part key: bump it when the way a part's audio is put together changes."""
GAIN_STEP_DB = 0.5
MIN_PART_S = 15.0
MAX_PART_S = 60.0
CUT_ONE_IN = 4
"""A pause is a cut when the segment before it hashes to 0 modulo this (and the part is long enough)."""
LAME_DELAY = 576
"""Samples LAME puts before the audio of every stream; the Info header tells players to skip them."""

Loader = Callable[[str], AudioChunk]


@dataclass(frozen=True)
class PlacedSegment:
    """A segment in the layout: its part, where it starts in the part, and its times in the MP3."""

    info: SegmentInfo
    frames: int
    """Length at the layout's input rate."""
    pause: int
    """Silence after it, in frames at the input rate."""
    part: int
    offset: int
    """First frame within its part (input rate)."""
    start: float
    end: float
    """Seconds in the final MP3 (end of the speech, before the pause)."""


@dataclass(frozen=True)
class Part:
    first: int
    stop: int
    """Segments first..stop-1."""
    lead: int
    """Silence before the first segment (intro music plays there), input-rate frames."""
    tail: int
    """Silence after the last pause (outro music plays there)."""
    in_frames: int
    """Length at the input rate, rounded up so it maps to a whole number of output samples."""
    out_frames: int
    padded: int
    """out_frames padded with silence to a whole number of MP3 frames."""
    mp3_frames: int
    start: int
    """First output sample of the part in the final MP3 (after the encoder delay is skipped)."""
    stitched_start: int
    """First frame of the part in the plain stitched episode (lead included), as music.py counts."""


@dataclass(frozen=True)
class Layout:
    in_rate: int
    out_rate: int
    segments: tuple[PlacedSegment, ...]
    parts: tuple[Part, ...]

    @property
    def seconds(self) -> float:
        last = self.parts[-1]
        return (last.start + last.out_frames) / self.out_rate

    @property
    def end_padding(self) -> int:
        """Samples after the last part's audio that players drop (the LAME header's padding)."""
        last = self.parts[-1]
        return last.mp3_frames * samples_per_frame(self.out_rate) - LAME_DELAY - last.out_frames


def layout_episode(
    infos: Sequence[SegmentInfo],
    pauses_ms: Sequence[int],
    out_rate: int,
    *,
    lead: int = 0,
    tail: int = 0,
    keep_together: Sequence[tuple[int, int]] = (),
) -> Layout:
    """Place segments (with the pause after each) into parts and onto the MP3's timeline.

    `lead` and `tail` are frames of silence before the first and after the last segment;
    `keep_together` lists stitched-frame spans (music) that no cut may fall inside.
    """
    in_rate = infos[0].rate
    frames = [
        info.frames if info.rate == in_rate else round(info.frames * in_rate / info.rate) for info in infos
    ]
    pauses = [round(ms * in_rate / 1000) for ms in pauses_ms]
    cuts = _cuts(infos, frames, pauses, in_rate, lead, keep_together)
    unit = in_rate // math.gcd(in_rate, out_rate)
    frame_len = samples_per_frame(out_rate)
    parts: list[Part] = []
    placed: list[PlacedSegment] = []
    start = stitched = 0
    for n, (first, stop) in enumerate(zip([0, *cuts], [*cuts, len(infos)], strict=True)):
        part_lead = lead if n == 0 else 0
        part_tail = tail if stop == len(infos) else 0
        offset = part_lead
        for i in range(first, stop):
            seconds = start / out_rate + offset / in_rate
            placed.append(
                PlacedSegment(
                    infos[i], frames[i], pauses[i], n, offset, seconds, seconds + frames[i] / in_rate
                )
            )
            offset += frames[i] + pauses[i]
        content = offset + part_tail
        in_frames = -(-content // unit) * unit
        out_frames = in_frames * out_rate // in_rate
        padded = -(-out_frames // frame_len) * frame_len
        mp3_frames = (padded + 2 * LAME_DELAY) // frame_len  # LAME adds its delay, and as much at the end
        parts.append(
            Part(
                first, stop, part_lead, part_tail, in_frames, out_frames, padded, mp3_frames, start, stitched
            )
        )
        start += mp3_frames * frame_len
        stitched += content
    return Layout(in_rate, out_rate, tuple(placed), tuple(parts))


def _cuts(
    infos: Sequence[SegmentInfo],
    frames: list[int],
    pauses: list[int],
    rate: int,
    lead: int,
    keep_together: Sequence[tuple[int, int]],
) -> list[int]:
    """Indices where a new part starts."""
    cuts: list[int] = []
    position = lead  # stitched frames
    part_frames = lead
    for i in range(len(infos) - 1):
        position += frames[i] + pauses[i]
        part_frames += frames[i] + pauses[i]
        if pauses[i] == 0 or any(lo < position < hi for lo, hi in keep_together):
            continue
        seconds = part_frames / rate
        chosen = int(infos[i].key[:8], 16) % CUT_ONE_IN == 0
        if (chosen and seconds >= MIN_PART_S) or seconds >= MAX_PART_S:
            cuts.append(i + 1)
            part_frames = 0
    return cuts


# -- the audio of a part -------------------------------------------------------------------------
Bed = tuple[int, np.ndarray]
"""(first stitched frame, float32 samples in the int16 range) of music mixed under the speech."""


def part_pcm(layout: Layout, index: int, load: Loader, beds: Sequence[Bed] = ()) -> Iterator[bytes]:
    """The part's 16-bit PCM at the input rate, exactly `in_frames` long, with music mixed in."""
    part = layout.parts[index]
    position = part.stitched_start
    rate = layout.in_rate

    def emit(chunk: bytes) -> bytes:
        nonlocal position
        n = len(chunk) // 2
        start, position = position, position + n
        return _mix(chunk, start, beds)

    if part.lead:
        yield emit(bytes(2 * part.lead))
    written = part.lead
    for seg in layout.segments[part.first : part.stop]:
        yield emit(_exact(load(seg.info.key), rate, seg.frames))
        if seg.pause:
            yield emit(bytes(2 * seg.pause))
        written += seg.frames + seg.pause
    if part.in_frames > written:
        yield emit(bytes(2 * (part.in_frames - written)))


def _exact(chunk: AudioChunk, rate: int, frames: int) -> bytes:
    """The chunk's PCM at `rate`, cut or padded to exactly `frames` (resampling may be off by one)."""
    pcm = chunk.pcm
    if chunk.sample_rate != rate:
        pcm = to_segment(chunk, rate).raw_data
    pcm = pcm[: 2 * frames]
    return pcm + bytes(2 * frames - len(pcm))


def _mix(chunk: bytes, start: int, beds: Sequence[Bed]) -> bytes:
    n = len(chunk) // 2
    overlapping = [(at, bed) for at, bed in beds if at < start + n and at + len(bed) > start]
    if not overlapping:
        return chunk
    signal = np.frombuffer(chunk, dtype="<i2").astype(np.float32)
    for at, bed in overlapping:
        lo, hi = max(start, at), min(start + n, at + len(bed))
        signal[lo - start : hi - start] += bed[lo - at : hi - at]
    return np.clip(signal, -32768, 32767).astype("<i2").tobytes()


def beds_in(layout: Layout, index: int, beds: Sequence[Bed]) -> list[Bed]:
    """The music beds that sound within part `index`."""
    part = layout.parts[index]
    lo, hi = part.stitched_start, part.stitched_start + part.in_frames
    return [(at, bed) for at, bed in beds if at < hi and at + len(bed) > lo]


# -- loudness and gain ---------------------------------------------------------------------------
def episode_loudness(layout: Layout, load: Loader, beds: Sequence[Bed] = ()) -> float:
    """Integrated loudness of the episode (dual-mono LUFS), from cached profiles.

    Parts with music under them are measured from their mixed audio instead.
    """
    placed: list[tuple[float, np.ndarray]] = []
    for n, part in enumerate(layout.parts):
        if beds_in(layout, n, beds):
            pcm = b"".join(part_pcm(layout, n, load, beds))
            placed.append((part.start / layout.out_rate, energy_profile(pcm, layout.in_rate)))
        else:
            placed.extend((seg.start, seg.info.profile) for seg in layout.segments[part.first : part.stop])
    return integrated_loudness(placed, layout.seconds)


def gain_for(loudness: float, target: float) -> float:
    """Gain in dB to reach `target`, in steps of GAIN_STEP_DB."""
    if not math.isfinite(loudness):
        raise AudioError("the episode is silent: the engine produced no audible speech")
    return round((target - loudness) / GAIN_STEP_DB) * GAIN_STEP_DB


def part_key(layout: Layout, index: int, encoder: str, beds: Sequence[Bed]) -> str:
    """Everything that decides the part's MP3 frames: its audio, its music, the encoder command."""
    part = layout.parts[index]
    digest = hashlib.sha256()
    identity = {
        "version": PARTS_VERSION,
        "encoder": encoder,
        "in_rate": layout.in_rate,
        "lead": part.lead,
        "tail": part.tail,
        "in_frames": part.in_frames,
        "padded": part.padded,
        "segments": [
            (seg.info.digest, seg.info.rate, seg.frames, seg.pause)
            for seg in layout.segments[part.first : part.stop]
        ],
        "beds": [at - part.stitched_start for at, _ in beds_in(layout, index, beds)],
    }
    digest.update(json.dumps(identity, sort_keys=True).encode())
    for _, bed in beds_in(layout, index, beds):
        digest.update(np.ascontiguousarray(bed, dtype="<f4").tobytes())
    return digest.hexdigest()


def encode_part(
    layout: Layout, index: int, pcm: Iterator[bytes], scratch: Path, *, gain_db: float, bitrate: str
) -> EncodedPart:
    """Master and encode one part (ffmpeg writes to a temp file in `scratch`) and check its framing."""
    part = layout.parts[index]
    scratch.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=".part.", suffix=".mp3.tmp", dir=scratch)
    os.close(fd)
    tmp = Path(name)
    try:
        encode_mp3(
            pcm,
            layout.in_rate,
            tmp,
            gain_db=gain_db,
            bitrate=bitrate,
            sample_rate=layout.out_rate,
            pad_to=part.padded,
        )
        encoded = split_info_frame(tmp.read_bytes())
    finally:
        tmp.unlink(missing_ok=True)
    if encoded.frames != part.mp3_frames or encoded.delay != LAME_DELAY:
        raise AudioError(
            f"the MP3 encoder framed a part unexpectedly ({encoded.frames} frames and a delay of "
            f"{encoded.delay} samples, expected {part.mp3_frames} and {LAME_DELAY}). readcast needs "
            "the ffmpeg that comes with imageio-ffmpeg; unset IMAGEIO_FFMPEG_EXE."
        )
    return encoded
