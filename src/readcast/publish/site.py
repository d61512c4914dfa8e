"""Stage 5 for the whole podcast: the cover, the feed, and removing what is no longer published."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .. import __version__
from ..audio.cache import BlobStore, stable_hash
from ..fsutil import safe_join, write_if_changed
from ..project.settings import Settings
from ..project.state import ProjectState
from .cover import cover_jpeg, thumbnail_jpeg
from .feed import FeedInputs, feed_xml

FEED_NAME = "feed.xml"


@dataclass(frozen=True)
class Cover:
    jpeg: bytes
    digest: str
    name: str
    """File name in output/: changes with the art, so podcast apps fetch the new one."""
    art_keys: tuple[str, str]
    """Cache keys of the cover and of its thumbnail (art under other keys is stale)."""


def publish_cover(settings: Settings, art: BlobStore) -> Cover:
    """Draw (or reuse) the cover and write it under its name (old ones go at the end of the build)."""
    from . import cover as cover_module

    podcast = settings.podcast
    configured = settings.root / podcast.cover if podcast.cover else None
    code = _module_digest(cover_module)
    drawn_from = {
        "title": podcast.title,
        "code": code,
        "file": stable_hash(configured.read_bytes())
        if configured and configured.is_file()
        else str(configured),
    }
    key = stable_hash(drawn_from)
    jpeg = art.remember(key, lambda: cover_jpeg(podcast.title, configured))
    digest = stable_hash(jpeg)
    cover = Cover(
        jpeg, digest, f"cover-{digest[:10]}.jpg", (key, stable_hash({"cover": digest, "code": code}))
    )
    write_if_changed(settings.output_dir / cover.name, jpeg)
    return cover


def thumbnail(cover: Cover, art: BlobStore) -> bytes:
    """The small cover embedded in the MP3s."""
    return art.remember(cover.art_keys[1], lambda: thumbnail_jpeg(cover.jpeg))


def write_feed(settings: Settings, state: ProjectState, cover: Cover) -> Path:
    published = list(state.episodes.values())
    path = settings.output_dir / FEED_NAME
    write_if_changed(path, feed_xml(FeedInputs(settings, state.podcast_guid, cover.name, published)))
    return path


def forget_removed(state: ProjectState, keep: set[str], failed_sources: set[str]) -> list[str]:
    """Drop the records of episodes whose article is gone (or became a draft).

    Returns their files, to delete once the feed no longer lists them. A failed rebuild keeps the
    episode published before.
    """
    removed: list[str] = []
    for slug, record in list(state.episodes.items()):
        if slug in keep or record.source in failed_sources:
            continue
        removed.extend(record.files.values())
        del state.episodes[slug]
    return removed


def remove_unpublished(out: Path, removed: Iterable[str], cover: Cover, art: BlobStore) -> None:
    """Delete removed episodes' files, old covers and stale art (only once the feed is written)."""
    for rel in removed:
        safe_join(out, rel).unlink(missing_ok=True)
    for old in out.glob("cover-*.jpg"):
        if old.name != cover.name:
            old.unlink()
    for key in list(art.keys()):
        if key not in cover.art_keys:
            art.path(key).unlink(missing_ok=True)


def _module_digest(module: object) -> str:
    """Digest of a module's source: cached art is redrawn when the code that draws it changes."""
    try:
        return stable_hash(Path(module.__file__).read_bytes())  # type: ignore[attr-defined]
    except (OSError, TypeError, AttributeError):
        return __version__
