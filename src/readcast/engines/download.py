"""Voice downloads: into the user's data folder, checksummed, never a half-written file."""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import os
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from ..errors import EngineError
from ..fsutil import atomic_path

DATA_DIR_VARIABLE = "READCAST_DATA_DIR"
_BLOCK = 1 << 16


def user_data_dir() -> Path:
    """Where readcast keeps downloaded voices: $READCAST_DATA_DIR, else the platform's data folder."""
    override = os.environ.get(DATA_DIR_VARIABLE)
    if override:
        return Path(override).expanduser()
    home = Path.home()
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA") or home / "AppData" / "Local") / "readcast"
    if sys.platform == "darwin":
        return home / "Library" / "Application Support" / "readcast"
    return Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share") / "readcast"


def download(
    url: str,
    dest: Path,
    *,
    md5: str | None = None,
    sha256: str | None = None,
    size: int | None = None,
    timeout: float = 30.0,
) -> Path:
    """Fetch `url` into `dest`, checking size and digest before the file appears under its name.

    The bytes go to a temporary file beside `dest` that replaces it in one rename only when
    everything matches; an interrupted or corrupt download leaves nothing behind.
    """
    md5_hash, sha_hash = hashlib.md5(usedforsecurity=False), hashlib.sha256()
    received = 0
    with _network_errors(url, "nothing was saved. "):
        with atomic_path(dest) as tmp:
            with _opener().open(url, timeout=timeout) as response, open(tmp, "wb") as out:
                while block := response.read(_BLOCK):
                    out.write(block)
                    md5_hash.update(block)
                    sha_hash.update(block)
                    received += len(block)
                out.flush()
                os.fsync(out.fileno())
            problem = _mismatch(received, md5_hash.hexdigest(), sha_hash.hexdigest(), size, md5, sha256)
            if problem:
                raise EngineError(
                    f"download of {url} is corrupt ({problem}); nothing was saved. "
                    "Try again; if it keeps failing, the file on the server changed."
                )
    return dest


@contextlib.contextmanager
def _network_errors(url: str, consequence: str = "") -> Iterator[None]:
    """Turn what urllib raises into an EngineError naming the URL and what to do."""
    try:
        yield
    except urllib.error.HTTPError as exc:
        raise EngineError(f"could not download {url}: HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise EngineError(
            f"could not download {url} ({type(exc).__name__}: {reason}); "
            f"{consequence}Check the network connection and try again."
        ) from None


def _opener() -> urllib.request.OpenerDirector:
    # A fresh opener reads the proxy variables now; urlopen() keeps the ones of its first call.
    return urllib.request.build_opener()


def _mismatch(
    received: int, got_md5: str, got_sha256: str, size: int | None, md5: str | None, sha256: str | None
) -> str:
    if size is not None and received != size:
        return f"got {received} bytes, expected {size}"
    if md5 is not None and got_md5 != md5.lower():
        return f"MD5 {got_md5}, expected {md5}"
    if sha256 is not None and got_sha256 != sha256.lower():
        return f"SHA-256 {got_sha256}, expected {sha256}"
    return ""


def fetch_bytes(url: str, *, timeout: float = 30.0) -> bytes:
    """A small document (a voice catalogue) in memory; EngineError with the reason if unreachable."""
    with _network_errors(url), _opener().open(url, timeout=timeout) as response:
        return response.read()
