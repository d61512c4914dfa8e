"""Project settings: readcast.toml, validated field by field, with every problem reported at once."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

from ..errors import ConfigError

CONFIG_NAME = "readcast.toml"
FEED_NAME = "feed.xml"
DEFAULT_BASE_URL = "http://localhost:8000/"
"""Where the feed points when [podcast] base_url is not set: `readcast serve`'s default address."""
LANGUAGE_RE = re.compile(r"[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*")
BITRATE_RE = re.compile(r"(\d{2,3})k")

# Apple's 2019 category list, as kept by the W3C feed validator (plus podgen's "Religion").
CATEGORIES: dict[str, tuple[str, ...]] = {
    "Arts": ("Books", "Design", "Fashion & Beauty", "Food", "Performing Arts", "Visual Arts"),
    "Business": ("Careers", "Entrepreneurship", "Investing", "Management", "Marketing", "Non-Profit"),
    "Comedy": ("Comedy Interviews", "Improv", "Stand-Up"),
    "Education": ("Courses", "How To", "Language Learning", "Self-Improvement"),
    "Fiction": ("Comedy Fiction", "Drama", "Science Fiction"),
    "Government": (),
    "History": (),
    "Health & Fitness": (
        "Alternative Health",
        "Fitness",
        "Medicine",
        "Mental Health",
        "Nutrition",
        "Sexuality",
    ),
    "Kids & Family": ("Education for Kids", "Parenting", "Pets & Animals", "Stories for Kids"),
    "Leisure": (
        "Animation & Manga",
        "Automotive",
        "Aviation",
        "Crafts",
        "Games",
        "Hobbies",
        "Home & Garden",
        "Video Games",
    ),
    "Music": ("Music Commentary", "Music History", "Music Interviews"),
    "News": (
        "Business News",
        "Daily News",
        "Entertainment News",
        "News Commentary",
        "Politics",
        "Sports News",
        "Tech News",
    ),
    "Religion & Spirituality": (
        "Buddhism",
        "Christianity",
        "Hinduism",
        "Islam",
        "Judaism",
        "Religion",
        "Spirituality",
    ),
    "Science": (
        "Astronomy",
        "Chemistry",
        "Earth Sciences",
        "Life Sciences",
        "Mathematics",
        "Natural Sciences",
        "Nature",
        "Physics",
        "Social Sciences",
    ),
    "Society & Culture": (
        "Documentary",
        "Personal Journals",
        "Philosophy",
        "Places & Travel",
        "Relationships",
    ),
    "Sports": (
        "Baseball",
        "Basketball",
        "Cricket",
        "Fantasy Sports",
        "Football",
        "Golf",
        "Hockey",
        "Rugby",
        "Running",
        "Soccer",
        "Swimming",
        "Tennis",
        "Volleyball",
        "Wilderness",
        "Wrestling",
    ),
    "Technology": (),
    "True Crime": (),
    "TV & Film": ("After Shows", "Film History", "Film Interviews", "Film Reviews", "TV Reviews"),
}


@dataclass(frozen=True)
class PodcastSettings:
    title: str = ""
    author: str = ""
    description: str = ""
    language: str = "en"
    base_url: str = ""
    """Public URL where output/ is hosted; empty means http://localhost:8000/ (readcast serve)."""
    category: str = "Technology"
    subcategory: str = ""
    explicit: bool = False
    email: str = ""
    cover: str = ""
    """Path of the cover image, relative to the project folder; empty: one is generated."""
    locked: bool = False
    copyright: str = ""


@dataclass(frozen=True)
class VoiceSettings:
    engine: str = "hibari"
    voice: str = ""
    speed: float = 1.0


@dataclass(frozen=True)
class AudioSettings:
    bitrate: str = "64k"
    sample_rate: int = 44100
    loudness: float = -16.0
    """Integrated loudness target in LUFS, stereo-equivalent (a mono file measured as dual-mono)."""
    intro_music: str = ""
    outro_music: str = ""


@dataclass(frozen=True)
class Settings:
    """Everything readcast.toml configures, with defaults filled in."""

    root: Path
    podcast: PodcastSettings = field(default_factory=PodcastSettings)
    voice: VoiceSettings = field(default_factory=VoiceSettings)
    audio: AudioSettings = field(default_factory=AudioSettings)
    pronunciations: dict[str, Any] = field(default_factory=dict)

    @property
    def content_dir(self) -> Path:
        return self.root / "content"

    @property
    def output_dir(self) -> Path:
        return self.root / "output"

    @property
    def state_dir(self) -> Path:
        return self.root / ".readcast"

    @property
    def base_url(self) -> str:
        url = self.podcast.base_url or DEFAULT_BASE_URL
        return url if url.endswith("/") else url + "/"

    def with_overrides(
        self, *, base_url: str | None = None, engine: str | None = None, voice: str | None = None
    ) -> Settings:
        """Settings with command-line flags applied (flags win over readcast.toml)."""
        podcast, voice_settings = self.podcast, self.voice
        if base_url:
            podcast = replace(podcast, base_url=base_url)
        if engine:
            voice_settings = replace(voice_settings, engine=engine)
        if voice:
            voice_settings = replace(voice_settings, voice=voice)
        return replace(self, podcast=podcast, voice=voice_settings)


_SECTIONS = {"podcast": PodcastSettings, "voice": VoiceSettings, "audio": AudioSettings}
_TYPE_NAMES = {str: "a string", bool: "true or false", int: "a whole number", float: "a number"}


def resolve_output(folder: Path | str, command: str) -> Path:
    """The built output of `folder` for `readcast COMMAND`: a project's output/, or the folder
    itself when it holds feed.xml; ConfigError saying what to pass otherwise."""
    folder = Path(folder)
    if (folder / CONFIG_NAME).is_file():
        output = folder / "output"
        if not (output / FEED_NAME).is_file():
            raise ConfigError(
                f"{output}: nothing built yet (no {FEED_NAME}). Run 'readcast build {folder}' first."
            )
        return output.resolve()
    if (folder / FEED_NAME).is_file():
        return folder.resolve()
    raise ConfigError(
        f"{folder}: neither a readcast project ({CONFIG_NAME}) nor a built output "
        f"folder ({FEED_NAME}). Pass the project folder, e.g. 'readcast {command} .'."
    )


def load_settings(root: Path | str) -> Settings:
    """Read and validate ``root/readcast.toml``; raise ConfigError listing every problem."""
    root = Path(root).resolve()
    path = root / CONFIG_NAME
    if not path.is_file():
        raise ConfigError(
            f"{path}: not found. Run 'readcast init {root}' to create a project, "
            "or pass the folder that holds readcast.toml."
        )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc}). Fix the syntax and build again.") from None
    return parse_settings(data, root, source=path)


def parse_settings(data: dict[str, Any], root: Path, source: Path | str = CONFIG_NAME) -> Settings:
    problems: list[str] = []
    sections: dict[str, Any] = {}
    for name, value in data.items():
        if name == "pronunciations":
            continue
        if name not in _SECTIONS:
            problems.append(f"unknown section [{name}] (known: {', '.join([*_SECTIONS, 'pronunciations'])})")
        elif not isinstance(value, dict):
            problems.append(f"[{name}] must be a table")
    for name, cls in _SECTIONS.items():
        table = data.get(name, {})
        if isinstance(table, dict):
            sections[name] = _parse_section(name, cls, table, problems)
    pronunciations = data.get("pronunciations", {})
    problems += validate_pronunciations(pronunciations, "[pronunciations]")
    if not problems:
        problems += _check_values(sections["podcast"], sections["voice"], sections["audio"])
    if problems:
        if len(problems) == 1:
            raise ConfigError(f"{source}: {problems[0]}")
        listed = "\n".join(f"  - {p}" for p in problems)
        raise ConfigError(f"{source} has {len(problems)} problems:\n{listed}")
    return Settings(root=root, pronunciations=dict(pronunciations), **sections)


def validate_pronunciations(table: Any, where: str) -> list[str]:
    """Check a lexicon: word = "respelling" or word = { ipa = "..." }."""
    if not isinstance(table, dict):
        return [f'{where} must be a table of word = "respelling"']
    problems = []
    for word, value in table.items():
        if isinstance(value, str) and value.strip():
            continue
        if (
            isinstance(value, dict)
            and set(value) <= {"ipa", "say"}
            and value
            and all(isinstance(v, str) and v.strip() for v in value.values())
        ):
            continue
        problems.append(f'{where} {word!r}: use a respelling string or {{ ipa = "..." }}')
    return problems


def _parse_section(name: str, cls: type, table: dict[str, Any], problems: list[str]) -> Any:
    known = {f.name: f for f in fields(cls)}
    values = {}
    for key, value in table.items():
        if key not in known:
            problems.append(f"[{name}] unknown key '{key}' (known: {', '.join(known)})")
            continue
        expected = type(getattr(cls(), key))
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            problems.append(f"[{name}] {key} must be {_TYPE_NAMES[expected]}, not {value!r}")
            continue
        values[key] = value.strip() if isinstance(value, str) else value
    return cls(**values)


def _check_values(podcast: PodcastSettings, voice: VoiceSettings, audio: AudioSettings) -> list[str]:
    problems = []
    if not podcast.title:
        problems.append("[podcast] title is required")
    if not LANGUAGE_RE.fullmatch(podcast.language):
        problems.append(
            f"[podcast] language {podcast.language!r} is not a language code such as 'en' or 'en-us'"
        )
    if podcast.category not in CATEGORIES:
        problems.append(
            f"[podcast] category {podcast.category!r} is not in Apple's list "
            f"(for example: {', '.join(list(CATEGORIES)[:6])}, ...)"
        )
    elif podcast.subcategory and podcast.subcategory not in CATEGORIES[podcast.category]:
        allowed = ", ".join(CATEGORIES[podcast.category]) or "none"
        problems.append(
            f"[podcast] subcategory {podcast.subcategory!r} does not belong to "
            f"{podcast.category!r} (allowed: {allowed})"
        )
    if podcast.base_url and not re.match(r"https?://[^/\s]+", podcast.base_url):
        problems.append(f"[podcast] base_url {podcast.base_url!r} must start with https:// (or http://)")
    if podcast.email and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", podcast.email):
        problems.append(f"[podcast] email {podcast.email!r} is not an e-mail address")
    if not 0.5 <= voice.speed <= 2.0:
        problems.append(f"[voice] speed must be between 0.5 and 2.0, not {voice.speed}")
    match = BITRATE_RE.fullmatch(audio.bitrate)
    if not match or not 32 <= int(match.group(1)) <= 320:
        problems.append(f"[audio] bitrate {audio.bitrate!r} must look like '64k' (32k to 320k)")
    if audio.sample_rate not in (22050, 24000, 32000, 44100, 48000):
        problems.append(
            f"[audio] sample_rate must be 44100 or 48000 (or 22050, 24000, 32000), not {audio.sample_rate}"
        )
    if not -30.0 <= audio.loudness <= -10.0:
        problems.append(f"[audio] loudness must be between -30 and -10 LUFS, not {audio.loudness}")
    return problems
