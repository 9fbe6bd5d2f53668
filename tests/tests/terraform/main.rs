//! The end-to-end suite on real Terraform: every scenario runs on each Terraform release under
//! test (`MIGRATION_TERRAFORM_VERSIONS`, default the oldest and newest supported), as a test of
//! its own named `<scenario> [<version>]`, against a fresh emulator, with the configuration
//! files of `tests/terraform/cases/`.
//!
//! `cargo test --test terraform -- <filter>` runs a subset; `--test-threads` bounds how many run
//! at once (each scenario runs Terraform, the provider and an emulator).

mod world;

mod blueprint;
mod functions;
mod upgrade;

use std::future::Future;
use std::pin::Pin;

use harness::cli::{Cli, Version};
use libtest_mimic::{Arguments, Failed, Trial};

/// One scenario: a name, the oldest Terraform it needs, and its body.
pub struct Scenario {
    pub name: &'static str,
    /// Terraform releases older than this skip the scenario (it uses a newer feature).
    pub needs: Version,
    pub run: fn(Cli) -> Pin<Box<dyn Future<Output = ()> + Send>>,
}

/// A scenario every supported release runs.
#[macro_export]
macro_rules! scenario {
    ($name:ident) => {
        $crate::Scenario {
            name: concat!(module_path!(), "::", stringify!($name))
                .trim_start_matches("terraform::"),
            needs: harness::cli::Version(1, 0, 0),
            run: |cli| Box::pin($name(cli)),
        }
    };
    // `1.8` is one float literal to the tokenizer, so the version is read from its text.
    ($name:ident, needs $version:literal) => {
        $crate::Scenario {
            needs: harness::cli::Version::parse(stringify!($version))
                .expect("`needs` takes a release such as 1.8"),
            ..$crate::scenario!($name)
        }
    };
}

fn scenarios() -> Vec<Scenario> {
    [
        blueprint::scenarios(),
        functions::scenarios(),
        upgrade::scenarios(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

fn main() {
    let arguments = Arguments::from_args();
    let clis = Cli::under_test();
    let mut trials = Vec::new();
    for scenario in scenarios() {
        for cli in &clis {
            let name = format!("{} [{}]", scenario.name, cli.version);
            let run = scenario.run;
            let cli = cli.clone();
            let applies = cli.version >= scenario.needs;
            let trial = Trial::test(name, move || {
                let runtime = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                    .map_err(|e| Failed::from(format!("tokio runtime: {e}")))?;
                runtime.block_on(run(cli));
                Ok(())
            });
            trials.push(trial.with_ignored_flag(!applies));
        }
    }
    libtest_mimic::run(&arguments, trials).exit();
}
