from conftest import Project


def test_markdown_article_builds_into_an_episode_and_feed(project: Project) -> None:
    project.write("hello.md", """
        ---
        title: Hello
        ---
        Hello there. This is a short article.
    """)
    report = project.build()
    assert [(e.slug, e.status) for e in report.episodes] == [("hello", "built")]
    assert (project.output / "episodes" / "hello.mp3").is_file()
    assert (project.output / "feed.xml").is_file()
