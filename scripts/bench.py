#!/usr/bin/env python3
"""Benchmark readcast builds: cold, no-op and one-sentence edit, against the issue's targets.

    python scripts/bench.py                      # all three sets (takes a few minutes)
    python scripts/bench.py --only sample --repeat 3
    python scripts/bench.py --json results.json
    python scripts/bench.py --src /path/to/older/checkout/src   # compare another version

Each set is built in a temporary folder by running the `readcast` CLI as a subprocess, so the
times are wall-clock times with process start included:

- sample: the repository's sample article, with the repository's readcast.toml;
- twelve: 12 generated articles of about three minutes each;
- hour: one generated article of about an hour of audio.

For each set it prints the cold build time, the no-op rebuild time, the one-sentence edit time
(and how many segments that edit synthesized), seconds of audio per second of cold build, and
peak memory of the build (resident memory summed over the build process and its children, sampled
every 20 ms). For the sample it also times the bare engine: hibari synthesizing the same text in
one call, in a fresh process (the call alone, and with its model loading).
With --repeat N the cold, no-op and edit builds run N times and the fastest run counts.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "content" / "what-happens-when-you-cry-in-therapy.txt"
SAMPLE_EDIT = (
    "They help your therapist understand your experience more deeply.",
    "They help your therapist understand your experience more fully.",
)

TARGETS = {
    "cold_x_realtime_min": 40.0,
    "cold_vs_bare_engine_max": 1.6,
    "noop_sample_max_s": 1.5,
    "noop_twelve_max_s": 2.0,
    "edit_vs_cold_max": 0.35,
    "hour_peak_mb_max": 800.0,
}


@dataclass
class Result:
    name: str
    articles: int
    audio_seconds: float = 0.0
    cold_s: float = 0.0
    noop_s: float = 0.0
    edit_s: float = 0.0
    edit_synthesized: int = -1
    noop_synthesized: int = -1
    x_realtime: float = 0.0
    peak_mb: float = 0.0
    bare_engine_s: float | None = None
    bare_engine_with_load_s: float | None = None
    runs: dict[str, list[float]] = field(default_factory=dict)


# -- generated articles ----------------------------------------------------------------------
_SUBJECTS = [
    "The river",
    "A young teacher",
    "The old bridge",
    "Every morning the market",
    "The ferry captain",
    "A small library",
    "The night train",
    "Our neighbour",
    "The city council",
    "A patient gardener",
    "The harbour master",
    "The choir",
]
_VERBS = [
    "remembers",
    "carries",
    "changes",
    "watches",
    "repairs",
    "explains",
    "follows",
    "welcomes",
    "measures",
    "protects",
    "describes",
    "questions",
]
_OBJECTS = [
    "the quiet streets",
    "a box of letters",
    "the afternoon light",
    "every small detail",
    "the long winter",
    "a forgotten recipe",
    "the first visitors",
    "an unusual map",
    "the sound of the bells",
    "three careful notes",
    "the view from the hill",
    "the rules of the game",
]
_TAILS = [
    "before anyone else is awake",
    "with surprising patience",
    "in the spring",
    "as the tide goes out",
    "when the lamps come on",
    "without saying a word",
    "after the long meeting",
    "for the rest of the week",
    "despite the rain",
    "because it matters to them",
    "on the way home",
    "at the end of the season",
]


def _sentence(rng: random.Random) -> str:
    return f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)} {rng.choice(_TAILS)}."


def generated_article(seed: int, title: str, characters: int) -> str:
    """A Markdown article of about `characters` characters: sections of short paragraphs."""
    rng = random.Random(seed)
    parts = [f"---\ntitle: {title}\ndate: 2024-01-{1 + seed % 28:02d}\n---\n"]
    size = paragraphs = 0
    while size < characters:
        if paragraphs % 6 == 5:
            parts.append(f"## Part {paragraphs // 6 + 1}\n")
        text = " ".join(_sentence(rng) for _ in range(rng.randint(2, 4)))
        parts.append(text + "\n")
        size += len(text)
        paragraphs += 1
    return "\n".join(parts)


def make_project(root: Path, name: str) -> tuple[Path, Path, tuple[str, str]]:
    """A project folder for set `name`; returns (project, article to edit, (old, new) text)."""
    project = root / name
    (project / "content").mkdir(parents=True)
    shutil.copy(REPO / "readcast.toml", project / "readcast.toml")
    if name == "sample":
        shutil.copy(SAMPLE, project / "content" / SAMPLE.name)
        return project, project / "content" / SAMPLE.name, SAMPLE_EDIT
    if name == "twelve":
        for n in range(12):
            path = project / "content" / f"article-{n + 1:02d}.md"
            path.write_text(generated_article(n, f"Article {n + 1}", 2500), encoding="utf-8")
        target = project / "content" / "article-06.md"
    else:
        target = project / "content" / "one-hour.md"
        target.write_text(generated_article(100, "One Hour", 50000), encoding="utf-8")
    body = target.read_text(encoding="utf-8").split("---\n", 2)[2]
    paragraphs = [line for line in body.split("\n") if line and not line.startswith("#")]
    sentence = paragraphs[len(paragraphs) // 2].split(". ")[0] + "."
    edited = sentence.replace(" the ", " our ", 1) if " the " in sentence else sentence[:-1] + " again."
    return project, target, (sentence, edited)


# -- running builds ---------------------------------------------------------------------------
class PeakMemory:
    """Samples the resident memory of a process and all its descendants (Linux /proc)."""

    def __init__(self, pid: int, interval: float = 0.02) -> None:
        self.pid, self.interval, self.peak = pid, interval, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak / 2**20

    def _run(self) -> None:
        page = os.sysconf("SC_PAGE_SIZE")
        while not self._stop.is_set():
            children: dict[int, list[int]] = {}
            rss: dict[int, int] = {}
            for entry in os.scandir("/proc"):
                if not entry.name.isdigit():
                    continue
                try:
                    with open(f"/proc/{entry.name}/stat", "rb") as f:
                        fields = f.read().rsplit(b")", 1)[1].split()
                except OSError:
                    continue
                pid = int(entry.name)
                children.setdefault(int(fields[1]), []).append(pid)
                rss[pid] = int(fields[21]) * page
            total, todo = 0, [self.pid]
            while todo:
                pid = todo.pop()
                total += rss.get(pid, 0)
                todo.extend(children.get(pid, []))
            self.peak = max(self.peak, total)
            self._stop.wait(self.interval)


READCAST = ["readcast"]
"""The command that runs readcast (--src makes it `python -m readcast` from another checkout)."""
ENV = dict(os.environ)


def run_build(project: Path, *args: str, measure_memory: bool = False) -> tuple[float, dict, float]:
    """(wall seconds, --json report, peak MB) of `readcast build PROJECT --json ARGS`."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [*READCAST, "build", str(project), "--json", *args],
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    memory = PeakMemory(proc.pid) if measure_memory and sys.platform.startswith("linux") else None
    out, err = proc.communicate()
    wall = time.perf_counter() - started
    peak = memory.stop() if memory else 0.0
    if proc.returncode != 0:
        raise SystemExit(f"readcast build {project} failed:\n{err}")
    return wall, json.loads(out), peak


def bare_engine(project: Path) -> tuple[float, float]:
    """(seconds for one call, seconds including model loading) of hibari on the same text."""
    code = textwrap.dedent(f"""
        import json, time
        t0 = time.perf_counter()
        from hibari import Hibari
        from readcast.oneoff import script_for_file
        from pathlib import Path
        text = "\\n".join(s.spoken for p in sorted(Path({str(project / "content")!r}).iterdir())
                          for s in script_for_file(p).segments)
        t1 = time.perf_counter()
        tts = Hibari(threads=1)
        tts("Warm up.")
        t2 = time.perf_counter()
        tts(text, seed=0)
        t3 = time.perf_counter()
        print(json.dumps([t3 - t2, (t3 - t2) + (t2 - t1)]))
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    call, with_load = json.loads(out.stdout)
    return call, with_load


def bench(root: Path, name: str, repeat: int) -> Result:
    project, article, (old, new) = make_project(root, name)
    result = Result(name, articles=len(list((project / "content").iterdir())))
    colds, noops, edits = [], [], []
    original = article.read_text(encoding="utf-8")
    if old not in original:
        raise SystemExit(f"{article}: the sentence to edit is not there: {old!r}")
    for run in range(repeat):
        article.write_text(original, encoding="utf-8")
        shutil.rmtree(project / ".readcast", ignore_errors=True)
        shutil.rmtree(project / "output", ignore_errors=True)
        wall, report, peak = run_build(project, measure_memory=True)
        colds.append(wall)
        result.peak_mb = max(result.peak_mb, peak)
        result.audio_seconds = sum(e["audio_seconds"] for e in report["episodes"])
        wall, report, _ = run_build(project)
        noops.append(wall)
        result.noop_synthesized = sum(e["synthesized"] for e in report["episodes"])
        article.write_text(original.replace(old, new, 1), encoding="utf-8")
        wall, report, _ = run_build(project)
        edits.append(wall)
        result.edit_synthesized = sum(e["synthesized"] for e in report["episodes"])
        print(
            f"  {name} run {run + 1}: cold {colds[-1]:.2f} s, no-op {noops[-1]:.2f} s, "
            f"edit {edits[-1]:.2f} s",
            file=sys.stderr,
        )
    result.cold_s, result.noop_s, result.edit_s = min(colds), min(noops), min(edits)
    result.runs = {"cold": colds, "noop": noops, "edit": edits}
    result.x_realtime = result.audio_seconds / result.cold_s
    if name == "sample":
        article.write_text(original, encoding="utf-8")
        timings = [bare_engine(project) for _ in range(repeat)]
        result.bare_engine_s = min(t[0] for t in timings)
        result.bare_engine_with_load_s = min(t[1] for t in timings)
    return result


def report(results: list[Result]) -> list[str]:
    lines = [
        f"{'set':<8}{'audio':>9}{'cold':>8}{'x rt':>7}{'no-op':>8}{'edit':>8}{'edit/cold':>10}"
        f"{'synth':>7}{'peak MB':>9}"
    ]
    for r in results:
        lines.append(
            f"{r.name:<8}{r.audio_seconds:>8.0f}s{r.cold_s:>7.2f}s{r.x_realtime:>6.0f}x"
            f"{r.noop_s:>7.2f}s{r.edit_s:>7.2f}s{r.edit_s / r.cold_s:>9.0%}"
            f"{r.edit_synthesized:>7}{r.peak_mb:>9.0f}"
        )
    checks: list[tuple[str, bool]] = []
    by_name = {r.name: r for r in results}
    if "sample" in by_name:
        s = by_name["sample"]
        lines.append(
            f"bare engine on the sample text: {s.bare_engine_s:.2f} s for the call, "
            f"{s.bare_engine_with_load_s:.2f} s with model loading; cold build = "
            f"{s.cold_s / s.bare_engine_s:.2f}x the call, "
            f"{s.cold_s / s.bare_engine_with_load_s:.2f}x with loading"
        )
        checks += [
            (
                f"sample cold >= {TARGETS['cold_x_realtime_min']:.0f}x realtime",
                s.x_realtime >= TARGETS["cold_x_realtime_min"],
            ),
            (
                f"sample cold <= {TARGETS['cold_vs_bare_engine_max']}x bare engine call",
                s.cold_s <= TARGETS["cold_vs_bare_engine_max"] * s.bare_engine_s,
            ),
            (f"sample no-op < {TARGETS['noop_sample_max_s']} s", s.noop_s < TARGETS["noop_sample_max_s"]),
            (
                f"sample edit <= {TARGETS['edit_vs_cold_max']:.0%} of cold",
                s.edit_s <= TARGETS["edit_vs_cold_max"] * s.cold_s,
            ),
            ("sample edit synthesized exactly 1 segment", s.edit_synthesized == 1),
            ("sample no-op synthesized nothing", s.noop_synthesized == 0),
        ]
    if "twelve" in by_name:
        t = by_name["twelve"]
        checks += [
            (
                f"12 articles no-op < {TARGETS['noop_twelve_max_s']} s",
                t.noop_s < TARGETS["noop_twelve_max_s"],
            ),
            ("12 articles edit synthesized exactly 1 segment", t.edit_synthesized == 1),
        ]
    if "hour" in by_name:
        h = by_name["hour"]
        checks.append(
            (
                f"one-hour article peak memory < {TARGETS['hour_peak_mb_max']:.0f} MB",
                h.peak_mb < TARGETS["hour_peak_mb_max"],
            )
        )
    lines += [f"{'PASS' if ok else 'FAIL'}  {label}" for label, ok in checks]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--only",
        choices=["sample", "twelve", "hour"],
        action="append",
        help="Run only this set (repeatable).",
    )
    parser.add_argument("--repeat", type=int, default=1, help="Runs per set; the fastest counts.")
    parser.add_argument("--json", type=Path, help="Also write the figures to this file.")
    parser.add_argument("--keep", action="store_true", help="Keep the temporary projects.")
    parser.add_argument(
        "--src",
        type=Path,
        help="Benchmark the readcast package in this folder (e.g. an older "
        "checkout's src/) instead of the installed one.",
    )
    args = parser.parse_args()
    if args.src:
        READCAST[:] = [sys.executable, "-m", "readcast"]
        ENV["PYTHONPATH"] = os.pathsep.join([str(args.src.resolve()), ENV.get("PYTHONPATH", "")])
    elif shutil.which("readcast") is None:
        raise SystemExit("the readcast command is not on PATH: pip install -e . first")
    root = Path(tempfile.mkdtemp(prefix="readcast-bench-"))
    results = []
    try:
        for name in args.only or ["sample", "twelve", "hour"]:
            print(f"building {name} ...", file=sys.stderr)
            results.append(bench(root, name, args.repeat))
    finally:
        if args.keep:
            print(f"projects kept in {root}", file=sys.stderr)
        else:
            shutil.rmtree(root, ignore_errors=True)
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at the end")
    print("\n".join(report(results)))
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=2) + "\n")


if __name__ == "__main__":
    main()
