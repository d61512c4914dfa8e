"""Each episode of the feed (F-30 ... F-40, P-03 ... P-05) and the files it names."""

from __future__ import annotations

import email.utils
import re
from pathlib import Path
from urllib.parse import urlsplit

from .audio import check_mp3
from .chapters import check_chapters_json
from .context import NS, Context, Element, child_text
from .pages import check_page
from .transcripts import check_html_transcript, check_srt, check_vtt

ENCLOSURE_TYPES = {
    ".mp3": "audio/mpeg",
    ".m4a": "audio/x-m4a",
    ".mp4": "video/mp4",
    ".m4v": "video/x-m4v",
    ".mov": "video/quicktime",
    ".pdf": "application/pdf",
    ".epub": "application/epub+zip",
}
ITUNES_FORMATS = {"m4a", "mp3", "mov", "mp4", "m4v", "pdf", "epub"}
"""Enclosure extensions the W3C validator accepts for iTunes (UnsupportedItunesFormat)."""
TRANSCRIPT_TYPES = {"text/vtt", "application/x-subrip", "application/json", "text/html", "text/plain"}
DURATION_RE = re.compile(r"^\d+(:[0-5]\d(:[0-5]\d)?)?$")
MIME_RE = re.compile(r"^[a-zA-Z0-9!#$&.+^_-]+/[a-zA-Z0-9!#$&.+^_-]+(\s*;.*)?$")


def check_item(ctx: Context, item: Element, n: int) -> None:
    title = child_text(item, "title")
    where = f"feed.xml item {n} ({title or 'untitled'})"
    ctx.required_text(title, "F-30", where, "title", "give the article a title")
    duration = _duration(ctx, item, where)
    _enclosure(ctx, item, where, duration)
    _guid(ctx, item, where)
    pub_date = child_text(item, "pubDate")
    try:
        parsed = email.utils.parsedate_to_datetime(pub_date or "")
        if parsed.tzinfo is None:
            raise ValueError("no time zone")
    except (TypeError, ValueError):
        ctx.error(
            "F-33",
            where,
            f"<pubDate> {pub_date!r} is not an RFC 2822 date with a time zone",
            "set date: in the article's front matter as YYYY-MM-DD and build again",
        )
    description = child_text(item, "description")
    if not description and not title:
        ctx.error("F-35", where, "the item has neither title nor description", "give the article a title")
    if description and len(description.encode("utf-8")) > 4000:
        ctx.error(
            "F-35",
            where,
            "<description> is longer than 4000 bytes",
            "shorten description: in the article's front matter",
        )
    link = child_text(item, "link")
    if not link:
        ctx.warning("F-36", where, "no <link> to the episode page", "rebuild with readcast")
    else:
        check_page(ctx, link, where)
    explicit = child_text(item, "itunes:explicit")
    if explicit is not None and explicit.lower() not in ("true", "false"):
        ctx.error(
            "F-37",
            where,
            f"<itunes:explicit> {explicit!r} is not true or false",
            "rebuild the feed with readcast",
        )
    for tag in ("itunes:episode", "itunes:season"):
        value = child_text(item, tag)
        if value is not None and not (value.isdigit() and int(value) > 0):
            ctx.error(
                "F-39", where, f"<{tag}> {value!r} is not a positive integer", "use a whole number from 1"
            )
    kind = child_text(item, "itunes:episodeType")
    if kind is not None and kind not in ("full", "trailer", "bonus"):
        ctx.error("F-40", where, f"<itunes:episodeType> {kind!r} is not full, trailer or bonus", "use full")
    _podcast_item(ctx, item, where, duration)


def _duration(ctx: Context, item: Element, where: str) -> float | None:
    value = child_text(item, "itunes:duration")
    if value is None:
        ctx.warning("F-34", where, "no <itunes:duration>", "rebuild the feed with readcast")
        return None
    if not DURATION_RE.match(value):
        ctx.error(
            "F-34",
            where,
            f"<itunes:duration> {value!r} is not seconds or [H:]MM:SS",
            "rebuild the feed with readcast",
        )
        return None
    seconds = 0
    for part in value.split(":"):
        seconds = seconds * 60 + int(part)
    return float(seconds)


def _enclosure(ctx: Context, item: Element, where: str, duration: float | None) -> None:
    enclosures = item.findall("enclosure")
    if len(enclosures) != 1:
        ctx.error(
            "F-31",
            where,
            f"{len(enclosures)} <enclosure> elements, expected 1",
            "rebuild the feed with readcast",
        )
        return
    enclosure = enclosures[0]
    url, length, mime = (enclosure.get(a) for a in ("url", "length", "type"))
    if not url or length is None or not mime:
        ctx.error("F-31", where, "<enclosure> needs url, length and type", "rebuild the feed with readcast")
        return
    ctx.url(url, where, "F-04")
    suffix = Path(urlsplit(url).path).suffix.lower()
    if not MIME_RE.match(mime) or ENCLOSURE_TYPES.get(suffix, mime) != mime:
        ctx.error(
            "F-31",
            where,
            f"enclosure type {mime!r} does not match {suffix or 'the URL'}",
            f"use {ENCLOSURE_TYPES.get(suffix, 'audio/mpeg')}",
        )
    if suffix.lstrip(".") not in ITUNES_FORMATS:
        ctx.warning(
            "F-31",
            where,
            f"enclosure extension {suffix!r} is not one Apple accepts (W3C: UnsupportedItunesFormat)",
            "publish MP3 episodes",
        )
    if not length.isdigit() or int(length) <= 0:
        ctx.error(
            "F-31",
            where,
            f"enclosure length {length!r} is not the file size in bytes",
            "rebuild the feed with readcast",
        )
        return
    path = ctx.local(url, where)
    if path is None:
        return
    size = path.stat().st_size
    if size != int(length):
        ctx.error(
            "A-14",
            where,
            f"enclosure length {length} is not the size of {ctx.rel(path)} ({size} bytes)",
            "build again: the MP3 changed after the feed",
        )
    if suffix == ".mp3":
        chapters_url = next((c.get("url") for c in item.findall("podcast:chapters", NS)), None)
        chapters_path = ctx.local(chapters_url, where, report=False) if chapters_url else None
        check_mp3(ctx, path, duration, chapters_path)


def _guid(ctx: Context, item: Element, where: str) -> None:
    guid = item.find("guid")
    if guid is None or not (guid.text or "").strip():
        ctx.error(
            "F-32",
            where,
            "no <guid> (W3C: MissingGuid); Apple skips such episodes",
            "rebuild the feed with readcast",
        )
        return
    permalink = guid.get("isPermaLink", "true")
    if permalink not in ("true", "false"):
        ctx.error(
            "F-32",
            where,
            f"isPermaLink {permalink!r} is not true or false",
            "rebuild the feed with readcast",
        )
    value = guid.text.strip()
    if permalink == "true" and (
        not re.match(r"https?://", value) or value.lower().startswith(("urn:uuid:", "tag:"))
    ):
        ctx.error(
            "F-32",
            where,
            f"<guid> {value!r} is marked as a permalink but is not a URL (W3C: InvalidPermalink)",
            'add isPermaLink="false"',
        )


def _podcast_item(ctx: Context, item: Element, where: str, duration: float | None) -> None:
    for transcript in item.findall("podcast:transcript", NS):
        url, mime = transcript.get("url"), transcript.get("type")
        if not url or mime not in TRANSCRIPT_TYPES:
            ctx.error(
                "P-03",
                where,
                f"<podcast:transcript> needs a url and a type from "
                f"{', '.join(sorted(TRANSCRIPT_TYPES))} (got {mime!r})",
                "rebuild the feed with readcast",
            )
            continue
        ctx.url(url, where, "F-04")
        path = ctx.local(url, where)
        if path is None:
            continue
        if mime == "text/vtt":
            check_vtt(ctx, path, duration)
        elif mime == "application/x-subrip":
            check_srt(ctx, path, duration)
        elif mime == "text/html":
            check_html_transcript(ctx, path)
    if not any(t.get("type") == "text/vtt" for t in item.findall("podcast:transcript", NS)):
        ctx.warning(
            "P-03",
            where,
            "no WebVTT transcript (the format Apple ingests)",
            "rebuild with readcast, which writes one per episode",
        )
    chapters = item.findall("podcast:chapters", NS)
    if len(chapters) > 1:
        ctx.error("P-04", where, "more than one <podcast:chapters>", "keep one")
    for element in chapters:
        url = element.get("url")
        if not url or element.get("type") != "application/json+chapters":
            ctx.error(
                "P-04",
                where,
                '<podcast:chapters> needs a url and type="application/json+chapters"',
                "rebuild the feed with readcast",
            )
            continue
        ctx.url(url, where, "F-04")
        path = ctx.local(url, where)
        if path is not None:
            check_chapters_json(ctx, path, duration)
    for person in item.findall("podcast:person", NS):
        if not (person.text or "").strip() or len(person.text or "") > 128:
            ctx.error(
                "P-05",
                where,
                "<podcast:person> must name someone in at most 128 characters",
                "shorten author: in the article's front matter",
            )
