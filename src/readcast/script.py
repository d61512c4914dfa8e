"""Stage 2: Article -> Script. Segments in reading order, each with the pause its structure calls for."""

from __future__ import annotations

from .models import Article, Block, Script, Segment
from .normalize import normalize, split_sentences

MAX_SEGMENT_CHARS = 300
"""Long paragraphs are split at sentence boundaries into segments of at most about this length."""

# Pause after a block of each kind, in milliseconds; a heading also asks for a pause before it.
PAUSE_AFTER_MS = {
    "intro": 900, "heading": 700, "paragraph": 650, "sentence": 300, "list_item": 350,
    "list_end": 650, "quote": 650, "table_row": 400, "image": 600, "code": 600, "rule": 1200,
    "footnote": 500, "outro": 500,
}
PAUSE_BEFORE_MS = {"heading": 1100, "rule": 1200}


def build_script(article: Article, *, author: str, podcast_title: str) -> Script:
    """The speech script for `article`: intro, body, outro."""
    pieces: list[tuple[str, str, str, str | None]] = []  # (kind, written, spoken, chapter)
    intro = f"{article.title}."
    byline = f"Written by {author}. " if author else ""
    pieces.append(("intro", intro, normalize(intro), article.title))
    pieces.append(("intro", f"{byline}Narrated by a synthetic voice for {podcast_title}.",
                   normalize(f"{byline}Narrated by a synthetic voice for {podcast_title}."), None))
    for block in article.blocks:
        pieces.extend(_block_pieces(block))
    outro = f"That was {article.title}, from {podcast_title}. Thank you for listening."
    pieces.append(("outro", outro, normalize(outro), None))

    segments: list[Segment] = []
    for index, (kind, written, spoken, chapter) in enumerate(pieces):
        next_kind = pieces[index + 1][0] if index + 1 < len(pieces) else None
        pause = PAUSE_AFTER_MS[kind]
        if next_kind is not None:
            pause = max(pause, PAUSE_BEFORE_MS.get(next_kind, 0))
        else:
            pause = 0
        segments.append(Segment(spoken=spoken, written=written, kind=_public_kind(kind),
                                pause_after_ms=pause, chapter=chapter))
    return Script(article, tuple(seg for seg in segments if seg.spoken))


def _public_kind(kind: str) -> str:
    return {"sentence": "paragraph", "list_end": "list_item"}.get(kind, kind)


def _block_pieces(block: Block) -> list[tuple[str, str, str, str | None]]:
    text = block.text.strip()
    if block.kind == "heading":
        spoken = normalize(text)
        if spoken and spoken[-1] not in ".!?":
            spoken += "."
        return [("heading", text, spoken, text)]
    if block.kind == "list_item":
        kind = "list_end" if block.last_in_group else "list_item"
        spoken = normalize(text)
        if spoken and spoken[-1] not in ".!?":
            spoken += "."
        return [(kind, text, spoken, None)]
    if block.kind == "code":
        return [("code", "[code example]", "A code example is not read aloud.", None)]
    if block.kind == "image":
        return [("image", f"[Image: {text}]", normalize(f"Image: {text}."), None)]
    if block.kind == "rule":
        return [("rule", "", "", None)]
    if block.kind == "table_row":
        kind = "list_end" if block.last_in_group else "table_row"
        return [(kind, text, normalize(text) + ".", None)]
    kind = "quote" if block.kind == "quote" else "paragraph"
    chunks = _chunks(text)
    pieces = []
    for n, chunk in enumerate(chunks):
        last = n == len(chunks) - 1
        spoken = normalize(chunk)
        if kind == "quote" and n == 0:
            spoken = f"Quote: {spoken}"
        pieces.append((kind if last else "sentence", chunk, spoken, None))
    return pieces


def _chunks(text: str) -> list[str]:
    """Group sentences into chunks of at most MAX_SEGMENT_CHARS (a longer sentence stays whole)."""
    if len(text) <= MAX_SEGMENT_CHARS:
        return [text]
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
