"""gTTS: Google Translate's online voice. Many languages, regional accents, needs the network.

readcast cuts the text itself, at sentence and then clause boundaries, into requests of at most
100 characters, so gTTS's own tokenizer never splits mid-clause and Google's pause at each cut
falls where a reader would pause. Each request is retried with backoff on HTTP 429 and 5xx.
"""

from __future__ import annotations

import importlib.util
import io
import re
import subprocess
import time
from pathlib import Path
from typing import ClassVar

from ..errors import EngineError
from .base import AudioChunk, Engine, VoiceInfo

MAX_REQUEST_CHARS = 100
"""Google's limit per request (gTTS.GOOGLE_TTS_MAX_CHARS)."""

# Region of a language tag -> Google domain that gives that accent ("voice" in readcast terms).
ACCENTS: dict[str, tuple[str, str]] = {
    "com": ("en", "United States"),
    "co.uk": ("en", "United Kingdom"),
    "com.au": ("en", "Australia"),
    "ca": ("en", "Canada"),
    "co.in": ("en", "India"),
    "ie": ("en", "Ireland"),
    "co.za": ("en", "South Africa"),
    "co.nz": ("en", "New Zealand"),
    "fr": ("fr", "France"),
    "es": ("es", "Spain"),
    "com.mx": ("es", "Mexico"),
    "pt": ("pt", "Portugal"),
}
_REGION_ACCENT = {
    "en-gb": "co.uk",
    "en-uk": "co.uk",
    "en-au": "com.au",
    "en-ca": "ca",
    "en-in": "co.in",
    "en-ie": "ie",
    "en-za": "co.za",
    "en-nz": "co.nz",
    "fr-fr": "fr",
    "es-es": "es",
    "es-mx": "com.mx",
    "pt-pt": "pt",
}
_LANGUAGE_ALIASES = {"he": "iw", "jv": "jw", "nb": "no", "nn": "no", "fil": "tl"}
_UNREACHABLE_MEMORY_S = 30.0
_ALTERNATIVES = "Try again later, or use an offline engine: hibari, piper or espeak."
_SENTENCE_RE = re.compile(r"\S.*?(?:[.!?…]+[\"”’'»)\]]*(?=\s|$)|$)", re.S)
_CLAUSE_RE = re.compile(r"\S.*?(?:[,;:—–]+[\"”’'»)\]]*(?=\s|$)|\s[—–](?=\s)|$)", re.S)
_SPEAKABLE_RE = re.compile(r"\w")


def _gtts_languages() -> dict[str, str]:
    from gtts.lang import tts_langs

    return tts_langs()


class GttsEngine(Engine):
    name = "gtts"
    version = "1"
    sample_rate = 24000
    languages = ("en",)  # the real list comes from gTTS: see language_list()
    needs_network = True
    default_voice = "com"
    licence = "MIT (gTTS library); speech from Google Translate's unofficial endpoint"
    timeout: float = 10.0
    """Seconds to wait for Google's answer to one request."""
    retries: int = 3
    """Extra attempts after an HTTP 429, a 5xx, a timeout or an answer without audio."""
    backoff: float = 1.0
    """Seconds before the first retry; doubled for each further one."""
    # Remembered per process: a Google address that refused connections a moment ago.
    _unreachable: ClassVar[dict[str, tuple[float, str]]] = {}

    def __init__(
        self,
        voice: str | None = None,
        speed: float = 1.0,
        language: str = "en",
        *,
        timeout: float | None = None,
        retries: int | None = None,
        backoff: float | None = None,
    ) -> None:
        super().__init__(voice, speed, language)
        if timeout is not None:
            self.timeout = timeout
        if retries is not None:
            self.retries = retries
        if backoff is not None:
            self.backoff = backoff

    # -- what the engine can do ---------------------------------------------------------
    @classmethod
    def is_available(cls) -> bool:
        return importlib.util.find_spec("gtts") is not None

    @classmethod
    def install_hint(cls) -> str:
        return (
            "pip install gTTS (a core dependency of readcast: reinstall readcast). It also needs "
            "the internet while building."
        )

    @classmethod
    def engine_version(cls) -> str:
        from gtts.version import __version__

        return f"{cls.version}+gtts-{__version__}"

    @classmethod
    def language_list(cls) -> tuple[str, ...]:
        primary = {tag.split("-")[0].lower() for tag in _gtts_languages()}
        aliases = {alias for alias, target in _LANGUAGE_ALIASES.items() if target in primary}
        return tuple(sorted(primary | aliases))

    @classmethod
    def voices(cls) -> list[VoiceInfo]:
        return [
            VoiceInfo(tld, language, f"{country} accent (translate.google.{tld})")
            for tld, (language, country) in ACCENTS.items()
        ]

    @classmethod
    def resolve_voice(cls, voice: str | None, language: str, base_dir: Path) -> str:
        """The voice is the Google domain that sets the accent: com, co.uk, com.au, co.in, ..."""
        if voice is None:
            return _REGION_ACCENT.get(language.lower(), cls.default_voice)
        from gtts.accents import accents

        tld = voice.strip().lower().removeprefix("translate.google.")
        if tld not in accents:
            raise EngineError(
                f"gtts has no accent '{voice}': its voice is a Google domain such as "
                f"{', '.join(ACCENTS)} (see 'readcast voices --engine gtts')."
            )
        return tld

    @staticmethod
    def gtts_language(language: str) -> str:
        """The gTTS language code for a BCP 47 tag: 'fr-CA' stays regional, 'en-us' becomes 'en'."""
        known = {tag.lower(): tag for tag in _gtts_languages()}
        tag = language.lower()
        if tag in known:
            return known[tag]
        primary = tag.split("-")[0]
        primary = _LANGUAGE_ALIASES.get(primary, primary)
        return known.get(primary, primary)

    # -- speaking -------------------------------------------------------------------------
    @property
    def slow(self) -> bool:
        """Google has two speeds: normal, and slow mode for speed 0.8 and below."""
        return self.speed <= 0.8

    def synthesize(self, text: str) -> AudioChunk:
        from ..audio.ffmpeg import ffmpeg_exe

        ffmpeg_exe()  # points pydub at the bundled ffmpeg before any decoding
        pcm = bytearray()
        for request_text in split_for_gtts(text):
            pcm += _decode_mp3(self._request(request_text), self.sample_rate)
        tempo = 1.0 if self.slow else self.speed
        if abs(tempo - 1.0) > 0.01 and pcm:
            pcm = bytearray(_change_tempo(bytes(pcm), self.sample_rate, tempo))
        return AudioChunk(bytes(pcm), self.sample_rate)

    def _request(self, text: str) -> bytes:
        """MP3 bytes for one request of at most 100 characters, retrying what is worth retrying."""
        import gtts.tts
        from gtts import gTTS, gTTSError

        address = gtts.tts._translate_url(tld=self.voice, path="")
        self._refuse_if_recently_unreachable(address)
        tts = gTTS(
            text,
            lang=self.gtts_language(self.language),
            tld=self.voice,
            slow=self.slow,
            lang_check=False,
            pre_processor_funcs=[],
            timeout=self.timeout,
        )
        attempt = 0
        while True:
            error: Exception | None = None
            try:
                mp3 = b"".join(tts.stream())
            except gTTSError as exc:
                error = exc
                retry, message = self._classify(exc, address)
            except AssertionError:  # gTTS asserts there is something to say
                raise EngineError(f"gtts found nothing to say in {text!r}") from None
            else:
                if mp3:
                    return mp3
                retry, message = True, self._no_audio_message()  # a 200 without the RPC line
            if not retry or attempt >= self.retries:
                tries = f" ({attempt + 1} tries)" if attempt else ""
                raise EngineError(f"gtts: {message}{tries}. {_ALTERNATIVES}")
            delay = self.backoff * 2**attempt
            retry_after = _retry_after(error)
            if retry_after is not None:
                delay = max(delay, min(retry_after, 60.0))
            time.sleep(delay)
            attempt += 1

    def _classify(self, exc: Exception, address: str) -> tuple[bool, str]:
        """(worth retrying, what went wrong in words) for a gTTSError."""
        import requests

        response = getattr(exc, "rsp", None)
        if response is None:
            cause = exc.__cause__ or exc.__context__
            if isinstance(cause, requests.exceptions.ReadTimeout):
                return True, f"Google did not answer within {self.timeout:g} s"
            reason = type(cause).__name__ if cause else "connection failed"
            message = f"cannot reach Google's speech service at {address} ({reason}): gtts needs the internet"
            self._unreachable[address] = (time.monotonic(), message)
            return False, message
        status = response.status_code
        if status == 429:
            return True, (
                "Google refused the request (HTTP 429 Too Many Requests): it limits how "
                "much speech one address may request"
            )
        if status >= 500:
            return True, f"Google's speech service failed (HTTP {status})"
        if status == 200:
            return True, self._no_audio_message()
        return False, f"Google refused the request ({getattr(exc, 'msg', '') or f'HTTP {status}'})"

    def _no_audio_message(self) -> str:
        return (
            f"Google answered without audio (HTTP 200); the language '{self.language}' may not "
            "be supported, or the service changed"
        )

    def _refuse_if_recently_unreachable(self, address: str) -> None:
        seen = self._unreachable.get(address)
        if seen and time.monotonic() - seen[0] < _UNREACHABLE_MEMORY_S:
            raise EngineError(f"gtts: {seen[1]}. {_ALTERNATIVES}")


def split_for_gtts(text: str, limit: int = MAX_REQUEST_CHARS) -> list[str]:
    """Cut `text` into requests of at most `limit` characters.

    Whole sentences are packed together while they fit; a longer sentence is cut at clause
    punctuation (, ; : —), and only a clause longer than the limit is cut between words.
    """
    text = re.sub(r"\s+", " ", text).strip()
    chunks: list[str] = []
    current = ""
    for sentence in _SENTENCE_RE.findall(text):
        sentence = sentence.strip()
        if len(sentence) > limit:
            pieces = _pack(
                [part for clause in _CLAUSE_RE.findall(sentence) for part in _fit(clause.strip(), limit)],
                limit,
            )
        else:
            pieces = [sentence]
        for piece in pieces:
            if current and len(current) + 1 + len(piece) <= limit:
                current = f"{current} {piece}"
            else:
                if current:
                    chunks.append(current)
                current = piece
    if current:
        chunks.append(current)
    return [chunk for chunk in chunks if _SPEAKABLE_RE.search(chunk)]


def _fit(clause: str, limit: int) -> list[str]:
    """A clause as pieces of at most `limit` characters, cut between words (or, failing that, hard)."""
    if len(clause) <= limit:
        return [clause] if clause else []
    words: list[str] = []
    for word in clause.split(" "):
        words += [word[i : i + limit] for i in range(0, len(word), limit)] or [word]
    return _pack(words, limit)


def _pack(parts: list[str], limit: int) -> list[str]:
    packed: list[str] = []
    for part in parts:
        if packed and len(packed[-1]) + 1 + len(part) <= limit:
            packed[-1] = f"{packed[-1]} {part}"
        elif part:
            packed.append(part)
    return packed


def _retry_after(exc: Exception | None) -> float | None:
    response = getattr(exc, "rsp", None)
    value = response.headers.get("Retry-After") if response is not None else None
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _decode_mp3(mp3: bytes, rate: int) -> bytes:
    """Mono s16 PCM at `rate` from Google's MP3 (pydub with the bundled ffmpeg, no ffprobe)."""
    from pydub import AudioSegment
    from pydub.exceptions import CouldntDecodeError

    try:
        segment = AudioSegment.from_file(io.BytesIO(mp3), format="mp3", codec="mp3")
    except CouldntDecodeError as exc:
        raise EngineError(
            f"gtts: Google's answer is not audio ffmpeg can decode ({str(exc)[-200:]})"
        ) from None
    return segment.set_channels(1).set_sample_width(2).set_frame_rate(rate).raw_data


def _change_tempo(pcm: bytes, rate: int, tempo: float) -> bytes:
    """Speed speech up or slow it down without changing its pitch (ffmpeg's atempo)."""
    from ..audio.ffmpeg import ffmpeg_exe

    fmt = ["-f", "s16le", "-ar", str(rate), "-ac", "1"]
    result = subprocess.run(
        [
            ffmpeg_exe(),
            "-hide_banner",
            "-v",
            "error",
            *fmt,
            "-i",
            "pipe:0",
            "-af",
            f"atempo={tempo:.3f}",
            *fmt,
            "pipe:1",
        ],
        input=pcm,
        capture_output=True,
    )
    if result.returncode != 0:
        raise EngineError(f"gtts: ffmpeg could not change the tempo ({result.stderr[-300:]!r})")
    return result.stdout
