"""A build killed at any point leaves a consistent site, and the next build finishes the job."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import unquote

import pytest
from conftest import Project, published_bytes
from lxml import etree

from readcast.build import BuildOptions, build

BASE = "https://podcast.example.org/show/"
HARBOUR = """\
---
title: Harbour Lights
date: 2024-05-01
---
The harbour lights come on one by one as the boats return.

A keeper walks the pier at dusk and checks every lamp.
"""
HARBOUR_EDITED = HARBOUR.replace("every lamp", "each lamp")
FERRY = """\
---
title: The Night Ferry
date: 2024-05-02
---
The last ferry leaves at eleven and crosses in twenty minutes.
"""
BAKERY = """\
---
title: The Early Bakery
date: 2024-05-03
---
The bakery on the quay opens before the fishermen go out.
"""
BEFORE = {"harbour.md": HARBOUR, "ferry.md": FERRY}
AFTER = {"harbour.md": HARBOUR_EDITED, "bakery.md": BAKERY}  # one edited, one removed, one new


def make(root: Path, articles: dict[str, str]) -> Project:
    project = Project.create(root)
    for name, text in articles.items():
        project.write(name, text)
    return project


@pytest.fixture(scope="module")
def clean_builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Projects built from scratch without interruption, before and after the changes."""
    roots = {}
    for name, articles in (("before", BEFORE), ("after", AFTER)):
        project = make(tmp_path_factory.mktemp(name) / "proj", articles)
        assert not build(project.root, BuildOptions(jobs=1)).failed
        roots[name] = project.root
    return roots


def start_build(root: Path, **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "readcast", "build", str(root), "--jobs", "2"],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def assert_feed_is_consistent(root: Path) -> None:
    """Whatever the feed lists exists: a killed build never leaves a link to a missing file."""
    feed = root / "output" / "feed.xml"
    if not feed.exists():
        return
    urls = [
        el.get(attr)
        for el in etree.fromstring(feed.read_bytes()).iter()
        for attr in ("url", "href")
        if (el.get(attr) or "").startswith(BASE)
    ]
    assert urls
    for url in urls:
        relative = unquote(url[len(BASE) :])
        if relative not in ("feed.xml", "index.html"):
            assert (root / "output" / relative).is_file(), relative


def assert_no_process_left(root: Path) -> None:
    """Synthesis workers die with the build (they would otherwise keep working, and the lock)."""
    deadline = time.monotonic() + 5
    while True:
        survivors = []
        for entry in Path("/proc").iterdir():
            try:
                if str(root).encode() in (entry / "cmdline").read_bytes():
                    survivors.append(entry.name)
            except OSError:
                continue
        if not survivors or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert survivors == []


@pytest.mark.parametrize("point", ["synthesized", "encoded", "published", "feed", "cleaned"])
def test_rebuild_after_a_kill_at_each_stage_equals_a_clean_build(
    point: str, tmp_path: Path, clean_builds
) -> None:
    project = Project(tmp_path / "proj")
    shutil.copytree(clean_builds["before"], project.root)  # built before the changes
    for name in BEFORE:
        (project.content / name).unlink()
    for name, text in AFTER.items():
        project.write(name, text)

    killed = start_build(project.root, READCAST_CRASH_AT=point)
    killed.communicate(timeout=120)
    assert killed.returncode == -signal.SIGKILL
    assert_no_process_left(project.root)
    assert_feed_is_consistent(project.root)

    report = project.build()  # right away: no stale lock, no leftover temp file
    assert not report.failed
    assert published_bytes(project.root) == published_bytes(clean_builds["after"])


def entries(root: Path, kind: str) -> int:
    return sum(1 for _ in (root / ".readcast" / "cache" / kind).glob("*/*.*"))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize(
    "moment",
    [
        lambda root: entries(root, "segments") >= 3,  # while workers synthesize
        lambda root: entries(root, "parts") >= 1,  # while parts are encoded
        lambda root: any((root / "output" / "episodes").glob("*.mp3")),  # while episodes are written
    ],
    ids=["synthesizing", "encoding", "writing"],
)
def test_a_cold_build_killed_midway_then_rerun_equals_a_clean_build(
    moment, tmp_path: Path, clean_builds
) -> None:
    project = make(tmp_path / "proj", BEFORE)
    running = start_build(project.root)
    deadline = time.monotonic() + 60
    while not moment(project.root):
        assert running.poll() is None and time.monotonic() < deadline
        time.sleep(0.002)
    running.send_signal(signal.SIGKILL)
    running.communicate(timeout=60)
    assert running.returncode == -signal.SIGKILL  # it was stopped midway, not after the end
    assert_no_process_left(project.root)
    assert_feed_is_consistent(project.root)
    assert not project.build().failed
    assert published_bytes(project.root) == published_bytes(clean_builds["before"])


def test_a_second_build_at_the_same_time_stops_with_a_clear_message(tmp_path: Path, clean_builds) -> None:
    project = make(tmp_path / "proj", BEFORE)
    first = start_build(project.root)
    lock = project.root / ".readcast" / "build.lock"
    deadline = time.monotonic() + 30
    while not (lock.exists() and lock.read_text().strip() == str(first.pid)):
        assert time.monotonic() < deadline and first.poll() is None
        time.sleep(0.02)

    second = project.cli("build", str(project.root))
    assert second.exit_code == 1
    assert second.stderr.strip() == (
        f"error: another readcast build of this project is running (pid {first.pid}). Wait for "
        "it to finish and run the command again."
    )
    first.communicate(timeout=120)
    assert first.returncode == 0
    assert published_bytes(project.root) == published_bytes(clean_builds["before"])
