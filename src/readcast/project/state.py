"""Project state kept between builds: episode identities, what was built from what, and the lock.

`.readcast/state.json` holds each episode's GUID and first publication date (assigned once, then
kept through edits, title changes and --force) and what its files were built from. Keep it under
version control: it is what keeps an episode the same episode in listeners' apps.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..errors import BuildLockedError
from ..fsutil import write_if_changed

SCHEMA = 1
LOCK_NAME = "build.lock"


@dataclass
class EpisodeRecord:
    """A published episode: its permanent identity and the files it was last built into."""

    slug: str
    guid: str
    first_published: str
    """ISO 8601; the pubDate when the article has no date in its front matter."""
    source: str = ""
    title: str = ""
    author: str = ""
    description: str = ""
    pub_date: str = ""
    language: str = "en"
    episode_key: str = ""
    """Hash of everything the MP3 is made from; equal key and intact file: nothing to redo."""
    mp3_size: int = 0
    duration: float = 0.0
    segments: int = 0
    files: dict[str, str] = field(default_factory=dict)
    """Output files of this episode, by role ("mp3", "vtt", ...), relative to output/."""


_RECORD_FIELDS = {f.name for f in dataclasses.fields(EpisodeRecord)}


@dataclass
class ProjectState:
    podcast_guid: str = ""
    episodes: dict[str, EpisodeRecord] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> ProjectState:
        """The saved state; an unreadable or older file gives an empty state (and a fresh build)."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("schema") != SCHEMA:
                return cls()
            episodes = {
                slug: EpisodeRecord(**{k: v for k, v in rec.items() if k in _RECORD_FIELDS})
                for slug, rec in data.get("episodes", {}).items()
            }
            return cls(podcast_guid=data.get("podcast_guid", ""), episodes=episodes)
        except (OSError, ValueError, TypeError, AttributeError):
            return cls()

    def save(self, path: Path) -> None:
        data: dict[str, Any] = {
            "schema": SCHEMA,
            "podcast_guid": self.podcast_guid,
            "episodes": {slug: asdict(rec) for slug, rec in sorted(self.episodes.items())},
        }
        write_if_changed(path, (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))

    def identity_for(
        self, slug: str, source: str, explicit_guid: str | None, now: dt.datetime
    ) -> tuple[str, str]:
        """(guid, first_published) for an article: kept from before, or assigned now, once.

        A GUID from front matter wins (that is how a renamed file keeps its episode); otherwise an
        earlier record with the same slug, or with the same source file, keeps its GUID. A new
        episode gets a random UUID: derived from nothing (not its URL, slug or content), so no
        later article can ever collide with it. It lives in this state file from then on.
        """
        previous = (
            (
                next((r for r in self.episodes.values() if r.guid == explicit_guid), None)
                if explicit_guid
                else None
            )
            or self.episodes.get(slug)
            or next((rec for rec in self.episodes.values() if rec.source == source), None)
        )
        if explicit_guid:
            guid = explicit_guid
        elif previous is not None:
            guid = previous.guid
        else:
            guid = str(uuid.uuid4())
        first = previous.first_published if previous is not None else now.isoformat()
        return guid, first


_HELD_LOCKS: set[int] = set()


def held_lock_fds() -> set[int]:
    """File descriptors of build locks this process holds (forked workers close them)."""
    return set(_HELD_LOCKS)


@contextlib.contextmanager
def project_lock(state_dir: Path) -> Iterator[None]:
    """Hold an exclusive lock for the whole build; a second build stops with a clear message.

    The lock belongs to the open file: the system releases it when the process ends, however it
    ends, so a killed build never leaves the project locked.
    """
    state_dir.mkdir(parents=True, exist_ok=True)
    lock_path = state_dir / LOCK_NAME
    handle = open(lock_path, "a+")
    try:
        try:
            import fcntl

            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except ImportError:  # Windows
            import msvcrt

            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
    except OSError:
        handle.seek(0)
        holder = handle.read().strip() or "another process"
        handle.close()
        raise BuildLockedError(
            f"another readcast build of this project is running (pid {holder}). Wait for it to "
            f"finish and run the command again."
        ) from None
    _HELD_LOCKS.add(handle.fileno())
    try:
        yield
    finally:
        _HELD_LOCKS.discard(handle.fileno())
        handle.close()  # closing releases the lock; the file stays for the next build
