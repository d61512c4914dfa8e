"""The sample article end to end with the real default engine (hibari), as a user builds it.

The other sample tests share a build made with the tone test engine (see conftest.sample_build);
this one makes sure the real voice goes through the same pipeline. Slow: it runs in CI.
"""

from __future__ import annotations

import shutil

import pytest
from conftest import REAL_ENGINE_SETTINGS, SAMPLE, Project
from mutagen.mp3 import MP3

from readcast.check import check

pytestmark = pytest.mark.slow


def test_the_sample_spoken_by_hibari_is_a_publishable_episode(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    proj = Project.create(tmp_path_factory.mktemp("real") / "proj", REAL_ENGINE_SETTINGS)
    shutil.copy(SAMPLE, proj.content / SAMPLE.name)
    report = proj.build(jobs=None)
    ((slug, status, segments, synthesized),) = [
        (e.slug, e.status, e.segments, e.synthesized) for e in report.episodes
    ]
    assert (slug, status, synthesized) == (SAMPLE.stem, "built", segments)
    length = MP3(proj.output / "episodes" / f"{slug}.mp3").info.length
    assert 450 < length < 700  # about 1,300 words at a speaking pace (574 s when measured)
    found = check(proj.root)
    assert found.errors == []
    assert [p.rule for p in found.warnings] == ["F-21"]  # no e-mail address in the test settings
    audio = found.audio[f"episodes/{slug}.mp3"]
    assert abs(audio["loudness"] - -16.0) <= 1.0 and audio["true_peak"] <= -1.0
