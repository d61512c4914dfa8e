"""Integrated loudness (ITU-R BS.1770 / EBU R128) from per-segment energy profiles.

Each segment's K-weighted energy is computed once, when it is synthesized, as a profile of 10 ms
sums kept beside its audio in the cache. An episode's loudness is then the gated mean of 400 ms
blocks laid over those profiles: no pass over the episode's audio, so an edit that changes one
segment measures the whole episode again in milliseconds.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from functools import lru_cache

import numpy as np

HOPS_PER_SECOND = 100
"""Profile resolution: one energy sum per 10 ms."""
_BLOCK_HOPS = 40  # 400 ms gating blocks ...
_STEP_HOPS = 10  # ... every 100 ms (75 % overlap)
_ABSOLUTE_GATE = -70.0
_RELATIVE_GATE = -10.0
_TAIL_SECONDS = 0.2
"""The filter rings on after the speech; the profile runs on this long into the following pause."""

# The K-weighting filter of BS.1770 (its two biquads, specified at 48 kHz). ffmpeg's ebur128 filter
# resamples to 48 kHz and applies them there; applying their 48 kHz frequency response to the
# spectrum of band-limited speech is the same operation, done in the frequency domain.
_SHELF = ((1.53512485958697, -2.69169618940638, 1.19839281085285), (1.0, -1.69065929318241, 0.73248077421585))
_HIGH_PASS = ((1.0, -2.0, 1.0), (1.0, -1.99004745483398, 0.99007225036621))
_FILTER_RATE = 48000


def hop_frames(rate: int) -> int:
    return max(1, round(rate / HOPS_PER_SECOND))


def energy_profile(pcm: bytes, rate: int) -> np.ndarray:
    """Mean square of the K-weighted signal in each 10 ms hop (float64), from 16-bit mono PCM.

    The profile covers the audio plus a short tail, where the filter's response dies away.
    """
    samples = np.frombuffer(pcm, dtype="<i2").astype(np.float64) / 32768.0
    hop = hop_frames(rate)
    tail = round(_TAIL_SECONDS * rate)
    hops = -(-(len(samples) + tail) // hop)
    size = _fft_size(hops * hop + tail)  # room for the tail so the circular filter does not wrap
    spectrum = np.fft.rfft(samples, size) * _k_weighting(size, rate)
    weighted = np.fft.irfft(spectrum, size)[: hops * hop]
    return np.square(weighted).reshape(hops, hop).mean(axis=1)


def integrated_loudness(placed: Iterable[tuple[float, np.ndarray]], seconds: float) -> float:
    """Integrated loudness in LUFS, counting a mono signal as dual-mono (the stereo-equivalent figure).

    `placed` holds (start in seconds, energy profile) for every stretch of audio; the rest of the
    `seconds` is silence. Returns -inf for silence.
    """
    total_hops = max(_BLOCK_HOPS, math.ceil(seconds * HOPS_PER_SECOND))
    energy = np.zeros(total_hops)
    for start, profile in placed:
        first = round(start * HOPS_PER_SECOND)
        end = min(first + len(profile), total_hops)
        if end > first:
            energy[first:end] += profile[: end - first]
    blocks = (total_hops - _BLOCK_HOPS) // _STEP_HOPS + 1
    sums = np.concatenate([[0.0], np.cumsum(energy)])
    starts = np.arange(blocks) * _STEP_HOPS
    power = 2.0 * (sums[starts + _BLOCK_HOPS] - sums[starts]) / _BLOCK_HOPS  # dual-mono: x2
    with np.errstate(divide="ignore"):
        block_loudness = -0.691 + 10.0 * np.log10(power)
    gated = power[block_loudness > _ABSOLUTE_GATE]
    if gated.size == 0:
        return float("-inf")
    threshold = -0.691 + 10.0 * math.log10(gated.mean()) + _RELATIVE_GATE
    kept = power[(block_loudness > _ABSOLUTE_GATE) & (block_loudness > threshold)]
    return -0.691 + 10.0 * math.log10(kept.mean())


@lru_cache(maxsize=32)
def _k_weighting(size: int, rate: int) -> np.ndarray:
    """The filter's complex response at the bins of an rfft of `size` samples at `rate`."""
    z = np.exp(-2j * np.pi * np.fft.rfftfreq(size, d=1.0 / rate) / _FILTER_RATE)  # z^-1
    response = np.ones_like(z)
    for (b0, b1, b2), (a0, a1, a2) in (_SHELF, _HIGH_PASS):
        response *= (b0 + b1 * z + b2 * z * z) / (a0 + a1 * z + a2 * z * z)
    response.flags.writeable = False
    return response


def _fft_size(n: int) -> int:
    """2^k or 3 * 2^k, whichever is the smallest >= n: fast sizes, few enough to cache responses."""
    power = 1 << max(0, (n - 1).bit_length())
    return 3 * power // 4 if 3 * power // 4 >= n else power
