//! `make bench`: runs the benchmark suites against the release provider binary and the local
//! AWS emulator. Usage:
//! `bench [process|refresh|spokes|rate_limits|netplan|latency|reachability|terraform|all]...`.
//! `terraform` runs hubs of 5, 20, 50 and 100 VPCs unless `BENCH_TERRAFORM_VPCS` lists others.

use std::time::Instant;

use harness::bench::{
    Table, latency, netplan, process, rate_limits, reachability, refresh, spokes, terraform,
};
use harness::process::Error;

/// VPCs of the mesh created at AWS's default rate (suite 3): 20 VPCs are 400 VPC routes, about
/// 80 s at 5 mutations per second.
const RATE_LIMITED_VPCS: usize = 20;
/// 20 groups × 10 networks: Client VPN's quota of 200 rules per endpoint.
const RULE_GROUPS: usize = 20;
const RULE_NETWORKS: usize = 10;
/// VPCs of the hub created with 50 ms per call (suite 5).
const LATENCY_VPCS: usize = 10;

fn save(table: &Table) {
    match table.save() {
        Ok(path) => println!("(saved {})", path.display()),
        Err(error) => eprintln!("cannot save {}: {error}", table.name()),
    }
}

async fn suite(name: &str, wanted: bool) -> Result<(), Error> {
    if !wanted {
        return Ok(());
    }
    let started = Instant::now();
    let table = match name {
        "process" => process::run(20).await?,
        "refresh" => refresh::run(&refresh::SIZES).await?.0,
        "spokes" => spokes::run(&spokes::SIZES).await?,
        "rate_limits" => rate_limits::run(RATE_LIMITED_VPCS, RULE_GROUPS, RULE_NETWORKS).await?,
        "netplan" => netplan::run(),
        "latency" => latency::run(LATENCY_VPCS).await?,
        "reachability" => reachability::run(),
        "terraform" => terraform::run(&terraform::sizes()?).await?,
        other => return Err(format!("unknown suite {other:?}").into()),
    };
    save(&table);
    println!("({name}: {:.0} s)", started.elapsed().as_secs_f64());
    Ok(())
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let suites: Vec<String> = std::env::args().skip(1).collect();
    let names = [
        "process",
        "refresh",
        "spokes",
        "rate_limits",
        "netplan",
        "latency",
        "reachability",
        "terraform",
    ];
    if let Some(unknown) = suites
        .iter()
        .find(|s| *s != "all" && !names.contains(&s.as_str()))
    {
        eprintln!("unknown suite {unknown:?}; choose from {names:?} or all");
        return std::process::ExitCode::FAILURE;
    }
    let wanted = |name: &str| suites.is_empty() || suites.iter().any(|s| s == name || s == "all");
    let started = Instant::now();
    for name in names {
        if let Err(error) = suite(name, wanted(name)).await {
            eprintln!("{name} benchmark failed: {error}");
            return std::process::ExitCode::FAILURE;
        }
    }
    println!("\nall suites: {:.0} s", started.elapsed().as_secs_f64());
    std::process::ExitCode::SUCCESS
}
