"""The build: content/ -> output/, redoing only what changed. The library API behind `readcast build`."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import __version__, captions
from .audio import Piece, encode_mp3, measure_loudness
from .cache import SegmentStore, segment_key
from .cover import cover_jpeg, thumbnail_jpeg
from .errors import ContentError, ReadcastError
from .feed import FeedInputs, feed_xml, podcast_guid, url_for
from .fsutil import atomic_path, remove_stale_temp_files, safe_join, write_if_changed
from .lexicon import phoneme_markup_for
from .models import Article, Chapter, Script, TimedSegment, VoiceChoice
from .music import MusicBeds
from .pages import Pages
from .readers import find_articles, read_article
from .script import build_script
from .settings import Settings, load_settings
from .state import EpisodeRecord, ProjectState, project_lock
from .synth import SynthesisJob, default_workers, synthesize_missing
from .tags import EpisodeTags, write_tags
from .voices import VoiceRequest, choose_voice

logger = logging.getLogger(__name__)

PIPELINE_VERSION = "1"
"""Enters every episode key: bump it when stitching, mastering or tagging changes the MP3."""
EPISODES_DIR = "episodes"

Progress = Callable[[str, int, int], None]
"""progress(stage, done, total), called as work advances."""


@dataclass(frozen=True)
class BuildOptions:
    base_url: str | None = None
    engine: str | None = None
    voice: str | None = None
    speed: float | None = None
    language: str | None = None
    jobs: int | None = None
    force: bool = False


@dataclass
class EpisodeResult:
    slug: str
    title: str
    source: str
    status: str
    """built, unchanged or failed."""
    segments: int = 0
    synthesized: int = 0
    """Segments sent to the engine in this run."""
    audio_seconds: float = 0.0
    mp3: str | None = None
    error: str | None = None


@dataclass
class BuildReport:
    episodes: list[EpisodeResult] = field(default_factory=list)
    feed: str = ""
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[EpisodeResult]:
        return [e for e in self.episodes if e.status == "failed"]

    def to_json(self) -> dict:
        return {"episodes": [asdict(e) for e in self.episodes], "feed": self.feed,
                "seconds": round(self.seconds, 3)}


@dataclass
class _Plan:
    article: Article
    voice: VoiceChoice
    script: Script
    keys: list[str]
    result: EpisodeResult


def build(project: Path | str, options: BuildOptions = BuildOptions(),
          progress: Progress | None = None) -> BuildReport:
    """Build the podcast of the project in `project`; bad articles are reported, not raised."""
    started = time.perf_counter()
    # engine, voice, speed and language flags are applied per article in _plan (voices.py)
    settings = load_settings(project).with_overrides(base_url=options.base_url)
    with project_lock(settings.state_dir):
        report = _Builder(settings, options, progress or (lambda *_: None)).run()
    report.seconds = time.perf_counter() - started
    return report


class _Builder:
    def __init__(self, settings: Settings, options: BuildOptions, progress: Progress) -> None:
        self.settings = settings
        self.options = options
        self.progress = progress
        self.out = settings.output_dir
        self.store = SegmentStore(settings.state_dir / "cache" / "segments")
        self.state_path = settings.state_dir / "state.json"
        self.state = ProjectState.load(self.state_path)
        self.report = BuildReport()
        self.pages = Pages(settings)
        self.music = MusicBeds.from_settings(settings)
        self.now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)

    def run(self) -> BuildReport:
        self.out.mkdir(parents=True, exist_ok=True)
        remove_stale_temp_files(self.out)
        remove_stale_temp_files(self.store.root)
        cover = self._cover()
        plans = self._plan_articles()
        self._synthesize(plans)
        keep: set[str] = set()
        for n, plan in enumerate(plans, start=1):
            self.progress("encode", n - 1, len(plans))
            if plan.result.status != "failed":
                self._make_episode(plan, cover)
            keep.add(plan.article.slug)
            self.report.episodes.append(plan.result)
        self.progress("encode", len(plans), len(plans))
        self._forget_removed(keep)
        self._write_feed(cover)
        self.pages.write_index(list(self.state.episodes.values()), self.cover_name)
        self.state.save(self.state_path)
        return self.report

    # -- planning ----------------------------------------------------------------------
    def _plan_articles(self) -> list[_Plan]:
        plans: list[_Plan] = []
        seen: dict[str, Path] = {}
        for path in find_articles(self.settings.content_dir):
            rel = self._rel(path)
            try:
                article = read_article(path)
                if article.meta.draft:
                    logger.info("%s: draft, not published", rel)
                    continue
                if article.slug in seen:
                    raise ContentError(
                        f"{rel}: slug '{article.slug}' is already used by {self._rel(seen[article.slug])}. "
                        "Rename one of the files or give it another slug: in its front matter.")
                seen[article.slug] = path
                plans.append(self._plan(article))
            except ReadcastError as exc:
                slug = _fallback_slug(path)
                self.report.episodes.append(EpisodeResult(slug=slug, title=path.stem, source=rel,
                                                          status="failed", error=str(exc)))
        return plans

    def _plan(self, article: Article) -> _Plan:
        meta, configured, options = article.meta, self.settings.voice, self.options
        rel = self._rel(article.source)
        voice, engine_cls = choose_voice([  # flag > front matter > readcast.toml
            VoiceRequest(options.engine, options.voice, options.speed, options.language),
            VoiceRequest(meta.engine, meta.voice, meta.speed, meta.language),
            VoiceRequest(configured.engine, configured.voice or None, configured.speed,
                         self.settings.podcast.language),
        ], base_dir=self.settings.root, where=rel)
        script = build_script(article, author=self._author(article),
                              podcast_title=self.settings.podcast.title,
                              pronunciations=self.settings.pronunciations,
                              phoneme_markup=phoneme_markup_for(engine_cls, voice),
                              language=voice.language)
        version = engine_cls.engine_version_for(voice.voice or "")
        keys = [segment_key(seg.spoken, voice, version, engine_cls.sample_rate)
                for seg in script.segments]
        result = EpisodeResult(slug=article.slug, title=article.title, source=rel, status="built",
                               segments=len(keys))
        return _Plan(article, voice, script, keys, result)

    # -- synthesis ---------------------------------------------------------------------
    def _synthesize(self, plans: list[_Plan]) -> None:
        jobs: dict[str, SynthesisJob] = {}
        for plan in plans:
            for key, seg in zip(plan.keys, plan.script.segments):
                if key in jobs:
                    continue
                if self.options.force or not self.store.has_valid(key):
                    jobs[key] = SynthesisJob(key, seg.spoken, plan.voice)
        total = len(jobs)
        done = 0

        def advance(_key: str) -> None:
            nonlocal done
            done += 1
            self.progress("synthesize", done, total)

        self.progress("synthesize", 0, total)
        failures = synthesize_missing(list(jobs.values()), self.store,
                                      self.options.jobs or default_workers(), advance)
        counted: set[str] = set()
        for plan in plans:
            own = [k for k in plan.keys if k in jobs and k not in counted]
            counted.update(own)
            plan.result.synthesized = len(own)
            failed = [failures[k] for k in plan.keys if k in failures]
            if failed:
                plan.result.status = "failed"
                plan.result.error = f"{plan.result.source}: {failed[0]}"

    # -- episodes ----------------------------------------------------------------------
    def _make_episode(self, plan: _Plan, cover: bytes) -> None:
        article, result = plan.article, plan.result
        settings = self.settings
        guid, first_published = self.state.identity_for(
            article.slug, result.source, article.meta.guid, self.now)
        pub_date = (article.meta.date.isoformat() if article.meta.date else first_published)
        timeline, pieces, rate, total = self._timeline(plan)
        chapters = _chapters(timeline, total)
        files = {role: f"{EPISODES_DIR}/{article.slug}{suffix}" for role, suffix in (
            ("mp3", ".mp3"), ("vtt", ".vtt"), ("srt", ".srt"), ("chapters", ".chapters.json"),
            ("text", ".txt"), ("transcript", ".transcript.html"), ("page", ".html"))}
        description = self._description(article)
        tags = EpisodeTags(
            title=article.title, author=self._author(article), album=settings.podcast.title,
            date=dt.datetime.fromisoformat(pub_date), description=description,
            transcript=captions.plain_transcript(timeline), chapters=tuple(chapters),
            cover_jpeg=thumbnail_jpeg(cover), language=plan.voice.language,
            episode_url=url_for(settings.base_url, files["mp3"]),
            feed_url=url_for(settings.base_url, "feed.xml"))
        episode_key = _hash({
            "pipeline": PIPELINE_VERSION, "segments": plan.keys,
            "pauses": [s.pause_after_ms for s in plan.script.segments],
            "written": [s.written for s in plan.script.segments],
            "chapters": [(c.title, round(c.start, 3)) for c in chapters],
            "audio": asdict(settings.audio), "music": self.music.fingerprint,
            "tags": {**asdict(tags), "cover_jpeg": _hash(cover)},
        })
        mp3_path = safe_join(self.out, files["mp3"])
        previous = self.state.episodes.get(article.slug)
        unchanged = (not self.options.force and previous is not None
                     and previous.episode_key == episode_key and previous.guid == guid
                     and mp3_path.is_file() and mp3_path.stat().st_size == previous.mp3_size)
        if not unchanged:
            try:
                self._encode(pieces, rate, mp3_path, tags)
            except ReadcastError as exc:
                result.status, result.error = "failed", f"{result.source}: {exc}"
                return
        else:
            result.status = "unchanged"
        self._write_sidecars(files, timeline, chapters, article)
        result.audio_seconds = round(total, 3)
        result.mp3 = str(mp3_path)
        self.state.episodes[article.slug] = EpisodeRecord(
            slug=article.slug, guid=guid, first_published=first_published, source=result.source,
            title=article.title, author=self._author(article), description=description,
            pub_date=pub_date, language=plan.voice.language, episode_key=episode_key,
            mp3_size=mp3_path.stat().st_size, duration=round(total, 3), segments=len(plan.keys),
            files=files)
        self.pages.write_episode(self.state.episodes[article.slug], timeline, chapters, self.cover_name)

    def _timeline(self, plan: _Plan) -> tuple[list[TimedSegment], list[Piece], int, float]:
        pieces: list[Piece] = []
        for key, seg in zip(plan.keys, plan.script.segments):
            chunk_rate, frames = self.store.frames(key)
            pieces.append(Piece(load=lambda key=key: self._load(key), frames=frames,
                                rate=chunk_rate, pause_ms=seg.pause_after_ms, kind=seg.kind))
        rate = pieces[0].rate
        lead, tail = self.music.padding(pieces, rate)  # intro/outro music alone, in frames
        timeline: list[TimedSegment] = []
        position = lead  # in frames at `rate`
        for piece, seg in zip(pieces, plan.script.segments):
            frames = piece.frames if piece.rate == rate else round(piece.frames * rate / piece.rate)
            start = position / rate
            position += frames
            timeline.append(TimedSegment(seg, start, position / rate))
            position += round(seg.pause_after_ms * rate / 1000)
        return timeline, pieces, rate, (position + tail) / rate

    def _load(self, key: str):
        chunk = self.store.get(key)
        if chunk is None:
            raise ReadcastError(f"cached segment {key[:12]} vanished during the build; build again")
        return chunk

    def _encode(self, pieces: list[Piece], rate: int, mp3_path: Path, tags: EpisodeTags) -> None:
        audio = self.settings.audio
        loudness = measure_loudness(self.music.pcm(pieces, rate), rate)
        gain = audio.loudness - loudness
        with atomic_path(mp3_path) as tmp:
            encode_mp3(self.music.pcm(pieces, rate), rate, tmp, gain_db=gain, bitrate=audio.bitrate,
                       sample_rate=audio.sample_rate)
            write_tags(tmp, tags)

    def _write_sidecars(self, files: dict[str, str], timeline: list[TimedSegment],
                        chapters: list[Chapter], article: Article) -> None:
        podcast_title = self.settings.podcast.title
        contents = {
            "vtt": captions.webvtt(timeline),
            "srt": captions.srt(timeline),
            "chapters": captions.chapters_json(chapters, article.title, podcast_title),
            "text": captions.plain_transcript(timeline),
        }
        for role, text in contents.items():
            write_if_changed(safe_join(self.out, files[role]), text.encode("utf-8"))

    def _forget_removed(self, keep: set[str]) -> None:
        """Remove episodes whose article is gone (or became a draft), with their files."""
        failed_sources = {e.source for e in self.report.failed}
        for slug, record in list(self.state.episodes.items()):
            if slug in keep or record.source in failed_sources:
                continue  # a failed rebuild keeps the episode published before
            for rel in record.files.values():
                safe_join(self.out, rel).unlink(missing_ok=True)
            del self.state.episodes[slug]

    # -- feed and shared files ---------------------------------------------------------
    def _cover(self) -> bytes:
        podcast = self.settings.podcast
        configured = self.settings.root / podcast.cover if podcast.cover else None
        cover = cover_jpeg(podcast.title, configured)
        self.cover_name = f"cover-{_hash(cover)[:10]}.jpg"  # a new name when the art changes
        for old in self.out.glob("cover-*.jpg"):
            if old.name != self.cover_name:
                old.unlink()
        write_if_changed(self.out / self.cover_name, cover)
        return cover

    def _write_feed(self, cover: bytes) -> None:
        if not self.state.podcast_guid:
            self.state.podcast_guid = podcast_guid(url_for(self.settings.base_url, "feed.xml"))
        published = [rec for rec in self.state.episodes.values()]
        data = feed_xml(FeedInputs(self.settings, self.state.podcast_guid, self.cover_name, published))
        feed_path = self.out / "feed.xml"
        write_if_changed(feed_path, data)
        self.report.feed = str(feed_path)

    # -- small helpers -----------------------------------------------------------------
    def _author(self, article: Article) -> str:
        return article.meta.author or self.settings.podcast.author

    def _description(self, article: Article) -> str:
        if article.meta.description:
            text = article.meta.description
        else:
            first = next((b.text for b in article.blocks if b.kind == "paragraph"), article.title)
            text = first if len(first) <= 300 else first[:297].rsplit(" ", 1)[0] + "…"
        return f"{text} (Narrated by a synthetic voice.)"

    def _rel(self, path: Path) -> str:
        try:
            return str(path.resolve().relative_to(self.settings.root))
        except ValueError:
            return str(path)


def _chapters(timeline: list[TimedSegment], total: float) -> list[Chapter]:
    starts = [(t.segment.chapter, t.start) for t in timeline if t.segment.chapter]
    chapters = []
    for n, (title, start) in enumerate(starts):
        end = starts[n + 1][1] if n + 1 < len(starts) else total
        chapters.append(Chapter(title, 0.0 if n == 0 else start, end))
    return chapters


def _hash(value: object) -> str:
    if isinstance(value, bytes):
        return hashlib.sha256(value).hexdigest()
    data = json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def _fallback_slug(path: Path) -> str:
    from .readers import slugify

    return slugify(path.stem) or "article"
