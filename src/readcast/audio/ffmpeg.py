"""Stage 4: stitch segment audio with pauses, master loudness, encode CBR MP3 (bundled ffmpeg)."""

from __future__ import annotations

import re
import subprocess
import threading
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ..engines.base import AudioChunk
from ..errors import AudioError

with warnings.catch_warnings():  # pydub warns at import when ffmpeg is not on PATH; we set it below
    warnings.simplefilter("ignore")
    from pydub import AudioSegment

TRUE_PEAK_LIMIT_DB = -1.0
"""Ceiling on the final MP3 (AES TD1004, Apple)."""
_LIMITER_CEILING_DB = -2.0
"""Sample-peak ceiling before encoding: MP3 encoding adds up to about half a dB of true peak."""


@cache
def ffmpeg_exe() -> str:
    """The ffmpeg binary from the imageio-ffmpeg wheel (or IMAGEIO_FFMPEG_EXE / the system one)."""
    try:
        import imageio_ffmpeg

        exe = imageio_ffmpeg.get_ffmpeg_exe()
    except (ImportError, RuntimeError) as exc:
        raise AudioError(
            f"ffmpeg not found ({exc}). Reinstall readcast with pip, which brings "
            "ffmpeg in the imageio-ffmpeg wheel, or set IMAGEIO_FFMPEG_EXE."
        ) from None
    AudioSegment.converter = exe
    return exe


@dataclass(frozen=True)
class Piece:
    """One stretch of the episode: a segment's audio followed by silence."""

    load: Callable[[], AudioChunk]
    frames: int
    """Frames of speech at `rate` (known from the cache header, before loading any audio)."""
    rate: int
    pause_ms: int
    kind: str = ""
    """The segment's kind (intro, outro, ...): intro and outro music sit under those."""


def to_segment(chunk: AudioChunk, rate: int) -> AudioSegment:
    """A pydub segment at `rate` (engines with another native rate are resampled here)."""
    seg = AudioSegment(data=chunk.pcm, sample_width=2, frame_rate=chunk.sample_rate, channels=1)
    return seg if chunk.sample_rate == rate else seg.set_frame_rate(rate)


def stitched_pcm(pieces: list[Piece], rate: int) -> Iterator[bytes]:
    """The episode's PCM, one piece at a time: a streamed join, never a growing buffer."""
    for piece in pieces:
        yield to_segment(piece.load(), rate).raw_data
        if piece.pause_ms:
            yield silence_frames(piece.pause_ms, rate) * b"\x00\x00"


def silence_frames(ms: int, rate: int) -> int:
    return round(ms * rate / 1000)


def measure_loudness(pcm: Iterator[bytes], rate: int) -> float:
    """Integrated loudness in LUFS, measured as dual-mono (the stereo-equivalent figure)."""
    cmd = [
        ffmpeg_exe(),
        "-hide_banner",
        "-nostats",
        "-f",
        "s16le",
        "-ar",
        str(rate),
        "-ac",
        "1",
        "-i",
        "pipe:0",
        "-af",
        "ebur128=dualmono=true",
        "-f",
        "null",
        "-",
    ]
    stderr = _run_with_input(cmd, pcm)
    summary = stderr.rsplit("Summary:", 1)[-1]
    match = re.search(r"I:\s+(-?[\d.]+|-inf) LUFS", summary)
    if not match or match.group(1) == "-inf":
        raise AudioError("the episode is silent: the engine produced no audible speech")
    return float(match.group(1))


def measure_file(path: Path) -> tuple[float, float]:
    """(integrated loudness as dual-mono in LUFS, true peak in dBTP) of an audio file."""
    cmd = [
        ffmpeg_exe(),
        "-hide_banner",
        "-nostats",
        "-i",
        str(path),
        "-af",
        "ebur128=dualmono=true:peak=true",
        "-f",
        "null",
        "-",
    ]
    result = subprocess.run(cmd, capture_output=True, text=True)
    summary = result.stderr.rsplit("Summary:", 1)[-1]
    loud = re.search(r"I:\s+(-?[\d.]+|-inf) LUFS", summary)
    peak = re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary)
    if result.returncode != 0 or not loud or not peak:
        raise AudioError(f"{path}: ffmpeg could not measure loudness ({result.stderr[-300:]})")
    return float(loud.group(1)), float(peak.group(1))


def encode_mp3(
    pcm: Iterator[bytes],
    rate: int,
    out: Path,
    *,
    gain_db: float,
    bitrate: str,
    sample_rate: int,
    pad_to: int | None = None,
) -> None:
    """Apply gain and a peak limiter, resample and encode mono CBR MP3 (Xing/Info header) to `out`.

    With `pad_to`, the resampled audio is padded with silence (or cut) to exactly that many samples.
    """
    _run_with_input(
        encode_command(
            rate, str(out), gain_db=gain_db, bitrate=bitrate, sample_rate=sample_rate, pad_to=pad_to
        ),
        pcm,
    )


def encode_command(
    rate: int, out: str, *, gain_db: float, bitrate: str, sample_rate: int, pad_to: int | None = None
) -> list[str]:
    """The ffmpeg command of encode_mp3 (its settings also key the cache of encoded parts)."""
    ceiling = 10 ** (_LIMITER_CEILING_DB / 20)
    # latency=true keeps the limiter from delaying the audio, so chapter times stay exact.
    filters = [
        f"volume={gain_db:.2f}dB",
        f"alimiter=limit={ceiling:.4f}:attack=5:release=50:level=false:latency=true",
        f"aresample={sample_rate}" + (":resampler=soxr" if _has_soxr() else ""),
    ]
    if pad_to is not None:
        filters.append(f"apad=whole_len={pad_to},atrim=end_sample={pad_to}")
    audio_filter = ",".join(filters)
    return [
        ffmpeg_exe(),
        "-hide_banner",
        "-v",
        "error",
        "-y",
        "-f",
        "s16le",
        "-ar",
        str(rate),
        "-ac",
        "1",
        "-i",
        "pipe:0",
        "-af",
        audio_filter,
        "-ar",
        str(sample_rate),
        "-ac",
        "1",
        "-c:a",
        "libmp3lame",
        "-b:a",
        bitrate,
        "-write_xing",
        "1",
        "-id3v2_version",
        "0",
        "-write_id3v1",
        "0",
        "-map_metadata",
        "-1",
        "-f",
        "mp3",
        out,
    ]


@cache
def _has_soxr() -> bool:
    result = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-h", "filter=aresample"], capture_output=True, text=True
    )
    return "soxr" in result.stdout


def _run_with_input(cmd: list[str], chunks: Iterator[bytes]) -> str:
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stdin is not None and proc.stderr is not None
    err: list[bytes] = []
    reader = threading.Thread(target=lambda: err.append(proc.stderr.read()), daemon=True)
    reader.start()  # drain stderr while we write, or a chatty ffmpeg blocks on a full pipe
    try:
        for chunk in chunks:
            proc.stdin.write(chunk)
        proc.stdin.close()
    except BrokenPipeError:
        pass
    code = proc.wait()
    reader.join()
    stderr = b"".join(err).decode("utf-8", "replace")
    if code != 0:
        raise AudioError(f"ffmpeg failed (exit {code}): {stderr.strip()[-500:]}")
    return stderr
