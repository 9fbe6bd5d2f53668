#!/usr/bin/env python3
"""Packages provider binaries the way the Terraform and OpenTofu registries ingest them.

For version X.Y.Z and each built platform:
  terraform-provider-migration_X.Y.Z_<os>_<arch>.zip   (holds terraform-provider-migration_vX.Y.Z[.exe])
  terraform-provider-migration_X.Y.Z_manifest.json     ({"version": 1, "metadata": {"protocol_versions": ["6.0"]}})
  terraform-provider-migration_X.Y.Z_SHA256SUMS        (every zip and the manifest)
  terraform-provider-migration_X.Y.Z_SHA256SUMS.sig    (detached binary signature, when GPG_FINGERPRINT is set)

Zips are written with fixed timestamps so the same binaries give the same checksums.
"""

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import zipfile

NAME = "terraform-provider-migration"
VERSION_PATTERN = re.compile(r"^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$")
PLATFORM_PATTERN = re.compile(r"^(linux|darwin|windows|freebsd)_(amd64|arm64|386|arm)$")


def package(version, binaries, out_dir, fingerprint=None):
    """binaries: {"linux_amd64": "/path/to/binary", ...}; returns the list of files written."""
    if not VERSION_PATTERN.match(version):
        raise SystemExit(f"VERSION {version!r} is not semantic (x.y.z): use e.g. VERSION=0.1.0")
    if not binaries:
        raise SystemExit("no binaries to package")
    os.makedirs(out_dir, exist_ok=True)
    written = []
    for platform, path in sorted(binaries.items()):
        if not PLATFORM_PATTERN.match(platform):
            raise SystemExit(f"platform {platform!r} is not <os>_<arch>")
        if not os.path.isfile(path):
            raise SystemExit(f"binary for {platform} not found: {path}")
        suffix = ".exe" if platform.startswith("windows") else ""
        archive = os.path.join(out_dir, f"{NAME}_{version}_{platform}.zip")
        info = zipfile.ZipInfo(f"{NAME}_v{version}{suffix}", date_time=(1980, 1, 1, 0, 0, 0))
        info.external_attr = 0o755 << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        # Deflate at its highest level: the zip is what every `terraform init` downloads, and
        # Terraform reads nothing but stored and deflated entries (docs/performance.md, section 1).
        with open(path, "rb") as binary, zipfile.ZipFile(archive, "w") as zipped:
            zipped.writestr(info, binary.read(), compresslevel=9)
        written.append(archive)
    manifest = os.path.join(out_dir, f"{NAME}_{version}_manifest.json")
    with open(manifest, "w") as handle:
        json.dump({"version": 1, "metadata": {"protocol_versions": ["6.0"]}}, handle, indent=2)
        handle.write("\n")
    written.append(manifest)
    sums = os.path.join(out_dir, f"{NAME}_{version}_SHA256SUMS")
    with open(sums, "w") as handle:
        for path in sorted(written):
            with open(path, "rb") as content:
                digest = hashlib.sha256(content.read()).hexdigest()
            handle.write(f"{digest}  {os.path.basename(path)}\n")
    written.append(sums)
    if fingerprint:
        signature = sums + ".sig"
        subprocess.run(
            ["gpg", "--batch", "--yes", "--local-user", fingerprint, "--output", signature,
             "--detach-sign", sums],
            check=True,
        )
        written.append(signature)
    return written


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--binary", action="append", default=[], metavar="OS_ARCH=PATH",
                        help="a built binary, e.g. linux_amd64=target/.../terraform-provider-migration")
    args = parser.parse_args(argv)
    binaries = {}
    for item in args.binary:
        platform, _, path = item.partition("=")
        binaries[platform] = path
    written = package(args.version, binaries, args.out, os.environ.get("GPG_FINGERPRINT") or None)
    for path in written:
        print(f"{os.path.getsize(path):>12,d}  {path}")


if __name__ == "__main__":
    main(sys.argv[1:])
