"""One exception hierarchy; the CLI turns these into messages and exit codes, never tracebacks."""

from __future__ import annotations


class ReadcastError(Exception):
    """Base class for every error readcast reports to the user."""


class ConfigError(ReadcastError):
    """readcast.toml, front matter or a command-line option is invalid."""


class ContentError(ReadcastError):
    """An article cannot be read or has nothing to say."""


class EngineError(ReadcastError):
    """A speech engine is unknown, unavailable or failed."""


class AudioError(ReadcastError):
    """ffmpeg failed while measuring or encoding audio."""


class BuildLockedError(ReadcastError):
    """Another readcast build holds the project lock."""
