//! `migration_hub_spoke` on real Terraform: the hub account's `migration_hub_network` and the
//! spoke account's `migration_hub_spoke` (a provider alias with the spoke's credentials) in one
//! configuration, `tests/terraform/cases/hub_spoke/`. One apply builds both sides; AWS is read
//! back from the emulator in both accounts.

use std::collections::BTreeSet;

use harness::cli::Cli;
use harness::seed;
use serde_json::json;

use crate::scenario;
use crate::world::{
    ACCOUNT, World, assert_no_changes, assert_nothing_left, delays_with, vpc_routes,
};

pub const SPOKE_ACCOUNT: &str = "222233334444";
pub const SPOKE: &str = "migration_hub_spoke.spoke";
const DATA_CENTER: &str = "192.168.0.0/16";

pub fn scenarios() -> Vec<crate::Scenario> {
    vec![scenario!(
        two_accounts_in_one_apply_then_destroy_the_spoke_then_everything
    )]
}

/// The destinations that route table `table` (in the spoke account) sends to `tgw`.
pub async fn spoke_routes(ec2: &aws_sdk_ec2::Client, table: &str, tgw: &str) -> BTreeSet<String> {
    let tables = ec2
        .describe_route_tables()
        .route_table_ids(table)
        .send()
        .await
        .unwrap();
    tables.route_tables()[0]
        .routes()
        .iter()
        .filter(|r| r.transit_gateway_id() == Some(tgw))
        .filter_map(|r| r.destination_cidr_block().map(str::to_string))
        .collect()
}

/// The two-account world of `tests/terraform/cases/hub_spoke/`: the hub's VPC and Direct
/// Connect gateway in the hub account, the spoke's VPC (two zones) and route table in the spoke
/// account, the variables set and the workspace initialised.
pub struct TwoAccounts {
    pub world: World,
    pub spoke_aws: terraform_provider_migration::config::clients::AwsClients,
    pub hub_vpc: crate::world::Net,
    pub spoke_vpc: String,
    pub spoke_table: String,
}

/// RAM's invitation and the share's propagation take a moment, as in AWS, so the spoke must
/// wait for them.
pub fn two_account_delays(slow: &[(&str, f64)]) -> serde_json::Value {
    let mut delays = vec![
        ("ram_invitation.appear", 0.5),
        ("ram_share.propagation", 1.5),
    ];
    delays.extend_from_slice(slow);
    delays_with(&delays)
}

impl TwoAccounts {
    pub async fn seed(cli: &Cli) -> TwoAccounts {
        let world = World::start(cli, "hub_spoke").await;
        world
            .emulator
            .configure(two_account_delays(&[]))
            .await
            .unwrap();
        let hub_vpc = world.vpc(1, 2, 1).await;
        let dx = world.direct_connect_gateway(65010).await;
        let spoke_aws = world.emulator.clients(SPOKE_ACCOUNT).await.unwrap();
        let spoke_vpc = seed::vpc(&spoke_aws.ec2, "10.50.0.0/16").await.unwrap();
        for (cidr, zone) in [("10.50.0.0/24", "a"), ("10.50.1.0/24", "b")] {
            seed::subnet(&spoke_aws.ec2, &spoke_vpc, cidr, zone)
                .await
                .unwrap();
        }
        let spoke_table = seed::route_table(&spoke_aws.ec2, &spoke_vpc).await.unwrap();
        world.ws.set_vars(&json!({
            "spoke_account": SPOKE_ACCOUNT,
            // The emulator takes a 12-digit access key for that account's credentials.
            "spoke_access_key": SPOKE_ACCOUNT,
            "hub_vpc": hub_vpc.attachment(),
            "data_center_cidrs": [DATA_CENTER],
            "direct_connect_gateway_id": dx,
            "spoke_vpc_id": spoke_vpc,
            "spoke_route_table_ids": [spoke_table],
        }));
        world.ws.init().await;
        TwoAccounts {
            world,
            spoke_aws,
            hub_vpc,
            spoke_vpc,
            spoke_table,
        }
    }
}

async fn two_accounts_in_one_apply_then_destroy_the_spoke_then_everything(cli: Cli) {
    let TwoAccounts {
        world,
        spoke_aws,
        hub_vpc,
        spoke_vpc,
        spoke_table,
    } = TwoAccounts::seed(&cli).await;

    // One apply: the hub shares its gateway, the spoke accepts the invitation, waits for the
    // gateway to reach its account, attaches and routes.
    let applied = world.ws.apply(&[]).await;
    assert!(
        applied.success(),
        "{}",
        applied.report("the two-account apply")
    );
    assert_no_changes(&world.ws, "the two-account apply").await;

    let hub = world
        .ws
        .resource("migration_hub_network.hub")
        .await
        .unwrap();
    let tgw = hub["id"].as_str().unwrap().to_string();
    let spoke = world.ws.resource(SPOKE).await.unwrap();
    assert_eq!(spoke["attachment_state"], "available");
    assert_eq!(spoke["transit_gateway_owner_id"], ACCOUNT);
    assert!(
        spoke["share_invitation_arn"]
            .as_str()
            .is_some_and(|arn| arn.starts_with("arn:aws:ram:")),
        "{spoke:#}"
    );
    // The spoke's VPC reaches the hub's VPC and the data center, through the hub's gateway.
    assert_eq!(
        spoke_routes(&spoke_aws.ec2, &spoke_table, &tgw).await,
        BTreeSet::from([hub_vpc.cidr.clone(), DATA_CENTER.to_string()])
    );
    // The hub sees the spoke's attachment, available (its gateway accepts shared attachments
    // by default).
    let hub_inventory = world.inventory().await;
    let attachments: Vec<_> = crate::world::objects(&hub_inventory, "transit_gateway_attachments")
        .into_iter()
        .filter(|a| a["resource_id"] == spoke_vpc.as_str())
        .collect();
    assert_eq!(attachments.len(), 1, "{hub_inventory:#}");
    assert_eq!(attachments[0]["state"], "available");
    let hub_routes = vpc_routes(&hub_inventory, &tgw);

    // Destroying the spoke leaves the hub as it was.
    let target = format!("-target={SPOKE}");
    let destroyed = world.ws.destroy(&[&target]).await;
    assert!(
        destroyed.success(),
        "{}",
        destroyed.report("destroying the spoke")
    );
    assert!(world.ws.resource(SPOKE).await.is_none());
    assert!(
        spoke_routes(&spoke_aws.ec2, &spoke_table, &tgw)
            .await
            .is_empty()
    );
    let hub_inventory = world.inventory().await;
    assert_eq!(vpc_routes(&hub_inventory, &tgw), hub_routes);
    let gateways = crate::world::ours(&hub_inventory, "transit_gateways", &tgw);
    assert_eq!(gateways.len(), 1);
    assert_eq!(gateways[0]["state"], "available");
    assert_eq!(
        crate::world::objects(&hub_inventory, "ram_resource_shares").len(),
        1,
        "the hub's share is untouched"
    );
    assert!(
        crate::world::objects(&hub_inventory, "transit_gateway_attachments")
            .iter()
            .all(|a| a["resource_id"] != spoke_vpc.as_str()),
        "the spoke's attachment is gone"
    );

    // Destroying everything leaves nothing in either account.
    let destroyed = world.ws.destroy(&[]).await;
    assert!(
        destroyed.success(),
        "{}",
        destroyed.report("destroying everything")
    );
    assert_nothing_left(&world.inventory().await);
    assert_nothing_left(&world.emulator.inventory(SPOKE_ACCOUNT).await.unwrap());
}
