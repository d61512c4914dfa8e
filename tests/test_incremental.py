"""Rebuilds redo only what changed: engine calls counted through `--json`'s `synthesized`."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import published_bytes
from lxml import etree
from mutagen.mp3 import MP3

from readcast.audio.cache import ProjectCache

ARTICLE = """\
---
title: Tidal Pools
date: 2024-03-01
---
Tidal pools form where the sea leaves water behind in hollows of rock.

Anemones close up when the water drains away. They open again when the tide returns.

## Who lives there

Crabs hide under the weed, and limpets hold on to the rock with a single strong foot.

Starfish move slowly across the bottom, looking for mussels to open.

Small fish wait for the next wave.

## Visiting

Go at low tide, wear shoes that grip, and put back every stone you turn over.

Look closely and quietly: most of the life in a pool hides when a shadow falls on it.
"""
SHORT = """\
---
title: Tidal Pools
date: 2024-03-01
---
Tidal pools form where the sea leaves water behind in hollows of rock.

Anemones close up when the water drains away. They open again when the tide returns.
"""
EDITED = ARTICLE.replace("Small fish wait for the next wave.", "Small fish wait for the evening wave.")
SECOND = """\
---
title: Salt Marshes
date: 2024-03-08
---
Salt marshes grow where rivers meet the sea.

Anemones close up when the water drains away. They open again when the tide returns.
"""
ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"


def snapshot(root: Path) -> dict[str, tuple[int, bytes]]:
    """Every file under output/ and the state file: (mtime in ns, bytes)."""
    paths = [p for p in (root / "output").rglob("*") if p.is_file()]
    paths.append(root / ".readcast" / "state.json")
    return {str(p.relative_to(root)): (p.stat().st_mtime_ns, p.read_bytes()) for p in paths}


def output_bytes(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted((root / "output").rglob("*")) if p.is_file()
    }


def items(project) -> dict[str, etree._Element]:
    channel = etree.fromstring((project.output / "feed.xml").read_bytes()).find("channel")
    return {item.findtext("title"): item for item in channel.findall("item")}


def by_slug(report: dict) -> dict[str, dict]:
    return {episode["slug"]: episode for episode in report["episodes"]}


def refs(project) -> dict:
    return json.loads((project.root / ".readcast" / "cache" / "refs.json").read_text())


def new_parts(project, before: set[str]) -> set[str]:
    return set(ProjectCache(project.root / ".readcast").parts.keys()) - before


def test_noop_rebuild_synthesizes_nothing_and_touches_no_file(project) -> None:
    project.write("tidal-pools.md", SHORT)
    code, cold = project.build_json()
    assert code == 0
    episode = cold["episodes"][0]
    assert episode["status"] == "built" and episode["synthesized"] == episode["segments"] > 0
    before = snapshot(project.root)

    code, again = project.build_json()
    assert code == 0
    assert again["episodes"][0]["status"] == "unchanged"
    assert again["episodes"][0]["synthesized"] == 0
    assert snapshot(project.root) == before  # same bytes, same mtimes: nothing was rewritten


def test_one_sentence_edit_resynthesizes_one_segment_and_the_feed_follows(project, make_project) -> None:
    article = project.write("tidal-pools.md", ARTICLE)
    project.build_json()
    old_item = items(project)["Tidal Pools"]
    parts_before = set(ProjectCache(project.root / ".readcast").parts.keys())
    mp3 = project.output / "episodes" / "tidal-pools.mp3"
    old_mp3 = mp3.read_bytes()

    article.write_text(EDITED, encoding="utf-8")
    code, report = project.build_json()
    assert code == 0
    episode = report["episodes"][0]
    assert (episode["status"], episode["synthesized"]) == ("built", 1)
    # The part holding the sentence is encoded again (two if the edit moved a cut), the rest reused.
    assert 1 <= len(new_parts(project, parts_before)) <= 2
    used = refs(project)["tidal-pools"]["parts"]
    assert set(used) & parts_before
    assert mp3.read_bytes() != old_mp3
    assert "evening wave" in (project.output / "episodes" / "tidal-pools.txt").read_text()

    item = items(project)["Tidal Pools"]
    assert item.findtext("guid") == old_item.findtext("guid")
    assert item.findtext("pubDate") == old_item.findtext("pubDate")
    assert int(item.find("enclosure").get("length")) == mp3.stat().st_size
    assert int(item.findtext(f"{ITUNES}duration")) == round(MP3(mp3).info.length)
    assert int(item.findtext(f"{ITUNES}duration")) == round(episode["audio_seconds"])

    # Regenerated from cached audio and parts, yet the same bytes as a build from scratch.
    fresh = make_project("fresh")
    fresh.write("tidal-pools.md", EDITED)
    fresh.build_json()
    assert published_bytes(fresh.root) == published_bytes(project.root)


def test_force_resynthesizes_everything_and_keeps_identity_and_bytes(project) -> None:
    project.write("tidal-pools.md", SHORT)
    _, cold = project.build_json()
    before = output_bytes(project.root)
    guid = items(project)["Tidal Pools"].findtext("guid")

    code, forced = project.build_json("--force")
    assert code == 0
    episode = forced["episodes"][0]
    assert (episode["status"], episode["synthesized"]) == ("built", cold["episodes"][0]["segments"])
    assert items(project)["Tidal Pools"].findtext("guid") == guid
    assert output_bytes(project.root) == before  # same inputs, same bytes


def test_title_change_keeps_the_guid_and_first_publication_date(project) -> None:
    article = project.write("tidal-pools.md", SHORT.replace("date: 2024-03-01\n", ""))
    project.build_json()
    old = items(project)["Tidal Pools"]

    article.write_text(article.read_text().replace("title: Tidal Pools", "title: Rock Pools"))
    code, report = project.build_json()
    assert code == 0 and report["episodes"][0]["synthesized"] == 2  # the intro and the outro
    new = items(project)["Rock Pools"]
    assert new.findtext("guid") == old.findtext("guid")
    assert new.findtext("pubDate") == old.findtext("pubDate")  # first build's time, kept
    assert list(items(project)) == ["Rock Pools"]


def test_renamed_file_keeps_its_guid_when_front_matter_carries_it(project) -> None:
    old_path = project.write("tidal-pools.md", SHORT)
    project.build_json()
    guid = items(project)["Tidal Pools"].findtext("guid")

    old_path.unlink()
    project.write("rock-pools.md", SHORT.replace("---\ntitle", f"---\nguid: {guid}\ntitle", 1))
    code, report = project.build_json()
    assert code == 0 and report["episodes"][0]["slug"] == "rock-pools"
    assert items(project)["Tidal Pools"].findtext("guid") == guid
    assert not list((project.output / "episodes").glob("tidal-pools*"))
    assert (project.output / "episodes" / "rock-pools.mp3").is_file()


def test_renamed_file_without_guid_is_a_new_episode(project) -> None:
    old_path = project.write("tidal-pools.md", SHORT)
    project.build_json()
    guid = items(project)["Tidal Pools"].findtext("guid")

    old_path.rename(project.content / "rock-pools.md")
    project.build_json()
    assert items(project)["Tidal Pools"].findtext("guid") != guid


def test_deleting_an_article_removes_its_episode_and_files(project) -> None:
    project.write("tidal-pools.md", SHORT)
    second = project.write("salt-marshes.md", SECOND)
    project.build_json()
    assert set(items(project)) == {"Tidal Pools", "Salt Marshes"}
    salt_files = sorted(p.name for p in (project.output / "episodes").glob("salt-marshes*"))
    assert len(salt_files) == 7  # mp3, vtt, srt, chapters, txt, transcript and page

    second.unlink()
    code, report = project.build_json()
    assert code == 0
    assert [e["slug"] for e in report["episodes"]] == ["tidal-pools"]
    assert report["episodes"][0]["status"] == "unchanged"
    assert set(items(project)) == {"Tidal Pools"}
    assert not list((project.output / "episodes").glob("salt-marshes*"))
    state = json.loads((project.root / ".readcast" / "state.json").read_text())
    assert list(state["episodes"]) == ["tidal-pools"]
    assert b"salt-marshes" not in (project.output / "index.html").read_bytes()


def test_identical_segments_are_synthesized_once_across_articles(project) -> None:
    project.write("tidal-pools.md", SHORT)
    _, first = project.build_json()
    project.write("salt-marshes.md", SECOND)
    code, report = project.build_json()
    assert code == 0
    episodes = by_slug(report)
    assert episodes["tidal-pools"]["status"] == "unchanged"
    salt = episodes["salt-marshes"]
    # Shared with the first article: the byline and the paragraph about anemones.
    assert salt["synthesized"] == salt["segments"] - 2

    both = project.root.parent / "both"
    (both / "content").mkdir(parents=True)
    (both / "readcast.toml").write_bytes((project.root / "readcast.toml").read_bytes())
    for path in project.content.iterdir():
        (both / "content" / path.name).write_bytes(path.read_bytes())
    assert project.cli("build", str(both), "--jobs", "2").exit_code == 0
    total = sum(1 for _ in ProjectCache(both / ".readcast").segments.keys())
    assert total == first["episodes"][0]["segments"] + salt["segments"] - 2
    assert published_bytes(both) == published_bytes(project.root)  # --jobs 2: the same bytes


def test_clean_builds_in_two_folders_are_byte_identical(make_project) -> None:
    first, second = make_project("one"), make_project("two")
    for proj in (first, second):
        proj.write("tidal-pools.md", SHORT.replace("date: 2024-03-01\n", "date: 2024-03-01T09:00:00Z\n"))
        assert proj.build_json()[0] == 0
    assert published_bytes(first.root) == published_bytes(second.root)


def test_two_articles_claiming_one_guid_is_a_clear_error(project) -> None:
    guid = "urn:uuid:3f1c2a9e-0000-4000-8000-000000000001"
    project.write("tidal-pools.md", SHORT.replace("---\ntitle", f"---\nguid: {guid}\ntitle", 1))
    project.write("zz-copy.md", SECOND.replace("---\ntitle", f"---\nguid: {guid}\ntitle", 1))
    code, report = project.build_json()
    assert code == 1
    failed = by_slug(report)["zz-copy"]
    assert failed["status"] == "failed"
    assert failed["error"] == (
        f"content/zz-copy.md: guid '{guid}' is already used by content/tidal-pools.md; two episodes "
        "with one GUID look like one episode to podcast apps. Remove the guid: line from the article "
        "that is not the original."
    )
    assert list(items(project)) == ["Tidal Pools"]
