"""Episode identity in .readcast/state.json, and the project lock."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path

import pytest

from readcast.errors import BuildLockedError
from readcast.project.state import EpisodeRecord, ProjectState, held_lock_fds, project_lock

PODCAST = "917ea5ba-0e2d-5b4b-8d8b-5e05a0b4ec43"
NOW = dt.datetime(2024, 6, 1, 12, 0, tzinfo=dt.timezone.utc)
LATER = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)


def state_with(*records: EpisodeRecord) -> ProjectState:
    return ProjectState(podcast_guid=PODCAST, episodes={r.slug: r for r in records})


def test_a_new_episode_gets_a_random_uuid_derived_from_nothing() -> None:
    state = state_with()
    guid, first = state.identity_for("tidal-pools", "content/tidal-pools.md", None, NOW)
    assert uuid.UUID(guid).version == 4 and first == "2024-06-01T12:00:00+00:00"
    again, _ = state_with().identity_for("tidal-pools", "content/tidal-pools.md", None, NOW)
    assert again != guid  # a deleted article's slug, reused later, is a new episode


def test_identity_is_kept_by_slug_then_by_source_file() -> None:
    old = EpisodeRecord("tidal-pools", "guid-1", "2024-01-01T00:00:00+00:00", source="content/a.md")
    state = state_with(old)
    assert state.identity_for("tidal-pools", "content/b.md", None, LATER) == (
        "guid-1",
        "2024-01-01T00:00:00+00:00",
    )
    # slug: changed in front matter, same file: the same episode
    assert state.identity_for("rock-pools", "content/a.md", None, LATER) == (
        "guid-1",
        "2024-01-01T00:00:00+00:00",
    )


def test_a_guid_in_front_matter_wins_and_keeps_that_episodes_date() -> None:
    old = EpisodeRecord("tidal-pools", "guid-1", "2024-01-01T00:00:00+00:00", source="content/a.md")
    state = state_with(old)
    assert state.identity_for("renamed", "content/renamed.md", "guid-1", LATER) == (
        "guid-1",
        "2024-01-01T00:00:00+00:00",
    )
    assert state.identity_for("other", "content/other.md", "urn:custom", LATER) == (
        "urn:custom",
        LATER.isoformat(),
    )


def test_state_round_trips_and_saving_the_same_state_rewrites_nothing(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    state = state_with(
        EpisodeRecord(
            "tidal-pools", "guid-1", "2024-01-01T00:00:00+00:00", files={"mp3": "episodes/tidal-pools.mp3"}
        )
    )
    state.save(path)
    stamp = path.stat().st_mtime_ns
    assert ProjectState.load(path) == state
    ProjectState.load(path).save(path)
    assert path.stat().st_mtime_ns == stamp


def test_unknown_fields_are_ignored_and_unreadable_state_starts_fresh(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text(
        json.dumps(
            {
                "schema": 1,
                "podcast_guid": PODCAST,
                "episodes": {
                    "a": {
                        "slug": "a",
                        "guid": "g",
                        "first_published": "2024-01-01",
                        "from_a_newer_readcast": 1,
                    }
                },
            }
        )
    )
    assert ProjectState.load(path).episodes["a"].guid == "g"
    for text in ("{not json", json.dumps({"schema": 99}), json.dumps([1, 2]), ""):
        path.write_text(text)
        assert ProjectState.load(path) == ProjectState()
    assert ProjectState.load(tmp_path / "missing.json") == ProjectState()


def test_a_second_lock_on_the_project_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    with project_lock(tmp_path):
        assert len(held_lock_fds()) == 1
        with pytest.raises(BuildLockedError) as caught:
            with project_lock(tmp_path):
                pass
    message = str(caught.value)
    assert message.startswith("another readcast build of this project is running (pid ")
    assert message.endswith("Wait for it to finish and run the command again.")
    assert held_lock_fds() == set()
    with project_lock(tmp_path):  # released on exit
        pass
