//! The binary's answers when it is started wrongly. (Being an integration test of this package
//! also makes `cargo test --workspace` build the binary that the end-to-end tests launch.)

use std::process::Command;

const BINARY: &str = env!("CARGO_BIN_EXE_terraform-provider-migration");
const COOKIE: (&str, &str) = (
    "TF_PLUGIN_MAGIC_COOKIE",
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2",
);

#[test]
fn run_by_hand_it_explains_itself_and_exits_1() {
    let output = Command::new(BINARY).env_clear().output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty(), "nothing may reach stdout");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.starts_with("This binary is a plugin."), "{stderr}");
    assert!(stderr.contains("--debug"), "{stderr}");
}

#[test]
fn a_host_without_protocol_6_is_refused() {
    let output = Command::new(BINARY)
        .env_clear()
        .env(COOKIE.0, COOKIE.1)
        .env("PLUGIN_PROTOCOL_VERSIONS", "4,5")
        .env("PLUGIN_CLIENT_CERT", "unused")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("protocol 6") && stderr.contains("4,5"),
        "{stderr}"
    );
}

#[test]
fn a_broken_client_certificate_is_refused_before_the_handshake() {
    let output = Command::new(BINARY)
        .env_clear()
        .env(COOKIE.0, COOKIE.1)
        .env("PLUGIN_PROTOCOL_VERSIONS", "5,6")
        .env("PLUGIN_CLIENT_CERT", "not a certificate")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(
        output.stdout.is_empty(),
        "no handshake line for a refused start"
    );
    assert!(String::from_utf8_lossy(&output.stderr).contains("PLUGIN_CLIENT_CERT"));
}

#[test]
fn version_flag_prints_the_version() {
    let output = Command::new(BINARY).arg("--version").output().unwrap();
    assert!(output.status.success());
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        format!("terraform-provider-migration {}", env!("CARGO_PKG_VERSION"))
    );
}
