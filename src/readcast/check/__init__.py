"""`readcast check`: validate a built output/ offline before publishing it.

The rules are those of the W3C Feed Validation Service and Apple's podcast requirements, plus the
Podcasting 2.0 tag rules, the MP3/ID3 rules and the loudness targets of readcast's checklist; each
problem carries its rule ID (F-, P-, M-, A-, W-) and the fix.
"""

from __future__ import annotations

import email.utils
import json
import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..errors import ReadcastError
from ..project.settings import (
    CATEGORIES,
    CONFIG_NAME,
    DEFAULT_BASE_URL,
    LANGUAGE_RE,
    load_settings,
    resolve_output,
)

ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST_NS = "https://podcastindex.org/namespace/1.0"
PODCAST_NS_ALT = "https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md"
ATOM_NS = "http://www.w3.org/2005/Atom"
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
NS = {"itunes": ITUNES_NS, "podcast": PODCAST_NS, "atom": ATOM_NS}

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
UUID5_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-5[0-9a-fA-F]{3}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
DURATION_RE = re.compile(r"^\d+(:[0-5]\d(:[0-5]\d)?)?$")
ASCII_URL_RE = re.compile(r"^[A-Za-z0-9:/?#\[\]@!$&'()*+,;=._~%-]+$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIME_RE = re.compile(r"^[a-zA-Z0-9!#$&.+^_-]+/[a-zA-Z0-9!#$&.+^_-]+(\s*;.*)?$")
V24_ONLY_FRAMES = {
    "TDRC",
    "TDRL",
    "TDOR",
    "TDEN",
    "TDTG",
    "TIPL",
    "TMCL",
    "TMOO",
    "TPRO",
    "TSOA",
    "TSOP",
    "TSOT",
    "TSST",
    "ASPI",
    "EQU2",
    "RVA2",
    "SEEK",
    "SIGN",
}
VTT_TIME = r"(?:(\d{2,}):)?(\d{2}):(\d{2})\.(\d{3})"
VTT_CUE_RE = re.compile(rf"^{VTT_TIME} --> {VTT_TIME}(?:\s.*)?$")
SRT_CUE_RE = re.compile(r"^(\d{2,}):(\d{2}):(\d{2}),(\d{3}) --> (\d{2,}):(\d{2}):(\d{2}),(\d{3})$")

LOUDNESS_TOLERANCE = 1.0
TRUE_PEAK_MAX = -1.0
COVER_MIN, COVER_MAX = 1400, 3000
COVER_MAX_BYTES = 512 * 1024


@dataclass(frozen=True)
class Problem:
    level: str
    """error (apps or the validators reject it) or warning (recommended)."""
    rule: str
    where: str
    message: str
    fix: str


@dataclass
class CheckReport:
    output: Path
    problems: list[Problem] = field(default_factory=list)
    episodes: int = 0
    audio: dict[str, dict[str, float]] = field(default_factory=dict)
    """Per MP3 (path relative to output/): duration, loudness (LUFS, dual-mono) and true_peak."""

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "warning"]

    def to_json(self) -> dict:
        return {
            "output": str(self.output),
            "episodes": self.episodes,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "problems": [asdict(p) for p in self.problems],
            "audio": self.audio,
        }


def check(folder: Path | str, *, loudness: float | None = None, measure_audio: bool = True) -> CheckReport:
    """Check the built output of project (or output folder) `folder`; problems are returned."""
    folder = Path(folder)
    output = resolve_output(folder, "check")
    if loudness is None:
        loudness = load_settings(folder).audio.loudness if (folder / CONFIG_NAME).is_file() else -16.0
    checker = _Checker(output, loudness, measure_audio)
    checker.run()
    return checker.report


class _Checker:
    def __init__(self, output: Path, loudness: float, measure_audio: bool) -> None:
        self.out = output
        self.loudness = loudness
        self.measure_audio = measure_audio
        self.report = CheckReport(output)
        self.base: str | None = None

    # -- reporting -----------------------------------------------------------------------
    def error(self, rule: str, where: str, message: str, fix: str) -> None:
        self.report.problems.append(Problem("error", rule, where, message, fix))

    def warning(self, rule: str, where: str, message: str, fix: str) -> None:
        self.report.problems.append(Problem("warning", rule, where, message, fix))

    # -- the feed ------------------------------------------------------------------------
    def run(self) -> None:
        from lxml import etree

        feed_path = self.out / "feed.xml"
        data = feed_path.read_bytes()
        declaration = data.split(b"?>", 1)[0] if data.startswith(b"<?xml") else b""
        if not re.search(rb"""encoding=["']utf-8["']""", declaration, re.IGNORECASE):
            self.error(
                "F-01",
                "feed.xml",
                "the feed does not start with an XML declaration naming UTF-8",
                "rebuild with readcast, which writes <?xml version='1.0' encoding='UTF-8'?>",
            )
        try:
            parser = etree.XMLParser(resolve_entities=False, no_network=True)
            root = etree.fromstring(data, parser=parser)
        except etree.XMLSyntaxError as exc:
            self.error(
                "F-01",
                "feed.xml",
                f"not well-formed XML: {exc}",
                "rebuild the feed; if you edited it by hand, escape every & as &amp;",
            )
            return
        if root.tag != "rss" or root.get("version") != "2.0":
            self.error(
                "F-02",
                "feed.xml",
                f'the root element is <{root.tag}>, not <rss version="2.0">',
                "publish an RSS 2.0 feed (Apple no longer accepts Atom)",
            )
            return
        self._namespaces(root)
        channel = root.find("channel")
        if channel is None:
            self.error("F-02", "feed.xml", "no <channel> element", "rebuild the feed")
            return
        self._channel(channel)
        items = channel.findall("item")
        self.report.episodes = len(items)
        for n, item in enumerate(items, start=1):
            self._item(item, n)
        self._cross_items(items)
        self._reparse(data, len(items))

    def _namespaces(self, root) -> None:
        declared = set(root.nsmap.values())
        if ITUNES_NS not in declared:
            self.error(
                "F-01",
                "feed.xml",
                f"the iTunes namespace {ITUNES_NS} is not declared",
                "rebuild the feed with readcast",
            )
        if CONTENT_NS not in declared:
            self.warning(
                "F-01",
                "feed.xml",
                f"the content namespace {CONTENT_NS} is not declared",
                "rebuild the feed with readcast",
            )
        uses_podcast = any(
            isinstance(el.tag, str) and el.tag.startswith(f"{{{PODCAST_NS}}}") for el in root.iter()
        )
        if root.nsmap.get("podcast") not in (None, PODCAST_NS, PODCAST_NS_ALT) or (
            uses_podcast and PODCAST_NS not in declared
        ):
            self.error(
                "P-00",
                "feed.xml",
                f"podcast: tags without the namespace {PODCAST_NS}",
                "rebuild the feed with readcast",
            )

    def _channel(self, channel) -> None:
        where = "feed.xml <channel>"
        title = _text(channel, "title")
        self._required_text(title, "F-10", where, "title", "set [podcast] title in readcast.toml")
        description = _text(channel, "description")
        self._required_text(
            description, "F-11", where, "description", "set [podcast] description in readcast.toml"
        )
        if description and len(description.encode("utf-8")) > 4000:
            self.error(
                "F-11", where, "<description> is longer than 4000 bytes", "shorten [podcast] description"
            )
        language = _text(channel, "language")
        if not language or not LANGUAGE_RE.fullmatch(language):
            self.error(
                "F-12",
                where,
                f"<language> {language!r} is not an ISO 639 code",
                "set [podcast] language to a code such as 'en' or 'en-us'",
            )
        self._self_link(channel, where)
        if not _text(channel, "link"):
            self.error(
                "F-17",
                where,
                "no <link> to the show's website",
                "rebuild the feed with readcast (it links output/index.html)",
            )
        images = channel.findall("itunes:image", NS)
        if len(images) != 1 or not images[0].get("href"):
            self.error(
                "F-13",
                where,
                f"{len(images)} <itunes:image href> elements, expected exactly 1",
                "rebuild the feed; readcast always writes the cover",
            )
        else:
            href = images[0].get("href", "")
            if not re.search(r"\.(jpg|png)$", urlsplit(href).path, re.IGNORECASE) or "?" in href:
                self.error(
                    "F-53",
                    where,
                    f"artwork URL {href} does not end in .jpg or .png",
                    "use a .jpg or .png cover without a query string",
                )
            self._cover(href, where)
        self._category(channel, where)
        explicit = channel.findall("itunes:explicit", NS)
        if len(explicit) != 1 or (explicit[0].text or "").strip().lower() not in ("true", "false"):
            self.error(
                "F-15",
                where,
                "<itunes:explicit> must appear once with true or false",
                "set [podcast] explicit = true or false",
            )
        author = _text(channel, "itunes:author")
        if not author:
            self.warning("F-18", where, "no <itunes:author>", "set [podcast] author in readcast.toml")
        elif len(author) > 255:
            self.error(
                "F-08", where, "<itunes:author> is longer than 255 characters", "shorten [podcast] author"
            )
        if len(title or "") > 255:
            self.warning("F-08", where, "<title> is longer than 255 characters", "shorten [podcast] title")
        show_type = _text(channel, "itunes:type")
        if show_type and show_type not in ("episodic", "serial"):
            self.error(
                "F-19",
                where,
                f"<itunes:type> {show_type!r} is not episodic or serial",
                "use episodic (readcast's default)",
            )
        owner = channel.find("itunes:owner", NS)
        if owner is None:
            self.warning(
                "F-21",
                where,
                "no <itunes:owner> with an e-mail address (W3C: "
                "MissingItunesEmail); Spotify uses it to verify ownership",
                "set [podcast] email in readcast.toml if you submit to Spotify",
            )
        elif not EMAIL_RE.match(_text(owner, "itunes:email") or ""):
            self.error(
                "F-21",
                where,
                "<itunes:owner> without a valid <itunes:email>",
                "set [podcast] email to a full address",
            )
        image = channel.find("image")
        if image is not None:
            if _text(image, "title") != title:
                self.warning(
                    "F-13",
                    where,
                    "<image><title> differs from the channel title (W3C: ImageTitleDoesntMatch)",
                    "rebuild the feed with readcast",
                )
            if _text(image, "link") != _text(channel, "link"):
                self.warning(
                    "F-13",
                    where,
                    "<image><link> differs from the channel link (W3C: ImageLinkDoesntMatch)",
                    "rebuild the feed with readcast",
                )
        self._podcast_channel(channel, where)
        if not channel.findall("item"):
            self.error(
                "F-42", where, "the feed has no episodes", "put an article in content/ and run readcast build"
            )

    def _self_link(self, channel, where: str) -> None:
        selfs = [link for link in channel.findall("atom:link", NS) if link.get("rel") == "self"]
        if len(selfs) != 1 or not selfs[0].get("href"):
            self.error(
                "F-16",
                where,
                'no <atom:link rel="self"> with the feed\'s own URL (W3C: MissingAtomSelfLink)',
                "rebuild the feed with readcast",
            )
            return
        href = selfs[0].get("href", "")
        if selfs[0].get("type") != "application/rss+xml":
            self.warning(
                "F-16",
                where,
                '<atom:link rel="self"> lacks type="application/rss+xml"',
                "rebuild the feed with readcast",
            )
        if href.endswith("feed.xml"):
            self.base = href[: -len("feed.xml")]
        host = urlsplit(href).hostname or ""
        if href.startswith(DEFAULT_BASE_URL) or host in ("localhost", "127.0.0.1", "::1"):
            self.error(
                "F-03",
                where,
                f"the feed's URLs point to {self.base or href}, which podcast "
                "apps elsewhere cannot reach (it is the default for 'readcast serve')",
                "set [podcast] base_url in readcast.toml (or build with --base-url) to "
                "where you will host output/, then build again",
            )
        elif urlsplit(href).scheme != "https":
            self.warning(
                "F-06",
                where,
                f"the feed is served over {urlsplit(href).scheme}:, not "
                "https: (the Podcasting 2.0 spec requires https: URLs in podcast: tags)",
                "host output/ over HTTPS and set [podcast] base_url to the https:// URL",
            )

    def _category(self, channel, where: str) -> None:
        categories = channel.findall("itunes:category", NS)
        if not categories:
            self.error("F-14", where, "no <itunes:category>", "set [podcast] category")
            return
        top = categories[0].get("text", "")
        if top not in CATEGORIES:
            self.error(
                "F-14",
                where,
                f"category {top!r} is not in Apple's list",
                "set [podcast] category to one of Apple's categories",
            )
            return
        for sub in categories[0].findall("itunes:category", NS):
            if sub.get("text", "") not in CATEGORIES[top]:
                self.error(
                    "F-14",
                    where,
                    f"subcategory {sub.get('text')!r} does not belong to {top!r}",
                    f"use one of: {', '.join(CATEGORIES[top]) or 'none'}",
                )

    def _podcast_channel(self, channel, where: str) -> None:
        guids = channel.findall("podcast:guid", NS)
        if not guids:
            self.warning("P-01", where, "no <podcast:guid>", "rebuild the feed with readcast")
        elif len(guids) > 1 or not UUID5_RE.match((guids[0].text or "").strip()):
            self.error(
                "P-01",
                where,
                "<podcast:guid> must appear once and be a UUIDv5",
                "delete podcast_guid from .readcast/state.json and build again",
            )
        locked = channel.findall("podcast:locked", NS)
        if len(locked) > 1 or (locked and (locked[0].text or "").strip() not in ("yes", "no")):
            self.error(
                "P-02",
                where,
                "<podcast:locked> must appear at most once, with yes or no",
                "set [podcast] locked = true or false",
            )
        elif locked and locked[0].get("owner") and not EMAIL_RE.match(locked[0].get("owner", "")):
            self.error(
                "P-02",
                where,
                "<podcast:locked owner> is not an e-mail address",
                "set [podcast] email to a full address",
            )
        ai = [t for t in channel.findall("podcast:txt", NS) if t.get("purpose") == "ai-content"]
        if not ai or (ai[0].text or "").strip() != "true":
            self.warning(
                "P-06",
                where,
                'no <podcast:txt purpose="ai-content">true</podcast:txt> disclosing the synthetic voice',
                "rebuild the feed with readcast",
            )
        for txt in channel.findall("podcast:txt", NS):
            if len(txt.text or "") > 4000 or len(txt.get("purpose", "")) > 128:
                self.error("P-06", where, "<podcast:txt> longer than 4000 characters", "shorten the text")

    # -- items ---------------------------------------------------------------------------
    def _item(self, item, n: int) -> None:
        title = _text(item, "title")
        where = f"feed.xml item {n} ({title or 'untitled'})"
        self._required_text(title, "F-30", where, "title", "give the article a title")
        duration = self._item_duration(item, where)
        self._enclosure(item, where, duration)
        self._guid(item, where)
        pub_date = _text(item, "pubDate")
        try:
            parsed = email.utils.parsedate_to_datetime(pub_date or "")
            if parsed.tzinfo is None:
                raise ValueError("no time zone")
        except (TypeError, ValueError):
            self.error(
                "F-33",
                where,
                f"<pubDate> {pub_date!r} is not an RFC 2822 date with a time zone",
                "set date: in the article's front matter as YYYY-MM-DD and build again",
            )
        description = _text(item, "description")
        if not description and not title:
            self.error(
                "F-35", where, "the item has neither title nor description", "give the article a title"
            )
        if description and len(description.encode("utf-8")) > 4000:
            self.error(
                "F-35",
                where,
                "<description> is longer than 4000 bytes",
                "shorten description: in the article's front matter",
            )
        link = _text(item, "link")
        if not link:
            self.warning("F-36", where, "no <link> to the episode page", "rebuild with readcast")
        else:
            self._page(link, where)
        explicit = _text(item, "itunes:explicit")
        if explicit is not None and explicit.lower() not in ("true", "false"):
            self.error(
                "F-37",
                where,
                f"<itunes:explicit> {explicit!r} is not true or false",
                "rebuild the feed with readcast",
            )
        for tag in ("itunes:episode", "itunes:season"):
            value = _text(item, tag)
            if value is not None and not (value.isdigit() and int(value) > 0):
                self.error(
                    "F-39", where, f"<{tag}> {value!r} is not a positive integer", "use a whole number from 1"
                )
        kind = _text(item, "itunes:episodeType")
        if kind is not None and kind not in ("full", "trailer", "bonus"):
            self.error(
                "F-40", where, f"<itunes:episodeType> {kind!r} is not full, trailer or bonus", "use full"
            )
        self._podcast_item(item, where, duration)

    def _item_duration(self, item, where: str) -> float | None:
        value = _text(item, "itunes:duration")
        if value is None:
            self.warning("F-34", where, "no <itunes:duration>", "rebuild the feed with readcast")
            return None
        if not DURATION_RE.match(value):
            self.error(
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

    def _enclosure(self, item, where: str, duration: float | None) -> None:
        enclosures = item.findall("enclosure")
        if len(enclosures) != 1:
            self.error(
                "F-31",
                where,
                f"{len(enclosures)} <enclosure> elements, expected 1",
                "rebuild the feed with readcast",
            )
            return
        enclosure = enclosures[0]
        url, length, mime = (enclosure.get(a) for a in ("url", "length", "type"))
        if not url or length is None or not mime:
            self.error(
                "F-31", where, "<enclosure> needs url, length and type", "rebuild the feed with readcast"
            )
            return
        self._url(url, where, "F-04")
        suffix = Path(urlsplit(url).path).suffix.lower()
        if not MIME_RE.match(mime) or ENCLOSURE_TYPES.get(suffix, mime) != mime:
            self.error(
                "F-31",
                where,
                f"enclosure type {mime!r} does not match {suffix or 'the URL'}",
                f"use {ENCLOSURE_TYPES.get(suffix, 'audio/mpeg')}",
            )
        if suffix.lstrip(".") not in ITUNES_FORMATS:
            self.warning(
                "F-31",
                where,
                f"enclosure extension {suffix!r} is not one Apple accepts (W3C: UnsupportedItunesFormat)",
                "publish MP3 episodes",
            )
        if not length.isdigit() or int(length) <= 0:
            self.error(
                "F-31",
                where,
                f"enclosure length {length!r} is not the file size in bytes",
                "rebuild the feed with readcast",
            )
            return
        path = self._local(url, where)
        if path is None:
            return
        size = path.stat().st_size
        if size != int(length):
            self.error(
                "A-14",
                where,
                f"enclosure length {length} is not the size of {self._rel(path)} ({size} bytes)",
                "build again: the MP3 changed after the feed",
            )
        if suffix == ".mp3":
            chapters_url = next((c.get("url") for c in item.findall("podcast:chapters", NS)), None)
            chapters_path = self._local(chapters_url, where, report=False) if chapters_url else None
            self._mp3(path, duration, chapters_path)

    def _guid(self, item, where: str) -> None:
        guid = item.find("guid")
        if guid is None or not (guid.text or "").strip():
            self.error(
                "F-32",
                where,
                "no <guid> (W3C: MissingGuid); Apple skips such episodes",
                "rebuild the feed with readcast",
            )
            return
        permalink = guid.get("isPermaLink", "true")
        if permalink not in ("true", "false"):
            self.error(
                "F-32",
                where,
                f"isPermaLink {permalink!r} is not true or false",
                "rebuild the feed with readcast",
            )
        value = guid.text.strip()
        if permalink == "true" and (
            not re.match(r"https?://", value) or value.lower().startswith(("urn:uuid:", "tag:"))
        ):
            self.error(
                "F-32",
                where,
                f"<guid> {value!r} is marked as a permalink but is not a URL (W3C: InvalidPermalink)",
                'add isPermaLink="false"',
            )

    def _podcast_item(self, item, where: str, duration: float | None) -> None:
        for transcript in item.findall("podcast:transcript", NS):
            url, mime = transcript.get("url"), transcript.get("type")
            if not url or mime not in TRANSCRIPT_TYPES:
                self.error(
                    "P-03",
                    where,
                    f"<podcast:transcript> needs a url and a type from "
                    f"{', '.join(sorted(TRANSCRIPT_TYPES))} (got {mime!r})",
                    "rebuild the feed with readcast",
                )
                continue
            self._url(url, where, "F-04")
            path = self._local(url, where)
            if path is None:
                continue
            if mime == "text/vtt":
                self._vtt(path, duration)
            elif mime == "application/x-subrip":
                self._srt(path, duration)
            elif mime == "text/html":
                self._html_transcript(path)
        if not any(t.get("type") == "text/vtt" for t in item.findall("podcast:transcript", NS)):
            self.warning(
                "P-03",
                where,
                "no WebVTT transcript (the format Apple ingests)",
                "rebuild with readcast, which writes one per episode",
            )
        chapters = item.findall("podcast:chapters", NS)
        if len(chapters) > 1:
            self.error("P-04", where, "more than one <podcast:chapters>", "keep one")
        for element in chapters:
            url = element.get("url")
            if not url or element.get("type") != "application/json+chapters":
                self.error(
                    "P-04",
                    where,
                    '<podcast:chapters> needs a url and type="application/json+chapters"',
                    "rebuild the feed with readcast",
                )
                continue
            self._url(url, where, "F-04")
            path = self._local(url, where)
            if path is not None:
                self._chapters_json(path, duration)
        for person in item.findall("podcast:person", NS):
            if not (person.text or "").strip() or len(person.text or "") > 128:
                self.error(
                    "P-05",
                    where,
                    "<podcast:person> must name someone in at most 128 characters",
                    "shorten author: in the article's front matter",
                )

    def _cross_items(self, items: list) -> None:
        guids = Counter((_text(i, "guid") or "") for i in items)
        for guid, count in guids.items():
            if guid and count > 1:
                self.error(
                    "F-32",
                    "feed.xml",
                    f"GUID {guid} is used by {count} episodes; Apple processes none of them",
                    "give each article its own guid: (or none)",
                )
        urls = Counter(e.get("url") for i in items for e in i.findall("enclosure"))
        for url, count in urls.items():
            if url and count > 1:
                self.error(
                    "F-31",
                    "feed.xml",
                    f"enclosure URL {url} is used by {count} episodes",
                    "give each article its own slug",
                )

    def _reparse(self, data: bytes, count: int) -> None:
        """The feed as two real client parsers see it (when they are installed)."""
        try:
            import podcastparser
        except ImportError:
            return
        import io

        try:
            parsed = podcastparser.parse(
                self.base + "feed.xml" if self.base else "feed.xml", io.BytesIO(data)
            )
        except Exception as exc:  # podcastparser raises its own and SAX errors
            self.error(
                "F-01",
                "feed.xml",
                f"gPodder's podcastparser cannot read the feed: {exc}",
                "rebuild the feed with readcast",
            )
            return
        episodes = parsed.get("episodes", [])
        if len(episodes) != count or any(
            not e.get("enclosures") or e["enclosures"][0].get("file_size", 0) <= 0 for e in episodes
        ):
            self.error(
                "F-31",
                "feed.xml",
                f"podcastparser sees {len(episodes)} episodes with enclosures, the feed has {count} items",
                "rebuild the feed with readcast",
            )

    # -- files ---------------------------------------------------------------------------
    def _local(self, url: str | None, where: str, report: bool = True) -> Path | None:
        """The file in output/ that `url` serves, or None (reported when it is missing)."""
        if not url or not self.base or not url.startswith(self.base):
            if report and url:
                self.warning(
                    "F-03",
                    where,
                    f"{url} is outside the feed's base URL {self.base}; not checked",
                    "keep every file in output/",
                )
            return None
        relative = unquote(urlsplit(url).path)[len(unquote(urlsplit(self.base).path)) :]
        path = (self.out / relative).resolve()
        if self.out not in path.parents or not path.is_file():
            if report:
                self.error(
                    "F-03",
                    where,
                    f"{url} names {relative}, which is not in output/",
                    "build again (readcast build) and publish all of output/",
                )
            return None
        return path

    def _url(self, url: str, where: str, rule: str) -> None:
        if not ASCII_URL_RE.match(url):
            self.error(
                rule,
                where,
                f"URL {url!r} is not plain ASCII",
                "rename the article with an ASCII slug: in its front matter",
            )

    def _required_text(self, value: str | None, rule: str, where: str, tag: str, fix: str) -> None:
        if not value:
            self.error(rule, where, f"<{tag}> is missing or empty", fix)

    def _rel(self, path: Path) -> str:
        return str(path.relative_to(self.out))

    def _cover(self, href: str, where: str) -> None:
        from PIL import Image, UnidentifiedImageError

        path = self._local(href, where)
        if path is None:
            return
        name = self._rel(path)
        try:
            with Image.open(path) as image:
                fmt, mode, (width, height) = image.format, image.mode, image.size
        except (UnidentifiedImageError, OSError) as exc:
            self.error("F-53", name, f"not an image ({exc})", "build again to regenerate the cover")
            return
        expected = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG"}.get(path.suffix.lower())
        if fmt != expected:
            self.error("F-53", name, f"a {fmt} file named {path.suffix}", "use a JPEG or PNG cover")
        if mode != "RGB":
            self.error(
                "F-51",
                name,
                f"colour mode {mode}, Apple needs RGB without alpha",
                "build again: readcast converts the cover to RGB",
            )
        if width != height or not COVER_MIN <= width <= COVER_MAX:
            self.error(
                "F-50",
                name,
                f"{width}x{height} px; Apple needs a square between {COVER_MIN} and {COVER_MAX} px",
                "use a square cover of 3000x3000 px",
            )
        if path.stat().st_size > COVER_MAX_BYTES:
            self.warning(
                "F-56",
                name,
                f"{path.stat().st_size // 1024} KB; some apps ask for 512 KB or less",
                "use a simpler image or a JPEG at lower quality",
            )

    def _mp3(self, path: Path, duration: float | None, chapters_path: Path | None) -> None:
        from mutagen import MutagenError
        from mutagen.id3 import ID3, ID3NoHeaderError
        from mutagen.mp3 import MP3, BitrateMode

        name = self._rel(path)
        try:
            info = MP3(path).info
        except MutagenError as exc:
            self.error("A-10", name, f"not a readable MP3 ({exc})", "build again with --force")
            return
        if info.bitrate_mode != BitrateMode.CBR:
            self.error(
                "A-12",
                name,
                "not constant bitrate: players seek inaccurately in VBR files",
                "build again with --force (readcast encodes CBR)",
            )
        if info.sample_rate not in (44100, 48000):
            self.warning(
                "A-11",
                name,
                f"sample rate {info.sample_rate} Hz; Apple recommends 44.1 or 48 kHz",
                "set [audio] sample_rate = 44100",
            )
        if duration is not None and abs(info.length - duration) > 1.0:
            self.error(
                "F-34",
                name,
                f"<itunes:duration> says {duration:.0f} s, the file lasts {info.length:.1f} s",
                "build again",
            )
        data = path.read_bytes()
        self._id3_layout(data, name)
        if not re.search(rb"Info|Xing", data[_id3_size(data) : _id3_size(data) + 400]):
            self.warning(
                "A-13", name, "no Xing/Info header: players estimate the duration", "build again with --force"
            )
        try:
            tags = ID3(path, translate=False)
        except ID3NoHeaderError:
            self.error("M-01", name, "no ID3 tag", "build again with --force")
            return
        leaked = sorted(V24_ONLY_FRAMES & {f.FrameID for f in tags.values()})
        if leaked:
            self.error(
                "M-01",
                name,
                f"ID3v2.4-only frames in the tag: {', '.join(leaked)}",
                "build again with --force (readcast writes ID3v2.3)",
            )
        if str(tags.get("TCON", "")) != "Podcast":
            self.warning("M-03", name, "genre (TCON) is not Podcast", "build again with --force")
        if not tags.getall("APIC"):
            self.warning("M-04", name, "no cover art (APIC) in the tag", "build again with --force")
        self._id3_chapters(tags, info.length, name, chapters_path)
        entry = {"duration": round(info.length, 3)}
        if self.measure_audio:
            self._loudness(path, name, entry)
        self.report.audio[name] = entry

    def _id3_layout(self, data: bytes, name: str) -> None:
        if data[:3] != b"ID3":
            self.error(
                "M-02", name, "the ID3v2 tag is not at the start of the file", "build again with --force"
            )
            return
        if data[3] != 3:
            self.error(
                "M-01",
                name,
                f"ID3v2.{data[3]} tag; ID3v2.3 is the one every player reads",
                "build again with --force",
            )
        if data[5] != 0:
            self.warning(
                "M-02",
                name,
                "ID3 header flags are set (unsynchronisation or extended "
                "header); simple readers skip such tags",
                "build again with --force",
            )
        if data[-128:-125] == b"TAG":
            self.error(
                "M-02",
                name,
                "an ID3v1 tag at the end of the file",
                "build again with --force (readcast writes no ID3v1)",
            )

    def _id3_chapters(self, tags, length: float, name: str, chapters_path: Path | None) -> None:
        chaps = {f.element_id: f for f in tags.getall("CHAP")}
        tocs = tags.getall("CTOC")
        if not chaps and not tocs:
            if chapters_path is not None:
                self.error(
                    "M-08",
                    name,
                    "the episode has JSON chapters but no ID3 chapters",
                    "build again with --force",
                )
            return
        top = [t for t in tocs if t.flags & 2]
        if len(top) != 1:
            self.error(
                "M-07",
                name,
                f"{len(top)} top-level CTOC frames, expected exactly 1",
                "build again with --force",
            )
            return
        children = list(top[0].child_element_ids)
        missing = [c for c in children if c not in chaps]
        if missing:
            self.error(
                "M-07",
                name,
                f"CTOC lists chapters with no CHAP frame: {', '.join(missing)}",
                "build again with --force",
            )
            return
        ordered = [chaps[c] for c in children]
        starts = [c.start_time for c in ordered]
        if starts != sorted(starts) or starts[0] != 0:
            self.error("M-07", name, "CHAP start times are not ascending from 0", "build again with --force")
        for chap in ordered:
            title = chap.sub_frames.get("TIT2")
            if title is None:
                self.error(
                    "M-07", name, f"chapter {chap.element_id} has no title (TIT2)", "build again with --force"
                )
            if chap.end_time <= chap.start_time or chap.end_time > length * 1000 + 1000:
                self.error(
                    "M-07",
                    name,
                    f"chapter {chap.element_id} ends at {chap.end_time} ms, "
                    f"outside {chap.start_time} ms .. the file's end",
                    "build again with --force",
                )
        if chapters_path is None:
            return
        try:
            json_chapters = json.loads(chapters_path.read_text(encoding="utf-8"))["chapters"]
            from_json = [
                (round(float(c["startTime"]) * 1000), c.get("title", ""))
                for c in json_chapters
                if c.get("toc", True)
            ]
        except (ValueError, KeyError, TypeError):
            return  # reported by the chapters check
        from_id3 = [(c.start_time, str(c.sub_frames.get("TIT2", ""))) for c in ordered]
        if len(from_json) != len(from_id3) or any(
            abs(a[0] - b[0]) > 1 or a[1] != b[1] for a, b in zip(from_json, from_id3, strict=True)
        ):
            self.error(
                "M-08",
                name,
                f"the ID3 chapters differ from {self._rel(chapters_path)}",
                "build again with --force so both come from the same timeline",
            )

    def _loudness(self, path: Path, name: str, entry: dict[str, float]) -> None:
        from ..audio.ffmpeg import measure_file

        try:
            loudness, peak = measure_file(path)
        except ReadcastError as exc:
            self.error("A-01", name, str(exc), "build again with --force")
            return
        entry.update(loudness=loudness, true_peak=peak)
        if abs(loudness - self.loudness) > LOUDNESS_TOLERANCE:
            self.error(
                "A-01",
                name,
                f"integrated loudness {loudness:.1f} LUFS (as dual-mono), "
                f"target {self.loudness:.1f} ±{LOUDNESS_TOLERANCE:.0f} LU",
                "build again with --force; check [audio] loudness",
            )
        if peak > TRUE_PEAK_MAX:
            self.error(
                "A-02",
                name,
                f"true peak {peak:.1f} dBTP is above {TRUE_PEAK_MAX:.0f} dBTP",
                "build again with --force",
            )

    def _chapters_json(self, path: Path, duration: float | None) -> None:
        name = self._rel(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            self.error("P-04", name, f"not valid JSON ({exc})", "build again")
            return
        if not isinstance(data, dict) or not isinstance(data.get("version"), str):
            self.error("P-04", name, '"version" must be a string such as "1.2.0"', "build again")
            return
        chapters = data.get("chapters")
        if not isinstance(chapters, list) or not chapters:
            self.error("P-04", name, '"chapters" must be a non-empty list', "build again")
            return
        starts = []
        for n, chapter in enumerate(chapters, start=1):
            start = chapter.get("startTime") if isinstance(chapter, dict) else None
            if not isinstance(start, (int, float)) or isinstance(start, bool):
                self.error("P-04", name, f"chapter {n} has no numeric startTime", "build again")
                return
            starts.append(float(start))
            end = chapter.get("endTime")
            if end is not None and (not isinstance(end, (int, float)) or end <= start):
                self.error("P-04", name, f"chapter {n} ends before it starts", "build again")
            if "toc" in chapter and not isinstance(chapter["toc"], bool):
                self.error("P-04", name, f"chapter {n}: toc must be true or false", "build again")
        if starts != sorted(starts) or starts[0] != 0:
            self.error("P-04", name, "startTime values must ascend from 0", "build again")
        if duration is not None and starts[-1] >= duration + 1:
            self.error(
                "P-04",
                name,
                f"the last chapter starts at {starts[-1]:.1f} s, after the "
                f"end of the audio ({duration:.0f} s)",
                "build again",
            )

    def _vtt(self, path: Path, duration: float | None) -> None:
        name = self._rel(path)
        lines = path.read_text(encoding="utf-8-sig").splitlines()
        if not lines or not re.match(r"^WEBVTT(\s|$)", lines[0]):
            self.error("P-03", name, "does not start with WEBVTT", "build again")
            return
        cues = []
        for line in lines:
            if "-->" in line:
                match = VTT_CUE_RE.match(line)
                if not match:
                    self.error("P-03", name, f"malformed cue timing {line!r}", "build again")
                    return
                g = match.groups()
                cues.append((_seconds(*g[:4]), _seconds(*g[4:])))
        self._cue_times(cues, name, duration)

    def _srt(self, path: Path, duration: float | None) -> None:
        name = self._rel(path)
        blocks = [b for b in re.split(r"\r?\n\r?\n", path.read_text(encoding="utf-8-sig").strip()) if b]
        cues = []
        for block in blocks:
            lines = block.splitlines()
            match = SRT_CUE_RE.match(lines[1]) if len(lines) >= 3 and lines[0].isdigit() else None
            if not match:
                self.error("P-03", name, f"malformed SRT cue {block[:60]!r}", "build again")
                return
            g = match.groups()
            cues.append((_seconds(*g[:4]), _seconds(*g[4:])))
        self._cue_times(cues, name, duration)

    def _cue_times(self, cues: list[tuple[float, float]], name: str, duration: float | None) -> None:
        if not cues:
            self.error("P-03", name, "no cues", "build again")
            return
        if any(end <= start for start, end in cues):
            self.error("P-03", name, "a cue ends before it starts", "build again")
        starts = [start for start, _ in cues]
        if starts != sorted(starts):
            self.error("P-03", name, "cue start times go backwards", "build again")
        if duration is not None and cues[-1][1] > duration + 1.5:
            self.error(
                "P-03",
                name,
                f"the last cue ends at {cues[-1][1]:.1f} s, after the audio ({duration:.0f} s)",
                "build again",
            )

    def _html_transcript(self, path: Path) -> None:
        from lxml import html

        name = self._rel(path)
        doc = html.fromstring(path.read_bytes())
        if not doc.get("lang"):
            self.error("W-06", name, "<html> has no lang attribute", "add lang to the template")
        if not doc.xpath("//p[normalize-space()]"):
            self.error("W-01", name, "the transcript has no text", "build again")

    def _page(self, url: str, where: str) -> None:
        """The episode page (W-01 ... W-07), when the item links a page in output/."""
        from lxml import html

        if not urlsplit(url).path.endswith(".html"):
            self.warning(
                "W-02",
                where,
                "the episode links no web page with its transcript",
                "rebuild with readcast, which writes one per episode",
            )
            return
        path = self._local(url, where)
        if path is None:
            return
        name = self._rel(path)
        doc = html.fromstring(path.read_bytes())
        if not doc.get("lang"):
            self.error(
                "W-06",
                name,
                "<html> has no lang attribute",
                'add lang="{{ lang }}" to your templates/base.html',
            )
        audios = doc.xpath("//audio")
        if not audios or any(a.get("controls") is None for a in audios):
            self.error("W-05", name, "no <audio controls> player", "restore the player in templates/")
        if any(a.get("autoplay") is not None for a in audios):
            self.error("W-04", name, "audio starts by itself (autoplay)", "remove autoplay")
        if any(img.get("alt") is None for img in doc.xpath("//img")):
            self.error("W-06", name, "an image without alt text", "add alt to every <img>")
        if not doc.xpath("//*[@id='transcript']") and not doc.xpath(
            "//a[contains(translate(., 'TRANSCRIPT', 'transcript'), 'transcript')]"
        ):
            self.error(
                "W-02",
                name,
                "no transcript on the page or linked from it",
                "restore the transcript section in templates/episode.html",
            )
        if not doc.xpath("//a[contains(@href, '.mp3')]"):
            self.warning("W-05", name, "no download link for the MP3", "add one to the template")


def _text(element, path: str) -> str | None:
    found = element.find(path, NS)
    return None if found is None or found.text is None else found.text.strip() or ""


def _seconds(hours: str | None, minutes: str, seconds: str, millis: str) -> float:
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + int(millis) / 1000


def _id3_size(data: bytes) -> int:
    if data[:3] != b"ID3" or len(data) < 10:
        return 0
    size = 0
    for byte in data[6:10]:
        size = (size << 7) | (byte & 0x7F)
    return 10 + size
