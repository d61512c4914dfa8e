"""`readcast serve` over real HTTP on 127.0.0.1: types, HEAD, ranges, conditional GET, CORS, confinement."""

from __future__ import annotations

import http.client
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import BASIC_SETTINGS, REPO, Project
from lxml import etree
from typer.testing import CliRunner

from readcast.cli import app
from readcast.errors import ConfigError
from readcast.project.settings import load_settings
from readcast.serve import DEFAULT_BASE_URL, OutputServer, feed_points_elsewhere, make_server, public_host

LOCAL_SETTINGS = BASIC_SETTINGS.replace('base_url = "https://podcast.example.org/show/"\n', "")


@pytest.fixture(scope="module")
def local_project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """Two short episodes built without base_url: the feed points at http://localhost:8000/."""
    proj = Project.create(tmp_path_factory.mktemp("serve") / "proj", LOCAL_SETTINGS)
    proj.write("first.md", "---\ntitle: First\ndate: 2025-01-01\n---\nThe first episode, short.\n")
    proj.write("second.md", "---\ntitle: Second\ndate: 2025-02-01\n---\nThe second one, also short.\n")
    report = proj.build()
    assert not report.failed
    return proj


def _running(server: OutputServer) -> Iterator[OutputServer]:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def server(local_project: Project) -> Iterator[OutputServer]:
    yield from _running(make_server(local_project.root, "127.0.0.1", 0))


def request(
    server: OutputServer, method: str, path: str, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    """One request with the path sent exactly as given (no client-side normalization)."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for name, value in {"Host": f"127.0.0.1:{server.port}", **(headers or {})}.items():
            conn.putheader(name, value)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


MP3 = "/episodes/first.mp3"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/episodes/first.mp3", "audio/mpeg"),
        ("/episodes/first.vtt", "text/vtt"),
        ("/episodes/first.srt", "application/x-subrip"),
        ("/episodes/first.chapters.json", "application/json+chapters"),
        ("/episodes/first.transcript.html", "text/html; charset=utf-8"),
        ("/episodes/first.html", "text/html; charset=utf-8"),
        ("/episodes/first.txt", "text/plain; charset=utf-8"),
        ("/feed.xml", "application/rss+xml; charset=utf-8"),
        ("/index.html", "text/html; charset=utf-8"),
        ("/assets/readcast.css", "text/css; charset=utf-8"),
        ("/assets/readcast.js", "text/javascript; charset=utf-8"),
    ],
)
def test_content_types_match_what_the_feed_declares(server, path: str, expected: str) -> None:
    status, headers, _ = request(server, "GET", path)
    assert (status, headers["content-type"]) == (200, expected)


def test_cover_is_served_as_jpeg(server, local_project) -> None:
    (cover,) = local_project.output.glob("cover-*.jpg")
    status, headers, body = request(server, "GET", f"/{cover.name}")
    assert (status, headers["content-type"], body) == (200, "image/jpeg", cover.read_bytes())


def test_head_answers_like_get_without_a_body(server, local_project) -> None:
    size = (local_project.output / "episodes" / "first.mp3").stat().st_size
    status, headers, body = request(server, "HEAD", MP3)
    assert (status, body) == (200, b"")
    assert headers["content-length"] == str(size) and headers["accept-ranges"] == "bytes"


def test_byte_ranges(server, local_project) -> None:
    data = (local_project.output / "episodes" / "first.mp3").read_bytes()
    size = len(data)
    status, headers, body = request(server, "GET", MP3, {"Range": "bytes=0-99"})
    assert (status, headers["content-range"], body) == (206, f"bytes 0-99/{size}", data[:100])
    assert headers["content-length"] == "100"
    status, headers, body = request(server, "GET", MP3, {"Range": "bytes=1000-"})
    assert (status, headers["content-range"], body) == (206, f"bytes 1000-{size - 1}/{size}", data[1000:])
    status, headers, body = request(server, "GET", MP3, {"Range": "bytes=-500"})
    assert (status, headers["content-range"], body) == (
        206,
        f"bytes {size - 500}-{size - 1}/{size}",
        data[-500:],
    )
    status, headers, body = request(server, "GET", MP3, {"Range": f"bytes=10-{size + 50}"})
    assert (status, body) == (206, data[10:])
    status, headers, _ = request(server, "HEAD", MP3, {"Range": "bytes=0-0"})
    assert (status, headers["content-length"]) == (206, "1")


def test_unsatisfiable_multiple_and_stale_ranges(server, local_project) -> None:
    data = (local_project.output / "episodes" / "first.mp3").read_bytes()
    status, headers, _ = request(server, "GET", MP3, {"Range": f"bytes={len(data)}-"})
    assert (status, headers["content-range"]) == (416, f"bytes */{len(data)}")
    status, _, body = request(server, "GET", MP3, {"Range": "bytes=0-1,5-6"})
    assert (status, body) == (200, data)  # several ranges: the whole file, as RFC 9110 allows
    status, _, body = request(server, "GET", MP3, {"Range": "bytes=0-9", "If-Range": '"old"'})
    assert (status, body) == (200, data)
    _, headers, _ = request(server, "HEAD", MP3)
    status, _, body = request(server, "GET", MP3, {"Range": "bytes=0-9", "If-Range": headers["etag"]})
    assert (status, body) == (206, data[:10])


def test_conditional_get_answers_304_until_the_file_changes(server, local_project) -> None:
    path = local_project.output / "episodes" / "first.txt"
    status, headers, _ = request(server, "GET", "/episodes/first.txt")
    etag, modified = headers["etag"], headers["last-modified"]
    assert status == 200 and etag.startswith('"')
    status, headers, body = request(server, "GET", "/episodes/first.txt", {"If-None-Match": etag})
    assert (status, body, headers["etag"]) == (304, b"", etag)
    status, _, body = request(server, "GET", "/episodes/first.txt", {"If-Modified-Since": modified})
    assert (status, body) == (304, b"")
    original = path.read_bytes()
    try:
        path.write_bytes(original + b"edited\n")
        os.utime(path, (path.stat().st_atime, path.stat().st_mtime + 5))
        status, headers, body = request(server, "GET", "/episodes/first.txt", {"If-None-Match": etag})
        assert (status, body) == (200, original + b"edited\n") and headers["etag"] != etag
    finally:
        path.write_bytes(original)


@pytest.mark.parametrize(
    "path",
    [
        "/episodes/first.vtt",
        "/episodes/first.srt",
        "/episodes/first.chapters.json",
        "/episodes/first.transcript.html",
        "/feed.xml",
    ],
)
def test_cors_for_transcripts_chapters_and_the_feed(server, path: str) -> None:
    _, headers, _ = request(server, "GET", path, {"Origin": "https://player.example"})
    assert headers["access-control-allow-origin"] == "*"
    assert "Content-Range" in headers["access-control-expose-headers"]


def test_cors_preflight_allows_range_requests(server) -> None:
    status, headers, _ = request(
        server,
        "OPTIONS",
        "/episodes/first.vtt",
        {
            "Origin": "https://player.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "range",
        },
    )
    assert status == 204
    assert headers["access-control-allow-origin"] == "*"
    assert "Range" in headers["access-control-allow-headers"]


@pytest.mark.parametrize(
    "path",
    [
        "/../readcast.toml",
        "/episodes/../../readcast.toml",
        "/%2e%2e/readcast.toml",
        "/%2E%2E/readcast.toml",
        "/episodes/%2e%2e/%2e%2e/readcast.toml",
        "/..%2freadcast.toml",
        "/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "/episodes/..%5c..%5creadcast.toml",
        "/feed.xml%00.mp3",
    ],
)
def test_paths_outside_output_are_refused(server, path: str) -> None:
    status, _, body = request(server, "GET", path)
    assert status == 403, path
    assert b"[podcast]" not in body and b"root:" not in body


def test_symlinks_out_of_output_are_refused(server, local_project) -> None:
    link = local_project.output / "leak.toml"
    folder_link = local_project.output / "project"
    link.symlink_to(local_project.root / "readcast.toml")
    folder_link.symlink_to(local_project.root, target_is_directory=True)
    try:
        for path in ("/leak.toml", "/project/readcast.toml", "/project/content/first.md"):
            status, _, body = request(server, "GET", path)
            assert status == 403 and b"title" not in body, path
    finally:
        link.unlink()
        folder_link.unlink()


def test_hidden_files_missing_files_and_folders(server, local_project) -> None:
    (local_project.output / ".feed.xml.abc.tmp").write_text("half-written")
    try:
        assert request(server, "GET", "/.feed.xml.abc.tmp")[0] == 404
    finally:
        (local_project.output / ".feed.xml.abc.tmp").unlink()
    assert request(server, "GET", "/nothing.mp3")[0] == 404
    status, headers, _ = request(server, "GET", "/episodes")
    assert (status, headers["location"]) == (301, "/episodes/")
    assert request(server, "GET", "/episodes/")[0] == 404  # no directory listings
    status, _, body = request(server, "GET", "/?utm=1")
    assert status == 200 and body == (local_project.output / "index.html").read_bytes().replace(
        DEFAULT_BASE_URL.encode(), f"http://127.0.0.1:{server.port}/".encode()
    )


def test_feed_urls_point_at_the_served_address(server, local_project) -> None:
    served = f"http://127.0.0.1:{server.port}/"
    status, headers, body = request(server, "GET", "/feed.xml")
    assert status == 200 and int(headers["content-length"]) == len(body)
    assert b"localhost:8000" not in body
    channel = etree.fromstring(body).find("channel")
    urls = [e.get("url") for e in channel.iter("enclosure")]
    assert urls == [served + "episodes/second.mp3", served + "episodes/first.mp3"]
    on_disk = (local_project.output / "feed.xml").read_bytes()
    assert on_disk.count(DEFAULT_BASE_URL.encode()) > 5  # the file itself is untouched
    _, _, page = request(server, "GET", "/episodes/first.html")
    assert f'value="{served}feed.xml"'.encode() in page
    # A phone on the network reaches the server by another name: the feed follows its Host header.
    _, _, body = request(server, "GET", "/feed.xml", {"Host": "192.168.1.50:8000"})
    assert b"http://192.168.1.50:8000/episodes/first.mp3" in body
    _, _, body = request(server, "GET", "/feed.xml", {"Host": 'x"><script>'})
    assert served.encode() + b"episodes/first.mp3" in body and b"<script>" not in body


def test_a_feed_built_for_a_real_host_is_served_unchanged(sample_build) -> None:
    proj, _ = sample_build
    for server in _running(make_server(proj.root, "127.0.0.1", 0)):
        _, _, body = request(server, "GET", "/feed.xml")
        assert body == (proj.output / "feed.xml").read_bytes()
        assert feed_points_elsewhere(server) == "https://podcast.example.org/show/"


def test_default_base_is_what_build_uses_without_base_url(local_project) -> None:
    assert load_settings(local_project.root).base_url == DEFAULT_BASE_URL


def test_listening_on_all_interfaces_prints_a_reachable_address(local_project) -> None:
    assert public_host("127.0.0.1") == "127.0.0.1"
    host = public_host("0.0.0.0")
    assert host not in ("0.0.0.0", "") and re.fullmatch(r"\d+\.\d+\.\d+\.\d+", host)
    for server in _running(make_server(local_project.root, "0.0.0.0", 0)):
        assert "0.0.0.0" not in server.url and server.url.endswith(f":{server.port}/")
        assert request(server, "HEAD", "/feed.xml")[0] == 200


def test_serve_needs_a_built_project(tmp_path: Path, make_project) -> None:
    with pytest.raises(ConfigError, match="neither a readcast project"):
        make_server(tmp_path, "127.0.0.1", 0)
    proj = make_project("unbuilt")
    with pytest.raises(ConfigError, match=r"nothing built yet .* Run 'readcast build"):
        make_server(proj.root, "127.0.0.1", 0)


def test_cli_reports_a_busy_port(server, local_project) -> None:
    result = CliRunner().invoke(app, ["serve", str(local_project.root), "--port", str(server.port)])
    assert result.exit_code == 1
    assert f"cannot listen on 127.0.0.1:{server.port}" in result.stderr and "--port" in result.stderr


def test_cli_serve_prints_the_feed_url_and_serves_it(local_project) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "readcast", "serve", str(local_project.root), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        site = proc.stdout.readline().split()
        feed = proc.stdout.readline().split()
        assert site[0] == "site" and feed[0] == "feed"
        match = re.fullmatch(r"http://127\.0\.0\.1:(\d+)/feed\.xml", feed[1])
        assert match, feed
        conn = http.client.HTTPConnection("127.0.0.1", int(match.group(1)), timeout=10)
        conn.request("GET", "/feed.xml")
        body = conn.getresponse().read()
        assert feed[1].encode() in body  # atom:link rel=self is the printed address
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.mark.slow
@pytest.mark.requires("gpo")
def test_gpodder_subscribes_and_downloads_every_episode(local_project) -> None:
    """gPodder's command-line client (Debian package gpodder) against readcast serve."""
    result = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "gpodder_check.py"), str(local_project.root)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "gpo downloaded 2 of 2 episodes" in result.stdout
    assert result.stdout.count("identical") == 2
