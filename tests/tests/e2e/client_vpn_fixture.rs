//! A Client VPN site in the emulator for the `migration_client_vpn_group_access` tests: a VPC
//! (10.10.0.0/16) with subnets in three Availability Zones, a directory with groups, and an
//! endpoint authenticating against it with two subnets associated (which, as on AWS, adds a
//! route to the VPC's CIDR through each).

use std::collections::BTreeMap;

use harness::emulator::Emulator;
use harness::{LaunchOptions, Terraform, seed};
use terraform_provider_migration::config::clients::AwsClients;
use terraform_provider_migration::protocol::cty::Value;

pub const OWNER: &str = "111122223333";
pub const ADDRESS: &str = "migration_client_vpn_group_access.access";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DirectoryKind {
    ManagedAd,
    AdConnector,
    SimpleAd,
}

pub struct Site {
    pub emulator: Emulator,
    pub aws: AwsClients,
    pub endpoint_id: String,
    pub directory_id: String,
    /// Subnets in eu-west-1a and eu-west-1b (associated) and eu-west-1c (not associated).
    pub subnets: [String; 3],
    /// Group name → SID (Managed AD only; other kinds have no group API).
    pub sids: BTreeMap<String, String>,
}

pub async fn site(groups: &[&str]) -> Site {
    site_with(DirectoryKind::ManagedAd, groups).await
}

/// A site whose endpoint is attached to a Transit Gateway (`TransitGatewayConfiguration`)
/// instead of subnets, available once its `client-vpn` attachment is.
pub async fn site_on_transit_gateway(groups: &[&str]) -> Site {
    site_attached(DirectoryKind::ManagedAd, groups, true).await
}

pub async fn site_with(kind: DirectoryKind, groups: &[&str]) -> Site {
    site_attached(kind, groups, false).await
}

/// A Transit Gateway with a CIDR block (Client VPN attachments need one), once available.
async fn transit_gateway(ec2: &aws_sdk_ec2::Client) -> String {
    let created = ec2
        .create_transit_gateway()
        .options(
            aws_sdk_ec2::types::TransitGatewayRequestOptions::builder()
                .transit_gateway_cidr_blocks("10.99.0.0/24")
                .build(),
        )
        .send()
        .await
        .unwrap();
    let id = created
        .transit_gateway()
        .and_then(|t| t.transit_gateway_id())
        .unwrap()
        .to_string();
    wait_until("the Transit Gateway is available", || async {
        ec2.describe_transit_gateways()
            .transit_gateway_ids(&id)
            .send()
            .await
            .unwrap()
            .transit_gateways()[0]
            .state()
            .is_some_and(|s| s.as_str() == "available")
    })
    .await;
    id
}

/// Polls `done` every 100 ms for up to 30 s.
async fn wait_until<F, Fut>(what: &str, done: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..300 {
        if done().await {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("timed out waiting until {what}");
}

async fn site_attached(kind: DirectoryKind, groups: &[&str], on_transit_gateway: bool) -> Site {
    let emulator = Emulator::start().await.expect("emulator starts");
    let aws = emulator.clients(OWNER).await.expect("clients");
    let vpc_id = seed::vpc(&aws.ec2, "10.10.0.0/16").await.unwrap();
    let mut subnets = Vec::new();
    for (i, zone) in ["a", "b", "c"].iter().enumerate() {
        let cidr = format!("10.10.{}.0/24", i + 1);
        subnets.push(seed::subnet(&aws.ec2, &vpc_id, &cidr, zone).await.unwrap());
    }
    let vpc_settings = aws_sdk_directory::types::DirectoryVpcSettings::builder()
        .vpc_id(&vpc_id)
        .subnet_ids(&subnets[0])
        .subnet_ids(&subnets[1])
        .build()
        .unwrap();
    let directory_id = match kind {
        DirectoryKind::ManagedAd => seed::managed_ad(&aws.directory, &vpc_id, &subnets[..2])
            .await
            .unwrap(),
        DirectoryKind::SimpleAd => aws
            .directory
            .create_directory()
            .name("corp.example.com")
            .password("Sup3r-Secret!")
            .size(aws_sdk_directory::types::DirectorySize::Small)
            .vpc_settings(vpc_settings)
            .send()
            .await
            .unwrap()
            .directory_id()
            .unwrap()
            .to_string(),
        DirectoryKind::AdConnector => aws
            .directory
            .connect_directory()
            .name("corp.example.com")
            .password("Sup3r-Secret!")
            .size(aws_sdk_directory::types::DirectorySize::Small)
            .connect_settings(
                aws_sdk_directory::types::DirectoryConnectSettings::builder()
                    .vpc_id(&vpc_id)
                    .subnet_ids(&subnets[0])
                    .subnet_ids(&subnets[1])
                    .customer_dns_ips("10.10.1.10")
                    .customer_user_name("connector")
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .unwrap()
            .directory_id()
            .unwrap()
            .to_string(),
    };
    let mut sids = BTreeMap::new();
    if kind == DirectoryKind::ManagedAd {
        for name in groups {
            let created = aws
                .directory_data
                .create_group()
                .directory_id(&directory_id)
                .sam_account_name(*name)
                .send()
                .await
                .unwrap();
            sids.insert(name.to_string(), created.sid().unwrap().to_string());
        }
    }
    if on_transit_gateway {
        let tgw = transit_gateway(&aws.ec2).await;
        let endpoint_id = endpoint_on_transit_gateway(&aws.ec2, &directory_id, &tgw).await;
        return Site {
            emulator,
            aws,
            endpoint_id,
            directory_id,
            subnets: subnets.try_into().unwrap(),
            sids,
        };
    }
    let endpoint_id =
        seed::client_vpn_endpoint(&aws.ec2, OWNER, "172.16.0.0/22", &directory_id, &vpc_id)
            .await
            .unwrap();
    for subnet in &subnets[..2] {
        aws.ec2
            .associate_client_vpn_target_network()
            .client_vpn_endpoint_id(&endpoint_id)
            .subnet_id(subnet)
            .send()
            .await
            .unwrap();
    }
    Site {
        emulator,
        aws,
        endpoint_id,
        directory_id,
        subnets: subnets.try_into().unwrap(),
        sids,
    }
}

/// A Client VPN endpoint with directory authentication attached to `tgw` in two zones, once
/// available (its attachment is).
async fn endpoint_on_transit_gateway(
    ec2: &aws_sdk_ec2::Client,
    directory_id: &str,
    tgw: &str,
) -> String {
    let endpoint_id = seed::client_vpn_endpoint_on_transit_gateway(
        ec2,
        OWNER,
        "172.16.0.0/22",
        directory_id,
        tgw,
    )
    .await
    .unwrap();
    wait_until("the endpoint's attachment is available", || async {
        ec2.describe_client_vpn_endpoints()
            .client_vpn_endpoint_ids(&endpoint_id)
            .send()
            .await
            .unwrap()
            .client_vpn_endpoints()[0]
            .status()
            .and_then(|s| s.code())
            .is_some_and(|c| c.as_str() == "available")
    })
    .await;
    endpoint_id
}

impl Site {
    pub fn terraform(&self) -> Terraform {
        Terraform::new(LaunchOptions {
            env: self.emulator.provider_env(OWNER),
            ..Default::default()
        })
    }

    pub fn sid(&self, group: &str) -> &str {
        &self.sids[group]
    }

    /// The provider block and one `migration_client_vpn_group_access.access` with `body`.
    pub fn config(&self, body: &str) -> String {
        format!(
            "{}\nresource \"migration_client_vpn_group_access\" \"access\" {{\n  \
             client_vpn_endpoint_id = \"{}\"\n{body}\n}}\n",
            self.emulator.provider_block(""),
            self.endpoint_id
        )
    }

    /// Every rule on the endpoint: (SID or "all", CIDR, description, status).
    pub async fn rules(&self) -> Vec<(String, String, Option<String>, String)> {
        harness::inspect::client_vpn_rules(&self.aws, &self.endpoint_id)
            .await
            .into_iter()
            .map(|r| (r.group, r.cidr, r.description, r.status))
            .collect()
    }

    /// Every route on the endpoint: (destination, subnet, origin).
    pub async fn routes(&self) -> Vec<(String, String, String)> {
        harness::inspect::client_vpn_routes(&self.aws, &self.endpoint_id).await
    }

    /// Turns Directory Service Data access on the site's directory on or off.
    pub async fn set_data_access(&self, enabled: bool) {
        let ds = &self.aws.directory;
        let id = &self.directory_id;
        if enabled {
            ds.enable_directory_data_access()
                .directory_id(id)
                .send()
                .await
                .unwrap();
        } else {
            ds.disable_directory_data_access()
                .directory_id(id)
                .send()
                .await
                .unwrap();
        }
    }

    /// Calls of `action` the emulator recorded.
    pub async fn calls_of(&self, action: &str) -> Vec<harness::emulator::Call> {
        self.emulator
            .calls(OWNER)
            .await
            .unwrap()
            .into_iter()
            .filter(|c| c.action == action)
            .collect()
    }
}

/// An attribute of a state value, as a list of its string elements.
pub fn strings(value: &Value, name: &str) -> Vec<String> {
    let mut found: Vec<String> = value
        .attr(name)
        .and_then(Value::elements)
        .map(|items| {
            items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found
}

/// `authorization_rules` of a state as (group, CIDR, description, status), ordered by group
/// then CIDR.
pub fn rule_entries(value: &Value) -> Vec<(String, String, Option<String>, String)> {
    let mut entries = Vec::new();
    let groups = value.attr("authorization_rules").and_then(Value::as_map);
    for (group, entry) in groups.into_iter().flatten() {
        let networks = entry.attr("networks").and_then(Value::as_map);
        for (cidr, rule) in networks.into_iter().flatten() {
            let text = |n: &str| rule.attr(n).and_then(Value::as_str).map(str::to_string);
            entries.push((
                group.clone(),
                cidr.clone(),
                text("description"),
                text("status").unwrap_or_default(),
            ));
        }
    }
    entries.sort_by_key(|(group, cidr, ..)| (group.clone(), cidr_order(cidr)));
    entries
}

/// `routes` of a state as (destination, subnet, status), ordered by destination then subnet.
pub fn route_entries(value: &Value) -> Vec<(String, String, String)> {
    let mut entries = Vec::new();
    let routes = value.attr("routes").and_then(Value::as_map);
    for (destination, targets) in routes.into_iter().flatten() {
        for (subnet, status) in targets.as_map().into_iter().flatten() {
            entries.push((
                destination.clone(),
                subnet.clone(),
                status.as_str().unwrap_or_default().to_string(),
            ));
        }
    }
    entries.sort_by_key(|(destination, subnet, _)| (cidr_order(destination), subnet.clone()));
    entries
}

fn cidr_order(text: &str) -> (Option<ipnet::Ipv4Net>, String) {
    (text.parse().ok(), text.to_string())
}
