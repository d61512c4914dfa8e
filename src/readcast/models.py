"""Value objects handed from one pipeline stage to the next.

The build's stages and what each hands on (all frozen; no stage fills in another's object):

    read/     Article           (this module)
    speech/   EpisodePlan       (speech/plan.py: voice, Script, segment keys)
    audio/    SynthesizedSegments (audio/synth.py) -> EpisodeSpec -> MixedEpisode (audio/episode.py)
    publish/  PublishedEpisode  (publish/episode.py), then the feed and the site (publish/site.py)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

BlockKind = Literal[
    "heading", "paragraph", "list_item", "quote", "code", "image", "table_row", "rule", "footnote"
]


@dataclass(frozen=True)
class Block:
    """One structural unit of an article, in reading order, with its written text."""

    kind: BlockKind
    text: str
    level: int = 0
    """Heading level (1-6), list nesting depth (1 = top level), 0 elsewhere."""
    ordinal: int | None = None
    """Position in an ordered list (1, 2, ...), None for unordered items and other blocks."""
    last_in_group: bool = False
    """True for the last item of a list or the last row of a table: the pause after it is longer."""


@dataclass(frozen=True)
class ArticleMeta:
    """Per-article settings from front matter (or HTML metadata); None means "use the project's"."""

    title: str | None = None
    author: str | None = None
    date: dt.datetime | None = None
    description: str | None = None
    slug: str | None = None
    guid: str | None = None
    voice: str | None = None
    engine: str | None = None
    speed: float | None = None
    language: str | None = None
    draft: bool = False
    pronunciations: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Article:
    """An article read from content/: where it came from, its title and its blocks."""

    source: Path
    slug: str
    title: str
    blocks: tuple[Block, ...]
    meta: ArticleMeta = field(default_factory=ArticleMeta)


@dataclass(frozen=True)
class Segment:
    """One unit of speech: what the engine says, what the transcript shows, and the pause after it."""

    spoken: str
    """Text sent to the engine, normalized for speech."""
    written: str
    """Text as the author wrote it, for transcripts and captions."""
    kind: str
    pause_after_ms: int
    chapter: str | None = None
    """Set on the first segment of a chapter: the chapter's title."""
    block: int | None = None
    """Index of the article block it was read from (None for the intro and outro): pages group
    the segments of one paragraph by it."""


@dataclass(frozen=True)
class Script:
    """Everything that will be said for one article, in order."""

    article: Article
    segments: tuple[Segment, ...]

    @property
    def chapter_titles(self) -> list[str]:
        return [s.chapter for s in self.segments if s.chapter is not None]


@dataclass(frozen=True)
class VoiceChoice:
    """The engine settings that shape the sound of a segment."""

    engine: str
    voice: str | None
    speed: float
    language: str


@dataclass(frozen=True)
class TimedSegment:
    """A segment placed on the episode's timeline (seconds, from sample counts)."""

    segment: Segment
    start: float
    end: float
    """End of the speech, before the pause that follows it."""


@dataclass(frozen=True)
class Chapter:
    title: str
    start: float
    end: float


@dataclass(frozen=True)
class ArticleFailure:
    """An article that could not be read or planned: skipped, reported with one line."""

    slug: str
    title: str
    source: str
    error: str


Progress = Callable[[str, int, int], None]
"""progress(stage, done, total), called as work advances."""
