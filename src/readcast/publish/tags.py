"""Stage 5: ID3v2.3 tags with mutagen: title, author, show, genre, date, cover, chapters, transcript."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from mutagen.id3 import (
    APIC,
    CHAP,
    COMM,
    CTOC,
    ID3,
    PCST,
    TALB,
    TCON,
    TDRC,
    TIT2,
    TLAN,
    TPE1,
    USLT,
    WFED,
    WOAF,
    CTOCFlags,
    Encoding,
    PictureType,
)

from ..models import Chapter


@dataclass(frozen=True)
class EpisodeTags:
    title: str
    author: str
    album: str
    date: dt.datetime
    description: str
    transcript: str
    chapters: tuple[Chapter, ...]
    cover_jpeg: bytes
    language: str = "en"
    episode_url: str = ""
    feed_url: str = ""


def write_tags(path: Path, tags: EpisodeTags) -> None:
    """Replace the file's tags with an ID3v2.3 tag (no ID3v1) holding `tags`."""
    id3 = ID3()
    text = Encoding.UTF16  # v2.3 has no UTF-8; mutagen would convert anyway
    id3.add(TIT2(encoding=text, text=tags.title))
    id3.add(TPE1(encoding=text, text=tags.author))
    id3.add(TALB(encoding=text, text=tags.album))
    id3.add(TCON(encoding=text, text="Podcast"))
    id3.add(TDRC(encoding=text, text=tags.date.strftime("%Y-%m-%d")))
    id3.add(TLAN(encoding=text, text=_iso639_2(tags.language)))
    if tags.description:
        id3.add(COMM(encoding=text, lang="eng", desc="", text=tags.description))
    id3.add(USLT(encoding=text, lang=_iso639_2(tags.language), desc="transcript", text=tags.transcript))
    id3.add(
        APIC(
            encoding=text, mime="image/jpeg", type=PictureType.COVER_FRONT, desc="Cover", data=tags.cover_jpeg
        )
    )
    id3.add(PCST(value=1))
    if tags.feed_url:
        id3.add(WFED(url=tags.feed_url))
    if tags.episode_url:
        id3.add(WOAF(url=tags.episode_url))
    ids = []
    for n, chapter in enumerate(tags.chapters):
        element_id = f"chp{n}"
        ids.append(element_id)
        id3.add(
            CHAP(
                element_id=element_id,
                start_time=round(chapter.start * 1000),
                end_time=round(chapter.end * 1000),
                start_offset=0xFFFFFFFF,
                end_offset=0xFFFFFFFF,
                sub_frames=[TIT2(encoding=text, text=chapter.title)],
            )
        )
    if ids:
        id3.add(
            CTOC(
                element_id="toc",
                flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
                child_element_ids=ids,
                sub_frames=[TIT2(encoding=text, text="Chapters")],
            )
        )
    id3.update_to_v23()  # turns TDRC into TYER/TDAT; without it v2.4 frames leak into a v2.3 tag
    id3.save(path, v2_version=3, v1=0, padding=lambda info: 0)


_ISO639_2 = {
    "en": "eng",
    "de": "deu",
    "fr": "fra",
    "es": "spa",
    "it": "ita",
    "pt": "por",
    "nl": "nld",
    "ja": "jpn",
    "zh": "zho",
    "ru": "rus",
    "pl": "pol",
    "sv": "swe",
}


def _iso639_2(language: str) -> str:
    return _ISO639_2.get(language.lower().split("-")[0], "eng")
