"""The episode MP3 as apps receive it: loudness, true peak, CBR, ID3v2.3, chapters, cover, music."""

from __future__ import annotations

import json
import re
import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest
from conftest import Project
from mutagen.id3 import ID3
from mutagen.mp3 import MP3, BitrateMode
from PIL import Image

from readcast.audio.ffmpeg import ffmpeg_exe
from readcast.audio.music import INTRO_LEAD_S, OUTRO_TAIL_S
from readcast.errors import ConfigError

SLUG = "what-happens-when-you-cry-in-therapy"
V24_ONLY = {
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


def measure(path: Path) -> tuple[float, float]:
    """(integrated LUFS as dual-mono, true peak dBTP), straight from ffmpeg's ebur128 summary."""
    result = subprocess.run(
        [
            ffmpeg_exe(),
            "-hide_banner",
            "-nostats",
            "-i",
            str(path),
            "-af",
            "ebur128=dualmono=true:peak=true",
            "-f",
            "null",
            "-",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    summary = result.stderr.rsplit("Summary:", 1)[1]
    loudness = float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1))
    peak = float(re.search(r"True peak:\s+Peak:\s+(-?[\d.]+) dBFS", summary).group(1))
    return loudness, peak


def decode(path: Path, rate: int = 8000) -> np.ndarray:
    pcm = subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-i", str(path), "-ac", "1", "-ar", str(rate), "-f", "s16le", "-"],
        capture_output=True,
        check=True,
    ).stdout
    return np.frombuffer(pcm, "<i2").astype(np.float64)


def chapters_agree(mp3: Path, chapters_json: Path) -> list[tuple[int, int, str]]:
    """The CHAP frames in CTOC order as (start ms, end ms, title), checked against the JSON file."""
    tags = ID3(mp3)
    (toc,) = tags.getall("CTOC")
    assert toc.flags & 2 and toc.flags & 1  # top level, ordered
    chaps = {c.element_id: c for c in tags.getall("CHAP")}
    frames = [
        (chaps[i].start_time, chaps[i].end_time, str(chaps[i].sub_frames["TIT2"]))
        for i in toc.child_element_ids
    ]
    data = json.loads(chapters_json.read_text())["chapters"]
    assert [(round(c["startTime"] * 1000), round(c["endTime"] * 1000), c["title"]) for c in data] == frames
    assert frames[0][0] == 0 and frames[-1][1] <= MP3(mp3).info.length * 1000 + 50
    return frames


@pytest.fixture(scope="module")
def sample_mp3(sample_build) -> Path:
    proj, _ = sample_build
    return proj.output / "episodes" / f"{SLUG}.mp3"


def test_loudness_is_within_1_lu_of_target_and_true_peak_at_most_minus_1(sample_mp3) -> None:
    loudness, peak = measure(sample_mp3)
    assert abs(loudness - -16.0) <= 1.0, loudness
    assert peak <= -1.0, peak


def test_mp3_is_cbr_with_an_info_header(sample_mp3) -> None:
    info = MP3(sample_mp3).info
    assert info.bitrate_mode == BitrateMode.CBR and info.bitrate == 64000
    data = sample_mp3.read_bytes()
    size = 10 + sum((b & 0x7F) << (7 * (3 - n)) for n, b in enumerate(data[6:10]))
    assert b"Info" in data[size : size + 200]


def test_tag_is_id3v23_only(sample_mp3) -> None:
    data = sample_mp3.read_bytes()
    assert data[:5] == b"ID3\x03\x00" and data[5] == 0
    assert data[-128:-125] != b"TAG"
    frames = {f.FrameID for f in ID3(sample_mp3, translate=False).values()}
    assert not frames & V24_ONLY
    assert {"TIT2", "TPE1", "TALB", "TCON", "TYER", "APIC", "USLT", "CHAP", "CTOC", "PCST", "WFED"} <= frames


def test_id3_chapters_match_the_json_chapters(sample_mp3) -> None:
    frames = chapters_agree(sample_mp3, sample_mp3.with_name(f"{SLUG}.chapters.json"))
    assert len(frames) == 22 and frames[0][2] == "What Happens When You Cry in Therapy"


def test_generated_cover_is_a_square_rgb_jpeg_apple_accepts(sample_build) -> None:
    proj, _ = sample_build
    (cover,) = proj.output.glob("cover-*.jpg")
    with Image.open(cover) as image:
        assert (image.format, image.mode) == ("JPEG", "RGB")
        assert image.width == image.height and 1400 <= image.width <= 3000
    assert cover.stat().st_size <= 512 * 1024


def test_a_configured_cover_is_converted_to_square_rgb(project: Project) -> None:
    Image.new("RGBA", (2400, 1800), (200, 40, 40, 128)).save(project.root / "art.png")
    project.settings(project.root.joinpath("readcast.toml").read_text() + 'cover = "art.png"\n')
    project.write("a.md", "Hello.\n")
    project.build()
    (cover,) = project.output.glob("cover-*.jpg")
    with Image.open(cover) as image:
        assert (image.format, image.mode, image.size) == ("JPEG", "RGB", (1800, 1800))
    with Image.open(project.output / "assets" / f"{cover.stem}-600.jpg") as web:
        assert web.size == (600, 600)  # the pages' copy


def test_a_too_small_cover_is_refused_with_the_fix(project: Project) -> None:
    Image.new("RGB", (1000, 1000)).save(project.root / "small.jpg")
    project.settings(project.root.joinpath("readcast.toml").read_text() + 'cover = "small.jpg"\n')
    project.write("a.md", "Hello.\n")
    with pytest.raises(ConfigError, match=r"1000x1000 px is too small; podcast apps need at least 1400x1400"):
        project.build()


# -- intro and outro music ---------------------------------------------------------------------
def tone(path: Path, seconds: float, freqs: list[float], rate: int = 44100) -> Path:
    t = np.arange(int(seconds * rate)) / rate
    signal = sum(np.sin(2 * np.pi * f * t) for f in freqs) / len(freqs) * 0.5
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes((signal * 32767).astype("<i2").tobytes())
    return path


ARTICLE = "---\ntitle: Music\n---\nA short article with music around it.\n\n## End\n\nThe end.\n"


def _music_project(make_project, name: str, intro: float | None, outro: float | None) -> Project:
    proj = make_project(name)
    (proj.root / "music").mkdir()
    audio = []
    if intro:
        tone(proj.root / "music" / "intro.wav", intro, [440.0])
        audio.append('intro_music = "music/intro.wav"')
    if outro:
        tone(proj.root / "music" / "outro.wav", outro, [330.0])
        audio.append('outro_music = "music/outro.wav"')
    proj.settings(proj.root.joinpath("readcast.toml").read_text() + "[audio]\n" + "\n".join(audio) + "\n")
    proj.write("music.md", ARTICLE)
    assert not proj.build().failed
    return proj


def _first_cue(proj: Project) -> float:
    vtt = (proj.output / "episodes" / "music.vtt").read_text()
    match = re.search(r"^(\d\d):(\d\d):(\d\d\.\d{3}) -->", vtt, re.M)
    h, m, s = match.groups()
    return int(h) * 3600 + int(m) * 60 + float(s)


def _dominant(samples: np.ndarray, start: float, end: float, rate: int = 8000) -> float:
    window = samples[int(start * rate) : int(end * rate)]
    spectrum = np.abs(np.fft.rfft(window * np.hanning(len(window))))
    return float(np.fft.rfftfreq(len(window), 1 / rate)[np.argmax(spectrum)])


def test_intro_and_outro_music_around_the_speech(make_project) -> None:
    plain = _music_project(make_project, "plain", None, None)
    music = _music_project(make_project, "music", intro=12.0, outro=20.0)
    mp3 = music.output / "episodes" / "music.mp3"
    plain_length = MP3(plain.output / "episodes" / "music.mp3").info.length
    length = MP3(mp3).info.length
    # The music plays alone for INTRO_LEAD_S before the first word; every time moves with it.
    assert _first_cue(plain) == 0.0 and _first_cue(music) == INTRO_LEAD_S
    # After the last word the outro plays out for OUTRO_TAIL_S (the clip is long enough).
    assert length - plain_length == pytest.approx(INTRO_LEAD_S + OUTRO_TAIL_S, abs=0.1)
    samples = decode(mp3)
    assert _dominant(samples, 0.5, 3.0) == pytest.approx(440, abs=5)
    assert _dominant(samples, length - 6.0, length - 3.0) == pytest.approx(330, abs=5)

    def rms(window: np.ndarray) -> float:
        return float(np.sqrt(np.mean(window**2)))

    assert rms(samples[-160:]) < rms(samples[-4 * 8000 : -3 * 8000]) / 10  # faded out at the very end
    loudness, peak = measure(mp3)
    assert abs(loudness - -16.0) <= 1.0 and peak <= -1.0
    frames = chapters_agree(mp3, music.output / "episodes" / "music.chapters.json")
    assert [title for _, _, title in frames] == ["Music", "End"]
    assert frames[1][0] / 1000 > INTRO_LEAD_S


def test_a_short_intro_sting_plays_whole_before_the_first_word(make_project) -> None:
    proj = _music_project(make_project, "sting", intro=2.0, outro=None)
    assert _first_cue(proj) == pytest.approx(2.0 + 0.3, abs=0.001)
    samples = decode(proj.output / "episodes" / "music.mp3")
    assert _dominant(samples, 0.2, 1.8) == pytest.approx(440, abs=5)


def test_changing_the_music_rebuilds_the_episode(make_project) -> None:
    proj = _music_project(make_project, "change", intro=None, outro=3.0)
    assert [e.status for e in proj.build().episodes] == ["unchanged"]
    tone(proj.root / "music" / "outro.wav", 3.0, [500.0])
    assert [e.status for e in proj.build().episodes] == ["built"]


def test_missing_or_unreadable_music_stops_the_build_with_the_key(project: Project) -> None:
    settings = project.root.joinpath("readcast.toml").read_text()
    project.write("a.md", "Hello.\n")
    project.settings(settings + '[audio]\nintro_music = "music/nope.mp3"\n')
    with pytest.raises(ConfigError, match=r"\[audio\] intro_music 'music/nope.mp3': file not found"):
        project.build()
    (project.root / "notes.txt").write_text("not audio")
    project.settings(settings + '[audio]\noutro_music = "notes.txt"\n')
    with pytest.raises(ConfigError, match=r"\[audio\] outro_music .*notes.txt: not an audio file"):
        project.build()
