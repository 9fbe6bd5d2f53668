//! Running the provider process: listen, print the handshake line, serve the gRPC services over
//! mutual TLS until Terraform calls Shutdown.

use std::io::Write as _;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use plugin_proto::{health, plugin, tfplugin6};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio_rustls::TlsAcceptor;
use tonic::transport::server::Connected;

use super::handshake::{self, Address, Launch};
use super::resource::Provider;
use super::server::{
    ControllerService, HealthService, Lifecycle, MAX_MESSAGE_BYTES, ProviderService, StdioService,
};
use super::timing::Timed;
use super::tls::{self, ServerIdentity};

/// How the process serves: as Terraform's child (mutual TLS when Terraform asks for it), or by
/// hand in debug mode (plaintext, prints `TF_REATTACH_PROVIDERS`).
pub enum Mode {
    /// Started by Terraform, with what the handshake environment said.
    Managed(Launch),
    /// Started by hand with `--debug`.
    Debug,
}

/// One accepted connection, TLS or plaintext, behind one type so tonic sees a single stream.
pub struct Connection(Pin<Box<dyn Stream>>);

trait Stream: AsyncRead + AsyncWrite + Send {}
impl<T: AsyncRead + AsyncWrite + Send> Stream for T {}

impl Connected for Connection {
    type ConnectInfo = ();
    fn connect_info(&self) -> Self::ConnectInfo {}
}

impl AsyncRead for Connection {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        self.0.as_mut().poll_read(cx, buf)
    }
}

impl AsyncWrite for Connection {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        self.0.as_mut().poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        self.0.as_mut().poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        self.0.as_mut().poll_shutdown(cx)
    }
}

/// A bound listener of either kind.
enum Listener {
    #[cfg(unix)]
    Unix(tokio::net::UnixListener, std::path::PathBuf),
    #[cfg_attr(unix, allow(dead_code))]
    Tcp(tokio::net::TcpListener),
}

impl Listener {
    fn address(&self) -> std::io::Result<Address> {
        match self {
            #[cfg(unix)]
            Listener::Unix(_, path) => Ok(Address::Unix(path.clone())),
            Listener::Tcp(listener) => Ok(Address::Tcp(listener.local_addr()?)),
        }
    }

    async fn accept(&self) -> std::io::Result<Connection> {
        match self {
            #[cfg(unix)]
            Listener::Unix(listener, _) => {
                let (stream, _) = listener.accept().await?;
                Ok(Connection(Box::pin(stream)))
            }
            Listener::Tcp(listener) => {
                let (stream, _) = listener.accept().await?;
                stream.set_nodelay(true)?;
                Ok(Connection(Box::pin(stream)))
            }
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        #[cfg(unix)]
        if let Listener::Unix(_, path) = self {
            let _ = std::fs::remove_file(path);
        }
    }
}

#[cfg(unix)]
fn bind(socket_dir: &std::path::Path, _ports: (u16, u16)) -> std::io::Result<Listener> {
    std::fs::create_dir_all(socket_dir)?;
    let path = socket_dir.join(format!("plugin{}", fastrand::u64(..)));
    let listener = tokio::net::UnixListener::bind(&path)?;
    Ok(Listener::Unix(listener, path))
}

/// Windows has no Unix sockets in go-plugin: listen on loopback within the host's port range.
#[cfg(not(unix))]
fn bind(_socket_dir: &std::path::Path, ports: (u16, u16)) -> std::io::Result<Listener> {
    let mut last_error = None;
    for port in ports.0..=ports.1 {
        match std::net::TcpListener::bind(("127.0.0.1", port)) {
            Ok(listener) => {
                listener.set_nonblocking(true)?;
                return Ok(Listener::Tcp(tokio::net::TcpListener::from_std(listener)?));
            }
            Err(error) => last_error = Some(error),
        }
    }
    Err(last_error.unwrap_or_else(|| std::io::Error::other("empty port range")))
}

/// Serves until Shutdown (or, in debug mode, until SIGINT/SIGTERM). Returns an error message
/// for the caller to print before exiting with status 1.
pub async fn run<P: Provider>(provider: Arc<P>, mode: Mode) -> Result<(), String> {
    let lifecycle = Lifecycle::default();
    let (launch, debug) = match mode {
        Mode::Managed(launch) => (launch, false),
        Mode::Debug => (
            Launch {
                client_certificate_pem: None,
                socket_dir: std::env::temp_dir(),
                port_range: (10000, 25000),
            },
            true,
        ),
    };
    let acceptor = match &launch.client_certificate_pem {
        Some(pem) => {
            let client_certificate = tls::parse_client_certificate(pem).map_err(|e| e.0)?;
            let identity = ServerIdentity::generate().map_err(|e| e.0)?;
            let config = identity
                .server_config(client_certificate)
                .map_err(|e| e.0)?;
            Some((TlsAcceptor::from(Arc::new(config)), identity.certificate))
        }
        None => None,
    };
    let listener = bind(&launch.socket_dir, launch.port_range).map_err(|e| {
        format!(
            "cannot listen in {}: {e}; set PLUGIN_UNIX_SOCKET_DIR to a writable directory",
            launch.socket_dir.display()
        )
    })?;
    let address = listener
        .address()
        .map_err(|e| format!("cannot read the listener address: {e}"))?;

    ignore_interrupts(debug, lifecycle.clone());

    let (sender, receiver) = tokio::sync::mpsc::channel::<std::io::Result<Connection>>(16);
    let tls = acceptor.as_ref().map(|(acceptor, _)| acceptor.clone());
    let accept_shutdown = lifecycle.shutdown.clone();
    tokio::spawn(async move {
        loop {
            let connection = tokio::select! {
                _ = accept_shutdown.cancelled() => break,
                connection = listener.accept() => connection,
            };
            let connection = match connection {
                Ok(connection) => connection,
                Err(error) => {
                    tracing::warn!(%error, "accept failed");
                    continue;
                }
            };
            let Some(tls) = tls.clone() else {
                if sender.send(Ok(connection)).await.is_err() {
                    break;
                }
                continue;
            };
            // Handshakes run apart from the accept loop: a peer that stalls or presents the
            // wrong certificate must not block Terraform's own connection.
            let sender = sender.clone();
            tokio::spawn(async move {
                match tls.accept(connection).await {
                    Ok(stream) => {
                        let _ = sender.send(Ok(Connection(Box::pin(stream)))).await;
                    }
                    Err(error) => {
                        tracing::warn!(%error, "refused a connection that failed mutual TLS")
                    }
                }
            });
        }
        drop(listener);
    });

    let lifecycle_for_server = lifecycle.clone();
    let server = tonic::transport::Server::builder()
        .add_service(Timed(
            tfplugin6::provider_server::ProviderServer::new(ProviderService::new(
                provider,
                lifecycle.clone(),
            ))
            .max_decoding_message_size(MAX_MESSAGE_BYTES)
            .max_encoding_message_size(MAX_MESSAGE_BYTES),
        ))
        .add_service(Timed(
            plugin::grpc_controller_server::GrpcControllerServer::new(ControllerService::new(
                lifecycle.clone(),
            )),
        ))
        .add_service(plugin::grpc_stdio_server::GrpcStdioServer::new(
            StdioService::new(lifecycle.clone()),
        ))
        .add_service(health::health_server::HealthServer::new(HealthService))
        .serve_with_incoming_shutdown(
            tokio_stream::wrappers::ReceiverStream::new(receiver),
            async move { lifecycle_for_server.shutdown.cancelled().await },
        );

    // The handshake line goes out only once the listener exists, and it is the first thing on
    // stdout: Terraform parses the first line it reads.
    let certificate = acceptor
        .as_ref()
        .map(|(_, certificate)| certificate.as_ref());
    let mut stdout = std::io::stdout().lock();
    if debug {
        let value = handshake::reattach_value(&address, std::process::id());
        let _ = writeln!(
            stdout,
            "Provider started. To attach Terraform CLI, set the TF_REATTACH_PROVIDERS \
             environment variable with the following:\n\n\tTF_REATTACH_PROVIDERS='{value}'\n"
        );
    } else {
        let _ = writeln!(
            stdout,
            "{}",
            handshake::handshake_line(&address, certificate)
        );
    }
    let _ = stdout.flush();
    drop(stdout);
    tracing::info!(address = ?address, tls = acceptor.is_some(), "provider serving");

    // Graceful shutdown waits for open connections; Terraform kills the process 2 s after
    // Shutdown, so never linger longer than a moment.
    let deadline = lifecycle.shutdown.clone();
    tokio::select! {
        result = server => result.map_err(|e| format!("gRPC server failed: {e}")),
        _ = async move {
            deadline.cancelled().await;
            tokio::time::sleep(Duration::from_millis(500)).await;
        } => Ok(()),
    }
}

/// Terraform shares its process group with the provider, so a terminal Ctrl-C reaches the
/// provider too; Terraform handles it through StopProvider, so the signal itself is ignored.
/// In debug mode the provider runs in its own terminal and Ctrl-C ends it.
fn ignore_interrupts(debug: bool, lifecycle: Lifecycle) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let Ok(mut interrupts) = signal(SignalKind::interrupt()) else {
            return;
        };
        tokio::spawn(async move {
            while interrupts.recv().await.is_some() {
                if debug {
                    lifecycle.stop.cancel();
                    lifecycle.shutdown.cancel();
                    return;
                }
                tracing::debug!("SIGINT ignored: Terraform stops operations with StopProvider");
            }
        });
    }
    #[cfg(not(unix))]
    {
        let _ = (debug, lifecycle);
    }
}
