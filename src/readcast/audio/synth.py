"""Stage 3: segments -> cached audio, synthesized in parallel on all cores."""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Collection, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from ..engines import Engine, get_engine_class
from ..errors import EngineError, ReadcastError
from ..models import Progress, VoiceChoice
from .cache import SegmentInfo, SegmentStore

if TYPE_CHECKING:
    from ..speech.plan import EpisodePlan


@dataclass(frozen=True)
class SynthesisJob:
    key: str
    text: str
    voice: VoiceChoice


@dataclass(frozen=True)
class SynthesizedSegments:
    """Stage 3's hand-off: the cached audio of the plans' segments, described by header."""

    infos: Mapping[str, SegmentInfo]
    """Every readable segment of the plans, by key (a key missing here vanished or failed)."""
    synthesized: Mapping[str, int]
    """Segments sent to the engine in this run, by source (each counted for its first article)."""
    failures: Mapping[str, str]
    """Error of the first failed segment, by source ("source: message")."""


def synthesize_segments(
    plans: Sequence[EpisodePlan],
    store: SegmentStore,
    *,
    workers: int,
    progress: Progress,
    force: bool = False,
    only: Collection[str] | None = None,
) -> SynthesizedSegments:
    """Synthesize what the cache lacks (everything with `force`, or just the keys in `only`).

    A segment shared by several articles, or said twice in one, is synthesized once.
    """
    infos: dict[str, SegmentInfo] = {}
    wanted: dict[str, SynthesisJob] = {}
    for plan in plans:
        for key, seg in zip(plan.keys, plan.script.segments, strict=True):
            if key in wanted or key in infos:
                continue
            redo = force if only is None else key in only
            info = None if redo else store.info(key)
            if info is not None:
                infos[key] = info
            elif only is None or redo:
                wanted[key] = SynthesisJob(key, seg.spoken, plan.voice)
    done = 0

    def advance(_key: str) -> None:
        nonlocal done
        done += 1
        progress("synthesize", done, len(wanted))

    if wanted:
        progress("synthesize", 0, len(wanted))
    errors = synthesize_missing(list(wanted.values()), store, workers, advance)
    for key in wanted.keys() - errors.keys():
        info = store.info(key)
        if info is not None:
            infos[key] = info
    synthesized: dict[str, int] = {}
    failures: dict[str, str] = {}
    counted: set[str] = set()
    for plan in plans:
        own = [k for k in plan.keys if k in wanted and k not in counted]
        counted.update(own)
        synthesized[plan.source] = len(own)
        failed = [errors[k] for k in plan.keys if k in errors]
        if failed:
            failures[plan.source] = f"{plan.source}: {failed[0]}"
    return SynthesizedSegments(
        MappingProxyType(infos), MappingProxyType(synthesized), MappingProxyType(failures)
    )


_ENGINES: dict[VoiceChoice, Engine] = {}


def engine_for(voice: VoiceChoice) -> Engine:
    """One engine instance per voice choice and process, reused for every segment."""
    engine = _ENGINES.get(voice)
    if engine is None:
        cls = get_engine_class(voice.engine)
        engine = cls(voice=voice.voice, speed=voice.speed, language=voice.language)
        _ENGINES[voice] = engine
    return engine


def _run_job(job: SynthesisJob, store_root: str) -> str:
    """Synthesize one segment into the store (in a worker process, or in the build's own)."""
    try:
        chunk = engine_for(job.voice).synthesize(job.text)
    except ReadcastError:
        raise
    except Exception as exc:  # engines are third-party code: report, don't crash the build
        raise EngineError(f"{job.voice.engine} failed on {job.text[:60]!r}: {exc}") from None
    if chunk.frames == 0:
        raise EngineError(f"{job.voice.engine} produced no audio for {job.text[:60]!r}")
    SegmentStore(Path(store_root)).put(job.key, chunk)  # atomic: a killed worker leaves no entry
    return job.key


def synthesize_missing(
    jobs: list[SynthesisJob], store: SegmentStore, workers: int, on_done: Callable[[str], None] | None = None
) -> dict[str, str]:
    """Synthesize `jobs` into `store`; return {key: error message} for the ones that failed.

    One job, or one worker, runs in this process: starting a worker and loading a voice model in
    it would cost more than the job. Otherwise the longest texts go first, so no core is left
    with one long segment at the end.
    """
    failures: dict[str, str] = {}
    if not jobs:
        return failures
    workers = max(1, min(workers, len(jobs)))
    if workers == 1:
        for job in jobs:
            try:
                _run_job(job, str(store.root))
            except ReadcastError as exc:
                failures[job.key] = str(exc)
            if on_done:
                on_done(job.key)
        return failures
    ordered = sorted(jobs, key=lambda job: len(job.text), reverse=True)
    context = _context()
    forked = context.get_start_method() == "fork"
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=_worker_started,
        initargs=(os.getpid(), forked),
    ) as pool:
        futures = {pool.submit(_run_job, job, str(store.root)): job for job in ordered}
        for future in as_completed(futures):
            job = futures[future]
            try:
                future.result()
            except ReadcastError as exc:
                failures[job.key] = str(exc)
            except Exception as exc:  # a worker died (out of memory, killed)
                failures[job.key] = f"{job.voice.engine} worker failed: {exc}"
            if on_done:
                on_done(job.key)
    return failures


def default_workers() -> int:
    return os.cpu_count() or 1


def _context() -> multiprocessing.context.BaseContext:
    """fork while this process runs no other thread; forkserver (or the platform's default) else.

    fork starts workers in milliseconds, and is safe while the build is single-threaded (an engine
    it loaded earlier is simply inherited). Forking while another thread runs (the CLI's progress
    bar, a library's pool) can copy a lock that thread holds and hang the worker, so then the
    workers come from a forkserver, a fresh single-threaded process.
    """
    if sys.platform.startswith("linux"):
        return multiprocessing.get_context("fork" if threading.active_count() == 1 else "forkserver")
    return multiprocessing.get_context()


def _worker_started(build: int, forked: bool) -> None:
    """Tie a worker's life to the build's: it must not outlive a killed build, nor hold its lock.

    A forked worker dies with the build; one from a forkserver dies with the forkserver, which
    exits when the build does.
    """
    from ..project.state import held_lock_fds

    for fd in held_lock_fds():  # a forked copy of the lock's file would keep the project locked
        try:
            os.close(fd)
        except OSError:
            pass
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        parent = os.getppid()
        PR_SET_PDEATHSIG = 1
        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL))
        except (OSError, AttributeError):
            pass
        # the parent (or the build) died before the line above took effect
        if os.getppid() != parent or (forked and parent != build) or not _alive(build):
            os._exit(1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True
