"""The command line: every command has help, init scaffolds a project that builds, say and script work."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from mutagen.mp3 import MP3, BitrateMode
from typer.testing import CliRunner

from readcast import __version__
from readcast.cli import app

runner = CliRunner()


def command_names() -> list[str]:
    import typer.main

    group = typer.main.get_command(app)
    return sorted(group.commands)


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout == f"readcast {__version__}\n"


@pytest.mark.parametrize("command", command_names())
def test_every_command_has_help(command: str) -> None:
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.stdout and command in result.stdout


def test_init_scaffolds_a_project_that_builds(tmp_path: Path) -> None:
    folder = tmp_path / "my-show"
    result = runner.invoke(app, ["init", str(folder)])
    assert result.exit_code == 0, result.output
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()) == [
        ".gitignore",
        "content/welcome.md",
        "readcast.toml",
    ]
    assert 'title = "my-show"' in (folder / "readcast.toml").read_text()
    build = runner.invoke(app, ["build", str(folder), "--json", "--jobs", "1", "--engine", "tone"])
    assert build.exit_code == 0, build.output
    report = json.loads(build.stdout)
    assert [(e["slug"], e["status"]) for e in report["episodes"]] == [("welcome", "built")]
    again = runner.invoke(app, ["init", str(folder)])
    assert again.exit_code == 1
    assert "already exists" in again.stderr


def test_build_json_report_has_the_documented_fields(project) -> None:
    project.write("one.md", "# One\n\nA single short paragraph to build.\n")
    code, report = project.build_json()
    assert code == 0
    assert set(report) == {"episodes", "feed", "seconds"}
    (episode,) = report["episodes"]
    assert set(episode) == {
        "slug",
        "title",
        "source",
        "status",
        "segments",
        "synthesized",
        "audio_seconds",
        "mp3",
        "error",
    }
    assert (episode["slug"], episode["title"], episode["source"], episode["status"]) == (
        "one",
        "One",
        "content/one.md",
        "built",
    )
    assert episode["segments"] == episode["synthesized"] == 4  # title, byline, paragraph, outro
    assert episode["error"] is None
    assert report["feed"] == str(project.output / "feed.xml")
    assert episode["audio_seconds"] == pytest.approx(MP3(episode["mp3"]).info.length, abs=0.1)


def test_build_outside_a_project_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["build", str(tmp_path)])
    assert result.exit_code == 1
    assert "readcast.toml: not found" in result.stderr and "readcast init" in result.stderr
    assert "Traceback" not in result.output


def test_unknown_engine_fails_the_article_and_names_the_alternatives(project) -> None:
    project.write("one.md", "Some text.\n")
    result = project.cli("build", str(project.root), "--engine", "nosuch", "--jobs", "1")
    assert result.exit_code == 1
    assert "Unknown engine 'nosuch'. Available: hibari" in result.stderr


def test_say_writes_a_mastered_cbr_mp3(tmp_path: Path) -> None:
    out = tmp_path / "hello.mp3"
    result = runner.invoke(app, ["say", "Hello from readcast.", "-o", str(out)])
    assert result.exit_code == 0, result.output
    info = MP3(out).info
    assert info.bitrate_mode == BitrateMode.CBR and info.sample_rate == 44100
    assert 0.8 < info.length < 3.0
    assert result.stdout.startswith(f"{out} (")
    assert [p.name for p in tmp_path.iterdir()] == ["hello.mp3"]


def test_script_prints_segments_pauses_and_chapters(project) -> None:
    path = project.write(
        "doc.md",
        """
        ---
        title: Doc
        author: Ann
        ---
        Intro paragraph.

        ## Part one

        - first item
        - second item
    """,
    )
    result = project.cli("script", str(path), "--json")
    assert result.exit_code == 0, result.output
    script = json.loads(result.stdout)
    assert [(s["kind"], s["written"], s["chapter"]) for s in script["segments"]] == [
        ("intro", "Doc.", "Doc"),
        ("intro", "Written by Ann. Narrated by a synthetic voice for Test Cast.", None),
        ("paragraph", "Intro paragraph.", None),
        ("heading", "Part one", "Part one"),
        ("list_item", "first item", None),
        ("list_item", "second item", None),
        ("outro", "That was Doc, from Test Cast. Thank you for listening.", None),
    ]
    pauses = [s["pause_ms"] for s in script["segments"]]
    assert pauses[3] > pauses[4] < pauses[5]  # short pause between list items, longer after the list
    assert pauses[2] >= 1000  # a heading gets a long pause before it
    assert pauses[-1] == 0
    text = project.cli("script", str(path))
    assert "## chapter: Part one" in text.stdout


def test_script_of_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["script", str(tmp_path / "nope.md")])
    assert result.exit_code != 0
    assert "Traceback" not in result.output


def test_public_api_names_resolve() -> None:
    import readcast

    for name in readcast.__all__:
        assert getattr(readcast, name) is not None, name
    assert readcast.build.__module__ == "readcast.build"
    with pytest.raises(AttributeError):
        readcast.no_such_name  # noqa: B018
