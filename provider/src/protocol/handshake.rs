//! The go-plugin start-up contract: what Terraform puts in the environment, and the one line the
//! provider must print on stdout before anything else.
//!
//! Everything here is decided from the environment alone, before any socket exists, so that a
//! refusal (wrong cookie, no common protocol) costs nothing and explains itself on stderr.

use std::collections::HashMap;

use base64::Engine;

/// The value go-plugin's host sets in `TF_PLUGIN_MAGIC_COOKIE`; its only purpose is to tell a
/// human who ran the binary by hand that it is not a command-line tool.
pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
/// The value Terraform sets `TF_PLUGIN_MAGIC_COOKIE` to.
pub const MAGIC_COOKIE_VALUE: &str =
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

/// The only plugin protocol this provider speaks (Terraform >= 1.0, OpenTofu >= 1.6).
pub const PROTOCOL_VERSION: u32 = 6;

/// The go-plugin core protocol version, always field 1 of the handshake line.
const CORE_PROTOCOL_VERSION: u32 = 1;

/// Registry address Terraform uses for this provider in `TF_REATTACH_PROVIDERS`.
pub const PROVIDER_ADDRESS: &str = "registry.terraform.io/migration-hub/migration";

/// How the process was asked to run, read from its environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Launch {
    /// Terraform's client certificate (PEM), or None when serving in plaintext.
    pub client_certificate_pem: Option<String>,
    /// Where the Unix socket goes.
    pub socket_dir: std::path::PathBuf,
    /// TCP port range, used where Unix sockets are unavailable (Windows).
    pub port_range: (u16, u16),
}

/// Why the provider refuses to start; printed to stderr before exiting with status 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal(pub String);

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Reads the launch environment the way go-plugin's server does, with messages a human can act
/// on when it is wrong.
pub fn negotiate(env: &HashMap<String, String>) -> Result<Launch, Refusal> {
    if env.get(MAGIC_COOKIE_KEY).map(String::as_str) != Some(MAGIC_COOKIE_VALUE) {
        return Err(Refusal(
            "This binary is a plugin. These are not meant to be executed directly.\n\
             Please execute the program that consumes these plugins (terraform or tofu), which \
             will load any plugins automatically.\n\
             To debug the provider, run it with --debug and export the TF_REATTACH_PROVIDERS \
             value it prints."
                .to_string(),
        ));
    }
    if let Some(offered) = env.get("PLUGIN_PROTOCOL_VERSIONS") {
        let speaks_ours = offered
            .split(',')
            .any(|v| v.trim().parse::<u32>() == Ok(PROTOCOL_VERSION));
        if !speaks_ours && !offered.trim().is_empty() {
            return Err(Refusal(format!(
                "This provider speaks plugin protocol {PROTOCOL_VERSION} (Terraform 1.0 or newer, \
                 OpenTofu 1.6 or newer), but the host offered only protocol version(s) \
                 {offered}. Upgrade Terraform/OpenTofu to use this provider."
            )));
        }
    }
    let client_certificate_pem = match env.get("PLUGIN_CLIENT_CERT") {
        Some(pem) if !pem.trim().is_empty() => Some(pem.clone()),
        _ if env.contains_key("TF_DISABLE_PLUGIN_TLS") => None,
        _ => {
            return Err(Refusal(
                "PLUGIN_CLIENT_CERT is not set, so the provider cannot authenticate its host. \
                 Terraform and OpenTofu always set it unless TF_DISABLE_PLUGIN_TLS is set; to \
                 run the provider by hand, use --debug."
                    .to_string(),
            ));
        }
    };
    let socket_dir = env
        .get("PLUGIN_UNIX_SOCKET_DIR")
        .or_else(|| env.get("TMPDIR"))
        .filter(|d| !d.is_empty())
        .map(std::path::PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    let port = |key: &str, default: u16| {
        env.get(key)
            .and_then(|v| v.parse::<u16>().ok())
            .unwrap_or(default)
    };
    Ok(Launch {
        client_certificate_pem,
        socket_dir,
        port_range: (
            port("PLUGIN_MIN_PORT", 10000),
            port("PLUGIN_MAX_PORT", 25000),
        ),
    })
}

/// Where the server listens, as the handshake line names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Address {
    /// A Unix domain socket, by path.
    Unix(std::path::PathBuf),
    /// A loopback TCP port.
    Tcp(std::net::SocketAddr),
}

impl Address {
    fn network(&self) -> &'static str {
        match self {
            Address::Unix(_) => "unix",
            Address::Tcp(_) => "tcp",
        }
    }

    fn location(&self) -> String {
        match self {
            Address::Unix(path) => path.display().to_string(),
            Address::Tcp(addr) => addr.to_string(),
        }
    }
}

/// `1|6|unix|/path|grpc|<server certificate DER, base64 standard alphabet without padding>`;
/// the last field is empty when serving in plaintext.
pub fn handshake_line(address: &Address, server_certificate_der: Option<&[u8]>) -> String {
    let certificate = server_certificate_der
        .map(|der| base64::engine::general_purpose::STANDARD_NO_PAD.encode(der))
        .unwrap_or_default();
    format!(
        "{CORE_PROTOCOL_VERSION}|{PROTOCOL_VERSION}|{}|{}|grpc|{certificate}",
        address.network(),
        address.location()
    )
}

/// The `TF_REATTACH_PROVIDERS` value a user exports to point Terraform at a provider started
/// with `--debug`.
pub fn reattach_value(address: &Address, pid: u32) -> String {
    serde_json::json!({
        PROVIDER_ADDRESS: {
            "Protocol": "grpc",
            "ProtocolVersion": PROTOCOL_VERSION,
            "Pid": pid,
            "Test": true,
            "Addr": { "Network": address.network(), "String": address.location() },
        }
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn terraform_env() -> Vec<(&'static str, &'static str)> {
        vec![
            (MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE),
            ("PLUGIN_PROTOCOL_VERSIONS", "5,6"),
            ("PLUGIN_CLIENT_CERT", "-----BEGIN CERTIFICATE-----\n..."),
            ("PLUGIN_MIN_PORT", "10000"),
            ("PLUGIN_MAX_PORT", "25000"),
            ("TMPDIR", "/tmp/tf"),
        ]
    }

    #[test]
    fn missing_cookie_is_refused_with_a_human_message() {
        let err = negotiate(&env(&[("PLUGIN_PROTOCOL_VERSIONS", "6")])).unwrap_err();
        assert!(err.0.starts_with("This binary is a plugin."), "{err}");
        let mut wrong = env(&terraform_env());
        wrong.insert(MAGIC_COOKIE_KEY.into(), "nope".into());
        assert!(negotiate(&wrong).is_err());
    }

    #[test]
    fn protocol_six_is_picked_in_any_order_and_five_alone_is_refused() {
        for offered in ["5,6", "6,5", "6", " 6 , 5"] {
            let mut e = env(&terraform_env());
            e.insert("PLUGIN_PROTOCOL_VERSIONS".into(), offered.into());
            assert!(negotiate(&e).is_ok(), "{offered}");
        }
        let mut e = env(&terraform_env());
        e.insert("PLUGIN_PROTOCOL_VERSIONS".into(), "5".into());
        let err = negotiate(&e).unwrap_err();
        assert!(
            err.0.contains("protocol 6") && err.0.contains("offered only"),
            "{err}"
        );
    }

    #[test]
    fn launch_reads_certificate_socket_dir_and_ports() {
        let launch = negotiate(&env(&terraform_env())).unwrap();
        assert!(
            launch
                .client_certificate_pem
                .unwrap()
                .starts_with("-----BEGIN")
        );
        assert_eq!(launch.socket_dir, std::path::PathBuf::from("/tmp/tf"));
        assert_eq!(launch.port_range, (10000, 25000));
        let mut e = env(&terraform_env());
        e.insert("PLUGIN_UNIX_SOCKET_DIR".into(), "/run/sock".into());
        assert_eq!(
            negotiate(&e).unwrap().socket_dir,
            std::path::PathBuf::from("/run/sock")
        );
    }

    #[test]
    fn plaintext_only_when_the_user_disabled_plugin_tls() {
        let mut e = env(&terraform_env());
        e.remove("PLUGIN_CLIENT_CERT");
        let err = negotiate(&e).unwrap_err();
        assert!(err.0.contains("--debug"), "{err}");
        e.insert("TF_DISABLE_PLUGIN_TLS".into(), "1".into());
        assert_eq!(negotiate(&e).unwrap().client_certificate_pem, None);
    }

    #[test]
    fn handshake_line_matches_go_plugin_layout() {
        let unix = Address::Unix("/tmp/plugin123".into());
        assert_eq!(
            handshake_line(&unix, Some(&[0xff, 0xee, 0xdd, 0xcc])),
            "1|6|unix|/tmp/plugin123|grpc|/+7dzA"
        );
        let tcp = Address::Tcp("127.0.0.1:10001".parse().unwrap());
        assert_eq!(handshake_line(&tcp, None), "1|6|tcp|127.0.0.1:10001|grpc|");
    }

    #[test]
    fn reattach_value_is_what_terraform_parses() {
        let value = reattach_value(&Address::Unix("/tmp/p".into()), 42);
        let parsed: serde_json::Value = serde_json::from_str(&value).unwrap();
        let entry = &parsed[PROVIDER_ADDRESS];
        assert_eq!(entry["Protocol"], "grpc");
        assert_eq!(entry["ProtocolVersion"], 6);
        assert_eq!(entry["Pid"], 42);
        assert_eq!(entry["Addr"]["Network"], "unix");
        assert_eq!(entry["Addr"]["String"], "/tmp/p");
    }
}
