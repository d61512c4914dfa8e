"""The build: content/ -> output/, redoing only what changed. The library API behind `readcast build`.

What a build does, and what it skips:

1. Plan: read every article and make its script; each segment gets a key (cache.segment_key).
2. Synthesize the segments the cache lacks, in parallel; identical segments once for all articles.
3. Lay out each episode in parts (parts.py) and derive its episode key from everything its files
   are made of. An episode whose key and MP3 match the last build is left alone.
4. For an episode that changed: measure its loudness from cached profiles, encode only the parts
   the cache lacks, join the parts into the MP3 and tag it.
5. Write captions, chapters, pages and the feed (each only if its bytes changed), then delete the
   files of removed episodes, then save the state.

Every file appears through an atomic rename, and files are removed only after the feed stops
pointing at them, so a build killed at any moment leaves a consistent site, and the next build
finishes the job.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import __version__
from .audio.cache import ProjectCache, SegmentInfo, segment_key
from .audio.ffmpeg import Piece
from .audio.music import MusicBeds
from .audio.parts import Layout, layout_episode
from .audio.synth import SynthesisJob, default_workers, synthesize_missing
from .engines.voices import VoiceRequest, choose_voice
from .errors import ContentError, ReadcastError
from .fsutil import atomic_path, remove_stale_temp_files, safe_join, write_if_changed
from .models import Article, Chapter, Script, TimedSegment, VoiceChoice
from .project.settings import Settings, load_settings
from .project.state import EpisodeRecord, ProjectState, project_lock
from .publish import captions
from .publish.cover import cover_jpeg, thumbnail_jpeg
from .publish.feed import FeedInputs, feed_xml, podcast_guid, url_for
from .publish.pages import Pages
from .publish.tags import EpisodeTags, write_tags
from .read import find_articles, read_article
from .speech.lexicon import phoneme_markup_for
from .speech.script import build_script

logger = logging.getLogger(__name__)

PIPELINE_VERSION = "2"
"""Enters every episode key: bump it when stitching, mastering or tagging changes the MP3."""
EPISODES_DIR = "episodes"
REFS_NAME = "refs.json"
"""In the cache folder: the cache entries each episode was last built from (for `readcast clean`)."""

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

    @property
    def failed(self) -> list[EpisodeResult]:
        return [e for e in self.episodes if e.status == "failed"]

    def to_json(self) -> dict:
        return {
            "episodes": [asdict(e) for e in self.episodes],
            "feed": self.feed,
            "seconds": round(self.seconds, 3),
        }


@dataclass
class _Plan:
    article: Article
    voice: VoiceChoice
    script: Script
    keys: list[str]
    result: EpisodeResult


@dataclass
class _Episode:
    """A planned episode laid out on its timeline, with what it needs to be built."""

    plan: _Plan
    infos: list[SegmentInfo]
    pieces: list[Piece]
    layout: Layout
    timeline: list[TimedSegment]
    chapters: list[Chapter]
    guid: str
    first_published: str
    pub_date: str
    description: str
    files: dict[str, str]
    key: str
    unchanged: bool
    gain: float = 0.0
    part_keys: list[str] = field(default_factory=list)
    beds: list = field(default_factory=list)


def build(
    project: Path | str, options: BuildOptions = BuildOptions(), progress: Progress | None = None
) -> BuildReport:
    """Build the podcast of the project in `project`; bad articles are reported, not raised."""
    started = time.perf_counter()
    # engine, voice, speed and language flags are applied per article in _plan (voices.py)
    settings = load_settings(project).with_overrides(base_url=options.base_url)
    with project_lock(settings.state_dir):
        report = _Builder(settings, options, progress or (lambda *_: None)).run()
    report.seconds = time.perf_counter() - started
    return report


@dataclass(frozen=True)
class CleanReport:
    removed: int
    """Cache entries deleted."""
    freed: int
    """Bytes freed."""
    kept: int
    """Entries still used by the published episodes."""


def clean(project: Path | str) -> CleanReport:
    """Delete cache entries the last build did not use; the published episodes keep theirs."""
    settings = load_settings(project)
    with project_lock(settings.state_dir):
        cache = ProjectCache(settings.state_dir)
        refs = _load_refs(cache.root / REFS_NAME)
        if refs is None:
            if not cache.root.is_dir():
                return CleanReport(0, 0, 0)
            raise ReadcastError(
                f"{cache.root / REFS_NAME} is missing or unreadable, so readcast cannot tell which "
                "cache entries are in use. Run 'readcast build' first, then 'readcast clean'."
            )
        segments = {key for entry in refs.values() for key in entry.get("segments", [])}
        parts = {key for entry in refs.values() for key in entry.get("parts", [])}
        removed, freed = cache.clean(segments, parts)
        kept = sum(1 for _ in cache.segments.keys()) + sum(1 for _ in cache.parts.keys())
    return CleanReport(removed, freed, kept)


class _Builder:
    def __init__(self, settings: Settings, options: BuildOptions, progress: Progress) -> None:
        self.settings = settings
        self.options = options
        self.progress = progress
        self.out = settings.output_dir
        self.cache = ProjectCache(settings.state_dir)
        self.store = self.cache.segments
        self.refs_path = self.cache.root / REFS_NAME
        self.state_path = settings.state_dir / "state.json"
        self.state = ProjectState.load(self.state_path)
        if not self.state.podcast_guid:
            self.state.podcast_guid = podcast_guid(url_for(settings.base_url, "feed.xml"))
        self.report = BuildReport()
        self.pages = Pages(settings)
        self.music = MusicBeds.from_settings(settings)
        self.now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
        self.jobs = options.jobs or default_workers()
        self.ffmpeg = _ffmpeg_identity()
        self.infos: dict[str, SegmentInfo] = {}
        """Cached segments known to be readable, by key (refreshed after each synthesis)."""

    def run(self) -> BuildReport:
        self.out.mkdir(parents=True, exist_ok=True)
        remove_stale_temp_files(self.out)
        self.cache.remove_stale_temp_files()
        cover = self._cover()
        plans = self._plan_articles()
        self._synthesize(plans, self._missing_segments(plans))
        _checkpoint("synthesized")
        episodes = self._prepare_all(plans)
        self._encode(episodes, cover)
        keep: set[str] = set()
        for plan in plans:
            keep.add(plan.article.slug)
            self.report.episodes.append(plan.result)
        for episode in episodes:
            if episode.plan.result.status != "failed":
                self._publish(episode)
        _checkpoint("published")
        removed = self._forget_removed(keep)
        self._write_feed()
        self.pages.write_index(list(self.state.episodes.values()), self.cover_name)
        _checkpoint("feed")
        # Only now that the feed and pages no longer point at them may old files go.
        for rel in removed:
            safe_join(self.out, rel).unlink(missing_ok=True)
        for old in self.out.glob("cover-*.jpg"):
            if old.name != self.cover_name:
                old.unlink()
        for key in list(self.cache.art.keys()):
            if key not in self.art_keys.values():
                self.cache.art.path(key).unlink(missing_ok=True)
        self._save_refs(episodes)
        _checkpoint("cleaned")
        self.state.save(self.state_path)
        return self.report

    # -- planning ----------------------------------------------------------------------
    def _plan_articles(self) -> list[_Plan]:
        plans: list[_Plan] = []
        seen: dict[str, Path] = {}
        guids: dict[str, Path] = {}
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
                        "Rename one of the files or give it another slug: in its front matter."
                    )
                guid = article.meta.guid
                if guid and guid in guids:
                    raise ContentError(
                        f"{rel}: guid '{guid}' is already used by {self._rel(guids[guid])}; two "
                        "episodes with one GUID look like one episode to podcast apps. Remove the "
                        "guid: line from the article that is not the original."
                    )
                seen[article.slug] = path
                if guid:
                    guids[guid] = path
                plans.append(self._plan(article))
            except ReadcastError as exc:
                slug = _fallback_slug(path)
                self.report.episodes.append(
                    EpisodeResult(slug=slug, title=path.stem, source=rel, status="failed", error=str(exc))
                )
        return plans

    def _plan(self, article: Article) -> _Plan:
        meta, configured, options = article.meta, self.settings.voice, self.options
        rel = self._rel(article.source)
        voice, engine_cls = choose_voice(
            [  # flag > front matter > readcast.toml
                VoiceRequest(options.engine, options.voice, options.speed, options.language),
                VoiceRequest(meta.engine, meta.voice, meta.speed, meta.language),
                VoiceRequest(
                    configured.engine,
                    configured.voice or None,
                    configured.speed,
                    self.settings.podcast.language,
                ),
            ],
            base_dir=self.settings.root,
            where=rel,
        )
        script = build_script(
            article,
            author=self._author(article),
            podcast_title=self.settings.podcast.title,
            pronunciations=self.settings.pronunciations,
            phoneme_markup=phoneme_markup_for(engine_cls, voice),
            language=voice.language,
        )
        version = engine_cls.engine_version_for(voice.voice or "")
        keys = [segment_key(seg.spoken, voice, version, engine_cls.sample_rate) for seg in script.segments]
        result = EpisodeResult(
            slug=article.slug, title=article.title, source=rel, status="built", segments=len(keys)
        )
        return _Plan(article, voice, script, keys, result)

    # -- synthesis ---------------------------------------------------------------------
    def _missing_segments(self, plans: list[_Plan]) -> set[str]:
        """Keys to synthesize: all with --force, else those without a readable cache entry."""
        keys = {key for plan in plans for key in plan.keys}
        if self.options.force:
            return keys
        for key in keys:
            info = self.store.info(key)
            if info is not None:
                self.infos[key] = info
        return keys - self.infos.keys()

    def _synthesize(self, plans: list[_Plan], wanted: set[str]) -> None:
        jobs: dict[str, SynthesisJob] = {}
        for plan in plans:
            if plan.result.status == "failed":
                continue
            for key, seg in zip(plan.keys, plan.script.segments, strict=True):
                if key in wanted and key not in jobs:
                    jobs[key] = SynthesisJob(key, seg.spoken, plan.voice)
        if not jobs:
            return
        total = len(jobs)
        done = 0

        def advance(_key: str) -> None:
            nonlocal done
            done += 1
            self.progress("synthesize", done, total)

        self.progress("synthesize", 0, total)
        for key in jobs:
            self.infos.pop(key, None)
        failures = synthesize_missing(list(jobs.values()), self.store, self.jobs, advance)
        counted: set[str] = set()
        for plan in plans:
            own = [k for k in plan.keys if k in jobs and k not in counted]
            counted.update(own)
            plan.result.synthesized += len(own)
            failed = [failures[k] for k in plan.keys if k in failures]
            if failed and plan.result.status != "failed":
                plan.result.status = "failed"
                plan.result.error = f"{plan.result.source}: {failed[0]}"

    # -- episodes: layout and identity -------------------------------------------------
    def _prepare_all(self, plans: list[_Plan]) -> list[_Episode]:
        episodes = []
        for plan in plans:
            if plan.result.status == "failed":
                continue
            try:
                episodes.append(self._prepare(plan))
            except ReadcastError as exc:
                self._fail(plan, exc)
        return episodes

    def _prepare(self, plan: _Plan) -> _Episode:
        article, result, settings = plan.article, plan.result, self.settings
        infos = []
        for key in plan.keys:
            info = self.infos.get(key) or self.store.info(key)
            if info is None:
                raise ReadcastError(f"cached segment {key[:12]} vanished during the build; build again")
            infos.append(info)
        segments = plan.script.segments
        pieces = [
            Piece(
                load=lambda key=info.key: self._load(key),
                frames=info.frames,
                rate=info.rate,
                pause_ms=seg.pause_after_ms,
                kind=seg.kind,
            )
            for info, seg in zip(infos, segments, strict=True)
        ]
        rate = infos[0].rate
        lead, tail = self.music.padding(pieces, rate)  # intro/outro music alone, in frames
        layout = layout_episode(
            infos,
            [s.pause_after_ms for s in segments],
            settings.audio.sample_rate,
            lead=lead,
            tail=tail,
            keep_together=self.music.reach(pieces, rate),
        )
        timeline = [
            TimedSegment(seg, placed.start, placed.end)
            for seg, placed in zip(segments, layout.segments, strict=True)
        ]
        chapters = _chapters(timeline, layout.seconds)
        guid, first_published = self.state.identity_for(
            article.slug, result.source, article.meta.guid, self.now
        )
        pub_date = article.meta.date.isoformat() if article.meta.date else first_published
        files = {
            role: f"{EPISODES_DIR}/{article.slug}{suffix}"
            for role, suffix in (
                ("mp3", ".mp3"),
                ("vtt", ".vtt"),
                ("srt", ".srt"),
                ("chapters", ".chapters.json"),
                ("text", ".txt"),
                ("transcript", ".transcript.html"),
                ("page", ".html"),
            )
        }
        episode = _Episode(
            plan,
            infos,
            pieces,
            layout,
            timeline,
            chapters,
            guid,
            first_published,
            pub_date,
            self._description(article),
            files,
            key="",
            unchanged=False,
        )
        tag_fields = {k: v for k, v in asdict(self._tags(episode, b"")).items() if k != "cover_jpeg"}
        episode.key = _hash(
            {
                "pipeline": PIPELINE_VERSION,
                "readcast": __version__,
                "ffmpeg": self.ffmpeg,
                "segments": [(i.digest, i.rate, i.frames) for i in infos],
                "parts": [(p.first, p.stop, p.lead, p.tail, p.padded) for p in layout.parts],
                "audio": asdict(settings.audio),
                "music": self.music.fingerprint,
                "tags": tag_fields,
                "cover": self.cover_digest,
            }
        )
        previous = self.state.episodes.get(article.slug)
        mp3_path = safe_join(self.out, files["mp3"])
        episode.unchanged = (
            not self.options.force
            and previous is not None
            and previous.episode_key == episode.key
            and previous.guid == guid
            and _size(mp3_path) == previous.mp3_size
        )
        return episode

    def _tags(self, episode: _Episode, thumbnail: bytes) -> EpisodeTags:
        article, settings = episode.plan.article, self.settings
        return EpisodeTags(
            title=article.title,
            author=self._author(article),
            album=settings.podcast.title,
            date=dt.datetime.fromisoformat(episode.pub_date),
            description=episode.description,
            transcript=captions.plain_transcript(episode.timeline),
            chapters=tuple(episode.chapters),
            cover_jpeg=thumbnail,
            language=episode.plan.voice.language,
            episode_url=url_for(settings.base_url, episode.files["mp3"]),
            feed_url=url_for(settings.base_url, "feed.xml"),
        )

    # -- episodes: audio ---------------------------------------------------------------
    def _encode(self, episodes: list[_Episode], cover: bytes) -> None:
        """Encode the parts that changed episodes need and the cache lacks, then join each MP3."""
        from .audio.parts import encode_part, part_pcm

        changed = [e for e in episodes if not e.unchanged]
        work = self._part_work(changed)
        corrupt = self._verify_sources(work)
        if corrupt:  # re-synthesize what failed verification, then lay those episodes out again
            self._synthesize([e.plan for e in changed], corrupt)
            again = [e for e in changed if corrupt & set(e.plan.keys)]
            for old in again:
                episodes.remove(old)
                changed.remove(old)
            redone = self._prepare_all([e.plan for e in again])
            episodes.extend(redone)
            changed.extend(redone)
            work = self._part_work(changed)
        bitrate = self.settings.audio.bitrate
        scratch = self.cache.root / "scratch"
        total, done = len(work), 0
        self.progress("encode", 0, total)

        def encode(job: tuple[_Episode, int, str]) -> None:
            episode, index, key = job
            pcm = part_pcm(episode.layout, index, self._load, episode.beds)
            encoded = encode_part(episode.layout, index, pcm, scratch, gain_db=episode.gain, bitrate=bitrate)
            self.cache.parts.put(key, encoded)

        failed: dict[str, ReadcastError] = {}
        with ThreadPoolExecutor(max_workers=max(1, min(self.jobs, len(work) or 1))) as pool:
            longest_first = sorted(work, key=lambda job: -job[0].layout.parts[job[1]].in_frames)
            futures = [(job, pool.submit(encode, job)) for job in longest_first]
            for (_, _, key), future in futures:
                try:
                    future.result()
                except ReadcastError as exc:
                    failed[key] = exc
                done += 1
                self.progress("encode", done, total)
        _checkpoint("encoded")
        thumbnail = self._thumbnail(cover) if changed else b""
        for episode in changed:
            if episode.plan.result.status == "failed":
                continue
            error = next((failed[key] for key in episode.part_keys if key in failed), None)
            if error is not None:
                self._fail(episode.plan, error)
                continue
            try:
                self._assemble(episode, thumbnail)
            except ReadcastError as exc:
                self._fail(episode.plan, exc)

    def _part_work(self, changed: list[_Episode]) -> list[tuple[_Episode, int, str]]:
        """(episode, part index, part key) for every part to encode; sets gains and part keys."""
        from .audio.ffmpeg import encode_command
        from .audio.parts import episode_loudness, gain_for, part_key

        work: list[tuple[_Episode, int, str]] = []
        queued: set[str] = set()
        audio = self.settings.audio
        for episode in changed:
            if episode.plan.result.status == "failed":
                continue
            try:
                rate = episode.layout.in_rate
                episode.beds = self.music.beds(episode.pieces, rate)
                episode.gain = gain_for(
                    episode_loudness(episode.layout, self._load, episode.beds), audio.loudness
                )
                encoder = " ".join(
                    encode_command(
                        rate,
                        "-",
                        gain_db=episode.gain,
                        bitrate=audio.bitrate,
                        sample_rate=audio.sample_rate,
                        pad_to=0,
                    )
                )
                episode.part_keys = [
                    part_key(episode.layout, n, encoder, episode.beds)
                    for n in range(len(episode.layout.parts))
                ]
            except ReadcastError as exc:
                self._fail(episode.plan, exc)
                continue
            for n, key in enumerate(episode.part_keys):
                if key in queued or (not self.options.force and self.cache.parts.has(key)):
                    continue
                queued.add(key)
                work.append((episode, n, key))
        return work

    def _verify_sources(self, work: list[tuple[_Episode, int, str]]) -> set[str]:
        """Keys of segments about to be encoded whose cached audio is not intact (now deleted)."""
        checked: set[str] = set()
        corrupt: set[str] = set()
        for episode, index, _ in work:
            part = episode.layout.parts[index]
            for seg in episode.layout.segments[part.first : part.stop]:
                key = seg.info.key
                if key not in checked:
                    checked.add(key)
                    if not self.store.has_valid(key):
                        corrupt.add(key)
        return corrupt

    def _assemble(self, episode: _Episode, thumbnail: bytes) -> None:
        from .audio.mp3join import join

        parts = []
        for key in episode.part_keys:
            part = self.cache.parts.get(key)
            if part is None:
                raise ReadcastError(f"encoded part {key[:12]} vanished during the build; build again")
            parts.append(part)
        data = join(parts, episode.layout.end_padding)
        with atomic_path(safe_join(self.out, episode.files["mp3"])) as tmp:
            tmp.write_bytes(data)
            write_tags(tmp, self._tags(episode, thumbnail))

    def _load(self, key: str):
        chunk = self.store.get(key)
        if chunk is None:
            raise ReadcastError(f"cached segment {key[:12]} vanished during the build; build again")
        return chunk

    # -- episodes: files and records ---------------------------------------------------
    def _publish(self, episode: _Episode) -> None:
        plan, article, result = episode.plan, episode.plan.article, episode.plan.result
        mp3_path = safe_join(self.out, episode.files["mp3"])
        result.status = "unchanged" if episode.unchanged else "built"
        self._write_sidecars(episode.files, episode.timeline, episode.chapters, article)
        result.audio_seconds = round(episode.layout.seconds, 3)
        result.mp3 = str(mp3_path)
        record = EpisodeRecord(
            slug=article.slug,
            guid=episode.guid,
            first_published=episode.first_published,
            source=result.source,
            title=article.title,
            author=self._author(article),
            description=episode.description,
            pub_date=episode.pub_date,
            language=plan.voice.language,
            episode_key=episode.key,
            mp3_size=_size(mp3_path),
            duration=round(episode.layout.seconds, 3),
            segments=len(plan.keys),
            files=episode.files,
        )
        self.state.episodes[article.slug] = record
        self.pages.write_episode(record, episode.timeline, episode.chapters, self.cover_name)

    def _write_sidecars(
        self, files: dict[str, str], timeline: list[TimedSegment], chapters: list[Chapter], article: Article
    ) -> None:
        podcast_title = self.settings.podcast.title
        contents = {
            "vtt": captions.webvtt(timeline),
            "srt": captions.srt(timeline),
            "chapters": captions.chapters_json(chapters, article.title, podcast_title),
            "text": captions.plain_transcript(timeline),
        }
        for role, text in contents.items():
            write_if_changed(safe_join(self.out, files[role]), text.encode("utf-8"))

    def _forget_removed(self, keep: set[str]) -> list[str]:
        """Drop the records of episodes whose article is gone (or became a draft).

        Returns their files, to delete once the feed no longer lists them.
        """
        failed_sources = {e.source for e in self.report.failed}
        removed: list[str] = []
        for slug, record in list(self.state.episodes.items()):
            if slug in keep or record.source in failed_sources:
                continue  # a failed rebuild keeps the episode published before
            removed.extend(record.files.values())
            del self.state.episodes[slug]
        return removed

    def _fail(self, plan: _Plan, exc: ReadcastError) -> None:
        plan.result.status = "failed"
        plan.result.error = f"{plan.result.source}: {exc}"

    # -- feed and shared files ---------------------------------------------------------
    def _cover(self) -> bytes:
        """Write the cover under a name that changes with the art (old ones go at the end)."""
        from .publish import cover as cover_module

        podcast = self.settings.podcast
        configured = self.settings.root / podcast.cover if podcast.cover else None
        drawn_from = {
            "title": podcast.title,
            "code": _module_digest(cover_module),
            "file": _hash(configured.read_bytes())
            if configured and configured.is_file()
            else str(configured),
        }
        self.art_keys = {"cover": _hash(drawn_from)}
        cover = self.cache.art.remember(self.art_keys["cover"], lambda: cover_jpeg(podcast.title, configured))
        self.cover_digest = _hash(cover)
        self.art_keys["thumbnail"] = _hash({"cover": self.cover_digest, "code": drawn_from["code"]})
        self.cover_name = f"cover-{self.cover_digest[:10]}.jpg"
        write_if_changed(self.out / self.cover_name, cover)
        return cover

    def _thumbnail(self, cover: bytes) -> bytes:
        return self.cache.art.remember(self.art_keys["thumbnail"], lambda: thumbnail_jpeg(cover))

    def _write_feed(self) -> None:
        published = list(self.state.episodes.values())
        data = feed_xml(FeedInputs(self.settings, self.state.podcast_guid, self.cover_name, published))
        feed_path = self.out / "feed.xml"
        write_if_changed(feed_path, data)
        self.report.feed = str(feed_path)

    def _save_refs(self, episodes: list[_Episode]) -> None:
        """Record the cache entries each published episode uses (what `readcast clean` keeps)."""
        refs = _load_refs(self.refs_path) or {}
        built = {e.plan.article.slug: e for e in episodes}
        for slug in list(refs):
            if slug not in self.state.episodes:
                del refs[slug]
        for slug, episode in built.items():
            if episode.plan.result.status == "failed" or slug not in self.state.episodes:
                continue
            parts = episode.part_keys or refs.get(slug, {}).get("parts", [])
            refs[slug] = {"segments": sorted(set(episode.plan.keys)), "parts": parts}
        data = json.dumps(dict(sorted(refs.items())), indent=1) + "\n"
        self.cache.root.mkdir(parents=True, exist_ok=True)
        write_if_changed(self.refs_path, data.encode("utf-8"))

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


def _checkpoint(name: str) -> None:
    """Fault injection for the crash-safety tests: READCAST_CRASH_AT=<name> kills the build here."""
    if os.environ.get("READCAST_CRASH_AT") == name:
        import signal

        os.kill(os.getpid(), signal.SIGKILL)


def _chapters(timeline: list[TimedSegment], total: float) -> list[Chapter]:
    starts = [(t.segment.chapter, t.start) for t in timeline if t.segment.chapter]
    chapters = []
    for n, (title, start) in enumerate(starts):
        end = starts[n + 1][1] if n + 1 < len(starts) else total
        chapters.append(Chapter(title, 0.0 if n == 0 else start, end))
    return chapters


def _load_refs(path: Path) -> dict[str, dict[str, list[str]]] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _module_digest(module: object) -> str:
    """Digest of a module's source: cached art is redrawn when the code that draws it changes."""
    try:
        return _hash(Path(module.__file__).read_bytes())  # type: ignore[attr-defined]
    except (OSError, TypeError, AttributeError):
        return __version__


def _ffmpeg_identity() -> str:
    """Which ffmpeg encodes (its path and size), without running it."""
    exe = os.environ.get("IMAGEIO_FFMPEG_EXE", "")
    if not exe:
        from .audio.ffmpeg import ffmpeg_exe

        exe = ffmpeg_exe()
    return f"{exe}:{_size(Path(exe))}"


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return -1


def _hash(value: object) -> str:
    if isinstance(value, bytes):
        return hashlib.sha256(value).hexdigest()
    data = json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def _fallback_slug(path: Path) -> str:
    from .read import slugify

    return slugify(path.stem) or "article"
