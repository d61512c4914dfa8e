"""The build's stages on their own: defects of issue 12 in the pipeline, each pinned by a test."""

from __future__ import annotations

from conftest import Project

GOOD = "---\ntitle: Fine\n---\nThis article is fine.\n"


def test_an_unreadable_article_is_skipped_with_one_line_and_the_rest_is_built(project: Project) -> None:
    project.write("good.md", GOOD)
    # Reading /proc/self/mem at offset 0 fails with EIO, for root too: a real OSError from the real
    # read path (chmod 000 cannot make a file unreadable to root).
    (project.content / "bad.md").symlink_to("/proc/self/mem")
    result = project.cli("build", str(project.root), "--jobs", "1")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if "bad.md" in line]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and lines[0].endswith(
        "bad.md: cannot be read (Input/output error). Make it a readable file, or move it out of content/."
    )
    assert (project.output / "episodes" / "good.mp3").is_file()
    assert "good.mp3" in (project.output / "feed.xml").read_text()
