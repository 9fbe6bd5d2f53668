//! One scenario's world: a fresh emulator with short state delays, the provider's AWS clients
//! for the account Terraform acts as, and a working directory whose `terraform` talks to that
//! emulator through the standard AWS environment variables (as a CI job would).

use harness::cli::{Cli, Workspace};
use harness::emulator::{Call, Emulator};
use serde_json::{Value as Json, json};
use terraform_provider_migration::config::clients::AwsClients;

/// The account Terraform and the provider act as.
pub const ACCOUNT: &str = "111122223333";

pub struct World {
    pub emulator: Emulator,
    pub aws: AwsClients,
    pub ws: Workspace,
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
        "client_vpn_rule.authorizing": 0.2,
        "client_vpn_rule.revoking": 0.2,
        "client_vpn_route.creating": 0.2,
        "client_vpn_route.deleting": 0.2,
    }})
}

/// The environment of a Terraform run acting as `account` against `emulator`.
pub fn aws_env(emulator: &Emulator, account: &str) -> Vec<(String, String)> {
    let mut env = emulator.provider_env(account);
    env.push(("AWS_ENDPOINT_URL".into(), emulator.url.clone()));
    env
}

impl World {
    /// A world whose working directory holds the configuration of `case`.
    pub async fn start(cli: &Cli, case: &str) -> World {
        let world = World::empty(cli, case).await;
        world.ws.use_case(case);
        world
    }

    /// A world with an empty working directory named after `name`.
    pub async fn empty(cli: &Cli, name: &str) -> World {
        let emulator = Emulator::start().await.expect("emulator starts");
        emulator.configure(small_delays()).await.unwrap();
        let aws = emulator.clients(ACCOUNT).await.expect("clients");
        let ws = Workspace::new(cli, name, &aws_env(&emulator, ACCOUNT));
        World { emulator, aws, ws }
    }

    /// Every live object of the account, per kind.
    pub async fn inventory(&self) -> Json {
        self.emulator.inventory(ACCOUNT).await.expect("inventory")
    }

    /// The AWS calls made so far.
    pub async fn calls(&self) -> Vec<Call> {
        self.emulator.calls(ACCOUNT).await.expect("call record")
    }

    /// Waits until the call record holds a call of `action` (the provider reached that
    /// step), polling every 50 ms for up to a minute.
    pub async fn wait_for_call(&self, action: &str) {
        for _ in 0..1200 {
            if self.calls().await.iter().any(|c| c.action == action) {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("no {action} call within a minute");
    }
}

/// The objects of `kind` in an inventory.
pub fn objects<'a>(inventory: &'a Json, kind: &str) -> Vec<&'a Json> {
    inventory[kind]
        .as_array()
        .map(|a| a.iter().collect())
        .unwrap_or_default()
}

/// Kinds the provider creates, and how many of each `inventory` holds.
pub fn created_counts(inventory: &Json) -> Vec<(String, usize)> {
    const CREATED: &[&str] = &[
        "transit_gateways",
        "transit_gateway_attachments",
        "transit_gateway_route_tables",
        "vpc_routes_to_transit_gateways",
        "ram_resource_shares",
        "dx_gateway_associations",
        "client_vpn_authorization_rules",
    ];
    CREATED
        .iter()
        .map(|kind| (kind.to_string(), objects(inventory, kind).len()))
        .collect()
}
