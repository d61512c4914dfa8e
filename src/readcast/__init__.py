"""readcast: turn written articles into an accessible podcast.

The library behind the `readcast` command::

    from readcast import BuildOptions, build
    report = build("my-show", BuildOptions(base_url="https://example.com/podcast/"))
    for episode in report.episodes:
        print(episode.slug, episode.status)
"""

from __future__ import annotations

__version__ = "0.1.0"

from .build import BuildOptions, BuildReport, EpisodeResult, build  # noqa: E402
from .engines import AudioChunk, Engine, get_engine_class  # noqa: E402
from .errors import (  # noqa: E402
    AudioError,
    BuildLockedError,
    ConfigError,
    ContentError,
    EngineError,
    ReadcastError,
)
from .project.settings import Settings, load_settings  # noqa: E402
from .read import read_article  # noqa: E402
from .speech.normalize import normalize  # noqa: E402
from .speech.script import build_script  # noqa: E402

__all__ = [
    "__version__",
    "build",
    "BuildOptions",
    "BuildReport",
    "EpisodeResult",
    "load_settings",
    "Settings",
    "read_article",
    "build_script",
    "normalize",
    "Engine",
    "AudioChunk",
    "get_engine_class",
    "ReadcastError",
    "ConfigError",
    "ContentError",
    "EngineError",
    "AudioError",
    "BuildLockedError",
]
