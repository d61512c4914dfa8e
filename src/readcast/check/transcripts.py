"""Each episode's transcripts (P-03, W-): WebVTT and SRT cue timing, the HTML transcript."""

from __future__ import annotations

import re
from pathlib import Path

from .context import Context

VTT_TIME = r"(?:(\d{2,}):)?(\d{2}):(\d{2})\.(\d{3})"
VTT_CUE_RE = re.compile(rf"^{VTT_TIME} --> {VTT_TIME}(?:\s.*)?$")
SRT_CUE_RE = re.compile(r"^(\d{2,}):(\d{2}):(\d{2}),(\d{3}) --> (\d{2,}):(\d{2}):(\d{2}),(\d{3})$")


def check_vtt(ctx: Context, path: Path, duration: float | None) -> None:
    name = ctx.rel(path)
    text = ctx.read_text(path, "P-03")
    if text is None:
        return
    lines = text.splitlines()
    if not lines or not re.match(r"^WEBVTT(\s|$)", lines[0]):
        ctx.error("P-03", name, "does not start with WEBVTT", "build again")
        return
    cues = []
    for line in lines:
        if "-->" in line:
            match = VTT_CUE_RE.match(line)
            if not match:
                ctx.error("P-03", name, f"malformed cue timing {line!r}", "build again")
                return
            g = match.groups()
            cues.append((_seconds(*g[:4]), _seconds(*g[4:])))
    _cue_times(ctx, cues, name, duration)


def check_srt(ctx: Context, path: Path, duration: float | None) -> None:
    name = ctx.rel(path)
    text = ctx.read_text(path, "P-03")
    if text is None:
        return
    blocks = [b for b in re.split(r"\r?\n\r?\n", text.strip()) if b]
    cues = []
    for block in blocks:
        lines = block.splitlines()
        match = SRT_CUE_RE.match(lines[1]) if len(lines) >= 3 and lines[0].isdigit() else None
        if not match:
            ctx.error("P-03", name, f"malformed SRT cue {block[:60]!r}", "build again")
            return
        g = match.groups()
        cues.append((_seconds(*g[:4]), _seconds(*g[4:])))
    _cue_times(ctx, cues, name, duration)


def _cue_times(ctx: Context, cues: list[tuple[float, float]], name: str, duration: float | None) -> None:
    if not cues:
        ctx.error("P-03", name, "no cues", "build again")
        return
    if any(end <= start for start, end in cues):
        ctx.error("P-03", name, "a cue ends before it starts", "build again")
    starts = [start for start, _ in cues]
    if starts != sorted(starts):
        ctx.error("P-03", name, "cue start times go backwards", "build again")
    if duration is not None and cues[-1][1] > duration + 1.5:
        ctx.error(
            "P-03",
            name,
            f"the last cue ends at {cues[-1][1]:.1f} s, after the audio ({duration:.0f} s)",
            "build again",
        )


def check_html_transcript(ctx: Context, path: Path) -> None:
    name = ctx.rel(path)
    doc = ctx.parse_html(path)
    if doc is None:
        return
    if not doc.get("lang"):
        ctx.error("W-06", name, "<html> has no lang attribute", "add lang to the template")
    if not doc.xpath("//p[normalize-space()]"):
        ctx.error("W-01", name, "the transcript has no text", "build again")


def _seconds(hours: str | None, minutes: str, seconds: str, millis: str) -> float:
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + int(millis) / 1000
