//! The local AWS: moto in server mode plus the project's extension (`tests/emulator/`), started
//! by the test that needs it on 127.0.0.1 and stopped when the test drops it. Its admin API sets
//! delays, faults and throttling, and reports every AWS call and every live object.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use serde_json::Value as Json;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::process::Error;

/// The AWS Region every emulated test uses.
pub const REGION: &str = "eu-west-1";

/// One recorded AWS call.
#[derive(Clone, Debug, serde::Deserialize)]
pub struct Call {
    pub seq: u64,
    pub service: String,
    pub action: String,
    pub account: String,
    #[serde(default)]
    pub params: Json,
    pub start: f64,
    /// When the answer went out; `f64::INFINITY` while the call is still being answered (the
    /// emulator records a call when it arrives, with `"end": null`).
    #[serde(deserialize_with = "end_or_in_flight")]
    pub end: f64,
    /// The HTTP status answered; 0 while the call is in flight (`"status": null`) and for a
    /// dropped connection.
    #[serde(deserialize_with = "status_or_in_flight")]
    pub status: u16,
    pub error: Option<String>,
}

fn end_or_in_flight<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
    use serde::Deserialize;
    Ok(Option::<f64>::deserialize(deserializer)?.unwrap_or(f64::INFINITY))
}

fn status_or_in_flight<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<u16, D::Error> {
    use serde::Deserialize;
    Ok(Option::<u16>::deserialize(deserializer)?.unwrap_or(0))
}

pub struct Emulator {
    child: Child,
    pub url: String,
    authority: String,
}

fn emulator_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("emulator")
}

impl Emulator {
    /// Starts a fresh emulator (about 1.5 s). Its stdin is a pipe held by this object, so the
    /// server exits even if the test process dies.
    pub async fn start() -> Result<Self, Error> {
        let run = emulator_dir().join("run");
        let mut child = Command::new(&run)
            .args(["--port", "0"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(if std::env::var_os("HARNESS_SHOW_EMULATOR_LOG").is_some() {
                Stdio::inherit()
            } else {
                Stdio::null()
            })
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| {
                format!(
                    "cannot start {}: {e} (run `make emulator-venv`)",
                    run.display()
                )
            })?;
        let stdout = child.stdout.take().expect("piped stdout");
        let mut lines = BufReader::new(stdout).lines();
        let line = tokio::time::timeout(Duration::from_secs(60), lines.next_line())
            .await
            .map_err(|_| "the emulator did not print its URL within 60 s")??
            .ok_or("the emulator exited before printing its URL (is the venv installed? `make emulator-venv`)")?;
        let url = line.trim().to_string();
        let authority = url.trim_start_matches("http://").to_string();
        Ok(Self {
            child,
            url,
            authority,
        })
    }

    async fn request(&self, method: &str, path: &str, body: Option<Json>) -> Result<Json, Error> {
        let stream = tokio::net::TcpStream::connect(&self.authority).await?;
        let (mut sender, connection) =
            hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream)).await?;
        tokio::spawn(connection);
        let bytes = body.map(|b| b.to_string()).unwrap_or_default();
        let request = hyper::Request::builder()
            .method(method)
            .uri(path)
            .header("host", &self.authority)
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(bytes)))?;
        let response = sender.send_request(request).await?;
        let status = response.status();
        let body = response.into_body().collect().await?.to_bytes();
        if !status.is_success() {
            return Err(format!(
                "emulator admin {method} {path}: {status}: {}",
                String::from_utf8_lossy(&body)
            )
            .into());
        }
        Ok(serde_json::from_slice(&body)?)
    }

    /// Merges `config` (delays, latency_ms, throttle, faults, concurrent_mutation_limit) into
    /// the emulator's settings.
    pub async fn configure(&self, config: Json) -> Result<Json, Error> {
        self.request("POST", "/_emulator/config", Some(config))
            .await
    }

    pub async fn reset(&self) -> Result<(), Error> {
        self.request("POST", "/_emulator/reset", None)
            .await
            .map(|_| ())
    }

    pub async fn calls(&self, account: &str) -> Result<Vec<Call>, Error> {
        let json = self
            .request("GET", &format!("/_emulator/calls?account={account}"), None)
            .await?;
        Ok(serde_json::from_value(json["calls"].clone())?)
    }

    /// Every recorded call, of every account (a world of several accounts splits them by
    /// [`Call::account`]).
    pub async fn all_calls(&self) -> Result<Vec<Call>, Error> {
        let json = self.request("GET", "/_emulator/calls", None).await?;
        Ok(serde_json::from_value(json["calls"].clone())?)
    }

    pub async fn clear_calls(&self) -> Result<(), Error> {
        self.request("DELETE", "/_emulator/calls", None)
            .await
            .map(|_| ())
    }

    /// Every live object of `account`, per kind.
    pub async fn inventory(&self, account: &str) -> Result<Json, Error> {
        let json = self
            .request(
                "GET",
                &format!("/_emulator/inventory?account={account}&region={REGION}"),
                None,
            )
            .await?;
        Ok(json["objects"].clone())
    }

    /// Environment for a provider process acting as `account` (moto maps a 12-digit access key
    /// to that account).
    pub fn provider_env(&self, account: &str) -> Vec<(String, String)> {
        vec![
            ("AWS_ACCESS_KEY_ID".into(), account.into()),
            ("AWS_SECRET_ACCESS_KEY".into(), "emulator-secret".into()),
            ("AWS_REGION".into(), REGION.into()),
        ]
    }

    /// A `provider "migration"` block pointing every service at this emulator.
    pub fn provider_block(&self, extra: &str) -> String {
        format!(
            r#"provider "migration" {{
  region = "{REGION}"
  endpoints {{
    ec2                  = "{url}"
    ram                  = "{url}"
    directory            = "{url}"
    directoryservicedata = "{url}"
    directconnect        = "{url}"
    mgn                  = "{url}"
    sts                  = "{url}"
  }}
{extra}
}}
"#,
            url = self.url
        )
    }

    /// The provider's own AWS clients, as the provider would build them for `account`.
    pub async fn clients(
        &self,
        account: &str,
    ) -> Result<terraform_provider_migration::config::clients::AwsClients, Error> {
        use terraform_provider_migration::config::settings::{Settings, StaticCredentials};
        let mut settings = Settings {
            region: Some(REGION.into()),
            static_credentials: Some(StaticCredentials {
                access_key: account.into(),
                secret_key: "emulator-secret".into(),
                token: None,
            }),
            ..Default::default()
        };
        for service in terraform_provider_migration::config::schema::ENDPOINT_SERVICES {
            settings
                .endpoints
                .insert(service.to_string(), self.url.clone());
        }
        terraform_provider_migration::config::clients::build(&settings)
            .await
            .map_err(|e| e.0.into())
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}
