"""Bad articles are skipped with one clear message each; the rest of the podcast is still built."""

from __future__ import annotations

import json

import pytest
from conftest import Project
from lxml import etree

GOOD = """
    ---
    title: A good article
    ---
    This article is fine and should become an episode.
"""

BAD = {
    "empty.md": ("", "the file is empty"),
    "front-matter-only.md": ("---\ntitle: Nothing below\n---\n", "front matter but no article text"),
    "broken-yaml.md": (
        "---\ntitle: [unclosed\nauthor: x\n---\nBody text here.\n",
        "front matter is not valid YAML at line",
    ),
    "binary.txt": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary file, not text"),
    "latin1.txt": (
        "Caf\xe9 au lait\nIt is a nice caf\xe9.\n".encode("latin-1"),
        "not valid UTF-8 (byte 3, line 1)",
    ),
    "traversal.md": (
        "---\nslug: ../../escaped\n---\nTrying to write outside output.\n",
        "slug '../../escaped' may only contain a-z, 0-9 and single hyphens; use slug: escaped",
    ),
    "nothing-readable.md": (
        "---\ntitle: Empty inside\n---\n<!-- only a comment -->\n\n---\n",
        "nothing to read aloud",
    ),
    "nav-only.html": ("<html><body><nav><a href='/'>Home</a></nav></body></html>", "nothing to read aloud"),
}


@pytest.fixture(scope="module")
def bad_project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Project, object, set[str]]:
    proj = Project.create(tmp_path_factory.mktemp("bad") / "proj")
    proj.write("good.md", GOOD)
    for name, (text, _) in BAD.items():
        proj.write(name, text)
    proj.write("dup-a.md", "---\nslug: same-slug\n---\nThe first article with this slug.\n")
    proj.write("dup-b.md", "---\nslug: same-slug\n---\nThe second article with this slug.\n")
    proj.write("markup-title.md", '---\ntitle: "<b>Bold</b> and *stars* in a title"\n---\nBody.\n')
    proj.write(
        "cafe-notes.md",
        "---\ntitle: Café ☕ 東京 notes 🎉\n---\nWe met at the café ☕ in 東京. It was lovely 🎉.\n",
    )
    before = {p.name for p in proj.root.parent.iterdir()}
    result = proj.cli("build", str(proj.root), "--json", "--jobs", "1")
    return proj, result, before


def test_exit_status_is_non_zero_and_no_traceback(bad_project) -> None:
    _, result, _ = bad_project
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize("name", sorted(BAD))
def test_each_bad_file_gets_one_message_naming_file_and_problem(bad_project, name: str) -> None:
    _, result, _ = bad_project
    lines = [line for line in result.stderr.splitlines() if name in line]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert BAD[name][1] in " ".join(result.stderr.split())


def test_duplicate_slug_skips_the_second_file_and_names_the_first(bad_project) -> None:
    _, result, _ = bad_project
    report = json.loads(result.stdout)
    by_source = {e["source"]: e for e in report["episodes"]}
    assert by_source["content/dup-a.md"]["status"] == "built"
    assert by_source["content/dup-b.md"]["status"] == "failed"
    assert "slug 'same-slug' is already used by content/dup-a.md" in by_source["content/dup-b.md"]["error"]


def test_good_articles_still_become_episodes_in_the_feed(bad_project) -> None:
    proj, result, _ = bad_project
    report = json.loads(result.stdout)
    built = sorted(e["slug"] for e in report["episodes"] if e["status"] == "built")
    assert built == ["cafe-notes", "good", "markup-title", "same-slug"]
    failed = sorted(e["source"] for e in report["episodes"] if e["status"] == "failed")
    assert failed == sorted(["content/dup-b.md", *(f"content/{n}" for n in BAD)])
    channel = etree.parse(str(proj.output / "feed.xml")).getroot()[0]
    titles = sorted(t.text for t in channel.findall("item/title"))
    assert titles == ["A good article", "Bold and stars in a title", "Café ☕ 東京 notes 🎉", "dup a"]


def test_markup_is_stripped_from_titles_and_emoji_are_not_spoken(bad_project) -> None:
    proj, _, _ = bad_project
    result = proj.cli("script", str(proj.content / "cafe-notes.md"), "--json")
    spoken = " ".join(s["spoken"] for s in json.loads(result.stdout)["segments"])
    assert "☕" not in spoken and "🎉" not in spoken
    assert "Café  東京 notes" not in spoken and "Café 東京 notes" in spoken


def test_nothing_is_written_outside_output_and_no_temp_files_remain(bad_project) -> None:
    proj, _, before = bad_project
    assert {p.name for p in proj.root.parent.iterdir()} == before
    written = {f for f in proj.files() if not f.startswith("content/")}
    assert all(f.startswith(("output/", ".readcast/")) or f == "readcast.toml" for f in written), written
    assert not [f for f in written if f.endswith(".tmp")]
    episodes = sorted(f for f in written if f.startswith("output/episodes/") and f.endswith(".mp3"))
    assert episodes == [
        "output/episodes/cafe-notes.mp3",
        "output/episodes/good.mp3",
        "output/episodes/markup-title.mp3",
        "output/episodes/same-slug.mp3",
    ]
