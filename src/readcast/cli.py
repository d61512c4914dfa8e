"""The readcast command line: parse options, call the library, turn errors into messages and exit codes.

Commands do not catch errors: `_ErrorBoundary` is the one place where a ReadcastError, an OSError
or Ctrl+C becomes one line on stderr and an exit code (see EXIT_*), for the `readcast` script and
for in-process runs alike.
"""

from __future__ import annotations

import errno
import json
import logging
import sys
from pathlib import Path
from typing import Annotated, Any

import click
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text
from typer.core import TyperGroup

from . import __version__
from .errors import ReadcastError

EXIT_USER_ERROR = 1
"""Bad input, configuration or environment: the message says what to fix."""
EXIT_USAGE = 2
"""Unknown command or option, or a bad option value (click reports these itself)."""
EXIT_INTERRUPTED = 130
"""Ctrl+C, as shells report a process ended by SIGINT."""
INTERRUPTED = {
    "build": "interrupted, run build again to finish",
    "serve": "stopped",
}
"""The line each command prints on Ctrl+C (others: "interrupted")."""
_OS_ERROR_FIXES = {
    errno.ENOENT: "check the path",
    errno.EACCES: "check the permissions",
    errno.EPERM: "check the permissions",
    errno.ENOSPC: "free some disk space and run again",
    errno.EDQUOT: "free some disk space and run again",
    errno.EROFS: "choose a writable folder",
    errno.EISDIR: "pass a file, not a folder",
    errno.ENOTDIR: "check the path",
}

err = Console(stderr=True, highlight=False)


def _print_error(message: str) -> None:
    err.print(Text.assemble(("error:", "red"), " ", message), soft_wrap=True)


def describe_os_error(exc: OSError) -> str:
    """One line for an OSError: the file, what went wrong and, when known, the fix."""
    where = " -> ".join(str(name) for name in (exc.filename, exc.filename2) if name is not None)
    what = exc.strerror or str(exc)
    fix = _OS_ERROR_FIXES.get(exc.errno) if exc.errno is not None else None
    return f"{where + ': ' if where else ''}{what}{f' ({fix})' if fix else ''}"


class _ErrorBoundary(TyperGroup):
    """readcast's command group: every command runs inside `invoke`, the one error boundary."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ReadcastError as exc:
            _print_error(str(exc))
            code = EXIT_USER_ERROR
        except OSError as exc:
            if exc.errno == errno.EPIPE:
                raise  # stdout closed early (readcast voices | head): click exits quietly
            _print_error(describe_os_error(exc))
            code = EXIT_USER_ERROR
        except KeyboardInterrupt:
            err.print(INTERRUPTED.get(ctx.invoked_subcommand or "", "interrupted"), soft_wrap=True)
            code = EXIT_INTERRUPTED
        raise typer.Exit(code)


app = typer.Typer(
    name="readcast",
    cls=_ErrorBoundary,
    help="Turn written articles into an accessible podcast.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
ProjectDir = Annotated[Path, typer.Argument(help="Project folder (holds readcast.toml).", file_okay=False)]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"readcast {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    version: Annotated[
        bool | None,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit."),
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log more detail.")] = False,
) -> None:
    """readcast reads content/ and publishes a podcast feed, episodes and transcripts to output/."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s: %(message)s",
        stream=sys.stderr,
    )


@app.command()
def build(
    project: ProjectDir = Path("."),
    base_url: Annotated[str | None, typer.Option(help="Public URL where output/ is hosted.")] = None,
    engine: Annotated[str | None, typer.Option(help="Speech engine for every article.")] = None,
    voice: Annotated[str | None, typer.Option(help="Voice for every article.")] = None,
    speed: Annotated[
        float | None, typer.Option(min=0.5, max=2.0, help="Speaking rate for every article (1.0 is normal).")
    ] = None,
    language: Annotated[
        str | None, typer.Option(help="Language of every article, such as en or en-gb.")
    ] = None,
    jobs: Annotated[
        int | None, typer.Option(min=1, help="Parallel synthesis processes [default: CPU count].")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Ignore the cache: synthesize and encode everything again.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON report on stdout.")] = False,
) -> None:
    """Build the podcast: synthesize what changed, encode episodes, write output/feed.xml."""
    from .build import BuildOptions
    from .build import build as run_build

    options = BuildOptions(
        base_url=base_url, engine=engine, voice=voice, speed=speed, language=language, jobs=jobs, force=force
    )
    with _progress() as progress:
        tasks: dict[str, int] = {}

        def on_progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = progress.add_task(stage.capitalize(), total=total)
            progress.update(tasks[stage], completed=done, total=total)

        report = run_build(project, options, on_progress)
    for episode in report.episodes:
        if episode.status == "failed":
            _print_error(str(episode.error))
    if as_json:
        typer.echo(json.dumps(report.to_json(), indent=2))
    else:
        for episode in report.episodes:
            if episode.status != "failed":
                typer.echo(
                    f"{episode.status:9} {episode.slug}  ({episode.audio_seconds:.0f} s, "
                    f"{episode.synthesized}/{episode.segments} segments synthesized)"
                )
        typer.echo(f"feed      {report.feed}")
    built = sum(e.status != "failed" for e in report.episodes)
    err.print(f"{built} episode(s) ready, {len(report.failed)} failed, in {report.seconds:.1f} s")
    if report.failed:
        raise typer.Exit(1)


@app.command()
def clean(project: ProjectDir = Path(".")) -> None:
    """Delete cache entries the published episodes no longer use, and report the space freed."""
    from .build import clean as run_clean

    report = run_clean(project)
    typer.echo(
        f"removed {report.removed} cache entries, freed {report.freed / 1e6:.1f} MB ({report.kept} kept)"
    )


@app.command()
def init(project: ProjectDir = Path(".")) -> None:
    """Create readcast.toml, content/ with an example article and a .gitignore."""
    from .project.scaffold import init_project

    created = init_project(project)
    for path in created:
        typer.echo(f"created {path}")
    err.print(f"Next: edit readcast.toml, put articles in content/, run 'readcast build {project}'.")


@app.command()
def say(
    text: Annotated[str, typer.Argument(help="What to say.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="MP3 file to write.", dir_okay=False)],
    engine: Annotated[str, typer.Option(help="Speech engine.")] = "hibari",
    voice: Annotated[str | None, typer.Option(help="Voice of the engine.")] = None,
    speed: Annotated[float, typer.Option(min=0.5, max=2.0, help="Speaking rate.")] = 1.0,
    language: Annotated[str, typer.Option(help="Language code.")] = "en",
) -> None:
    """Synthesize TEXT into one MP3 file (normalized, mastered, CBR)."""
    from .oneoff import say_to_mp3

    seconds = say_to_mp3(text, output, engine=engine, voice=voice, speed=speed, language=language)
    typer.echo(f"{output} ({seconds:.1f} s)")


@app.command()
def script(
    file: Annotated[Path, typer.Argument(help="An article (.txt, .md or .html).", dir_okay=False)],
    as_json: Annotated[bool, typer.Option("--json", help="Print the script as JSON.")] = False,
    diff: Annotated[
        bool,
        typer.Option(
            "--diff", help="Show only the segments said differently from the text: [-written-]{+spoken+}."
        ),
    ] = False,
) -> None:
    """Print the speech script of FILE: segments, pauses and chapters, without making audio."""
    from .oneoff import script_for_file
    from .speech.script import script_diff

    speech = script_for_file(file)
    if diff:
        for line in script_diff(speech):
            typer.echo(line)
        return
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "title": speech.article.title,
                    "slug": speech.article.slug,
                    "segments": [
                        {
                            "kind": s.kind,
                            "spoken": s.spoken,
                            "written": s.written,
                            "pause_ms": s.pause_after_ms,
                            "chapter": s.chapter,
                        }
                        for s in speech.segments
                    ],
                },
                indent=2,
                ensure_ascii=False,
            )
        )
        return
    for n, seg in enumerate(speech.segments, start=1):
        if seg.chapter:
            typer.echo(f"\n## chapter: {seg.chapter}")
        typer.echo(f"[{n:3}] {seg.kind:<9} {seg.spoken}")
        if seg.pause_after_ms:
            typer.echo(f"      (pause {seg.pause_after_ms} ms)")


@app.command()
def voices(
    engine: Annotated[str | None, typer.Option(help="Show only this engine.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the list as JSON.")] = False,
) -> None:
    """List speech engines and their voices: languages, offline or online, installed or not."""
    from dataclasses import asdict

    from .engines.voices import describe_engines

    engines = describe_engines(engine)
    if as_json:
        typer.echo(json.dumps([asdict(e) for e in engines], indent=2, ensure_ascii=False))
        return
    for n, summary in enumerate(engines):
        if n:
            typer.echo("")
        if summary.error and not summary.licence:
            typer.echo(f"{summary.name}: cannot be loaded ({summary.error})")
            continue
        status = "installed" if summary.available else "NOT INSTALLED"
        network = "online: needs the network" if summary.needs_network else "offline"
        typer.echo(f"{summary.name}  [{status}, {network}]  licence: {summary.licence}")
        languages = summary.languages
        shown = ", ".join(languages[:30]) + (
            f", ... ({len(languages)} in all)" if len(languages) > 30 else ""
        )
        typer.echo(f"  languages: {shown}")
        if summary.install_hint:
            typer.echo(f"  to install: {summary.install_hint}")
        if summary.error:
            typer.echo(f"  {summary.error}")
        width = max((len(v.name) for v in summary.voices), default=0)
        for info in summary.voices:
            mark = "*" if info.name == summary.default_voice else " "
            language = "" if info.language == info.name else f"{info.language}: "
            state = "" if info.installed else "  (not installed)"
            typer.echo(f"  {mark} {info.name:<{width}}  {language}{info.description}{state}")
    if any(s.voices for s in engines):
        err.print(
            "* marks each engine's default voice. Choose with --engine/--voice, or engine: and "
            "voice: in front matter or readcast.toml [voice].",
            markup=False,
            soft_wrap=True,
        )


@app.command()
def serve(
    project: ProjectDir = Path("."),
    host: Annotated[
        str,
        typer.Option(
            help="Address to listen on. 127.0.0.1 is this computer only; "
            "0.0.0.0 lets phones on your network subscribe."
        ),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port; 0 picks a free one.")] = 8000,
) -> None:
    """Serve output/ over HTTP: listen in a browser, or subscribe from a podcast app."""
    from .serve import feed_points_elsewhere, make_server

    server = make_server(project, host, port)
    typer.echo(f"site      {server.url}")
    typer.echo(f"feed      {server.url}feed.xml")
    if host in ("0.0.0.0", "::"):
        err.print("Listening on every network interface: devices on your network can connect.")
    elsewhere = feed_points_elsewhere(server)
    if elsewhere:
        err.print(
            f"note: the feed was built for {elsewhere}, so apps will fetch episodes from there. "
            "To listen through this server, build without [podcast] base_url."
        )
    err.print(f"Serving {server.root} (press Ctrl+C to stop)")
    try:
        server.serve_forever()  # until Ctrl+C, which the error boundary reports as "stopped"
    finally:
        server.server_close()


@app.command()
def check(
    project: ProjectDir = Path("."),
    skip_loudness: Annotated[
        bool, typer.Option("--skip-loudness", help="Do not measure loudness (faster).")
    ] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Fail on warnings too.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON report on stdout.")] = False,
) -> None:
    """Check the built output/ before publishing: feed, episodes, artwork, loudness, captions."""
    from .check import check as run_check

    report = run_check(project, measure_audio=not skip_loudness)
    if as_json:
        typer.echo(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        for problem in report.problems:
            typer.echo(f"{problem.level:7} {problem.rule}  {problem.where}: {problem.message}")
            typer.echo(f"        fix: {problem.fix}")
        for name, audio in report.audio.items():
            if "loudness" in audio:
                typer.echo(
                    f"audio   {name}: {audio['loudness']:.1f} LUFS, true peak "
                    f"{audio['true_peak']:.1f} dBTP, {audio['duration']:.0f} s"
                )
    err.print(
        f"{len(report.errors)} error(s), {len(report.warnings)} warning(s); checked "
        f"{report.episodes} episode(s) in {report.output}"
    )
    if report.errors or (strict and report.warnings):
        raise typer.Exit(1)


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description:<11}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )


def main() -> None:
    """The `readcast` console script (errors are handled by `_ErrorBoundary`)."""
    app()
