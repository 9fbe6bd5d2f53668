//! Launching the real provider binary the way Terraform does: go-plugin's environment, a fresh
//! P-521 `CA:TRUE` client certificate, the handshake line on stdout, mutual TLS pinned both ways
//! with ALPN `h2`, and Shutdown with a 2-second deadline before SIGKILL.

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use hyper_util::rt::TokioIo;
use plugin_proto::health::health_client::HealthClient;
use plugin_proto::plugin::grpc_controller_client::GrpcControllerClient;
use plugin_proto::tfplugin6::provider_client::ProviderClient;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use tonic::transport::{Channel, Endpoint, Uri};

/// go-plugin's magic cookie, as Terraform sets it.
pub const MAGIC_COOKIE: (&str, &str) = (
    "TF_PLUGIN_MAGIC_COOKIE",
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2",
);

/// Terraform's gRPC message limit, both ways.
const MAX_MESSAGE_BYTES: usize = 256 * 1024 * 1024;

pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// The provider binary built by `cargo build -p terraform-provider-migration` (which `make test`
/// runs first): next to the test executable's `deps/` directory, or `MIGRATION_PROVIDER_BIN`.
pub fn provider_binary() -> PathBuf {
    if let Ok(path) = std::env::var("MIGRATION_PROVIDER_BIN") {
        return PathBuf::from(path);
    }
    let exe = std::env::current_exe().expect("test executable path");
    let mut dir = exe.parent().expect("deps directory").to_path_buf();
    if dir.ends_with("deps") {
        dir.pop();
    }
    let binary = dir.join(format!(
        "terraform-provider-migration{}",
        std::env::consts::EXE_SUFFIX
    ));
    assert!(
        binary.exists(),
        "{} is missing: run `make build` first (make test does)",
        binary.display()
    );
    // `cargo test -p migration-tests` does not rebuild the provider's binary; testing a stale
    // one would report results for code that is no longer there.
    let built = std::fs::metadata(&binary).and_then(|m| m.modified()).ok();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let newest_source = newest_modification(&root.join("provider/src"))
        .into_iter()
        .chain(newest_modification(&root.join("proto/proto")))
        .max();
    if let (Some(built), Some(source)) = (built, newest_source) {
        assert!(
            source <= built,
            "{} is older than the provider's sources: run `make build` (or `cargo test --workspace`) first",
            binary.display()
        );
    }
    binary
}

fn newest_modification(dir: &std::path::Path) -> Option<std::time::SystemTime> {
    let mut newest = None;
    for entry in std::fs::read_dir(dir).ok()?.flatten() {
        let path = entry.path();
        let time = if path.is_dir() {
            newest_modification(&path)
        } else {
            entry.metadata().and_then(|m| m.modified()).ok()
        };
        newest = newest.max(time);
    }
    newest
}

/// A client identity shaped like the one Terraform generates for every provider process.
pub struct ClientIdentity {
    pub certificate: CertificateDer<'static>,
    pub certificate_pem: String,
    key: PrivatePkcs8KeyDer<'static>,
}

impl ClientIdentity {
    /// ECDSA P-521, self-signed, CA:TRUE, SAN localhost, client+server auth: go-plugin's
    /// `generateCert`, written here independently of the provider's own TLS code.
    pub fn terraform_like() -> Self {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P521_SHA512).expect("P-521 key");
        let mut params = rcgen::CertificateParams::new(vec!["localhost".to_string()]).unwrap();
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "localhost");
        params
            .distinguished_name
            .push(rcgen::DnType::OrganizationName, "HashiCorp");
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params.key_usages = vec![
            rcgen::KeyUsagePurpose::DigitalSignature,
            rcgen::KeyUsagePurpose::KeyEncipherment,
            rcgen::KeyUsagePurpose::KeyCertSign,
        ];
        params.extended_key_usages = vec![
            rcgen::ExtendedKeyUsagePurpose::ClientAuth,
            rcgen::ExtendedKeyUsagePurpose::ServerAuth,
        ];
        let certificate = params.self_signed(&key).expect("self-signed certificate");
        Self {
            certificate_pem: certificate.pem(),
            certificate: certificate.der().clone(),
            key: PrivatePkcs8KeyDer::from(key.serialize_der()),
        }
    }
}

/// How to start the provider; the defaults are exactly Terraform's.
#[derive(Clone)]
pub struct LaunchOptions {
    /// Extra environment (AWS settings, TF_LOG...). The process otherwise gets a clean
    /// environment, so the host's credentials and config never leak into a test.
    pub env: Vec<(String, String)>,
    pub protocol_versions: String,
    pub with_magic_cookie: bool,
    /// Present the certificate and require TLS (Terraform's default).
    pub tls: bool,
    pub args: Vec<String>,
}

impl Default for LaunchOptions {
    fn default() -> Self {
        Self {
            env: Vec::new(),
            // Terraform lists its versions in a random order.
            protocol_versions: if fastrand_bool() { "5,6" } else { "6,5" }.to_string(),
            with_magic_cookie: true,
            tls: true,
            args: Vec::new(),
        }
    }
}

fn fastrand_bool() -> bool {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos() % 2 == 0)
        .unwrap_or(true)
}

/// The handshake line, parsed and checked field by field.
#[derive(Debug, Clone)]
pub struct Handshake {
    pub network: String,
    pub address: String,
    pub server_certificate: Option<CertificateDer<'static>>,
}

pub fn parse_handshake(line: &str) -> Result<Handshake, Error> {
    parse_handshake_of(line, Some("6")).map(|(_, handshake)| handshake)
}

/// Parses a handshake line of any plugin protocol version (or only `expected`), returning the
/// version beside the address: the benchmark starts a protocol 5 provider for comparison.
pub fn parse_handshake_of(
    line: &str,
    expected: Option<&str>,
) -> Result<(String, Handshake), Error> {
    let fields: Vec<&str> = line.trim_end().split('|').collect();
    if fields.len() != 6 {
        return Err(format!(
            "Unrecognized remote plugin message: {line:?} (expected 6 fields separated by |; \
             was something printed to stdout before the handshake?)"
        )
        .into());
    }
    if fields[0] != "1" {
        return Err(format!("unsupported go-plugin core protocol {:?}", fields[0]).into());
    }
    if let Some(expected) = expected
        && fields[1] != expected
    {
        return Err(format!(
            "Incompatible API version with plugin. Plugin version: {}, Core version: {expected}",
            fields[1]
        )
        .into());
    }
    if fields[2] != "unix" && fields[2] != "tcp" {
        return Err(format!("unknown network type {:?}", fields[2]).into());
    }
    if fields[4] != "grpc" {
        return Err(format!("unsupported plugin protocol {:?}", fields[4]).into());
    }
    let server_certificate = if fields[5].is_empty() {
        None
    } else {
        // Go decodes with base64.RawStdEncoding: standard alphabet, no padding.
        let der = base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(fields[5])
            .map_err(|e| format!("server certificate is not unpadded standard base64: {e}"))?;
        Some(CertificateDer::from(der))
    };
    Ok((
        fields[1].to_string(),
        Handshake {
            network: fields[2].to_string(),
            address: fields[3].to_string(),
            server_certificate,
        },
    ))
}

/// The command Terraform runs for a plugin: a clean environment with go-plugin's variables
/// and the client certificate (or `TF_DISABLE_PLUGIN_TLS`), stdout and stderr piped.
fn terraform_command(
    binary: &std::path::Path,
    options: &LaunchOptions,
    identity: &ClientIdentity,
) -> Command {
    let mut command = Command::new(binary);
    command
        .args(&options.args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", scratch_home())
        .env("PLUGIN_PROTOCOL_VERSIONS", &options.protocol_versions)
        .env("PLUGIN_MIN_PORT", "10000")
        .env("PLUGIN_MAX_PORT", "25000")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    if options.with_magic_cookie {
        command.env(MAGIC_COOKIE.0, MAGIC_COOKIE.1);
    }
    if options.tls {
        command.env("PLUGIN_CLIENT_CERT", &identity.certificate_pem);
    } else {
        command.env("TF_DISABLE_PLUGIN_TLS", "1");
    }
    for (key, value) in &options.env {
        command.env(key, value);
    }
    command
}

/// One plugin start as Terraform's client lives it, split where the waiting changes hands.
#[derive(Debug, Clone)]
pub struct StartTiming {
    /// The plugin protocol version the handshake line named.
    pub protocol: String,
    /// Spawn to the handshake line read: the plugin's own start-up.
    pub handshake: Duration,
    /// The line read to the first answered RPC (Health check): socket, mutual TLS, HTTP/2.
    pub connect: Duration,
    /// VmHWM once that RPC was answered (Linux).
    pub peak_rss_kib: Option<u64>,
}

/// Starts any go-plugin provider binary the way Terraform does and times it, so ours and
/// another provider are measured by the same code in the same run. The client certificate is
/// made before the clock starts: Terraform makes it before it spawns the plugin too. The
/// process is killed afterwards; only the start is measured.
pub async fn time_start(
    binary: &std::path::Path,
    identity: &ClientIdentity,
) -> Result<StartTiming, Error> {
    let mut command = terraform_command(binary, &LaunchOptions::default(), identity);
    command.stderr(Stdio::null());
    let started = std::time::Instant::now();
    let mut child = command.spawn()?;
    let stdout = child.stdout.take().expect("stdout piped");
    let mut lines = BufReader::new(stdout).lines();
    let line = tokio::time::timeout(Duration::from_secs(60), lines.next_line())
        .await
        .map_err(|_| format!("{}: no handshake line within 60 s", binary.display()))??
        .ok_or_else(|| format!("{}: exited before its handshake line", binary.display()))?;
    let handshake_read = started.elapsed();
    let (protocol, handshake) = parse_handshake_of(&line, None)?;
    let channel = connect(&handshake, Some(identity)).await?;
    HealthClient::new(channel)
        .check(plugin_proto::health::HealthCheckRequest {
            service: "plugin".into(),
        })
        .await?;
    let answered = started.elapsed();
    let peak_rss_kib = child.id().and_then(peak_rss_of);
    let _ = child.kill().await;
    // A killed plugin leaves its socket behind.
    if handshake.network == "unix" {
        let _ = std::fs::remove_file(&handshake.address);
    }
    Ok(StartTiming {
        protocol,
        handshake: handshake_read,
        connect: answered - handshake_read,
        peak_rss_kib,
    })
}

/// Peak resident memory of a process (Linux: VmHWM), in KiB.
pub(crate) fn peak_rss_of(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}

/// A running provider process and Terraform's clients to it.
pub struct ProviderProcess {
    child: Child,
    pub handshake: Handshake,
    pub provider: ProviderClient<Channel>,
    pub controller: GrpcControllerClient<Channel>,
    pub health: HealthClient<Channel>,
    identity: Arc<ClientIdentity>,
    stderr: Arc<Mutex<Vec<String>>>,
    stdout_after_handshake: Arc<Mutex<Vec<String>>>,
    shut_down: bool,
}

impl ProviderProcess {
    pub async fn launch(options: LaunchOptions) -> Result<Self, Error> {
        let identity = Arc::new(ClientIdentity::terraform_like());
        let mut command = terraform_command(&provider_binary(), &options, &identity);
        let mut child = command.spawn()?;

        let stderr = Arc::new(Mutex::new(Vec::new()));
        let stderr_pipe = child.stderr.take().expect("stderr piped");
        let sink = stderr.clone();
        tokio::spawn(async move {
            let mut lines = BufReader::new(stderr_pipe).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                if std::env::var_os("HARNESS_SHOW_PROVIDER_STDERR").is_some() {
                    eprintln!("[provider] {line}");
                }
                sink.lock().unwrap().push(line);
            }
        });

        let stdout_pipe = child.stdout.take().expect("stdout piped");
        let mut stdout_lines = BufReader::new(stdout_pipe).lines();
        // Terraform waits 60 s for the handshake line.
        let first = tokio::time::timeout(Duration::from_secs(60), stdout_lines.next_line()).await;
        let line = match first {
            Ok(Ok(Some(line))) => line,
            Ok(Ok(None)) | Ok(Err(_)) => {
                let status = child.wait().await?;
                tokio::time::sleep(Duration::from_millis(50)).await;
                let stderr = stderr.lock().unwrap().join("\n");
                return Err(format!(
                    "plugin exited before completing handshake ({status}); stderr:\n{stderr}"
                )
                .into());
            }
            Err(_) => return Err("timeout while waiting for plugin to start".into()),
        };
        let handshake = parse_handshake(&line)?;
        let stdout_after_handshake = Arc::new(Mutex::new(Vec::new()));
        let sink = stdout_after_handshake.clone();
        tokio::spawn(async move {
            while let Ok(Some(line)) = stdout_lines.next_line().await {
                sink.lock().unwrap().push(line);
            }
        });

        let channel = connect(&handshake, Some(&identity)).await?;
        Ok(Self {
            child,
            provider: ProviderClient::new(channel.clone())
                .max_decoding_message_size(MAX_MESSAGE_BYTES)
                .max_encoding_message_size(MAX_MESSAGE_BYTES),
            controller: GrpcControllerClient::new(channel.clone()),
            health: HealthClient::new(channel),
            handshake,
            identity,
            stderr,
            stdout_after_handshake,
            shut_down: false,
        })
    }

    /// Connects again with another identity (or none): the provider must refuse any client
    /// but Terraform's.
    pub async fn connect_as(&self, identity: Option<&ClientIdentity>) -> Result<Channel, Error> {
        connect(&self.handshake, identity).await
    }

    pub fn identity(&self) -> &ClientIdentity {
        &self.identity
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    /// Every stderr line so far.
    pub fn stderr(&self) -> Vec<String> {
        self.stderr.lock().unwrap().clone()
    }

    pub fn stdout_after_handshake(&self) -> Vec<String> {
        self.stdout_after_handshake.lock().unwrap().clone()
    }

    /// Sends a signal to the process (e.g. SIGINT, which a provider must survive).
    #[cfg(unix)]
    pub fn signal(&self, signal: i32) -> Result<(), Error> {
        let pid = self.child.id().ok_or("process already exited")?;
        let status = std::process::Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(pid.to_string())
            .status()?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("kill -{signal} {pid} failed").into())
        }
    }

    /// Peak resident memory of the provider process so far (Linux: VmHWM), in KiB.
    pub fn peak_rss_kib(&self) -> Option<u64> {
        peak_rss_of(self.child.id()?)
    }

    pub fn try_exit_status(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// Terraform's close: Shutdown, then 2 s for the process to exit before SIGKILL. A provider
    /// that needs the kill fails the test.
    pub async fn shutdown(mut self) -> Result<std::process::ExitStatus, Error> {
        self.shut_down = true;
        let _ = tokio::time::timeout(
            Duration::from_secs(2),
            self.controller.shutdown(plugin_proto::plugin::Empty {}),
        )
        .await;
        match tokio::time::timeout(Duration::from_secs(2), self.child.wait()).await {
            Ok(status) => {
                let status = status?;
                let panics: Vec<String> = self
                    .stderr()
                    .into_iter()
                    .filter(|l| l.starts_with("panic: "))
                    .collect();
                if !panics.is_empty() {
                    return Err(format!("provider crashed: {panics:?}").into());
                }
                Ok(status)
            }
            Err(_) => {
                let _ = self.child.kill().await;
                Err("provider did not exit within 2 s of Shutdown and was killed".into())
            }
        }
    }
}

impl Drop for ProviderProcess {
    fn drop(&mut self) {
        if !self.shut_down {
            let _ = self.child.start_kill();
        }
    }
}

/// A HOME without any AWS configuration, so tests are hermetic.
fn scratch_home() -> PathBuf {
    let dir = std::env::temp_dir().join("migration-harness-home");
    let _ = std::fs::create_dir_all(&dir);
    dir
}

/// Opens a gRPC channel the way go-plugin's client does: TLS pinned to the handshake
/// certificate (checked for SAN localhost), client certificate, ALPN h2.
pub async fn connect(
    handshake: &Handshake,
    identity: Option<&ClientIdentity>,
) -> Result<Channel, Error> {
    let tls = match &handshake.server_certificate {
        Some(server) => {
            let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
            let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
                .with_safe_default_protocol_versions()?
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(PinnedServer {
                    expected: server.clone(),
                    provider,
                }));
            let mut config = match identity {
                Some(identity) => builder.with_client_auth_cert(
                    vec![identity.certificate.clone()],
                    PrivateKeyDer::Pkcs8(identity.key.clone_key()),
                )?,
                None => builder.with_no_client_auth(),
            };
            config.alpn_protocols = vec![b"h2".to_vec()];
            Some(tokio_rustls::TlsConnector::from(Arc::new(config)))
        }
        None => None,
    };
    let network = handshake.network.clone();
    let address = handshake.address.clone();
    let connector = tower::service_fn(move |_: Uri| {
        let network = network.clone();
        let address = address.clone();
        let tls = tls.clone();
        async move {
            let stream: Box<dyn Io> = match network.as_str() {
                #[cfg(unix)]
                "unix" => Box::new(tokio::net::UnixStream::connect(&address).await?),
                _ => Box::new(tokio::net::TcpStream::connect(&address).await?),
            };
            let stream: Box<dyn Io> = match tls {
                Some(tls) => {
                    let name = ServerName::try_from("localhost").expect("valid name");
                    let stream = tls.connect(name, stream).await?;
                    if stream.get_ref().1.alpn_protocol() != Some(b"h2") {
                        return Err(std::io::Error::other(
                            "server did not negotiate ALPN h2 (grpc-go refuses such servers)",
                        ));
                    }
                    Box::new(stream)
                }
                None => stream,
            };
            Ok::<_, std::io::Error>(TokioIo::new(stream))
        }
    });
    let channel = Endpoint::try_from("http://localhost")?
        .connect_timeout(Duration::from_secs(10))
        .connect_with_connector(connector)
        .await?;
    Ok(channel)
}

trait Io: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin {}
impl<T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin> Io for T {}

/// Go's client puts the handshake certificate alone in its root pool and verifies the server
/// name `localhost`; pinning the exact DER plus the name check is the same decision.
#[derive(Debug)]
struct PinnedServer {
    expected: CertificateDer<'static>,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for PinnedServer {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if end_entity.as_ref() != self.expected.as_ref() {
            return Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::UnknownIssuer,
            ));
        }
        let parsed = rustls::server::ParsedCertificate::try_from(end_entity)?;
        rustls::client::verify_server_name(&parsed, server_name)?;
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}
