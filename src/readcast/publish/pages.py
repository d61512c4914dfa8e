"""Accessible web pages: output/index.html, one page per episode and the HTML transcripts.

Rendered with Jinja2 from the templates shipped in ``readcast/templates``; a project overrides any
of them by putting a file of the same name in its own ``templates/`` folder.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ConfigError
from ..fsutil import safe_join, write_if_changed
from ..models import Chapter, TimedSegment
from ..project.settings import Settings
from ..project.state import EpisodeRecord
from ..speech.script import PAUSE_AFTER_MS
from .feed import url_for

PACKAGE_TEMPLATES = Path(__file__).parent / "templates"
PROJECT_TEMPLATES = "templates"
"""Folder in the project whose files replace the packaged templates of the same name."""
ASSETS = ("readcast.css", "readcast.js")
"""Copied verbatim (not rendered) into output/assets/."""
WEB_COVER_SIZE = 600

DISCLOSURE = "Narrated by a synthetic (computer-generated) voice."


@dataclass(frozen=True)
class Line:
    """One spoken segment on the page: the unit the read-along highlights."""

    anchor: str
    start: float
    end: float
    text: str

    @property
    def stamp(self) -> str:
        return clock(self.start)


@dataclass
class Block:
    kind: str
    """p, quote, list or note ([code example], [Image: ...])."""
    items: list[list[Line]] = field(default_factory=list)
    """One entry per paragraph or list item: the segments spoken in it (long ones are split)."""


@dataclass
class Section:
    """A chapter of the transcript: its heading line and the blocks under it."""

    title: str
    anchor: str
    start: float
    heading: Line | None
    blocks: list[Block] = field(default_factory=list)
    chapter: bool = True
    """False for text before the first chapter (none in readcast's own scripts)."""


def clock(seconds: float) -> str:
    """1:05 or 1:02:03, as players show times."""
    total = int(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def hms(seconds: float) -> str:
    """00:01:05, the form the Podcast Index HTML transcript example uses."""
    total = int(seconds)
    return f"{total // 3600:02d}:{total % 3600 // 60:02d}:{total % 60:02d}"


def duration_words(seconds: float) -> str:
    total = max(1, round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{hours} h"] if hours else []
    if minutes or hours:
        parts.append(f"{minutes} min")
    if not hours:
        parts.append(f"{secs} s")
    return " ".join(parts)


def size_words(size: int) -> str:
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB"
    return f"{max(1, round(size / 1000))} kB"


def transcript_sections(timeline: list[TimedSegment], chapters: list[Chapter]) -> list[Section]:
    """The timeline grouped by chapter, with list items gathered into lists."""
    sections: list[Section] = []
    chapter_starts = iter(chapters)
    open_unit = False  # the previous segment was a sentence of a paragraph that may go on
    open_block: int | None = None
    for n, timed in enumerate(timeline):
        seg = timed.segment
        text = seg.written.strip()
        if not text:
            continue
        line = Line(f"s{n + 1}", timed.start, timed.end, text)
        if seg.chapter is not None or not sections:
            open_unit = False
            chapter = next(chapter_starts, None) if seg.chapter is not None else None
            start = chapter.start if chapter else timed.start
            title = seg.chapter or "Introduction"
            is_heading = seg.kind in ("heading", "intro") and text.rstrip(".") == title.rstrip(".")
            sections.append(
                Section(
                    title,
                    f"chapter-{len(sections) + 1}",
                    start,
                    line if is_heading else None,
                    chapter=chapter is not None,
                )
            )
            if is_heading:
                continue
        blocks = sections[-1].blocks
        kind = {
            "list_item": "list",
            "table_row": "list",
            "quote": "quote",
            "code": "note",
            "image": "note",
            "table": "note",
        }.get(seg.kind, "p")
        if open_unit and seg.block == open_block and blocks and blocks[-1].kind == kind:
            blocks[-1].items[-1].append(line)
        elif kind in ("list", "quote") and blocks and blocks[-1].kind == kind:
            blocks[-1].items.append([line])
        else:
            blocks.append(Block(kind, [[line]]))
        # segments without a block id (made by hand) fall back on the pause between sentences
        open_unit = seg.kind in ("paragraph", "quote", "list_item") and (
            seg.block is not None or seg.pause_after_ms == PAUSE_AFTER_MS["sentence"]
        )
        open_block = seg.block
    return sections


class Pages:
    """Renders the site for one project; templates are looked up in the project first."""

    def __init__(self, settings: Settings) -> None:
        from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined

        self.settings = settings
        self.out = settings.output_dir
        self.template_dirs = [settings.root / PROJECT_TEMPLATES, PACKAGE_TEMPLATES]
        self.env = Environment(
            loader=ChoiceLoader([FileSystemLoader(str(d)) for d in self.template_dirs]),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.env.filters["clock"] = clock
        self.env.filters["hms"] = hms

    # -- public --------------------------------------------------------------------------
    def write_episode(
        self, record: EpisodeRecord, timeline: list[TimedSegment], chapters: list[Chapter], cover_name: str
    ) -> None:
        """Write the episode page and its HTML transcript (roles "page" and "transcript")."""
        sections = transcript_sections(timeline, chapters)
        context = {
            **self._common(cover_name, root="../"),
            "lang": record.language,
            "episode": self._episode(record),
            "sections": sections,
            "chapters": [{"title": c.title, "start": c.start, "stamp": clock(c.start)} for c in chapters],
        }
        if "page" in record.files:
            self._write(record.files["page"], self._render("episode.html", context))
        if "transcript" in record.files:
            self._write(record.files["transcript"], self._render("transcript.html", context))

    def write_index(self, records: list[EpisodeRecord], cover_name: str) -> None:
        """Write index.html (every episode, newest first) and the shared assets."""
        newest_first = sorted(records, key=lambda r: (r.pub_date, r.slug), reverse=True)
        context = {
            **self._common(cover_name, root=""),
            "lang": self.settings.podcast.language,
            "episodes": [self._episode(r) for r in newest_first],
        }
        self._write("index.html", self._render("index.html", context))
        for name in ASSETS:
            self._write(f"assets/{name}", self._source(name))

    # -- context -------------------------------------------------------------------------
    def _common(self, cover_name: str, root: str) -> dict:
        podcast = self.settings.podcast
        return {
            "root": root,
            "podcast": podcast,
            "feed_url": url_for(self.settings.base_url, "feed.xml"),
            "cover": {
                "src": root + self._web_cover(cover_name),
                "alt": f"Cover art of {podcast.title}",
                "size": WEB_COVER_SIZE,
            },
            "disclosure": DISCLOSURE,
        }

    def _episode(self, record: EpisodeRecord) -> dict:
        """Template values for one episode: `files` are relative to output/, `names` to the page."""
        date = dt.datetime.fromisoformat(record.pub_date)
        mp3 = self.out / record.files["mp3"]
        size = mp3.stat().st_size if mp3.is_file() else record.mp3_size
        return {
            "slug": record.slug,
            "title": record.title,
            "author": record.author,
            "description": record.description,
            "language": record.language,
            "date_iso": date.date().isoformat(),
            "date_words": f"{date.day} {date:%B %Y}",
            "duration": record.duration,
            "duration_iso": f"PT{round(record.duration)}S",
            "duration_words": duration_words(record.duration),
            "size": size,
            "size_words": size_words(size),
            "files": {"page": record.files["mp3"], **record.files},
            "names": {role: Path(rel).name for role, rel in record.files.items()},
        }

    def _web_cover(self, cover_name: str) -> str:
        """A small copy of the cover for pages (the feed's is up to 3000 px); its path in output/."""
        from .cover import thumbnail_jpeg

        name = f"assets/{Path(cover_name).stem}-{WEB_COVER_SIZE}.jpg"
        path = safe_join(self.out, name)
        if not path.is_file():
            source = self.out / cover_name
            write_if_changed(path, thumbnail_jpeg(source.read_bytes(), WEB_COVER_SIZE))
        for old in path.parent.glob(f"cover-*-{WEB_COVER_SIZE}.jpg"):
            if old != path:
                old.unlink()
        return name

    # -- rendering -----------------------------------------------------------------------
    def _render(self, name: str, context: dict) -> bytes:
        from jinja2 import TemplateError, TemplateSyntaxError

        try:
            return self.env.get_template(name).render(context).encode("utf-8")
        except TemplateSyntaxError as exc:
            raise ConfigError(
                f"{exc.filename or name}, line {exc.lineno}: template error: "
                f"{exc.message}. Fix the template, or delete it to use the "
                "built-in one."
            ) from None
        except TemplateError as exc:
            raise ConfigError(
                f"template {self._where(name)}: {exc}. Fix the template, or delete "
                "it to use the built-in one."
            ) from None

    def _source(self, name: str) -> bytes:
        for folder in self.template_dirs:
            path = folder / name
            if path.is_file():
                return path.read_bytes()
        raise ConfigError(
            f"template {name} not found in {self.template_dirs[0]} "
            "or the readcast package; reinstall readcast"
        )

    def _where(self, name: str) -> Path:
        return next((d / name for d in self.template_dirs if (d / name).is_file()), PACKAGE_TEMPLATES / name)

    def _write(self, relative: str, data: bytes) -> None:
        write_if_changed(safe_join(self.out, relative), data)


def episode_files(slug: str, episodes_dir: str = "episodes") -> dict[str, str]:
    """Output paths of an episode's web files, by role."""
    return {"transcript": f"{episodes_dir}/{slug}.transcript.html", "page": f"{episodes_dir}/{slug}.html"}
