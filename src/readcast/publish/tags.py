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
        id3.add(COMM(encoding=text, lang=_iso639_2(tags.language), desc="", text=tags.description))
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


# ISO 639-1 -> ISO 639-2/T (the code ID3 language fields take), for the languages readcast's
# engines speak and the commonest others.
_ISO639_2 = {
    "af": "afr", "ar": "ara", "bg": "bul", "bn": "ben", "ca": "cat", "cs": "ces", "cy": "cym",
    "da": "dan", "de": "deu", "el": "ell", "en": "eng", "eo": "epo", "es": "spa", "et": "est",
    "eu": "eus", "fa": "fas", "fi": "fin", "fr": "fra", "ga": "gle", "gl": "glg", "gu": "guj",
    "he": "heb", "hi": "hin", "hr": "hrv", "hu": "hun", "hy": "hye", "id": "ind", "is": "isl",
    "it": "ita", "ja": "jpn", "ka": "kat", "kk": "kaz", "kn": "kan", "ko": "kor", "la": "lat",
    "lb": "ltz", "lt": "lit", "lv": "lav", "mk": "mkd", "ml": "mal", "mr": "mar", "ms": "msa",
    "mt": "mlt", "nb": "nob", "ne": "nep", "nl": "nld", "nn": "nno", "no": "nor", "pa": "pan",
    "pl": "pol", "pt": "por", "ro": "ron", "ru": "rus", "sk": "slk", "sl": "slv", "sq": "sqi",
    "sr": "srp", "sv": "swe", "sw": "swa", "ta": "tam", "te": "tel", "th": "tha", "tr": "tur",
    "uk": "ukr", "ur": "urd", "vi": "vie", "zh": "zho", "zu": "zul",
}  # fmt: skip
UNDETERMINED = "und"


def _iso639_2(language: str) -> str:
    """The ISO 639-2 code of a language tag ("de", "pt-BR", "deu"); "und" when it is not known."""
    primary = language.lower().replace("_", "-").split("-")[0]
    if len(primary) == 3 and primary.isalpha():
        return primary
    return _ISO639_2.get(primary, UNDETERMINED)
