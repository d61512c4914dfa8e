"""Text normalization for speech, shared by every engine: what a narrator says for written text.

`normalize` runs the rules of `RULES` in order over one segment's text. Each rule is a small
function that turns one kind of written form into words (URLs, abbreviations, times, dates, phone
numbers, money, units, numbers, symbols...), so that every engine hears the same, already spoken,
text. The rules are deliberately conservative: a form that is ambiguous is left to the engine
rather than guessed (see the module's tests for the exact readings).

Text that must not be touched (a respelling from the lexicon, an author's `say` control) is wrapped
with `verbatim` by the caller, or protected by the `Lexicon`; it passes through every rule as one
opaque placeholder and comes back unchanged at the end.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from num2words import num2words

if TYPE_CHECKING:
    from .lexicon import Lexicon

_VERBATIM_OPEN, _VERBATIM_CLOSE = "\ue000", "\ue001"
_VERBATIM_RE = re.compile(f"{_VERBATIM_OPEN}(.*?){_VERBATIM_CLOSE}", re.S)
_PLACEHOLDER_BASE = 0xF0000  # Supplementary Private Use Area-A: never \w, \s or a digit
_PRIVATE_USE_RE = re.compile("[\ue000-\uf8ff]")
_PLACEHOLDER_RE = re.compile("[\U000f0000-\U000ffffd]")


def verbatim(text: str) -> str:
    """Mark `text` so that `normalize` passes it through exactly as it is."""
    return f"{_VERBATIM_OPEN}{text}{_VERBATIM_CLOSE}"


class _Protected:
    """Stand-ins for protected text: one private-use character each, restored at the end."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def __call__(self, text: str) -> str:
        self.texts.append(text)
        return chr(_PLACEHOLDER_BASE + len(self.texts) - 1)

    def restore(self, text: str) -> str:
        if not self.texts:
            return text
        return _PLACEHOLDER_RE.sub(lambda m: self.texts[ord(m.group()) - _PLACEHOLDER_BASE], text)


Protect = Callable[[str], str]


# -- number words (num2words, with the commas that would make an engine pause removed) -----------

_ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


def _plain(words: str) -> str:
    return words.replace(",", "")


def cardinal(number: str | int) -> str:
    """Words for an integer or decimal as written: "1,234" -> "one thousand two hundred and
    thirty-four", "3.14" -> "three point one four", "-2" -> "minus two"."""
    text = str(number).replace(",", "")
    sign = ""
    if text.startswith(("-", "−")):
        sign, text = "minus ", text[1:]
    whole, _, fraction = text.partition(".")
    words = _plain(num2words(int(whole))) if whole else "zero"
    if fraction:
        words += " point " + digits(fraction)
    return sign + words


def digits(text: str) -> str:
    """Each digit as a word: "042" -> "zero four two"."""
    return " ".join(_ONES[int(c)] for c in text if c.isdigit())


def ordinal(number: int | str) -> str:
    return _plain(num2words(int(str(number).replace(",", "")), to="ordinal"))


def year(number: int | str) -> str:
    """ "2023" -> "twenty twenty-three", "1905" -> "nineteen oh-five", "2005" -> "two thousand and five"."""
    return _plain(num2words(int(number), to="year"))


def _plural_word(words: str) -> str:
    """ "nineteen ninety" -> "nineteen nineties", "eighteen hundred" -> "eighteen hundreds"."""
    head, _, last = words.rpartition(" ")
    last = last[:-1] + "ies" if last.endswith("y") else last + "s"
    return f"{head} {last}".strip()


# -- character clean-up ----------------------------------------------------------------------

_EMOJI_RE = re.compile(
    "[\U0001f000-\U0001faff\U00002600-\U000027bf\U0001f900-\U0001f9ff\U0001f1e6-\U0001f1ff"
    "\ufe0e\ufe0f\u200d\u20e3\U000e0020-\U000e007f]+"
)
_INVISIBLE_RE = re.compile("[\u00ad\u200b\u200c\u2060\ufeff]")
_QUOTES = str.maketrans(
    {
        "“": '"',
        "”": '"',
        "„": '"',
        "‟": '"',
        "«": '"',
        "»": '"',
        "″": '"',
        "‘": "'",
        "’": "'",
        "‚": "'",
        "‛": "'",
        "′": "'",
        "ʼ": "'",
        "\u00a0": " ",
        "\u2009": " ",
        "\u202f": " ",
        "\u2007": " ",
        "−": "-",
        "‐": "-",
        "‑": "-",
        "‒": "–",
        "―": "—",
        "⁄": "/",
    }
)


def _clean_characters(text: str) -> str:
    """NFC, emoji and invisible characters dropped, typographic quotes and spaces made plain."""
    text = unicodedata.normalize("NFC", text)
    text = _EMOJI_RE.sub("", text)
    text = _INVISIBLE_RE.sub("", text)
    return text.translate(_QUOTES)


# -- URLs, e-mail addresses, domains and file names -------------------------------------------

_TLDS = (
    "com|org|net|edu|gov|mil|int|io|co|uk|us|ca|au|nz|ie|de|fr|nl|eu|jp|ch|se|no|dk|fi|info|"
    "biz|dev|app|ai|tv|fm|ly|gg|xyz|tech|blog|news|online|site|health|example"
)
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_DOMAIN = rf"(?:{_LABEL}\.)+(?:{_TLDS})"
_URL_RE = re.compile(r"(?<![\w@])(?:https?://|ftp://|www\.)[^\s<>\"'\u3000]+", re.I)
_EMAIL_RE = re.compile(rf"(?<![\w.+-])([A-Za-z0-9][\w.+-]*)@({_DOMAIN})(?![\w-]|\.\w)", re.I)
_BARE_DOMAIN_RE = re.compile(rf"(?<![\w@./-])({_DOMAIN})(/[^\s<>\"']*)?(?![\w-]|\.\w)", re.I)
_FILE_EXTENSIONS = (
    "toml|md|txt|html?|py|json|ya?ml|csv|pdf|mp3|mp4|m4a|wav|ogg|jpe?g|png|gif|"
    "svg|webp|zip|docx?|xlsx?|pptx?|js|ts|css|sh|exe|epub|xml|rss|srt|vtt|log|ini"
)
_FILE_RE = re.compile(rf"(?<![\w@/.-])([A-Za-z_][\w-]*)\.({_FILE_EXTENSIONS})(?![\w-]|\.\w)")
_DOTTED_NAME_RE = re.compile(r"(?<![\w.@/])[a-z_][a-z0-9_]+(?:\.[a-z_][a-z0-9_]+)+(?![\w]|\.\w)")
"""Code names such as kettle.heat or os.path.join (lowercase words joined by dots)."""
_TRAILING_URL_PUNCT = ".,;:!?)]}'\""
_PATH_WORD_RE = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*")


def _say_label(label: str) -> str:
    """One domain label: hyphens said, digits one by one, vowel-less short labels spelled (NPR)."""
    words = []
    for part in label.split("-"):
        if part.isdigit():
            words.append(digits(part))
        elif len(part) <= 5 and not re.search("[aeiouy]", part, re.I):
            words.append(part.upper())
        else:
            words.append(part)
    return " dash ".join(words)


def _say_host(host: str) -> str:
    labels = host.split(".")
    if labels[0].lower() == "www":
        labels = labels[1:]
    return " dot ".join(_say_label(label) for label in labels if label)


def _say_path(path: str) -> str:
    """The path only when it is one or two plain words ("/help", "/docs/install"), else nothing."""
    parts = [p for p in path.split("/") if p]
    if not parts or len(parts) > 2 or not all(_PATH_WORD_RE.fullmatch(p) and len(p) <= 20 for p in parts):
        return ""
    return " slash " + " slash ".join(p.replace("-", " dash ") for p in parts)


def _strip_trailing(url: str) -> tuple[str, str]:
    """Split sentence punctuation (and an unbalanced closing bracket) off the end of a URL."""
    tail = ""
    while url and url[-1] in _TRAILING_URL_PUNCT:
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        tail = url[-1] + tail
        url = url[:-1]
    return url, tail


def _urls(text: str, protect: Protect) -> str:
    """URLs and domains as a listener would say them: "example dot com", no scheme, no www,
    the path only when it is a word or two; e-mail addresses with "at" and "dot"."""

    def url(m: re.Match[str]) -> str:
        raw, tail = _strip_trailing(m.group())
        parts = urlsplit(raw if "://" in raw else "http://" + raw)
        host = parts.hostname or ""
        if not host:
            return m.group()
        path = "" if parts.query or parts.fragment else _say_path(parts.path)
        return protect(_say_host(host) + path) + tail

    def email(m: re.Match[str]) -> str:
        local = re.sub(r"\d+", lambda d: f" {digits(d.group())} ", m.group(1))
        for symbol, word in ((".", "dot"), ("_", "underscore"), ("-", "dash"), ("+", "plus")):
            local = local.replace(symbol, f" {word} ")
        spoken = re.sub(r"\s+", " ", f"{local} at {_say_host(m.group(2))}").strip()
        return protect(spoken)

    def domain(m: re.Match[str]) -> str:
        path, tail = _strip_trailing(m.group(2) or "")
        return protect(_say_host(m.group(1)) + _say_path(path)) + tail

    def file_name(m: re.Match[str]) -> str:
        extension = m.group(2)
        spoken_ext = extension.upper() if not re.search("[aeiou]", extension) else extension
        return f"{m.group(1).replace('_', ' ')} dot {protect(spoken_ext)}"

    text = _URL_RE.sub(url, text)
    text = _EMAIL_RE.sub(email, text)
    text = _BARE_DOMAIN_RE.sub(domain, text)
    text = _FILE_RE.sub(file_name, text)
    return _DOTTED_NAME_RE.sub(lambda m: m.group().replace(".", " dot "), text)


def _urls_as_hosts(text: str, protect: Protect) -> str:
    """Outside English: a URL becomes its host name (no scheme, no www, no path), which the
    engine reads in its own language ("exemple point fr")."""

    def url(m: re.Match[str]) -> str:
        raw, tail = _strip_trailing(m.group())
        host = urlsplit(raw if "://" in raw else "http://" + raw).hostname or ""
        return (host.removeprefix("www.") or m.group()) + tail

    return _URL_RE.sub(url, text)


# -- abbreviations ------------------------------------------------------------------------------

_TITLES = {
    "Dr": "Doctor",
    "Mr": "Mister",
    "Mrs": "Missus",
    "Ms": "Miz",
    "Prof": "Professor",
    "Mt": "Mount",
    "Ft": "Fort",
    "Gen": "General",
    "Gov": "Governor",
    "Sen": "Senator",
    "Rep": "Representative",
    "Capt": "Captain",
    "Lt": "Lieutenant",
    "Col": "Colonel",
    "Sgt": "Sergeant",
    "Rev": "Reverend",
    "Hon": "Honorable",
    "Pres": "President",
    "Fr": "Father",
}
_STREET_WORDS = {
    "St": "Street",
    "Dr": "Drive",
    "Ave": "Avenue",
    "Rd": "Road",
    "Blvd": "Boulevard",
    "Ln": "Lane",
    "Hwy": "Highway",
}
_BEFORE_NUMBER = {
    "No": "number",
    "no": "number",
    "Nos": "numbers",
    "nos": "numbers",
    "p": "page",
    "pp": "pages",
    "Fig": "Figure",
    "fig": "figure",
    "Vol": "Volume",
    "vol": "volume",
    "Ch": "Chapter",
    "ch": "chapter",
    "Sec": "Section",
    "Ep": "Episode",
    "ca": "circa",
    "c": "circa",
    "approx": "approximately",
}
_PLAIN_ABBREVIATIONS = [
    (r"\b[Ee]\.\s?g\.", "for example"),
    (r"\b[Ii]\.\s?e\.", "that is"),
    (r"\b[Aa]\.k\.a\.|\baka\b", "also known as"),
    (r"\bvs\.?(?=\s)", "versus"),
    (r"\bcf\.", "compare"),
    (r"\bapprox\.", "approximately"),
    (r"\besp\.", "especially"),
    (r"\bincl\.", "including"),
    (r"(?<![\w/])w/o(?=\s)", "without"),
    (r"(?<![\w/])w/(?=\s)", "with"),
    (r"(?<![\w/])b/c(?=\s)", "because"),
]
_SENTENCE_GOES_ON_RE = re.compile(r"\s*(?:$|[\"')\]]*\s+[\"'(]*[A-Z])")


def _keeps_full_stop(text: str, end: int) -> bool:
    """True when the abbreviation's full stop at `end` also ends the sentence."""
    return bool(_SENTENCE_GOES_ON_RE.match(text, end))


_UNDOTTED_TITLES = {"Dr", "Mr", "Mrs", "Ms", "St", "Mt"}  # British style: "Dr Smith", "St Paul"
_TITLE_OR_STREET_RE = re.compile(
    rf"\b({'|'.join(sorted({*_TITLES, *_STREET_WORDS}, key=len, reverse=True))})(\.)?(?=[\s,;:!?)]|$)"
)
_PREVIOUS_WORD_RE = re.compile(r"(?:^|([.!?:;\"(]\s*)|\s)([^\s]+)\s+$")
_NEXT_NAME_RE = re.compile(r"\s+[\"']?[A-Z]")


def _title_or_street(m: re.Match[str]) -> str:
    """Dr., St. and the street words, read from the words around them."""
    word, dot = m.group(1), m.group(2) or ""
    previous = _PREVIOUS_WORD_RE.search(m.string, 0, m.start())
    # A street word follows a name or an ordinal that is not the first word of the sentence.
    after_name = (
        bool(previous)
        and previous.group(1) is None
        and previous.start(2) > 0
        and (previous.group(2)[0].isupper() or previous.group(2)[0].isdigit())
        and previous.group(2)[-1].isalnum()
    )
    before_name = bool(_NEXT_NAME_RE.match(m.string, m.end()))
    if word in _STREET_WORDS and after_name and (dot or word not in _TITLES):
        stop = "." if dot and _keeps_full_stop(m.string, m.end()) else ""
        return _STREET_WORDS[word] + stop
    titles = _TITLES | {"St": "Saint"}
    if (
        word in titles
        and (before_name or (dot and word in ("Mr", "Mrs", "Ms")))
        and (dot or word in _UNDOTTED_TITLES)
    ):
        return titles[word]
    return m.group()


def _abbreviations(text: str, protect: Protect) -> str:
    """e.g., i.e., etc., vs., titles before names (Dr. Smith), street words after them (Main St.),
    St. as Saint or Street by context, and No./p./Fig. before a number."""
    for pattern, words in _PLAIN_ABBREVIATIONS:
        text = re.sub(pattern, words, text)
    text = re.sub(
        r"\betc\.", lambda m: "et cetera" + ("." if _keeps_full_stop(m.string, m.end()) else ""), text
    )
    text = re.sub(r"\b([A-Z][\w'-]*) v\. (?=[A-Z])", r"\1 versus ", text)  # Roe v. Wade

    text = _TITLE_OR_STREET_RE.sub(_title_or_street, text)
    text = re.sub(
        r"(?<=\w),? (Jr|Sr)(\.)?(?=\W|$)",
        lambda m: (
            (" Junior" if m.group(1) == "Jr" else " Senior")
            + ("." if m.group(2) and _keeps_full_stop(m.string, m.end()) else "")
        ),
        text,
    )
    before_number = "|".join(sorted(_BEFORE_NUMBER, key=len, reverse=True))
    text = re.sub(rf"\b({before_number})\. ?(?=\d)", lambda m: _BEFORE_NUMBER[m.group(1)] + " ", text)
    # What is left is the word: "He said no." (engines read a lowercase "no." as "number").
    return re.sub(r"(?<![\w.])no\.(?=\s|$)", "No.", text)


# -- times and dates --------------------------------------------------------------------------

_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_MONTH_ABBREVIATIONS = {m[:3]: m for m in _MONTHS} | {"Sept": "September"}
_MONTH = (
    "(?:"
    + "|".join(_MONTHS)
    + "|(?:"
    + "|".join(sorted(_MONTH_ABBREVIATIONS, key=len, reverse=True))
    + r")\.?)"
)
_AMPM = r"(?:\s?([AaPp])\.?\s?[Mm]\b\.?)"
_TIME_RE = re.compile(rf"(?<![\w:.,])(\d{{1,2}}):(\d{{2}})(?::(\d{{2}}))?(?![\d:]|\.\d){_AMPM}?")
_HOUR_AMPM_RE = re.compile(rf"(?<![\w:.,])(\d{{1,2}}){_AMPM}(?!\w)")
_RATIO_RE = re.compile(r"(?<![\w:.,])(\d+):(\d+)(?![\w:]|\.\d)")
_ISO_DATE_RE = re.compile(r"(?<![\w-])(\d{4})-(\d{2})-(\d{2})(?![\w-])")
_SLASH_DATE_RE = re.compile(r"(?<![\w/.])(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})(?![\w/])")
_MONTH_DAY_RE = re.compile(
    rf"\b({_MONTH}) (\d{{1,2}})(?:st|nd|rd|th)?(?![\w:%,.]\d|\w)(?:,? (\d{{4}})(?!\w))?"
)
_DAY_MONTH_RE = re.compile(
    rf"(?<![\w.,])(\d{{1,2}})(?:st|nd|rd|th)? (?:of )?({_MONTH})(?!\w)(?:,? (\d{{4}})(?!\w))?"
)


def _month_name(word: str) -> str:
    word = word.rstrip(".")
    return word if word in _MONTHS else _MONTH_ABBREVIATIONS[word]


def _clock(hour: int, minute: int) -> str:
    if minute == 0:
        return cardinal(hour)
    return f"{cardinal(hour)} {'oh ' + cardinal(minute) if minute < 10 else cardinal(minute)}"


def _times(text: str, protect: Protect) -> str:
    """10:30 a.m. -> ten thirty a.m., 9:05 -> nine oh five, 3pm -> three p.m., 1:02:03 as a duration."""

    def clock(m: re.Match[str]) -> str:
        hour, minute, second, half = int(m.group(1)), int(m.group(2)), m.group(3), m.group(4)
        if hour > 24 or minute > 59 or (second and int(second) > 59):
            return m.group()
        if second is not None:
            return (
                f"{cardinal(hour)} {'hour' if hour == 1 else 'hours'}, {cardinal(minute)} "
                f"{'minute' if minute == 1 else 'minutes'} and {cardinal(second)} "
                f"{'second' if int(second) == 1 else 'seconds'}"
            )
        if half:
            return f"{_clock(hour, minute)} {half.lower()}.m."
        if minute == 0:
            return f"{cardinal(hour)} o'clock" if hour <= 12 else f"{cardinal(hour)} hundred"
        return _clock(hour, minute)

    text = _TIME_RE.sub(clock, text)
    text = _RATIO_RE.sub(r"\1 to \2", text)
    return _HOUR_AMPM_RE.sub(
        lambda m: f"{cardinal(m.group(1))} {m.group(2).lower()}.m." if int(m.group(1)) <= 12 else m.group(),
        text,
    )


def _date_words(month: int, day: int, year_text: str | None) -> str | None:
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    words = f"{_MONTHS[month - 1]} {ordinal(day)}"
    return f"{words}, {year(year_text)}" if year_text else words


def _dates(text: str, protect: Protect) -> str:
    """2024-05-01, 5/1/2024 (month first unless the first number is over 12), May 1st, 2024,
    Jan. 5 and 1 May 2024, all with the day as an ordinal and the year as a year."""

    def iso(m: re.Match[str]) -> str:
        return _date_words(int(m.group(2)), int(m.group(3)), m.group(1)) or m.group()

    def slash(m: re.Match[str]) -> str:
        a, b, y = int(m.group(1)), int(m.group(2)), m.group(3)
        if len(y) == 2:
            y = ("19" if int(y) > 30 else "20") + y
        month, day = (a, b) if a <= 12 else (b, a)
        return _date_words(month, day, y) or m.group()

    def month_day(m: re.Match[str]) -> str:
        day = int(m.group(2))
        if not 1 <= day <= 31:
            return m.group()
        words = f"{_month_name(m.group(1))} {ordinal(day)}"
        return f"{words}, {year(m.group(3))}" if m.group(3) else words

    def day_month(m: re.Match[str]) -> str:
        day = int(m.group(1))
        if not 1 <= day <= 31:
            return m.group()
        words = f"the {ordinal(day)} of {_month_name(m.group(2))}"
        return f"{words}, {year(m.group(3))}" if m.group(3) else words

    text = _ISO_DATE_RE.sub(iso, text)
    text = _SLASH_DATE_RE.sub(slash, text)
    text = _MONTH_DAY_RE.sub(month_day, text)
    return _DAY_MONTH_RE.sub(day_month, text)


# -- phone numbers, money, percentages, versions, ranges --------------------------------------

_PHONE_RE = re.compile(
    r"(?<![\w+.-])(?:"
    r"\+\d{1,3}(?:[ .-]\(?\d{1,4}\)?){2,5}"  # +44 20 7946 0958, +1 (555) 123-4567
    r"|(?:1[ .-])?\(\d{3}\) ?\d{3}[ .-]\d{4}"  # (555) 123-4567
    r"|(?:1-)?\d{3}-\d{3}-\d{4}|\d{3}\.\d{3}\.\d{4}"  # 555-123-4567, 1-800-555-0199, 555.123.4567
    r"|\d{2}[1-9]-(?!\d\d00)\d{4}"  # 555-0199 (but 100-1000 is a range)
    r")(?![\w-]|\.\d)"
)


def _phone_numbers(text: str, protect: Protect) -> str:
    """Phone numbers digit by digit, a short pause between groups: "five five five, one two three..."."""

    def phone(m: re.Match[str]) -> str:
        groups = re.findall(r"\d+", m.group())
        if sum(len(g) for g in groups) < 7:
            return m.group()
        spoken = ", ".join(digits(g) for g in groups)
        return ("plus " if m.group().startswith("+") else "") + spoken

    return _PHONE_RE.sub(phone, text)


_CURRENCIES = {
    "$": ("dollar", "dollars", "cent", "cents"),
    "€": ("euro", "euros", "cent", "cents"),
    "£": ("pound", "pounds", "penny", "pence"),
    "¥": ("yen", "yen", "", ""),
    "₹": ("rupee", "rupees", "paisa", "paise"),
}
_MAGNITUDES = {
    "k": "thousand",
    "K": "thousand",
    "m": "million",
    "M": "million",
    "bn": "billion",
    "b": "billion",
    "B": "billion",
    "thousand": "thousand",
    "million": "million",
    "billion": "billion",
    "trillion": "trillion",
}
_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_DOLLAR_COUNTRIES = {
    "US": "US",
    "C": "Canadian",
    "CA": "Canadian",
    "A": "Australian",
    "AU": "Australian",
    "NZ": "New Zealand",
    "HK": "Hong Kong",
    "S": "Singapore",
}
_MONEY_RE = re.compile(
    rf"(?<![\w$€£¥₹])(-)?(US|CA|AU|NZ|HK|[CAS](?=\$))?([$€£¥₹])\s?({_NUM})"
    r"(?:\s?(thousand|million|billion|trillion|bn|[kKmMbB])(?![\w]))?"
)
_MAGNITUDE_RE = re.compile(rf"(?<![\w.,])({_NUM})(M|bn|B)(?= [a-z])")
_CENTS_RE = re.compile(rf"(?<![\w.,])({_NUM})\s?¢")


def _count(number: str, one: str, many: str) -> str:
    return f"{cardinal(number)} {one if number.replace(',', '') in ('1', '1.0') else many}"


def _money(text: str, protect: Protect) -> str:
    """$3.50 -> three dollars and fifty cents, £20 -> twenty pounds, $1.5 million -> one point five
    million dollars, 99¢ -> ninety-nine cents."""

    def money(m: re.Match[str]) -> str:
        minus, country, symbol, amount, magnitude = m.groups()
        one, many, cent, cents = _CURRENCIES[symbol]
        if country:
            one, many = f"{_DOLLAR_COUNTRIES[country]} {one}", f"{_DOLLAR_COUNTRIES[country]} {many}"
        sign = "minus " if minus else ""
        if magnitude:
            return f"{sign}{cardinal(amount)} {_MAGNITUDES[magnitude]} {many}"
        whole, _, fraction = amount.partition(".")
        if fraction and (len(fraction) != 2 or not cent):
            return f"{sign}{cardinal(amount)} {many}"
        parts = []
        if int(whole.replace(",", "")) or not fraction or not int(fraction):
            parts.append(_count(whole, one, many))
        if fraction and int(fraction):
            parts.append(_count(str(int(fraction)), cent, cents))
        return sign + " and ".join(parts)

    text = _MONEY_RE.sub(money, text)
    text = _MAGNITUDE_RE.sub(lambda m: f"{cardinal(m.group(1))} {_MAGNITUDES[m.group(2)]}", text)
    return _CENTS_RE.sub(lambda m: _count(m.group(1), "cent", "cents"), text)


_PERCENT_RE = re.compile(rf"(?<![\w.,])(-?)({_NUM})\s?%")


def _percentages(text: str, protect: Protect) -> str:
    """12% -> twelve percent, 2.5% -> two point five percent."""
    return _PERCENT_RE.sub(lambda m: f"{cardinal(m.group(1) + m.group(2))} percent", text)


_VERSION_WORDS = (
    "version|versions|release|update|Version|Release|Python|Java|iOS|iPadOS|macOS|"
    "Android|Ubuntu|Debian|Fedora|Windows|Firefox|Chrome|Node|Django|Bluetooth|USB|"
    "Web|HTML|HTTP|TLS|Wi-Fi|WiFi"
)
_VERSION_AFTER_WORD_RE = re.compile(rf"\b({_VERSION_WORDS}) v?(\d+(?:\.\d+)+)(?![\w.]|\.\d)")
_VERSION_V_RE = re.compile(r"(?<![\w.-])v(\d+(?:\.\d+)*)(?![\w]|\.\d)")
_VERSION_DOTTED_RE = re.compile(r"(?<![\w.])(\d+\.\d+\.\d+(?:\.\d+)*)(?![\w]|\.\d)")


def version_words(number: str) -> str:
    """ "2.0" -> "two point oh", "3.12" -> "three point twelve", "1.10.2" -> "one point ten point two"."""
    parts = number.split(".")
    words = [cardinal(parts[0])]
    for part in parts[1:]:
        words.append("oh" if part == "0" else digits(part) if part.startswith("0") else cardinal(part))
    return " point ".join(words)


def _versions(text: str, protect: Protect) -> str:
    """Version numbers, which are not decimals: after "version", "v" or a product name, and any
    number with two or more dots."""
    text = _VERSION_AFTER_WORD_RE.sub(lambda m: f"{m.group(1)} {version_words(m.group(2))}", text)
    text = _VERSION_V_RE.sub(lambda m: f"version {version_words(m.group(1))}", text)
    return _VERSION_DOTTED_RE.sub(lambda m: version_words(m.group(1)), text)


_RANGE_RE = re.compile(
    r"(?<![\w.,/:-])([$€£¥₹]?\d[\d,]*(?:\.\d+)?%?)(?: ?– ?|-)([$€£¥₹]?\d[\d,]*(?:\.\d+)?)(?![\d-]|\.\d)"
)
_WORD_RANGE_RE = re.compile(r"(?<=\w)–(?=\w)")


def _ranges(text: str, protect: Protect) -> str:
    """2019–2023 and 10-20 -> "2019 to 2023"; an unspaced en dash between words is a range too
    (Monday–Friday). The numbers themselves are read by the later rules."""
    text = _RANGE_RE.sub(r"\1 to \2", text)
    return _WORD_RANGE_RE.sub(" to ", text)


# -- units, fractions, ordinals and plain numbers -------------------------------------------

_UNITS: dict[str, tuple[str, str]] = {
    "km": ("kilometer", "kilometers"),
    "cm": ("centimeter", "centimeters"),
    "mm": ("millimeter", "millimeters"),
    "kg": ("kilogram", "kilograms"),
    "g": ("gram", "grams"),
    "mg": ("milligram", "milligrams"),
    "lb": ("pound", "pounds"),
    "lbs": ("pound", "pounds"),
    "oz": ("ounce", "ounces"),
    "ft": ("foot", "feet"),
    "mi": ("mile", "miles"),
    "yd": ("yard", "yards"),
    "mph": ("mile per hour", "miles per hour"),
    "km/h": ("kilometer per hour", "kilometers per hour"),
    "kph": ("kilometer per hour", "kilometers per hour"),
    "m/s": ("meter per second", "meters per second"),
    "ml": ("milliliter", "milliliters"),
    "mL": ("milliliter", "milliliters"),
    "L": ("liter", "liters"),
    "KB": ("kilobyte", "kilobytes"),
    "kB": ("kilobyte", "kilobytes"),
    "MB": ("megabyte", "megabytes"),
    "GB": ("gigabyte", "gigabytes"),
    "TB": ("terabyte", "terabytes"),
    "Mbps": ("megabit per second", "megabits per second"),
    "Gbps": ("gigabit per second", "gigabits per second"),
    "Hz": ("hertz", "hertz"),
    "kHz": ("kilohertz", "kilohertz"),
    "MHz": ("megahertz", "megahertz"),
    "GHz": ("gigahertz", "gigahertz"),
    "ms": ("millisecond", "milliseconds"),
    "sec": ("second", "seconds"),
    "secs": ("second", "seconds"),
    "min": ("minute", "minutes"),
    "mins": ("minute", "minutes"),
    "h": ("hour", "hours"),
    "hr": ("hour", "hours"),
    "hrs": ("hour", "hours"),
    "kWh": ("kilowatt hour", "kilowatt hours"),
    "kW": ("kilowatt", "kilowatts"),
    "W": ("watt", "watts"),
    "mAh": ("milliamp hour", "milliamp hours"),
    "px": ("pixel", "pixels"),
    "fps": ("frame per second", "frames per second"),
    "kcal": ("kilocalorie", "kilocalories"),
    "°C": ("degree Celsius", "degrees Celsius"),
    "°F": ("degree Fahrenheit", "degrees Fahrenheit"),
    "°": ("degree", "degrees"),
}
_UNIT_RE = re.compile(
    rf"(?<![\w.,])(-?)({_NUM})( ?|-)({'|'.join(re.escape(u) for u in sorted(_UNITS, key=len, reverse=True))})"
    r"(?![\w/°])"
)
_FEET_INCHES_RE = re.compile(r"(?<![\w.,])(\d)'(\d{1,2})(?:\"|'')")
_DEGREE_SPACE_RE = re.compile(r"(?<=\d) ?° ?(?=[CF]\b)")
_TIMES_RE = re.compile(rf"(?<![\w.,])({_NUM})(?: ?[x×] ?)({_NUM})(?![\w]|\.\d)")
_MULTIPLIER_RE = re.compile(rf"(?<![\w.,])({_NUM}) ?[x×](?![\w])")


def _units(text: str, protect: Protect) -> str:
    """5 km -> five kilometers, 1 kg -> one kilogram, 20°C -> twenty degrees Celsius, 5-km -> five-
    kilometer, 1920x1080 -> ... by ..., 2x -> two times."""
    text = _DEGREE_SPACE_RE.sub("°", text)

    def unit(m: re.Match[str]) -> str:
        sign, number, joint, symbol = m.groups()
        one, many = _UNITS[symbol]
        if joint == "-":  # a 5-km run: the unit is an adjective, so singular
            return f"{cardinal(sign + number)}-{one.replace(' ', '-')}"
        return f"{cardinal(sign + number)} {one if number in ('1', '1.0') and not sign else many}"

    text = _FEET_INCHES_RE.sub(lambda m: f"{cardinal(m.group(1))} foot {cardinal(m.group(2))}", text)
    text = _UNIT_RE.sub(unit, text)
    text = _TIMES_RE.sub(lambda m: f"{_number_word(m.group(1))} by {_number_word(m.group(2))}", text)
    return _MULTIPLIER_RE.sub(lambda m: f"{cardinal(m.group(1))} times", text)


_FRACTION_NAMES = {
    2: ("half", "halves"),
    3: ("third", "thirds"),
    4: ("quarter", "quarters"),
    5: ("fifth", "fifths"),
    6: ("sixth", "sixths"),
    7: ("seventh", "sevenths"),
    8: ("eighth", "eighths"),
    9: ("ninth", "ninths"),
    10: ("tenth", "tenths"),
}
_VULGAR = {"½": (1, 2), "⅓": (1, 3), "⅔": (2, 3), "¼": (1, 4), "¾": (3, 4), "⅕": (1, 5), "⅛": (1, 8)}
_OUT_OF_RE = re.compile(r"(?<![\w./,])(\d{1,3})/(\d{1,3}) (?=stars?\b|points?\b)")
_FRACTION_RE = re.compile(r"(?<![\w./,])(\d{1,4})/(\d{1,4})(?![\w/]|\.\d)")
_VULGAR_RE = re.compile(rf"(\d+)?\s?([{''.join(_VULGAR)}])")


def _fraction_words(numerator: int, denominator: int) -> str:
    one, many = _FRACTION_NAMES[denominator]
    return f"{cardinal(numerator)} {one if numerator == 1 else many}"


def _fractions(text: str, protect: Protect) -> str:
    """1/2 -> one half, 3/4 -> three quarters, 4/5 stars -> four out of five stars, ½; other
    number/number pairs (24/7, 50/50) are read as two numbers."""
    text = _OUT_OF_RE.sub(lambda m: f"{cardinal(m.group(1))} out of {cardinal(m.group(2))} ", text)

    def fraction(m: re.Match[str]) -> str:
        a, b = int(m.group(1)), int(m.group(2))
        if 0 < a < b <= 10:
            return _fraction_words(a, b)
        joint = "-" if a == b else " "
        return f"{_number_word(m.group(1))}{joint}{_number_word(m.group(2))}"

    def vulgar(m: re.Match[str]) -> str:
        a, b = _VULGAR[m.group(2)]
        words = _fraction_words(a, b).replace("one half", "a half") if m.group(1) else _fraction_words(a, b)
        return f"{cardinal(m.group(1))} and {words}" if m.group(1) else words

    text = _FRACTION_RE.sub(fraction, text)
    return _VULGAR_RE.sub(vulgar, text)


_ORDINAL_RE = re.compile(r"(?<![\w.,])(\d{1,3}(?:,\d{3})*|\d+)(st|nd|rd|th)\b")
_DECADE_RE = re.compile(r"(?<![\w.,])'?(\d{2}|\d{4})'?s\b")
_NEGATIVE_RE = re.compile(r"(?:(?<=^)|(?<=[\s(\[\"']))-(?=\d)")
_NUMBER_RE = re.compile(rf"(?<![\w.,])(?<!\w-)(?:{_NUM})(?![\w]|[.,]\d)")
_BIG_SUFFIX_RE = re.compile(r"(?<![\w.,])(\d+)(00|000)s\b")


def _number_word(number: str) -> str:
    """A number on its own: four-digit integers from 1100 to 2099 as years; leading zeros and more
    than nine digits without commas one digit at a time."""
    plain = number.replace(",", "")
    if plain.isdigit() and (
        (len(plain) > 1 and plain.startswith("0")) or (len(plain) > 9 and "," not in number)
    ):
        return digits(plain)  # an identifier (007, an order number), not a quantity
    if plain.isdigit() and len(plain) == 4 and "," not in number and 1100 <= int(plain) <= 2099:
        return year(plain)
    return cardinal(number)


def _numbers(text: str, protect: Protect) -> str:
    """Ordinals (21st), decades (1990s, '80s), negative numbers, years, decimals and cardinals."""
    text = _ORDINAL_RE.sub(lambda m: ordinal(m.group(1)), text)

    def decade(m: re.Match[str]) -> str:
        value = m.group(1)
        if not value.endswith("0") or (
            len(value) == 2 and m.group().startswith("'") is False and value == "00"
        ):
            return m.group()
        return _plural_word(year(value) if len(value) == 4 else cardinal(value))

    text = _DECADE_RE.sub(decade, text)
    text = _BIG_SUFFIX_RE.sub(
        lambda m: {"00": "hundreds", "000": "thousands"}[m.group(2)] if m.group(1) == "1" else m.group(), text
    )
    text = _NEGATIVE_RE.sub("minus ", text)
    return _NUMBER_RE.sub(lambda m: _number_word(m.group()), text)


_SIGNS = [
    (re.compile(r"(?<![\w#&])#(?=\d)"), "number "),
    (re.compile(r"(?<![\w~])~ ?(?=\d)"), "about "),
    (re.compile(r"(?<![\w+])\+(?=\d)"), "plus "),
    (re.compile(r"≈ ?(?=\d)"), "about "),
]


def _number_signs(text: str, protect: Protect) -> str:
    """#1 -> number one, ~5 -> about five, +3 -> plus three (before the numbers become words)."""
    for pattern, words in _SIGNS:
        text = pattern.sub(words, text)
    return text


# -- Roman numerals -----------------------------------------------------------------------------

_ROMAN = r"(M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3}))"
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
_ROMAN_AS_NUMBER = (
    "Chapter|Part|Volume|Book|Act|Scene|Section|Phase|Stage|Level|Round|Episode|"
    "Season|Title|Appendix|Article|Class|Type|Grade|Category|Schedule|Tier|Mark|"
    "World War|Super Bowl|Final Fantasy|Star Wars Episode|Rocky|Apollo|Gemini"
)
_ROMAN_AS_ORDINAL = (
    "Pope|King|Queen|Emperor|Empress|Tsar|Czar|Henry|Louis|Edward|George|William|"
    "Charles|James|Richard|Elizabeth|Mary|Victoria|Napoleon|Pius|Benedict|Leo|"
    "Gregory|Innocent|Clement|Boniface|Urban|John Paul|John|Paul|Ramses|Frederick|"
    "Philip|Alexander|Nicholas|Peter|Catherine|Ivan|Constantine|Otto|Ludwig|Gustav|"
    "Christian|Ferdinand|Alfonso|Felipe|Carlos|Juan Carlos|Harald|Olav|Haakon|"
    "Margrethe|Rama|Darius|Xerxes|Ptolemy|Cleopatra|Selim|Mehmed|Suleiman"
)
_ROMAN_NUMBER_RE = re.compile(rf"\b((?i:{_ROMAN_AS_NUMBER})) (?=[IVXLCDM]+\b)({_ROMAN})\b(?!['’]\w|\.\w)")
_ROMAN_ORDINAL_RE = re.compile(rf"\b({_ROMAN_AS_ORDINAL}) (?=[IVXLCDM]+\b)({_ROMAN})\b(?!['’][a-rt-z]|\.\w)")
_ROMAN_SUFFIX_RE = re.compile(r"\b([A-Z][a-z]+) (II|III)\b(?!['’][a-rt-z]|\.\w)")


def roman_value(numeral: str) -> int:
    total = 0
    for n, char in enumerate(numeral):
        value = _ROMAN_VALUES[char]
        total += -value if n + 1 < len(numeral) and _ROMAN_VALUES[numeral[n + 1]] > value else value
    return total


def _roman_numerals(text: str, protect: Protect) -> str:
    """Chapter IV -> Chapter four, World War II -> World War two, Henry VIII -> Henry the eighth,
    John Smith III -> John Smith the third. Elsewhere "I", "V" and "X" stay letters and words."""
    text = _ROMAN_NUMBER_RE.sub(lambda m: f"{m.group(1)} {cardinal(roman_value(m.group(2)))}", text)
    text = _ROMAN_ORDINAL_RE.sub(lambda m: f"{m.group(1)} the {ordinal(roman_value(m.group(2)))}", text)
    return _ROMAN_SUFFIX_RE.sub(lambda m: f"{m.group(1)} the {ordinal(roman_value(m.group(2)))}", text)


# -- symbols, dashes and ellipses -------------------------------------------------------------

_PER_WORDS = (
    "second|minute|hour|day|night|week|month|year|mo|yr|hr|wk|person|head|user|seat|"
    "page|item|unit|serving|kg|lb|mile|km|liter|gallon"
)
_SYMBOL_WORDS = [
    (r"(?<=\w)\+\+(?!\w)", " plus plus"),
    (r"(?<![\w+])\+(?=\d)", "plus "),
    (r"(?<=[A-Za-z])\+(?![\w+])", " plus"),
    (r" \+ ", " plus "),
    (r" = ", " equals "),
    (r"\s?&\s?", " and "),
    (r"(?<![\w#&])#(?=\d)", "number "),
    (r"(?<![\w#&])#(?=[A-Za-z])", "hashtag "),
    (r"(?<!\w)@(?=\w)", "at "),
    (r" @ ", " at "),
    (r"(?<![\w~])~ ?(?=\d)", "about "),
    ("≈ ?", "about "),
    ("±", " plus or minus "),
    ("→", " to "),
    ("§ ?", "section "),
    ("¶ ?", "paragraph "),
    ("©", " copyright "),
    ("[™®←]", ""),
    (r"(?<=\d) ?%", " percent"),
    ("%", " percent"),
    (r"(?<=\d) ?°", " degrees"),
    (r"°", " degrees"),
    (r" ?× ?", " times "),
    (r" < ", " less than "),
    (r" > ", " greater than "),
    (r"[|•·]", ", "),
    (r"\(\s*\)|\[\s*\]|\{\s*\}", ""),
    (r"[*^{}\\]", " "),
    (r"(?<=[A-Za-z])_(?=[A-Za-z])", " "),
]
_COMPILED_SYMBOLS = [(re.compile(p), w) for p, w in _SYMBOL_WORDS]
_SLASH_RE = re.compile(r"(?<=\S)/(?=\S)")


def _symbols(text: str, protect: Protect) -> str:
    """&, +, =, @, #, ~, ±, §, %, °, ×, |, and the slash: "per" before a unit of time or measure,
    "or" between two words (yes/no), a space between two abbreviations (TCP/IP)."""
    for pattern, words in _COMPILED_SYMBOLS:
        text = pattern.sub(words, text)
    text = re.sub(rf"(?<=\w)/(?=(?:{_PER_WORDS})s?\b)", " per ", text)

    def slash(m: re.Match[str]) -> str:
        left = re.search(r"(\w+)\W*$", m.string[: m.start()])
        right = re.match(r"\W*(\w+)", m.string[m.end() :])
        if left and right:
            a, b = left.group(1), right.group(1)
            if a.lower() in ("and", "or") or b.lower() in ("and", "or") or (a.isupper() and b.isupper()):
                return " "
            if a.isalpha() and b.isalpha():
                return " or "
        return " "

    text = _SLASH_RE.sub(slash, text)
    return text


_ELLIPSIS_RE = re.compile(r"\s*(?:\.\s?\.\s?\.|…)+")


def _dashes_and_ellipses(text: str, protect: Protect) -> str:
    """Dashes and ellipses become pauses: a comma inside a sentence, a full stop at its end."""
    text = re.sub(r"^\s*[—–-]+\s*", "", text)  # an attribution line: "— Maya Angelou"
    text = re.sub(r"\s*(?:—|--| – | - )\s*", ", ", text)

    def ellipsis(m: re.Match[str]) -> str:
        rest = m.string[m.end() :].lstrip()
        if not rest:
            return "."
        if m.start() == 0:
            return ""
        return ". " if rest[0].isupper() else ", "

    return _ELLIPSIS_RE.sub(ellipsis, text)


def _tidy(text: str, protect: Protect) -> str:
    """One space between words, no space before punctuation, no doubled commas."""
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r" +([,.;:!?)\]])", r"\1", text)
    text = re.sub(r"([(\[]) +", r"\1", text)
    text = re.sub(r",(?:\s*,)+", ",", text)
    text = re.sub(r",\s*([.!?;:])", r"\1", text)
    text = re.sub(r"^[\s,;:]+", "", text)
    return text.strip()


Rule = Callable[[str, Protect], str]

RULES: tuple[Rule, ...] = (
    _urls,
    _abbreviations,
    _times,
    _dates,
    _phone_numbers,
    _money,
    _percentages,
    _versions,
    _ranges,
    _units,
    _fractions,
    _roman_numerals,
    _number_signs,
    _numbers,
    _symbols,
    _dashes_and_ellipses,
)
"""The English rules, in the order they run: each one leaves words the later ones ignore."""

LANGUAGE_NEUTRAL_RULES: tuple[Rule, ...] = (_urls_as_hosts, _dashes_and_ellipses)
"""The rules that also hold outside English (for the engines that speak other languages)."""


def normalize(text: str, *, lexicon: Lexicon | None = None, language: str = "en") -> str:
    """The spoken form of `text`: what an engine should say so that it reads like a narrator."""
    protected = _Protected()
    text = _PLACEHOLDER_RE.sub("", text)
    text = _VERBATIM_RE.sub(lambda m: protected(m.group(1)), text)
    text = _PRIVATE_USE_RE.sub("", _clean_characters(text))
    if lexicon is not None:
        text = lexicon.protect_words(text, protected)
    english = language.lower().split("-")[0] == "en"
    for rule in RULES if english else LANGUAGE_NEUTRAL_RULES:
        text = rule(text, protected)
    return protected.restore(_tidy(text, protected))


def spell_out(text: str) -> str:
    """Letters as letters and digits as digits: "IEEE" -> "I.E.E.E.", "R2D2" -> "R. two D. two"."""
    words = []
    for run in re.findall(r"[^\W\d_]+|\d+|[@.&+#/_-]", text):
        if run[0].isdigit():
            words.append(digits(run))
        elif run[0].isalpha():
            words.append("".join(f"{c.upper()}." for c in run))
        else:
            words.append(
                {
                    "@": "at",
                    ".": "dot",
                    "&": "and",
                    "+": "plus",
                    "#": "hash",
                    "/": "slash",
                    "_": "underscore",
                    "-": "dash",
                }[run]
            )
    return " ".join(words)


_SENTENCE_END_RE = re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])")
_NO_BREAK_AFTER = {
    "dr",
    "mr",
    "mrs",
    "ms",
    "st",
    "prof",
    "jr",
    "sr",
    "vs",
    "etc",
    "e.g",
    "i.e",
    "no",
    "fig",
    "mt",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "p",
    "pp",
    "vol",
    "ch",
    "approx",
    "cf",
}


def split_sentences(text: str) -> list[str]:
    """Split at sentence ends, but not after common abbreviations or initials."""
    sentences: list[str] = []
    start = 0
    for match in _SENTENCE_END_RE.finditer(text):
        before = text[start : match.start()].rstrip("\"'”’)]")
        last_word = before.rsplit(None, 1)[-1].rstrip(".").lower() if before.split() else ""
        if before.endswith(".") and (
            last_word in _NO_BREAK_AFTER or (len(last_word) == 1 and last_word.isalpha())
        ):
            continue
        sentences.append(text[start : match.end()].strip())
        start = match.end()
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences
