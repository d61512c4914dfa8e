"""Which engine and voice speak an article, and what `readcast voices` lists.

Precedence: command-line flag > the article's front matter > readcast.toml. A voice belongs to
the engine in effect where it is set: `voice: emma` in readcast.toml (engine hibari) is not
handed to piper when one article says `engine: piper`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import EngineError, ReadcastError
from ..models import VoiceChoice
from . import Engine, VoiceInfo, engine_names, get_engine_class


@dataclass(frozen=True)
class VoiceRequest:
    """What one level (flags, front matter or readcast.toml) asks for; None means "not set here"."""

    engine: str | None = None
    voice: str | None = None
    speed: float | None = None
    language: str | None = None


def choose_voice(
    levels: Sequence[VoiceRequest],
    *,
    base_dir: Path,
    where: str = "",
    default_engine: str = "hibari",
    default_language: str = "en",
) -> tuple[VoiceChoice, type[Engine]]:
    """The VoiceChoice for `levels` (highest precedence first), checked before any synthesis.

    Raises EngineError (prefixed with `where`, usually the article's path) when the engine is
    unknown or not installed, cannot speak the language, or has no such voice.
    """
    prefix = f"{where}: " if where else ""
    engine = next((lvl.engine for lvl in levels if lvl.engine), default_engine)
    voice = None
    for index, level in enumerate(levels):
        in_effect = next((lvl.engine for lvl in levels[index:] if lvl.engine), default_engine)
        if level.voice and in_effect == engine:
            voice = level.voice
            break
    speed = next((lvl.speed for lvl in levels if lvl.speed is not None), 1.0)
    language = next((lvl.language for lvl in levels if lvl.language), default_language)
    try:
        engine_cls = get_engine_class(engine)
    except EngineError as exc:
        raise EngineError(f"{prefix}{exc}") from None
    if not engine_cls.is_available():
        raise EngineError(
            f"{prefix}engine '{engine}' is not available here. {engine_cls.install_hint()}".strip()
        )
    if not engine_cls.speaks(language):
        raise EngineError(
            f"{prefix}engine '{engine}' cannot speak language '{language}'. {engines_for_language(language)}"
        )
    if not 0.5 <= speed <= 2.0:
        raise EngineError(f"{prefix}speed {speed} is out of range: use 0.5 to 2.0 (1.0 is normal).")
    try:
        resolved = engine_cls.resolve_voice(voice, language, base_dir)
    except EngineError as exc:
        raise EngineError(f"{prefix}{exc}") from None
    return VoiceChoice(engine=engine, voice=resolved, speed=speed, language=language), engine_cls


def engines_for_language(language: str) -> str:
    """A sentence naming the engines that can speak `language` (or saying none can)."""
    able, missing = [], []
    for name in engine_names():
        try:
            cls = get_engine_class(name)
        except ReadcastError:
            continue
        if cls.speaks(language):
            label = f"{name} (online)" if cls.needs_network else name
            (able if cls.is_available() else missing).append(label)
    if able:
        text = f"Engines that can: {', '.join(able)}."
        if missing:
            text += f" Not installed here: {', '.join(missing)}."
        return text
    if missing:
        return f"No installed engine speaks it; these could once installed: {', '.join(missing)}."
    return "No engine speaks it; see 'readcast voices'."


@dataclass
class EngineSummary:
    """One engine as `readcast voices` shows it."""

    name: str
    available: bool
    needs_network: bool
    licence: str
    sample_rate: int
    default_voice: str
    languages: list[str]
    install_hint: str = ""
    voices: list[VoiceInfo] = field(default_factory=list)
    error: str = ""
    """Set when the engine could not even be loaded (a broken plugin)."""


def describe_engines(only: str | None = None) -> list[EngineSummary]:
    """Every registered engine (or just `only`), with its voices when it is installed."""
    names = engine_names()
    if only is not None:
        get_engine_class(only)  # EngineError naming the engines if unknown
        names = [only]
    summaries = []
    for name in names:
        try:
            cls = get_engine_class(name)
        except EngineError as exc:
            summaries.append(EngineSummary(name, False, False, "", 0, "", [], error=str(exc)))
            continue
        available = cls.is_available()
        summary = EngineSummary(
            name=name,
            available=available,
            needs_network=cls.needs_network,
            licence=cls.licence,
            sample_rate=cls.sample_rate,
            default_voice=cls.default_voice,
            languages=list(cls.language_list()),
            install_hint="" if available else cls.install_hint(),
        )
        if available:
            try:
                summary.voices = cls.voices()
            except (ReadcastError, OSError) as exc:
                summary.error = f"could not list voices: {exc}"
        summaries.append(summary)
    return summaries
