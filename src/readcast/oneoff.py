"""One-off commands that need no project: `readcast say` and `readcast script`."""

from __future__ import annotations

from pathlib import Path

from .audio.ffmpeg import Piece, encode_mp3, measure_loudness, stitched_pcm
from .engines.voices import VoiceRequest, choose_voice
from .errors import EngineError, ReadcastError
from .fsutil import atomic_path
from .models import Script
from .project.settings import CONFIG_NAME, AudioSettings, load_settings
from .read import read_article
from .speech.lexicon import phoneme_markup_for
from .speech.normalize import normalize
from .speech.script import build_script


def say_to_mp3(
    text: str, output: Path, *, engine: str, voice: str | None, speed: float, language: str
) -> float:
    """Speak `text` into `output` as a mastered CBR MP3; return its length in seconds."""
    choice, cls = choose_voice([VoiceRequest(engine, voice, speed, language)], base_dir=Path.cwd())
    try:
        chunk = cls(voice=choice.voice, speed=choice.speed, language=choice.language).synthesize(
            normalize(text)
        )
    except ReadcastError:
        raise
    except Exception as exc:  # engines are third-party code: a message, not a traceback
        raise EngineError(f"engine '{engine}' failed: {type(exc).__name__}: {exc}") from None
    if chunk.frames == 0:
        raise EngineError(f"engine '{engine}' produced no audio for {text[:60]!r}")
    pieces = [Piece(load=lambda: chunk, frames=chunk.frames, rate=chunk.sample_rate, pause_ms=0)]
    audio = AudioSettings()
    gain = audio.loudness - measure_loudness(stitched_pcm(pieces, chunk.sample_rate), chunk.sample_rate)
    with atomic_path(output.resolve()) as tmp:
        encode_mp3(
            stitched_pcm(pieces, chunk.sample_rate),
            chunk.sample_rate,
            tmp,
            gain_db=gain,
            bitrate=audio.bitrate,
            sample_rate=audio.sample_rate,
        )
    return chunk.seconds


def project_of(path: Path) -> Path | None:
    """The project an article belongs to: the folder holding readcast.toml and the content/ the
    article is in. None for a file anywhere else, even inside some project's folder."""
    folder = path.resolve().parent
    if folder.name == "content" and (folder.parent / CONFIG_NAME).is_file():
        return folder.parent
    return None


def script_for_file(path: Path) -> Script:
    """The speech script of one article, with the settings of its project when there is one
    (its podcast title, author and pronunciation lexicon)."""
    article = read_article(path)
    author, podcast, pronunciations = article.meta.author or "", "readcast", {}
    project = project_of(path)
    levels = [
        VoiceRequest(article.meta.engine, article.meta.voice, article.meta.speed, article.meta.language)
    ]
    if project is not None:
        settings = load_settings(project)
        author = author or settings.podcast.author
        podcast = settings.podcast.title
        pronunciations = settings.pronunciations
        levels.append(
            VoiceRequest(
                settings.voice.engine,
                settings.voice.voice or None,
                settings.voice.speed,
                settings.podcast.language,
            )
        )
    try:
        voice, engine_cls = choose_voice(levels, base_dir=project or path.resolve().parent)
        markup, language = phoneme_markup_for(engine_cls, voice), voice.language
    except ReadcastError:  # the script can be shown even where the engine cannot run
        markup, language = None, article.meta.language or "en"
    return build_script(
        article,
        author=author,
        podcast_title=podcast,
        pronunciations=pronunciations,
        phoneme_markup=markup,
        language=language,
    )
