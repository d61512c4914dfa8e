"""Text normalization for speech, shared by every engine: what the engine should say for written text."""

from __future__ import annotations

import re
import unicodedata

_EMOJI_RE = re.compile(
    "[\U0001F000-\U0001FAFF\U00002600-\U000027BF\U0001F900-\U0001F9FF\uFE0F\u200D\U0001F1E6-\U0001F1FF]+"
)
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "‚": "'", "«": '"', "»": '"'})


def normalize(text: str) -> str:
    """Spoken form of `text`: emoji dropped, quotes straightened, dashes and ellipses made pauses."""
    text = unicodedata.normalize("NFC", text)
    text = _EMOJI_RE.sub("", text)
    text = text.translate(_QUOTES)
    text = re.sub(r"\s*[—–]\s*", ", ", text)
    text = text.replace("…", "...")
    text = re.sub(r"\s+", " ", text).strip()
    return text


_SENTENCE_END_RE = re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])")
_NO_BREAK_AFTER = {"dr", "mr", "mrs", "ms", "st", "prof", "jr", "sr", "vs", "etc", "e.g", "i.e", "no",
                   "fig", "mt", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct",
                   "nov", "dec"}


def split_sentences(text: str) -> list[str]:
    """Split at sentence ends, but not after common abbreviations or initials."""
    sentences: list[str] = []
    start = 0
    for match in _SENTENCE_END_RE.finditer(text):
        before = text[start:match.start()].rstrip("\"'”’)]")
        last_word = before.rsplit(None, 1)[-1].rstrip(".").lower() if before.split() else ""
        if before.endswith(".") and (last_word in _NO_BREAK_AFTER or
                                     (len(last_word) == 1 and last_word.isalpha())):
            continue
        sentences.append(text[start:match.end()].strip())
        start = match.end()
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences
