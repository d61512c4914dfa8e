"""`readcast serve`: output/ over HTTP, for listening locally and subscribing from a podcast app.

A threaded standard-library server with what podcast apps and browsers expect from a real host:
the right MIME types, HEAD, byte ranges, conditional GET, CORS, and nothing outside output/.
It rebuilds nothing: it serves what `readcast build` made.
"""

from __future__ import annotations

import email.utils
import hashlib
import ipaddress
import logging
import re
import socket
import sys
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from . import __version__
from .errors import ReadcastError
from .project.settings import DEFAULT_BASE_URL, FEED_NAME, resolve_output

logger = logging.getLogger(__name__)

CONTENT_TYPES = {
    ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".vtt": "text/vtt",
    ".srt": "application/x-subrip",
    ".json": "application/json",
    ".xml": "application/xml",
    ".html": "text/html; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".ico": "image/x-icon",
}
FEED_TYPE = "application/rss+xml; charset=utf-8"
CHAPTERS_TYPE = "application/json+chapters"
REWRITTEN_SUFFIXES = (".xml", ".html")
"""Files whose absolute URLs are pointed at the served address when the build used the default."""
_CHUNK = 64 * 1024
_HOST_RE = re.compile(r"(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?")
_RANGE_RE = re.compile(r"bytes=(\d*)-(\d*)")


def content_type(path: Path) -> str:
    """The Content-Type for a file in output/ (the same types the feed declares)."""
    name = path.name.lower()
    if name.endswith(".chapters.json"):
        return CHAPTERS_TYPE
    if name == FEED_NAME:
        return FEED_TYPE
    return CONTENT_TYPES.get(path.suffix.lower(), "application/octet-stream")


@dataclass(frozen=True)
class _Body:
    """What a response sends: a file (streamed) or bytes already in memory (rewritten)."""

    path: Path
    size: int
    mtime: float
    etag: str
    data: bytes | None = None


class OutputServer(ThreadingHTTPServer):
    """Serves one output folder; `url` is the address to give to browsers and podcast apps."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, root: Path, host: str = "127.0.0.1", port: int = 8000) -> None:
        self.root = Path(root).resolve()
        self.bind_host = host
        if ":" in host:
            self.address_family = socket.AF_INET6
        try:
            super().__init__((host, port), _Handler)
        except OSError as exc:
            hint = (
                f"Port {port} is in use: pass another with --port (or --port 0 for any free one)."
                if exc.errno in (98, 48, 10048)
                else "Check --host and --port."
            )
            raise ReadcastError(f"cannot listen on {host}:{port} ({exc.strerror or exc}). {hint}") from None

    def handle_error(self, request, client_address) -> None:
        """Log instead of printing a traceback: clients hanging up mid-request is routine."""
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError | TimeoutError):
            logger.debug("%s: connection closed (%s)", client_address[0], error)
        else:
            logger.error("error while serving %s", client_address[0], exc_info=True)

    @property
    def port(self) -> int:
        return self.server_address[1]

    @property
    def url(self) -> str:
        """Base URL to print: a reachable address, never 0.0.0.0 or ::."""
        host = public_host(self.bind_host)
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}/"

    @property
    def built_base(self) -> str | None:
        """The base URL the feed was built with (its atom:link rel="self" minus feed.xml)."""
        try:
            head = (self.root / FEED_NAME).read_bytes()[:8192].decode("utf-8", "replace")
        except OSError:
            return None
        match = re.search(r'<atom:link href="([^"]+)feed\.xml" rel="self"', head)
        return match.group(1) if match else None


def public_host(bind_host: str) -> str:
    """The address a client should use for a server bound to `bind_host`."""
    if bind_host in ("", "0.0.0.0", "::"):
        return _lan_address(socket.AF_INET6 if bind_host == "::" else socket.AF_INET) or (
            "::1" if bind_host == "::" else "127.0.0.1"
        )
    return bind_host


def _lan_address(family: int) -> str | None:
    """This machine's address on its default route: connecting a UDP socket sends no packet."""
    probe = "2001:db8::1" if family == socket.AF_INET6 else "192.0.2.1"  # documentation ranges
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as sock:
            sock.connect((probe, 9))
            address = sock.getsockname()[0]
    except OSError:
        return None
    return None if ipaddress.ip_address(address).is_unspecified else address


def make_server(folder: Path | str, host: str = "127.0.0.1", port: int = 8000) -> OutputServer:
    """A server for the output of project (or output folder) `folder`; call serve_forever()."""
    return OutputServer(resolve_output(folder, "serve"), host, port)


class _Handler(BaseHTTPRequestHandler):
    server: OutputServer
    server_version = f"readcast/{__version__}"
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def do_OPTIONS(self) -> None:
        self.send_response(HTTPStatus.NO_CONTENT)
        self._cors_headers()
        self.send_header("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
        self.send_header("Access-Control-Allow-Headers", "Range, If-None-Match, If-Modified-Since")
        self.send_header("Access-Control-Max-Age", "86400")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        logger.info("%s %s", self.address_string(), format % args)

    # -- request handling ----------------------------------------------------------------
    def _respond(self, send_body: bool) -> None:
        path = self._resolve()
        if path is None:
            return
        body = self._body(path)
        headers = {
            "Content-Type": content_type(path),
            "ETag": body.etag,
            "Last-Modified": email.utils.formatdate(body.mtime, usegmt=True),
            "Cache-Control": "no-cache",
            "Accept-Ranges": "bytes",
        }
        if self._not_modified(body):
            self._status(HTTPStatus.NOT_MODIFIED, headers)
            return
        start, end = 0, body.size - 1
        status = HTTPStatus.OK
        wanted = self._range(body, headers["Last-Modified"])
        if wanted == "unsatisfiable":
            self._status(
                HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE,
                {"Content-Range": f"bytes */{body.size}", "Accept-Ranges": "bytes"},
                text="Range not satisfiable\n",
                send_body=send_body,
            )
            return
        if wanted is not None:
            start, end = wanted
            status = HTTPStatus.PARTIAL_CONTENT
            headers["Content-Range"] = f"bytes {start}-{end}/{body.size}"
        headers["Content-Length"] = str(max(0, end - start + 1))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self._cors_headers()
        self.end_headers()
        if send_body and body.size:
            self._send_bytes(body, start, end - start + 1)

    def _resolve(self) -> Path | None:
        """The file a request path names inside output/, or None after answering with an error."""
        raw = urlsplit(self.path).path
        if not raw.startswith("/"):
            self._status(HTTPStatus.BAD_REQUEST, text="Bad request path\n")
            return None
        decoded = unquote(raw)
        parts = [p for p in decoded.split("/") if p]
        if "\x00" in decoded or "\\" in decoded or any(p in (".", "..") for p in parts):
            self._status(HTTPStatus.FORBIDDEN, text="Forbidden: outside the served folder\n")
            return None
        if any(p.startswith(".") for p in parts):
            self._status(HTTPStatus.NOT_FOUND, text="Not found\n")
            return None
        root = self.server.root
        target = root.joinpath(*parts)
        try:
            resolved = target.resolve(strict=True)
        except (OSError, RuntimeError):
            self._status(HTTPStatus.NOT_FOUND, text="Not found\n")
            return None
        if resolved != root and root not in resolved.parents:
            self._status(HTTPStatus.FORBIDDEN, text="Forbidden: outside the served folder\n")
            return None
        if resolved.is_dir():
            if not raw.endswith("/"):
                self._status(HTTPStatus.MOVED_PERMANENTLY, {"Location": raw + "/"})
                return None
            resolved = resolved / "index.html"
            if not resolved.is_file():
                self._status(HTTPStatus.NOT_FOUND, text="Not found\n")
                return None
        if not resolved.is_file():
            self._status(HTTPStatus.NOT_FOUND, text="Not found\n")
            return None
        return resolved

    def _body(self, path: Path) -> _Body:
        stat = path.stat()
        if path.suffix.lower() in REWRITTEN_SUFFIXES:
            data = path.read_bytes()
            served = self._served_base()
            if served != DEFAULT_BASE_URL and DEFAULT_BASE_URL.encode() in data:
                data = data.replace(DEFAULT_BASE_URL.encode(), served.encode())
            etag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
            return _Body(path, len(data), stat.st_mtime, etag, data)
        return _Body(path, stat.st_size, stat.st_mtime, f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"')

    def _served_base(self) -> str:
        """The base URL this client reached us at (its Host header), else the printed one."""
        host = self.headers.get("Host", "")
        if _HOST_RE.fullmatch(host):
            return f"http://{host}/"
        return self.server.url

    def _not_modified(self, body: _Body) -> bool:
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            tags = [t.strip() for t in if_none_match.split(",")]
            return "*" in tags or body.etag in tags or f"W/{body.etag}" in tags
        since = self.headers.get("If-Modified-Since")
        if since:
            try:
                when = email.utils.parsedate_to_datetime(since)
            except (TypeError, ValueError):
                return False
            return when is not None and int(body.mtime) <= when.timestamp()
        return False

    def _range(self, body: _Body, last_modified: str) -> tuple[int, int] | str | None:
        """(first, last) byte of a single satisfiable range, "unsatisfiable", or None for all."""
        header = self.headers.get("Range")
        if not header:
            return None
        if_range = self.headers.get("If-Range")
        if if_range and if_range.strip() not in (body.etag, last_modified):
            return None  # the file changed since the client's copy: send all of it
        match = _RANGE_RE.fullmatch(header.strip().replace(" ", ""))
        if not match or match.groups() == ("", ""):
            return None  # several ranges or a malformed header: RFC 9110 lets us ignore it
        first, last = match.groups()
        size = body.size
        if first == "":  # bytes=-N: the last N bytes
            length = int(last)
            if length == 0 or size == 0:
                return "unsatisfiable"
            return max(0, size - length), size - 1
        start = int(first)
        if start >= size:
            return "unsatisfiable"
        end = min(int(last), size - 1) if last else size - 1
        if end < start:
            return None
        return start, end

    # -- sending -------------------------------------------------------------------------
    def _cors_headers(self) -> None:
        # Web players fetch transcripts, chapters and the feed from other origins.
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header(
            "Access-Control-Expose-Headers",
            "Content-Length, Content-Range, Accept-Ranges, ETag, Last-Modified",
        )

    def _status(
        self,
        status: HTTPStatus,
        headers: dict[str, str] | None = None,
        text: str = "",
        send_body: bool = True,
    ) -> None:
        data = text.encode("utf-8")
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if status != HTTPStatus.NOT_MODIFIED:
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
        self._cors_headers()
        self.end_headers()
        if data and send_body and self.command != "HEAD":
            self._write(data)

    def _send_bytes(self, body: _Body, start: int, length: int) -> None:
        if body.data is not None:
            self._write(body.data[start : start + length])
            return
        with open(body.path, "rb") as handle:
            handle.seek(start)
            while length > 0:
                chunk = handle.read(min(_CHUNK, length))
                if not chunk:
                    break
                if not self._write(chunk):
                    return
                length -= len(chunk)

    def _write(self, data: bytes) -> bool:
        try:
            self.wfile.write(data)
            return True
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # players often hang up mid-file after a seek
            return False


def feed_points_elsewhere(server: OutputServer) -> str | None:
    """The configured base URL when the feed was built for a real host (then nothing is rewritten)."""
    base = server.built_base
    return base if base and base != DEFAULT_BASE_URL else None
