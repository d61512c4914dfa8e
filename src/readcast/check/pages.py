"""Each episode's web page (W-01 ... W-07): language, player, alt text, transcript, download."""

from __future__ import annotations

from urllib.parse import urlsplit

from .context import Context


def check_page(ctx: Context, url: str, where: str) -> None:
    """The episode page (W-01 ... W-07), when the item links a page in output/."""
    if not urlsplit(url).path.endswith(".html"):
        ctx.warning(
            "W-02",
            where,
            "the episode links no web page with its transcript",
            "rebuild with readcast, which writes one per episode",
        )
        return
    path = ctx.local(url, where)
    if path is None:
        return
    name = ctx.rel(path)
    doc = ctx.parse_html(path)
    if doc is None:
        return
    if not doc.get("lang"):
        ctx.error(
            "W-06",
            name,
            "<html> has no lang attribute",
            'add lang="{{ lang }}" to your templates/base.html',
        )
    audios = doc.xpath("//audio")
    if not audios or any(a.get("controls") is None for a in audios):
        ctx.error("W-05", name, "no <audio controls> player", "restore the player in templates/")
    if any(a.get("autoplay") is not None for a in audios):
        ctx.error("W-04", name, "audio starts by itself (autoplay)", "remove autoplay")
    if any(img.get("alt") is None for img in doc.xpath("//img")):
        ctx.error("W-06", name, "an image without alt text", "add alt to every <img>")
    if not doc.xpath("//*[@id='transcript']") and not doc.xpath(
        "//a[contains(translate(., 'TRANSCRIPT', 'transcript'), 'transcript')]"
    ):
        ctx.error(
            "W-02",
            name,
            "no transcript on the page or linked from it",
            "restore the transcript section in templates/episode.html",
        )
    if not doc.xpath("//a[contains(@href, '.mp3')]"):
        ctx.warning("W-05", name, "no download link for the MP3", "add one to the template")
