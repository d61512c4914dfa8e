"""The feed: RSS 2.0 + iTunes + Podcasting 2.0, read back with lxml, podcastparser and feedparser."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import feedparser
import podcastparser
import pytest
from lxml import etree
from mutagen.mp3 import MP3

from readcast.check.items import TRANSCRIPT_TYPES
from readcast.project.settings import parse_settings
from readcast.project.state import EpisodeRecord
from readcast.publish.feed import ITUNES_NS, PODCAST_NS, FeedInputs, feed_xml, podcast_guid

NS = {"itunes": ITUNES_NS, "podcast": PODCAST_NS, "atom": "http://www.w3.org/2005/Atom"}
SLUG = "what-happens-when-you-cry-in-therapy"
BASE = "https://podcast.example.org/show/"


@pytest.fixture(scope="module")
def feed(sample_build):
    proj, _ = sample_build
    data = (proj.output / "feed.xml").read_bytes()
    return proj, data, etree.fromstring(data)


def test_feed_is_utf8_rss2_with_the_namespaces_apps_need(feed) -> None:
    _, data, root = feed
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    assert root.tag == "rss" and root.get("version") == "2.0"
    assert root.nsmap["itunes"] == ITUNES_NS
    assert root.nsmap["podcast"] == PODCAST_NS
    assert root.nsmap["content"] == "http://purl.org/rss/1.0/modules/content/"


def test_channel_has_podcast_guid_from_the_feed_url_and_ai_disclosure(feed) -> None:
    proj, _, root = feed
    channel = root.find("channel")
    guid = channel.findtext("podcast:guid", namespaces=NS)
    assert uuid.UUID(guid).version == 5
    assert (
        guid
        == podcast_guid(BASE + "feed.xml")
        == str(
            uuid.uuid5(uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6"), "podcast.example.org/show/feed.xml")
        )
    )
    state = json.loads((proj.root / ".readcast" / "state.json").read_text())
    assert state["podcast_guid"] == guid  # stored once, kept when the feed moves
    (txt,) = channel.findall("podcast:txt", NS)
    assert (txt.get("purpose"), txt.text) == ("ai-content", "true")
    assert channel.findtext("link") == BASE + "index.html"
    assert channel.find("atom:link", NS).attrib == {
        "href": BASE + "feed.xml",
        "rel": "self",
        "type": "application/rss+xml",
    }
    # No e-mail configured: no owner and no podcast:locked (which needs the owner's address).
    assert channel.find("itunes:owner", NS) is None and channel.find("podcast:locked", NS) is None


def test_item_links_every_sidecar_with_the_declared_types(feed) -> None:
    proj, _, root = feed
    item = root.find("channel/item")
    assert item.findtext("link") == f"{BASE}episodes/{SLUG}.html"
    transcripts = [
        (t.get("url"), t.get("type"), t.get("rel")) for t in item.findall("podcast:transcript", NS)
    ]
    assert transcripts == [
        (f"{BASE}episodes/{SLUG}.vtt", "text/vtt", "captions"),
        (f"{BASE}episodes/{SLUG}.srt", "application/x-subrip", "captions"),
        (f"{BASE}episodes/{SLUG}.transcript.html", "text/html", None),
    ]
    assert {t for _, t, _ in transcripts} <= TRANSCRIPT_TYPES
    (chapters,) = item.findall("podcast:chapters", NS)
    assert chapters.attrib == {
        "url": f"{BASE}episodes/{SLUG}.chapters.json",
        "type": "application/json+chapters",
    }
    (person,) = item.findall("podcast:person", NS)
    assert (person.text, person.get("role"), person.get("group")) == ("Test Author", "author", "writing")
    for url, _, _ in [*transcripts, (chapters.get("url"), None, None), (item.findtext("link"), None, None)]:
        assert (proj.output / url.removeprefix(BASE)).is_file(), url


def test_enclosure_and_duration_describe_the_final_mp3(feed) -> None:
    proj, _, root = feed
    item = root.find("channel/item")
    mp3 = proj.output / "episodes" / f"{SLUG}.mp3"
    enclosure = item.find("enclosure")
    assert enclosure.attrib == {
        "url": f"{BASE}episodes/{SLUG}.mp3",
        "length": str(mp3.stat().st_size),
        "type": "audio/mpeg",
    }
    assert abs(int(item.findtext("itunes:duration", namespaces=NS)) - MP3(mp3).info.length) <= 1


def test_podcastparser_and_feedparser_read_everything(feed) -> None:
    proj, data, _ = feed
    import io

    parsed = podcastparser.parse(BASE + "feed.xml", io.BytesIO(data))
    (episode,) = parsed["episodes"]
    assert episode["link"] == f"{BASE}episodes/{SLUG}.html"
    assert episode["enclosures"][0]["file_size"] == (proj.output / "episodes" / f"{SLUG}.mp3").stat().st_size
    parsed_fp = feedparser.parse(data)
    assert parsed_fp.bozo == 0
    assert parsed_fp.feed["podcast_guid"] == podcast_guid(BASE + "feed.xml")
    assert len(parsed_fp.entries) == 1


def _inputs(extra: str = "", language: str = "en") -> FeedInputs:
    settings = parse_settings(_toml(extra), Path("/tmp/project"))
    record = EpisodeRecord(
        slug="hello",
        guid="6f1c1c5e-0000-4000-8000-000000000001",
        first_published="2025-03-01T10:00:00+00:00",
        title="Hello & welcome",
        author="Ada",
        description="A first episode. (Narrated by a synthetic voice.)",
        pub_date="2025-03-01T10:00:00+00:00",
        language=language,
        mp3_size=12345,
        duration=61.4,
        files={
            "mp3": "episodes/hello.mp3",
            "vtt": "episodes/hello.vtt",
            "page": "episodes/hello.html",
            "transcript": "episodes/hello.transcript.html",
        },
    )
    return FeedInputs(settings, podcast_guid(BASE + "feed.xml"), "cover-abc.jpg", [record])


def _toml(extra: str) -> dict:
    from readcast.project.settings import tomllib

    return tomllib.loads(f'[podcast]\ntitle = "Show"\nauthor = "Ada"\nbase_url = "{BASE}"\n{extra}')


def test_owner_email_and_locked_appear_when_configured() -> None:
    root = etree.fromstring(feed_xml(_inputs('email = "ada@example.org"\nlocked = true')))
    channel = root.find("channel")
    owner = channel.find("itunes:owner", NS)
    assert (owner.findtext("itunes:name", namespaces=NS), owner.findtext("itunes:email", namespaces=NS)) == (
        "Ada",
        "ada@example.org",
    )
    locked = channel.find("podcast:locked", NS)
    assert (locked.text, locked.get("owner")) == ("yes", "ada@example.org")


def test_feed_bytes_do_not_depend_on_the_clock_and_escape_ampersands() -> None:
    first = feed_xml(_inputs())
    assert first == feed_xml(_inputs())
    assert b"<title>Hello &amp; welcome</title>" in first
    root = etree.fromstring(first)
    # lastBuildDate is the newest episode's date, so rebuilding changes nothing
    assert root.find("channel/lastBuildDate").text == "Sat, 01 Mar 2025 10:00:00 +0000"


def test_transcripts_carry_the_episode_language_when_it_differs() -> None:
    item = etree.fromstring(feed_xml(_inputs(language="de"))).find("channel/item")
    assert {t.get("language") for t in item.findall("podcast:transcript", NS)} == {"de"}
    item = etree.fromstring(feed_xml(_inputs())).find("channel/item")
    assert {t.get("language") for t in item.findall("podcast:transcript", NS)} == {None}
    types = [t.get("type") for t in item.findall("podcast:transcript", NS)]
    assert types == ["text/vtt", "text/html"]  # only the files the episode has
