"""The engine interface, choosing a voice per article, and several engines in one project."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from conftest import REAL_ENGINE_SETTINGS, REPO, Project
from mutagen.mp3 import MP3

import readcast.engines
from readcast.audio.ffmpeg import measure_file
from readcast.engines import AudioChunk, Engine, engine_names, get_engine_class
from readcast.engines.voices import VoiceRequest, choose_voice
from readcast.errors import EngineError
from readcast.models import VoiceChoice

sys.path.insert(0, str(REPO / "scripts"))
import asr  # noqa: E402  (scripts/ is not a package)

SENTENCE = (
    "The committee met on Tuesday morning to discuss the new library, and after a long "
    "debate they agreed to open it next spring."
)


class CrashingEngine(Engine):
    """An engine whose library blows up, as third-party code sometimes does."""

    name = "crashy"
    sample_rate = 16000
    default_voice = "any"
    licence = "test"

    def synthesize(self, text: str) -> AudioChunk:
        raise RuntimeError("the model file is damaged")


@pytest.fixture
def crashy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(readcast.engines._BUILTIN, "crashy", f"{__name__}:CrashingEngine")


# -- the interface ----------------------------------------------------------------------------


def test_every_builtin_engine_declares_what_it_can_do() -> None:
    assert engine_names() == ["hibari", "piper", "espeak", "gtts"]
    for name in engine_names():
        cls = get_engine_class(name)
        assert issubclass(cls, Engine) and cls.name == name
        assert cls.sample_rate in (16000, 22050, 24000)
        assert "en" in cls.language_list() and cls.speaks("en-GB")
        assert cls.licence and cls.install_hint() and cls.default_voice
        assert cls.engine_version().startswith(cls.version + "+")
        assert cls.needs_network is (name == "gtts")
        assert cls.default_voice in {v.name for v in cls.voices()}


@pytest.mark.slow
def test_say_with_hibari_is_intelligible(project: Project, tmp_path: Path) -> None:
    out = tmp_path / "hibari.mp3"
    result = project.cli("say", SENTENCE, "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert asr.wer(SENTENCE, asr.transcribe(out)) <= 0.10


# -- choosing: flag > front matter > readcast.toml --------------------------------------------


def choose(*levels: VoiceRequest) -> VoiceChoice:
    return choose_voice(levels, base_dir=Path.cwd(), where="content/a.md")[0]


CONFIG = VoiceRequest("hibari", "heart", 1.0, "en")


def test_each_setting_comes_from_the_highest_level_that_sets_it() -> None:
    assert choose(VoiceRequest(), VoiceRequest(), CONFIG) == VoiceChoice("hibari", "heart", 1.0, "en")
    assert choose(VoiceRequest(), VoiceRequest(speed=1.2, language="en-gb"), CONFIG) == VoiceChoice(
        "hibari", "heart", 1.2, "en-gb"
    )
    assert choose(
        VoiceRequest(speed=0.9, language="en-us"), VoiceRequest(speed=1.2, language="en-gb"), CONFIG
    ) == VoiceChoice("hibari", "heart", 0.9, "en-us")
    assert choose(VoiceRequest(engine="espeak"), VoiceRequest(engine="piper"), CONFIG).engine == "espeak"


def test_a_voice_belongs_to_the_engine_in_effect_where_it_is_set() -> None:
    # readcast.toml's hibari voice is not handed to the engine an article picks
    assert choose(VoiceRequest(), VoiceRequest(engine="espeak"), CONFIG) == VoiceChoice(
        "espeak", "en-us", 1.0, "en"
    )
    # a front-matter voice without an engine belongs to readcast.toml's engine
    assert choose(VoiceRequest(engine="espeak"), VoiceRequest(voice="heart"), CONFIG).voice == "en-us"
    assert (
        choose(VoiceRequest(), VoiceRequest(voice="en-gb"), VoiceRequest("espeak", "en-us", 1.0, "en")).voice
        == "en-gb"
    )
    # a flag's voice goes with whatever engine is chosen
    assert choose(VoiceRequest(voice="en-gb"), VoiceRequest(engine="espeak"), CONFIG) == VoiceChoice(
        "espeak", "en-gb", 1.0, "en"
    )
    assert (
        choose(VoiceRequest(voice="co.uk"), VoiceRequest(), VoiceRequest("gtts", None, 1.0, "en")).voice
        == "co.uk"
    )


def test_impossible_choices_are_clear_errors() -> None:
    with pytest.raises(EngineError, match=r"content/a\.md: Unknown engine 'nope'\. Available: hibari"):
        choose(VoiceRequest(engine="nope"), CONFIG)
    with pytest.raises(
        EngineError,
        match=r"content/a\.md: engine 'hibari' cannot speak language 'de'\. "
        r"Engines that can: piper, espeak, gtts \(online\)\.",
    ):
        choose(VoiceRequest(language="de"), CONFIG)
    with pytest.raises(EngineError, match=r"content/a\.md: hibari has no voice 'zeus'\. Voices: heart"):
        choose(VoiceRequest(voice="zeus"), CONFIG)
    with pytest.raises(EngineError, match=r"speed 3\.0 is out of range"):
        choose(VoiceRequest(speed=3.0), CONFIG)


# -- in a project -----------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.requires("espeak-ng")
def test_articles_pick_their_engines_and_the_episodes_match(project: Project) -> None:
    body = "A short note. It says that the library opens next spring, after a long debate.\n"
    project.write("a-hibari.md", f"---\ntitle: Hibari\n---\n{body}")
    project.write("b-espeak.md", f"---\ntitle: Espeak\nengine: espeak\n---\n{body}")
    project.write("c-piper.md", f"---\ntitle: Piper\nengine: piper\nspeed: 1.1\n---\n{body}")
    report = project.build()
    assert [(e.slug, e.status) for e in report.episodes] == [
        ("a-hibari", "built"),
        ("b-espeak", "built"),
        ("c-piper", "built"),
    ]
    loudness = []
    for slug in ("a-hibari", "b-espeak", "c-piper"):
        mp3 = project.output / "episodes" / f"{slug}.mp3"
        assert MP3(mp3).info.sample_rate == 44100  # engines at 24, 22.05 and 22.05 kHz
        loudness.append(measure_file(mp3)[0])
    assert max(loudness) - min(loudness) <= 1.0, loudness


@pytest.mark.requires("espeak-ng")
def test_flags_override_front_matter(project: Project) -> None:
    project.write("a.md", "---\ntitle: A\nengine: nope\nspeed: 0.5\n---\nHello there, listener.\n")
    code, report = project.build_json()
    assert code == 1 and "content/a.md: Unknown engine 'nope'" in report["episodes"][0]["error"]
    code, slow = project.build_json("--engine", "espeak")
    assert code == 0 and slow["episodes"][0]["status"] == "built"
    code, fast = project.build_json("--engine", "espeak", "--speed", "2.0")
    assert code == 0 and fast["episodes"][0]["synthesized"] == fast["episodes"][0]["segments"]
    assert fast["episodes"][0]["audio_seconds"] < 0.6 * slow["episodes"][0]["audio_seconds"]


def test_a_language_no_engine_choice_speaks_is_a_clear_error(project: Project) -> None:
    project.settings(REAL_ENGINE_SETTINGS)
    project.write("de.md", "---\ntitle: Deutsch\nlanguage: de\n---\nGuten Morgen.\n")
    code, report = project.build_json()
    assert code == 1
    assert report["episodes"][0]["error"] == (
        "content/de.md: engine 'hibari' cannot speak language 'de'. "
        "Engines that can: piper, espeak, gtts (online)."
    )
    code, report = project.build_json("--engine", "espeak")
    assert code == 0 and report["episodes"][0]["status"] == "built"


def test_an_engine_crash_fails_the_episode_and_keeps_the_published_one(
    crashy: None, project: Project, tmp_path: Path
) -> None:
    project.write("a.md", "---\ntitle: A\n---\nFirst version.\n")
    assert [e.status for e in project.build().episodes] == ["built"]
    published = (project.output / "episodes" / "a.mp3").read_bytes()
    project.write("a.md", "---\ntitle: A\nengine: crashy\n---\nSecond version.\n")
    result = project.cli("build", str(project.root), "--jobs", "1")
    assert result.exit_code == 1
    assert "error: content/a.md: crashy failed on 'A.': the model file is damaged" in result.stderr
    assert "Traceback" not in result.stderr
    assert (project.output / "episodes" / "a.mp3").read_bytes() == published
    feed = (project.output / "feed.xml").read_text()
    assert "episodes/a.mp3" in feed and f'length="{len(published)}"' in feed
    out = tmp_path / "crash.mp3"
    said = project.cli("say", "Hello.", "-o", str(out), "--engine", "crashy")
    assert said.exit_code == 1 and "RuntimeError: the model file is damaged" in said.stderr
    assert "Traceback" not in said.stderr and not out.exists()


def test_a_hibari_voice_that_needs_a_download_says_so_offline(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    with socket.socket() as sock:  # a loopback port nothing listens on: the network is unreachable
        sock.bind(("127.0.0.1", 0))
        proxy = f"http://127.0.0.1:{sock.getsockname()[1]}"
    import urllib.request

    # hibari downloads with urlopen(), whose opener keeps the proxies of its first use: undo that
    monkeypatch.setattr(urllib.request, "_opener", None)
    monkeypatch.setenv("HIBARI_HOME", str(tmp_path / "hibari-voices"))
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
        monkeypatch.setenv(name, proxy)
    project.settings(REAL_ENGINE_SETTINGS)
    project.write("a.md", "---\ntitle: A\nvoice: emma\n---\nHello.\n")
    code, report = project.build_json()
    assert code == 1
    error = report["episodes"][0]["error"]
    assert error.startswith(
        "content/a.md: hibari voice 'emma' is not installed and could not be downloaded ("
    )
    assert error.endswith("It needs the network once; offline, use the bundled voice 'heart'.")
    assert not (project.output / "episodes" / "a.mp3").exists()
