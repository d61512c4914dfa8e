"""Stage 1, read: content/*.txt|md|html -> Article (title, metadata and blocks in reading order).

One module per format; this package picks the reader by file extension."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..errors import ContentError
from ..models import Article
from .common import COMMENT_RE, plain_title, slugify
from .html import read_html
from .markdown import read_markdown
from .text import read_text

__all__ = ["READERS", "find_articles", "plain_title", "read_article", "slugify"]


def read_article(path: Path) -> Article:
    """Read one article; ContentError (naming the file and the fix) if it cannot be used."""
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise ContentError(f"{path}: unsupported file type; use .txt, .md or .html")
    text = _decode(path)
    article = reader(path, text)
    if not any(COMMENT_RE.sub("", block.text).strip() for block in article.blocks if block.kind != "rule"):
        raise ContentError(
            f"{path}: nothing to read aloud (no paragraphs, headings or lists). "
            "Add some text, or mark it draft: true."
        )
    return article


def find_articles(content_dir: Path) -> list[Path]:
    """Article files in content/, sorted by name; hidden files are ignored."""
    if not content_dir.is_dir():
        return []
    return sorted(
        p
        for p in content_dir.iterdir()
        if p.is_file() and p.suffix.lower() in READERS and not p.name.startswith(".")
    )


def _decode(path: Path) -> str:
    data = path.read_bytes()
    if not data.strip():
        raise ContentError(f"{path}: the file is empty. Write the article, or delete the file.")
    if b"\x00" in data[:8192]:
        raise ContentError(
            f"{path}: this is a binary file, not text. Save the article as UTF-8 .txt, .md or .html."
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ContentError(
            f"{path}: not valid UTF-8 (byte {exc.start}, line {line}). Re-save the file as UTF-8."
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


READERS: dict[str, Callable[[Path, str], Article]] = {
    ".txt": read_text,
    ".md": read_markdown,
    ".markdown": read_markdown,
    ".html": read_html,
    ".htm": read_html,
}
