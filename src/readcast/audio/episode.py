"""Stage 4: synthesized segments -> an episode on its timeline -> mixed, mastered, encoded MP3 bytes.

Incremental: the episode key names everything its MP3 is made of (segments, layout, audio
settings, music, tags, cover, readcast and ffmpeg); equal key and intact file, nothing is redone.
Each part of an episode is encoded once and cached under its own key (parts.py), so an edit
re-encodes only the parts it touched.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from .. import __version__
from ..engines.base import AudioChunk
from ..errors import ReadcastError
from ..models import Chapter, Progress, TimedSegment
from ..project.settings import AudioSettings
from .cache import ProjectCache, SegmentInfo, SegmentStore, stable_hash
from .ffmpeg import Piece, encode_command
from .music import MusicBeds
from .parts import Bed, Layout, encode_part, episode_loudness, gain_for, layout_episode, part_key, part_pcm

if TYPE_CHECKING:
    from ..speech.plan import EpisodePlan
    from .synth import SynthesizedSegments

PIPELINE_VERSION = "3"
"""Enters every episode key: bump it when stitching, mastering or tagging changes the MP3."""

Loader = Callable[[str], AudioChunk]


@dataclass(frozen=True)
class EpisodeTimeline:
    """An episode laid out in parts, with every segment's time in the final MP3 and its chapters."""

    plan: EpisodePlan
    infos: tuple[SegmentInfo, ...]
    pieces: tuple[Piece, ...]
    layout: Layout
    timeline: tuple[TimedSegment, ...]
    chapters: tuple[Chapter, ...]


@dataclass(frozen=True)
class MixedEpisode:
    """An episode's music beds, gain and the key of each of its encoded parts."""

    episode: EpisodeTimeline
    beds: tuple[Bed, ...]
    gain: float
    part_keys: tuple[str, ...]


@dataclass(frozen=True)
class PartJob:
    mix: MixedEpisode
    index: int
    key: str


def segment_loader(store: SegmentStore) -> Loader:
    def load(key: str) -> AudioChunk:
        chunk = store.get(key)
        if chunk is None:
            raise ReadcastError(f"cached segment {key[:12]} vanished during the build; build again")
        return chunk

    return load


def lay_out(
    plan: EpisodePlan, segments: SynthesizedSegments, music: MusicBeds, sample_rate: int, load: Loader
) -> EpisodeTimeline:
    infos = []
    for key in plan.keys:
        info = segments.infos.get(key)
        if info is None:
            raise ReadcastError(f"cached segment {key[:12]} vanished during the build; build again")
        infos.append(info)
    script = plan.script.segments
    pieces = [
        Piece(
            load=lambda key=info.key: load(key),  # type: ignore[misc]
            frames=info.frames,
            rate=info.rate,
            pause_ms=seg.pause_after_ms,
            kind=seg.kind,
        )
        for info, seg in zip(infos, script, strict=True)
    ]
    rate = infos[0].rate
    lead, tail = music.padding(pieces, rate)  # intro/outro music alone, in frames
    layout = layout_episode(
        infos,
        [s.pause_after_ms for s in script],
        sample_rate,
        lead=lead,
        tail=tail,
        keep_together=music.reach(pieces, rate),
    )
    timeline = tuple(
        TimedSegment(seg, placed.start, placed.end)
        for seg, placed in zip(script, layout.segments, strict=True)
    )
    return EpisodeTimeline(
        plan, tuple(infos), tuple(pieces), layout, timeline, _chapters(timeline, layout.seconds)
    )


def _chapters(timeline: Sequence[TimedSegment], total: float) -> tuple[Chapter, ...]:
    starts = [(t.segment.chapter, t.start) for t in timeline if t.segment.chapter]
    chapters = []
    for n, (title, start) in enumerate(starts):
        end = starts[n + 1][1] if n + 1 < len(starts) else total
        chapters.append(Chapter(title, 0.0 if n == 0 else start, end))
    return tuple(chapters)


@dataclass(frozen=True)
class BuildInputs:
    """What every episode key of a build shares."""

    ffmpeg: str
    audio: AudioSettings
    music: str
    """MusicBeds.fingerprint."""
    cover: str
    """Digest of the cover JPEG."""


def episode_key(episode: EpisodeTimeline, tag_fields: Mapping[str, object], inputs: BuildInputs) -> str:
    """Names everything the episode's MP3 is made from."""
    return stable_hash(
        {
            "pipeline": PIPELINE_VERSION,
            "readcast": __version__,
            "ffmpeg": inputs.ffmpeg,
            "segments": [(i.digest, i.rate, i.frames) for i in episode.infos],
            "parts": [(p.first, p.stop, p.lead, p.tail, p.padded) for p in episode.layout.parts],
            "audio": dataclasses.asdict(inputs.audio),
            "music": inputs.music,
            "tags": dict(tag_fields),
            "cover": inputs.cover,
        }
    )


def ffmpeg_identity() -> str:
    """Which ffmpeg encodes (its path and size), without running it."""
    exe = os.environ.get("IMAGEIO_FFMPEG_EXE", "")
    if not exe:
        from .ffmpeg import ffmpeg_exe

        exe = ffmpeg_exe()
    try:
        size = Path(exe).stat().st_size
    except OSError:
        size = -1
    return f"{exe}:{size}"


def mix(episode: EpisodeTimeline, music: MusicBeds, audio: AudioSettings, load: Loader) -> MixedEpisode:
    """Music beds, loudness gain and part keys of an episode (measured from cached profiles)."""
    layout, rate = episode.layout, episode.layout.in_rate
    beds = tuple(music.beds(list(episode.pieces), rate))
    gain = gain_for(episode_loudness(layout, load, beds), audio.loudness)
    encoder = " ".join(
        encode_command(
            rate, "-", gain_db=gain, bitrate=audio.bitrate, sample_rate=audio.sample_rate, pad_to=0
        )
    )
    keys = tuple(part_key(layout, n, encoder, beds) for n in range(len(layout.parts)))
    return MixedEpisode(episode, beds, gain, keys)


def parts_to_encode(mixes: Sequence[MixedEpisode], cache: ProjectCache, force: bool) -> list[PartJob]:
    """Each part the cache lacks, once (two episodes may share a part)."""
    jobs: list[PartJob] = []
    queued: set[str] = set()
    for mixed in mixes:
        for n, key in enumerate(mixed.part_keys):
            if key in queued or (not force and cache.parts.has(key)):
                continue
            queued.add(key)
            jobs.append(PartJob(mixed, n, key))
    return jobs


def corrupt_sources(jobs: Sequence[PartJob], store: SegmentStore) -> set[str]:
    """Keys of segments about to be encoded whose cached audio is not intact (now deleted)."""
    checked: set[str] = set()
    corrupt: set[str] = set()
    for job in jobs:
        layout = job.mix.episode.layout
        part = layout.parts[job.index]
        for seg in layout.segments[part.first : part.stop]:
            key = seg.info.key
            if key not in checked:
                checked.add(key)
                if not store.has_valid(key):
                    corrupt.add(key)
    return corrupt


def encode_parts(
    jobs: Sequence[PartJob], cache: ProjectCache, *, bitrate: str, workers: int, progress: Progress
) -> Mapping[str, ReadcastError]:
    """Encode the parts into the cache, longest first; return the errors by part key."""
    load = segment_loader(cache.segments)
    scratch = cache.root / "scratch"

    def encode(job: PartJob) -> None:
        mixed = job.mix
        layout = mixed.episode.layout
        pcm = part_pcm(layout, job.index, load, mixed.beds)
        encoded = encode_part(layout, job.index, pcm, scratch, gain_db=mixed.gain, bitrate=bitrate)
        cache.parts.put(job.key, encoded)

    failed: dict[str, ReadcastError] = {}
    progress("encode", 0, len(jobs))
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(jobs) or 1))) as pool:
        longest_first = sorted(jobs, key=lambda job: -job.mix.episode.layout.parts[job.index].in_frames)
        futures = [(job, pool.submit(encode, job)) for job in longest_first]
        for done, (job, future) in enumerate(futures, 1):
            try:
                future.result()
            except ReadcastError as exc:
                failed[job.key] = exc
            progress("encode", done, len(jobs))
    return MappingProxyType(failed)


def join_parts(mixed: MixedEpisode, cache: ProjectCache) -> bytes:
    """The episode's MP3 (untagged): its cached parts' frames joined."""
    from .mp3join import join

    parts = []
    for key in mixed.part_keys:
        part = cache.parts.get(key)
        if part is None:
            raise ReadcastError(f"encoded part {key[:12]} vanished during the build; build again")
        parts.append(part)
    return join(parts, mixed.episode.layout.end_padding)
