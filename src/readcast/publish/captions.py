"""Sidecar files from the timeline: WebVTT and SRT captions, JSON chapters, plain-text transcript."""

from __future__ import annotations

import json
import textwrap

from ..models import Chapter, TimedSegment

_VTT_LINE = 60
"""Characters per caption line (Apple and the Podcast Index suggest at most about 65)."""
_SRT_LINE = 32
"""The Podcast Index's SRT guidance: at most two lines of at most 32 characters."""


def _timestamp(seconds: float, sep: str) -> str:
    ms = round(seconds * 1000)
    hours, ms = divmod(ms, 3_600_000)
    minutes, ms = divmod(ms, 60_000)
    secs, ms = divmod(ms, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{sep}{ms:03d}"


def caption_cues(timeline: list[TimedSegment], width: int = _VTT_LINE) -> list[tuple[float, float, str]]:
    """(start, end, text) cues: one per segment, long ones split into two-line cues by length."""
    cues: list[tuple[float, float, str]] = []
    for timed in timeline:
        text = " ".join(timed.segment.written.split())
        if not text:
            continue
        lines = textwrap.wrap(text, width)
        groups = [lines[i : i + 2] for i in range(0, len(lines), 2)]
        total = sum(len(" ".join(g)) for g in groups)
        start = timed.start
        for group in groups:
            share = len(" ".join(group)) / total
            end = start + (timed.end - timed.start) * share
            cues.append((start, end, "\n".join(group)))
            start = end
    return cues


def webvtt(timeline: list[TimedSegment], speaker: str = "") -> str:
    out = ["WEBVTT", ""]
    for n, (start, end, text) in enumerate(caption_cues(timeline), start=1):
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        body = f"<v {speaker}>{text}" if speaker else text
        out += [str(n), f"{_timestamp(start, '.')} --> {_timestamp(end, '.')}", body, ""]
    return "\n".join(out)


def srt(timeline: list[TimedSegment]) -> str:
    out = []
    for n, (start, end, text) in enumerate(caption_cues(timeline, _SRT_LINE), start=1):
        text = text.replace("-->", "->")
        out += [str(n), f"{_timestamp(start, ',')} --> {_timestamp(end, ',')}", text, ""]
    return "\n".join(out)


def chapters_json(chapters: list[Chapter], title: str, podcast_name: str) -> str:
    """JSON Chapters 1.2 (Podcast Index), the same chapters as the ID3 CHAP frames."""
    data = {
        "version": "1.2.0",
        "title": title,
        "podcastName": podcast_name,
        "chapters": [
            {"startTime": round(c.start, 3), "endTime": round(c.end, 3), "title": c.title} for c in chapters
        ],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def plain_transcript(timeline: list[TimedSegment]) -> str:
    """What is said, as written, one segment per line."""
    return "\n".join(t.segment.written for t in timeline if t.segment.written.strip()) + "\n"
