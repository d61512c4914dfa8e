"""The web pages: structure read back with lxml, then a real headless Chromium with axe-core.

Browser tests need Chromium (`apt-get install chromium`; skipped with that hint where it is missing,
a failure in CI), Playwright for Python (never `playwright install`: the system Chromium is used)
and axe-core (axe.min.js from the axe-playwright-python wheel, or AXE_CORE_JS=/path/to/axe.min.js);
both are in the `test` extra.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import SAMPLE, Project, require_program
from lxml import html

from readcast.errors import ConfigError
from readcast.publish.pages import PACKAGE_TEMPLATES, clock, duration_words, size_words
from readcast.read import read_article
from readcast.serve import make_server

SLUG = "what-happens-when-you-cry-in-therapy"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def site(sample_build):
    proj, _ = sample_build
    out = proj.output
    return proj, {
        name: html.fromstring((out / name).read_bytes())
        for name in ("index.html", f"episodes/{SLUG}.html", f"episodes/{SLUG}.transcript.html")
    }


def _text(element) -> str:
    return " ".join(element.text_content().split())


def test_every_page_has_lang_landmarks_and_a_skip_link(site) -> None:
    _, pages = site
    for name in ("index.html", f"episodes/{SLUG}.html"):
        doc = pages[name]
        assert doc.get("lang") == "en", name
        first_link = doc.xpath("//body//a")[0]
        assert (first_link.get("href"), _text(first_link)) == ("#main", "Skip to main content")
        assert [len(doc.xpath(f"//{tag}")) for tag in ("header", "main", "footer")] == [1, 1, 1]
        assert doc.xpath("//main/@id") == ["main"]
        assert len(doc.xpath("//h1")) == 1
        assert all(img.get("alt") == "Cover art of Test Cast" for img in doc.xpath("//img"))
        assert doc.xpath("//script/@src")[0].endswith("assets/readcast.js")


def test_episode_page_player_is_native_labelled_and_never_autoplays(site) -> None:
    proj, pages = site
    doc = pages[f"episodes/{SLUG}.html"]
    (audio,) = doc.xpath("//audio")
    assert audio.get("controls") is not None and audio.get("autoplay") is None
    assert audio.get("src") == f"{SLUG}.mp3" and audio.get("preload") == "metadata"
    assert audio.get("aria-label") == "Play What Happens When You Cry in Therapy"
    size = (proj.output / "episodes" / f"{SLUG}.mp3").stat().st_size
    record = json.loads((proj.root / ".readcast" / "state.json").read_text())["episodes"][SLUG]
    download = doc.xpath(f"//a[@href='{SLUG}.mp3' and @download]")[0]
    assert _text(download) == (
        f"Download the episode (MP3, {size_words(size)}, {duration_words(record['duration'])})"
    )
    disclosure = _text(doc.xpath("//*[@class='disclosure']")[0])
    assert "synthetic (computer-generated) voice" in disclosure and "exactly what is spoken" in disclosure
    assert doc.xpath("//time[@datetime]/text()")[1] == duration_words(record["duration"])


def test_chapter_links_match_the_chapters_file_and_open_the_mp3_at_their_time(site) -> None:
    proj, pages = site
    chapters = json.loads((proj.output / "episodes" / f"{SLUG}.chapters.json").read_text())["chapters"]
    links = pages[f"episodes/{SLUG}.html"].xpath("//nav[@aria-labelledby='chapters-heading']//a")
    assert [(a.get("data-seek"), a.get("href"), _text(a)) for a in links] == [
        (
            f"{c['startTime']:.3f}",
            f"{SLUG}.mp3#t={c['startTime']:.3f}",
            f"{clock(c['startTime'])} {c['title']}",
        )
        for c in chapters
    ]


def test_transcript_is_complete_timed_and_in_speaking_order(site) -> None:
    proj, pages = site
    transcript = pages[f"episodes/{SLUG}.html"].xpath("//section[@id='transcript']")[0]
    text = _text(transcript)
    for block in read_article(SAMPLE).blocks:
        assert " ".join(block.text.split()) in text
    starts = [float(s) for s in transcript.xpath(".//*[@data-start]/@data-start")]
    assert starts == sorted(starts) and len(starts) == 78  # one per spoken segment
    vtt = (proj.output / "episodes" / f"{SLUG}.vtt").read_text()
    cue_starts = {
        round(float(h) * 3600 + float(m) * 60 + float(s), 3)
        for h, m, s in re.findall(r"^(\d\d):(\d\d):(\d\d\.\d{3}) -->", vtt, re.M)
    }
    assert set(starts) <= cue_starts
    chapters = json.loads((proj.output / "episodes" / f"{SLUG}.chapters.json").read_text())["chapters"]
    headings = [_text(h) for h in transcript.xpath(".//h3")]
    assert headings == [f"{clock(c['startTime'])} {c['title']}" for c in chapters]
    assert len(transcript.xpath(".//ul/li")) > 10  # list items stay lists
    (paragraph,) = [p for p in transcript.xpath(".//p") if "At Televero" in _text(p)]
    spans = [float(s.get("data-start")) for s in paragraph.xpath("span")]
    assert len(spans) == 2 and spans[0] < spans[1] and set(spans) <= cue_starts


def test_html_transcript_uses_the_podcast_index_form(site) -> None:
    _, pages = site
    doc = pages[f"episodes/{SLUG}.transcript.html"]
    assert doc.get("lang") == "en"
    assert doc.xpath("//cite/text()") == ["Narrator:"]
    times = doc.xpath("//time/text()")
    paragraphs = doc.xpath("//main/p")[1:]
    page_stamps = pages[f"episodes/{SLUG}.html"].xpath("//section[@id='transcript']//time[@class='ts']")
    assert times[:2] == ["00:00:00", "00:00:01"] and len(times) == len(paragraphs) == len(page_stamps)
    assert _text(paragraphs[0]) == "What Happens When You Cry in Therapy."
    # A long paragraph, spoken as two segments, stays one paragraph.
    assert any(
        _text(p).startswith("At Televero Health") and _text(p).endswith("vulnerable and exposing.")
        for p in paragraphs
    )


def test_index_lists_episodes_and_offers_the_feed(site) -> None:
    proj, pages = site
    doc = pages["index.html"]
    (item,) = doc.xpath("//ol[@class='episodes']/li")
    assert item.xpath(".//h3/a/@href") == [f"episodes/{SLUG}.html"]
    assert item.xpath(".//audio/@aria-label") == ["Play What Happens When You Cry in Therapy"]
    assert item.xpath(".//audio/@autoplay") == []
    feed = doc.xpath("//input[@id='feed-url']")[0]
    assert feed.get("value") == "https://podcast.example.org/show/feed.xml"
    assert feed.get("readonly") is not None
    assert doc.xpath("//label[@for='feed-url']/text()") == ["Feed address"]
    assert doc.xpath("//button[@data-copy-target='feed-url']/@hidden") == [""]  # the script shows it
    css = (proj.output / "assets" / "readcast.css").read_bytes()
    assert css == (PACKAGE_TEMPLATES / "readcast.css").read_bytes()


def test_project_templates_override_the_packaged_ones(project: Project) -> None:
    templates = project.root / "templates"
    templates.mkdir()
    (templates / "episode.html").write_text(
        '{% extends "base.html" %}{% block main %}<h1>{{ episode.title }}</h1>'
        '<p id="custom">{{ sections | length }} sections</p>{% endblock %}'
    )
    (templates / "readcast.css").write_text("body { color: black; }\n")
    project.write("hello.md", "# Hello\n\nA paragraph.\n\n## Part two\n\nMore.\n")
    project.build()
    page = html.fromstring((project.output / "episodes" / "hello.html").read_bytes())
    assert page.xpath("//p[@id='custom']/text()") == ["2 sections"]
    assert page.xpath("//a[@class='skip-link']")  # base.html still comes from the package
    assert (project.output / "assets" / "readcast.css").read_text() == "body { color: black; }\n"


def test_a_broken_template_stops_with_its_file_and_line(project: Project) -> None:
    (project.root / "templates").mkdir()
    (project.root / "templates" / "index.html").write_text("<p>\n{% for x in %}\n")
    project.write("hello.md", "Hello.\n")
    with pytest.raises(
        ConfigError,
        match=r"templates/index\.html, line 2: template error: .*"
        r"delete it to use the built-in one",
    ):
        project.build()


# -- the browser -------------------------------------------------------------------------------
def _axe_source() -> str:
    candidates = [os.environ.get("AXE_CORE_JS", "")]
    try:
        import axe_playwright_python

        candidates.append(str(Path(axe_playwright_python.__file__).parent / "axe.min.js"))
    except ImportError:
        pass
    npm = shutil.which("npm")
    if npm:
        root = subprocess.run([npm, "root", "-g"], capture_output=True, text=True).stdout.strip()
        candidates.append(f"{root}/axe-core/axe.min.js")
    candidates.append(str(Path(__file__).resolve().parent.parent / "node_modules/axe-core/axe.min.js"))
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate).read_text(encoding="utf-8")
    pytest.fail(
        "axe-core not found: pip install -e '.[test]' (axe-playwright-python ships it) "
        "or set AXE_CORE_JS to axe.min.js"
    )


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    chromium = os.environ.get("READCAST_CHROMIUM") or require_program("chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail(
            "Playwright for Python is missing: pip install -e '.[test]' "
            "(the system Chromium is used; no 'playwright install' needed)"
        )
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=chromium,
            headless=True,
            args=CHROMIUM_ARGS,
        )
        context.set_default_timeout(15_000)
        try:
            yield context
        finally:
            context.close()


@pytest.fixture(scope="module")
def served(sample_build) -> Iterator[str]:
    proj, _ = sample_build
    server = make_server(proj.root, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.url
    server.shutdown()
    server.server_close()


class Page:
    """A browser tab that records console errors, page errors and failed requests."""

    def __init__(self, context, url: str) -> None:
        self.problems: list[str] = []
        self.page = context.new_page()
        self.page.on("console", lambda m: m.type == "error" and self.problems.append(f"console: {m.text}"))
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.on("response", lambda r: r.status >= 400 and self.problems.append(f"{r.status} {r.url}"))
        self.page.goto(url, wait_until="load")

    def axe(self, source: str) -> list[dict]:
        self.page.add_script_tag(content=source)
        result = self.page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        return result["violations"]

    def focused(self) -> dict:
        return self.page.evaluate("""() => { const e = document.activeElement;
            return {tag: e.tagName, id: e.id, text: e.textContent.trim(),
                    seek: e.getAttribute('data-seek'), copy: e.getAttribute('data-copy-target')}; }""")


@pytest.fixture(scope="module")
def axe_source() -> str:
    return _axe_source()


@pytest.mark.slow
@pytest.mark.parametrize("path", ["index.html", f"episodes/{SLUG}.html", f"episodes/{SLUG}.transcript.html"])
def test_axe_finds_no_serious_or_critical_violations(browser, served, axe_source, path: str) -> None:
    tab = Page(browser, served + path)
    violations = tab.axe(axe_source)
    serious = [
        (v["id"], v["impact"], v["help"], [n["target"] for n in v["nodes"]][:3])
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []
    assert [v["id"] for v in violations] == []  # none at all with the packaged templates
    assert tab.problems == []
    tab.page.close()


def _chapter(sample_build, n: int) -> dict:
    proj, _ = sample_build
    return json.loads((proj.output / "episodes" / f"{SLUG}.chapters.json").read_text())["chapters"][n]


@pytest.mark.slow
def test_keyboard_skip_link_chapters_read_along_and_copy(browser, served, sample_build) -> None:
    chapter = _chapter(sample_build, 1)
    seek = f"{chapter['startTime']:.3f}"
    browser.grant_permissions(["clipboard-read", "clipboard-write"], origin=served.rstrip("/"))
    tab = Page(browser, served + f"episodes/{SLUG}.html")
    page = tab.page
    page.wait_for_function("document.querySelector('audio').readyState >= 1")
    assert page.evaluate("document.querySelector('audio').paused")  # nothing plays by itself
    page.keyboard.press("Tab")
    assert tab.focused()["text"] == "Skip to main content"
    page.keyboard.press("Enter")
    assert tab.focused()["id"] == "main"
    for _ in range(40):  # Tab through the page to the second chapter link
        page.keyboard.press("Tab")
        if tab.focused()["seek"] == seek:
            break
    assert tab.focused()["seek"] == seek
    page.keyboard.press("Enter")
    # The link seeks the page's player (which may start playing: allow for the time it runs).
    page.wait_for_function(
        f"(t => t >= {seek} - 0.05 && t < {seek} + 3)(document.querySelector('audio').currentTime)"
    )
    assert page.url.split("#")[0].endswith(f"{SLUG}.html")  # the script seeks the player in place
    page.evaluate(f"""() => {{ const audio = document.querySelector('audio');
        audio.pause(); audio.currentTime = {seek}; }}""")
    page.wait_for_function(
        f"document.querySelector('.speaking') !== null && "
        f"document.querySelector('.speaking').getAttribute('data-start') === '{seek}'"
    )
    speaking = page.evaluate("""() => { const e = document.querySelector('.speaking');
        return [e.tagName, e.getAttribute('data-start'), e.textContent.replace(/\\s+/g, ' ').trim()]; }""")
    assert speaking == ["H3", seek, f"{clock(chapter['startTime'])} {chapter['title']}"]
    for _ in range(400):  # on to the copy button
        page.keyboard.press("Tab")
        if tab.focused()["copy"] == "feed-url":
            break
    assert tab.focused()["copy"] == "feed-url"
    page.keyboard.press("Enter")
    page.wait_for_function("document.getElementById('copy-status').textContent !== ''")
    assert page.text_content("#copy-status") == "Feed address copied."
    assert page.evaluate("navigator.clipboard.readText()") == "https://podcast.example.org/show/feed.xml"
    assert page.is_checked("#follow-along") is False  # scrolling with the audio is opt-in
    assert tab.problems == []
    page.close()


@pytest.mark.slow
def test_time_fragment_seeks_without_playing(browser, served, sample_build) -> None:
    seek = f"{_chapter(sample_build, 2)['startTime']:.3f}"
    tab = Page(browser, served + f"episodes/{SLUG}.html#t={seek}")
    tab.page.wait_for_function(f"Math.abs(document.querySelector('audio').currentTime - {seek}) < 0.05")
    assert tab.page.evaluate("document.querySelector('audio').paused")
    assert tab.problems == []
    tab.page.close()


@pytest.mark.slow
def test_pages_work_without_javascript(browser, served, sample_build) -> None:
    seek = f"{_chapter(sample_build, 1)['startTime']:.3f}"
    page = browser.new_page()
    page.route("**/readcast.js", lambda route: route.abort())  # as if scripts were off
    page.goto(served + f"episodes/{SLUG}.html")
    assert page.is_hidden("button.copy-button")  # nothing that needs the script is shown
    assert page.locator("#follow-along").count() == 0
    link = page.locator("nav.chapters a").nth(1)
    assert link.get_attribute("href") == f"{SLUG}.mp3#t={seek}"  # still seeks: in the MP3 itself
    assert page.locator("audio[controls]").count() == 1
    assert page.locator("#transcript p").count() > 30
    assert page.input_value("#feed-url") == "https://podcast.example.org/show/feed.xml"
    page.close()
