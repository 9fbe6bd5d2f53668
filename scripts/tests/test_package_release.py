"""The release layout both registries ingest: names, checksums, manifest, reproducibility."""

import hashlib
import json
import os
import sys
import zipfile

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import package_release  # noqa: E402

NAME = "terraform-provider-migration"


@pytest.fixture
def binaries(tmp_path):
    linux = tmp_path / "linux-binary"
    linux.write_bytes(b"\x7fELF fake provider")
    windows = tmp_path / "windows-binary"
    windows.write_bytes(b"MZ fake provider")
    return {"linux_amd64": str(linux), "windows_amd64": str(windows)}


def test_names_checksums_and_manifest(tmp_path, binaries):
    out = tmp_path / "dist"
    written = package_release.package("1.2.3", binaries, str(out))
    names = sorted(os.path.basename(p) for p in written)
    assert names == sorted([
        f"{NAME}_1.2.3_linux_amd64.zip",
        f"{NAME}_1.2.3_windows_amd64.zip",
        f"{NAME}_1.2.3_manifest.json",
        f"{NAME}_1.2.3_SHA256SUMS",
    ])
    with zipfile.ZipFile(out / f"{NAME}_1.2.3_linux_amd64.zip") as zipped:
        assert zipped.namelist() == [f"{NAME}_v1.2.3"]
        assert zipped.read(f"{NAME}_v1.2.3") == b"\x7fELF fake provider"
        assert (zipped.getinfo(f"{NAME}_v1.2.3").external_attr >> 16) & 0o111, "executable bit"
    with zipfile.ZipFile(out / f"{NAME}_1.2.3_windows_amd64.zip") as zipped:
        assert zipped.namelist() == [f"{NAME}_v1.2.3.exe"]
    manifest = json.loads((out / f"{NAME}_1.2.3_manifest.json").read_text())
    assert manifest == {"version": 1, "metadata": {"protocol_versions": ["6.0"]}}
    lines = (out / f"{NAME}_1.2.3_SHA256SUMS").read_text().splitlines()
    listed = {}
    for line in lines:
        digest, name = line.split("  ")
        listed[name] = digest
    assert set(listed) == {n for n in names if not n.endswith("SHA256SUMS")}
    for name, digest in listed.items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest


def test_same_binaries_give_the_same_checksums(tmp_path, binaries):
    first = package_release.package("1.2.3", binaries, str(tmp_path / "a"))
    second = package_release.package("1.2.3", binaries, str(tmp_path / "b"))
    read = lambda paths: {os.path.basename(p): open(p, "rb").read() for p in paths}
    assert read(first) == read(second)


@pytest.mark.parametrize("version", ["1.2", "v1.2.3", "latest"])
def test_bad_versions_are_refused(tmp_path, binaries, version):
    with pytest.raises(SystemExit, match="semantic"):
        package_release.package(version, binaries, str(tmp_path))


def test_bad_platform_and_missing_binary_are_refused(tmp_path, binaries):
    with pytest.raises(SystemExit, match="os>_<arch"):
        package_release.package("1.0.0", {"linux-x64": binaries["linux_amd64"]}, str(tmp_path))
    with pytest.raises(SystemExit, match="not found"):
        package_release.package("1.0.0", {"linux_amd64": str(tmp_path / "nope")}, str(tmp_path))
