"""`readcast check`: a clean build passes; every seeded fault is reported with its rule and fix."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import BASIC_SETTINGS, Project
from lxml import etree
from PIL import Image
from typer.testing import CliRunner

from readcast.audio.ffmpeg import ffmpeg_exe
from readcast.check import check
from readcast.cli import app

SLUG = "what-happens-when-you-cry-in-therapy"


def rules(report, level: str = "error") -> list[str]:
    return sorted(p.rule for p in report.problems if p.level == level)


def test_the_sample_build_passes_with_one_known_warning(sample_build) -> None:
    proj, _ = sample_build
    report = check(proj.root)
    assert report.errors == []
    assert [(p.rule, p.message.split(" (")[0]) for p in report.warnings] == [
        ("F-21", "no <itunes:owner> with an e-mail address")
    ]
    assert report.episodes == 1
    audio = report.audio[f"episodes/{SLUG}.mp3"]
    assert abs(audio["loudness"] - -16.0) <= 1.0 and audio["true_peak"] <= -1.0
    assert audio["duration"] > 200  # the tone engine: about 4.5 minutes


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """A two-episode project with an e-mail address: check finds nothing at all."""
    proj = Project.create(
        tmp_path_factory.mktemp("check") / "proj", BASIC_SETTINGS + 'email = "host@example.org"\n'
    )
    proj.write(
        "one.md",
        "---\ntitle: One\ndate: 2025-01-01\n---\n# One\n\nA first short episode.\n\n"
        "## Part two\n\nAnd its second part.\n",
    )
    proj.write("two.md", "---\ntitle: Two\ndate: 2025-02-01\n---\nA second short episode.\n")
    assert not proj.build().failed
    return proj


@pytest.fixture
def copy(built: Project, tmp_path: Path) -> Project:
    """A copy of `built` to break."""
    shutil.copytree(built.root, tmp_path / "copy", symlinks=True)
    return Project(tmp_path / "copy")


def edit_feed(proj: Project, change) -> None:
    path = proj.output / "feed.xml"
    tree = etree.parse(str(path))
    change(tree.getroot().find("channel"))
    tree.write(str(path), xml_declaration=True, encoding="UTF-8")


IT = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"


def test_a_clean_build_has_no_problems(built: Project) -> None:
    report = check(built.root)
    assert report.problems == []
    assert report.episodes == 2 and len(report.audio) == 2


def test_cli_prints_nothing_to_fix_and_exits_0(built: Project) -> None:
    result = CliRunner().invoke(app, ["check", str(built.root), "--skip-loudness"])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "0 error(s), 0 warning(s); checked 2 episode(s)" in result.stderr


def test_feed_faults_are_errors_with_rule_ids(copy: Project) -> None:
    def break_it(channel) -> None:
        channel.find(f"{IT}category").set("text", "Games & Hobbies")
        channel.find(f"{IT}explicit").text = "yes"
        channel.find("language").text = "english"
        first, second = channel.findall("item")
        second.find("guid").text = first.find("guid").text
        second.find("enclosure").set("url", first.find("enclosure").get("url"))
        first.find("pubDate").text = "2025-01-01"
        first.find(f"{IT}duration").text = "1:75"

    edit_feed(copy, break_it)
    report = check(copy.root, measure_audio=False)
    # The second item now names the first one's MP3: its size, duration and chapters disagree too.
    assert rules(report) == ["A-14", "F-12", "F-14", "F-15", "F-31", "F-32", "F-33", "F-34", "F-34", "M-08"]
    (category,) = [p for p in report.errors if p.rule == "F-14"]
    assert category.message == "category 'Games & Hobbies' is not in Apple's list"
    assert category.fix == "set [podcast] category to one of Apple's categories"


def test_sizes_files_and_chapters_are_checked_against_output(copy: Project) -> None:
    episodes = copy.output / "episodes"
    with open(episodes / "two.mp3", "ab") as mp3:
        mp3.write(b"TAG" + b"\0" * 125)  # an ID3v1 tag: the size no longer matches either
    (episodes / "two.transcript.html").unlink()
    chapters = json.loads((episodes / "one.chapters.json").read_text())
    chapters["chapters"][1]["startTime"] = 0.5
    (episodes / "one.chapters.json").write_text(json.dumps(chapters))
    report = check(copy.root, measure_audio=False)
    assert rules(report) == ["A-14", "F-03", "M-02", "M-08"]
    messages = " | ".join(p.message for p in report.errors)
    assert "not the size of episodes/two.mp3" in messages
    assert "names episodes/two.transcript.html, which is not in output/" in messages
    assert "an ID3v1 tag at the end of the file" in messages
    assert "the ID3 chapters differ from episodes/one.chapters.json" in messages


def test_captions_and_chapters_must_fit_the_audio(copy: Project) -> None:
    episodes = copy.output / "episodes"
    vtt = (episodes / "one.vtt").read_text()
    (episodes / "one.vtt").write_text(vtt + "\n99\n00:10:00.000 --> 00:10:05.000\nLate.\n")
    (episodes / "two.srt").write_text("1\n00:00:02,000 --> 00:00:01,000\nBackwards.\n")
    data = json.loads((episodes / "two.chapters.json").read_text())
    data["version"] = 1.2
    (episodes / "two.chapters.json").write_text(json.dumps(data))
    report = check(copy.root, measure_audio=False)
    assert rules(report) == ["P-03", "P-03", "P-04"]
    messages = sorted(p.message for p in report.errors)
    assert messages[0] == '"version" must be a string such as "1.2.0"'
    assert messages[1] == "a cue ends before it starts"
    assert messages[2].startswith("the last cue ends at 605.0 s, after the audio")


def test_artwork_must_be_square_rgb_between_1400_and_3000(copy: Project) -> None:
    (cover,) = copy.output.glob("cover-*.jpg")
    Image.new("RGB", (1200, 1000), (10, 20, 30)).save(cover, "JPEG")
    report = check(copy.root, measure_audio=False)
    assert rules(report) == ["F-50"]
    assert report.errors[0].message == "1200x1000 px; Apple needs a square between 1400 and 3000 px"
    Image.new("CMYK", (1400, 1400)).save(cover, "JPEG")
    assert rules(check(copy.root, measure_audio=False)) == ["F-51"]


def test_loudness_is_measured_against_the_configured_target(copy: Project) -> None:
    settings = (copy.root / "readcast.toml").read_text()
    (copy.root / "readcast.toml").write_text(settings + "\n[audio]\nloudness = -20.0\n")
    report = check(copy.root)
    assert rules(report) == ["A-01", "A-01"]
    assert all("target -20.0 ±1 LU" in p.message for p in report.errors)


def test_vbr_and_hot_audio_are_caught(copy: Project) -> None:
    mp3 = copy.output / "episodes" / "two.mp3"
    louder = copy.root / "louder.mp3"
    subprocess.run(
        [
            ffmpeg_exe(),
            "-v",
            "error",
            "-i",
            str(mp3),
            "-map_metadata",
            "0",
            "-id3v2_version",
            "3",
            "-af",
            "volume=18dB",
            "-c:a",
            "libmp3lame",
            "-q:a",
            "4",
            str(louder),
        ],
        check=True,
    )
    shutil.move(louder, mp3)
    report = check(copy.root)
    assert {"A-01", "A-02", "A-12", "A-14"} <= set(rules(report))


def test_a_feed_for_localhost_is_not_ready_to_publish(project: Project) -> None:
    project.settings(BASIC_SETTINGS.replace('base_url = "https://podcast.example.org/show/"\n', ""))
    project.write("hi.md", "Hello there.\n")
    project.build()
    report = check(project.root, measure_audio=False)
    (problem,) = report.errors
    assert problem.rule == "F-03" and "http://localhost:8000/" in problem.message
    assert problem.fix.startswith("set [podcast] base_url in readcast.toml")


def test_cli_prints_each_problem_with_its_fix_and_fails(copy: Project) -> None:
    edit_feed(copy, lambda channel: channel.find("item/enclosure").set("length", "12"))
    result = CliRunner().invoke(app, ["check", str(copy.root), "--skip-loudness"])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("error   A-14  feed.xml item 1 (Two): enclosure length 12 is not the size")
    assert lines[1] == "        fix: build again: the MP3 changed after the feed"
    assert "1 error(s), 0 warning(s)" in result.stderr
    data = json.loads(CliRunner().invoke(app, ["check", str(copy.root), "--skip-loudness", "--json"]).stdout)
    assert (data["errors"], data["problems"][0]["rule"]) == (1, "A-14")


def test_strict_fails_on_warnings(copy: Project) -> None:
    edit_feed(copy, lambda channel: channel.remove(channel.find(f"{IT}owner")))
    assert CliRunner().invoke(app, ["check", str(copy.root), "--skip-loudness"]).exit_code == 0
    result = CliRunner().invoke(app, ["check", str(copy.root), "--skip-loudness", "--strict"])
    assert result.exit_code == 1 and "warning F-21" in result.stdout


def test_broken_xml_and_missing_folders_are_clear(copy: Project, tmp_path: Path) -> None:
    (copy.output / "feed.xml").write_bytes(b"<?xml version='1.0' encoding='UTF-8'?>\n<rss><channel>R&D")
    report = check(copy.root, measure_audio=False)
    assert rules(report) == ["F-01"] and "escape every & as &amp;" in report.errors[0].fix
    result = CliRunner().invoke(app, ["check", str(tmp_path / "nowhere")])
    assert result.exit_code == 1 and "neither a readcast project" in result.stderr


def test_a_table_of_contents_without_chapters_is_a_finding(copy: Project) -> None:
    from mutagen.id3 import ID3

    mp3 = copy.output / "episodes" / "one.mp3"
    tags = ID3(mp3)
    tags.getall("CTOC")[0].child_element_ids = []
    tags.save(mp3, v2_version=3)
    report = check(copy.root, measure_audio=False)
    assert [(p.rule, p.message) for p in report.errors if p.rule == "M-07"] == [
        ("M-07", "the top-level CTOC lists no chapters")
    ]


def test_empty_or_undecodable_transcripts_and_pages_are_findings(copy: Project) -> None:
    episodes = copy.output / "episodes"
    (episodes / "one.transcript.html").write_bytes(b"")
    (episodes / "two.html").write_bytes(b"   \n")
    (episodes / "two.vtt").write_bytes(b"WEBVTT\n\n\xff\xfe")
    report = check(copy.root, measure_audio=False)
    assert sorted((p.rule, p.where, p.message) for p in report.errors) == [
        ("P-03", "episodes/two.vtt", "not UTF-8 text (invalid start byte at byte 8)"),
        ("W-01", "episodes/one.transcript.html", "not an HTML page (Document is empty)"),
        ("W-01", "episodes/two.html", "not an HTML page (Document is empty)"),
    ]
