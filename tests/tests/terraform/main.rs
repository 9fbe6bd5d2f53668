//! The end-to-end suite on real Terraform: every scenario runs on each Terraform release under
//! test (`MIGRATION_TERRAFORM_VERSIONS`, default the oldest and newest supported), as a test of
//! its own named `<module>::<scenario> [<version>]`, against a fresh emulator, with the
//! configuration files of `tests/terraform/cases/`.
//!
//! `cargo test --workspace --test terraform -- <filter>` runs a subset; `--test-threads` bounds
//! how many run at once (each scenario runs Terraform, the provider and an emulator).
//!
//! A scenario says which releases it is for ([`Releases`]). Those it is not for are listed as
//! ignored rather than left out, so a run shows what it did not prove.

mod world;

mod blueprint;
mod client_vpn;
mod crash;
mod directory_groups;
mod examples;
mod functions;
mod hub_network;
mod hub_network_data;
mod query;
mod shapes;
mod spoke;
mod staging_area;
mod upgrade;
mod version_facts;

use std::future::Future;
use std::pin::Pin;

use harness::cli::{Cli, VERSIONS_VARIABLE, Version};
use libtest_mimic::{Arguments, Failed, Trial};

/// Which Terraform releases a scenario runs on.
#[derive(Clone, Copy, Debug)]
pub enum Releases {
    /// Every supported release under test, from `needs` on (a scenario using a newer feature,
    /// e.g. import blocks, says so).
    Supported { needs: Version },
    /// Only the newest release under test: a slow scenario whose subject is the provider, not
    /// Terraform's version (a flag rather than a check inside the test, so the other releases
    /// list it as ignored instead of as a pass).
    Newest,
    /// Only this release, which is not a supported one: a fact about it, checked when it is
    /// installed and `MIGRATION_TERRAFORM_VERSIONS` names it (or says `all`).
    Exactly(Version),
}

/// One scenario: a name, the releases it is for, and its body.
pub struct Scenario {
    pub name: &'static str,
    pub releases: Releases,
    pub run: fn(Cli) -> Pin<Box<dyn Future<Output = ()> + Send>>,
}

/// A scenario: `scenario!(name)` on every supported release, `scenario!(name, needs "1.6")`
/// from a release on, `scenario!(name, newest)` on the newest under test only,
/// `scenario!(name, exactly "1.0.3")` on that one release only.
#[macro_export]
macro_rules! scenario {
    ($name:ident) => {
        $crate::scenario!($name, needs "1.0")
    };
    ($name:ident, needs $version:literal) => {
        $crate::Scenario {
            name: concat!(module_path!(), "::", stringify!($name))
                .trim_start_matches("terraform::"),
            releases: $crate::Releases::Supported {
                needs: harness::cli::Version::parse($version).expect("a version"),
            },
            run: |cli| Box::pin($name(cli)),
        }
    };
    ($name:ident, newest) => {
        $crate::Scenario {
            releases: $crate::Releases::Newest,
            ..$crate::scenario!($name)
        }
    };
    ($name:ident, exactly $version:literal) => {
        $crate::Scenario {
            releases: $crate::Releases::Exactly(
                harness::cli::Version::parse($version).expect("a version"),
            ),
            ..$crate::scenario!($name)
        }
    };
}

fn scenarios() -> Vec<Scenario> {
    [
        blueprint::scenarios(),
        hub_network::scenarios(),
        spoke::scenarios(),
        staging_area::scenarios(),
        hub_network_data::scenarios(),
        crash::scenarios(),
        client_vpn::scenarios(),
        directory_groups::scenarios(),
        upgrade::scenarios(),
        examples::scenarios(),
        functions::scenarios(),
        query::scenarios(),
        version_facts::scenarios(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Whether `MIGRATION_TERRAFORM_VERSIONS` names `version` or says `all`.
fn asked_for(version: Version) -> bool {
    std::env::var(VERSIONS_VARIABLE).is_ok_and(|list| {
        list.trim() == "all"
            || list
                .split([' ', ','])
                .any(|v| Version::parse(v) == Some(version))
    })
}

fn trial(name: String, cli: Option<Cli>, scenario: &Scenario, run: bool) -> Trial {
    let body = scenario.run;
    Trial::test(name, move || {
        let cli = cli.ok_or_else(|| Failed::from("this Terraform release is not installed"))?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| Failed::from(format!("tokio runtime: {e}")))?;
        runtime.block_on(body(cli));
        Ok(())
    })
    .with_ignored_flag(!run)
}

fn main() {
    let arguments = Arguments::from_args();
    let clis = Cli::under_test();
    let supported: Vec<Version> = harness::cli::releases()
        .iter()
        .filter(|r| r.supported)
        .filter_map(|r| Version::parse(&r.terraform))
        .collect();
    let newest = clis.iter().map(|c| c.version).max();
    let mut trials = Vec::new();
    for scenario in scenarios() {
        match scenario.releases {
            Releases::Exactly(version) => {
                let cli = Cli::installed(&version.to_string()).ok();
                let run = cli.is_some() && asked_for(version);
                let name = format!("{} [{version}]", scenario.name);
                trials.push(trial(name, cli, &scenario, run));
            }
            releases => {
                for cli in &clis {
                    let run = match releases {
                        Releases::Supported { needs } => {
                            cli.version >= needs && supported.contains(&cli.version)
                        }
                        Releases::Newest => Some(cli.version) == newest,
                        Releases::Exactly(_) => unreachable!(),
                    };
                    let name = format!("{} [{}]", scenario.name, cli.version);
                    trials.push(trial(name, Some(cli.clone()), &scenario, run));
                }
            }
        }
    }
    libtest_mimic::run(&arguments, trials).exit();
}
