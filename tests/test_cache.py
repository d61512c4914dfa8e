"""The cache: stable keys, verified entries, loudness from profiles, parts joined into one MP3."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

from readcast.audio import parts
from readcast.audio.cache import EncodedPart, PartStore, ProjectCache, SegmentInfo, SegmentStore, segment_key
from readcast.audio.ffmpeg import encode_mp3, ffmpeg_exe, measure_loudness, silence_frames
from readcast.audio.loudness import energy_profile, integrated_loudness
from readcast.audio.mp3join import crc16, join, split_info_frame
from readcast.audio.parts import MAX_PART_S, layout_episode
from readcast.audio.synth import engine_for
from readcast.engines.base import AudioChunk
from readcast.models import VoiceChoice
from readcast.oneoff import script_for_file

HIBARI = VoiceChoice("hibari", "heart", 1.0, "en")
TONE = VoiceChoice("tone", "mid", 1.0, "en")
TWO_PARAGRAPHS = """\
---
title: Harbour Lights
date: 2024-05-01
---
The harbour lights come on one by one as the boats return.

A keeper walks the pier at dusk and checks every lamp.
"""


@pytest.fixture(scope="module")
def speech() -> AudioChunk:
    return engine_for(TONE).synthesize("The harbour lights come on one by one as the boats return.")


def decode(path: Path, rate: int = 44100) -> np.ndarray:
    out = subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-i", str(path), "-f", "s16le", "-ac", "1", "-ar", str(rate), "-"],
        capture_output=True,
        check=True,
    ).stdout
    return np.frombuffer(out, dtype="<i2").astype(np.float64)


# -- keys ----------------------------------------------------------------------------------------
def test_segment_key_is_a_stable_content_hash() -> None:
    key = segment_key("Hello there.", HIBARI, "1+hibari-0.2.1", 24000)
    assert key == "4ce690af23ef02c01cf36f8744924747acbefbbd9b8f55fb6ff70a6f7e92be5f"  # not hash()


@pytest.mark.parametrize(
    "change",
    [
        {"spoken": "Hello there!"},
        {"voice": VoiceChoice("hibari", "emma", 1.0, "en")},
        {"voice": VoiceChoice("piper", "heart", 1.0, "en")},
        {"voice": VoiceChoice("hibari", "heart", 1.1, "en")},
        {"voice": VoiceChoice("hibari", "heart", 1.0, "en-gb")},
        {"engine_version": "2+hibari-0.2.1"},
        {"sample_rate": 22050},
    ],
)
def test_everything_that_changes_the_sound_changes_the_key(change: dict) -> None:
    base = {
        "spoken": "Hello there.",
        "voice": HIBARI,
        "engine_version": "1+hibari-0.2.1",
        "sample_rate": 24000,
    }
    assert segment_key(**base) != segment_key(**{**base, **change})


# -- verified entries ----------------------------------------------------------------------------
def test_segment_entries_are_verified_and_bad_ones_deleted(tmp_path: Path, speech: AudioChunk) -> None:
    store = SegmentStore(tmp_path)
    info = store.put("ab" * 32, speech)
    assert (info.rate, info.frames) == (24000, speech.frames)
    assert store.get("ab" * 32) == speech
    assert np.array_equal(store.info("ab" * 32).profile, info.profile)

    path = store.path("ab" * 32)
    data = bytearray(path.read_bytes())
    data[100] ^= 0xFF  # one flipped bit of audio: the header still reads fine ...
    path.write_bytes(bytes(data))
    assert store.info("ab" * 32) is not None
    assert store.get("ab" * 32) is None  # ... but the audio fails its digest and is deleted
    assert not path.exists()

    store.put("cd" * 32, speech)
    truncated = store.path("cd" * 32)
    truncated.write_bytes(truncated.read_bytes()[:-10])
    assert store.info("cd" * 32) is None and not truncated.exists()
    assert store.get("ef" * 32) is None  # missing


def test_part_entries_are_verified(tmp_path: Path) -> None:
    store = PartStore(tmp_path)
    part = EncodedPart(b"\xff\xfb" + bytes(206), b"\xff\xfb\x50\xc4" * 52, frames=1, delay=576, padding=9)
    store.put("12" * 32, part)
    assert store.has("12" * 32) and store.get("12" * 32) == part
    path = store.path("12" * 32)
    path.write_bytes(path.read_bytes()[:-1])
    assert not store.has("12" * 32)
    assert store.get("12" * 32) is None and not path.exists()


def test_corrupt_or_truncated_segments_are_synthesized_again_never_published(project) -> None:
    project.write("harbour.md", TWO_PARAGRAPHS)
    assert project.build_json()[0] == 0
    mp3 = project.output / "episodes" / "harbour.mp3"
    published = mp3.read_bytes()
    cache = ProjectCache(project.root / ".readcast")
    keys = sorted(cache.segments.keys())
    corrupt, truncated = cache.segments.path(keys[0]), cache.segments.path(keys[1])
    data = bytearray(corrupt.read_bytes())
    data[len(data) // 2] ^= 0x55
    corrupt.write_bytes(bytes(data))
    truncated.write_bytes(truncated.read_bytes()[: len(truncated.read_bytes()) // 2])
    for key in list(cache.parts.keys()):  # so the episode must be made again from its segments
        cache.parts.path(key).unlink()
    mp3.unlink()

    code, report = project.build_json()
    assert code == 0
    assert report["episodes"][0]["synthesized"] == 2
    assert mp3.read_bytes() == published


# -- loudness ------------------------------------------------------------------------------------
def test_loudness_from_profiles_matches_ffmpeg_ebur128(speech: AudioChunk) -> None:
    quiet = AudioChunk((np.frombuffer(speech.pcm, "<i2") // 6).astype("<i2").tobytes(), 24000)
    pause = silence_frames(700, 24000) * b"\x00\x00"
    pcm = speech.pcm + pause + quiet.pcm + pause + speech.pcm
    starts = [
        0.0,
        (speech.frames + len(pause) // 2) / 24000,
        (speech.frames + quiet.frames + len(pause)) / 24000,
    ]
    placed = [
        (start, energy_profile(chunk.pcm, 24000))
        for start, chunk in zip(starts, (speech, quiet, speech), strict=True)
    ]
    ours = integrated_loudness(placed, len(pcm) / 2 / 24000)
    assert abs(ours - measure_loudness(iter([pcm]), 24000)) < 0.1
    assert integrated_loudness([], 5.0) == float("-inf")


# -- parts and joining ---------------------------------------------------------------------------
def test_crc16_is_ffmpegs_crc_16_ansi() -> None:
    def bitwise(data: bytes) -> int:
        crc = 0
        for byte in data:
            crc ^= byte
            for _ in range(8):
                crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
        return crc

    rng = np.random.default_rng(1)
    for size in (0, 1, 190, 8191, 8192 * 3 + 5):
        data = rng.integers(0, 256, size, dtype=np.uint8).tobytes()
        assert crc16(data) == bitwise(data)


def test_one_part_joined_is_exactly_the_file_ffmpeg_wrote(tmp_path: Path, speech: AudioChunk) -> None:
    out = tmp_path / "one.mp3"
    encode_mp3(iter([speech.pcm]), 24000, out, gain_db=3.0, bitrate="64k", sample_rate=44100)
    written = out.read_bytes()
    part = split_info_frame(written)
    assert join([part], part.padding) == written  # frame counts, seek table, LAME tag and CRCs


def test_layout_cuts_depend_on_content_so_an_edit_moves_at_most_its_neighbours() -> None:
    def infos(texts: list[str]) -> list[SegmentInfo]:
        return [
            SegmentInfo(segment_key(t, HIBARI, "1", 24000), 24000, 24000 * 7, t, np.zeros(1)) for t in texts
        ]

    texts = [f"Sentence number {n}." for n in range(60)]
    before = layout_episode(infos(texts), [650] * 59 + [0], 44100)
    texts[30] = "An edited sentence."
    after = layout_episode(infos(texts), [650] * 59 + [0], 44100)

    def spans(layout) -> set[tuple[str, ...]]:
        return {tuple(s.info.digest for s in layout.segments[p.first : p.stop]) for p in layout.parts}

    assert len(before.parts) >= 4
    assert len(spans(after) - spans(before)) <= 2  # parts away from the edit are the same parts
    for layout in (before, after):
        assert all(p.start % 1152 == 0 and p.padded % 1152 == 0 for p in layout.parts)
        assert all((p.stop - p.first) * 7.65 <= MAX_PART_S + 8 for p in layout.parts)
        for seg in layout.segments:
            part = layout.parts[seg.part]
            assert seg.start == pytest.approx(part.start / 44100 + seg.offset / 24000)


def test_joined_parts_play_each_segment_where_the_captions_say(project, monkeypatch) -> None:
    monkeypatch.setattr(parts, "MIN_PART_S", 0.0)
    monkeypatch.setattr(parts, "CUT_ONE_IN", 1)  # a part per segment: every pause is a seam
    project.write("harbour.md", TWO_PARAGRAPHS)
    code, report = project.build_json()
    assert code == 0
    refs = json.loads((project.root / ".readcast" / "cache" / "refs.json").read_text())
    assert len(refs["harbour"]["parts"]) == report["episodes"][0]["segments"] == 5
    mp3 = project.output / "episodes" / "harbour.mp3"
    samples = decode(mp3)
    state = json.loads((project.root / ".readcast" / "state.json").read_text())
    duration = state["episodes"]["harbour"]["duration"]
    assert abs(len(samples) / 44100 - duration) < 0.001  # gapless length = the layout's length

    def seconds(stamp: str) -> float:
        h, m, s = stamp.replace(",", ".").split(":")
        return int(h) * 3600 + int(m) * 60 + float(s)

    at_24k = decode(mp3, 24000)

    def lag(at: float, own: np.ndarray) -> float:
        """Where `own` best matches the MP3 around `at`, in seconds relative to `at`."""
        lo = round((at - 0.05) * 24000)
        excerpt, reference = at_24k[max(lo, 0) : lo + 26400], own[:24000]
        scores = np.correlate(excerpt, reference, mode="valid")
        return (int(np.argmax(scores)) + max(lo, 0) - lo) / 24000 - 0.05

    cues = [
        [seconds(t) for t in cue.splitlines()[1].split(" --> ")]
        for cue in (project.output / "episodes" / "harbour.srt").read_text().strip().split("\n\n")
    ]
    after_pause = zip(cues[1:], cues[:-1], strict=True)
    starts = [cues[0][0]] + [start for (start, _), (_, end) in after_pause if start - end > 0.25]
    segments = script_for_file(project.content / "harbour.md").segments
    assert len(starts) == len(segments) == 5  # a long segment has several cues; count the first
    for at, seg in zip(starts, segments, strict=True):
        own = np.frombuffer(engine_for(TONE).synthesize(seg.spoken).pcm, dtype="<i2")
        assert abs(lag(at, own.astype(np.float64))) <= 0.001, seg.spoken
        if at > 0:
            assert np.abs(samples[round((at - 0.25) * 44100) : round(at * 44100)]).max() < 50  # pause


def test_clean_removes_only_what_the_published_episodes_do_not_use(project) -> None:
    article = project.write("harbour.md", TWO_PARAGRAPHS)
    project.build_json()
    article.write_text(TWO_PARAGRAPHS.replace("every lamp", "each lamp"))
    project.build_json()
    cache = ProjectCache(project.root / ".readcast")
    refs = json.loads((cache.root / "refs.json").read_text())["harbour"]
    stale = [cache.segments.path(k) for k in cache.segments.keys() if k not in refs["segments"]]
    stale += [cache.parts.path(k) for k in cache.parts.keys() if k not in refs["parts"]]
    assert stale
    freed = sum(p.stat().st_size for p in stale)

    result = project.cli("clean", str(project.root))
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"removed {len(stale)} cache entries, freed {freed / 1e6:.1f} MB "
        f"({len(refs['segments']) + len(refs['parts'])} kept)\n"
    )
    assert not any(p.exists() for p in stale)
    code, report = project.build_json()
    assert (code, report["episodes"][0]["status"], report["episodes"][0]["synthesized"]) == (
        0,
        "unchanged",
        0,
    )


def test_clean_without_a_record_of_the_last_build_refuses(project) -> None:
    project.write("harbour.md", TWO_PARAGRAPHS)
    project.build_json()
    os.remove(project.root / ".readcast" / "cache" / "refs.json")
    result = project.cli("clean", str(project.root))
    assert result.exit_code == 1
    assert "cannot tell which cache entries are in use" in result.stderr
    assert "Run 'readcast build' first" in result.stderr
    assert any(ProjectCache(project.root / ".readcast").segments.keys())
