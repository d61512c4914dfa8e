"""Plain text: the first line is the title; short lines become headings or list items."""

from __future__ import annotations

import re
from pathlib import Path

from ..models import Article, ArticleMeta, Block
from .common import plain_title, slug_for

_HEADING_MAX = 90  # characters: a longer unpunctuated line is a list item, not a heading
_ITEM_MAX = 160  # characters: a longer unpunctuated line is a paragraph that lost its full stop


_LIST_MARKER_RE = re.compile(r"^(?:[-*•‣◦▪]|(\d{1,3})[.)])\s+(?=\S)")
_RULE_LINE_RE = re.compile(r"^(?:[-*_=~#•⁂]\s*){3,}$|^⁂$")


def read_text(path: Path, text: str) -> Article:
    """First line is the title; short unpunctuated lines are headings (Title Case) or list items,
    and so is every line that starts with a list marker ("- ", "* ", "• ", "1. ", "2) ")."""
    lines = [line.strip() for line in text.split("\n")]
    lines = [line for line in lines if line]
    title = plain_title(lines[0])
    body = lines[1:]
    blocks: list[Block] = []
    shapes = [_line_shape(line) for line in body]
    for index, (kind, line, number) in enumerate(shapes):
        if kind == "heading":
            blocks.append(Block("heading", line, level=2))
        elif kind == "list_item":
            last = index + 1 == len(body) or shapes[index + 1][0] != "list_item"
            blocks.append(Block("list_item", line, level=1, ordinal=number, last_in_group=last))
        elif kind == "rule":
            blocks.append(Block("rule", ""))
        else:
            blocks.append(Block("paragraph", line))
    meta = ArticleMeta()
    return Article(path, slug_for(path, meta), title, tuple(blocks), meta)


def _line_shape(line: str) -> tuple[str, str, int | None]:
    """(kind, text without its list marker, number of an ordered item) for one line of plain text."""
    if _RULE_LINE_RE.match(line):
        return "rule", "", None
    marker = _LIST_MARKER_RE.match(line)
    if marker:
        number = int(marker.group(1)) if marker.group(1) else None
        return "list_item", line[marker.end() :], number
    return _line_kind(line), line, None


def _line_kind(line: str) -> str:
    """heading, list_item or paragraph, from the shape of one line of plain text."""
    core = line.rstrip("\"”'’)]» ")
    if not core or core[-1] in ".!?:;,…":
        return "paragraph"
    if len(line) <= _HEADING_MAX and _is_title_case(line):
        return "heading"
    return "list_item" if len(line) <= _ITEM_MAX else "paragraph"


_SMALL_WORDS = {
    "a",
    "an",
    "and",
    "as",
    "at",
    "but",
    "by",
    "for",
    "from",
    "in",
    "into",
    "nor",
    "of",
    "on",
    "or",
    "over",
    "the",
    "to",
    "up",
    "with",
    "vs",
    "via",
}


def _is_title_case(line: str) -> bool:
    words = re.findall(r"[^\W\d_][\w’'-]*", line)
    significant = [w for w in words[1:] if w.lower() not in _SMALL_WORDS]
    if not words or not words[0][0].isupper():
        return False
    if not significant:
        return True
    return sum(w[0].isupper() for w in significant) / len(significant) >= 0.75
