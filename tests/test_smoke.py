import shutil

import pytest
from conftest import Project, require_program


def test_markdown_article_builds_into_an_episode_and_feed(project: Project) -> None:
    project.write(
        "hello.md",
        """
        ---
        title: Hello
        ---
        Hello there. This is a short article.
    """,
    )
    report = project.build()
    assert [(e.slug, e.status) for e in report.episodes] == [("hello", "built")]
    assert (project.output / "episodes" / "hello.mp3").is_file()
    assert (project.output / "feed.xml").is_file()


def test_a_missing_system_program_skips_locally_and_fails_in_ci(monkeypatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="needs gpo: apt-get install gpodder"):
        require_program("gpo")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match=r"\(\.ci/run must install it\)"):
        require_program("gpo")
