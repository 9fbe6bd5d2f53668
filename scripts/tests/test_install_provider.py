"""make install's layout: the implied local mirror for Terraform and OpenTofu, and the snippet."""

import os
import stat
import subprocess
import sys

HERE = os.path.dirname(__file__)
sys.path.insert(0, os.path.join(HERE, ".."))
import install_provider  # noqa: E402


def test_binary_lands_in_both_implied_mirrors(tmp_path):
    binary = tmp_path / "terraform-provider-migration"
    binary.write_bytes(b"\x7fELF")
    installed = install_provider.install(str(binary), "0.1.0", str(tmp_path / "home"), "linux_amd64")
    assert installed == [
        str(tmp_path / "home/.terraform.d/plugins/registry.terraform.io/migration-hub/migration/0.1.0/linux_amd64/terraform-provider-migration_v0.1.0"),
        str(tmp_path / "home/.terraform.d/plugins/registry.opentofu.org/migration-hub/migration/0.1.0/linux_amd64/terraform-provider-migration_v0.1.0"),
    ]
    for path in installed:
        assert open(path, "rb").read() == b"\x7fELF"
        assert os.stat(path).st_mode & stat.S_IXUSR


def test_command_prints_dev_overrides_for_both_clis(tmp_path):
    binary = tmp_path / "bin" / "terraform-provider-migration"
    binary.parent.mkdir()
    binary.write_bytes(b"\x7fELF")
    output = subprocess.run(
        [sys.executable, os.path.join(HERE, "..", "install_provider.py"), "--binary", str(binary),
         "--version", "0.1.0", "--home", str(tmp_path / "home")],
        check=True, capture_output=True, text=True,
    ).stdout
    assert f'"registry.terraform.io/migration-hub/migration" = "{binary.parent}"' in output
    assert f'"registry.opentofu.org/migration-hub/migration" = "{binary.parent}"' in output
    assert "~/.terraformrc" in output and "~/.tofurc" in output


def test_missing_binary_says_to_build(tmp_path):
    try:
        install_provider.install(str(tmp_path / "nope"), "0.1.0", str(tmp_path))
    except SystemExit as exit:
        assert "build it first" in str(exit)
    else:
        raise AssertionError("expected a refusal")
