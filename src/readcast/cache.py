"""Content-addressed store of synthesized segments, verified on every read."""

from __future__ import annotations

import hashlib
import json
import os
import struct
from collections.abc import Iterable
from pathlib import Path

from .engines.base import AudioChunk
from .fsutil import atomic_path
from .models import VoiceChoice

_MAGIC = b"RCSG1"
_HEADER = struct.Struct("<5sII16s")  # magic, sample rate, frames, blake2b-128 of the PCM


def segment_key(spoken: str, voice: VoiceChoice, engine_version: str, sample_rate: int) -> str:
    """Stable key for one segment's audio: the spoken text and everything that changes its sound.

    Pronunciation-lexicon entries are applied to `spoken` before this is called, so they are part
    of the key without being listed separately.
    """
    identity = {"text": spoken, "engine": voice.engine, "engine_version": engine_version,
                "voice": voice.voice or "", "speed": round(voice.speed, 3), "language": voice.language,
                "sample_rate": sample_rate}
    canonical = json.dumps(identity, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class SegmentStore:
    """Segment audio under `root/ab/<key>.pcm`, shared by every article of a project."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.pcm"

    def put(self, key: str, chunk: AudioChunk) -> None:
        digest = hashlib.blake2b(chunk.pcm, digest_size=16).digest()
        header = _HEADER.pack(_MAGIC, chunk.sample_rate, chunk.frames, digest)
        with atomic_path(self.path(key)) as tmp:
            with open(tmp, "wb") as f:
                f.write(header)
                f.write(chunk.pcm)

    def get(self, key: str) -> AudioChunk | None:
        """The stored chunk, or None if missing, truncated or corrupt (a bad entry is deleted)."""
        path = self.path(key)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        if len(data) >= _HEADER.size:
            magic, rate, frames, digest = _HEADER.unpack_from(data)
            pcm = data[_HEADER.size:]
            if (magic == _MAGIC and len(pcm) == frames * 2
                    and hashlib.blake2b(pcm, digest_size=16).digest() == digest):
                return AudioChunk(pcm, rate)
        path.unlink(missing_ok=True)
        return None

    def has_valid(self, key: str) -> bool:
        return self.get(key) is not None

    def frames(self, key: str) -> tuple[int, int]:
        """(sample rate, frames) read from the header alone."""
        with open(self.path(key), "rb") as f:
            _, rate, frames, _ = _HEADER.unpack(f.read(_HEADER.size))
        return rate, frames

    def keys(self) -> Iterable[str]:
        if not self.root.is_dir():
            return []
        return (p.stem for p in self.root.glob("*/*.pcm"))

    def remove_unreferenced(self, referenced: set[str]) -> tuple[int, int]:
        """Delete entries not in `referenced`; return (files removed, bytes freed)."""
        removed = freed = 0
        for key in list(self.keys()):
            if key not in referenced:
                path = self.path(key)
                size = path.stat().st_size
                path.unlink()
                removed += 1
                freed += size
        for folder in self.root.glob("*") if self.root.is_dir() else []:
            if folder.is_dir() and not any(folder.iterdir()):
                os.rmdir(folder)
        return removed, freed
