"""Each episode's MP3: the audio stream (A-), its ID3 tag and ID3 chapters (M-), loudness."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from ..errors import ReadcastError
from .context import Context

V24_ONLY_FRAMES = {
    "TDRC",
    "TDRL",
    "TDOR",
    "TDEN",
    "TDTG",
    "TIPL",
    "TMCL",
    "TMOO",
    "TPRO",
    "TSOA",
    "TSOP",
    "TSOT",
    "TSST",
    "ASPI",
    "EQU2",
    "RVA2",
    "SEEK",
    "SIGN",
}
LOUDNESS_TOLERANCE = 1.0
TRUE_PEAK_MAX = -1.0


def check_mp3(ctx: Context, path: Path, duration: float | None, chapters_path: Path | None) -> None:
    from mutagen import MutagenError
    from mutagen.id3 import ID3, ID3NoHeaderError
    from mutagen.mp3 import MP3, BitrateMode

    name = ctx.rel(path)
    try:
        info = MP3(path).info
    except MutagenError as exc:
        ctx.error("A-10", name, f"not a readable MP3 ({exc})", "build again with --force")
        return
    if info.bitrate_mode != BitrateMode.CBR:
        ctx.error(
            "A-12",
            name,
            "not constant bitrate: players seek inaccurately in VBR files",
            "build again with --force (readcast encodes CBR)",
        )
    if info.sample_rate not in (44100, 48000):
        ctx.warning(
            "A-11",
            name,
            f"sample rate {info.sample_rate} Hz; Apple recommends 44.1 or 48 kHz",
            "set [audio] sample_rate = 44100",
        )
    if duration is not None and abs(info.length - duration) > 1.0:
        ctx.error(
            "F-34",
            name,
            f"<itunes:duration> says {duration:.0f} s, the file lasts {info.length:.1f} s",
            "build again",
        )
    data = path.read_bytes()
    _id3_layout(ctx, data, name)
    if not re.search(rb"Info|Xing", data[_id3_size(data) : _id3_size(data) + 400]):
        ctx.warning(
            "A-13", name, "no Xing/Info header: players estimate the duration", "build again with --force"
        )
    try:
        tags = ID3(path, translate=False)
    except ID3NoHeaderError:
        ctx.error("M-01", name, "no ID3 tag", "build again with --force")
        return
    leaked = sorted(V24_ONLY_FRAMES & {f.FrameID for f in tags.values()})
    if leaked:
        ctx.error(
            "M-01",
            name,
            f"ID3v2.4-only frames in the tag: {', '.join(leaked)}",
            "build again with --force (readcast writes ID3v2.3)",
        )
    if str(tags.get("TCON", "")) != "Podcast":
        ctx.warning("M-03", name, "genre (TCON) is not Podcast", "build again with --force")
    if not tags.getall("APIC"):
        ctx.warning("M-04", name, "no cover art (APIC) in the tag", "build again with --force")
    _id3_chapters(ctx, tags, info.length, name, chapters_path)
    entry = {"duration": round(info.length, 3)}
    if ctx.measure_audio:
        _loudness(ctx, path, name, entry)
    ctx.report.audio[name] = entry


def _id3_layout(ctx: Context, data: bytes, name: str) -> None:
    if data[:3] != b"ID3":
        ctx.error("M-02", name, "the ID3v2 tag is not at the start of the file", "build again with --force")
        return
    if data[3] != 3:
        ctx.error(
            "M-01",
            name,
            f"ID3v2.{data[3]} tag; ID3v2.3 is the one every player reads",
            "build again with --force",
        )
    if data[5] != 0:
        ctx.warning(
            "M-02",
            name,
            "ID3 header flags are set (unsynchronisation or extended header); simple readers skip such tags",
            "build again with --force",
        )
    if data[-128:-125] == b"TAG":
        ctx.error(
            "M-02",
            name,
            "an ID3v1 tag at the end of the file",
            "build again with --force (readcast writes no ID3v1)",
        )


def _id3_chapters(ctx: Context, tags: Any, length: float, name: str, chapters_path: Path | None) -> None:
    chaps = {f.element_id: f for f in tags.getall("CHAP")}
    tocs = tags.getall("CTOC")
    if not chaps and not tocs:
        if chapters_path is not None:
            ctx.error(
                "M-08",
                name,
                "the episode has JSON chapters but no ID3 chapters",
                "build again with --force",
            )
        return
    top = [t for t in tocs if t.flags & 2]
    if len(top) != 1:
        ctx.error(
            "M-07",
            name,
            f"{len(top)} top-level CTOC frames, expected exactly 1",
            "build again with --force",
        )
        return
    children = list(top[0].child_element_ids)
    if not children:
        ctx.error("M-07", name, "the top-level CTOC lists no chapters", "build again with --force")
        return
    missing = [c for c in children if c not in chaps]
    if missing:
        ctx.error(
            "M-07",
            name,
            f"CTOC lists chapters with no CHAP frame: {', '.join(missing)}",
            "build again with --force",
        )
        return
    ordered = [chaps[c] for c in children]
    starts = [c.start_time for c in ordered]
    if starts != sorted(starts) or starts[0] != 0:
        ctx.error("M-07", name, "CHAP start times are not ascending from 0", "build again with --force")
    for chap in ordered:
        title = chap.sub_frames.get("TIT2")
        if title is None:
            ctx.error(
                "M-07", name, f"chapter {chap.element_id} has no title (TIT2)", "build again with --force"
            )
        if chap.end_time <= chap.start_time or chap.end_time > length * 1000 + 1000:
            ctx.error(
                "M-07",
                name,
                f"chapter {chap.element_id} ends at {chap.end_time} ms, "
                f"outside {chap.start_time} ms .. the file's end",
                "build again with --force",
            )
    if chapters_path is None:
        return
    try:
        json_chapters = json.loads(chapters_path.read_text(encoding="utf-8"))["chapters"]
        from_json = [
            (round(float(c["startTime"]) * 1000), c.get("title", ""))
            for c in json_chapters
            if c.get("toc", True)
        ]
    except (ValueError, KeyError, TypeError, AttributeError):
        return  # reported by the chapters check
    from_id3 = [(c.start_time, str(c.sub_frames.get("TIT2", ""))) for c in ordered]
    if len(from_json) != len(from_id3) or any(
        abs(a[0] - b[0]) > 1 or a[1] != b[1] for a, b in zip(from_json, from_id3, strict=True)
    ):
        ctx.error(
            "M-08",
            name,
            f"the ID3 chapters differ from {ctx.rel(chapters_path)}",
            "build again with --force so both come from the same timeline",
        )


def _loudness(ctx: Context, path: Path, name: str, entry: dict[str, float]) -> None:
    from ..audio.ffmpeg import measure_file

    try:
        loudness, peak = measure_file(path)
    except ReadcastError as exc:
        ctx.error("A-01", name, str(exc), "build again with --force")
        return
    entry.update(loudness=loudness, true_peak=peak)
    if abs(loudness - ctx.loudness) > LOUDNESS_TOLERANCE:
        ctx.error(
            "A-01",
            name,
            f"integrated loudness {loudness:.1f} LUFS (as dual-mono), "
            f"target {ctx.loudness:.1f} ±{LOUDNESS_TOLERANCE:.0f} LU",
            "build again with --force; check [audio] loudness",
        )
    if peak > TRUE_PEAK_MAX:
        ctx.error(
            "A-02",
            name,
            f"true peak {peak:.1f} dBTP is above {TRUE_PEAK_MAX:.0f} dBTP",
            "build again with --force",
        )


def _id3_size(data: bytes) -> int:
    if data[:3] != b"ID3" or len(data) < 10:
        return 0
    size = 0
    for byte in data[6:10]:
        size = (size << 7) | (byte & 0x7F)
    return 10 + size
