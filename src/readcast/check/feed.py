"""The feed document and its channel (F-01 ... F-21, P-00 ... P-06), and the feed as real clients parse it."""

from __future__ import annotations

import io
import re
from collections import Counter
from urllib.parse import urlsplit

from ..project.settings import CATEGORIES, DEFAULT_BASE_URL, FEED_NAME, LANGUAGE_RE
from ..publish.feed import CONTENT_NS, ITUNES_NS, PODCAST_NS
from .artwork import check_cover
from .context import NS, Context, Element, child_text
from .items import check_item

PODCAST_NS_ALT = "https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md"
"""The namespace URL some early Podcasting 2.0 feeds used; accepted as a prefix binding."""
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
UUID5_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-5[0-9a-fA-F]{3}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def check_feed(ctx: Context) -> None:
    """feed.xml, and through its elements every file it names (episodes, cover, transcripts, pages)."""
    from lxml import etree

    feed_path = ctx.out / FEED_NAME
    data = feed_path.read_bytes()
    declaration = data.split(b"?>", 1)[0] if data.startswith(b"<?xml") else b""
    if not re.search(rb"""encoding=["']utf-8["']""", declaration, re.IGNORECASE):
        ctx.error(
            "F-01",
            "feed.xml",
            "the feed does not start with an XML declaration naming UTF-8",
            "rebuild with readcast, which writes <?xml version='1.0' encoding='UTF-8'?>",
        )
    try:
        parser = etree.XMLParser(resolve_entities=False, no_network=True)
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        ctx.error(
            "F-01",
            "feed.xml",
            f"not well-formed XML: {exc}",
            "rebuild the feed; if you edited it by hand, escape every & as &amp;",
        )
        return
    if root.tag != "rss" or root.get("version") != "2.0":
        ctx.error(
            "F-02",
            "feed.xml",
            f'the root element is <{root.tag}>, not <rss version="2.0">',
            "publish an RSS 2.0 feed (Apple no longer accepts Atom)",
        )
        return
    _namespaces(ctx, root)
    channel = root.find("channel")
    if channel is None:
        ctx.error("F-02", "feed.xml", "no <channel> element", "rebuild the feed")
        return
    _channel(ctx, channel)
    items = channel.findall("item")
    ctx.report.episodes = len(items)
    for n, item in enumerate(items, start=1):
        check_item(ctx, item, n)
    _cross_items(ctx, items)
    _reparse(ctx, data, len(items))


def _namespaces(ctx: Context, root: Element) -> None:
    declared = set(root.nsmap.values())
    if ITUNES_NS not in declared:
        ctx.error(
            "F-01",
            "feed.xml",
            f"the iTunes namespace {ITUNES_NS} is not declared",
            "rebuild the feed with readcast",
        )
    if CONTENT_NS not in declared:
        ctx.warning(
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
        ctx.error(
            "P-00",
            "feed.xml",
            f"podcast: tags without the namespace {PODCAST_NS}",
            "rebuild the feed with readcast",
        )


def _channel(ctx: Context, channel: Element) -> None:
    where = "feed.xml <channel>"
    title = child_text(channel, "title")
    ctx.required_text(title, "F-10", where, "title", "set [podcast] title in readcast.toml")
    description = child_text(channel, "description")
    ctx.required_text(description, "F-11", where, "description", "set [podcast] description in readcast.toml")
    if description and len(description.encode("utf-8")) > 4000:
        ctx.error("F-11", where, "<description> is longer than 4000 bytes", "shorten [podcast] description")
    language = child_text(channel, "language")
    if not language or not LANGUAGE_RE.fullmatch(language):
        ctx.error(
            "F-12",
            where,
            f"<language> {language!r} is not an ISO 639 code",
            "set [podcast] language to a code such as 'en' or 'en-us'",
        )
    _self_link(ctx, channel, where)
    if not child_text(channel, "link"):
        ctx.error(
            "F-17",
            where,
            "no <link> to the show's website",
            "rebuild the feed with readcast (it links output/index.html)",
        )
    images = channel.findall("itunes:image", NS)
    if len(images) != 1 or not images[0].get("href"):
        ctx.error(
            "F-13",
            where,
            f"{len(images)} <itunes:image href> elements, expected exactly 1",
            "rebuild the feed; readcast always writes the cover",
        )
    else:
        href = images[0].get("href", "")
        if not re.search(r"\.(jpg|png)$", urlsplit(href).path, re.IGNORECASE) or "?" in href:
            ctx.error(
                "F-53",
                where,
                f"artwork URL {href} does not end in .jpg or .png",
                "use a .jpg or .png cover without a query string",
            )
        check_cover(ctx, href, where)
    _category(ctx, channel, where)
    explicit = channel.findall("itunes:explicit", NS)
    if len(explicit) != 1 or (explicit[0].text or "").strip().lower() not in ("true", "false"):
        ctx.error(
            "F-15",
            where,
            "<itunes:explicit> must appear once with true or false",
            "set [podcast] explicit = true or false",
        )
    author = child_text(channel, "itunes:author")
    if not author:
        ctx.warning("F-18", where, "no <itunes:author>", "set [podcast] author in readcast.toml")
    elif len(author) > 255:
        ctx.error("F-08", where, "<itunes:author> is longer than 255 characters", "shorten [podcast] author")
    if len(title or "") > 255:
        ctx.warning("F-08", where, "<title> is longer than 255 characters", "shorten [podcast] title")
    show_type = child_text(channel, "itunes:type")
    if show_type and show_type not in ("episodic", "serial"):
        ctx.error(
            "F-19",
            where,
            f"<itunes:type> {show_type!r} is not episodic or serial",
            "use episodic (readcast's default)",
        )
    owner = channel.find("itunes:owner", NS)
    if owner is None:
        ctx.warning(
            "F-21",
            where,
            "no <itunes:owner> with an e-mail address (W3C: "
            "MissingItunesEmail); Spotify uses it to verify ownership",
            "set [podcast] email in readcast.toml if you submit to Spotify",
        )
    elif not EMAIL_RE.match(child_text(owner, "itunes:email") or ""):
        ctx.error(
            "F-21",
            where,
            "<itunes:owner> without a valid <itunes:email>",
            "set [podcast] email to a full address",
        )
    image = channel.find("image")
    if image is not None:
        if child_text(image, "title") != title:
            ctx.warning(
                "F-13",
                where,
                "<image><title> differs from the channel title (W3C: ImageTitleDoesntMatch)",
                "rebuild the feed with readcast",
            )
        if child_text(image, "link") != child_text(channel, "link"):
            ctx.warning(
                "F-13",
                where,
                "<image><link> differs from the channel link (W3C: ImageLinkDoesntMatch)",
                "rebuild the feed with readcast",
            )
    _podcast_channel(ctx, channel, where)
    if not channel.findall("item"):
        ctx.error(
            "F-42", where, "the feed has no episodes", "put an article in content/ and run readcast build"
        )


def _self_link(ctx: Context, channel: Element, where: str) -> None:
    selfs = [link for link in channel.findall("atom:link", NS) if link.get("rel") == "self"]
    if len(selfs) != 1 or not selfs[0].get("href"):
        ctx.error(
            "F-16",
            where,
            'no <atom:link rel="self"> with the feed\'s own URL (W3C: MissingAtomSelfLink)',
            "rebuild the feed with readcast",
        )
        return
    href = selfs[0].get("href", "")
    if selfs[0].get("type") != "application/rss+xml":
        ctx.warning(
            "F-16",
            where,
            '<atom:link rel="self"> lacks type="application/rss+xml"',
            "rebuild the feed with readcast",
        )
    if href.endswith("feed.xml"):
        ctx.base = href[: -len("feed.xml")]
    host = urlsplit(href).hostname or ""
    if href.startswith(DEFAULT_BASE_URL) or host in ("localhost", "127.0.0.1", "::1"):
        ctx.error(
            "F-03",
            where,
            f"the feed's URLs point to {ctx.base or href}, which podcast "
            "apps elsewhere cannot reach (it is the default for 'readcast serve')",
            "set [podcast] base_url in readcast.toml (or build with --base-url) to "
            "where you will host output/, then build again",
        )
    elif urlsplit(href).scheme != "https":
        ctx.warning(
            "F-06",
            where,
            f"the feed is served over {urlsplit(href).scheme}:, not "
            "https: (the Podcasting 2.0 spec requires https: URLs in podcast: tags)",
            "host output/ over HTTPS and set [podcast] base_url to the https:// URL",
        )


def _category(ctx: Context, channel: Element, where: str) -> None:
    categories = channel.findall("itunes:category", NS)
    if not categories:
        ctx.error("F-14", where, "no <itunes:category>", "set [podcast] category")
        return
    top = categories[0].get("text", "")
    if top not in CATEGORIES:
        ctx.error(
            "F-14",
            where,
            f"category {top!r} is not in Apple's list",
            "set [podcast] category to one of Apple's categories",
        )
        return
    for sub in categories[0].findall("itunes:category", NS):
        if sub.get("text", "") not in CATEGORIES[top]:
            ctx.error(
                "F-14",
                where,
                f"subcategory {sub.get('text')!r} does not belong to {top!r}",
                f"use one of: {', '.join(CATEGORIES[top]) or 'none'}",
            )


def _podcast_channel(ctx: Context, channel: Element, where: str) -> None:
    guids = channel.findall("podcast:guid", NS)
    if not guids:
        ctx.warning("P-01", where, "no <podcast:guid>", "rebuild the feed with readcast")
    elif len(guids) > 1 or not UUID5_RE.match((guids[0].text or "").strip()):
        ctx.error(
            "P-01",
            where,
            "<podcast:guid> must appear once and be a UUIDv5",
            "delete podcast_guid from .readcast/state.json and build again",
        )
    locked = channel.findall("podcast:locked", NS)
    if len(locked) > 1 or (locked and (locked[0].text or "").strip() not in ("yes", "no")):
        ctx.error(
            "P-02",
            where,
            "<podcast:locked> must appear at most once, with yes or no",
            "set [podcast] locked = true or false",
        )
    elif locked and locked[0].get("owner") and not EMAIL_RE.match(locked[0].get("owner", "")):
        ctx.error(
            "P-02",
            where,
            "<podcast:locked owner> is not an e-mail address",
            "set [podcast] email to a full address",
        )
    ai = [t for t in channel.findall("podcast:txt", NS) if t.get("purpose") == "ai-content"]
    if not ai or (ai[0].text or "").strip() != "true":
        ctx.warning(
            "P-06",
            where,
            'no <podcast:txt purpose="ai-content">true</podcast:txt> disclosing the synthetic voice',
            "rebuild the feed with readcast",
        )
    for txt in channel.findall("podcast:txt", NS):
        if len(txt.text or "") > 4000 or len(txt.get("purpose", "")) > 128:
            ctx.error("P-06", where, "<podcast:txt> longer than 4000 characters", "shorten the text")


def _cross_items(ctx: Context, items: list[Element]) -> None:
    guids = Counter((child_text(i, "guid") or "") for i in items)
    for guid, count in guids.items():
        if guid and count > 1:
            ctx.error(
                "F-32",
                "feed.xml",
                f"GUID {guid} is used by {count} episodes; Apple processes none of them",
                "give each article its own guid: (or none)",
            )
    urls = Counter(e.get("url") for i in items for e in i.findall("enclosure"))
    for url, count in urls.items():
        if url and count > 1:
            ctx.error(
                "F-31",
                "feed.xml",
                f"enclosure URL {url} is used by {count} episodes",
                "give each article its own slug",
            )


def _reparse(ctx: Context, data: bytes, count: int) -> None:
    """The feed as two real client parsers see it (when they are installed)."""
    try:
        import podcastparser
    except ImportError:
        return
    try:
        parsed = podcastparser.parse(ctx.base + "feed.xml" if ctx.base else "feed.xml", io.BytesIO(data))
    except Exception as exc:  # podcastparser raises its own and SAX errors
        ctx.error(
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
        ctx.error(
            "F-31",
            "feed.xml",
            f"podcastparser sees {len(episodes)} episodes with enclosures, the feed has {count} items",
            "rebuild the feed with readcast",
        )
