"""Cover art: validate and convert a configured image, or draw a legible one from the title."""

from __future__ import annotations

import io
import textwrap
from pathlib import Path

from ..errors import ConfigError

COVER_SIZE = 3000
MIN_COVER = 1400
TAG_COVER_SIZE = 600
"""The copy embedded in each MP3 stays small: players show it small and ID3 bytes count as download."""


def cover_jpeg(title: str, configured: Path | None) -> bytes:
    """The podcast cover as RGB JPEG bytes, square, between 1400 and 3000 px."""
    from PIL import Image, UnidentifiedImageError

    if configured is None:
        return _encode(_draw(title))
    try:
        with Image.open(configured) as img:
            img.load()
            image = img.convert("RGB")
    except FileNotFoundError:
        raise ConfigError(
            f"[podcast] cover {configured}: file not found. Fix the path in "
            "readcast.toml, or remove the key to get a generated cover."
        ) from None
    except (UnidentifiedImageError, OSError) as exc:
        raise ConfigError(
            f"[podcast] cover {configured}: not an image Pillow can read ({exc}). Use a JPEG or PNG."
        ) from None
    side = min(image.size)
    if side < MIN_COVER:
        raise ConfigError(
            f"[podcast] cover {configured}: {image.width}x{image.height} px is too small; "
            f"podcast apps need at least {MIN_COVER}x{MIN_COVER} (3000x3000 is best)."
        )
    if image.width != image.height:  # centre crop: apps show covers square
        left, top = (image.width - side) // 2, (image.height - side) // 2
        image = image.crop((left, top, left + side, top + side))
    if side > COVER_SIZE:
        image = image.resize((COVER_SIZE, COVER_SIZE), Image.Resampling.LANCZOS)
    return _encode(image)


def thumbnail_jpeg(cover: bytes, size: int = TAG_COVER_SIZE) -> bytes:
    from PIL import Image

    with Image.open(io.BytesIO(cover)) as img:
        img.draft("RGB", (size, size))  # decode the JPEG at the smallest scale still >= size: 10x faster
        return _encode(img.convert("RGB").resize((size, size), Image.Resampling.LANCZOS), quality=85)


def _encode(image, quality: int = 88) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=quality, optimize=True, dpi=(72, 72))
    return out.getvalue()


def _draw(title: str):
    """Dark background, large light title text, nothing in the bottom fifth (Apple's advice)."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (COVER_SIZE, COVER_SIZE), (24, 37, 64))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, COVER_SIZE, 90), fill=(242, 179, 61))
    # The largest type at which the title fits in five lines (a very long one is cut at six).
    for size, width in ((330, 14), (260, 18), (200, 24), (160, 30)):  # noqa: B007 (size is used below)
        lines = textwrap.wrap(title, width=width) or [title]
        if len(lines) <= 5:
            break
    lines = lines[:6]
    font = ImageFont.load_default(size=size)
    line_height = int(size * 1.2)
    top = max(300, (COVER_SIZE * 4 // 5 - line_height * len(lines)) // 2)
    for n, line in enumerate(lines):
        width = draw.textlength(line, font=font)
        draw.text(((COVER_SIZE - width) / 2, top + n * line_height), line, font=font, fill=(250, 247, 240))
    label = ImageFont.load_default(size=110)
    caption = "read aloud"
    draw.text(
        ((COVER_SIZE - draw.textlength(caption, font=label)) / 2, COVER_SIZE * 4 // 5 - 260),
        caption,
        font=label,
        fill=(242, 179, 61),
    )
    return image
