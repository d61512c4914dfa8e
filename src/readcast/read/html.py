"""HTML pages: the main article only, with the byline and date as metadata."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import ContentError
from ..models import Article, ArticleMeta, Block
from .common import informative_alt, plain_title, slug_for
from .frontmatter import parse_date


def read_html(path: Path, text: str) -> Article:
    """The main article only (via trafilatura): navigation, ads, asides, share buttons, footers and
    scripts are dropped; bylines and dates go to the metadata, not into the speech."""
    import trafilatura
    from lxml import etree

    xml = trafilatura.extract(
        _without_page_chrome(text),
        output_format="xml",
        include_tables=True,
        include_images=True,
        include_formatting=False,
        include_links=False,
        include_comments=False,
        with_metadata=True,
        favor_recall=True,
    )
    if not xml:
        raise ContentError(
            f"{path}: nothing to read aloud: no article text found in this HTML page. "
            "Put the article in <main> or <article>, or save it as Markdown."
        )
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
            meta_values["date"] = parse_date(doc.get("date"))
        except ValueError:
            pass
    if doc.get("description"):
        meta_values["description"] = doc.get("description")
    meta = ArticleMeta(**meta_values)
    title = title or path.stem.replace("-", " ")
    return Article(path, slug_for(path, meta), title, tuple(body), meta)


# Parts of a page that are never the article, by tag, ARIA role, or class/id word.
_CHROME_TAGS = (
    "script",
    "style",
    "noscript",
    "template",
    "nav",
    "form",
    "button",
    "iframe",
    "aside",
    "dialog",
    "select",
    "input",
    "textarea",
)
_CHROME_ROLES = {
    "navigation",
    "banner",
    "contentinfo",
    "complementary",
    "search",
    "dialog",
    "doc-backlink",
    "doc-noteref",
}
_CHROME_CLASS_RE = re.compile(
    r"(?:^|[\s_-])(?:ads?|advert|advertisement|adslot|promo|promotion|sponsor|sponsored|newsletter|"
    r"subscribe|subscription|signup|share|sharing|social|related|recommended|recirc|cookie|"
    r"consent|popup|modal|breadcrumbs?|pagination|sidebar|byline|dateline|author-info|skip-link|"
    r"visually-hidden|sr-only)(?:$|[\s_-])",
    re.I,
)
_BYLINE_RE = re.compile(
    r"^(?i:by|written by|posted by|words by|story by|reporting by)\s+"
    r"([A-Z][\w.'’-]*(?:\s+(?:[A-Z][\w.'’-]*|and|&|de|van|von|da|del))*)"
    r"(?:\s*(?:[|·•,–—-]|on)\s*(.*))?$"
)
_MONTH_NAMES = (
    "jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    "sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_DATE_LINE_RE = re.compile(
    rf"^(?:(?:published|updated|posted|last updated|modified|first published)(?: on)?:?\s*)?"
    rf"(?:[a-z]+day,?\s+)?(?:(?:{_MONTH_NAMES})\.? \d{{1,2}}(?:st|nd|rd|th)?,? \d{{4}}|"
    rf"\d{{1,2}}(?:st|nd|rd|th)? (?:{_MONTH_NAMES})\.?,? \d{{4}}|\d{{4}}-\d{{2}}-\d{{2}}|"
    rf"\d{{1,2}}/\d{{1,2}}/\d{{2,4}})(?:,?\s*(?:at\s*)?\d{{1,2}}[:.]\d{{2}}\s*(?:[ap]\.?m\.?)?"
    rf"(?:\s*[A-Z]{{2,4}})?)?\.?(?:\s*[|·•]\s*\d+\s*min(?:ute)?s?\s+read)?$",
    re.I,
)
_CHROME_LINE_RE = re.compile(
    r"^(?:advertisement|sponsored(?: content)?|ad|share(?: this)?(?: article| story| post)?|"
    r"read more|continue reading|related(?: articles| stories| posts)?|subscribe(?: now| today)?|"
    r"sign up for our newsletter.*|skip to (?:main )?content|\d+\s*min(?:ute)?s?\s+read|"
    r"photo: .{1,60}|image: .{1,60}|credit: .{1,60})\.?!?$",
    re.I,
)
_FOOTNOTE_BACKLINK_TEXT = {"↩", "↩︎", "↑", "^", "back", "return to text"}


def _byline_author(block: Block) -> str | None:
    """The author's name if the paragraph is a byline ("" for a date line); None otherwise."""
    text = block.text.strip()
    if len(text.split()) > 14:
        return None
    match = _BYLINE_RE.match(text)
    if match and (
        not match.group(2) or _DATE_LINE_RE.match(match.group(2).strip()) or len(match.group(2).split()) <= 4
    ):
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
        chrome = (
            tag in _CHROME_TAGS
            or (tag in ("header", "footer") and not inside_article)
            or (el.get("role") or "").lower() in _CHROME_ROLES
            or el.get("hidden") is not None
            or el.get("aria-hidden") == "true"
            or (tag not in ("html", "body", "main", "article") and _CHROME_CLASS_RE.search(classes))
        )
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
                yield Block(
                    "list_item",
                    own,
                    level=depth + 1,
                    ordinal=n if ordered else None,
                    last_in_group=n == len(items),
                )
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
        header = (
            [_el_text(c) for c in rows[0]] if rows and all(c.get("role") == "head" for c in rows[0]) else []
        )
        body = rows[1:] if header else rows
        for n, row in enumerate(body, start=1):
            cells = [_el_text(c) for c in row]
            pairs = [f"{h}: {c}" if h else c for h, c in zip(header + [""] * len(cells), cells, strict=False)]
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
