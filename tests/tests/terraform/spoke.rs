//! `migration_hub_spoke` on real Terraform: the hub account's `migration_hub_network` and the
//! spoke account's `migration_hub_spoke` (a provider alias with the spoke's credentials) in one
//! configuration, `tests/terraform/cases/hub_spoke/`. One apply builds both sides; AWS is read
//! back from the emulator in both accounts.

use std::collections::BTreeSet;

use harness::cli::Cli;
use harness::seed;
use serde_json::json;
use terraform_provider_migration::config::clients::AwsClients;

use crate::scenario;
use crate::world::{
    ACCOUNT, World, assert_no_changes, assert_nothing_left, delays_with, vpc_routes,
};

pub const SPOKE_ACCOUNT: &str = "222233334444";
pub const SPOKE: &str = "migration_hub_spoke.spoke";
const DATA_CENTER: &str = "192.168.0.0/16";

pub fn scenarios() -> Vec<crate::Scenario> {
    vec![
        scenario!(two_accounts_in_one_apply_then_destroy_the_spoke_then_everything),
        scenario!(replace_without_create_before_destroy_makes_a_new_attachment),
        scenario!(create_before_destroy_replacement_hands_the_attachment_over),
    ]
}

/// The spoke VPC's attachments as the hub account's inventory lists them: (id, state).
async fn spoke_attachments(world: &World, spoke_vpc: &str) -> Vec<(String, String)> {
    crate::world::objects(&world.inventory().await, "transit_gateway_attachments")
        .into_iter()
        .filter(|a| a["resource_id"] == spoke_vpc)
        .map(|a| {
            (
                a["id"].as_str().unwrap_or_default().to_string(),
                a["state"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// `text` with every run of whitespace one space, as diagnostics read once unwrapped.
fn words(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The hub's gateway and the spoke's attachment, from the state.
async fn gateway_and_attachment(world: &World) -> (String, String) {
    let hub = world
        .ws
        .resource("migration_hub_network.hub")
        .await
        .unwrap();
    let spoke = world
        .ws
        .resource(SPOKE)
        .await
        .expect("the spoke is in state");
    (
        hub["id"].as_str().unwrap().to_string(),
        spoke["id"].as_str().unwrap().to_string(),
    )
}

/// The attachment's ownership tag, as the spoke account sees it.
async fn owner_tag(spoke_aws: &AwsClients, attachment: &str) -> Option<String> {
    let found = spoke_aws
        .ec2
        .describe_transit_gateway_vpc_attachments()
        .transit_gateway_attachment_ids(attachment)
        .send()
        .await
        .unwrap();
    found.transit_gateway_vpc_attachments()[0]
        .tags()
        .iter()
        .find(|t| t.key() == Some("migration:spoke-owner"))
        .and_then(|t| t.value().map(str::to_string))
}

/// `terraform apply -replace` of the spoke as written (delete, then create): the old attachment
/// and its routes go, a new attachment comes up available with the routes, and nothing of the
/// old one is left in either account; the plan after is empty.
async fn replace_without_create_before_destroy_makes_a_new_attachment(cli: Cli) {
    let two = TwoAccounts::seed(&cli).await;
    let world = &two.world;
    world.ws.apply(&[]).await.ok();
    let (tgw, old) = gateway_and_attachment(world).await;

    let replaced = world.ws.apply(&[&format!("-replace={SPOKE}")]).await.ok();
    assert!(
        replaced
            .stdout
            .contains("Resources: 1 added, 0 changed, 1 destroyed"),
        "{}",
        replaced.report("replaces the spoke")
    );
    let (_, new) = gateway_and_attachment(world).await;
    assert_ne!(new, old, "a new attachment");
    assert_eq!(
        spoke_attachments(world, &two.spoke_vpc).await,
        vec![(new.clone(), "available".to_string())],
        "the new attachment only, available: nothing of the old one"
    );
    assert_eq!(
        spoke_routes(&two.spoke_aws.ec2, &two.spoke_table, &tgw).await,
        BTreeSet::from([two.hub_vpc.cidr.clone(), DATA_CENTER.to_string()])
    );
    assert_no_changes(&world.ws, "the replacement").await;
}

/// `lifecycle { create_before_destroy = true }` and `terraform apply -replace`: AWS allows one
/// attachment per VPC and gateway, so the new instance must take the old one's over, which
/// `take_over = true` says. The new instance claims the attachment (its owner tag rewritten),
/// the old instance's destroy leaves it and its routes (a warning says so), and a watcher
/// polling the spoke account all through the apply never sees the attachment unavailable or a
/// route missing. Nothing is created or deleted; the plan after is empty.
///
/// Then without `take_over`: the apply's own plan of the new instance refuses (its first plan
/// cannot tell: Terraform hands it the replaced instance's private data, but not whether
/// `create_before_destroy` is set) before anything changes in AWS; the old object stays,
/// deposed, with its attachment and routes; setting `take_over = true` and applying finishes
/// the replacement the same way.
async fn create_before_destroy_replacement_hands_the_attachment_over(cli: Cli) {
    let two = TwoAccounts::seed(&cli).await;
    let world = &two.world;
    let ws = &world.ws;
    let override_with = |take_over: &str| {
        ws.write(
            "replace_override.tf",
            &format!(
                "resource \"migration_hub_spoke\" \"spoke\" {{\n{take_over}  lifecycle {{\n    \
                 create_before_destroy = true\n  }}\n}}\n"
            ),
        );
    };
    override_with("  take_over = true\n");
    ws.apply(&[]).await.ok();
    let (tgw, attachment) = gateway_and_attachment(world).await;
    let first_claim = owner_tag(&two.spoke_aws, &attachment)
        .await
        .expect("claimed");
    let replace = format!("-replace={SPOKE}");
    let wanted = BTreeSet::from([two.hub_vpc.cidr.clone(), DATA_CENTER.to_string()]);
    let before = world.emulator.calls(SPOKE_ACCOUNT).await.unwrap().len();

    let done = std::sync::atomic::AtomicBool::new(false);
    let watch = async {
        let mut polls = 0;
        let mut gaps = Vec::new();
        while !done.load(std::sync::atomic::Ordering::SeqCst) {
            let found = two
                .spoke_aws
                .ec2
                .describe_transit_gateway_vpc_attachments()
                .transit_gateway_attachment_ids(&attachment)
                .send()
                .await
                .unwrap();
            let state = found
                .transit_gateway_vpc_attachments()
                .first()
                .and_then(|a| a.state())
                .map(|s| s.as_str().to_string())
                .unwrap_or_else(|| "missing".to_string());
            let routes = spoke_routes(&two.spoke_aws.ec2, &two.spoke_table, &tgw).await;
            if state != "available" || routes != wanted {
                gaps.push(format!("{state}, routes {routes:?}"));
            }
            polls += 1;
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
        (polls, gaps)
    };
    let apply = async {
        let applied = ws.apply(&[&replace]).await;
        done.store(true, std::sync::atomic::Ordering::SeqCst);
        applied
    };
    let (applied, (polls, gaps)) = tokio::join!(apply, watch);
    let applied = applied.ok();
    assert!(
        applied
            .stdout
            .contains("Resources: 1 added, 0 changed, 1 destroyed"),
        "{}",
        applied.report("replaces the spoke")
    );
    assert!(polls > 1, "the watcher polled during the apply ({polls})");
    assert_eq!(
        gaps,
        Vec::<String>::new(),
        "moments without the attachment or a route"
    );
    let output = words(&applied.output());
    for said in [
        "Taking over a spoke attachment from another instance",
        "Left to another instance",
    ] {
        assert!(output.contains(said), "{said}: {}", applied.report("warns"));
    }
    let during: Vec<String> = world.emulator.calls(SPOKE_ACCOUNT).await.unwrap()[before..]
        .iter()
        .map(|c| c.action.clone())
        .filter(|a| {
            [
                "CreateTransitGatewayVpcAttachment",
                "DeleteTransitGatewayVpcAttachment",
                "CreateRoute",
                "DeleteRoute",
            ]
            .contains(&a.as_str())
        })
        .collect();
    assert_eq!(during, Vec::<String>::new(), "nothing created or deleted");
    let (_, now) = gateway_and_attachment(world).await;
    assert_eq!(now, attachment, "the same attachment, handed over");
    assert_ne!(
        owner_tag(&two.spoke_aws, &attachment).await,
        Some(first_claim),
        "claimed by the new instance"
    );
    assert_eq!(
        spoke_attachments(world, &two.spoke_vpc).await,
        vec![(attachment.clone(), "available".to_string())]
    );
    assert_eq!(
        spoke_routes(&two.spoke_aws.ec2, &two.spoke_table, &tgw).await,
        wanted
    );
    assert_no_changes(ws, "the replacement").await;

    // Without take_over (set back in place): refused before anything changes in AWS.
    override_with("");
    ws.apply(&[]).await.ok();
    let claim = owner_tag(&two.spoke_aws, &attachment).await;
    let refused = ws.apply(&[&replace]).await.failed();
    // Terraform wraps a diagnostic's detail at spaces.
    let output = words(&refused.output());
    for needed in [
        "Spoke attachment owned by another instance",
        attachment.as_str(),
        "create_before_destroy",
        "take_over = true",
    ] {
        assert!(
            output.contains(needed),
            "{needed}: {}",
            refused.report("refuses the replacement without take_over")
        );
    }
    assert_eq!(
        spoke_attachments(world, &two.spoke_vpc).await,
        vec![(attachment.clone(), "available".to_string())],
        "the refused replacement changed nothing"
    );
    assert_eq!(owner_tag(&two.spoke_aws, &attachment).await, claim);
    assert_eq!(
        spoke_routes(&two.spoke_aws.ec2, &two.spoke_table, &tgw).await,
        wanted
    );
    override_with("  take_over = true\n");
    let finished = ws.apply(&[]).await.ok();
    assert!(
        finished
            .stdout
            .contains("Resources: 1 added, 0 changed, 1 destroyed"),
        "{}",
        finished.report("take_over finishes the replacement")
    );
    assert_eq!(gateway_and_attachment(world).await.1, attachment);
    assert_ne!(owner_tag(&two.spoke_aws, &attachment).await, claim);
    assert_eq!(
        spoke_attachments(world, &two.spoke_vpc).await,
        vec![(attachment.clone(), "available".to_string())]
    );
    assert_eq!(
        spoke_routes(&two.spoke_aws.ec2, &two.spoke_table, &tgw).await,
        wanted
    );
    assert_no_changes(ws, "the finished replacement").await;
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
