"""Join separately encoded stretches of CBR MP3 into one file with a correct Info (LAME) header.

Each part is encoded on its own by ffmpeg/LAME, starting and ending in silence. Its frames can be
concatenated with the next part's: each part's first frame reserves no bits from earlier frames,
and the seam lies in digital silence. What must be redone is the Info frame at the start of the
file, which describes the whole stream: frame and byte counts, the seek table, the encoder delay
and end padding (for gapless players) and two CRCs. It is rebuilt here the way ffmpeg's MP3 muxer
writes it (libavformat/mp3enc.c), so a file made of one part equals what ffmpeg wrote.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from functools import cache

import numpy as np

from ..errors import AudioError
from .cache import EncodedPart

_BITRATES_KBPS = {  # Layer III, by MPEG version bits
    3: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    2: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}
_TOC_SIZE = 100
_BAGS = 400
_TAG_CRC_SPAN = 190


def samples_per_frame(sample_rate: int) -> int:
    """MP3 frame length in samples: 1152 for MPEG-1 rates (32 kHz and up), 576 below."""
    return 1152 if sample_rate >= 32000 else 576


def _header(data: bytes, offset: int) -> tuple[int, int, int, int]:
    """(MPEG version bits, bitrate in kbps, sample rate, frame length in bytes) of a Layer III frame."""
    b1, b2 = data[offset + 1], data[offset + 2]
    if data[offset] != 0xFF or (b1 & 0xE0) != 0xE0 or (b1 >> 1) & 3 != 1:
        raise AudioError(f"not an MPEG layer III frame at byte {offset}")
    version = (b1 >> 3) & 3
    table = _BITRATES_KBPS[3 if version == 3 else 2]
    bitrate, rate_index = table[(b2 >> 4) & 15], (b2 >> 2) & 3
    if bitrate == 0 or rate_index == 3 or version == 1:
        raise AudioError(f"unsupported MPEG frame header at byte {offset}")
    rate = _RATES[version][rate_index]
    per_frame = 144000 if version == 3 else 72000
    length = per_frame * bitrate // rate + ((b2 >> 1) & 1)
    return version, bitrate, rate, length


def _xing_offset(frame: bytes) -> int:
    version = (frame[1] >> 3) & 3
    mono = (frame[3] >> 6) == 3
    side_info = (17 if mono else 32) if version == 3 else (9 if mono else 17)
    return 4 + side_info


def split_info_frame(data: bytes) -> EncodedPart:
    """Split an ffmpeg-written MP3 (no ID3 tag) into its Info frame and the frames after it."""
    *_, info_length = _header(data, 0)
    info = data[:info_length]
    xo = _xing_offset(info)
    if info[xo : xo + 4] not in (b"Info", b"Xing"):
        raise AudioError("the encoder wrote no Info header; readcast needs ffmpeg's mp3 muxer")
    frames = struct.unpack_from(">I", info, xo + 8)[0]
    delay_padding = int.from_bytes(info[xo + 141 : xo + 144], "big")
    return EncodedPart(info, data[info_length:], frames, delay_padding >> 12, delay_padding & 0xFFF)


def frame_sizes(audio: bytes) -> list[int]:
    """Length in bytes of each MP3 frame in `audio`."""
    sizes = []
    offset = 0
    while offset < len(audio):
        length = _header(audio, offset)[3]
        sizes.append(length)
        offset += length
    if offset != len(audio):
        raise AudioError("MP3 data ends in the middle of a frame")
    return sizes


def join(parts: Sequence[EncodedPart], padding: int) -> bytes:
    """One MP3 stream: a fresh Info frame, then every part's frames.

    `padding` is the number of samples a gapless player drops at the end (after the last sound).
    """
    if not parts:
        raise AudioError("nothing to join")
    info = bytearray(parts[0].info_frame)
    xo = _xing_offset(info)
    audio = b"".join(part.audio for part in parts)
    sizes = frame_sizes(audio)
    total = len(info) + len(audio)
    struct.pack_into(">II", info, xo + 8, len(sizes), total)
    info[xo + 16 : xo + 16 + _TOC_SIZE] = _toc(len(info), sizes)
    if not 0 <= padding < 1 << 12:
        raise AudioError(f"end padding of {padding} samples does not fit the LAME header")
    info[xo + 141 : xo + 144] = ((parts[0].delay << 12) | padding).to_bytes(3, "big")
    struct.pack_into(">IH", info, xo + 148, total, crc16(audio))
    struct.pack_into(">H", info, xo + 154, 0)
    struct.pack_into(">H", info, xo + 154, crc16(bytes(info[:_TAG_CRC_SPAN])))
    return bytes(info) + audio


def _toc(info_length: int, sizes: list[int]) -> bytes:
    """The Xing seek table, computed as ffmpeg's muxer does (LAME's VbrTag.c bag scheme)."""
    bags = [0] * _BAGS
    want, seen, pos, size = 1, 0, 0, info_length
    for length in sizes:
        seen += 1
        size += length
        if seen == want:
            bags[pos] = size
            pos += 1
            if pos == _BAGS:
                for i in range(1, _BAGS, 2):
                    bags[i >> 1] = bags[i]
                want *= 2
                pos = _BAGS // 2
            seen = 0
    toc = bytearray(_TOC_SIZE)
    for i in range(1, _TOC_SIZE):
        toc[i] = min(255, 256 * bags[i * pos // _TOC_SIZE] // size)
    return bytes(toc)


# -- CRC-16 (ANSI, reflected: polynomial 0xA001, initial value 0), as ffmpeg's AV_CRC_16_ANSI_LE --
@cache
def _crc_table() -> np.ndarray:
    table = np.zeros(256, dtype=np.uint16)
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
        table[byte] = crc
    return table


@cache
def _zero_shift_tables(length: int) -> tuple[list[int], list[int]]:
    """Tables for the CRC of a value followed by `length` zero bytes (a linear map on 16 bits)."""
    table = _crc_table()
    basis = np.array([1 << bit for bit in range(16)], dtype=np.uint16)
    for _ in range(length):
        basis = (basis >> 8) ^ table[basis & 0xFF]
    columns = [int(v) for v in basis]
    low, high = [0] * 256, [0] * 256
    for value in range(256):
        for bit in range(8):
            if value >> bit & 1:
                low[value] ^= columns[bit]
                high[value] ^= columns[bit + 8]
    return low, high


def crc16(data: bytes, lanes: int = 2048) -> int:
    """CRC-16/ARC of `data`, computed on `lanes` stretches at once and then combined.

    With a zero initial value, leading zero bytes do not change the CRC, so the data is padded at
    the front to a multiple of `lanes`; then crc(A + B) = shift(crc(A), len(B)) ^ crc(B).
    """
    if len(data) < 4 * lanes:
        lanes = 1
    table = _crc_table()
    length = -(-len(data) // lanes)
    padded = np.zeros(lanes * length, dtype=np.uint8)
    padded[lanes * length - len(data) :] = np.frombuffer(data, dtype=np.uint8)
    columns = padded.reshape(lanes, length).T.copy()  # row j: byte j of every lane
    crc = np.zeros(lanes, dtype=np.uint16)
    for row in columns:
        crc = (crc >> 8) ^ table[(crc ^ row) & 0xFF]
    if lanes == 1:
        return int(crc[0])
    low, high = _zero_shift_tables(length)
    total = 0
    for value in crc.tolist():
        total = low[total & 0xFF] ^ high[total >> 8] ^ value
    return total
