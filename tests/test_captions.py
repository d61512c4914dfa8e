"""Captions, chapters and transcripts: timed from the real segment timings, checked against the audio."""

from __future__ import annotations

import json
import re
import subprocess

import numpy as np
import pytest
from conftest import SAMPLE
from mutagen.mp3 import MP3

from readcast.audio.ffmpeg import ffmpeg_exe
from readcast.models import Chapter, Segment, TimedSegment
from readcast.publish.captions import caption_cues, chapters_json, plain_transcript, srt, webvtt
from readcast.read import read_article

SLUG = "what-happens-when-you-cry-in-therapy"
VTT_CUE = re.compile(r"^(\d{2}):(\d{2}):(\d{2})\.(\d{3}) --> (\d{2}):(\d{2}):(\d{2})\.(\d{3})$")
SRT_CUE = re.compile(r"^(\d{2}):(\d{2}):(\d{2}),(\d{3}) --> (\d{2}):(\d{2}):(\d{2}),(\d{3})$")


def _seconds(groups: tuple[str, ...]) -> float:
    h, m, s, ms = (int(g) for g in groups)
    return h * 3600 + m * 60 + s + ms / 1000


def _cues(text: str, pattern: re.Pattern) -> list[tuple[float, float, str]]:
    cues = []
    for block in text.strip().split("\n\n"):
        lines = block.splitlines()
        if lines == ["WEBVTT"]:
            continue
        assert lines[0].isdigit(), block
        match = pattern.match(lines[1])
        assert match, lines[1]
        cues.append((_seconds(match.groups()[:4]), _seconds(match.groups()[4:]), "\n".join(lines[2:])))
    return cues


def _segment_starts(cues: list[tuple[float, float, str]]) -> list[float]:
    """Starts of cues that begin a segment (after a pause), not a continuation of a long one."""
    return [c[0] for n, c in enumerate(cues) if n == 0 or c[0] > cues[n - 1][1]]


@pytest.fixture(scope="module")
def episode(sample_build):
    proj, _ = sample_build
    folder = proj.output / "episodes"
    mp3 = folder / f"{SLUG}.mp3"
    pcm = subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-i", str(mp3), "-f", "s16le", "-ac", "1", "-ar", "8000", "-"],
        capture_output=True,
        check=True,
    ).stdout
    return folder, MP3(mp3).info.length, np.frombuffer(pcm, "<i2").astype(np.float64)


def test_vtt_cues_are_ordered_inside_the_audio_and_hold_the_whole_text(episode) -> None:
    folder, duration, _ = episode
    text = (folder / f"{SLUG}.vtt").read_text(encoding="utf-8")
    assert text.startswith("WEBVTT\n\n1\n")
    cues = _cues(text, VTT_CUE)
    assert all(start < end for start, end, _ in cues)
    assert all(a[1] <= b[0] for a, b in zip(cues, cues[1:], strict=False))
    assert cues[0][0] == 0.0 and cues[-1][1] <= duration + 0.5
    assert max(len(line) for _, _, body in cues for line in body.splitlines()) <= 60
    spoken = " ".join(" ".join(body.split()) for _, _, body in cues)
    for block in read_article(SAMPLE).blocks:
        assert " ".join(block.text.split()) in spoken


def test_srt_has_the_same_timings_in_lines_of_at_most_32_characters(episode) -> None:
    folder, duration, _ = episode
    cues = _cues((folder / f"{SLUG}.srt").read_text(encoding="utf-8"), SRT_CUE)
    vtt = _cues((folder / f"{SLUG}.vtt").read_text(encoding="utf-8"), VTT_CUE)
    assert all(len(body.splitlines()) <= 2 for _, _, body in cues)
    assert max(len(line) for _, _, body in cues for line in body.splitlines()) <= 32
    assert _segment_starts(vtt) == _segment_starts(cues)
    assert cues[-1][1] == vtt[-1][1] <= duration + 0.5


def test_cues_start_where_speech_starts_in_the_mp3(episode) -> None:
    """Each segment that follows a pause starts on silence-to-speech in the decoded audio."""
    folder, _, samples = episode

    def rms(start: float, end: float) -> float:
        window = samples[int(start * 8000) : int(end * 8000)]
        return float(np.sqrt(np.mean(window**2)))

    cues = _cues((folder / f"{SLUG}.vtt").read_text(encoding="utf-8"), VTT_CUE)
    checked = 0
    for previous, cue in zip(cues, cues[1:], strict=False):
        if cue[0] - previous[1] >= 0.6:  # a paragraph or heading pause before this cue
            assert rms(cue[0] - 0.45, cue[0] - 0.05) < 30, cue
            assert rms(cue[0], cue[0] + 0.5) > 300, cue
            checked += 1
    assert checked >= 40


def test_chapters_json_is_chapters_1_2_and_covers_the_audio(episode) -> None:
    folder, duration, _ = episode
    data = json.loads((folder / f"{SLUG}.chapters.json").read_text(encoding="utf-8"))
    assert data["version"] == "1.2.0" and data["podcastName"] == "Test Cast"
    chapters = data["chapters"]
    headings = [b.text for b in read_article(SAMPLE).blocks if b.kind == "heading"]
    assert [c["title"] for c in chapters] == ["What Happens When You Cry in Therapy", *headings]
    assert chapters[0]["startTime"] == 0
    assert all(isinstance(c["startTime"], float) and c["endTime"] > c["startTime"] for c in chapters)
    assert all(a["endTime"] == b["startTime"] for a, b in zip(chapters, chapters[1:], strict=False))
    assert abs(chapters[-1]["endTime"] - duration) < 0.1


def _timeline(*texts: tuple[str, float, float]) -> list[TimedSegment]:
    return [
        TimedSegment(Segment(spoken=t, written=t, kind="paragraph", pause_after_ms=500), s, e)
        for t, s, e in texts
    ]


def test_vtt_escapes_markup_and_srt_keeps_its_arrow_free() -> None:
    timeline = _timeline(("R&D <beta> --> shipped", 1.0, 2.5))
    vtt = webvtt(timeline)
    assert vtt == "WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.500\nR&amp;D &lt;beta&gt; --&gt; shipped\n"
    assert srt(timeline) == "1\n00:00:01,000 --> 00:00:02,500\nR&D <beta> -> shipped\n"
    last_line = webvtt(timeline, speaker="Narrator").splitlines()[-1]
    assert last_line == "<v Narrator>R&amp;D &lt;beta&gt; --&gt; shipped"


def test_long_segments_split_into_consecutive_cues_by_length() -> None:
    text = "word " * 60
    cues = caption_cues(_timeline((text.strip(), 10.0, 40.0)))
    assert cues[0][0] == 10.0 and cues[-1][1] == pytest.approx(40.0)
    assert all(a[1] == b[0] for a, b in zip(cues, cues[1:], strict=False))
    assert all(len(line) <= 60 for _, _, body in cues for line in body.splitlines())
    assert " ".join(" ".join(c[2].split()) for c in cues) == text.strip()


def test_chapters_json_and_plain_transcript_from_the_same_timeline() -> None:
    data = json.loads(chapters_json([Chapter("Intro", 0.0, 3.2), Chapter("Part two", 3.2, 9.0)], "T", "P"))
    assert data == {
        "version": "1.2.0",
        "title": "T",
        "podcastName": "P",
        "chapters": [
            {"startTime": 0.0, "endTime": 3.2, "title": "Intro"},
            {"startTime": 3.2, "endTime": 9.0, "title": "Part two"},
        ],
    }
    assert plain_transcript(_timeline(("One.", 0, 1), ("", 1, 1), ("Two.", 2, 3))) == "One.\nTwo.\n"
