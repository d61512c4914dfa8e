"""The pronunciation lexicon: words the author wants said a particular way.

Entries come from ``[pronunciations]`` in readcast.toml and from an article's front matter
(``pronunciations:``), already validated by settings.py: ``word = "respelling"`` or
``word = { ipa = "...", say = "..." }``. A key with a capital letter matches only that exact
spelling (``US`` but not ``us``); an all-lowercase key matches any capitalization. Words match
whole, never inside another word, a domain or an e-mail address.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..engines.base import Engine
    from ..models import VoiceChoice

PhonemeMarkup = Callable[[str, str], str]
"""(word, ipa) -> text that makes the engine say `word` as `ipa` (Engine.phoneme_markup)."""


class Lexicon:
    """Project and article pronunciations, applied as whole words before normalization."""

    def __init__(self, entries: Mapping[str, object], phoneme_markup: PhonemeMarkup | None = None) -> None:
        self.entries = {word.strip(): value for word, value in entries.items() if word.strip()}
        self.phoneme_markup = phoneme_markup
        self._exact = {w: v for w, v in self.entries.items() if w != w.lower()}
        self._folded = {w.lower(): v for w, v in self.entries.items() if w == w.lower()}
        alternatives = []
        for word in sorted(self.entries, key=len, reverse=True):
            escaped = re.escape(word)
            alternatives.append(escaped if word in self._exact else f"(?i:{escaped})")
        self._pattern = (
            re.compile(rf"(?<![\w@./])(?:{'|'.join(alternatives)})(?![\w@]|[./]\w)") if alternatives else None
        )

    @classmethod
    def merged(
        cls, *tables: Mapping[str, object] | None, phoneme_markup: PhonemeMarkup | None = None
    ) -> Lexicon:
        """One lexicon from several tables; a later table's entry wins (article over project)."""
        entries: dict[str, object] = {}
        for table in tables:
            entries.update(table or {})
        return cls(entries, phoneme_markup)

    def __bool__(self) -> bool:
        return bool(self.entries)

    def spoken(self, written: str) -> str:
        """What to say for `written`, one of the lexicon's words as it appears in the text."""
        value = self._exact.get(written)
        if value is None:
            value = self._folded.get(written.lower())
        if value is None:
            return written
        if isinstance(value, str):
            return value.strip()
        assert isinstance(value, Mapping)
        ipa, say = value.get("ipa"), value.get("say")
        if ipa and self.phoneme_markup is not None:
            return self.phoneme_markup(written, str(ipa).strip().strip("/[]"))
        return str(say).strip() if say else written

    def protect_words(self, text: str, protect: Callable[[str], str]) -> str:
        """`text` with each lexicon word replaced by protect(its spoken form)."""
        if self._pattern is None:
            return text
        return self._pattern.sub(lambda m: protect(self.spoken(m.group())), text)


def phoneme_markup_for(engine_cls: type[Engine], voice: VoiceChoice | None = None) -> PhonemeMarkup | None:
    """The engine's phoneme markup when it supports phonemes, else None (IPA entries fall back)."""
    if not engine_cls.supports_phonemes:
        return None
    if voice is None:
        return engine_cls().phoneme_markup
    return engine_cls(voice=voice.voice, speed=voice.speed, language=voice.language).phoneme_markup
