"""Stage 5 for one episode: its identity, its tags, its MP3 in output/, its captions and pages."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from ..audio.episode import BuildInputs, EpisodeTimeline, episode_key
from ..fsutil import atomic_path, safe_join, write_if_changed
from ..project.settings import Settings
from ..project.state import EpisodeRecord, ProjectState
from ..speech.plan import EpisodePlan
from . import captions
from .feed import url_for
from .pages import Pages
from .tags import EpisodeTags, write_tags

EPISODES_DIR = "episodes"
FILE_ROLES = (
    ("mp3", ".mp3"),
    ("vtt", ".vtt"),
    ("srt", ".srt"),
    ("chapters", ".chapters.json"),
    ("text", ".txt"),
    ("transcript", ".transcript.html"),
    ("page", ".html"),
)


@dataclass(frozen=True)
class EpisodeIdentity:
    """What the feed knows an episode by: kept from the state, or assigned once."""

    guid: str
    first_published: str
    pub_date: str
    description: str
    files: Mapping[str, str]
    """Output files by role ("mp3", "vtt", ...), relative to output/."""


@dataclass(frozen=True)
class EpisodeTarget:
    """An episode as it is to be published, and whether its MP3 in output/ is already that."""

    episode: EpisodeTimeline
    identity: EpisodeIdentity
    tags: EpisodeTags
    """Without the cover (it is added when the MP3 is written)."""
    key: str
    current: bool


def target_for(
    episode: EpisodeTimeline,
    state: ProjectState,
    settings: Settings,
    inputs: BuildInputs,
    *,
    now: dt.datetime,
    force: bool,
) -> EpisodeTarget:
    identity = identify(episode.plan, state, now)
    tags = episode_tags(episode, identity, settings)
    key = episode_key(
        episode, {k: v for k, v in dataclasses.asdict(tags).items() if k != "cover_jpeg"}, inputs
    )
    previous = state.episodes.get(episode.plan.article.slug)
    current = (
        not force
        and previous is not None
        and previous.episode_key == key
        and previous.guid == identity.guid
        and _size(safe_join(settings.output_dir, identity.files["mp3"])) == previous.mp3_size
    )
    return EpisodeTarget(episode, identity, tags, key, current)


def identify(plan: EpisodePlan, state: ProjectState, now: dt.datetime) -> EpisodeIdentity:
    article = plan.article
    guid, first_published = state.identity_for(article.slug, plan.source, article.meta.guid, now)
    pub_date = article.meta.date.isoformat() if article.meta.date else first_published
    files = {role: f"{EPISODES_DIR}/{article.slug}{suffix}" for role, suffix in FILE_ROLES}
    return EpisodeIdentity(guid, first_published, pub_date, _description(plan), MappingProxyType(files))


def _description(plan: EpisodePlan) -> str:
    article = plan.article
    if article.meta.description:
        text = article.meta.description
    else:
        first = next((b.text for b in article.blocks if b.kind == "paragraph"), article.title)
        text = first if len(first) <= 300 else first[:297].rsplit(" ", 1)[0] + "…"
    return f"{text} (Narrated by a synthetic voice.)"


def episode_tags(
    episode: EpisodeTimeline, identity: EpisodeIdentity, settings: Settings, cover: bytes = b""
) -> EpisodeTags:
    plan = episode.plan
    return EpisodeTags(
        title=plan.article.title,
        author=plan.author,
        album=settings.podcast.title,
        date=dt.datetime.fromisoformat(identity.pub_date),
        description=identity.description,
        transcript=captions.plain_transcript(list(episode.timeline)),
        chapters=episode.chapters,
        cover_jpeg=cover,
        language=plan.voice.language,
        episode_url=url_for(settings.base_url, identity.files["mp3"]),
        feed_url=url_for(settings.base_url, "feed.xml"),
    )


def write_mp3(target: EpisodeTarget, data: bytes, out: Path, thumbnail: bytes) -> None:
    """Tag the joined MP3 and put it in output/ atomically."""
    with atomic_path(safe_join(out, target.identity.files["mp3"])) as tmp:
        tmp.write_bytes(data)
        write_tags(tmp, dataclasses.replace(target.tags, cover_jpeg=thumbnail))


def publish_episode(
    target: EpisodeTarget, settings: Settings, pages: Pages, cover_name: str
) -> EpisodeRecord:
    """Write the episode's captions, chapters, transcript and pages; return its record for the state."""
    episode, identity, plan = target.episode, target.identity, target.episode.plan
    out, files = settings.output_dir, dict(identity.files)
    timeline, chapters = list(episode.timeline), list(episode.chapters)
    contents = {
        "vtt": captions.webvtt(timeline),
        "srt": captions.srt(timeline),
        "chapters": captions.chapters_json(chapters, plan.article.title, settings.podcast.title),
        "text": captions.plain_transcript(timeline),
    }
    for role, text in contents.items():
        write_if_changed(safe_join(out, files[role]), text.encode("utf-8"))
    record = EpisodeRecord(
        slug=plan.article.slug,
        guid=identity.guid,
        first_published=identity.first_published,
        source=plan.source,
        title=plan.article.title,
        author=plan.author,
        description=identity.description,
        pub_date=identity.pub_date,
        language=plan.voice.language,
        episode_key=target.key,
        mp3_size=_size(safe_join(out, files["mp3"])),
        duration=round(episode.layout.seconds, 3),
        segments=len(plan.keys),
        files=files,
    )
    pages.write_episode(record, timeline, chapters, cover_name)
    return record


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return -1
