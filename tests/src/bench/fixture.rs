//! The worlds the benchmarks run in: a hub of N VPCs in full mesh with a Direct Connect data
//! center and a RAM share, and a Client VPN endpoint with Active Directory authentication. Each
//! gets its own emulator, so call records and rate-limit buckets are the suite's alone.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{Value as Json, json};
use terraform_provider_migration::config::clients::AwsClients;

use crate::emulator::{Call, Emulator};
use crate::process::{Error, LaunchOptions};
use crate::seed;
use crate::terraform::{Applied, Plan, Terraform};

/// The account every benchmark acts as.
pub const OWNER: &str = "111122223333";
/// The hub's resource address.
pub const HUB: &str = "migration_hub_network.hub";
/// The Client VPN access resource's address.
pub const ACCESS: &str = "migration_client_vpn_group_access.access";
/// The data center's CIDR blocks (one: every VPC table gets one route to it).
pub const DATA_CENTER_CIDRS: [&str; 1] = ["192.168.0.0/16"];
/// The account the hub is shared with.
pub const SHARED_WITH: [&str; 1] = ["444455556666"];

/// Provider arguments that take the provider's own pacing out of the way, for suites that
/// measure something else (call counts, latency) and run with the emulator's throttling off.
/// This is the `ec2_api_rate_limits` block an account with raised EC2 API limits would set.
pub fn unpaced() -> String {
    let lanes = ["describe", "mutating", "client_vpn", "tags"];
    let lines: Vec<String> = lanes
        .iter()
        .map(|l| format!("    {l}_burst = 10000\n    {l}_per_second = 10000"))
        .collect();
    format!("  ec2_api_rate_limits {{\n{}\n  }}", lines.join("\n"))
}

/// State-transition delays (seconds) for hub objects.
pub fn hub_delays(transition: f64) -> Json {
    json!({"delays": {
        "transit_gateway.pending": transition,
        "vpc_attachment.pending": transition,
        "dx_association.associating": transition,
        "ram_association.associating": transition / 4.0,
    }})
}

/// One VPC seeded for a hub: one subnet, one route table.
#[derive(Clone, Debug)]
pub struct Vpc {
    pub id: String,
    pub cidr: String,
    pub subnet: String,
    pub table: String,
}

/// An emulator holding N VPCs and a Direct Connect gateway, and a working directory whose
/// configuration is one hub over all of them.
pub struct HubWorld {
    pub emulator: Emulator,
    pub aws: AwsClients,
    pub tf: Terraform,
    pub vpcs: Vec<Vpc>,
    pub config: String,
}

/// A spoke the hub declares in `spokes`: its name there, its account and the CIDR it brings.
#[derive(Clone, Debug)]
pub struct DeclaredSpoke {
    pub name: String,
    pub account_id: String,
    pub cidr: String,
}

impl HubWorld {
    /// Starts an emulator with `settings` (delays, latency, throttling), seeds `n` VPCs
    /// (`10.<i>.0.0/16`, i = 1..=n) and writes the hub configuration with `provider` arguments,
    /// shared with [`SHARED_WITH`].
    pub async fn seed(n: usize, provider: &str, settings: Json) -> Result<Self, Error> {
        let share_with = SHARED_WITH.map(String::from);
        Self::seed_with_spokes(n, provider, settings, &share_with, &[]).await
    }

    /// [`HubWorld::seed`] with the hub's `share_with` and its declared `spokes` given.
    pub async fn seed_with_spokes(
        n: usize,
        provider: &str,
        settings: Json,
        share_with: &[String],
        spokes: &[DeclaredSpoke],
    ) -> Result<Self, Error> {
        assert!((1..=200).contains(&n), "10.<i>.0.0/16 needs 1 ≤ n ≤ 200");
        let emulator = Emulator::start().await?;
        let aws = emulator.clients(OWNER).await?;
        let mut vpcs = Vec::with_capacity(n);
        for i in 1..=n {
            vpcs.push(seed_vpc(&aws, i).await?);
        }
        let gateway =
            seed::direct_connect_gateway(&aws.direct_connect, "data-center", 65010).await?;
        emulator.configure(settings).await?;
        let attachments: Vec<String> = vpcs
            .iter()
            .enumerate()
            .map(|(i, v)| {
                format!(
                    "    vpc{i:03} = {{\n      vpc_id = \"{}\"\n      subnet_ids = [\"{}\"]\n      route_table_ids = [\"{}\"]\n    }}",
                    v.id, v.subnet, v.table
                )
            })
            .collect();
        let declared: Vec<String> = spokes
            .iter()
            .map(|s| {
                format!(
                    "    {} = {{\n      account_id = \"{}\"\n      cidr_blocks = [\"{}\"]\n    }}",
                    s.name, s.account_id, s.cidr
                )
            })
            .collect();
        let spokes = if declared.is_empty() {
            String::new()
        } else {
            format!("  spokes = {{\n{}\n  }}\n", declared.join("\n"))
        };
        let config = format!(
            "{}\nresource \"migration_hub_network\" \"hub\" {{\n  name = \"bench-hub\"\n  share_with = {}\n  vpc_attachments = {{\n{}\n  }}\n  data_center = {{\n    cidr_blocks = {}\n    direct_connect_gateway_id = \"{gateway}\"\n  }}\n{spokes}}}\n",
            emulator.provider_block(provider),
            quoted(share_with),
            attachments.join("\n"),
            quoted(&DATA_CENTER_CIDRS),
        );
        let tf = Terraform::new(LaunchOptions {
            env: emulator.provider_env(OWNER),
            ..Default::default()
        });
        Ok(Self {
            emulator,
            aws,
            tf,
            vpcs,
            config,
        })
    }

    /// `terraform apply`, failing on any error diagnostic.
    pub async fn apply(&mut self) -> Result<Applied, Error> {
        let config = self.config.clone();
        let applied = self.tf.apply(&config).await?;
        if applied.has_errors() {
            return Err(format!("apply failed: {:#?}", applied.errors()).into());
        }
        Ok(applied)
    }

    /// `terraform plan`, failing on errors or on any change (the benchmarks plan converged hubs).
    pub async fn no_op_plan(&mut self) -> Result<Plan, Error> {
        let config = self.config.clone();
        let plan = self.tf.plan(&config).await?;
        if plan.has_errors() {
            return Err(format!("plan failed: {:#?}", plan.errors()).into());
        }
        if !plan.is_empty() {
            return Err("the plan of a converged hub is not empty".into());
        }
        Ok(plan)
    }

    /// Every AWS call the emulator recorded for the owner since the last clear.
    pub async fn calls(&self) -> Result<Vec<Call>, Error> {
        self.emulator.calls(OWNER).await
    }

    /// The routes in the hub's state: (VPC routes, hub route table static routes). `routes` is
    /// a map by route table id, each entry's `destinations` a map by destination; the hub route
    /// table is the one whose `vpc` is null.
    pub fn route_counts(&self) -> (usize, usize) {
        let Some(state) = self.tf.state_value(HUB) else {
            return (0, 0);
        };
        let (mut vpc, mut hub) = (0, 0);
        let tables = state.attr("routes").and_then(|r| r.as_map());
        for table in tables.into_iter().flat_map(|t| t.values()) {
            let destinations = table
                .attr("destinations")
                .and_then(|d| d.as_map())
                .map_or(0, |d| d.len());
            match table.attr("vpc") {
                Some(v) if !v.is_null() => vpc += destinations,
                _ => hub += destinations,
            }
        }
        (vpc, hub)
    }
}

pub async fn seed_vpc(aws: &AwsClients, i: usize) -> Result<Vpc, Error> {
    let cidr = format!("10.{i}.0.0/16");
    let id = seed::vpc(&aws.ec2, &cidr).await?;
    let subnet = seed::subnet(&aws.ec2, &id, &format!("10.{i}.0.0/24"), "a").await?;
    let table = seed::route_table(&aws.ec2, &id).await?;
    Ok(Vpc {
        id,
        cidr,
        subnet,
        table,
    })
}

fn quoted(items: &[impl AsRef<str>]) -> String {
    let items: Vec<String> = items
        .iter()
        .map(|i| format!("\"{}\"", i.as_ref()))
        .collect();
    format!("[{}]", items.join(", "))
}

/// A Client VPN endpoint authenticating against a Managed AD, two subnets associated.
pub struct ClientVpnSite {
    pub emulator: Emulator,
    pub endpoint_id: String,
}

impl ClientVpnSite {
    pub async fn seed() -> Result<Self, Error> {
        let emulator = Emulator::start().await?;
        let aws = emulator.clients(OWNER).await?;
        let vpc = seed_vpc(&aws, 10).await?;
        let second = seed::subnet(&aws.ec2, &vpc.id, "10.10.1.0/24", "b").await?;
        let directory_id = seed::managed_ad(
            &aws.directory,
            &vpc.id,
            &[vpc.subnet.clone(), second.clone()],
        )
        .await?;
        let endpoint_id =
            seed::client_vpn_endpoint(&aws.ec2, OWNER, "172.16.0.0/22", &directory_id, &vpc.id)
                .await?;
        for subnet in [&vpc.subnet, &second] {
            aws.ec2
                .associate_client_vpn_target_network()
                .client_vpn_endpoint_id(&endpoint_id)
                .subnet_id(subnet)
                .send()
                .await?;
        }
        // Let the associations settle before the benchmark starts.
        tokio::time::sleep(Duration::from_millis(100)).await;
        Ok(Self {
            emulator,
            endpoint_id,
        })
    }

    /// `groups` groups of `networks` networks each: one rule per (group, network).
    pub fn config(&self, groups: usize, networks: usize) -> String {
        let groups: Vec<String> = (0..groups)
            .map(|g| {
                let networks: Vec<String> = (0..networks)
                    .map(|n| format!("\"10.{}.{n}.0/24\"", 100 + g))
                    .collect();
                format!(
                    "    group_{g:02} = {{ sid = \"S-1-5-21-1-2-3-{}\", networks = [{}] }}",
                    2000 + g,
                    networks.join(", ")
                )
            })
            .collect();
        format!(
            "{}\nresource \"migration_client_vpn_group_access\" \"access\" {{\n  client_vpn_endpoint_id = \"{}\"\n  groups = {{\n{}\n  }}\n  manage_routes = false\n}}\n",
            self.emulator.provider_block(""),
            self.endpoint_id,
            groups.join("\n")
        )
    }

    pub fn terraform(&self) -> Terraform {
        Terraform::new(LaunchOptions {
            env: self.emulator.provider_env(OWNER),
            ..Default::default()
        })
    }
}

/// Successful calls per action.
pub fn count_by_action(calls: &[Call]) -> BTreeMap<String, usize> {
    let mut counted = BTreeMap::new();
    for call in calls.iter().filter(|c| c.error.is_none()) {
        *counted.entry(call.action.clone()).or_insert(0) += 1;
    }
    counted
}

/// EC2's rate-limit bucket of a call (as AWS and the emulator classify it), `None` outside EC2.
pub fn ec2_bucket(call: &Call) -> Option<&'static str> {
    if call.service != "ec2" {
        return None;
    }
    let action = call.action.as_str();
    Some(match action {
        "AuthorizeClientVpnIngress"
        | "RevokeClientVpnIngress"
        | "CreateClientVpnRoute"
        | "DeleteClientVpnRoute" => "client_vpn",
        "CreateTags" | "DeleteTags" => "tags",
        _ if action.starts_with("Describe")
            || action.starts_with("Get")
            || action.starts_with("Search") =>
        {
            "describe"
        }
        _ => "mutating",
    })
}
