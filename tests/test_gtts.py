"""gTTS through its real request and parsing code, against the loopback fake of Google's endpoint."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import gtts.tts
import pytest
from conftest import Project
from gtts_fake_server import AUDIO, NO_AUDIO, PROXY_VARIABLES, FakeGttsServer
from mutagen.mp3 import MP3

from readcast.audio.cache import SegmentStore
from readcast.audio.ffmpeg import ffmpeg_exe
from readcast.engines.gtts import GttsEngine, split_for_gtts
from readcast.errors import EngineError

LONG = (
    "Readcast reads articles aloud, and it does so one paragraph at a time, with pauses where a "
    "reader would take a breath; the listener, who may be driving, hears every clause. Short "
    "sentences pack together. Like these. And this one."
)


def tone_mp3(seconds: float = 0.4) -> bytes:
    """A real, audible MP3 (a 440 Hz tone, 24 kHz mono) for the fake to answer with."""
    result = subprocess.run(
        [
            ffmpeg_exe(),
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            f"sine=frequency=440:duration={seconds}",
            "-ar",
            "24000",
            "-ac",
            "1",
            "-c:a",
            "libmp3lame",
            "-b:a",
            "32k",
            "-f",
            "mp3",
            "pipe:1",
        ],
        capture_output=True,
        check=True,
    )
    return result.stdout


@pytest.fixture(scope="module")
def tone() -> bytes:
    return tone_mp3()


@pytest.fixture
def fake_gtts(monkeypatch: pytest.MonkeyPatch, tone: bytes):
    for name in PROXY_VARIABLES:  # gTTS ignores NO_PROXY: a set proxy would catch 127.0.0.1
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(GttsEngine, "backoff", 0.001)  # retries without real waiting
    with FakeGttsServer(mp3=tone) as server:
        server.tlds = []

        def translate_url(tld: str = "com", path: str = "") -> str:
            server.tlds.append(tld)
            return server.translate_url(tld, path)

        monkeypatch.setattr(gtts.tts, "_translate_url", translate_url)
        yield server


def decoded_frames(mp3: bytes) -> int:
    import io

    from pydub import AudioSegment

    segment = AudioSegment.from_file(io.BytesIO(mp3), format="mp3", codec="mp3")
    return len(segment.set_channels(1).set_frame_rate(24000).raw_data) // 2


# -- splitting --------------------------------------------------------------------------------


def test_split_packs_sentences_and_cuts_long_ones_at_clauses() -> None:
    assert split_for_gtts(LONG) == [
        "Readcast reads articles aloud, and it does so one paragraph at a time,",
        "with pauses where a reader would take a breath; the listener, who may be driving,",
        "hears every clause. Short sentences pack together. Like these. And this one.",
    ]


def test_split_falls_back_to_words_then_hard_cuts_and_drops_punctuation_only_pieces() -> None:
    words = " ".join(["word"] * 30)  # 149 characters, no punctuation
    assert split_for_gtts(words) == [" ".join(["word"] * 20), " ".join(["word"] * 10)]
    assert split_for_gtts("x" * 250) == ["x" * 100, "x" * 100, "x" * 50]
    assert split_for_gtts("... -- !") == []
    assert split_for_gtts("  Hello\n  there.  ") == ["Hello there."]


def test_every_request_is_one_of_readcasts_pieces(fake_gtts: FakeGttsServer, tone: bytes) -> None:
    chunk = GttsEngine().synthesize(LONG)
    sent = [r.text for r in fake_gtts.requests]
    assert sent == split_for_gtts(LONG)
    assert all(len(text) <= 100 for text in sent)
    assert all(r.path == "/_/TranslateWebserverUi/data/batchexecute" for r in fake_gtts.requests)
    assert {r.content_type for r in fake_gtts.requests} == {"application/x-www-form-urlencoded;charset=utf-8"}
    assert {(r.lang, r.slow) for r in fake_gtts.requests} == {("en", False)}
    assert chunk.sample_rate == 24000
    assert chunk.frames == 3 * decoded_frames(tone)  # three answers, decoded back to back


# -- options ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "voice", "speed", "lang", "tld", "slow"),
    [
        ("en", None, 1.0, "en", "com", False),
        ("en-GB", None, 1.0, "en", "co.uk", False),
        ("en-us", "com.au", 1.0, "en", "com.au", False),
        ("fr-ca", None, 1.0, "fr-CA", "com", False),
        ("pt-PT", None, 1.0, "pt-PT", "pt", False),
        ("de", None, 0.75, "de", "com", True),
        ("he", "co.il", 1.0, "iw", "co.il", False),
    ],
)
def test_language_accent_and_slow_mode_reach_google(
    fake_gtts: FakeGttsServer, language: str, voice: str | None, speed: float, lang: str, tld: str, slow: bool
) -> None:
    resolved = GttsEngine.resolve_voice(voice, language, Path.cwd())
    GttsEngine(voice=resolved, speed=speed, language=language).synthesize("Bonjour.")
    assert [(r.text, r.lang, r.slow) for r in fake_gtts.requests] == [("Bonjour.", lang, slow)]
    assert set(fake_gtts.tlds) == {tld}


def test_speeds_other_than_slow_mode_are_time_stretched(fake_gtts: FakeGttsServer) -> None:
    normal = GttsEngine().synthesize("Hello.").frames
    fast = GttsEngine(speed=1.5).synthesize("Hello.").frames
    assert fast == pytest.approx(normal / 1.5, rel=0.05)
    assert [r.slow for r in fake_gtts.requests] == [False, False]


def test_unknown_accent_and_language_are_clear_errors() -> None:
    with pytest.raises(EngineError, match=r"gtts has no accent 'co\.nowhere'.*co\.uk"):
        GttsEngine.resolve_voice("co.nowhere", "en", Path.cwd())
    assert GttsEngine.speaks("fr-CA") and GttsEngine.speaks("he") and not GttsEngine.speaks("tlh")


# -- failures ---------------------------------------------------------------------------------


def test_retries_429_with_backoff_then_succeeds(fake_gtts: FakeGttsServer) -> None:
    fake_gtts.queue(429, 429)
    chunk = GttsEngine().synthesize("Hello there.")
    assert [r.text for r in fake_gtts.requests] == ["Hello there."] * 3
    assert chunk.frames > 0


def test_gives_up_on_429_with_a_clear_message(fake_gtts: FakeGttsServer) -> None:
    fake_gtts.answer = 429
    with pytest.raises(EngineError, match=r"HTTP 429 Too Many Requests.*\(3 tries\)"):
        GttsEngine(retries=2).synthesize("Hello there.")
    assert len(fake_gtts.requests) == 3


def test_error_on_5xx_after_retries(fake_gtts: FakeGttsServer) -> None:
    fake_gtts.answer = 503
    started = time.perf_counter()
    with pytest.raises(EngineError, match=r"failed \(HTTP 503\) \(4 tries\).*offline engine"):
        GttsEngine().synthesize("Hello there.")
    assert len(fake_gtts.requests) == 4
    assert time.perf_counter() - started < 2  # backoff 1, 2, 4 ms here; 1, 2, 4 s for real


def test_refusal_is_not_retried_and_answers_without_audio_are_errors(fake_gtts: FakeGttsServer) -> None:
    fake_gtts.answer = 403
    with pytest.raises(EngineError, match="Google refused the request.*403"):
        GttsEngine().synthesize("Hello there.")
    assert len(fake_gtts.requests) == 1
    for answer in (NO_AUDIO, 200):  # an RPC line without audio, or no RPC line at all
        fake_gtts.answer = answer
        with pytest.raises(EngineError, match="without audio"):
            GttsEngine(retries=0).synthesize("Hello there.")


def test_say_writes_an_mp3_or_nothing(fake_gtts: FakeGttsServer, project: Project, tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "hello.mp3"
    result = project.cli("say", "Hello there.", "-o", str(out), "--engine", "gtts")
    assert result.exit_code == 0, result.stderr
    assert MP3(out).info.sample_rate == 44100
    fake_gtts.queue(AUDIO)  # the first request of the next call works, the second fails
    fake_gtts.answer = 500
    failed = folder / "failed.mp3"
    result = project.cli("say", LONG, "-o", str(failed), "--engine", "gtts")
    assert result.exit_code == 1
    assert "HTTP 500" in result.stderr and "Traceback" not in result.stderr
    assert [p.name for p in folder.iterdir()] == ["hello.mp3"]  # no failed.mp3, no temp file


# -- no network at all ------------------------------------------------------------------------


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again when the socket is: nothing listens there


def offline_env() -> dict[str, str]:
    """Every request leaves through a proxy at a closed loopback port: the network is unreachable."""
    env = {k: v for k, v in os.environ.items() if k not in PROXY_VARIABLES}
    proxy = f"http://127.0.0.1:{closed_port()}"
    env.update(HTTPS_PROXY=proxy, HTTP_PROXY=proxy, ALL_PROXY=proxy)
    return env


def run_readcast(*args: str, cwd: Path) -> tuple[subprocess.CompletedProcess, float]:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "readcast", *args],
        cwd=cwd,
        env=offline_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    return result, time.perf_counter() - started


def test_say_without_network_fails_fast_and_leaves_nothing(tmp_path: Path) -> None:
    result, seconds = run_readcast("say", "Hello there.", "-o", "hello.mp3", "--engine", "gtts", cwd=tmp_path)
    assert result.returncode == 1
    assert "cannot reach Google's speech service" in result.stderr
    assert "offline engine" in result.stderr and "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []
    assert seconds < 10  # mostly interpreter start-up; measured about 1 s


def test_build_without_network_fails_fast_and_leaves_no_episode(project: Project) -> None:
    for n in range(3):
        project.write(f"a{n}.md", f"# Article {n}\n\nFirst paragraph {n}.\n\nSecond paragraph {n}.\n")
    result, seconds = run_readcast("build", ".", "--engine", "gtts", "--json", cwd=project.root)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.count("cannot reach Google's speech service") == 3  # one line per article
    report = json.loads(result.stdout)
    assert [e["status"] for e in report["episodes"]] == ["failed"] * 3
    assert not (project.output / "episodes").exists() or not any((project.output / "episodes").iterdir())
    assert not list(project.root.rglob("*.tmp"))
    assert seconds < 15  # every segment after the first fails at once


# -- resilience in a project ------------------------------------------------------------------


def test_failed_rebuild_keeps_the_published_episode_and_caches_nothing_broken(
    fake_gtts: FakeGttsServer, project: Project
) -> None:
    project.write(
        "news.md",
        """
        ---
        title: News
        engine: gtts
        ---
        The first paragraph.

        The second paragraph.
    """,
    )
    first = project.build()
    assert [e.status for e in first.episodes] == ["built"]
    mp3 = project.output / "episodes" / "news.mp3"
    published, feed = mp3.read_bytes(), (project.output / "feed.xml").read_bytes()
    store = SegmentStore(project.root / ".readcast" / "cache" / "segments")
    cached = set(store.keys())

    project.write(
        "news.md",
        """
        ---
        title: News
        engine: gtts
        ---
        The first paragraph.

        The second paragraph, edited.
    """,
    )
    fake_gtts.answer = 500
    second = project.build()
    assert [e.status for e in second.episodes] == ["failed"]
    assert "content/news.md" in second.episodes[0].error and "HTTP 500" in second.episodes[0].error
    assert mp3.read_bytes() == published
    assert (project.output / "feed.xml").read_bytes() == feed
    assert set(store.keys()) == cached  # the failed segment left no entry
    assert all(store.get(key) is not None for key in store.keys())

    fake_gtts.answer = AUDIO
    third = project.build()
    assert [e.status for e in third.episodes] == ["built"]
    assert third.episodes[0].synthesized == 1  # only the edited paragraph went to Google again
    assert mp3.read_bytes() != published
