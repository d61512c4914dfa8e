#!/usr/bin/env python3
"""A real podcast client against `readcast serve`: gPodder's `gpo` subscribes and downloads everything.

Usage:  python scripts/gpodder_check.py [PROJECT]      (PROJECT defaults to the current folder)

Build the project first (`readcast build PROJECT`). The script starts `readcast serve PROJECT` on a
free port of 127.0.0.1, subscribes a throw-away gPodder profile to the printed feed URL, downloads
every episode, and compares each download byte for byte with the MP3 in output/. Exit status 0
when every enclosure arrived intact, 1 when one did not, 2 when something is missing to run.
Needs gpo: `apt-get install gpodder` (Debian/Ubuntu).
"""

from __future__ import annotations

import hashlib
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import urllib.request
from pathlib import Path
from xml.etree import ElementTree

GPO_TIMEOUT_S = 120


def say(text: str, file=sys.stdout) -> None:
    file.write(text + "\n")
    file.flush()


def main(argv: list[str]) -> int:
    project = Path(argv[1] if len(argv) > 1 else ".").resolve()
    if not (project / "output" / "feed.xml").is_file():
        say(
            f"error: {project}/output/feed.xml not found; run 'readcast build {project}' first",
            file=sys.stderr,
        )
        return 2
    gpo = shutil.which("gpo")
    if gpo is None:
        say(
            "error: gpo (gPodder's command-line client) is not installed; "
            "install it with 'apt-get install gpodder'",
            file=sys.stderr,
        )
        return 2
    server = subprocess.Popen(
        [sys.executable, "-m", "readcast", "serve", str(project), "--host", "127.0.0.1", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        feed_url = _feed_url(server)
        if feed_url is None:
            say(f"error: readcast serve did not start: {server.stderr.read()}", file=sys.stderr)
            return 2
        say(f"serving {feed_url}")
        return _subscribe_and_download(gpo, feed_url, project / "output")
    finally:
        server.terminate()
        server.wait(timeout=10)


def _feed_url(server: subprocess.Popen) -> str | None:
    """The feed URL `readcast serve` prints on stdout, read with a time limit."""
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in server.stdout], daemon=True).start()
    while True:
        try:
            line = lines.get(timeout=20)
        except queue.Empty:
            return None
        if line.startswith("feed"):
            return line.split()[-1]


def _subscribe_and_download(gpo: str, feed_url: str, output: Path) -> int:
    expected = _enclosures(feed_url, output)
    with tempfile.TemporaryDirectory(prefix="readcast-gpo-") as home:
        env = {**os.environ, "GPODDER_HOME": f"{home}/home", "GPODDER_DOWNLOAD_DIR": f"{home}/downloads"}

        def run(*args: str) -> str:
            result = subprocess.run(
                [gpo, *args], env=env, capture_output=True, text=True, timeout=GPO_TIMEOUT_S
            )
            if result.returncode != 0:
                raise SystemExit(f"error: gpo {' '.join(args)} failed: {result.stderr.strip()}")
            return result.stdout

        say(run("subscribe", feed_url).strip().splitlines()[-1])
        run("update", feed_url)
        run("download", feed_url)
        if len(_downloads(home)) < len(expected):  # gpo downloads only "new" episodes: fetch the rest
            for guid in re.findall(r"^\s*\d+\.\s+(\S+)\s", run("episodes", "--guid", feed_url), re.M):
                run("download", feed_url, guid)
        downloaded = _downloads(home)
    missing = 0
    for title, digest, size in expected:
        if digest in downloaded:
            say(f"ok      {title} ({size} bytes, identical)")
        else:
            say(f"MISSING {title} ({size} bytes)")
            missing += 1
    say(f"gpo downloaded {len(expected) - missing} of {len(expected)} episodes")
    return 1 if missing or not expected else 0


def _enclosures(feed_url: str, output: Path) -> list[tuple[str, str, int]]:
    """(title, sha256, size) of every enclosure, from the feed as served and the files in output/."""
    with urllib.request.urlopen(feed_url, timeout=30) as response:
        channel = ElementTree.fromstring(response.read()).find("channel")
    base = feed_url.rsplit("/", 1)[0] + "/"
    found = []
    for item in channel.iter("item"):
        url = item.find("enclosure").get("url")
        if not url.startswith(base):
            raise SystemExit(f"error: enclosure {url} is not on the served address {base}")
        path = output / urllib.request.url2pathname(url[len(base) :])
        data = path.read_bytes()
        found.append((item.findtext("title"), hashlib.sha256(data).hexdigest(), len(data)))
    return found


def _downloads(home: str) -> set[str]:
    return {
        hashlib.sha256(p.read_bytes()).hexdigest() for p in Path(home, "downloads").rglob("*") if p.is_file()
    }


if __name__ == "__main__":
    sys.exit(main(sys.argv))
