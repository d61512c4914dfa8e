"""The build's stages on their own: defects of issue 12 in the pipeline, each pinned by a test."""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import wave
from pathlib import Path

import numpy as np
import pytest
from conftest import Project
from mutagen.id3 import ID3

from readcast.audio.cache import SegmentStore
from readcast.audio.ffmpeg import Piece, encode_mp3
from readcast.audio.music import MusicBeds, _Clip
from readcast.audio.synth import SynthesisJob, synthesize_missing
from readcast.engines.base import AudioChunk
from readcast.errors import ConfigError
from readcast.models import Article, Block, TimedSegment, VoiceChoice
from readcast.publish.pages import transcript_sections
from readcast.publish.tags import EpisodeTags, write_tags
from readcast.speech.script import build_script

GOOD = "---\ntitle: Fine\n---\nThis article is fine.\n"


def test_an_unreadable_article_is_skipped_with_one_line_and_the_rest_is_built(project: Project) -> None:
    project.write("good.md", GOOD)
    # Reading /proc/self/mem at offset 0 fails with EIO, for root too: a real OSError from the real
    # read path (chmod 000 cannot make a file unreadable to root).
    (project.content / "bad.md").symlink_to("/proc/self/mem")
    result = project.cli("build", str(project.root), "--jobs", "1")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if "bad.md" in line]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and lines[0].endswith(
        "bad.md: cannot be read (Input/output error). Make it a readable file, or move it out of content/."
    )
    assert (project.output / "episodes" / "good.mp3").is_file()
    assert "good.mp3" in (project.output / "feed.xml").read_text()


def _page_paragraphs(texts: list[str]) -> list[list[str]]:
    """The transcript page's paragraphs (their lines) for an article of these paragraphs."""
    article = Article(Path("a.md"), "a", "T", tuple(Block("paragraph", t) for t in texts))
    script = build_script(article, author="A", podcast_title="P")
    timeline = [TimedSegment(seg, n, n + 0.5) for n, seg in enumerate(script.segments)]
    body = transcript_sections(timeline, [])[0].blocks[1:-1]  # without the credits and the outro
    return [[line.text for line in block.items[0]] for block in body]


def test_a_paragraph_ending_with_a_pause_is_not_merged_with_the_next_on_the_page() -> None:
    paragraphs = _page_paragraphs(["One. Two. <!-- pause 300ms -->", "Three."])
    assert paragraphs == [["One. Two."], ["Three."]]


def test_a_pause_inside_a_paragraph_keeps_it_one_paragraph_on_the_page() -> None:
    paragraphs = _page_paragraphs(["One.<!-- pause 2s --> Two.", "Three."])
    assert paragraphs == [["One.", "Two."], ["Three."]]


def test_synthesis_workers_are_not_forked_while_another_thread_runs(tmp_path: Path) -> None:
    forks: list[int] = []
    watching = True
    os.register_at_fork(before=lambda: forks.append(threading.active_count()) if watching else None)
    stop = threading.Event()
    progress_bar = threading.Thread(target=stop.wait)  # stands for the CLI's progress bar thread
    progress_bar.start()
    try:
        voice = VoiceChoice("hibari", None, 1.0, "en")
        jobs = [SynthesisJob(f"{n:064x}", f"Sentence number {n}.", voice) for n in range(3)]
        failures = synthesize_missing(jobs, SegmentStore(tmp_path), workers=2)
    finally:
        watching = False
        stop.set()
        progress_bar.join()
    assert failures == {}
    assert all(SegmentStore(tmp_path).info(job.key) is not None for job in jobs)
    assert forks == []  # no fork() of this multi-threaded process: the workers came from a forkserver


@pytest.mark.parametrize(
    ("language", "code"), [("de", "deu"), ("pt-BR", "por"), ("en", "eng"), ("xx", "und")]
)
def test_id3_language_fields_carry_the_articles_language(tmp_path: Path, language: str, code: str) -> None:
    mp3 = tmp_path / "a.mp3"
    encode_mp3(iter([bytes(2 * 44100)]), 44100, mp3, gain_db=0.0, bitrate="64k", sample_rate=44100, pad_to=0)
    when = dt.datetime(2026, 1, 2, tzinfo=dt.timezone.utc)
    write_tags(mp3, EpisodeTags("T", "A", "P", when, "About it.", "Words.", (), b"", language=language))
    tags = ID3(mp3)
    assert [frame.lang for frame in tags.getall("COMM")] == [code]
    assert [frame.lang for frame in tags.getall("USLT")] == [code]
    assert tags.getall("TLAN")[0].text == [code]


def _wav(path: Path, samples: np.ndarray, rate: int = 44100) -> Path:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(samples.astype("<i2").tobytes())
    return path


def _speech(seconds: float, rate: int = 44100) -> Piece:
    t = np.arange(int(seconds * rate)) / rate
    chunk = AudioChunk((np.sin(2 * np.pi * 220 * t) * 8000).astype("<i2").tobytes(), rate)
    return Piece(load=lambda: chunk, frames=chunk.frames, rate=rate, pause_ms=300, kind="intro")


def test_intro_music_that_cannot_be_measured_where_it_plays_is_levelled_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    rate = 44100
    t = np.arange(20 * rate) / rate
    samples = np.where(t >= 15, np.sin(2 * np.pi * 440 * t) * 10000, 0)  # 15 s of silence, then a tone
    beds = MusicBeds(intro=_Clip(_wav(tmp_path / "intro.wav", samples), "intro_music"))
    with caplog.at_level(logging.WARNING):
        ((start, bed),) = beds.beds([_speech(2.0)], rate)
    assert start == 0 and np.isfinite(bed).all() and float(np.abs(bed).max()) == 0.0
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "intro.wav" in warnings[0] and "silent" in warnings[0], warnings


def test_music_whose_level_cannot_be_measured_at_all_is_a_clear_error(tmp_path: Path) -> None:
    rate = 44100
    samples = np.zeros(rate)
    samples[:40] = 200  # not silent for the decoder's check, too short a sound to measure
    beds = MusicBeds(outro=_Clip(_wav(tmp_path / "outro.wav", samples), "outro_music"))
    with pytest.raises(ConfigError, match=r"\[audio\] outro_music .*outro.wav: .*loudness"):
        beds.beds([_speech(2.0)], rate)
