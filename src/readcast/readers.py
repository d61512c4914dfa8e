"""Stage 1: content/*.txt|md|html -> Article (title, metadata and blocks in reading order)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from .errors import ContentError
from .models import Article, ArticleMeta, Block
from .settings import validate_pronunciations

SLUG_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_TAG_RE = re.compile(r"<[^>]+>")
_MD_EMPHASIS_RE = re.compile(r"(\*\*|__|\*|_|`)(.+?)\1")
_HEADING_MAX = 90  # characters: a longer unpunctuated line is a list item, not a heading
_ITEM_MAX = 160  # characters: a longer unpunctuated line is a paragraph that lost its full stop


def read_article(path: Path) -> Article:
    """Read one article; ContentError (naming the file and the fix) if it cannot be used."""
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise ContentError(f"{path}: unsupported file type; use .txt, .md or .html")
    text = _decode(path)
    article = reader(path, text)
    if not any(_COMMENT_RE.sub("", block.text).strip() for block in article.blocks
               if block.kind != "rule"):
        raise ContentError(f"{path}: nothing to read aloud (no paragraphs, headings or lists). "
                           "Add some text, or mark it draft: true.")
    return article


def find_articles(content_dir: Path) -> list[Path]:
    """Article files in content/, sorted by name; hidden files are ignored."""
    if not content_dir.is_dir():
        return []
    return sorted(p for p in content_dir.iterdir()
                  if p.is_file() and p.suffix.lower() in READERS and not p.name.startswith("."))


def slugify(text: str) -> str:
    """ASCII, lowercase, hyphen-separated; empty if nothing survives."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "-".join(re.findall(r"[a-z0-9]+", ascii_text.lower()))[:80].strip("-")


def plain_title(text: str) -> str:
    """A title without HTML tags or Markdown emphasis, whitespace collapsed."""
    text = _TAG_RE.sub("", text)
    text = _MD_EMPHASIS_RE.sub(r"\2", text)
    return re.sub(r"\s+", " ", text).strip()


def _decode(path: Path) -> str:
    data = path.read_bytes()
    if not data.strip():
        raise ContentError(f"{path}: the file is empty. Write the article, or delete the file.")
    if b"\x00" in data[:8192]:
        raise ContentError(f"{path}: this is a binary file, not text. Save the article as UTF-8 "
                           ".txt, .md or .html.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ContentError(f"{path}: not valid UTF-8 (byte {exc.start}, line {line}). Re-save the "
                           "file as UTF-8.") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _slug_for(path: Path, meta: ArticleMeta) -> str:
    if meta.slug is not None:
        if not SLUG_RE.fullmatch(meta.slug):
            suggestion = slugify(meta.slug) or slugify(path.stem) or "my-article"
            raise ContentError(f"{path}: slug {meta.slug!r} may only contain a-z, 0-9 and single "
                               f"hyphens; use slug: {suggestion}")
        return meta.slug
    slug = slugify(path.stem)
    if not slug:
        raise ContentError(f"{path}: the file name gives no usable slug (it needs ASCII letters or "
                           "digits). Rename the file or set slug: in the front matter.")
    return slug


# -- plain text ------------------------------------------------------------------------------

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
    return Article(path, _slug_for(path, meta), title, tuple(blocks), meta)


def _line_shape(line: str) -> tuple[str, str, int | None]:
    """(kind, text without its list marker, number of an ordered item) for one line of plain text."""
    if _RULE_LINE_RE.match(line):
        return "rule", "", None
    marker = _LIST_MARKER_RE.match(line)
    if marker:
        number = int(marker.group(1)) if marker.group(1) else None
        return "list_item", line[marker.end():], number
    return _line_kind(line), line, None


def _line_kind(line: str) -> str:
    """heading, list_item or paragraph, from the shape of one line of plain text."""
    core = line.rstrip("\"”'’)]» ")
    if not core or core[-1] in ".!?:;,…":
        return "paragraph"
    if len(line) <= _HEADING_MAX and _is_title_case(line):
        return "heading"
    return "list_item" if len(line) <= _ITEM_MAX else "paragraph"


_SMALL_WORDS = {"a", "an", "and", "as", "at", "but", "by", "for", "from", "in", "into", "nor", "of",
                "on", "or", "over", "the", "to", "up", "with", "vs", "via"}


def _is_title_case(line: str) -> bool:
    words = re.findall(r"[^\W\d_][\w’'-]*", line)
    significant = [w for w in words[1:] if w.lower() not in _SMALL_WORDS]
    if not words or not words[0][0].isupper():
        return False
    if not significant:
        return True
    return sum(w[0].isupper() for w in significant) / len(significant) >= 0.75


# -- Markdown -------------------------------------------------------------------------------

_FRONT_MATTER_TYPES: dict[str, tuple[type, ...]] = {
    "title": (str,), "author": (str,), "date": (str, dt.date, dt.datetime), "description": (str,),
    "slug": (str,), "guid": (str,), "voice": (str,), "engine": (str,), "speed": (int, float),
    "language": (str,), "draft": (bool,), "pronunciations": (dict,),
}


def read_markdown(path: Path, text: str) -> Article:
    """YAML front matter plus CommonMark: headings, paragraphs, lists, quotes, tables, images, code."""
    import frontmatter
    import yaml

    try:
        post = frontmatter.loads(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise ContentError(f"{path}: the front matter is not valid YAML{where}. Check the block "
                           "between the '---' lines (quote values that contain ':').") from None
    except ValueError as exc:  # front matter that is not a mapping
        raise ContentError(f"{path}: the front matter must be 'key: value' lines ({exc}).") from None
    meta = parse_front_matter(path, dict(post.metadata))
    blocks = markdown_blocks(post.content)
    title = meta.title
    if title is None and blocks and blocks[0].kind == "heading" and blocks[0].level == 1:
        title, blocks = blocks[0].text, blocks[1:]
    if not post.content.strip():
        raise ContentError(f"{path}: there is front matter but no article text after it. Write "
                           "the article below the closing '---'.")
    title = plain_title(title) if title else path.stem.replace("-", " ").replace("_", " ").strip()
    return Article(path, _slug_for(path, meta), title, tuple(blocks), meta)


def parse_front_matter(path: Path, data: dict[str, Any]) -> ArticleMeta:
    problems = []
    values: dict[str, Any] = {}
    for key, value in data.items():
        types = _FRONT_MATTER_TYPES.get(key)
        if types is None or value is None:
            continue  # other keys belong to other tools (static site generators share front matter)
        if not isinstance(value, types) or (isinstance(value, bool) and key != "draft"):
            expected = {"speed": "a number", "draft": "true or false", "pronunciations": "a mapping",
                        "date": "a date such as 2024-05-01"}.get(key, "text")
            problems.append(f"'{key}' must be {expected}, not {value!r}")
            continue
        values[key] = value
    if "date" in values:
        try:
            values["date"] = _parse_date(values["date"])
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


def _parse_date(value: str | dt.date | dt.datetime) -> dt.datetime:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day, 12, 0)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value


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
                    yield Block("list_item", text, level=len(list_stack),
                                ordinal=current["n"] if current["ordered"] else None,
                                last_in_group=_is_last_item(tokens, i))
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
            pairs = [f"{h}: {c}" if h else c
                     for h, c in zip(table_header + [""] * len(row), row, strict=False) if c]
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


_COMMENT_RE = re.compile(r"<!--.*?-->", re.S)
_IMG_ALT_RE = re.compile(r"<img\b[^>]*?\balt\s*=\s*(?:\"([^\"]*)\"|'([^']*)')", re.I)
_GENERIC_ALT = {"image", "img", "photo", "picture", "pic", "icon", "logo", "spacer", "divider",
                "decorative", "decoration", "banner", "graphic", "illustration", "figure", "thumbnail"}
_FILE_NAME_ALT_RE = re.compile(r"^[\w.-]+\.(?:png|jpe?g|gif|svg|webp|avif|bmp|tiff?)$", re.I)
INLINE_CODE_MAX = 40
"""Inline code up to this many characters is read; longer code is announced as a code snippet."""


def informative_alt(alt: str | None) -> str:
    """The alt text when it describes the image; "" for a decorative or meaningless one."""
    alt = re.sub(r"\s+", " ", alt or "").strip()
    if not alt or alt.lower().strip(".") in _GENERIC_ALT or _FILE_NAME_ALT_RE.match(alt):
        return ""
    return alt if re.search(r"\w", alt) else ""


def _markdown_html_block(content: str) -> Iterator[Block]:
    """Raw HTML in Markdown: its images and text; comments are kept, for the inline controls."""
    for match in _IMG_ALT_RE.finditer(content):
        alt = informative_alt(match.group(1) if match.group(1) is not None else match.group(2))
        if alt:
            yield Block("image", alt)
    comments = {f"\uE002{n}\uE003": c for n, c in enumerate(_COMMENT_RE.findall(content))}
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


# -- HTML ---------------------------------------------------------------------------------------

def read_html(path: Path, text: str) -> Article:
    """The main article only (via trafilatura): navigation, ads, asides, share buttons, footers and
    scripts are dropped; bylines and dates go to the metadata, not into the speech."""
    import trafilatura
    from lxml import etree

    xml = trafilatura.extract(_without_page_chrome(text), output_format="xml", include_tables=True,
                              include_images=True, include_formatting=False, include_links=False,
                              include_comments=False, with_metadata=True, favor_recall=True)
    if not xml:
        raise ContentError(f"{path}: nothing to read aloud: no article text found in this HTML page. "
                           "Put the article in <main> or <article>, or save it as Markdown.")
    doc = etree.fromstring(xml.encode("utf-8"))
    blocks = list(_walk_html(doc.find("main")))
    title = plain_title(doc.get("title") or "")
    if blocks and blocks[0].kind == "heading" and (not title or blocks[0].level == 1):
        title, blocks = title or blocks[0].text, blocks[1:]
    author = doc.get("author") or None
    body: list[Block] = []
    for block in blocks:
        byline = _byline_author(block) if block.kind == "paragraph" else None
        if byline is not None:
            author = author or byline or None
        elif not (block.kind == "paragraph" and (block.text == title or _CHROME_LINE_RE.match(block.text))):
            body.append(block)
    meta_values: dict[str, Any] = {"title": title or None, "author": author}
    if doc.get("date"):
        try:
            meta_values["date"] = _parse_date(doc.get("date"))
        except ValueError:
            pass
    if doc.get("description"):
        meta_values["description"] = doc.get("description")
    meta = ArticleMeta(**meta_values)
    title = title or path.stem.replace("-", " ")
    return Article(path, _slug_for(path, meta), title, tuple(body), meta)


# Parts of a page that are never the article, by tag, ARIA role, or class/id word.
_CHROME_TAGS = ("script", "style", "noscript", "template", "nav", "form", "button", "iframe",
                "aside", "dialog", "select", "input", "textarea")
_CHROME_ROLES = {"navigation", "banner", "contentinfo", "complementary", "search", "dialog",
                 "doc-backlink", "doc-noteref"}
_CHROME_CLASS_RE = re.compile(
    r"(?:^|[\s_-])(?:ads?|advert|advertisement|adslot|promo|promotion|sponsor|sponsored|newsletter|"
    r"subscribe|subscription|signup|share|sharing|social|related|recommended|recirc|cookie|"
    r"consent|popup|modal|breadcrumbs?|pagination|sidebar|byline|dateline|author-info|skip-link|"
    r"visually-hidden|sr-only)(?:$|[\s_-])", re.I)
_BYLINE_RE = re.compile(r"^(?i:by|written by|posted by|words by|story by|reporting by)\s+"
                        r"([A-Z][\w.'’-]*(?:\s+(?:[A-Z][\w.'’-]*|and|&|de|van|von|da|del))*)"
                        r"(?:\s*(?:[|·•,–—-]|on)\s*(.*))?$")
_MONTH_NAMES = ("jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
                "sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?")
_DATE_LINE_RE = re.compile(
    rf"^(?:(?:published|updated|posted|last updated|modified|first published)(?: on)?:?\s*)?"
    rf"(?:[a-z]+day,?\s+)?(?:(?:{_MONTH_NAMES})\.? \d{{1,2}}(?:st|nd|rd|th)?,? \d{{4}}|"
    rf"\d{{1,2}}(?:st|nd|rd|th)? (?:{_MONTH_NAMES})\.?,? \d{{4}}|\d{{4}}-\d{{2}}-\d{{2}}|"
    rf"\d{{1,2}}/\d{{1,2}}/\d{{2,4}})(?:,?\s*(?:at\s*)?\d{{1,2}}[:.]\d{{2}}\s*(?:[ap]\.?m\.?)?"
    rf"(?:\s*[A-Z]{{2,4}})?)?\.?(?:\s*[|·•]\s*\d+\s*min(?:ute)?s?\s+read)?$", re.I)
_CHROME_LINE_RE = re.compile(
    r"^(?:advertisement|sponsored(?: content)?|ad|share(?: this)?(?: article| story| post)?|"
    r"read more|continue reading|related(?: articles| stories| posts)?|subscribe(?: now| today)?|"
    r"sign up for our newsletter.*|skip to (?:main )?content|\d+\s*min(?:ute)?s?\s+read|"
    r"photo: .{1,60}|image: .{1,60}|credit: .{1,60})\.?!?$", re.I)
_FOOTNOTE_BACKLINK_TEXT = {"↩", "↩︎", "↑", "^", "back", "return to text"}


def _byline_author(block: Block) -> str | None:
    """The author's name if the paragraph is a byline ("" for a date line); None otherwise."""
    text = block.text.strip()
    if len(text.split()) > 14:
        return None
    match = _BYLINE_RE.match(text)
    if match and (not match.group(2) or _DATE_LINE_RE.match(match.group(2).strip())
                  or len(match.group(2).split()) <= 4):
        return match.group(1).strip()
    return "" if _DATE_LINE_RE.match(text) else None


def _without_page_chrome(page: str) -> str:
    """The page with its chrome removed before extraction, and a few article parts made explicit
    for it: figure captions as paragraphs, footnote markers dropped, decorative images dropped."""
    import lxml.html
    from lxml import etree

    try:
        root = lxml.html.document_fromstring(page)
    except (etree.ParserError, ValueError):
        return page
    for el in list(root.iter(etree.Element)):
        if el.getparent() is None or not isinstance(el.tag, str):
            continue
        tag = el.tag.lower()
        inside_article = any(a.tag in ("article", "main") for a in el.iterancestors())
        classes = f"{el.get('class') or ''} {el.get('id') or ''}".strip()
        chrome = (tag in _CHROME_TAGS
                  or (tag in ("header", "footer") and not inside_article)
                  or (el.get("role") or "").lower() in _CHROME_ROLES
                  or el.get("hidden") is not None or el.get("aria-hidden") == "true"
                  or (tag not in ("html", "body", "main", "article") and _CHROME_CLASS_RE.search(classes)))
        if tag == "sup" and any((a.get("href") or "").startswith("#") for a in el.iter("a")):
            chrome = True  # a footnote marker: the footnote itself is read where it is
        if tag == "a" and (el.text_content().strip() in _FOOTNOTE_BACKLINK_TEXT):
            chrome = True
        if tag == "img" and not informative_alt(el.get("alt")):
            chrome = True
        if chrome:
            el.drop_tree()
        elif tag == "figcaption":
            el.tag = "p"
        elif tag == "hr":
            el.tag, el.text = "p", _RULE_MARK
    return lxml.html.tostring(root, encoding="unicode")


_RULE_MARK = "⁂"


def _walk_html(main: Any) -> Iterator[Block]:
    if main is None:
        return
    for el in main:
        yield from _html_block(el, depth=0)


def _html_block(el: Any, depth: int) -> Iterator[Block]:
    tag = el.tag
    text = _el_text(el)
    if tag == "head":
        level = int((el.get("rend") or "h2")[1:] or 2) if (el.get("rend") or "").startswith("h") else 2
        if text:
            yield Block("heading", text, level=level)
    elif tag == "p":
        if text == _RULE_MARK:
            yield Block("rule", "")
        elif text:
            yield Block("paragraph", text)
    elif tag == "list":
        ordered = el.get("rend") == "ol"
        items = [item for item in el if item.tag == "item"]
        for n, item in enumerate(items, start=1):
            own = _el_text(item, skip=("list",))
            if own:
                yield Block("list_item", own, level=depth + 1, ordinal=n if ordered else None,
                            last_in_group=n == len(items))
            for sub in item:
                if sub.tag == "list":
                    yield from _html_block(sub, depth + 1)
    elif tag == "quote":
        for child in el if len(el) else [el]:
            quote = _el_text(child)
            if quote:
                yield Block("quote", quote)
    elif tag == "table":
        rows = list(el.iter("row"))
        header = [_el_text(c) for c in rows[0]] if rows and all(
            c.get("role") == "head" for c in rows[0]) else []
        body = rows[1:] if header else rows
        for n, row in enumerate(body, start=1):
            cells = [_el_text(c) for c in row]
            pairs = [f"{h}: {c}" if h else c
                     for h, c in zip(header + [""] * len(cells), cells, strict=False)]
            yield Block("table_row", "; ".join(p for p in pairs if p), last_in_group=n == len(body))
    elif tag == "graphic":
        alt = informative_alt(el.get("alt"))
        if alt:
            yield Block("image", alt)
    elif tag == "code":
        yield Block("code", text)
    elif tag in ("div", "section"):
        for child in el:
            yield from _html_block(child, depth)
    elif text:
        yield Block("paragraph", text)


def _el_text(el: Any, skip: tuple[str, ...] = ()) -> str:
    parts = [el.text or ""]
    for child in el:
        if child.tag not in skip:
            parts.append(_el_text(child))
        parts.append(child.tail or "")
    return re.sub(r"\s+", " ", "".join(parts)).strip()


READERS: dict[str, Callable[[Path, str], Article]] = {
    ".txt": read_text, ".md": read_markdown, ".markdown": read_markdown,
    ".html": read_html, ".htm": read_html,
}
