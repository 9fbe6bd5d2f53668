//! Suite 1, the provider process: spawn to handshake line, GetProviderSchema latency, peak RSS,
//! binary and zip size. Terraform starts one provider process per command phase and per aliased
//! configuration, so start-up cost is paid many times per run.

use std::time::Instant;

use plugin_proto::tfplugin6;

use super::{Table, median};
use crate::process::{LaunchOptions, ProviderProcess, provider_binary};

pub async fn run(samples: usize) -> Result<Table, crate::process::Error> {
    let mut table = Table::new(
        "process",
        &["measurement", "value", "unit", "reference (hashicorp/aws)"],
    );
    let mut handshakes = Vec::new();
    let mut schemas = Vec::new();
    let mut peak = 0u64;
    for _ in 0..samples {
        let started = Instant::now();
        let mut process = ProviderProcess::launch(LaunchOptions::default()).await?;
        handshakes.push(started.elapsed().as_secs_f64() * 1000.0);
        let asked = Instant::now();
        process
            .provider
            .get_provider_schema(tfplugin6::get_provider_schema::Request {})
            .await?;
        schemas.push(asked.elapsed().as_secs_f64() * 1000.0);
        peak = peak.max(process.peak_rss_kib().unwrap_or(0));
        process.shutdown().await?;
    }
    table.row(vec![
        "spawn to handshake line + TLS connect (median)".into(),
        format!("{:.1}", median(handshakes)),
        "ms".into(),
        "".into(),
    ]);
    table.row(vec![
        "GetProviderSchema (median)".into(),
        format!("{:.2}", median(schemas)),
        "ms".into(),
        "".into(),
    ]);
    table.row(vec![
        "peak RSS, start + schema".into(),
        format!("{:.1}", peak as f64 / 1024.0),
        "MiB".into(),
        "100–220 MB per process".into(),
    ]);
    let binary = provider_binary();
    let size = std::fs::metadata(&binary)?.len();
    table.row(vec![
        format!("binary size ({})", binary.display()),
        format!("{:.1}", size as f64 / 1_048_576.0),
        "MiB".into(),
        "~830 MB unzipped".into(),
    ]);
    Ok(table)
}
