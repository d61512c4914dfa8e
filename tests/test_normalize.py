"""Each normalization rule, with the exact text an engine is given for written text."""

from __future__ import annotations

import pytest

from readcast.engines.hibari import HibariEngine, misaki_phonemes
from readcast.speech.lexicon import Lexicon, phoneme_markup_for
from readcast.speech.normalize import normalize, spell_out, split_sentences, verbatim, version_words


def said(*cases: tuple[str, str]) -> list[object]:
    return [pytest.param(written, spoken, id=written[:40]) for written, spoken in cases]


URLS_AND_EMAIL = said(
    ("Visit https://www.example.com/help today.", "Visit example dot com slash help today."),
    ("Read it at example.com.", "Read it at example dot com."),
    ("See https://www.nytimes.com/2024/03/14/nyregion/ferry.html?x=1.", "See nytimes dot com."),
    ("(see https://example.org/docs/install)", "(see example dot org slash docs slash install)"),
    ("Go to github.com/readcast/readcast/issues/12.", "Go to github dot com."),
    ("See www.bbc.co.uk for news.", "See BBC dot co dot uk for news."),
    ("Try my-site.example.org now.", "Try my dash site dot example dot org now."),
    ("Mail ferries@coastline.example.org today.", "Mail ferries at coastline dot example dot org today."),
    (
        "Write to Jo_Ann+news@mail.example.com.",
        "Write to Jo underscore Ann plus news at mail dot example dot com.",
    ),
    ("Ask jane.doe42@npr.org.", "Ask jane dot doe four two at NPR dot org."),
    ("Open readcast.toml and README.md.", "Open readcast dot toml and README dot MD."),
    ("Install Node.js first.", "Install Node dot JS first."),
    ("Call kettle.heat() twice.", "Call kettle dot heat twice."),
)

ABBREVIATIONS = said(
    ("Try e.g. CBT, i.e. talk therapy, etc.", "Try for example CBT, that is talk therapy, et cetera."),
    ("Apples, pears, etc. Then more.", "Apples, pears, et cetera. Then more."),
    ("Pens, ink, etc., and paper.", "Pens, ink, et cetera, and paper."),
    ("Cats vs. dogs and Roe v. Wade.", "Cats versus dogs and Roe versus Wade."),
    ("Dr. Smith lives on Main St. in St. Louis.", "Doctor Smith lives on Main Street in Saint Louis."),
    (
        "Visit St. Louis. I live on Main St. Then I left.",
        "Visit Saint Louis. I live on Main Street. Then I left.",
    ),
    (
        "He met Mr. and Mrs. Jones at 42nd St. and Sunset Dr.",
        "He met Mister and Missus Jones at forty-second Street and Sunset Drive.",
    ),
    ("Thanks, Dr. Smith. Ask Dr Jones.", "Thanks, Doctor Smith. Ask Doctor Jones."),
    (
        "Ms. Lee and Prof. Xu met Gen. Patton, not Gen Z.",
        "Miz Lee and Professor Xu met General Patton, not Gen Z.",
    ),
    (
        "Martin Luther King, Jr. said it, like Sammy Davis Jr.",
        "Martin Luther King Junior said it, like Sammy Davis Junior.",
    ),
    (
        "See No. 5, p. 12, pp. 10-12, Fig. 3 and c. 1900.",
        "See number five, page twelve, pages ten to twelve, Figure three and circa nineteen hundred.",
    ),
    ("Bring snacks w/ you, w/o nuts.", "Bring snacks with you, without nuts."),
    ("He said no. Then he left.", "He said No. Then he left."),  # hibari read "no." as "number"
)

TIMES_AND_DATES = said(
    ("It opens at 10:30 a.m. and closes at 5 p.m.", "It opens at ten thirty a.m. and closes at five p.m."),
    ("Meet at 9:05, or 3pm, or 11 AM.", "Meet at nine oh five, or three p.m., or eleven a.m."),
    (
        "At 12:00, then 17:00, then 17:45.",
        "At twelve o'clock, then seventeen hundred, then seventeen forty-five.",
    ),
    ("The record is 1:02:03.", "The record is one hour, two minutes and three seconds."),
    ("A 3:1 ratio and John 3:16.", "A three to one ratio and John three sixteen."),
    ("Born 2023-05-01.", "Born May first, twenty twenty-three."),
    ("Seen May 1st, 2024 and Jan. 5th.", "Seen May first, twenty twenty-four and January fifth."),
    ("Due 5 January 2024.", "Due the fifth of January, twenty twenty-four."),
    (
        "On 12/25/2023 and 25/12/2023.",
        "On December twenty-fifth, twenty twenty-three and December twenty-fifth, twenty twenty-three.",
    ),
    ("From Sept. 3 to Oct 10.", "From September third to October tenth."),
)

NUMBERS = said(
    (
        "In 2023, 1,234 people came.",
        "In twenty twenty-three, one thousand two hundred and thirty-four people came.",
    ),
    ("In 1905 and 2005 and 2000.", "In nineteen oh-five and two thousand and five and two thousand."),
    ("It is 3.14 and 0.5 and -5.", "It is three point one four and zero point five and minus five."),
    ("Agent 007 has 10000 coins.", "Agent zero zero seven has ten thousand coins."),
    (
        "Order 1234567890 of 123,456,789,012.",
        "Order one two three four five six seven eight nine zero of one hundred and twenty-three billion "
        "four hundred and fifty-six million seven hundred and eighty-nine thousand and twelve.",
    ),
    ("The 21st century, the 2nd try.", "The twenty-first century, the second try."),
    ("The 1990s, the '80s and the 1900s.", "The nineteen nineties, the eighties and the nineteen hundreds."),
    ("100s of them.", "hundreds of them."),
    (
        "version 2.0 and Python 3.12 and v1.10.2 and 0.2.1 and v2.",
        "version two point oh and Python three point twelve and version one point ten point two and "
        "zero point two point one and version two.",
    ),
    (
        "From 2019–2023 and 10-20 pages, Monday–Friday, 10–20%.",
        "From twenty nineteen to twenty twenty-three and ten to twenty pages, Monday to Friday, ten to "
        "twenty percent.",
    ),
    (
        "Read 100-1000 words. Scores were 3-2.",
        "Read one hundred to one thousand words. Scores were three to two.",
    ),
    (
        "Call (555) 123-4567 or 555-0199.",
        "Call five five five, one two three, four five six seven or five five five, zero one nine nine.",
    ),
    (
        "Call +44 20 7946 0958 or 1-800-555-0199.",
        "Call plus four four, two zero, seven nine four six, zero nine five eight or one, eight zero zero, "
        "five five five, zero one nine nine.",
    ),
    (
        "1/2 cup, 3/4, 2/3, 24/7, 50/50, 4/5 stars, 1½ hours.",
        "one half cup, three quarters, two thirds, twenty-four seven, fifty-fifty, four out of five stars, "
        "one and a half hours.",
    ),
    ("#1, ~5, +3 and 2x faster.", "number one, about five, plus three and two times faster."),
    (
        "Letters and digits stay: COVID-19, R2D2, mp3, 4K, 5G.",
        "Letters and digits stay: COVID-19, R2D2, mp3, 4K, 5G.",
    ),
)

MONEY_UNITS_SYMBOLS = said(
    (
        "It costs $3.50, $1, $0.99, £20 or €5.25.",
        "It costs three dollars and fifty cents, one dollar, ninety-nine cents, twenty pounds or five euros "
        "and twenty-five cents.",
    ),
    (
        "$1.5 million, $5k, $2.5, ¥500, 99¢, £1.01.",
        "one point five million dollars, five thousand dollars, two point five dollars, five hundred yen, "
        "ninety-nine cents, one pound and one penny.",
    ),
    ("It costs US$5 or $5/month.", "It costs five US dollars or five dollars per month."),
    ("Up 12%, 2.5% or -3%.", "Up twelve percent, two point five percent or minus three percent."),
    ("1.5M users.", "one point five million users."),
    (
        "A 5 km run, 1 kg, 600 ml, 2 GB.",
        "A five kilometers run, one kilogram, six hundred milliliters, two gigabytes.",
    ),
    ("A 5-km run at 20 mph.", "A five-kilometer run at twenty miles per hour."),
    (
        "From -5°C to 35 °C, or 98.6°F, at 90°.",
        "From minus five degrees Celsius to thirty-five degrees Celsius, or ninety-eight point six degrees "
        "Fahrenheit, at ninety degrees.",
    ),
    ("He is 5'11\" and 6 ft tall.", "He is five foot eleven and six feet tall."),
    (
        "A 1920x1080 screen, a 3 × 4 grid.",
        "A nineteen twenty by one thousand and eighty screen, a three by four grid.",
    ),
    (
        "R&D & AT&T, C++, A+, #accessibility, @readcast.",
        "R and D and AT and T, C plus plus, A plus, hashtag accessibility, at readcast.",
    ),
    ("and/or, yes/no, TCP/IP, 50% off.", "and or, yes or no, TCP IP, fifty percent off."),
    (
        "a = b, © 2024, Acme™, ± 2, § 4.",
        "a equals b, copyright twenty twenty-four, Acme, plus or minus two, section four.",
    ),
)

ROMAN_NUMERALS = said(
    ("Chapter IV of World War II.", "Chapter four of World War two."),
    ("Henry VIII met Elizabeth II.", "Henry the eighth met Elizabeth the second."),
    (
        "Louis XIV, Pope John Paul II, Super Bowl LVII, King Charles III.",
        "Louis the fourteenth, Pope John Paul the second, Super Bowl fifty-seven, King Charles the third.",
    ),
    ("John Smith III and Part I.", "John Smith the third and Part one."),
    ("I want V for Vendetta and X marks the spot.", "I want V for Vendetta and X marks the spot."),
)

PUNCTUATION = said(
    ("Wait... then — no – stop... Really…", "Wait, then, no, stop. Really."),
    ("He said—no.", "He said, No."),
    ("— Maya Angelou", "Maya Angelou"),
    ("Emoji 😀 gone 👍🏽.", "Emoji gone."),
    ("“Smart” ‘quotes’ and it’s.", "\"Smart\" 'quotes' and it's."),
    ("Soft\u00adhyphen and\u00a0spaces.", "Softhyphen and spaces."),
    ("Nothing() here [] now.", "Nothing here now."),
)

ALREADY_WELL_READ = said(  # voices.md: hibari reads these right; they must stay right
    ("$3.50", "three dollars and fifty cents"),
    ("12%", "twelve percent"),
    ("2023", "twenty twenty-three"),
    ("Dr. Smith", "Doctor Smith"),
    ("Jan. 5th", "January fifth"),
    ("Chapter IV", "Chapter four"),
    ("Salt & pepper", "Salt and pepper"),
)


@pytest.mark.parametrize(("written", "spoken"), URLS_AND_EMAIL)
def test_urls_and_email_addresses_are_said_like_a_person_would(written: str, spoken: str) -> None:
    assert normalize(written) == spoken


@pytest.mark.parametrize(("written", "spoken"), ABBREVIATIONS)
def test_abbreviations(written: str, spoken: str) -> None:
    assert normalize(written) == spoken


@pytest.mark.parametrize(("written", "spoken"), TIMES_AND_DATES)
def test_times_and_dates(written: str, spoken: str) -> None:
    assert normalize(written) == spoken


@pytest.mark.parametrize(("written", "spoken"), NUMBERS)
def test_numbers(written: str, spoken: str) -> None:
    assert normalize(written) == spoken


@pytest.mark.parametrize(("written", "spoken"), MONEY_UNITS_SYMBOLS)
def test_money_units_and_symbols(written: str, spoken: str) -> None:
    assert normalize(written) == spoken


@pytest.mark.parametrize(("written", "spoken"), ROMAN_NUMERALS)
def test_roman_numerals_in_titles_and_names(written: str, spoken: str) -> None:
    assert normalize(written) == spoken


@pytest.mark.parametrize(("written", "spoken"), PUNCTUATION)
def test_quotes_dashes_ellipses_and_emoji(written: str, spoken: str) -> None:
    assert normalize(written) == spoken


@pytest.mark.parametrize(("written", "spoken"), ALREADY_WELL_READ)
def test_what_the_engine_already_read_well_stays_right(written: str, spoken: str) -> None:
    assert normalize(written) == spoken


def test_plain_prose_is_left_alone() -> None:
    text = (
        "It catches you off guard. One minute you're talking about something that happened "
        "last week, or describing a memory. Now what?"
    )
    assert normalize(text) == text


def test_other_languages_get_only_the_language_neutral_rules() -> None:
    assert (
        normalize("Rendez-vous à 10:30 sur https://www.exemple.fr/a/b?c=1 — merci…", language="fr")
        == "Rendez-vous à 10:30 sur exemple.fr, merci."
    )


def test_verbatim_text_passes_every_rule_untouched() -> None:
    assert (
        normalize(f"Say {verbatim('Dr. 2.0 & e.g.')} now, Dr. Who.") == "Say Dr. 2.0 & e.g. now, Doctor Who."
    )


def test_spell_out_reads_letters_and_digits_one_by_one() -> None:
    assert spell_out("IEEE") == "I.E.E.E."
    assert spell_out("R2-D2") == "R. two dash D. two"
    assert spell_out("a@b.c") == "A. at B. dot C."


def test_version_words() -> None:
    assert version_words("2.0") == "two point oh"
    assert version_words("3.12") == "three point twelve"
    assert version_words("1.05") == "one point zero five"


def test_sentences_are_not_split_after_abbreviations_or_initials() -> None:
    assert split_sentences("Dr. Smith came. J. K. Rowling wrote it. See p. 5 now. Done.") == [
        "Dr. Smith came.",
        "J. K. Rowling wrote it.",
        "See p. 5 now.",
        "Done.",
    ]


# -- the pronunciation lexicon ------------------------------------------------------------------


def test_lexicon_respells_whole_words_only() -> None:
    lexicon = Lexicon({"Televero": "Tele-VAIR-oh"})
    assert (
        normalize("Televero's team at Televero Health, not Televerox or televero.com.", lexicon=lexicon)
        == "Tele-VAIR-oh's team at Tele-VAIR-oh Health, not Televerox or televero dot com."
    )


def test_lexicon_keys_with_capitals_match_exactly_and_lowercase_keys_any_case() -> None:
    lexicon = Lexicon({"US": "United States", "nginx": "engine X"})
    assert (
        normalize("Tell us about the US. Nginx, NGINX and nginx.", lexicon=lexicon)
        == "Tell us about the United States. engine X, engine X and engine X."
    )


def test_lexicon_respellings_are_not_normalized_again() -> None:
    lexicon = Lexicon({"Route66": "Route 66 & more"})
    assert normalize("Drive Route66 for 2 days.", lexicon=lexicon) == "Drive Route 66 & more for two days."


def test_ipa_entries_use_the_engines_phoneme_markup_or_fall_back() -> None:
    entries = {"GIF": {"ipa": "dʒɪf"}, "SQL": {"ipa": "ˈsiːkwəl", "say": "sequel"}}
    hibari = Lexicon(entries, phoneme_markup_for(HibariEngine))
    assert normalize("A GIF in SQL.", lexicon=hibari) == "A [GIF](/ʤɪf/) in [SQL](/sˈiːkwəl/)."
    plain = Lexicon(entries, None)  # an engine without phoneme support
    assert normalize("A GIF in SQL.", lexicon=plain) == "A GIF in sequel."


def test_merged_lexicon_lets_the_article_override_the_project() -> None:
    lexicon = Lexicon.merged(
        {"Televero": "Tele-VAIR-oh", "Okafor": "oh-KAH-for"}, {"Televero": "TELL-ver-oh"}
    )
    assert normalize("Televero and Okafor.", lexicon=lexicon) == "TELL-ver-oh and oh-KAH-for."


def test_ipa_is_converted_to_hibaris_phoneme_alphabet() -> None:
    assert misaki_phonemes("ˈtɛl.əˌvɛr.oʊ") == "tˈɛləvˌɛɹO"
    assert misaki_phonemes("/ˈɡɪf/") == "ɡˈɪf"
    assert misaki_phonemes("ˈdeɪtə") == "dˈAtə"
