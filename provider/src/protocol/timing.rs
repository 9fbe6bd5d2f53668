//! One debug line per RPC served, with how long the provider took to answer it: what a whole
//! `terraform` command spent inside the provider is the sum of these lines (the `terraform`
//! bench suite reads them from Terraform's log, `TF_LOG_PROVIDER=DEBUG`).
//!
//! The clock runs from the request reaching the gRPC service (headers in) to its response being
//! ready: decoding the request, the handler, building the answer. Encoding the response on the
//! wire and TLS are not counted. With logging below DEBUG nothing is timed or read.

use std::convert::Infallible;
use std::time::Instant;

use tonic::body::Body;
use tonic::codegen::{BoxFuture, Context, Poll, Service, http};
use tonic::server::NamedService;

/// The `target` of the timing lines, so that a reader (or a filter) finds them by name.
pub const TARGET: &str = "rpc";

/// A gRPC service whose every call is timed and logged at DEBUG.
#[derive(Clone, Debug)]
pub struct Timed<S>(pub S);

impl<S: NamedService> NamedService for Timed<S> {
    const NAME: &'static str = S::NAME;
}

impl<S> Service<http::Request<Body>> for Timed<S>
where
    S: Service<http::Request<Body>, Error = Infallible>,
    S::Future: Send + 'static,
    S::Response: Send + 'static,
{
    type Response = S::Response;
    type Error = Infallible;
    type Future = BoxFuture<S::Response, Infallible>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<Body>) -> Self::Future {
        if !tracing::enabled!(target: TARGET, tracing::Level::DEBUG) {
            return Box::pin(self.0.call(request));
        }
        let rpc = rpc_name(request.uri().path()).to_string();
        let started = Instant::now();
        let answer = self.0.call(request);
        Box::pin(async move {
            let response = answer.await;
            let duration_us = started.elapsed().as_micros() as u64;
            tracing::debug!(
                target: TARGET,
                rpc = rpc.as_str(),
                duration_us,
                pid = std::process::id(),
                peak_rss_kib = peak_rss_kib(),
                "rpc served"
            );
            response
        })
    }
}

/// `PlanResourceChange` of `/tfplugin6.Provider/PlanResourceChange`.
fn rpc_name(path: &str) -> &str {
    path.rsplit('/').find(|s| !s.is_empty()).unwrap_or(path)
}

/// The process's peak resident memory so far (Linux `VmHWM`), 0 where unknown. Read once per RPC
/// (a command makes a few dozen), so the last line of a process, its Shutdown, carries its peak.
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("VmHWM:"))
                .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rpc_is_the_last_segment_of_the_path() {
        assert_eq!(
            rpc_name("/tfplugin6.Provider/PlanResourceChange"),
            "PlanResourceChange"
        );
        assert_eq!(rpc_name("/plugin.GRPCController/Shutdown"), "Shutdown");
        assert_eq!(rpc_name("odd"), "odd");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn peak_rss_is_read_on_linux() {
        assert!(peak_rss_kib() > 0);
    }
}
