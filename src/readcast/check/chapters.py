"""Each episode's Podcasting 2.0 chapters file (P-04)."""

from __future__ import annotations

import json
from pathlib import Path

from .context import Context


def check_chapters_json(ctx: Context, path: Path, duration: float | None) -> None:
    name = ctx.rel(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        ctx.error("P-04", name, f"not valid JSON ({exc})", "build again")
        return
    if not isinstance(data, dict) or not isinstance(data.get("version"), str):
        ctx.error("P-04", name, '"version" must be a string such as "1.2.0"', "build again")
        return
    chapters = data.get("chapters")
    if not isinstance(chapters, list) or not chapters:
        ctx.error("P-04", name, '"chapters" must be a non-empty list', "build again")
        return
    starts = []
    for n, chapter in enumerate(chapters, start=1):
        start = chapter.get("startTime") if isinstance(chapter, dict) else None
        if not isinstance(start, (int, float)) or isinstance(start, bool):
            ctx.error("P-04", name, f"chapter {n} has no numeric startTime", "build again")
            return
        starts.append(float(start))
        end = chapter.get("endTime")
        if end is not None and (not isinstance(end, (int, float)) or end <= start):
            ctx.error("P-04", name, f"chapter {n} ends before it starts", "build again")
        if "toc" in chapter and not isinstance(chapter["toc"], bool):
            ctx.error("P-04", name, f"chapter {n}: toc must be true or false", "build again")
    if starts != sorted(starts) or starts[0] != 0:
        ctx.error("P-04", name, "startTime values must ascend from 0", "build again")
    if duration is not None and starts[-1] >= duration + 1:
        ctx.error(
            "P-04",
            name,
            f"the last chapter starts at {starts[-1]:.1f} s, after the end of the audio ({duration:.0f} s)",
            "build again",
        )
