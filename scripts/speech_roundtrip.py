"""Build articles with the real pipeline, listen to them with Whisper, and report per article.

For each article: WER and sentence coverage against the written transcript (what the author
wrote) and against the spoken script (what readcast asked the engine to say), any URL heard
spelled out character by character, and any of the --absent phrases (page chrome) that was heard.
The method is scripts/asr.py's (Whisper tiny.en, whisper-normalizer, jiwer).

    python scripts/speech_roundtrip.py                      # the sample and tests/articles/*
    python scripts/speech_roundtrip.py my-article.md --absent "subscribe" --json

Needs the ``asr`` extra: ``pip install -e ".[asr]"``.
"""

# ruff: noqa: T201 (a command-line tool: it reports on stdout)
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))

import asr  # noqa: E402

from readcast.build import BuildOptions, build  # noqa: E402
from readcast.oneoff import script_for_file  # noqa: E402

DEFAULT_ABSENT = [  # the chrome of the HTML pages in tests/articles
    "coastline weekly",
    "subscribe",
    "advertisement",
    "brightsmile",
    "related stories",
    "beaches",
    "lighthouse",
    "share on",
    "email this story",
    "copyright",
    "rights reserved",
    "privacy",
    "cookie",
    "skip to content",
    "newsletter",
    "about us",
    "leaf notes",
    "powered by",
]
URL_SPELLED = ["h t t p", "w w w", "slash slash", "https", "http", "colon slash"]


def measure(articles: list[Path], absent: list[str]) -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="readcast-roundtrip-") as tmp:
        project = Path(tmp)
        (project / "content").mkdir()
        shutil.copy(REPO / "readcast.toml", project / "readcast.toml")
        for article in articles:
            shutil.copy(article, project / "content" / article.name)
        report = build(project, BuildOptions())
        results = []
        for episode in report.episodes:
            if episode.status == "failed":
                results.append({"slug": episode.slug, "error": episode.error})
                continue
            mp3 = Path(episode.mp3 or "")
            written = mp3.with_suffix(".txt").read_text(encoding="utf-8")
            segments = script_for_file(project / episode.source).segments
            spoken = "\n".join(s.spoken for s in segments)
            heard = asr.transcribe(mp3)
            normalized = asr.normalize(heard)
            by_written, by_spoken = asr.score(written, heard), asr.score(spoken, heard)
            # A segment is heard when all its sentences are found, as written or as spoken (Whisper
            # writes "9:45 p.m." for "nine forty-five p.m.", and "ferries@coast..." for an address).
            unheard = [
                s.written or s.spoken
                for s in segments
                if asr.missing_sentences(asr.split_sentences(s.written), heard)
                and asr.missing_sentences(asr.split_sentences(s.spoken), heard)
            ]
            results.append(
                {
                    "slug": episode.slug,
                    "seconds": episode.audio_seconds,
                    "segments_heard": f"{len(segments) - len(unheard)}/{len(segments)}",
                    "segments_unheard": unheard,
                    "wer_written": round(by_written.wer, 4),
                    "coverage_written": round(by_written.coverage, 4),
                    "missing_written": by_written.missing,
                    "wer_spoken": round(by_spoken.wer, 4),
                    "coverage_spoken": round(by_spoken.coverage, 4),
                    "missing_spoken": by_spoken.missing,
                    "url_spelled": [s for s in URL_SPELLED if f" {s} " in f" {normalized} "],
                    "absent_heard": [p for p in absent if p in normalized],
                    "transcript": heard,
                }
            )
        return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("articles", nargs="*", type=Path)
    parser.add_argument(
        "--absent",
        action="append",
        help="a phrase that must not be heard (repeatable; default: the chrome of the test pages)",
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    articles = args.articles or [
        *sorted((REPO / "content").glob("*.txt")),
        *sorted((REPO / "tests" / "articles").iterdir()),
    ]
    results = measure(articles, [p.lower() for p in (args.absent or DEFAULT_ABSENT)])
    if args.json:
        print(json.dumps(results, indent=2, ensure_ascii=False))
        return 0
    print(f"{'article':40} {'WER written':>11} {'WER spoken':>10} {'segments heard':>14}  notes")
    for r in results:
        if "error" in r:
            print(f"{r['slug']:40} failed: {r['error']}")
            continue
        notes = [f"unheard: {s}" for s in r["segments_unheard"]]
        notes += [f"URL spelled: {s}" for s in r["url_spelled"]]
        notes += [f"chrome heard: {s}" for s in r["absent_heard"]]
        print(
            f"{r['slug']:40} {r['wer_written']:>11.1%} {r['wer_spoken']:>10.1%} "
            f"{r['segments_heard']:>14}  {'; '.join(notes)}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
