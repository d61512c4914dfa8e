"""Shared fixtures: throw-away projects, one real build of the sample, and a CLI runner."""

from __future__ import annotations

import json
import os
import re
import shutil
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from readcast.build import BuildOptions, BuildReport, build
from readcast.cli import app

REPO = Path(__file__).resolve().parent.parent

# Programs some tests need that pip cannot install. Where one is missing the test is skipped with
# the install command as its reason, except in CI (CI=true), where .ci/run installs them all and a
# missing one is a failure: nothing is skipped there.
SYSTEM_PROGRAMS = {
    "espeak-ng": "apt-get install espeak-ng",
    "chromium": "apt-get install chromium",
    "gpo": "apt-get install gpodder",
}


def require_program(program: str) -> str:
    """Path of a system program a test needs; skip (fail in CI) with the install hint if absent."""
    path = shutil.which(program)
    if path is None:
        message = f"needs {program}: {SYSTEM_PROGRAMS[program]}"
        if os.environ.get("CI"):
            pytest.fail(f"{message} (.ci/run must install it)")
        pytest.skip(message)
    return path


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "requires(program): the test needs a system program "
        "(espeak-ng, chromium, gpo) that pip cannot install",
    )


def pytest_runtest_setup(item: pytest.Item) -> None:
    for mark in item.iter_markers("requires"):
        require_program(mark.args[0])


SAMPLE = REPO / "content" / "what-happens-when-you-cry-in-therapy.txt"

REAL_ENGINE_SETTINGS = """\
[podcast]
title = "Test Cast"
author = "Test Author"
description = "A podcast made by the readcast tests."
language = "en"
base_url = "https://podcast.example.org/show/"
category = "Technology"
"""
"""Settings of a project that speaks with the default engine (hibari): for tests marked slow."""

BASIC_SETTINGS = '[voice]\nengine = "tone"\n\n' + REAL_ENGINE_SETTINGS
"""Settings of the test projects: the tone engine (beeps, instant) unless the voice is under test.
[podcast] comes last, so a test can append podcast keys."""


class Project:
    """A readcast project in a temporary folder."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @classmethod
    def create(cls, root: Path, settings: str = BASIC_SETTINGS) -> Project:
        """A new project in `root` with an empty content/ and `settings` as readcast.toml."""
        project = cls(root)
        project.content.mkdir(parents=True)
        project.settings(settings)
        return project

    @property
    def content(self) -> Path:
        return self.root / "content"

    @property
    def output(self) -> Path:
        return self.root / "output"

    def write(self, name: str, text: str | bytes) -> Path:
        """Write content/<name> (text is dedented)."""
        path = self.content / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    def settings(self, text: str) -> None:
        (self.root / "readcast.toml").write_text(textwrap.dedent(text), encoding="utf-8")

    def build(self, **options: object) -> BuildReport:
        options.setdefault("jobs", 1)
        return build(self.root, BuildOptions(**options))

    def cli(self, *args: str) -> object:
        """Run `readcast ARGS` in-process; returns typer's Result (stdout, stderr, exit_code)."""
        return CliRunner().invoke(app, list(args))

    def build_json(self, *args: str) -> tuple[int, dict]:
        result = CliRunner().invoke(app, ["build", str(self.root), "--json", "--jobs", "1", *args])
        return result.exit_code, json.loads(result.stdout) if result.stdout.strip() else {}

    def files(self) -> set[str]:
        """Every file under the project, relative to it."""
        return {str(p.relative_to(self.root)) for p in self.root.rglob("*") if p.is_file()}


def published_bytes(root: Path) -> dict[str, bytes]:
    """Every file under root/output, with episode GUIDs in feed.xml masked.

    New episodes get random GUIDs, so two projects built apart differ in those and nothing else;
    compare two builds of one project with the GUIDs left in.
    """
    files = {
        str(p.relative_to(root)): p.read_bytes() for p in sorted((root / "output").rglob("*")) if p.is_file()
    }
    feed = files.get("output/feed.xml")
    if feed is not None:
        files["output/feed.xml"] = re.sub(rb'(<guid isPermaLink="false">)[^<]*(</guid>)', rb"\1GUID\2", feed)
    return files


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """An empty project with basic settings."""
    return Project.create(tmp_path / "proj")


@pytest.fixture
def make_project(tmp_path: Path) -> Callable[[str], Project]:
    """Factory for several projects in one test."""

    def make(name: str = "proj") -> Project:
        return Project.create(tmp_path / name)

    return make


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Project, BuildReport]:
    """The sample article built once, with the tone engine and real ffmpeg, shared by read-only tests."""
    proj = Project.create(tmp_path_factory.mktemp("sample") / "proj")
    shutil.copy(SAMPLE, proj.content / SAMPLE.name)
    report = build(proj.root, BuildOptions())
    assert not report.failed, report.failed
    return proj, report
