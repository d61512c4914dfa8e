"""The sample article's episode, built once with the real engine and ffmpeg: file, tags and feed."""

from __future__ import annotations

import email.utils
import io
import json
import subprocess
import uuid

import numpy as np
import podcastparser
import pytest
from conftest import SAMPLE
from lxml import etree
from mutagen.id3 import ID3
from mutagen.mp3 import MP3, BitrateMode
from PIL import Image

from readcast.audio.ffmpeg import ffmpeg_exe
from readcast.read import read_article

NS = {"itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd", "atom": "http://www.w3.org/2005/Atom"}
SLUG = "what-happens-when-you-cry-in-therapy"


@pytest.fixture(scope="module")
def episode(sample_build):
    proj, report = sample_build
    mp3 = proj.output / "episodes" / f"{SLUG}.mp3"
    return proj, report, mp3


def test_mp3_is_mono_cbr_at_the_configured_rate_and_bitrate(episode) -> None:
    _, _, mp3 = episode
    info = MP3(mp3).info
    assert info.bitrate_mode == BitrateMode.CBR
    assert info.bitrate == 64000
    assert (info.sample_rate, info.channels) == (44100, 1)


def test_tags_are_id3v23_with_podcast_metadata(episode) -> None:
    _, _, mp3 = episode
    data = mp3.read_bytes()
    assert data[:3] == b"ID3" and data[3] == 3 and data[5] == 0
    assert b"TAG" not in data[-128:-125]  # no ID3v1 footer
    tags = ID3(mp3, translate=False)
    assert tags.version[:2] == (2, 3)
    assert not {"TDRC", "TDRL", "TDOR", "TIPL", "TMCL", "TSOP"} & {f.FrameID for f in tags.values()}
    assert str(tags["TIT2"]) == "What Happens When You Cry in Therapy"
    assert str(tags["TPE1"]) == "Test Author"
    assert str(tags["TALB"]) == "Test Cast"
    assert str(tags["TCON"]) == "Podcast"
    published = email.utils.parsedate_to_datetime(_item(episode).findtext("pubDate"))
    assert str(tags["TYER"]) == str(published.year)
    assert "Narrated by a synthetic voice" in str(tags.getall("COMM")[0])


def test_cover_is_embedded_as_a_small_jpeg(episode) -> None:
    _, _, mp3 = episode
    apic = ID3(mp3).getall("APIC")
    assert len(apic) == 1 and apic[0].type == 3 and apic[0].mime == "image/jpeg"
    image = Image.open(io.BytesIO(apic[0].data))
    assert (image.format, image.mode, image.size) == ("JPEG", "RGB", (600, 600))


def test_transcript_tag_holds_every_word_of_the_article(episode) -> None:
    proj, _, mp3 = episode
    lyrics = str(ID3(mp3).getall("USLT")[0])
    flat = " ".join(lyrics.split())
    for block in read_article(SAMPLE).blocks:
        assert " ".join(block.text.split()) in flat
    assert lyrics.startswith("What Happens When You Cry in Therapy.\n")


def test_chapters_one_per_heading_agree_with_json_chapters(episode) -> None:
    proj, _, mp3 = episode
    tags = ID3(mp3)
    chaps = sorted(tags.getall("CHAP"), key=lambda c: c.start_time)
    headings = [b.text for b in read_article(SAMPLE).blocks if b.kind == "heading"]
    assert [str(c.sub_frames["TIT2"]) for c in chaps] == ["What Happens When You Cry in Therapy", *headings]
    (toc,) = tags.getall("CTOC")
    assert toc.child_element_ids == [c.element_id for c in chaps]
    assert chaps[0].start_time == 0
    assert all(a.end_time == b.start_time for a, b in zip(chaps[:-1], chaps[1:], strict=True))
    json_chapters = json.loads((proj.output / "episodes" / f"{SLUG}.chapters.json").read_text())
    assert [round(c["startTime"] * 1000) for c in json_chapters["chapters"]] == [c.start_time for c in chaps]
    assert chaps[-1].end_time <= MP3(mp3).info.length * 1000


def test_chapter_starts_fall_where_the_audio_goes_from_pause_to_speech(episode) -> None:
    """Times come from sample counts: just before each heading there is silence, just after, speech."""
    _, _, mp3 = episode
    pcm = subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-i", str(mp3), "-f", "s16le", "-ac", "1", "-ar", "8000", "-"],
        capture_output=True,
        check=True,
    ).stdout
    samples = np.frombuffer(pcm, "<i2").astype(np.float64)

    def rms(start_s: float, end_s: float) -> float:
        window = samples[int(start_s * 8000) : int(end_s * 8000)]
        return float(np.sqrt(np.mean(window**2)))

    for chap in ID3(mp3).getall("CHAP"):
        start = chap.start_time / 1000
        if start == 0:
            continue
        assert rms(start - 0.5, start - 0.05) < 30, chap.sub_frames["TIT2"]
        assert rms(start, start + 0.6) > 300, chap.sub_frames["TIT2"]


def _item(episode):
    proj, _, _ = episode
    return etree.parse(str(proj.output / "feed.xml")).getroot().find("channel/item")


def test_feed_enclosure_and_duration_match_the_final_file(episode) -> None:
    _, report, mp3 = episode
    item = _item(episode)
    enclosure = item.find("enclosure")
    assert enclosure.get("type") == "audio/mpeg"
    assert int(enclosure.get("length")) == mp3.stat().st_size
    assert enclosure.get("url") == f"https://podcast.example.org/show/episodes/{SLUG}.mp3"
    duration = int(item.findtext("itunes:duration", namespaces=NS))
    assert abs(duration - MP3(mp3).info.length) <= 1
    assert duration == round(report.episodes[0].audio_seconds)


def test_feed_has_the_tags_apple_requires(episode) -> None:
    proj, _, _ = episode
    root = etree.parse(str(proj.output / "feed.xml")).getroot()
    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = root.find("channel")
    assert channel.findtext("title") == "Test Cast"
    assert channel.findtext("language") == "en"
    assert channel.findtext("itunes:explicit", namespaces=NS) == "false"
    assert channel.find("itunes:category", NS).get("text") == "Technology"
    image = channel.find("itunes:image", NS).get("href")
    assert image.startswith("https://podcast.example.org/show/cover-") and image.endswith(".jpg")
    cover = Image.open(proj.output / image.rsplit("/", 1)[1])
    assert (cover.format, cover.mode, cover.size) == ("JPEG", "RGB", (3000, 3000))
    assert channel.find("atom:link", NS).get("href") == "https://podcast.example.org/show/feed.xml"
    item = channel.find("item")
    guid = item.find("guid")
    assert guid.get("isPermaLink") == "false" and uuid.UUID(guid.text).version == 4
    assert email.utils.parsedate_to_datetime(item.findtext("pubDate")).tzinfo is not None
    assert item.findtext("itunes:explicit", namespaces=NS) == "false"


def test_podcastparser_reads_the_feed(episode) -> None:
    proj, _, mp3 = episode
    with open(proj.output / "feed.xml", "rb") as f:
        parsed = podcastparser.parse("https://podcast.example.org/show/feed.xml", f)
    assert parsed["title"] == "Test Cast"
    assert parsed["cover_url"].startswith("https://podcast.example.org/show/cover-")
    (entry,) = parsed["episodes"]
    assert entry["title"] == "What Happens When You Cry in Therapy"
    assert entry["explicit"] is False
    assert entry["enclosures"][0]["file_size"] == mp3.stat().st_size
    assert entry["total_time"] == round(MP3(mp3).info.length)
