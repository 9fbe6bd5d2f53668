//! Suite 1, the provider process: spawn to handshake line, GetProviderSchema latency, peak RSS
//! (start + schema, a real no-op plan and the create of a 20-VPC hub), binary and zip size.
//! Terraform starts one provider process per command phase and per aliased configuration, so
//! start-up cost and memory are paid many times per run.

use std::path::Path;
use std::time::Instant;

use plugin_proto::tfplugin6;
use serde_json::json;

use super::fixture::{HubWorld, unpaced};
use super::{Table, median};
use crate::process::{Error, LaunchOptions, ProviderProcess, provider_binary};

/// The hub whose plan and apply memory is measured.
pub const PLAN_VPCS: usize = 20;

pub async fn run(samples: usize) -> Result<Table, Error> {
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
    let (plan, apply, routes) = hub_memory().await?;
    table.row(vec![
        format!("peak RSS, no-op plan of a {PLAN_VPCS}-VPC hub ({routes} routes)"),
        format!("{:.1}", plan as f64 / 1024.0),
        "MiB".into(),
        "100–220 MB per process".into(),
    ]);
    table.row(vec![
        format!("peak RSS, apply creating that hub"),
        format!("{:.1}", apply as f64 / 1024.0),
        "MiB".into(),
        "100–220 MB per process".into(),
    ]);
    let binary = provider_binary();
    let size = std::fs::metadata(&binary)?.len();
    table.row(vec![
        "binary size (static, stripped)".into(),
        format!("{:.1}", size as f64 / 1_048_576.0),
        "MiB".into(),
        "~830 MB unzipped".into(),
    ]);
    let zip = zip_size(&binary)?;
    table.row(vec![
        "release zip size (scripts/package_release.py)".into(),
        format!("{:.1}", zip as f64 / 1_048_576.0),
        "MiB".into(),
        "~180 MB zipped".into(),
    ]);
    Ok(table)
}

/// Peak RSS (KiB) of the plan process of a no-op plan and of the apply process that created
/// the hub, read by the harness right before each process's Shutdown.
async fn hub_memory() -> Result<(u64, u64, usize), Error> {
    let mut world = HubWorld::seed(PLAN_VPCS, &unpaced(), json!({})).await?;
    world.apply().await?;
    let apply = world
        .tf
        .processes
        .iter()
        .rev()
        .find(|p| p.phase == "apply")
        .and_then(|p| p.peak_rss_kib)
        .ok_or("no peak RSS for the apply process (is /proc available?)")?;
    world.no_op_plan().await?;
    let plan = world
        .tf
        .processes
        .last()
        .filter(|p| p.phase == "plan")
        .and_then(|p| p.peak_rss_kib)
        .ok_or("no peak RSS for the plan process (is /proc available?)")?;
    let (vpc_routes, hub_routes) = world.route_counts();
    Ok((plan, apply, vpc_routes + hub_routes))
}

/// Packages the binary as the release does and returns the zip's size in bytes.
fn zip_size(binary: &Path) -> Result<u64, Error> {
    let root = crate::docs::repository_root();
    let out = super::output_dir().join("release");
    let _ = std::fs::remove_dir_all(&out);
    let platform = format!(
        "{}_{}",
        std::env::consts::OS,
        match std::env::consts::ARCH {
            "x86_64" => "amd64",
            "aarch64" => "arm64",
            other => other,
        }
    );
    let version = env!("CARGO_PKG_VERSION");
    let status = std::process::Command::new("python3")
        .arg(root.join("scripts/package_release.py"))
        .args(["--version", version, "--out"])
        .arg(&out)
        .arg("--binary")
        .arg(format!("{platform}={}", binary.display()))
        .stdout(std::process::Stdio::null())
        .status()?;
    if !status.success() {
        return Err(format!("scripts/package_release.py failed: {status}").into());
    }
    let zip = out.join(format!(
        "terraform-provider-migration_{version}_{platform}.zip"
    ));
    Ok(std::fs::metadata(&zip)
        .map_err(|e| format!("{}: {e}", zip.display()))?
        .len())
}
