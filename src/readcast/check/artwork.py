"""The show's cover (F-50 ... F-56): format, colour mode, size."""

from __future__ import annotations

from .context import Context

COVER_MIN, COVER_MAX = 1400, 3000
COVER_MAX_BYTES = 512 * 1024


def check_cover(ctx: Context, href: str, where: str) -> None:
    from PIL import Image, UnidentifiedImageError

    path = ctx.local(href, where)
    if path is None:
        return
    name = ctx.rel(path)
    try:
        with Image.open(path) as image:
            fmt, mode, (width, height) = image.format, image.mode, image.size
    except (UnidentifiedImageError, OSError) as exc:
        ctx.error("F-53", name, f"not an image ({exc})", "build again to regenerate the cover")
        return
    expected = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG"}.get(path.suffix.lower())
    if fmt != expected:
        ctx.error("F-53", name, f"a {fmt} file named {path.suffix}", "use a JPEG or PNG cover")
    if mode != "RGB":
        ctx.error(
            "F-51",
            name,
            f"colour mode {mode}, Apple needs RGB without alpha",
            "build again: readcast converts the cover to RGB",
        )
    if width != height or not COVER_MIN <= width <= COVER_MAX:
        ctx.error(
            "F-50",
            name,
            f"{width}x{height} px; Apple needs a square between {COVER_MIN} and {COVER_MAX} px",
            "use a square cover of 3000x3000 px",
        )
    if path.stat().st_size > COVER_MAX_BYTES:
        ctx.warning(
            "F-56",
            name,
            f"{path.stat().st_size // 1024} KB; some apps ask for 512 KB or less",
            "use a simpler image or a JPEG at lower quality",
        )
