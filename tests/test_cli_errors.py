"""The error boundary, through the real `readcast` console script: one line on stderr, an exit code.

These run the script installed next to the test's Python (pip install -e .), in a subprocess, so a
traceback that an in-process runner would swallow shows up here.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import Project
from typer.testing import CliRunner

from readcast.cli import app

READCAST = Path(sys.executable).with_name("readcast")


def readcast(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(READCAST), *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_the_console_script_is_installed() -> None:
    assert READCAST.is_file(), f"{READCAST} missing: pip install -e '.[test]'"


def test_script_of_a_missing_file_is_one_line_naming_it(tmp_path: Path) -> None:
    result = readcast("script", "missing.md", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr == "error: missing.md: No such file or directory (check the path)\n"
    assert result.stdout == ""


def test_check_outside_a_project_suggests_check_not_serve(tmp_path: Path) -> None:
    result = readcast("check", ".", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("error: .: neither a readcast project")
    assert result.stderr.endswith("Pass the project folder, e.g. 'readcast check .'.\n")


def test_a_disk_error_while_writing_is_one_line_naming_the_file(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("a file where the output wants a folder")
    result = readcast("say", "Hello.", "--engine", "tone", "-o", "taken/a.mp3", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith(f"error: {tmp_path / 'taken'}") and result.stderr.count("\n") == 1


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    result = readcast("build", "--no-such-option", cwd=tmp_path)
    assert result.returncode == 2
    assert "No such option: --no-such-option" in result.stderr and "Traceback" not in result.stderr


def test_ctrl_c_during_a_build_says_how_to_finish_and_exits_130(project: Project) -> None:
    for n in range(30):
        project.write(f"a{n:02}.md", f"# Article {n}\n\n" + f"Paragraph {n} of some length.\n\n" * 10)
    process = subprocess.Popen(
        [str(READCAST), "build", ".", "--jobs", "1"],
        cwd=project.root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not (project.root / ".readcast" / "build.lock").exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.3)  # inside the build: 30 episodes take seconds even on a fast machine
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert stderr.endswith("interrupted, run build again to finish\n") and "Traceback" not in stderr
    assert len(list((project.output / "episodes").glob("*.mp3"))) < 30


def test_script_ignores_a_readcast_toml_outside_the_files_project(tmp_path: Path) -> None:
    (tmp_path / "readcast.toml").write_text('[podcast]\ntitle = "Grandparent Cast"\n', encoding="utf-8")
    article = tmp_path / "notes" / "a.md"
    article.parent.mkdir()
    article.write_text("---\ntitle: A\nauthor: Ann\n---\nHello.\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["script", str(article), "--json"])
    assert result.exit_code == 0, result.output
    byline = json.loads(result.stdout)["segments"][1]["written"]
    assert byline == "Written by Ann. Narrated by a synthetic voice for readcast."


def test_script_uses_the_settings_of_the_project_the_file_is_in(project: Project) -> None:
    article = project.write("a.md", "---\ntitle: A\nauthor: Ann\n---\nHello.\n")
    result = CliRunner().invoke(app, ["script", str(article), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["segments"][1]["written"] == (
        "Written by Ann. Narrated by a synthetic voice for Test Cast."
    )
