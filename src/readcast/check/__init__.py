"""`readcast check`: validate a built output/ offline before publishing it.

The rules are those of the W3C Feed Validation Service and Apple's podcast requirements, plus the
Podcasting 2.0 tag rules, the MP3/ID3 rules and the loudness targets of readcast's checklist; each
problem carries its rule ID (F-, P-, M-, A-, W-) and the fix. One module per rule family: feed
(the document and channel), items (episodes), audio (MP3, ID3, loudness), artwork, transcripts,
chapters and pages; context holds what they share.
"""

from __future__ import annotations

from pathlib import Path

from ..project.settings import CONFIG_NAME, load_settings, resolve_output
from .context import CheckReport, Context, Problem
from .feed import check_feed

__all__ = ["CheckReport", "Problem", "check"]


def check(folder: Path | str, *, loudness: float | None = None, measure_audio: bool = True) -> CheckReport:
    """Check the built output of project (or output folder) `folder`; problems are returned."""
    folder = Path(folder)
    output = resolve_output(folder, "check")
    if loudness is None:
        loudness = load_settings(folder).audio.loudness if (folder / CONFIG_NAME).is_file() else -16.0
    ctx = Context(output, loudness, measure_audio)
    check_feed(ctx)
    return ctx.report
