"""Stage 6: the RSS 2.0 feed with iTunes and Podcasting 2.0 tags (feedgen plus a small extension)."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass
from urllib.parse import quote

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from feedgen.util import xml_elem

from .. import __version__
from ..project.settings import Settings
from ..project.state import EpisodeRecord

PODCAST_NS = "https://podcastindex.org/namespace/1.0"
ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"
ATOM_NS = "http://www.w3.org/2005/Atom"  # declared by feedgen, for the self link
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"  # declared by feedgen, for content:encoded
_PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")


def podcast_guid(feed_url: str) -> str:
    """podcast:guid per the Podcast Index spec: UUIDv5 of the feed URL without scheme and trailing /."""
    bare = re.sub(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", "", feed_url.strip()).rstrip("/")
    return str(uuid.uuid5(_PODCAST_GUID_NAMESPACE, bare))


class Podcast20(BaseExtension):
    """Channel tags feedgen lacks: itunes:explicit true/false and the podcast: namespace."""

    def __init__(self) -> None:
        self.explicit: bool | None = None
        self.guid: str | None = None
        self.locked: tuple[bool, str] | None = None
        self.txt: list[tuple[str, str]] = []

    def extend_ns(self) -> dict[str, str]:
        return {"podcast": PODCAST_NS}

    def extend_rss(self, rss):
        channel = rss[0]
        if self.explicit is not None:
            xml_elem(f"{{{ITUNES_NS}}}explicit", channel).text = "true" if self.explicit else "false"
        if self.guid:
            xml_elem(f"{{{PODCAST_NS}}}guid", channel).text = self.guid
        if self.locked is not None:
            locked, owner = self.locked
            attrs = {"owner": owner} if owner else {}
            xml_elem(f"{{{PODCAST_NS}}}locked", channel, **attrs).text = "yes" if locked else "no"
        for purpose, text in self.txt:
            xml_elem(f"{{{PODCAST_NS}}}txt", channel, purpose=purpose).text = text
        return rss


class Podcast20Entry(BaseEntryExtension):
    def __init__(self) -> None:
        self.explicit: bool | None = None
        self.transcripts: list[dict[str, str]] = []
        self.chapters_url: str | None = None
        self.persons: list[tuple[str, dict[str, str]]] = []

    def extend_rss(self, item):
        if self.explicit is not None:
            xml_elem(f"{{{ITUNES_NS}}}explicit", item).text = "true" if self.explicit else "false"
        for attrs in self.transcripts:
            xml_elem(f"{{{PODCAST_NS}}}transcript", item, **attrs)
        if self.chapters_url:
            xml_elem(
                f"{{{PODCAST_NS}}}chapters", item, url=self.chapters_url, type="application/json+chapters"
            )
        for name, attrs in self.persons:
            xml_elem(f"{{{PODCAST_NS}}}person", item, **attrs).text = name
        return item


@dataclass(frozen=True)
class FeedInputs:
    settings: Settings
    podcast_guid: str
    cover_name: str
    episodes: list[EpisodeRecord]


def url_for(base_url: str, relative: str) -> str:
    return base_url + quote(relative)


def feed_xml(inputs: FeedInputs) -> bytes:
    """The feed as bytes; the same inputs always give the same bytes (no build timestamps)."""
    settings = inputs.settings
    podcast = settings.podcast
    base = settings.base_url
    feed_url = url_for(base, "feed.xml")
    fg = FeedGenerator()
    fg.load_extension("podcast")
    fg.register_extension("pc20", Podcast20, Podcast20Entry)
    fg.title(podcast.title)
    fg.description(podcast.description or f"{podcast.title}: articles read aloud by a synthetic voice.")
    fg.language(podcast.language)
    fg.link(href=feed_url, rel="self", type="application/rss+xml")  # self first: <link> is the last
    fg.link(href=url_for(base, "index.html"), rel="alternate")
    fg.generator(f"readcast {__version__}", uri="https://pypi.org/project/readcast/")
    if podcast.copyright:
        fg.copyright(podcast.copyright)
    if podcast.author:
        fg.podcast.itunes_author(podcast.author)
    if podcast.email:
        fg.podcast.itunes_owner(name=podcast.author or podcast.title, email=podcast.email)
    fg.podcast.itunes_image(url_for(base, inputs.cover_name))
    fg.image(url=url_for(base, inputs.cover_name), title=podcast.title, link=url_for(base, "index.html"))
    fg.podcast.itunes_category(podcast.category, podcast.subcategory or None)
    fg.podcast.itunes_type("episodic")
    fg.pc20.explicit = podcast.explicit
    fg.pc20.guid = inputs.podcast_guid
    fg.pc20.txt = [("ai-content", "true")]
    if podcast.locked or podcast.email:
        fg.pc20.locked = (podcast.locked, podcast.email)

    episodes = sorted(inputs.episodes, key=lambda e: (e.pub_date, e.slug), reverse=True)
    for record in episodes:
        fe = fg.add_entry(order="append")
        fe.title(record.title)
        fe.guid(record.guid, permalink=False)
        fe.pubDate(dt.datetime.fromisoformat(record.pub_date))
        fe.description(record.description)
        fe.link(
            href=url_for(base, record.files["page"])
            if "page" in record.files
            else url_for(base, record.files["mp3"])
        )
        fe.enclosure(url_for(base, record.files["mp3"]), str(record.mp3_size), "audio/mpeg")
        fe.podcast.itunes_duration(str(max(1, round(record.duration))))
        if record.author:
            fe.podcast.itunes_author(record.author)
        fe.pc20.explicit = podcast.explicit
        language = {"language": record.language} if record.language != podcast.language else {}
        fe.pc20.transcripts = [
            {"url": url_for(base, record.files[role]), "type": mime, **language, **extra}
            for role, mime, extra in (
                ("vtt", "text/vtt", {"rel": "captions"}),
                ("srt", "application/x-subrip", {"rel": "captions"}),
                ("transcript", "text/html", {}),
            )
            if role in record.files
        ]
        if "chapters" in record.files:
            fe.pc20.chapters_url = url_for(base, record.files["chapters"])
        if record.author:
            fe.pc20.persons = [(record.author, {"role": "author", "group": "writing"})]
    newest = max(
        (dt.datetime.fromisoformat(e.pub_date) for e in episodes),
        default=dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc),
    )
    fg.lastBuildDate(newest)  # tied to the content, not the clock: rebuilds stay byte-identical
    return fg.rss_str(pretty=True, encoding="UTF-8", xml_declaration=True)
