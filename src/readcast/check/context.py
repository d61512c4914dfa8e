"""What every rule family shares: the findings (Problem, CheckReport) and the output being checked."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from ..publish.feed import ATOM_NS, ITUNES_NS, PODCAST_NS

NS = {"itunes": ITUNES_NS, "podcast": PODCAST_NS, "atom": ATOM_NS}
"""Prefixes for ElementTree paths such as "itunes:image"."""
ASCII_URL_RE = re.compile(r"^[A-Za-z0-9:/?#\[\]@!$&'()*+,;=._~%-]+$")

Element = Any
"""An lxml element (lxml ships no type information)."""


@dataclass(frozen=True)
class Problem:
    level: str
    """error (apps or the validators reject it) or warning (recommended)."""
    rule: str
    where: str
    message: str
    fix: str


@dataclass
class CheckReport:
    output: Path
    problems: list[Problem] = field(default_factory=list)
    episodes: int = 0
    audio: dict[str, dict[str, float]] = field(default_factory=dict)
    """Per MP3 (path relative to output/): duration, loudness (LUFS, dual-mono) and true_peak."""

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "warning"]

    def to_json(self) -> dict[str, Any]:
        return {
            "output": str(self.output),
            "episodes": self.episodes,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "problems": [asdict(p) for p in self.problems],
            "audio": self.audio,
        }


class Context:
    """One run of `readcast check`: the output folder, the targets, and the report being filled."""

    def __init__(self, output: Path, loudness: float, measure_audio: bool) -> None:
        self.out = output
        self.loudness = loudness
        self.measure_audio = measure_audio
        self.report = CheckReport(output)
        self.base: str | None = None
        """The feed's base URL (its self link without feed.xml), once the channel is checked."""

    def error(self, rule: str, where: str, message: str, fix: str) -> None:
        self.report.problems.append(Problem("error", rule, where, message, fix))

    def warning(self, rule: str, where: str, message: str, fix: str) -> None:
        self.report.problems.append(Problem("warning", rule, where, message, fix))

    def local(self, url: str | None, where: str, report: bool = True) -> Path | None:
        """The file in output/ that `url` serves, or None (reported when it is missing)."""
        if not url or not self.base or not url.startswith(self.base):
            if report and url:
                self.warning(
                    "F-03",
                    where,
                    f"{url} is outside the feed's base URL {self.base}; not checked",
                    "keep every file in output/",
                )
            return None
        relative = unquote(urlsplit(url).path)[len(unquote(urlsplit(self.base).path)) :]
        path = (self.out / relative).resolve()
        if self.out not in path.parents or not path.is_file():
            if report:
                self.error(
                    "F-03",
                    where,
                    f"{url} names {relative}, which is not in output/",
                    "build again (readcast build) and publish all of output/",
                )
            return None
        return path

    def url(self, url: str, where: str, rule: str) -> None:
        if not ASCII_URL_RE.match(url):
            self.error(
                rule,
                where,
                f"URL {url!r} is not plain ASCII",
                "rename the article with an ASCII slug: in its front matter",
            )

    def required_text(self, value: str | None, rule: str, where: str, tag: str, fix: str) -> None:
        if not value:
            self.error(rule, where, f"<{tag}> is missing or empty", fix)

    def rel(self, path: Path) -> str:
        return str(path.relative_to(self.out))

    def read_text(self, path: Path, rule: str) -> str | None:
        """The UTF-8 text of a file in output/, or None (reported) when it is not UTF-8."""
        try:
            return path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            where = self.rel(path)
            self.error(rule, where, f"not UTF-8 text ({exc.reason} at byte {exc.start})", "build again")
            return None

    def parse_html(self, path: Path) -> Element | None:
        """The parsed HTML of a file in output/, or None (reported) when it is empty or not HTML."""
        from lxml import etree, html

        try:
            return html.fromstring(path.read_bytes())
        except (etree.ParserError, ValueError) as exc:
            self.error("W-01", self.rel(path), f"not an HTML page ({exc})", "build again")
            return None


def child_text(element: Element, path: str) -> str | None:
    """The stripped text of `element`'s child at `path` ("" when empty, None when absent)."""
    found = element.find(path, NS)
    return None if found is None or found.text is None else str(found.text).strip() or ""
