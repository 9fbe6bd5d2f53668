#!/usr/bin/env python3
"""Installs a built provider where Terraform and OpenTofu find it without a registry.

Copies the binary into the implied local filesystem mirror,
  ~/.terraform.d/plugins/<host>/<namespace>/migration/<version>/<os>_<arch>/terraform-provider-migration_v<version>
for both registry.terraform.io (Terraform) and registry.opentofu.org (OpenTofu), then prints a
ready `dev_overrides` block for the CLI configuration files (~/.terraformrc, ~/.tofurc).
"""

import argparse
import os
import platform
import shutil
import sys

NAMESPACE = "migration-hub"
TYPE = "migration"
HOSTS = ("registry.terraform.io", "registry.opentofu.org")


def os_arch():
    system = {"Linux": "linux", "Darwin": "darwin", "Windows": "windows"}.get(platform.system(), platform.system().lower())
    machine = {"x86_64": "amd64", "AMD64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(platform.machine(), platform.machine())
    return f"{system}_{machine}"


def install(binary, version, home, target=None):
    if not os.path.isfile(binary):
        raise SystemExit(f"{binary} does not exist: build it first (make install does)")
    target = target or os_arch()
    installed = []
    for host in HOSTS:
        directory = os.path.join(home, ".terraform.d", "plugins", host, NAMESPACE, TYPE, version, target)
        os.makedirs(directory, exist_ok=True)
        destination = os.path.join(directory, f"terraform-provider-{TYPE}_v{version}")
        shutil.copyfile(binary, destination)
        os.chmod(destination, 0o755)
        installed.append(destination)
    return installed


def dev_overrides(binary_dir):
    blocks = []
    for cli, rc, host in (("Terraform", "~/.terraformrc", HOSTS[0]), ("OpenTofu", "~/.tofurc", HOSTS[1])):
        blocks.append(
            f"# {cli}: add to {rc} to use the build in {binary_dir} directly (skips `init` for this provider)\n"
            "provider_installation {\n"
            "  dev_overrides {\n"
            f'    "{host}/{NAMESPACE}/{TYPE}" = "{binary_dir}"\n'
            "  }\n"
            "  direct {}\n"
            "}\n"
        )
    return "\n".join(blocks)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", required=True)
    parser.add_argument("--version", required=True)
    parser.add_argument("--home", default=os.path.expanduser("~"))
    args = parser.parse_args(argv)
    for path in install(args.binary, args.version, args.home):
        print(f"installed {path}")
    print(
        "\nUse it with `source = \"migration-hub/migration\"` and `version = \"" + args.version + "\"`: "
        "terraform init / tofu init find it in the local mirror.\n"
    )
    print(dev_overrides(os.path.dirname(os.path.abspath(args.binary))))


if __name__ == "__main__":
    main(sys.argv[1:])
