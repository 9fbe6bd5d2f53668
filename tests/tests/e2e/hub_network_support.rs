//! What the `migration_hub_network` end-to-end tests share: an emulator with small transition
//! delays, seeded VPCs (subnets in distinct zones, route tables, secondary CIDRs), a Direct
//! Connect gateway and a customer gateway, and readers for the emulator's call record and
//! inventory.

use std::collections::BTreeMap;

use aws_sdk_ec2::types::GatewayType;
use harness::emulator::{Call, Emulator};
use harness::terraform::{Action, Applied, Plan};
use harness::{LaunchOptions, Terraform, seed};
use serde_json::{Value as Json, json};
use terraform_provider_migration::config::clients::AwsClients;
use terraform_provider_migration::protocol::cty::Value;

pub const OWNER: &str = "111122223333";
pub const ADDRESS: &str = "migration_hub_network.hub";

/// A VPC seeded for a test.
#[derive(Clone, Debug)]
pub struct Net {
    pub vpc: String,
    pub subnets: Vec<String>,
    pub tables: Vec<String>,
}

/// One test's world: its own emulator, the owner account's clients, a working directory.
pub struct World {
    pub emulator: Emulator,
    pub aws: AwsClients,
    pub tf: Terraform,
}

/// Delays short enough for a fast suite, long enough that every waiter really waits.
pub fn small_delays() -> Json {
    json!({"delays": {
        "transit_gateway.pending": 0.3,
        "transit_gateway.deleting": 0.2,
        "vpc_attachment.pending": 0.3,
        "vpc_attachment.deleting": 0.2,
        "vpc_attachment.modifying": 0.2,
        "vpn_attachment.pending": 0.2,
        "dx_association.associating": 0.3,
        "dx_association.updating": 0.2,
        "dx_association.disassociating": 0.2,
        "ram_association.associating": 0.1,
    }})
}

impl World {
    pub async fn start() -> World {
        let emulator = Emulator::start().await.expect("emulator starts");
        emulator.configure(small_delays()).await.unwrap();
        let aws = emulator.clients(OWNER).await.unwrap();
        let tf = Terraform::new(LaunchOptions {
            env: {
                let mut e = emulator.provider_env(OWNER);
                e.push(("TF_LOG_PROVIDER".into(), "DEBUG".into()));
                e
            },
            ..Default::default()
        });
        World { emulator, aws, tf }
    }

    /// The configuration text: this emulator's provider block plus one hub.
    pub fn config(&self, body: &str) -> String {
        self.config_with("", body)
    }

    /// [`World::config`] with more arguments in the provider block.
    pub fn config_with(&self, provider: &str, body: &str) -> String {
        format!(
            "{}\nresource \"migration_hub_network\" \"hub\" {{\n{body}\n}}\n",
            self.emulator.provider_block(provider)
        )
    }

    /// A VPC `10.<n>.0.0/16` with `zones` subnets (one per zone) and `tables` route tables.
    pub async fn vpc(&self, n: u8, zones: usize, tables: usize) -> Net {
        let vpc = seed::vpc(&self.aws.ec2, &format!("10.{n}.0.0/16"))
            .await
            .unwrap();
        let mut subnets = Vec::new();
        for (i, zone) in ["a", "b", "c"].iter().take(zones).enumerate() {
            subnets.push(self.subnet(&vpc, &format!("10.{n}.{i}.0/24"), zone).await);
        }
        let mut route_tables = Vec::new();
        for _ in 0..tables {
            route_tables.push(self.route_table(&vpc).await);
        }
        Net {
            vpc,
            subnets,
            tables: route_tables,
        }
    }

    pub async fn subnet(&self, vpc: &str, cidr: &str, zone: &str) -> String {
        seed::subnet(&self.aws.ec2, vpc, cidr, zone).await.unwrap()
    }

    pub async fn route_table(&self, vpc: &str) -> String {
        seed::route_table(&self.aws.ec2, vpc).await.unwrap()
    }

    pub async fn secondary_cidr(&self, vpc: &str, cidr: &str) {
        self.aws
            .ec2
            .associate_vpc_cidr_block()
            .vpc_id(vpc)
            .cidr_block(cidr)
            .send()
            .await
            .unwrap();
    }

    pub async fn direct_connect_gateway(&self, asn: i64) -> String {
        harness::seed::direct_connect_gateway(&self.aws.direct_connect, "data-center", asn)
            .await
            .unwrap()
    }

    pub async fn customer_gateway(&self) -> String {
        self.aws
            .ec2
            .create_customer_gateway()
            .bgp_asn(65000)
            .ip_address("203.0.113.10")
            .r#type(GatewayType::Ipsec1)
            .send()
            .await
            .unwrap()
            .customer_gateway()
            .unwrap()
            .customer_gateway_id()
            .unwrap()
            .to_string()
    }

    pub async fn calls(&self) -> Vec<Call> {
        self.emulator.calls(OWNER).await.unwrap()
    }

    pub async fn inventory(&self) -> Json {
        self.emulator.inventory(OWNER).await.unwrap()
    }

    /// Applies and insists on success, then on an empty plan right after.
    pub async fn converge(&mut self, text: &str) -> Applied {
        let applied = self.tf.apply(text).await.unwrap();
        assert!(
            !applied.has_errors(),
            "apply failed: {:#?}",
            applied.errors()
        );
        let again = self.tf.plan(text).await.unwrap();
        if again.has_errors() || !again.is_empty() {
            self.print_recent_calls(60).await;
        }
        assert!(!again.has_errors(), "{:#?}", again.errors());
        assert_no_changes(&again);
        applied
    }

    /// The last `n` AWS calls, oldest first, to see what led to a failure.
    pub async fn print_recent_calls(&self, n: usize) {
        let calls = self.calls().await;
        for c in &calls[calls.len().saturating_sub(n)..] {
            eprintln!("call {} {} {:?} {}", c.seq, c.action, c.error, c.params);
        }
    }

    pub fn state(&self) -> Value {
        self.tf.state_value(ADDRESS).expect("the hub is in state")
    }
}

pub fn assert_no_changes(plan: &Plan) {
    let changed: Vec<_> = plan
        .changes
        .iter()
        .filter(|c| c.action != Action::NoOp)
        .map(|c| {
            (
                c.address.clone(),
                c.action,
                changed_attributes(&c.prior, &c.planned),
            )
        })
        .collect();
    assert!(changed.is_empty(), "the plan should be empty: {changed:#?}");
}

/// Top-level attributes that differ, for failure messages.
pub fn changed_attributes(prior: &Value, planned: &Value) -> Vec<String> {
    let (Some(prior), Some(planned)) = (prior.as_map(), planned.as_map()) else {
        return vec!["<whole object>".into()];
    };
    planned
        .iter()
        .filter(|(k, v)| prior.get(*k) != Some(*v))
        .map(|(k, v)| format!("{k}: {:?} -> {v:?}", prior.get(k)))
        .collect()
}

/// How many successful calls of each action since `from` (a sequence number).
pub fn counts(calls: &[Call], from: u64) -> BTreeMap<String, usize> {
    let mut counted = BTreeMap::new();
    for call in calls.iter().filter(|c| c.seq >= from && c.error.is_none()) {
        *counted.entry(call.action.clone()).or_insert(0) += 1;
    }
    counted
}

pub fn next_seq(calls: &[Call]) -> u64 {
    calls.iter().map(|c| c.seq + 1).max().unwrap_or(0)
}

pub fn get<'a>(value: &'a Value, path: &[&str]) -> &'a Value {
    let mut current = value;
    for step in path {
        current = match current {
            Value::Object(map) | Value::Map(map) => map.get(*step).unwrap_or(&Value::Null),
            _ => &Value::Null,
        };
    }
    current
}

pub fn text(value: &Value, path: &[&str]) -> String {
    get(value, path).as_str().unwrap_or_default().to_string()
}

/// HCL for a set of strings.
pub fn list(items: &[String]) -> String {
    format!(
        "[{}]",
        items
            .iter()
            .map(|s| format!("{s:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// Objects of `kind` in the inventory that carry this hub's owner tag or belong to `tgw`.
pub fn ours<'a>(inventory: &'a Json, kind: &str, tgw: &str) -> Vec<&'a Json> {
    inventory[kind]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter(|o| {
                    o["id"] == tgw
                        || o["transit_gateway_id"] == tgw
                        || o["tags"]["migration:owner"] == tgw
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Nothing of the hub `tgw` is left in the emulator.
pub fn assert_nothing_left(inventory: &Json, tgw: &str) {
    for kind in [
        "transit_gateways",
        "transit_gateway_attachments",
        "transit_gateway_route_tables",
        "vpc_routes_to_transit_gateways",
        "ram_resource_shares",
        "dx_gateway_associations",
    ] {
        let left = ours(inventory, kind, tgw);
        assert!(left.is_empty(), "{kind} of {tgw} left behind: {left:#?}");
    }
}

/// `routes` of a state as (route table, destination, network), ordered by table then
/// destination.
pub fn route_entries(value: &Value) -> Vec<(String, String, String)> {
    let mut entries = Vec::new();
    let tables = value.attr("routes").and_then(Value::as_map);
    for (table, entry) in tables.into_iter().flatten() {
        let destinations = entry.attr("destinations").and_then(Value::as_map);
        for (destination, network) in destinations.into_iter().flatten() {
            entries.push((
                table.clone(),
                destination.clone(),
                network.as_str().unwrap_or_default().to_string(),
            ));
        }
    }
    entries
}
