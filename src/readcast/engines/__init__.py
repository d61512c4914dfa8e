"""Engine registry: built-in engines plus third-party ones from the "readcast.engines.v1" entry points."""

from __future__ import annotations

import importlib
import os
import sys
from importlib.metadata import entry_points

from ..errors import EngineError
from .base import AudioChunk, Engine, VoiceInfo

__all__ = ["AudioChunk", "Engine", "VoiceInfo", "engine_names", "get_engine_class"]

# Imported lazily so that a missing optional dependency only matters when its engine is used.
_BUILTIN = {
    "hibari": "readcast.engines.hibari:HibariEngine",
    "piper": "readcast.engines.piper:PiperEngine",
    "espeak": "readcast.engines.espeak:EspeakEngine",
    "gtts": "readcast.engines.gtts:GttsEngine",
}
_TEST_ONLY = {"tone": "readcast.engines.tone:ToneEngine"}
"""Engines that work by name but are not offered to users (not in engine_names or `voices`)."""


def _third_party() -> dict[str, str]:
    if "pytest" in sys.modules and not os.environ.get("READCAST_LOAD_PLUGINS"):
        return {}  # keep test runs independent of whatever else is installed
    found = {}
    for ep in entry_points(group="readcast.engines.v1"):
        if ep.name not in _BUILTIN and ep.name not in _TEST_ONLY:
            found[ep.name] = ep.value
    return found


def engine_names() -> list[str]:
    return [*_BUILTIN, *sorted(_third_party())]


def get_engine_class(name: str) -> type[Engine]:
    """The Engine subclass registered as `name`; EngineError naming the alternatives if unknown."""
    target = _BUILTIN.get(name) or _TEST_ONLY.get(name) or _third_party().get(name)
    if target is None:
        raise EngineError(f"Unknown engine '{name}'. Available: {', '.join(engine_names())}")
    module_name, _, attr = target.partition(":")
    try:
        return getattr(importlib.import_module(module_name), attr)
    except ImportError as exc:
        raise EngineError(f"Engine '{name}' could not be loaded ({exc}).") from None
