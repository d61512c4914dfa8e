"""Front matter: the keys an article may set, checked and typed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from ..errors import ContentError
from ..models import ArticleMeta
from ..project.settings import validate_pronunciations
from .common import plain_title

_FRONT_MATTER_TYPES: dict[str, tuple[type, ...]] = {
    "title": (str,),
    "author": (str,),
    "date": (str, dt.date, dt.datetime),
    "description": (str,),
    "slug": (str,),
    "guid": (str,),
    "voice": (str,),
    "engine": (str,),
    "speed": (int, float),
    "language": (str,),
    "draft": (bool,),
    "pronunciations": (dict,),
}


def parse_front_matter(path: Path, data: dict[str, Any]) -> ArticleMeta:
    problems = []
    values: dict[str, Any] = {}
    for key, value in data.items():
        types = _FRONT_MATTER_TYPES.get(key)
        if types is None or value is None:
            continue  # other keys belong to other tools (static site generators share front matter)
        if not isinstance(value, types) or (isinstance(value, bool) and key != "draft"):
            expected = {
                "speed": "a number",
                "draft": "true or false",
                "pronunciations": "a mapping",
                "date": "a date such as 2024-05-01",
            }.get(key, "text")
            problems.append(f"'{key}' must be {expected}, not {value!r}")
            continue
        values[key] = value
    if "date" in values:
        try:
            values["date"] = parse_date(values["date"])
        except ValueError:
            problems.append(f"'date' {values['date']!r} is not a date such as 2024-05-01")
    if "pronunciations" in values:
        problems += validate_pronunciations(values["pronunciations"], "'pronunciations'")
    if "speed" in values:
        values["speed"] = float(values["speed"])
        if not 0.5 <= values["speed"] <= 2.0:
            problems.append(f"'speed' must be between 0.5 and 2.0, not {values['speed']}")
    if "title" in values:
        values["title"] = plain_title(values["title"])
    if problems:
        raise ContentError(f"{path}: front matter " + "; ".join(problems))
    return ArticleMeta(**values)


def parse_date(value: str | dt.date | dt.datetime) -> dt.datetime:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day, 12, 0)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value
