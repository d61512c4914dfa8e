"""The build: content/ -> output/, redoing only what changed. The library API behind `readcast build`.

The pipeline, one stage per package, each handing the next a frozen value:

    read/ + speech/plan.py   Article -> EpisodePlan          (voice, script, segment keys)
    audio/synth.py           EpisodePlan -> SynthesizedSegments   (only what the cache lacks)
    audio/episode.py         -> EpisodeTimeline -> MixedEpisode -> MP3 bytes (only changed parts)
    publish/episode.py       -> EpisodeTarget -> EpisodeRecord   (MP3, tags, captions, pages)
    publish/site.py          the cover, the feed, removing what is no longer published

What is skipped is decided beside each stage, by a key naming every input: segment keys
(audio/cache.py), part keys (audio/parts.py), episode keys (audio/episode.py).

Every file appears through an atomic rename, and files are removed only after the feed stops
pointing at them, so a build killed at any moment leaves a consistent site, and the next build
finishes the job.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from .audio import episode as audio
from .audio.cache import REFS_NAME, ProjectCache
from .audio.music import MusicBeds
from .audio.synth import default_workers, synthesize_segments
from .engines.voices import VoiceRequest
from .errors import ReadcastError
from .fsutil import remove_stale_temp_files, safe_join
from .models import Progress
from .project.settings import Settings, load_settings
from .project.state import ProjectState, project_lock
from .publish import site
from .publish.episode import EpisodeTarget, publish_episode, target_for, write_mp3
from .publish.feed import podcast_guid, url_for
from .publish.pages import Pages
from .speech.plan import EpisodePlan, plan_articles

__all__ = ["BuildOptions", "BuildReport", "CleanReport", "EpisodeResult", "Progress", "build", "clean"]


@dataclass(frozen=True)
class BuildOptions:
    base_url: str | None = None
    engine: str | None = None
    voice: str | None = None
    speed: float | None = None
    language: str | None = None
    jobs: int | None = None
    force: bool = False


@dataclass(frozen=True)
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

    def to_json(self) -> dict[str, Any]:
        return {
            "episodes": [asdict(e) for e in self.episodes],
            "feed": self.feed,
            "seconds": round(self.seconds, 3),
        }


def build(
    project: Path | str, options: BuildOptions = BuildOptions(), progress: Progress | None = None
) -> BuildReport:
    """Build the podcast of the project in `project`; bad articles are reported, not raised."""
    started = time.perf_counter()
    settings = load_settings(project).with_overrides(base_url=options.base_url)
    with project_lock(settings.state_dir):
        report = _run(settings, options, progress or (lambda *_: None))
    report.seconds = time.perf_counter() - started
    return report


def _run(settings: Settings, options: BuildOptions, progress: Progress) -> BuildReport:
    out, cache, force = settings.output_dir, ProjectCache(settings.state_dir), options.force
    workers = options.jobs or default_workers()
    state_path = settings.state_dir / "state.json"
    state = ProjectState.load(state_path)
    state.podcast_guid = state.podcast_guid or podcast_guid(url_for(settings.base_url, "feed.xml"))
    music, pages = MusicBeds.from_settings(settings), Pages(settings)
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    out.mkdir(parents=True, exist_ok=True)
    remove_stale_temp_files(out)
    cache.remove_stale_temp_files()
    cover = site.publish_cover(settings, cache.art)

    # read and script (flags > front matter > readcast.toml), then synthesize what the cache lacks
    override = VoiceRequest(options.engine, options.voice, options.speed, options.language)
    planned = plan_articles(settings, override)
    failed: dict[str, str] = {}  # source -> the first error that stopped its episode
    segments = synthesize_segments(
        planned.plans, cache.segments, workers=workers, progress=progress, force=force
    )
    synthesized = dict(segments.synthesized)
    failed.update(segments.failures)
    _checkpoint("synthesized")

    # lay out each episode; an episode whose key and MP3 match the last build is left alone
    load = audio.segment_loader(cache.segments)
    inputs = audio.BuildInputs(audio.ffmpeg_identity(), settings.audio, music.fingerprint, cover.digest)

    def target(plan: EpisodePlan) -> EpisodeTarget:
        timeline = audio.lay_out(plan, segments, music, settings.audio.sample_rate, load)
        return target_for(timeline, state, settings, inputs, now=now, force=force)

    targets = _each(planned.plans, target, failed)
    mixes = _each([t for t in targets.values() if not t.current], _mixer(music, settings, load), failed)
    jobs = audio.parts_to_encode(list(mixes.values()), cache, force)
    corrupt = audio.corrupt_sources(jobs, cache.segments)
    if corrupt:  # re-synthesize what failed verification, then lay those episodes out again
        again = [m.episode.plan for m in mixes.values() if m.episode.plan.source not in failed]
        segments = synthesize_segments(
            again, cache.segments, workers=workers, progress=progress, only=corrupt
        )
        synthesized = {s: n + segments.synthesized.get(s, 0) for s, n in synthesized.items()}
        failed.update({s: e for s, e in segments.failures.items() if s not in failed})
        redo = [p for p in again if corrupt & set(p.keys) and p.source not in failed]
        targets.update(_each(redo, target, failed))
        changed = [t for t in targets.values() if not t.current and t.episode.plan.source not in failed]
        mixes = _each(changed, _mixer(music, settings, load), failed)
        jobs = audio.parts_to_encode(list(mixes.values()), cache, force)
    broken = audio.encode_parts(
        jobs, cache, bitrate=settings.audio.bitrate, workers=workers, progress=progress
    )
    _checkpoint("encoded")
    thumbnail = site.thumbnail(cover, cache.art) if mixes else b""

    def assemble(mixed: audio.MixedEpisode) -> None:
        write_mp3(targets[_source(mixed)], audio.join_parts(mixed, cache), out, thumbnail)

    for source, mixed in mixes.items():
        error = next((broken[key] for key in mixed.part_keys if key in broken), None)
        if error is not None:
            failed.setdefault(source, f"{source}: {error}")
    _each(mixes.values(), assemble, failed)

    # publish: captions and pages of each episode, then the feed; old files go last
    results = [EpisodeResult(f.slug, f.title, f.source, "failed", error=f.error) for f in planned.failed]
    published: dict[str, EpisodeTarget] = {}
    for plan in planned.plans:
        count, source = synthesized.get(plan.source, 0), plan.source
        if source in failed or source not in targets:
            results.append(_result(plan, "failed", count, error=failed.get(source)))
            continue
        record = publish_episode(targets[source], settings, pages, cover.name)
        state.episodes[plan.article.slug] = record
        published[plan.article.slug] = targets[source]
        status = "unchanged" if targets[source].current else "built"
        mp3 = str(safe_join(out, record.files["mp3"]))
        results.append(_result(plan, status, count, seconds=record.duration, mp3=mp3))
    _checkpoint("published")
    failed_sources = set(failed) | {f.source for f in planned.failed}
    removed = site.forget_removed(state, {p.article.slug for p in planned.plans}, failed_sources)
    feed = site.write_feed(settings, state, cover)
    pages.write_index(list(state.episodes.values()), cover.name)
    _checkpoint("feed")
    site.remove_unpublished(out, removed, cover, cache.art)
    used = {
        slug: (t.episode.plan.keys, mixes[t.episode.plan.source].part_keys if not t.current else ())
        for slug, t in published.items()
    }
    cache.save_refs(used, set(state.episodes))
    _checkpoint("cleaned")
    state.save(state_path)
    return BuildReport(results, str(feed))


def _mixer(
    music: MusicBeds, settings: Settings, load: audio.Loader
) -> Callable[[EpisodeTarget], audio.MixedEpisode]:
    return lambda target: audio.mix(target.episode, music, settings.audio, load)


T = TypeVar("T", EpisodePlan, EpisodeTarget, audio.MixedEpisode)
U = TypeVar("U")


def _each(items: Iterable[T], stage: Callable[[T], U], failed: dict[str, str]) -> dict[str, U]:
    """`stage` on each item whose episode has not failed, by source; a ReadcastError fails that one."""
    done: dict[str, U] = {}
    for item in items:
        source = _source(item)
        if source in failed:
            continue
        try:
            done[source] = stage(item)
        except ReadcastError as exc:
            failed[source] = f"{source}: {exc}"
    return done


def _source(item: EpisodePlan | EpisodeTarget | audio.MixedEpisode) -> str:
    if isinstance(item, EpisodePlan):
        return item.source
    return item.episode.plan.source


def _result(plan: EpisodePlan, status: str, synthesized: int, **outcome: Any) -> EpisodeResult:
    seconds = outcome.pop("seconds", 0.0)
    article = plan.article
    return EpisodeResult(
        article.slug, article.title, plan.source, status, len(plan.keys), synthesized, seconds, **outcome
    )


def _checkpoint(name: str) -> None:
    """Fault injection for the crash-safety tests: READCAST_CRASH_AT=<name> kills the build here."""
    if os.environ.get("READCAST_CRASH_AT") == name:
        import signal

        os.kill(os.getpid(), signal.SIGKILL)


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
        refs = cache.load_refs()
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
