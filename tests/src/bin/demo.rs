//! `make demo`: the whole migration blueprint without an AWS account.
//!
//! Starts the local AWS emulator, seeds what exists before Terraform in the article's
//! architecture, then drives `examples/blueprint/` through the harness exactly as
//! `terraform plan`, `apply`, a second `plan` and `destroy` would, printing each step and the
//! AWS calls it took.

use std::collections::BTreeMap;
use std::time::Instant;

use harness::emulator::Emulator;
use harness::process::Error;
use harness::terraform::Terraform;
use harness::{LaunchOptions, render, seed};

const ACCOUNT: &str = "111122223333";
const SHARED_ACCOUNTS: [&str; 2] = ["222233334444", "333344445555"];

fn heading(text: &str) {
    println!("\n\x1b[1m== {text}\x1b[0m");
}

struct Seeded {
    variables: BTreeMap<String, hcl::Value>,
}

fn list(items: &[String]) -> hcl::Value {
    hcl::Value::Array(
        items
            .iter()
            .map(|s| hcl::Value::String(s.clone()))
            .collect(),
    )
}

/// What the migration team already has: two VPCs with subnets in two AZs and route tables, a
/// Managed AD with two groups, a Client VPN endpoint with AD authentication, a Direct Connect
/// gateway.
async fn seed(emulator: &Emulator) -> Result<Seeded, Error> {
    let aws = emulator.clients(ACCOUNT).await?;
    let mut variables = BTreeMap::new();
    let mut vpcs = BTreeMap::new();
    for (name, cidr) in [("staging", "10.10.0.0/16"), ("target", "10.20.0.0/16")] {
        let vpc_id = seed::vpc(&aws.ec2, cidr).await?;
        let mut subnets = Vec::new();
        for (index, zone) in ["a", "b"].iter().enumerate() {
            let subnet_cidr = cidr.replace(".0.0/16", &format!(".{}.0/24", index + 1));
            subnets.push(seed::subnet(&aws.ec2, &vpc_id, &subnet_cidr, zone).await?);
        }
        let table_id = seed::route_table(&aws.ec2, &vpc_id).await?;
        variables.insert(format!("{name}_vpc_id"), hcl::Value::String(vpc_id.clone()));
        variables.insert(format!("{name}_cidr"), hcl::Value::String(cidr.into()));
        variables.insert(format!("{name}_subnet_ids"), list(&subnets));
        variables.insert(
            format!("{name}_route_table_ids"),
            list(std::slice::from_ref(&table_id)),
        );
        println!("  {name} VPC {vpc_id} ({cidr}), subnets {subnets:?}, route table {table_id}");
        vpcs.insert(name, (vpc_id, subnets));
    }

    let (staging_vpc, staging_subnets) = &vpcs["staging"];
    let directory = aws
        .directory
        .create_microsoft_ad()
        .name("corp.example.com")
        .password("Demo-Passw0rd!")
        .vpc_settings(
            aws_sdk_directory::types::DirectoryVpcSettings::builder()
                .vpc_id(staging_vpc)
                .set_subnet_ids(Some(staging_subnets.clone()))
                .build()?,
        )
        .send()
        .await?;
    let directory_id = directory
        .directory_id()
        .ok_or("no directory id")?
        .to_string();
    println!("  Managed AD {directory_id} (corp.example.com)");
    variables.insert(
        "directory_id".into(),
        hcl::Value::String(directory_id.clone()),
    );
    for (variable, group) in [
        ("migration_engineers_sid", "MigrationEngineers"),
        ("internal_it_sid", "InternalIT"),
    ] {
        let created = aws
            .directory_data
            .create_group()
            .directory_id(&directory_id)
            .sam_account_name(group)
            .send()
            .await?;
        let sid = created.sid().ok_or("no SID")?.to_string();
        println!("  AD group {group}: {sid}");
        variables.insert(variable.into(), hcl::Value::String(sid));
    }

    let endpoint_id = seed::client_vpn_endpoint(
        &aws.ec2,
        ACCOUNT,
        "172.16.0.0/22",
        &directory_id,
        staging_vpc,
    )
    .await?;
    for subnet in staging_subnets {
        aws.ec2
            .associate_client_vpn_target_network()
            .client_vpn_endpoint_id(&endpoint_id)
            .subnet_id(subnet)
            .send()
            .await?;
    }
    println!(
        "  Client VPN endpoint {endpoint_id} (172.16.0.0/22, AD authentication, 2 subnets associated)"
    );
    variables.insert(
        "client_vpn_endpoint_id".into(),
        hcl::Value::String(endpoint_id),
    );

    let gateway = aws
        .direct_connect
        .create_direct_connect_gateway()
        .direct_connect_gateway_name("datacenter")
        .amazon_side_asn(65010)
        .send()
        .await?;
    let gateway_id = gateway
        .direct_connect_gateway()
        .and_then(|g| g.direct_connect_gateway_id())
        .ok_or("no gateway id")?
        .to_string();
    println!("  Direct Connect gateway {gateway_id} (ASN 65010)");
    variables.insert(
        "direct_connect_gateway_id".into(),
        hcl::Value::String(gateway_id),
    );
    variables.insert(
        "shared_account_ids".into(),
        list(&SHARED_ACCOUNTS.map(String::from)),
    );
    Ok(Seeded { variables })
}

fn blueprint() -> Result<String, Error> {
    let dir = harness::docs::repository_root().join("examples/blueprint");
    let mut files: Vec<_> = std::fs::read_dir(&dir)?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "tf"))
        .collect();
    files.sort();
    let mut text = String::new();
    for file in files {
        text.push_str(&std::fs::read_to_string(file)?);
        text.push('\n');
    }
    Ok(text)
}

async fn calls_since(
    emulator: &Emulator,
    from: usize,
) -> Result<(usize, BTreeMap<String, usize>), Error> {
    let calls = emulator.calls(ACCOUNT).await?;
    let mut per_action = BTreeMap::new();
    for call in calls.iter().skip(from) {
        *per_action.entry(call.action.clone()).or_insert(0) += 1;
    }
    Ok((calls.len(), per_action))
}

fn summarize(per_action: &BTreeMap<String, usize>) -> String {
    let total: usize = per_action.values().sum();
    let top: Vec<String> = per_action.iter().map(|(a, n)| format!("{a}×{n}")).collect();
    format!("{total} AWS calls: {}", top.join(", "))
}

async fn run() -> Result<(), Error> {
    heading("Starting the local AWS emulator (moto + extension)");
    let emulator = Emulator::start().await?;
    println!("  {}", emulator.url);
    heading("Seeding what exists before Terraform");
    let seeded = seed(&emulator).await?;

    let mut env = emulator.provider_env(ACCOUNT);
    env.push(("AWS_ENDPOINT_URL".into(), emulator.url.clone()));
    let mut tf = Terraform::new(LaunchOptions {
        env,
        ..Default::default()
    });
    tf.variables = seeded.variables;
    let configuration = blueprint()?;
    let (mut seen, _) = calls_since(&emulator, 0).await?;

    heading("terraform plan");
    let started = Instant::now();
    let plan = tf.plan(&configuration).await?;
    print!("{}", render::plan(&plan));
    let (now, calls) = calls_since(&emulator, seen).await?;
    seen = now;
    println!(
        "\n  ({:.1} s, {})",
        started.elapsed().as_secs_f64(),
        summarize(&calls)
    );
    if plan.has_errors() {
        return Err("the plan failed".into());
    }

    heading("terraform apply -auto-approve");
    let started = Instant::now();
    let applied = tf.apply(&configuration).await?;
    for (address, diagnostic) in &applied.diagnostics {
        print!("{}", render::diagnostic_box(diagnostic, address));
    }
    if applied.has_errors() {
        return Err("the apply failed".into());
    }
    let (now, calls) = calls_since(&emulator, seen).await?;
    seen = now;
    println!(
        "\nApply complete! Resources: {} added, 0 changed, 0 destroyed.  ({:.1} s, {})",
        applied.plan.changes.len(),
        started.elapsed().as_secs_f64(),
        summarize(&calls)
    );
    let inventory = emulator.inventory(ACCOUNT).await?;
    println!("\n  Created in AWS:");
    if let Some(kinds) = inventory.as_object() {
        for (kind, objects) in kinds {
            let count = objects.as_array().map_or(0, Vec::len);
            if count > 0 {
                println!("    {kind:<36} {count}");
            }
        }
    }
    if let Some(hub) = tf.state_value("migration_hub_network.hub")
        && let Some(routes) = hub.attr("routes").and_then(|r| r.elements())
    {
        println!("\n  Mesh routes ({}):", routes.len());
        for route in routes {
            let field = |name: &str| {
                route
                    .attr(name)
                    .and_then(|v| v.as_str())
                    .unwrap_or("")
                    .to_string()
            };
            println!(
                "    {:<24} {:<18} → {:<10} {}",
                field("route_table_id"),
                field("destination"),
                field("network"),
                field("state")
            );
        }
    }
    if let Some(access) = tf.state_value("migration_client_vpn_group_access.staff")
        && let Some(rules) = access
            .attr("authorization_rules")
            .and_then(|r| r.elements())
    {
        println!("\n  Client VPN authorization rules ({}):", rules.len());
        for rule in rules {
            let field = |name: &str| {
                rule.attr(name)
                    .and_then(|v| v.as_str())
                    .unwrap_or("")
                    .to_string()
            };
            println!(
                "    {:<20} {:<18} {}",
                field("group"),
                field("destination_cidr"),
                field("status")
            );
        }
    }

    heading("terraform plan (again: nothing should change)");
    let started = Instant::now();
    let plan = tf.plan(&configuration).await?;
    print!("{}", render::plan(&plan));
    let (now, calls) = calls_since(&emulator, seen).await?;
    seen = now;
    println!(
        "\n  ({:.1} s, {})",
        started.elapsed().as_secs_f64(),
        summarize(&calls)
    );
    if !plan.is_empty() {
        return Err("the second plan is not empty".into());
    }

    heading("terraform destroy -auto-approve");
    let started = Instant::now();
    let destroyed = tf.destroy(&configuration).await?;
    print!("{}", render::plan(&destroyed.plan));
    if destroyed.has_errors() {
        for (address, diagnostic) in &destroyed.diagnostics {
            print!("{}", render::diagnostic_box(diagnostic, address));
        }
        return Err("the destroy failed".into());
    }
    let (_, calls) = calls_since(&emulator, seen).await?;
    println!(
        "\nDestroy complete! Resources: {} destroyed.  ({:.1} s, {})",
        destroyed.plan.changes.len(),
        started.elapsed().as_secs_f64(),
        summarize(&calls)
    );
    let total = emulator.calls(ACCOUNT).await?.len();
    println!("\n  {total} AWS calls in all, including the seeding.");
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
