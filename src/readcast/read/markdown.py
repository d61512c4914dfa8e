"""Markdown: front matter plus CommonMark (headings, paragraphs, lists, quotes, tables, images, code)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import ContentError
from ..models import Article, Block
from .common import COMMENT_RE, informative_alt, plain_title, slug_for
from .frontmatter import parse_front_matter

_IMG_ALT_RE = re.compile(r"<img\b[^>]*?\balt\s*=\s*(?:\"([^\"]*)\"|'([^']*)')", re.I)
INLINE_CODE_MAX = 40
"""Inline code up to this many characters is read; longer code is announced as a code snippet."""


def read_markdown(path: Path, text: str) -> Article:
    """YAML front matter plus CommonMark: headings, paragraphs, lists, quotes, tables, images, code."""
    import frontmatter
    import yaml

    try:
        post = frontmatter.loads(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise ContentError(
            f"{path}: the front matter is not valid YAML{where}. Check the block "
            "between the '---' lines (quote values that contain ':')."
        ) from None
    except ValueError as exc:  # front matter that is not a mapping
        raise ContentError(f"{path}: the front matter must be 'key: value' lines ({exc}).") from None
    meta = parse_front_matter(path, dict(post.metadata))
    blocks = markdown_blocks(post.content)
    title = meta.title
    if title is None and blocks and blocks[0].kind == "heading" and blocks[0].level == 1:
        title, blocks = blocks[0].text, blocks[1:]
    if not post.content.strip():
        raise ContentError(
            f"{path}: there is front matter but no article text after it. Write "
            "the article below the closing '---'."
        )
    title = plain_title(title) if title else path.stem.replace("-", " ").replace("_", " ").strip()
    return Article(path, slug_for(path, meta), title, tuple(blocks), meta)


def markdown_blocks(source: str) -> list[Block]:
    """The blocks of a Markdown body; footnotes ([^1]: ...) come last, under a "Footnotes" heading."""
    from markdown_it import MarkdownIt

    source, notes = _extract_footnotes(source)
    md = MarkdownIt("commonmark").enable("table")
    blocks = list(_walk_markdown(md.parse(source)))
    if notes:
        blocks.append(Block("heading", "Footnotes", level=2))
        for n, note in enumerate(notes, start=1):
            text = " ".join(b.text for b in _walk_markdown(md.parse(note)) if b.kind != "image")
            if text:
                blocks.append(Block("footnote", text, ordinal=n, last_in_group=n == len(notes)))
    return blocks


_FOOTNOTE_DEF_RE = re.compile(r"^ {0,3}\[\^([^\]\s]+)\]:[ \t]*(.*)$")
_FOOTNOTE_REF_RE = re.compile(r"\[\^[^\]\s]+\]")
_FENCE_RE = re.compile(r"^ {0,3}(```|~~~)")


def _extract_footnotes(source: str) -> tuple[str, list[str]]:
    """The source without its footnote definitions, and the definitions' texts in order."""
    kept: list[str] = []
    notes: list[str] = []
    in_fence = in_note = False
    for line in source.split("\n"):
        if _FENCE_RE.match(line):
            in_fence = not in_fence
        definition = None if in_fence else _FOOTNOTE_DEF_RE.match(line)
        if definition:
            notes.append(definition.group(2))
            in_note = True
        elif in_note and (line.startswith(("    ", "\t", "  ")) and line.strip()):
            notes[-1] += " " + line.strip()
        else:
            in_note = False
            kept.append(line)
    return "\n".join(kept), notes


def _walk_markdown(tokens: list[Any]) -> Iterator[Block]:
    list_stack: list[dict[str, Any]] = []
    in_quote = 0
    table_header: list[str] = []
    row: list[str] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        t = tok.type
        if t == "heading_open":
            yield Block("heading", _inline_text(tokens[i + 1]), level=int(tok.tag[1]))
            i += 3
            continue
        if t in ("bullet_list_open", "ordered_list_open"):
            start = int(tok.attrGet("start") or 1) if t == "ordered_list_open" else None
            list_stack.append({"ordered": start is not None, "n": (start or 1) - 1, "items": []})
        elif t in ("bullet_list_close", "ordered_list_close"):
            list_stack.pop()
        elif t == "list_item_open":
            list_stack[-1]["n"] += 1
            list_stack[-1]["first_par"] = True
        elif t == "blockquote_open":
            in_quote += 1
        elif t == "blockquote_close":
            in_quote -= 1
        elif t == "paragraph_open":
            inline = tokens[i + 1]
            yield from _images(inline)
            text = _inline_text(inline)
            if text:
                if list_stack and list_stack[-1].get("first_par"):
                    current = list_stack[-1]
                    current["first_par"] = False
                    yield Block(
                        "list_item",
                        text,
                        level=len(list_stack),
                        ordinal=current["n"] if current["ordered"] else None,
                        last_in_group=_is_last_item(tokens, i),
                    )
                elif in_quote:
                    yield Block("quote", text)
                else:
                    yield Block("paragraph", text)
            i += 3
            continue
        elif t in ("fence", "code_block"):
            yield Block("code", tok.content, level=0)
        elif t == "hr":
            yield Block("rule", "")
        elif t == "thead_open":
            table_header = []
        elif t == "tr_open":
            row = []
        elif t in ("th_open", "td_open"):
            cell = _inline_text(tokens[i + 1])
            if t == "th_open":
                table_header.append(cell)
            else:
                row.append(cell)
        elif t == "tr_close" and row:
            pairs = [
                f"{h}: {c}" if h else c
                for h, c in zip(table_header + [""] * len(row), row, strict=False)
                if c
            ]
            last = tokens[i + 1].type == "tbody_close"
            yield Block("table_row", "; ".join(pairs), last_in_group=last)
        elif t == "html_block":
            yield from _markdown_html_block(tok.content)
        i += 1


def _is_last_item(tokens: list[Any], index: int) -> bool:
    """True if the list item holding the paragraph at `index` is its list's last item."""
    depth = 0
    for position in range(index, len(tokens)):
        kind = tokens[position].type
        if kind == "list_item_open":
            depth += 1
        elif kind == "list_item_close":
            if depth == 0:  # the end of our own item: last unless a sibling follows
                following = tokens[position + 1].type if position + 1 < len(tokens) else ""
                return following != "list_item_open"
            depth -= 1
    return True


def _markdown_html_block(content: str) -> Iterator[Block]:
    """Raw HTML in Markdown: its images and text; comments are kept, for the inline controls."""
    for match in _IMG_ALT_RE.finditer(content):
        alt = informative_alt(match.group(1) if match.group(1) is not None else match.group(2))
        if alt:
            yield Block("image", alt)
    comments = {f"\ue002{n}\ue003": c for n, c in enumerate(COMMENT_RE.findall(content))}
    for key, comment in comments.items():
        content = content.replace(comment, key, 1)
    text = plain_title(content)
    for key, comment in comments.items():
        text = text.replace(key, comment)
    if text:
        yield Block("paragraph", text)


def _images(inline: Any) -> Iterator[Block]:
    for child in inline.children or []:
        if child.type == "image":
            alt = informative_alt("".join(c.content for c in child.children or []))
            if alt:
                yield Block("image", alt)


def _inline_text(inline: Any) -> str:
    """The words of an inline run: link text without URLs, short inline code, control comments."""
    parts: list[str] = []
    for child in inline.children or []:
        if child.type == "text":
            parts.append(_FOOTNOTE_REF_RE.sub("", child.content))
        elif child.type == "code_inline":
            code = child.content
            if len(code) <= INLINE_CODE_MAX or "-->" in code:
                parts.append(code)
            else:  # written in full, said as a notice (see script.py: the say control)
                parts.append(f'<!-- say "a code snippet" -->{code}<!-- /say -->')
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "html_inline" and child.content.startswith("<!--"):
            parts.append(child.content)
    return re.sub(r"\s+", " ", "".join(parts)).strip()
