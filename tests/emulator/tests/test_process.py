"""The `run` script's process contract: one URL line, stop on stdin EOF and on SIGTERM."""

from __future__ import annotations

import shutil
import signal
import subprocess
import urllib.request

from conftest import RUN, start_emulator


def healthy(url: str) -> bool:
    with urllib.request.urlopen(f"{url}/_emulator/health", timeout=5) as response:
        return response.status == 200


def test_stops_when_stdin_reaches_eof():
    process, url = start_emulator()
    assert healthy(url)
    process.stdin.close()
    assert process.wait(timeout=10) == 0
    assert process.stdout.read() == b""  # exactly one line was printed


def test_stops_on_sigterm():
    process, url = start_emulator()
    assert healthy(url)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=10) == 0
    process.stdin.close()


def test_missing_virtualenv_is_explained(tmp_path):
    copy = tmp_path / "run"
    shutil.copy(RUN, copy)
    result = subprocess.run([str(copy), "--port", "0"], capture_output=True, timeout=10)
    assert result.returncode == 1
    assert b"make emulator-venv" in result.stderr
