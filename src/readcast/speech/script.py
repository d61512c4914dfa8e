"""Stage 2: Article -> Script. Segments in reading order, each with the pause its structure calls for.

Authors steer the speech with HTML comments, which no Markdown renderer shows:

    <!-- pause -->  <!-- pause 2s -->  <!-- pause 500ms -->   silence here (default 1 s, at most 10 s)
    <!-- skip --> ... <!-- /skip -->                           not read (may span paragraphs)
    <!-- spell -->IEEE<!-- /spell -->                          read letter by letter: I. E. E. E.
    <!-- say "sequel" -->SQL<!-- /say -->                     read as the given words

Any other comment is a plain comment: it is neither read nor an error.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ContentError
from ..models import Article, Block, Script, Segment
from .lexicon import Lexicon, PhonemeMarkup
from .normalize import cardinal, normalize, spell_out, split_sentences, verbatim

MAX_SEGMENT_CHARS = 300
"""Long paragraphs are split at sentence boundaries into segments of at most about this length."""

# Pause after a block of each kind, in milliseconds; a heading also asks for a pause before it.
PAUSE_AFTER_MS = {
    "intro": 900,
    "heading": 700,
    "paragraph": 650,
    "sentence": 300,
    "list_item": 350,
    "list_end": 650,
    "quote": 650,
    "table_row": 400,
    "image": 600,
    "code": 600,
    "rule": 1200,
    "footnote": 500,
    "outro": 500,
    "table": 400,
    "table_end": 650,
}
PAUSE_BEFORE_MS = {"heading": 1100, "rule": 1200}
DEFAULT_PAUSE_MS = 1000
MAX_PAUSE_MS = 10_000
CODE_NOTICE = "A code example is not read aloud."


@dataclass
class _Piece:
    kind: str
    written: str
    spoken: str
    chapter: str | None = None
    pause_ms: int | None = None
    """Set by an author's pause marker: exactly this much silence after the piece."""
    block: int | None = None
    """Index of the article block the piece comes from."""


@dataclass
class _Controls:
    """The state of the author's inline controls while the article is read in order."""

    source: Path
    skipping: bool = False
    span: str | None = None
    """"spell" or "say" while inside such a span."""
    spans_opened: list[str] = field(default_factory=list)


def build_script(
    article: Article,
    *,
    author: str,
    podcast_title: str,
    pronunciations: dict[str, object] | None = None,
    phoneme_markup: PhonemeMarkup | None = None,
    language: str = "en",
) -> Script:
    """The speech script for `article`: intro, body, outro.

    `pronunciations` is the project's lexicon (readcast.toml); the article's front matter adds to
    it. `phoneme_markup` is the engine's Engine.phoneme_markup when it supports phonemes, so IPA
    entries can be used; without it they fall back to their `say` respelling or the word itself.
    """
    lexicon = Lexicon.merged(pronunciations, article.meta.pronunciations, phoneme_markup=phoneme_markup)

    def speak(text: str) -> str:
        return normalize(text, lexicon=lexicon, language=language)

    pieces: list[_Piece] = []
    intro = f"{article.title}."
    byline = f"Written by {author}. " if author else ""
    credits = f"{byline}Narrated by a synthetic voice for {podcast_title}."
    pieces.append(_Piece("intro", intro, speak(intro), article.title))
    pieces.append(_Piece("intro", credits, speak(credits)))
    controls = _Controls(article.source)
    blocks = article.blocks
    for index, block in enumerate(blocks):
        previous = blocks[index - 1] if index else None
        new = _block_pieces(block, previous, blocks[index + 1 :], controls, speak)
        for piece in new:
            piece.block = index
            if not piece.spoken and piece.kind != "rule":
                # Only a pause marker (or skipped text): the pause belongs to what came before.
                if piece.pause_ms is not None and pieces:
                    pieces[-1].pause_ms = piece.pause_ms
                continue
            pieces.append(piece)
    if controls.skipping:
        raise ContentError(
            f"{article.source}: a <!-- skip --> is never closed. Add <!-- /skip --> "
            "where the skipped text ends."
        )
    outro = f"That was {article.title}, from {podcast_title}. Thank you for listening."
    pieces.append(_Piece("outro", outro, speak(outro)))
    return Script(article, tuple(_segments(pieces)))


def _segments(pieces: list[_Piece]) -> list[Segment]:
    segments: list[Segment] = []
    for index, piece in enumerate(pieces):
        next_kind = pieces[index + 1].kind if index + 1 < len(pieces) else None
        if next_kind is None:
            pause = 0
        elif piece.pause_ms is not None:
            pause = piece.pause_ms
        else:
            pause = max(PAUSE_AFTER_MS[piece.kind], PAUSE_BEFORE_MS.get(next_kind, 0))
        if piece.kind == "rule" and segments:
            # A rule says nothing: its silence joins the segment before it.
            last = segments[-1]
            segments[-1] = dataclasses.replace(last, pause_after_ms=max(last.pause_after_ms, pause))
            continue
        segments.append(
            Segment(
                spoken=piece.spoken,
                written=piece.written,
                kind=_public_kind(piece.kind),
                pause_after_ms=pause,
                chapter=piece.chapter,
                block=piece.block,
            )
        )
    return [seg for seg in segments if seg.spoken]


def _public_kind(kind: str) -> str:
    return {
        "sentence": "paragraph",
        "list_end": "list_item",
        "table": "table_row",
        "table_end": "table_row",
    }.get(kind, kind)


def _with_stop(spoken: str) -> str:
    """End with a full stop (or ? ! :) so that the engine closes the sentence."""
    return spoken + "." if spoken and spoken[-1] not in ".!?:;" else spoken


def _block_pieces(
    block: Block, previous: Block | None, following: tuple[Block, ...], controls: _Controls, speak
) -> list[_Piece]:
    kind = block.kind
    if controls.skipping and kind in ("code", "image", "rule"):
        return []
    if kind == "code":
        return [_Piece("code", "[code example]", CODE_NOTICE)]
    if kind == "rule":
        return [_Piece("rule", "", "")]
    if kind == "image":
        alt = block.text.strip()
        return [_Piece("image", f"[Image: {alt}]", _with_stop(speak(f"Image: {alt}")))]

    runs = _runs(block.text, controls)
    pieces: list[_Piece] = []
    if kind == "heading":
        for n, (written, spoken_text, pause) in enumerate(runs):
            spoken = _with_stop(speak(spoken_text))
            pieces.append(_Piece("heading", written, spoken, (written or None) if n == 0 else None, pause))
        return pieces
    if kind == "list_item":
        # The long pause comes where the whole list ends, after any nested items.
        list_goes_on = bool(following) and following[0].kind == "list_item"
        piece_kind = "list_item" if list_goes_on else "list_end"
        number = _spoken_number(block)
        for n, (written, spoken_text, pause) in enumerate(runs):
            spoken = _with_stop(speak(spoken_text))
            if n == 0 and number and spoken:
                written, spoken = f"{block.ordinal}. {written}", f"{number}. {spoken}"
            pieces.append(
                _Piece(piece_kind if n == len(runs) - 1 else "sentence", written, spoken, pause_ms=pause)
            )
        return pieces
    if kind == "table_row":
        piece_kind = "table_end" if block.last_in_group else "table_row"
        if previous is None or previous.kind != "table_row":
            rows = 1 + next((n for n, b in enumerate(following) if b.kind != "table_row"), len(following))
            pieces.append(
                _Piece("table", "[Table]", f"A table with {cardinal(rows)} {'row' if rows == 1 else 'rows'}.")
            )
        for written, spoken_text, pause in runs:
            pieces.append(_Piece(piece_kind, written, _with_stop(speak(spoken_text)), pause_ms=pause))
        return pieces
    if kind == "footnote":
        for n, (written, spoken_text, pause) in enumerate(runs):
            spoken = _with_stop(speak(spoken_text))
            if n == 0 and block.ordinal is not None:
                written = f"[{block.ordinal}] {written}"
                spoken = f"Footnote {cardinal(block.ordinal)}: {spoken}"
            pieces.append(_Piece("footnote", written, spoken, pause_ms=pause))
        return pieces

    piece_kind = "quote" if kind == "quote" else "paragraph"
    first_of_quote = kind == "quote" and (previous is None or previous.kind != "quote")
    for n, (written, spoken_text, pause) in enumerate(runs):
        spoken = speak(spoken_text)
        if first_of_quote and spoken:
            spoken, first_of_quote = f"Quote: {spoken}", False
        last = n == len(runs) - 1
        pieces.append(_Piece(piece_kind if last else "sentence", written, spoken, pause_ms=pause))
    return pieces


_COUNTED_START_RE = re.compile(
    r"^(?:\d|(?:step|part|phase|first|second|third|fourth|fifth|"
    r"sixth|seventh|eighth|ninth|tenth|one|two|three)\b)",
    re.I,
)


def _spoken_number(block: Block) -> str:
    """ "One", "Two"... for an item of an ordered list of two or more items, unless the item already
    says its number ("Step 1: ..."); "" where the number would not help."""
    if block.ordinal is None or _COUNTED_START_RE.match(block.text.strip()):
        return ""
    if block.ordinal == 1 and block.last_in_group:
        return ""  # a list of one
    return cardinal(block.ordinal).capitalize()


# -- inline controls -------------------------------------------------------------------------

_COMMENT_RE = re.compile(r"<!--(.*?)-->", re.S)
_PAUSE_RE = re.compile(r"pause(?:\s+(\d+(?:\.\d+)?)\s*(ms|s)?)?", re.I)
_SAY_RE = re.compile(r"say\s*:?\s*(?:\"([^\"]*)\"|'([^']*)'|(.+))", re.I | re.S)


def _control(comment: str, source: Path) -> tuple[str, object] | None:
    """The control a comment holds, or None for an ordinary comment."""
    body = comment.strip()
    word = body.split(None, 1)[0].lower() if body else ""
    if word == "pause":
        m = _PAUSE_RE.fullmatch(body)
        if not m:
            raise ContentError(
                f"{source}: <!--{comment}--> is not a pause marker. Write "
                "<!-- pause -->, <!-- pause 2s --> or <!-- pause 500ms -->."
            )
        if m.group(1) is None:
            return ("pause", DEFAULT_PAUSE_MS)
        amount = float(m.group(1))
        ms = round(amount if (m.group(2) or "s").lower() == "ms" else amount * 1000)
        if not 0 < ms <= MAX_PAUSE_MS:
            raise ContentError(
                f"{source}: <!--{comment}-->: a pause must be longer than 0 and at "
                f"most {MAX_PAUSE_MS // 1000} s."
            )
        return ("pause", ms)
    if word in ("skip", "/skip", "spell", "/spell", "/say"):
        if len(body.split()) > 1:
            raise ContentError(
                f"{source}: <!--{comment}-->: '{word}' takes nothing after it; write <!-- {word} -->."
            )
        return (word, None)
    if word == "say" or word.startswith("say:"):
        m = _SAY_RE.fullmatch(body)
        words = next((g for g in (m.groups() if m else ()) if g is not None), "").strip()
        if not words:
            raise ContentError(
                f'{source}: <!--{comment}-->: write what to say, as in <!-- say "sequel" -->SQL<!-- /say -->.'
            )
        return ("say", words)
    return None


def _runs(text: str, controls: _Controls) -> list[tuple[str, str, int | None]]:
    """(written, text to normalize, pause after) for each stretch of `text` between pause markers,
    long stretches cut into chunks of whole sentences."""
    parts: list[tuple[str, int | None]] = []
    start = 0
    for m in _COMMENT_RE.finditer(text):
        control = _control(m.group(1), controls.source)
        if control is not None and control[0] == "pause":
            parts.append((text[start : m.start()], None if controls.skipping else int(control[1])))
            start = m.end()
    parts.append((text[start:], None))
    runs = []
    for part, pause in parts:
        chunks = _chunks(part.strip()) or [""]
        for n, chunk in enumerate(chunks):
            written, spoken = _apply_controls(chunk, controls)
            runs.append((written, spoken, pause if n == len(chunks) - 1 else None))
    if controls.span is not None:
        raise ContentError(
            f"{controls.source}: <!-- {controls.span} --> is not closed in the same "
            f"paragraph. Add <!-- /{controls.span} --> after the words it covers."
        )
    return [run for run in runs if run[0] or run[1] or run[2] is not None]


def _apply_controls(text: str, controls: _Controls) -> tuple[str, str]:
    """(written, spoken) for a stretch of text: skip, spell and say applied, comments removed."""
    written: list[str] = []
    spoken: list[str] = []
    position = 0

    def add(plain: str) -> None:
        if controls.skipping or not plain:
            return
        written.append(plain)
        if controls.span == "spell":
            core = plain.strip()
            if core:
                spoken.append(
                    plain[: len(plain) - len(plain.lstrip())]
                    + verbatim(spell_out(core))
                    + plain[len(plain.rstrip()) :]
                )
        elif controls.span != "say":
            spoken.append(plain)

    for m in _COMMENT_RE.finditer(text):
        add(text[position : m.start()])
        position = m.end()
        control = _control(m.group(1), controls.source)
        if control is None or control[0] == "pause":
            continue
        name, value = control
        if name == "skip":
            controls.skipping = True
        elif name == "/skip":
            if not controls.skipping:
                raise ContentError(f"{controls.source}: <!-- /skip --> without a <!-- skip --> before it.")
            controls.skipping = False
        elif controls.skipping:
            continue
        elif name in ("spell", "say"):
            if controls.span is not None:
                raise ContentError(
                    f"{controls.source}: <!-- {name} --> inside <!-- "
                    f"{controls.span} -->; close the first with <!-- /{controls.span} -->."
                )
            controls.span = name
            if name == "say":
                spoken.append(verbatim(str(value)))
        else:  # /spell or /say
            if controls.span != name[1:]:
                raise ContentError(
                    f"{controls.source}: <!-- {name} --> without a <!-- {name[1:]} --> "
                    "before it in the same paragraph."
                )
            controls.span = None
    add(text[position:])
    return _collapse("".join(written)), _collapse("".join(spoken))


def _collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _chunks(text: str) -> list[str]:
    """Group sentences into chunks of at most MAX_SEGMENT_CHARS (a longer sentence stays whole)."""
    if len(text) <= MAX_SEGMENT_CHARS:
        return [text] if text else []
    chunks: list[str] = []
    current = ""
    for sentence in split_sentences(text):
        if current and len(current) + 1 + len(sentence) > MAX_SEGMENT_CHARS:
            chunks.append(current)
            current = sentence
        else:
            current = f"{current} {sentence}".strip()
    if current:
        chunks.append(current)
    return chunks


# -- comparing what is written with what is said -------------------------------------------------

_EDGE_PUNCTUATION = "\"'“”‘’.,;:!?()[]…—–-"


def _word_key(word: str) -> str:
    return word.strip(_EDGE_PUNCTUATION).lower().replace("’", "'")


def _diff_words(text: str) -> list[str]:
    """Words for comparing: dashes and ellipses (said as pauses) split words and are dropped."""
    return [w for w in re.sub(r"[—–…]", " ", text).split() if _word_key(w)]


def word_diff(written: str, spoken: str) -> str | None:
    """`written` with the words said differently marked [-written-]{+spoken+}; None if the two
    differ only in punctuation, case or quotes."""
    a, b = _diff_words(written), _diff_words(spoken)
    keys_a, keys_b = [_word_key(w) for w in a], [_word_key(w) for w in b]
    if keys_a == keys_b:
        return None
    out: list[str] = []
    matcher = difflib.SequenceMatcher(None, keys_a, keys_b, autojunk=False)
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            out.extend(b[b0:b1])
            continue
        removed, added = " ".join(a[a0:a1]), " ".join(b[b0:b1])
        if removed.strip(_EDGE_PUNCTUATION) or added.strip(_EDGE_PUNCTUATION):
            out.append((f"[-{removed}-]" if removed else "") + (f"{{+{added}+}}" if added else ""))
    return " ".join(out)


def script_diff(script: Script) -> list[str]:
    """One line per segment that is said differently from how it is written, then a summary."""
    lines = []
    for n, seg in enumerate(script.segments, start=1):
        marked = word_diff(seg.written, seg.spoken)
        if marked is not None:
            lines.append(f"[{n:3}] {seg.kind:<9} {marked}")
    lines.append(f"{len(lines)} of {len(script.segments)} segments are said differently from the text.")
    return lines
