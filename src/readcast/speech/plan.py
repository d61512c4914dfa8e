"""Stage 2 for a whole project: every article of content/ as an EpisodePlan (voice, script, keys).

A plan names everything that will be said and, per segment, the cache key of its audio
(`segment_key`): what synthesis must make, and what it may skip, follows from those keys alone.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from ..audio.cache import segment_key
from ..engines.voices import VoiceRequest, choose_voice
from ..errors import ContentError, ReadcastError
from ..models import Article, ArticleFailure, Script, VoiceChoice
from ..project.settings import Settings
from ..read import find_articles, read_article, slugify
from .lexicon import phoneme_markup_for
from .script import build_script

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class EpisodePlan:
    """One article, ready to synthesize: its voice, its script and the key of each segment."""

    article: Article
    source: str
    """The article's path relative to the project (how messages and the state name it)."""
    author: str
    voice: VoiceChoice
    script: Script
    keys: tuple[str, ...]


@dataclass(frozen=True)
class Plans:
    plans: tuple[EpisodePlan, ...]
    failed: tuple[ArticleFailure, ...]
    """Articles that could not be read or planned, in the order they were found."""


def plan_articles(settings: Settings, override: VoiceRequest) -> Plans:
    """Read and plan every article; a bad one is recorded in `failed` and the rest go on."""
    plans: list[EpisodePlan] = []
    failed: list[ArticleFailure] = []
    slugs: dict[str, Path] = {}
    guids: dict[str, Path] = {}
    for path in find_articles(settings.content_dir):
        rel = relative_source(settings, path)
        try:
            article = _read(path, rel)
            if article.meta.draft:
                logger.info("%s: draft, not published", rel)
                continue
            if article.slug in slugs:
                raise ContentError(
                    f"{rel}: slug '{article.slug}' is already used by "
                    f"{relative_source(settings, slugs[article.slug])}. "
                    "Rename one of the files or give it another slug: in its front matter."
                )
            guid = article.meta.guid
            if guid and guid in guids:
                raise ContentError(
                    f"{rel}: guid '{guid}' is already used by {relative_source(settings, guids[guid])}; two "
                    "episodes with one GUID look like one episode to podcast apps. Remove the "
                    "guid: line from the article that is not the original."
                )
            slugs[article.slug] = path
            if guid:
                guids[guid] = path
            plans.append(plan_episode(article, settings, override, rel))
        except ReadcastError as exc:
            failed.append(ArticleFailure(slugify(path.stem) or "article", path.stem, rel, str(exc)))
    return Plans(tuple(plans), tuple(failed))


def _read(path: Path, rel: str) -> Article:
    """read_article, with a file that cannot be opened reported as a ContentError naming it."""
    try:
        return read_article(path)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ContentError(
            f"{rel}: cannot be read ({reason}). Make it a readable file, or move it out of content/."
        ) from None


def plan_episode(article: Article, settings: Settings, override: VoiceRequest, source: str) -> EpisodePlan:
    """The voice (flag > front matter > readcast.toml), the script and the segment keys."""
    meta, configured = article.meta, settings.voice
    voice, engine_cls = choose_voice(
        [
            override,
            VoiceRequest(meta.engine, meta.voice, meta.speed, meta.language),
            VoiceRequest(
                configured.engine, configured.voice or None, configured.speed, settings.podcast.language
            ),
        ],
        base_dir=settings.root,
        where=source,
    )
    author = article.meta.author or settings.podcast.author
    script = build_script(
        article,
        author=author,
        podcast_title=settings.podcast.title,
        pronunciations=settings.pronunciations,
        phoneme_markup=phoneme_markup_for(engine_cls, voice),
        language=voice.language,
    )
    version = engine_cls.engine_version_for(voice.voice or "")
    keys = tuple(segment_key(seg.spoken, voice, version, engine_cls.sample_rate) for seg in script.segments)
    return EpisodePlan(article, source, author, voice, script, keys)


def relative_source(settings: Settings, path: Path) -> str:
    try:
        return str(path.resolve().relative_to(settings.root))
    except ValueError:
        return str(path)
