"""What every reader shares: slugs, plain titles, image alt text, control comments."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from ..errors import ContentError
from ..models import ArticleMeta

SLUG_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_TAG_RE = re.compile(r"<[^>]+>")
_MD_EMPHASIS_RE = re.compile(r"(\*\*|__|\*|_|`)(.+?)\1")


def slugify(text: str) -> str:
    """ASCII, lowercase, hyphen-separated; empty if nothing survives."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "-".join(re.findall(r"[a-z0-9]+", ascii_text.lower()))[:80].strip("-")


def plain_title(text: str) -> str:
    """A title without HTML tags or Markdown emphasis, whitespace collapsed."""
    text = _TAG_RE.sub("", text)
    text = _MD_EMPHASIS_RE.sub(r"\2", text)
    return re.sub(r"\s+", " ", text).strip()


def slug_for(path: Path, meta: ArticleMeta) -> str:
    """The slug: front matter's (checked) or the file name's."""
    if meta.slug is not None:
        if not SLUG_RE.fullmatch(meta.slug):
            suggestion = slugify(meta.slug) or slugify(path.stem) or "my-article"
            raise ContentError(
                f"{path}: slug {meta.slug!r} may only contain a-z, 0-9 and single "
                f"hyphens; use slug: {suggestion}"
            )
        return meta.slug
    slug = slugify(path.stem)
    if not slug:
        raise ContentError(
            f"{path}: the file name gives no usable slug (it needs ASCII letters or "
            "digits). Rename the file or set slug: in the front matter."
        )
    return slug


COMMENT_RE = re.compile(r"<!--.*?-->", re.S)
_GENERIC_ALT = {
    "image",
    "img",
    "photo",
    "picture",
    "pic",
    "icon",
    "logo",
    "spacer",
    "divider",
    "decorative",
    "decoration",
    "banner",
    "graphic",
    "illustration",
    "figure",
    "thumbnail",
}
_FILE_NAME_ALT_RE = re.compile(r"^[\w.-]+\.(?:png|jpe?g|gif|svg|webp|avif|bmp|tiff?)$", re.I)


def informative_alt(alt: str | None) -> str:
    """The alt text when it describes the image; "" for a decorative or meaningless one."""
    alt = re.sub(r"\s+", " ", alt or "").strip()
    if not alt or alt.lower().strip(".") in _GENERIC_ALT or _FILE_NAME_ALT_RE.match(alt):
        return ""
    return alt if re.search(r"\w", alt) else ""
