"""Stage 2: what is said for each structure, the authors' inline controls, the lexicon and --diff."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from conftest import SAMPLE, Project

from readcast.engines.hibari import HibariEngine
from readcast.errors import ContentError
from readcast.models import Article, ArticleMeta, Block
from readcast.oneoff import script_for_file
from readcast.read import read_article
from readcast.read.markdown import read_markdown
from readcast.speech.lexicon import phoneme_markup_for
from readcast.speech.script import build_script, script_diff, word_diff

ARTICLES = Path(__file__).parent / "articles"


def script_of(markdown: str, **options: object):
    path = Path("/content/test.md")
    article = read_markdown(path, textwrap.dedent(markdown).lstrip("\n"))
    return build_script(article, author="Ann Author", podcast_title="Test Cast", **options)


def body(script) -> list[tuple[str, str, int]]:
    """(kind, spoken, pause after) of every segment between the intro and the outro."""
    return [(s.kind, s.spoken, s.pause_after_ms) for s in script.segments[2:-1]]


def test_every_structure_of_a_markdown_article_is_said_in_order() -> None:
    script = build_script(
        read_article(ARTICLES / "library-digital-services.md"),
        author="Dana Whitfield",
        podcast_title="Test Cast",
    )
    assert [(s.kind, s.spoken, s.pause_after_ms, s.chapter) for s in script.segments] == [
        ("intro", "The Riverside Library Goes Digital.", 900, "The Riverside Library Goes Digital"),
        ("intro", "Written by Dana Whitfield. Narrated by a synthetic voice for Test Cast.", 900, None),
        (
            "paragraph",
            "The Riverside Library has spent the winter rebuilding its digital services. "
            "Members can now borrow e-books, stream films and book a study room from home.",
            1100,
            None,
        ),
        ("heading", "Getting Started.", 700, "Getting Started"),
        (
            "paragraph",
            "Visit riversidelibrary dot example dot org slash join to sign up, or read the full "
            "announcement at news dot example dot com. Questions go to help at riversidelibrary "
            "dot example dot org, and the opening hours page lists every branch.",
            650,
            None,
        ),
        ("paragraph", "You will need three things:", 650, None),
        ("list_item", "A library card.", 350, None),
        ("list_item", "A four-digit PIN.", 350, None),
        ("list_item", "An e-mail address.", 350, None),
        ("list_item", "Work addresses are fine.", 350, None),
        ("list_item", "So are school addresses.", 650, None),
        ("paragraph", "To borrow your first e-book:", 650, None),
        ("list_item", "One. Install the LIB-ee app.", 350, None),
        ("list_item", "Two. Search for Riverside and sign in with your card.", 350, None),
        ("list_item", "Three. Pick a title and tap Borrow.", 1100, None),
        ("heading", "What Members Said.", 700, "What Members Said"),
        ("quote", "Quote: I used to drive forty minutes to return a single book.", 650, None),
        (
            "quote",
            "Now I borrow from my kitchen table. It feels like the library moved in with me.",
            650,
            None,
        ),
        ("image", "Image: A reader holding a tablet in the library's reading room.", 1100, None),
        ("heading", "Plans Compared.", 700, "Plans Compared"),
        ("table_row", "A table with two rows.", 400, None),
        ("table_row", "Plan: Standard; Loans at a time: ten; Price: Free.", 400, None),
        (
            "table_row",
            "Plan: Family; Loans at a time: twenty-five; Price: two dollars and fifty cents a month.",
            1100,
            None,
        ),
        ("heading", "For Developers.", 700, "For Developers"),
        ("paragraph", "The catalogue has a public API. Start with the search endpoint:", 650, None),
        ("code", "A code example is not read aloud.", 1200, None),
        (
            "paragraph",
            "The project was paid for by a state grant. Staff trained for six weeks before the launch.",
            2000,
            None,
        ),
        ("paragraph", "The doors open at nine tomorrow.", 650, None),
        (
            "paragraph",
            "The new catalogue runs on S.Q.L. and the team calls its search engine the hound.",
            1100,
            None,
        ),
        ("heading", "Footnotes.", 700, "Footnotes"),
        ("footnote", "Footnote one: The grant came from the state's library modernization fund.", 500, None),
        (
            "outro",
            "That was The Riverside Library Goes Digital, from Test Cast. Thank you for listening.",
            0,
            None,
        ),
    ]


def test_transcript_text_keeps_what_the_author_wrote() -> None:
    script = build_script(
        read_article(ARTICLES / "library-digital-services.md"), author="D", podcast_title="T"
    )
    written = [s.written for s in script.segments]
    assert "1. Install the Libby app" in written
    assert "[Table]" in written and "[code example]" in written
    assert "The new catalogue runs on SQL and the team calls its search engine HND-2." in written
    assert "[1] The grant came from the state's library modernization fund." in written
    assert not any("<!--" in text or "Internal note" in text for text in written)


def test_sample_list_items_are_segments_of_their_own_with_short_pauses() -> None:
    segments = script_for_file(SAMPLE).segments
    items = [(s.spoken, s.pause_after_ms) for s in segments if s.kind == "list_item"]
    assert len(items) == 18
    assert items[:5] == [
        ("A sign of weakness or lack of control.", 350),
        ("Something to be ashamed of.", 350),
        ('An indication that you\'re "too emotional".', 350),
        ("A manipulation or bid for sympathy.", 350),
        ("A waste of time.", 650),
    ]
    assert [s.chapter for s in segments if s.chapter][:3] == [
        "What Happens When You Cry in Therapy",
        "What Crying Actually Means",
        "How Therapists View Tears",
    ]


def test_numbers_are_read_only_where_they_help() -> None:
    script = script_of("""
        1. Preheat the oven
        2. Step 2: mix the batter

        Then:

        1. Only one item

        - Plain bullet
    """)
    assert [spoken for _, spoken, _ in body(script)] == [
        "One. Preheat the oven.",
        "Step two: mix the batter.",
        "Then:",
        "Only one item.",
        "Plain bullet.",
    ]


def test_blocks_of_an_article_without_a_reader() -> None:
    blocks = (
        Block("heading", "Results", level=2),
        Block("rule", ""),
        Block("table_row", "Name: Ana; Score: 9", last_in_group=True),
        Block("quote", "— Maya Angelou"),
        Block("code", "print(1)"),
        Block("image", "A chart"),
    )
    article = Article(Path("/content/a.md"), "a", "Title", blocks, ArticleMeta())
    script = build_script(article, author="", podcast_title="Cast")
    assert script.segments[1].spoken == "Narrated by a synthetic voice for Cast."
    assert body(script) == [
        ("heading", "Results.", 1200),  # the rule's silence joins the heading before it
        ("table_row", "A table with one row.", 400),
        ("table_row", "Name: Ana; Score: nine.", 650),
        ("quote", "Quote: Maya Angelou", 650),
        ("code", "A code example is not read aloud.", 600),
        ("image", "Image: A chart.", 600),
    ]


# -- inline controls ------------------------------------------------------------------------------


def test_pause_markers_split_a_paragraph_or_lengthen_the_pause_before() -> None:
    script = script_of("""
        First part.<!-- pause --> Second part. <!-- pause 500ms -->Third part.

        <!-- pause 3.5s -->

        ## Next <!-- pause 2 s -->
    """)
    assert body(script) == [
        ("paragraph", "First part.", 1000),
        ("paragraph", "Second part.", 500),
        ("paragraph", "Third part.", 3500),
        ("heading", "Next.", 2000),
    ]


def test_skip_hides_text_blocks_and_chapters_but_not_what_follows() -> None:
    script = script_of("""
        Kept. <!-- skip -->Hidden words.

        ## Hidden heading

        ![A hidden chart](c.png)

        Also hidden.<!-- /skip --> Kept too.

        <!-- a note to myself, not a control -->
        Last.
    """)
    assert body(script) == [
        ("paragraph", "Kept.", 650),
        ("paragraph", "Kept too.", 650),
        ("paragraph", "Last.", 650),
    ]
    assert [s.chapter for s in script.segments if s.chapter] == ["test"]
    assert all("idden" not in s.written for s in script.segments)


def test_spell_and_say_change_the_speech_but_not_the_transcript() -> None:
    script = script_of("""
        Ask <!-- spell -->IEEE<!-- /spell --> or <!-- say "sequel" -->SQL<!-- /say -->, not ISO.
    """)
    segment = script.segments[2]
    assert (segment.written, segment.spoken) == (
        "Ask IEEE or SQL, not ISO.",
        "Ask I.E.E.E. or sequel, not ISO.",
    )


@pytest.mark.parametrize(
    ("markdown", "message"),
    [
        ("Wait <!-- pause forever --> now.", "is not a pause marker. Write <!-- pause -->"),
        ("Wait <!-- pause 30s --> now.", "a pause must be longer than 0 and at most 10 s"),
        ("Start <!-- skip --> and never end.", "a <!-- skip --> is never closed"),
        ("Stray <!-- /skip --> here.", "<!-- /skip --> without a <!-- skip -->"),
        ("Open <!-- spell -->ABC without end.", "<!-- spell --> is not closed in the same paragraph"),
        ("A <!-- say -->B<!-- /say -->.", "write what to say"),
        (
            'A <!-- spell --><!-- say "x" -->B<!-- /say --><!-- /spell -->.',
            "<!-- say --> inside <!-- spell -->",
        ),
        ("A <!-- skip now --> B.", "'skip' takes nothing after it"),
    ],
)
def test_a_malformed_control_is_a_clear_error_naming_the_file(markdown: str, message: str) -> None:
    with pytest.raises(ContentError) as caught:
        script_of(markdown)
    assert str(caught.value).startswith("/content/test.md: ")
    assert message in str(caught.value)


# -- the lexicon -------------------------------------------------------------------------------


def test_project_lexicon_and_front_matter_entries_with_phonemes() -> None:
    script = script_of(
        """
        ---
        title: Lexicon
        pronunciations:
          Okafor: oh-KAH-for
          GIF: { ipa: "ɡɪf" }
        ---
        Televero and Okafor made a GIF.
    """,
        pronunciations={"Televero": "Tele-VAIR-oh", "Okafor": "OKA-four"},
        phoneme_markup=phoneme_markup_for(HibariEngine),
    )
    assert script.segments[2].spoken == "Tele-VAIR-oh and oh-KAH-for made a [GIF](/ɡɪf/)."
    assert script.segments[2].written == "Televero and Okafor made a GIF."


def test_lexicon_entries_enter_the_build_and_an_edit_resynthesizes_only_their_segments(
    project: Project,
) -> None:
    settings = (project.root / "readcast.toml").read_text(encoding="utf-8")
    project.settings(settings + '\n[pronunciations]\nTelevero = "Tele-VAIR-oh"\nGIF = { ipa = "ɡɪf" }\n')
    project.write(
        "lex.md",
        """
        ---
        title: Lexicon
        ---
        Televero makes apps.

        A GIF is a picture.

        Nothing else here.
    """,
    )
    first = project.build()
    assert [(e.status, e.segments) for e in first.episodes] == [("built", 6)]
    project.settings(settings + '\n[pronunciations]\nTelevero = "TELL-ver-oh"\nGIF = { ipa = "ɡɪf" }\n')
    second = project.build()
    assert [(e.status, e.synthesized) for e in second.episodes] == [("built", 1)]


# -- seeing the script: --diff -------------------------------------------------------------------------


def test_word_diff_marks_only_words_said_differently() -> None:
    assert (
        word_diff("It costs $3.50, e.g. today.", "It costs three dollars and fifty cents, for example today.")
        == "It costs [-$3.50, e.g.-]{+three dollars and fifty cents, for example+} today."
    )
    assert word_diff("Tears — “real” ones", 'Tears, "real" ones.') is None


def test_script_diff_lists_the_surprising_segments_and_counts_them() -> None:
    script = script_of("""
        ## Chapter IV

        Plain words only.

        Call 555-0199 at 9:05.
    """)
    assert script_diff(script) == [
        "[  3] heading   Chapter [-IV-]{+four.+}",
        "[  5] paragraph Call [-555-0199-]{+five five five, zero one nine nine+} at "
        "[-9:05.-]{+nine oh five.+}",
        "2 of 6 segments are said differently from the text.",
    ]


def test_the_sample_is_said_as_written_dashes_becoming_pauses() -> None:
    assert script_diff(script_for_file(SAMPLE)) == ["0 of 78 segments are said differently from the text."]


def test_cli_script_diff_and_project_lexicon(project: Project) -> None:
    settings = (project.root / "readcast.toml").read_text(encoding="utf-8")
    project.settings(settings + '\n[pronunciations]\nTelevero = "Tele-VAIR-oh"\n')
    path = project.write("cli.md", "---\ntitle: Hello\n---\nTelevero opens at 10:30 a.m.\n")
    result = project.cli("script", str(path), "--diff")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "[  3] paragraph [-Televero-]{+Tele-VAIR-oh+} opens at [-10:30-]{+ten thirty+} a.m.",
        "1 of 4 segments are said differently from the text.",
    ]
    plain = project.cli("script", str(path))
    assert "[  3] paragraph Tele-VAIR-oh opens at ten thirty a.m." in plain.stdout.splitlines()


def test_cli_script_names_a_bad_control_without_a_traceback(project: Project) -> None:
    path = project.write("bad.md", "Wait <!-- pause forever --> now.\n")
    result = project.cli("script", str(path))
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert f"{path}: <!-- pause forever --> is not a pause marker" in " ".join(result.stderr.split())
