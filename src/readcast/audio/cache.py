"""The project's cache (.readcast/cache/): content-addressed, shared by every article, verified on read.

Three kinds of entries, each one file written atomically under `<kind>/<key[:2]>/<key>.<suffix>`:

- segments: one segment's synthesized PCM and its loudness profile, keyed by everything that
  shapes the sound (`segment_key`);
- parts: a stretch of an episode (a few segments with their pauses) mastered and encoded to MP3
  frames, keyed by its audio, gain and encoder settings (see parts.py);
- art: the cover and its thumbnail, keyed by what they are drawn from.

Every entry carries a digest of its payload. A missing, truncated or corrupt entry reads as absent
(and is deleted), so it is made again and never published.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..engines.base import AudioChunk
from ..fsutil import atomic_path, remove_stale_temp_files, write_if_changed
from ..models import VoiceChoice

CACHE_DIR = "cache"
REFS_NAME = "refs.json"
"""In the cache folder: the cache entries each episode was last built from (for `readcast clean`)."""


def segment_key(spoken: str, voice: VoiceChoice, engine_version: str, sample_rate: int) -> str:
    """Stable key for one segment's audio: the spoken text and everything that changes its sound.

    Pronunciation-lexicon entries are applied to `spoken` before this is called, so they are part
    of the key without being listed separately.
    """
    identity = {
        "text": spoken,
        "engine": voice.engine,
        "engine_version": engine_version,
        "voice": voice.voice or "",
        "speed": round(voice.speed, 3),
        "language": voice.language,
        "sample_rate": sample_rate,
    }
    return _digest_json(identity)


def _digest_json(value: object) -> str:
    canonical = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def stable_hash(value: object) -> str:
    """SHA-256 of bytes, or of any JSON-able value (keys sorted; other objects by str())."""
    if isinstance(value, bytes):
        return hashlib.sha256(value).hexdigest()
    data = json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def _blake(*parts: bytes) -> bytes:
    digest = hashlib.blake2b(digest_size=16)
    for part in parts:
        digest.update(part)
    return digest.digest()


class _Store:
    """Files under `root/ab/<key>.<suffix>`."""

    suffix = ""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.{self.suffix}"

    def keys(self) -> Iterable[str]:
        if not self.root.is_dir():
            return []
        return (p.name[: -len(self.suffix) - 1] for p in self.root.glob(f"*/*.{self.suffix}"))

    def _write(self, key: str, *blobs: bytes) -> None:
        with atomic_path(self.path(key)) as tmp:
            with open(tmp, "wb") as f:
                for blob in blobs:
                    f.write(blob)

    def _discard(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def remove_unreferenced(self, referenced: set[str]) -> tuple[int, int]:
        """Delete entries not in `referenced` (and leftover temp files); return (entries, bytes)."""
        removed = freed = 0
        if not self.root.is_dir():
            return removed, freed
        for tmp in self.root.rglob(".*.tmp"):
            freed += _size(tmp)
        remove_stale_temp_files(self.root)
        for key in list(self.keys()):
            if key not in referenced:
                path = self.path(key)
                freed += _size(path)
                path.unlink(missing_ok=True)
                removed += 1
        for folder in self.root.iterdir():
            if folder.is_dir() and not any(folder.iterdir()):
                os.rmdir(folder)
        return removed, freed


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


# -- segments ------------------------------------------------------------------------------------
_SEGMENT_MAGIC = b"RCSG2"
_SEGMENT_HEADER = struct.Struct("<5sIII16s16s")
"""magic, sample rate, frames, profile hops, digest of the PCM, digest of the profile."""


@dataclass(frozen=True)
class SegmentInfo:
    """What a cached segment is, read without its audio: enough to lay out and measure an episode."""

    key: str
    rate: int
    frames: int
    digest: str
    """Digest of the PCM: names the exact audio (parts are keyed by it)."""
    profile: np.ndarray
    """K-weighted mean square per 10 ms (loudness.py)."""

    @property
    def seconds(self) -> float:
        return self.frames / self.rate


class SegmentStore(_Store):
    """Synthesized segments: PCM plus loudness profile, shared by every article of a project."""

    suffix = "pcm"

    def put(self, key: str, chunk: AudioChunk) -> SegmentInfo:
        from .loudness import energy_profile

        profile = energy_profile(chunk.pcm, chunk.sample_rate).astype("<f8")
        profile_bytes = profile.tobytes()
        pcm_digest, profile_digest = _blake(chunk.pcm), _blake(profile_bytes)
        header = _SEGMENT_HEADER.pack(
            _SEGMENT_MAGIC, chunk.sample_rate, chunk.frames, len(profile), pcm_digest, profile_digest
        )
        self._write(key, header, chunk.pcm, profile_bytes)
        return SegmentInfo(key, chunk.sample_rate, chunk.frames, pcm_digest.hex(), profile)

    def info(self, key: str) -> SegmentInfo | None:
        """Header and profile (not the audio); None if missing, truncated or unreadable."""
        path = self.path(key)
        try:
            with open(path, "rb") as f:
                header = f.read(_SEGMENT_HEADER.size)
                if len(header) < _SEGMENT_HEADER.size:
                    raise ValueError("short header")
                magic, rate, frames, hops, pcm_digest, profile_digest = _SEGMENT_HEADER.unpack(header)
                if magic != _SEGMENT_MAGIC or rate == 0 or frames == 0:
                    raise ValueError("not a segment")
                if os.fstat(f.fileno()).st_size != _SEGMENT_HEADER.size + 2 * frames + 8 * hops:
                    raise ValueError("truncated")
                f.seek(_SEGMENT_HEADER.size + 2 * frames)
                profile_bytes = f.read(8 * hops)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, struct.error):
            self._discard(key)
            return None
        if _blake(profile_bytes) != profile_digest:
            self._discard(key)
            return None
        profile = np.frombuffer(profile_bytes, dtype="<f8")
        return SegmentInfo(key, rate, frames, pcm_digest.hex(), profile)

    def get(self, key: str) -> AudioChunk | None:
        """The stored audio, fully verified; None if missing, truncated or corrupt (then deleted)."""
        try:
            data = self.path(key).read_bytes()
        except OSError:
            return None
        if len(data) >= _SEGMENT_HEADER.size:
            magic, rate, frames, hops, pcm_digest, _ = _SEGMENT_HEADER.unpack_from(data)
            end = _SEGMENT_HEADER.size + 2 * frames
            pcm = data[_SEGMENT_HEADER.size : end]
            if (
                magic == _SEGMENT_MAGIC
                and len(data) == end + 8 * hops
                and frames > 0
                and _blake(pcm) == pcm_digest
            ):
                return AudioChunk(pcm, rate)
        self._discard(key)
        return None

    def has_valid(self, key: str) -> bool:
        return self.get(key) is not None


# -- encoded parts -------------------------------------------------------------------------------
_PART_MAGIC = b"RCPT1"
_PART_HEADER = struct.Struct("<5sIIIIQ16s")
"""magic, MP3 frames, encoder delay, padding, length of the Info frame, audio bytes, digest."""


@dataclass(frozen=True)
class EncodedPart:
    """A stretch of an episode as CBR MP3 frames, with the Info frame LAME wrote for it alone."""

    info_frame: bytes
    audio: bytes
    """The MP3 frames after the Info frame."""
    frames: int
    delay: int
    padding: int


class PartStore(_Store):
    suffix = "mp3part"

    def put(self, key: str, part: EncodedPart) -> None:
        header = _PART_HEADER.pack(
            _PART_MAGIC,
            part.frames,
            part.delay,
            part.padding,
            len(part.info_frame),
            len(part.audio),
            _blake(part.info_frame, part.audio),
        )
        self._write(key, header, part.info_frame, part.audio)

    def get(self, key: str) -> EncodedPart | None:
        """The stored part, fully verified; None if missing, truncated or corrupt (then deleted)."""
        try:
            data = self.path(key).read_bytes()
        except OSError:
            return None
        if len(data) >= _PART_HEADER.size:
            magic, frames, delay, padding, info_len, audio_len, digest = _PART_HEADER.unpack_from(data)
            info_end = _PART_HEADER.size + info_len
            info, audio = data[_PART_HEADER.size : info_end], data[info_end:]
            if (
                magic == _PART_MAGIC
                and len(audio) == audio_len
                and frames > 0
                and _blake(info, audio) == digest
            ):
                return EncodedPart(info, audio, frames, delay, padding)
        self._discard(key)
        return None

    def has(self, key: str) -> bool:
        """True if an entry of the right size exists (get() still verifies it before use)."""
        try:
            with open(self.path(key), "rb") as f:
                header = f.read(_PART_HEADER.size)
                size = os.fstat(f.fileno()).st_size
        except OSError:
            return False
        if len(header) < _PART_HEADER.size:
            return False
        magic, _, _, _, info_len, audio_len, _ = _PART_HEADER.unpack(header)
        return magic == _PART_MAGIC and size == _PART_HEADER.size + info_len + audio_len


_BLOB_MAGIC = b"RCBL1"
_BLOB_HEADER = struct.Struct("<5s16s")


class BlobStore(_Store):
    """Small derived files (cover art, thumbnails), verified like the rest."""

    suffix = "blob"

    def put(self, key: str, data: bytes) -> None:
        self._write(key, _BLOB_HEADER.pack(_BLOB_MAGIC, _blake(data)), data)

    def get(self, key: str) -> bytes | None:
        try:
            raw = self.path(key).read_bytes()
        except OSError:
            return None
        if len(raw) >= _BLOB_HEADER.size:
            magic, digest = _BLOB_HEADER.unpack_from(raw)
            data = raw[_BLOB_HEADER.size :]
            if magic == _BLOB_MAGIC and _blake(data) == digest:
                return data
        self._discard(key)
        return None

    def remember(self, key: str, make: Callable[[], bytes]) -> bytes:
        """The stored value for `key`, made and stored first if needed."""
        data = self.get(key)
        if data is None:
            data = make()
            self.put(key, data)
        return data


class ProjectCache:
    """The cache folder of one project."""

    def __init__(self, state_dir: Path) -> None:
        self.root = state_dir / CACHE_DIR
        self.segments = SegmentStore(self.root / "segments")
        self.parts = PartStore(self.root / "parts")
        self.art = BlobStore(self.root / "art")

    @property
    def refs_path(self) -> Path:
        return self.root / REFS_NAME

    def remove_stale_temp_files(self) -> None:
        remove_stale_temp_files(self.root)

    def load_refs(self) -> dict[str, dict[str, list[str]]] | None:
        """{slug: {"segments": [...], "parts": [...]}} as the last build saved it; None if unreadable."""
        try:
            data = json.loads(self.refs_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def save_refs(self, used: Mapping[str, tuple[Sequence[str], Sequence[str]]], published: set[str]) -> None:
        """Record the entries each published episode uses: what `readcast clean` keeps.

        `used` maps the slugs built in this run to (segment keys, part keys); an episode left
        unchanged has no part keys and keeps those recorded before.
        """
        refs = {slug: entry for slug, entry in (self.load_refs() or {}).items() if slug in published}
        for slug, (segments, parts) in used.items():
            if slug in published:
                refs[slug] = {
                    "segments": sorted(set(segments)),
                    "parts": list(parts) or refs.get(slug, {}).get("parts", []),
                }
        data = json.dumps(dict(sorted(refs.items())), indent=1) + "\n"
        self.root.mkdir(parents=True, exist_ok=True)
        write_if_changed(self.refs_path, data.encode("utf-8"))

    def clean(self, segments: set[str], parts: set[str]) -> tuple[int, int]:
        """Remove entries that are not referenced; return (entries removed, bytes freed)."""
        removed_segments, freed_segments = self.segments.remove_unreferenced(segments)
        removed_parts, freed_parts = self.parts.remove_unreferenced(parts)
        return removed_segments + removed_parts, freed_segments + freed_parts
