//! `migration_hub_spoke` with two accounts: the hub account (111122223333) owns a Transit
//! Gateway and shares it over RAM, made here through the provider's shared finders as the hub
//! resource makes them; the spoke account (222233334444) runs the spoke resource through the
//! harness playing Terraform core. Joining with an invitation and inside an Organization, the
//! hub accepting (or never accepting) the attachment, a missing share, overlapping networks,
//! adoption after a lost apply, import, and a destroy that leaves the hub as it was.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use harness::emulator::Emulator;
use harness::{LaunchOptions, Terraform, seed};
use serde_json::json;
use terraform_provider_migration::aws::Tags;
use terraform_provider_migration::aws::call::Aws;
use terraform_provider_migration::aws::ec2::transit_gateway::TransitGatewaySpec;
use terraform_provider_migration::aws::retry::Budget;
use terraform_provider_migration::aws::waiter::{poll, wait_until};
use terraform_provider_migration::config::clients::AwsClients;
use terraform_provider_migration::protocol::cty::{Path, Value};
use tokio_util::sync::CancellationToken;

use crate::hub_network_support::{assert_no_changes, changed_attributes, get, text};

const HUB: &str = "111122223333";
const SPOKE: &str = "222233334444";
const ADDRESS: &str = "migration_hub_spoke.spoke";
/// The hub's networks the spoke routes to (they exist in the hub account; the spoke only
/// names them).
const HUB_NETWORKS: [&str; 2] = ["10.1.0.0/16", "192.168.0.0/16"];

struct Spoke {
    vpc: String,
    subnets: Vec<String>,
    table: String,
}

struct World {
    emulator: Emulator,
    hub: AwsClients,
    spoke: AwsClients,
    budget: Budget,
    tf: Terraform,
}

impl World {
    async fn start(organization: bool) -> World {
        let emulator = Emulator::start().await.expect("emulator starts");
        let mut config = json!({"delays": {
            "transit_gateway.pending": 0.2,
            "vpc_attachment.pending": 0.3,
            "vpc_attachment.deleting": 0.2,
            "ram_association.associating": 0.3,
            "ram_invitation.appear": 0.3,
            "ram_share.propagation": 1.0,
        }});
        if organization {
            config["organizations"] = json!({"o-exampleorgid1": {
                "management_account": HUB,
                "accounts": [SPOKE],
                "ram_sharing_enabled": true,
            }});
        }
        emulator.configure(config).await.unwrap();
        let hub = emulator.clients(HUB).await.unwrap();
        let spoke = emulator.clients(SPOKE).await.unwrap();
        let tf = Terraform::new(LaunchOptions {
            env: {
                let mut env = emulator.provider_env(SPOKE);
                env.push(("TF_LOG_PROVIDER".into(), "DEBUG".into()));
                env
            },
            ..Default::default()
        });
        World {
            emulator,
            hub,
            spoke,
            budget: Budget::new(Duration::from_secs(120), CancellationToken::new(), 3),
            tf,
        }
    }

    fn hub_aws(&self) -> Aws<'_> {
        Aws::new(&self.hub, &self.budget)
    }

    /// The hub's gateway, available.
    async fn gateway(&self, auto_accept: bool) -> String {
        let hub = self.hub_aws();
        let tgw = hub
            .create_transit_gateway(&TransitGatewaySpec {
                description: Some("hub".into()),
                amazon_side_asn: 64512,
                auto_accept_shared_attachments: auto_accept,
                default_route_table_association: true,
                default_route_table_propagation: true,
                dns_support: true,
                vpn_ecmp_support: true,
                cidr_blocks: BTreeSet::new(),
                tags: Tags::from([("Name".to_string(), "hub".to_string())]),
            })
            .await
            .unwrap();
        wait_until(&self.budget, "the hub", || async {
            poll(hub.transit_gateway_available(&tgw.id).await)
        })
        .await
        .unwrap();
        tgw.id
    }

    /// Shares the gateway with the spoke account; answers the share's ARN.
    async fn share(&self, tgw_id: &str) -> String {
        let hub = self.hub_aws();
        let tgw = hub.find_transit_gateway(tgw_id).await.unwrap().unwrap();
        hub.create_share(
            "hub",
            &tgw.arn,
            &BTreeSet::from([SPOKE.to_string()]),
            true,
            &Tags::new(),
            &format!("share-{tgw_id}"),
        )
        .await
        .unwrap()
    }

    /// Shares the gateway inside the Organization and waits until the spoke account sees it,
    /// as a spoke's plan finds it once RAM has propagated the share (seconds after the hub's
    /// apply). A plan inside that window is the "not shared" error: no invitation exists in an
    /// Organization, and nothing else tells the spoke that a share is on its way.
    async fn share_with_the_organization(&self, tgw_id: &str) -> String {
        let share = self.share(tgw_id).await;
        let spoke_aws = Aws::new(&self.spoke, &self.budget);
        wait_until(&self.budget, "the shared gateway", || async {
            poll(Ok(match spoke_aws.find_transit_gateway(tgw_id).await {
                Ok(Some(t)) => terraform_provider_migration::aws::waiter::Poll::Done(t),
                _ => terraform_provider_migration::aws::waiter::Poll::Pending("not yet".into()),
            }))
        })
        .await
        .unwrap();
        share
    }

    /// The spoke VPC 10.50.0.0/16: subnets in zones a, b and a second one in a, one route
    /// table.
    async fn spoke_vpc(&self) -> Spoke {
        let ec2 = &self.spoke.ec2;
        let vpc = seed::vpc(ec2, "10.50.0.0/16").await.unwrap();
        let mut subnets = Vec::new();
        for (cidr, zone) in [
            ("10.50.0.0/24", "a"),
            ("10.50.1.0/24", "b"),
            ("10.50.2.0/24", "a"),
        ] {
            subnets.push(seed::subnet(ec2, &vpc, cidr, zone).await.unwrap());
        }
        let table = seed::route_table(ec2, &vpc).await.unwrap();
        Spoke {
            vpc,
            subnets,
            table,
        }
    }

    fn config(&self, tgw_id: &str, spoke: &Spoke, extra: &str) -> String {
        format!(
            "{}\nresource \"migration_hub_spoke\" \"spoke\" {{\n  transit_gateway_id = \"{tgw_id}\"\n  vpc_id = \"{}\"\n  route_table_ids = [\"{}\"]\n  hub_cidr_blocks = [{}]\n{extra}\n}}\n",
            self.emulator.provider_block(""),
            spoke.vpc,
            spoke.table,
            HUB_NETWORKS.map(|c| format!("\"{c}\"")).join(", ")
        )
    }

    /// Routes of the spoke's table, as (destination, target).
    async fn routes(&self, table: &str) -> BTreeSet<(String, String)> {
        let tables = self
            .spoke
            .ec2
            .describe_route_tables()
            .route_table_ids(table)
            .send()
            .await
            .unwrap();
        tables.route_tables()[0]
            .routes()
            .iter()
            .filter_map(|r| {
                Some((
                    r.destination_cidr_block()?.to_string(),
                    r.transit_gateway_id()
                        .or(r.gateway_id())
                        .unwrap_or_default()
                        .to_string(),
                ))
            })
            .collect()
    }

    /// The attachments of the gateway as the hub sees them: (id, state).
    async fn hub_sees(&self, tgw_id: &str) -> Vec<(String, String)> {
        self.hub_aws()
            .vpc_attachments(tgw_id)
            .await
            .unwrap()
            .into_iter()
            .map(|a| (a.id, a.state))
            .collect()
    }

    async fn spoke_calls(&self, action: &str) -> usize {
        self.emulator
            .calls(SPOKE)
            .await
            .unwrap()
            .iter()
            .filter(|c| c.action == action)
            .count()
    }

    /// The spoke account's calls by action since the call record was last cleared.
    async fn spoke_call_counts(&self) -> BTreeMap<String, usize> {
        let mut counts = BTreeMap::new();
        for call in self.emulator.calls(SPOKE).await.unwrap() {
            *counts.entry(call.action).or_insert(0) += 1;
        }
        counts
    }

    fn state(&self) -> Value {
        self.tf.state_value(ADDRESS).expect("the spoke is in state")
    }

    /// Another Terraform with its own state, as a second workspace or a replacement's new
    /// instance sees the world.
    fn second_terraform(&self) -> Terraform {
        Terraform::new(LaunchOptions {
            env: self.emulator.provider_env(SPOKE),
            ..Default::default()
        })
    }

    /// The attachment's ownership tag (`migration:spoke-owner`), as the spoke account sees it.
    async fn owner_tag(&self, attachment: &str) -> Option<String> {
        Aws::new(&self.spoke, &self.budget)
            .vpc_attachments_by_id(&[attachment.to_string()])
            .await
            .unwrap()
            .into_iter()
            .next()
            .expect("the attachment exists")
            .tags
            .get("migration:spoke-owner")
            .cloned()
    }

    /// Applies and insists on success and on an empty plan right after.
    async fn converge(&mut self, config: &str) {
        let applied = self.tf.apply(config).await.unwrap();
        assert!(!applied.has_errors(), "{:#?}", applied.errors());
        let again = self.tf.plan(config).await.unwrap();
        assert!(!again.has_errors(), "{:#?}", again.errors());
        assert_no_changes(&again);
    }

    /// The hub as it must stay whatever the spoke does: its gateway available, still shared.
    async fn assert_hub_intact(&self, tgw_id: &str) {
        let hub = self.hub_aws();
        let tgw = hub
            .find_transit_gateway(tgw_id)
            .await
            .unwrap()
            .expect("the hub's gateway");
        assert_eq!(tgw.state, "available");
        let shares = hub.shares_containing(&tgw.arn).await.unwrap();
        assert_eq!(shares.len(), 1, "the hub's share is untouched");
    }
}

fn routes_to(tgw_id: &str, table: &str) -> Value {
    Value::Map(
        [(
            table.to_string(),
            Value::Map(
                HUB_NETWORKS
                    .iter()
                    .map(|c| (c.to_string(), Value::string(tgw_id)))
                    .collect(),
            ),
        )]
        .into(),
    )
}

#[tokio::test]
async fn joins_with_an_invitation_routes_replans_empty_and_leaves_the_hub_intact() {
    let mut world = World::start(false).await;
    let tgw = world.gateway(true).await;
    let share = world.share(&tgw).await;
    let spoke = world.spoke_vpc().await;
    let config = world.config(
        &tgw,
        &spoke,
        &format!("  resource_share_arn = \"{share}\"\n  tags = {{ team = \"migration\" }}"),
    );

    // At plan the gateway is not visible yet: the plan says the invitation will be accepted.
    let plan = world.tf.plan(&config).await.unwrap();
    assert!(!plan.has_errors(), "{:#?}", plan.errors());
    assert!(
        plan.warnings()
            .iter()
            .any(|w| w.summary == "Share invitation to accept"),
        "{:#?}",
        plan.warnings()
    );
    world.converge(&config).await;

    let state = world.state();
    let attachment = text(&state, &["id"]);
    assert!(attachment.starts_with("tgw-attach-"), "{attachment}");
    assert_eq!(text(&state, &["attachment_state"]), "available");
    assert_eq!(text(&state, &["transit_gateway_owner_id"]), HUB);
    assert!(text(&state, &["share_invitation_arn"]).starts_with("arn:aws:ram:"));
    // One subnet per zone, the lowest id in zone a.
    let chosen = get(&state, &["subnet_ids"]);
    let expected_a = spoke.subnets[0].clone().min(spoke.subnets[2].clone());
    assert_eq!(
        chosen,
        &Value::Set(
            [expected_a, spoke.subnets[1].clone()]
                .into_iter()
                .collect::<BTreeSet<_>>()
                .into_iter()
                .map(Value::String)
                .collect()
        )
    );
    assert_eq!(get(&state, &["routes"]), &routes_to(&tgw, &spoke.table));
    assert_eq!(
        get(&state, &["tags_all"]),
        &Value::Map([("team".to_string(), Value::string("migration"))].into())
    );
    // In AWS: the spoke's table routes the hub's networks to the gateway; the hub sees the
    // attachment available.
    let routes = world.routes(&spoke.table).await;
    for network in HUB_NETWORKS {
        assert!(
            routes.contains(&(network.to_string(), tgw.clone())),
            "{routes:?}"
        );
    }
    assert_eq!(
        world.hub_sees(&tgw).await,
        vec![(attachment.clone(), "available".to_string())]
    );

    // Import by attachment id gives the same state: the plan after it is empty.
    assert!(world.tf.forget(ADDRESS));
    let imported = world
        .tf
        .import(&config, ADDRESS, &attachment)
        .await
        .unwrap();
    assert!(
        imported.iter().all(|(_, d)| d.severity
            != terraform_provider_migration::protocol::diagnostics::Severity::Error),
        "{imported:#?}"
    );
    // The share an invitation came from cannot be told from the spoke's side once accepted:
    // the plan after the import sets resource_share_arn and nothing else, and applying it
    // calls nothing that changes AWS.
    let after_import = world.tf.plan(&config).await.unwrap();
    assert!(!after_import.has_errors(), "{:#?}", after_import.errors());
    let change = after_import.change(ADDRESS).unwrap();
    assert_eq!(
        changed_attributes(&change.prior, &change.planned)
            .iter()
            .map(|c| c.split(':').next().unwrap())
            .collect::<Vec<_>>(),
        ["resource_share_arn"]
    );
    world.emulator.clear_calls().await.unwrap();
    world.converge(&config).await;
    let mutations: Vec<String> = world
        .emulator
        .calls(SPOKE)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.action)
        .filter(|a| !a.starts_with("Describe") && !a.starts_with("Get"))
        .collect();
    assert!(mutations.is_empty(), "{mutations:?}");

    // Destroy: the spoke's routes and attachment go; the hub stays as it was.
    let destroyed = world.tf.destroy(&config).await.unwrap();
    assert!(!destroyed.has_errors(), "{:#?}", destroyed.errors());
    assert!(world.tf.state_value(ADDRESS).is_none());
    let routes = world.routes(&spoke.table).await;
    assert!(
        routes.iter().all(|(_, target)| target != &tgw),
        "{routes:?}"
    );
    assert!(world.hub_sees(&tgw).await.is_empty());
    world.assert_hub_intact(&tgw).await;
}

#[tokio::test]
async fn joins_inside_an_organization_without_looking_for_an_invitation() {
    let mut world = World::start(true).await;
    let tgw = world.gateway(true).await;
    world.share_with_the_organization(&tgw).await;
    let spoke = world.spoke_vpc().await;
    let config = world.config(&tgw, &spoke, "");
    world.converge(&config).await;
    let state = world.state();
    assert_eq!(state.attr("share_invitation_arn"), Some(&Value::Null));
    assert_eq!(text(&state, &["attachment_state"]), "available");
    assert_eq!(get(&state, &["routes"]), &routes_to(&tgw, &spoke.table));
    assert_eq!(
        world.spoke_calls("GetResourceShareInvitations").await,
        0,
        "a gateway the account sees needs no invitation, nor the permission to list them"
    );
    let destroyed = world.tf.destroy(&config).await.unwrap();
    assert!(!destroyed.has_errors(), "{:#?}", destroyed.errors());
    world.assert_hub_intact(&tgw).await;
}

/// Each provider process reads the gateway, VPC, subnets and route tables once: the plan
/// takes what its refresh just read, and the apply what its re-plan just read
/// (`framework::recent`). Counted by action from the emulator's call record, so a second read
/// coming back fails here.
#[tokio::test]
async fn each_process_reads_the_spokes_surroundings_once() {
    let mut world = World::start(true).await;
    let tgw = world.gateway(true).await;
    world.share_with_the_organization(&tgw).await;
    let spoke = world.spoke_vpc().await;
    let config = world.config(&tgw, &spoke, "");

    world.emulator.clear_calls().await.unwrap();
    let applied = world.tf.apply(&config).await.unwrap();
    assert!(!applied.has_errors(), "{:#?}", applied.errors());
    let create = world.spoke_call_counts().await;
    // Two processes (the plan, and the apply's re-plan then apply): one read of each per
    // process, none by the apply after its re-plan.
    for action in ["DescribeVpcs", "DescribeSubnets", "DescribeRouteTables"] {
        assert_eq!(create.get(action), Some(&2), "{action}: {create:#?}");
    }
    // The VPC's attachments, listed to find before creating: by the plan and the re-plan twice
    // each (the ownership check's read of what a create would start from, and the search for
    // what an interrupted create left), by the apply once (the search; its start reuses the
    // re-plan's read). The apply's other calls of this action poll the new attachment by id.
    let listings = world
        .emulator
        .calls(SPOKE)
        .await
        .unwrap()
        .into_iter()
        .filter(|c| {
            c.action == "DescribeTransitGatewayVpcAttachments"
                && c.params.to_string().contains(&spoke.vpc)
        })
        .count();
    assert_eq!(listings, 5, "{create:#?}");

    // The first refresh confirms the attachment (one DeleteTags, once in its life); the plan
    // after it is the steady state.
    let first = world.tf.plan(&config).await.unwrap();
    assert_no_changes(&first);
    world.emulator.clear_calls().await.unwrap();
    let plan = world.tf.plan(&config).await.unwrap();
    assert!(!plan.has_errors(), "{:#?}", plan.errors());
    assert_no_changes(&plan);
    let no_op = world.spoke_call_counts().await;
    let expected: BTreeMap<String, usize> = [
        "GetCallerIdentity",
        "DescribeTransitGatewayVpcAttachments",
        "DescribeTransitGateways",
        "DescribeVpcs",
        "DescribeSubnets",
        "DescribeRouteTables",
    ]
    .into_iter()
    .map(|action| (action.to_string(), 1))
    .collect();
    assert_eq!(no_op, expected, "the plan reads nothing its refresh read");
}

#[tokio::test]
async fn pending_acceptance_is_waited_through_until_the_hub_accepts() {
    let mut world = World::start(false).await;
    let tgw = world.gateway(false).await;
    let share = world.share(&tgw).await;
    let spoke = world.spoke_vpc().await;
    let config = world.config(&tgw, &spoke, &format!("  resource_share_arn = \"{share}\""));
    // The hub account accepts the attachment once it is pendingAcceptance, a few seconds
    // after the spoke's apply started waiting.
    let hub = world.hub.clone();
    let tgw_for_hub = tgw.clone();
    let accepter = tokio::spawn(async move {
        loop {
            let found = hub
                .ec2
                .describe_transit_gateway_vpc_attachments()
                .send()
                .await
                .unwrap();
            let pending = found.transit_gateway_vpc_attachments().iter().find(|a| {
                a.transit_gateway_id() == Some(tgw_for_hub.as_str())
                    && a.state().map(|s| s.as_str()) == Some("pendingAcceptance")
            });
            if let Some(attachment) = pending {
                let id = attachment
                    .transit_gateway_attachment_id()
                    .unwrap()
                    .to_string();
                tokio::time::sleep(Duration::from_secs(2)).await;
                hub.ec2
                    .accept_transit_gateway_vpc_attachment()
                    .transit_gateway_attachment_id(&id)
                    .send()
                    .await
                    .unwrap();
                return id;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    });
    let plan = world.tf.plan(&config).await.unwrap();
    assert!(!plan.has_errors(), "{:#?}", plan.errors());
    world.converge(&config).await;
    let accepted = accepter.await.unwrap();
    let state = world.state();
    assert_eq!(text(&state, &["id"]), accepted);
    assert_eq!(text(&state, &["attachment_state"]), "available");
    // The wait polled while the attachment was pendingAcceptance, and the routes came after.
    assert!(
        world
            .spoke_calls("DescribeTransitGatewayVpcAttachments")
            .await
            > 2
    );
    let routes = world.routes(&spoke.table).await;
    assert!(
        routes.contains(&(HUB_NETWORKS[0].to_string(), tgw.clone())),
        "{routes:?}"
    );
}

#[tokio::test]
async fn an_attachment_the_hub_never_accepts_times_out_with_a_readable_error() {
    let mut world = World::start(false).await;
    let tgw = world.gateway(false).await;
    let share = world.share(&tgw).await;
    let spoke = world.spoke_vpc().await;
    let config = world.config(
        &tgw,
        &spoke,
        &format!("  resource_share_arn = \"{share}\"\n  acceptance_timeout = \"3s\""),
    );
    let plan = world.tf.plan(&config).await.unwrap();
    assert!(
        plan.warnings()
            .iter()
            .all(|w| w.summary != "The hub must accept this attachment"),
        "the gateway is not visible at plan, so the plan cannot tell yet"
    );
    let applied = world.tf.apply(&config).await.unwrap();
    let errors = applied.errors();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    let detail = &errors[0].detail;
    assert!(
        detail.contains("did not accept attachment tgw-attach-")
            && detail.contains("pendingAcceptance")
            && detail.contains("acceptance_timeout"),
        "{detail}"
    );
    // No route was made through an attachment that goes nowhere, and the partial state holds
    // the attachment so that nothing is forgotten.
    let routes = world.routes(&spoke.table).await;
    assert!(
        routes.iter().all(|(_, target)| target != &tgw),
        "{routes:?}"
    );
    let state = world.state();
    assert_eq!(text(&state, &["attachment_state"]), "pendingAcceptance");
    let destroyed = world.tf.destroy(&config).await.unwrap();
    assert!(!destroyed.has_errors(), "{:#?}", destroyed.errors());
    assert!(world.hub_sees(&tgw).await.is_empty());
}

#[tokio::test]
async fn a_gateway_not_shared_with_the_account_is_a_plan_time_error() {
    let mut world = World::start(false).await;
    let tgw = world.gateway(true).await;
    let spoke = world.spoke_vpc().await;
    let config = world.config(&tgw, &spoke, "");
    let plan = world.tf.plan(&config).await.unwrap();
    let errors = plan.errors();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(
        errors[0].summary,
        "Transit Gateway not shared with this account"
    );
    assert!(
        errors[0].detail.contains(&tgw) && errors[0].detail.contains(SPOKE),
        "{}",
        errors[0].detail
    );
    assert_eq!(
        errors[0]
            .attribute
            .as_ref()
            .map(|p| p.to_string())
            .as_deref(),
        Some("transit_gateway_id")
    );
    assert_eq!(
        world.spoke_calls("CreateTransitGatewayVpcAttachment").await,
        0
    );
}

/// In one configuration holding both sides, Terraform plans the spoke again the moment the hub's
/// apply has made the share, and RAM delivers the invitation seconds later (4 s here): the plan
/// waits for it instead of calling the gateway unshared, then says the apply will accept it.
#[tokio::test]
async fn a_plan_right_after_the_share_waits_for_its_invitation() {
    let mut world = World::start(false).await;
    world
        .emulator
        .configure(json!({"delays": {
            "transit_gateway.pending": 0.2,
            "ram_association.associating": 0.3,
            "ram_invitation.appear": 4.0,
            "ram_share.propagation": 1.0,
        }}))
        .await
        .unwrap();
    let tgw = world.gateway(true).await;
    let share = world.share(&tgw).await;
    let spoke = world.spoke_vpc().await;
    let config = world.config(&tgw, &spoke, &format!("  resource_share_arn = \"{share}\""));
    let plan = world.tf.plan(&config).await.unwrap();
    assert!(plan.errors().is_empty(), "{:#?}", plan.errors());
    assert!(
        plan.warnings()
            .iter()
            .any(|w| w.summary == "Share invitation to accept"),
        "{:#?}",
        plan.warnings()
    );
    assert!(
        world.spoke_calls("GetResourceShareInvitations").await >= 2,
        "the plan looked again while RAM delivered the invitation"
    );
}

#[tokio::test]
async fn a_spoke_overlapping_the_hub_is_a_plan_time_error() {
    let mut world = World::start(true).await;
    let tgw = world.gateway(true).await;
    world.share(&tgw).await;
    let spoke = world.spoke_vpc().await;
    let config = world
        .config(&tgw, &spoke, "")
        .replace("\"10.1.0.0/16\"", "\"10.0.0.0/8\"");
    let plan = world.tf.plan(&config).await.unwrap();
    let overlaps: Vec<_> = plan
        .errors()
        .into_iter()
        .filter(|e| e.summary == "Spoke network overlaps the hub")
        .collect();
    assert_eq!(overlaps.len(), 1, "{:#?}", plan.errors());
    assert!(
        overlaps[0].detail.contains("10.0.0.0/8") && overlaps[0].detail.contains("10.50.0.0/16"),
        "{}",
        overlaps[0].detail
    );
    assert_eq!(
        overlaps[0]
            .attribute
            .as_ref()
            .map(|p| p.to_string())
            .as_deref(),
        Some("hub_cidr_blocks")
    );
}

#[tokio::test]
async fn a_retry_adopts_the_lost_attachment_and_another_spokes_is_refused() {
    let mut world = World::start(true).await;
    let tgw = world.gateway(true).await;
    world.share_with_the_organization(&tgw).await;
    let spoke = world.spoke_vpc().await;
    let config = world.config(&tgw, &spoke, "");

    // An apply whose answer Terraform never saved: the attachment exists, still unconfirmed
    // (no read of a saved state has confirmed it), and the state has nothing.
    let applied = world.tf.apply(&config).await.unwrap();
    assert!(!applied.has_errors(), "{:#?}", applied.errors());
    let first = text(&world.state(), &["id"]);
    assert!(world.tf.forget(ADDRESS));
    let retry = world.tf.apply(&config).await.unwrap();
    assert!(!retry.has_errors(), "{:#?}", retry.errors());
    assert!(
        retry
            .plan
            .warnings()
            .iter()
            .any(|w| w.summary == "Adopting what an interrupted apply made"),
        "{:#?}",
        retry.plan.warnings()
    );
    assert_eq!(
        text(&world.state(), &["id"]),
        first,
        "adopted, not duplicated"
    );
    assert_eq!(
        world.spoke_calls("CreateTransitGatewayVpcAttachment").await,
        1
    );
    // The refresh confirms it: from now on it is a saved spoke's, and a second spoke of the
    // same VPC (another state) is refused instead of adopting it.
    let again = world.tf.plan(&config).await.unwrap();
    assert_no_changes(&again);
    assert!(world.tf.forget(ADDRESS));
    let other = world.tf.apply(&config).await.unwrap();
    let errors = other.errors();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert!(
        errors[0].detail.contains(&first)
            && errors[0].detail.contains("another migration_hub_spoke"),
        "{}",
        errors[0].detail
    );
}

/// Two instances for one VPC and gateway (a copied module, another workspace, or the new
/// instance of a replacement under `create_before_destroy`): the second's plan is refused on
/// `take_over`, naming the attachment; with `take_over = true` it takes the attachment and its
/// routes over (one CreateTags rewriting the owner tag, nothing created or deleted); the first
/// instance's next plan warns that it no longer manages them, its apply changes nothing, and its
/// destroy leaves the attachment and the routes with a warning. The new owner's plan is empty, and its destroy deletes them.
#[tokio::test]
async fn a_second_instance_is_refused_unless_it_takes_over_and_the_old_destroy_leaves_it() {
    let mut world = World::start(true).await;
    let tgw = world.gateway(true).await;
    world.share_with_the_organization(&tgw).await;
    let spoke = world.spoke_vpc().await;
    let config = world.config(&tgw, &spoke, "");
    world.converge(&config).await;
    let attachment = text(&world.state(), &["id"]);
    let first_claim = world
        .owner_tag(&attachment)
        .await
        .expect("claimed on create");

    // A copy: refused at plan, on take_over, naming the attachment and the argument.
    let mut second = world.second_terraform();
    let refused = second.plan(&config).await.unwrap();
    let errors = refused.errors();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(
        errors[0].summary,
        "Spoke attachment owned by another instance"
    );
    assert_eq!(errors[0].attribute, Some(Path::root().attr("take_over")));
    for needed in [attachment.as_str(), spoke.vpc.as_str(), "take_over = true"] {
        assert!(
            errors[0].detail.contains(needed),
            "{needed}: {}",
            errors[0].detail
        );
    }

    // Told to take over: the same attachment, claimed, and nothing made or deleted.
    world.emulator.clear_calls().await.unwrap();
    let taking = world.config(&tgw, &spoke, "  take_over = true");
    let applied = second.apply(&taking).await.unwrap();
    assert!(!applied.has_errors(), "{:#?}", applied.errors());
    assert!(
        applied
            .plan
            .warnings()
            .iter()
            .any(|w| w.summary == "Taking over a spoke attachment from another instance"),
        "{:#?}",
        applied.plan.warnings()
    );
    let taken = second.state_value(ADDRESS).expect("in the second state");
    assert_eq!(text(&taken, &["id"]), attachment, "the same attachment");
    assert_eq!(get(&taken, &["routes"]), &routes_to(&tgw, &spoke.table));
    let second_claim = world.owner_tag(&attachment).await.expect("claimed");
    assert_ne!(
        second_claim, first_claim,
        "the claim moved to the new owner"
    );
    let counts = world.spoke_call_counts().await;
    for action in [
        "CreateTransitGatewayVpcAttachment",
        "DeleteTransitGatewayVpcAttachment",
        "CreateRoute",
        "DeleteRoute",
    ] {
        assert_eq!(counts.get(action), None, "{action}: {counts:?}");
    }
    assert_eq!(counts.get("CreateTags"), Some(&1), "{counts:?}");
    let again = second.plan(&taking).await.unwrap();
    assert!(!again.has_errors(), "{:#?}", again.errors());
    assert_no_changes(&again);

    // The former owner: told at plan, its apply changes nothing, and its destroy leaves
    // everything, saying so.
    let former = world.tf.plan(&config).await.unwrap();
    assert!(!former.has_errors(), "{:#?}", former.errors());
    assert!(
        former
            .warnings()
            .iter()
            .any(|w| w.summary == "Spoke attachment owned by another instance"),
        "{:#?}",
        former.warnings()
    );
    world.emulator.clear_calls().await.unwrap();
    let applied = world.tf.apply(&config).await.unwrap();
    assert!(!applied.has_errors(), "{:#?}", applied.errors());
    let counts = world.spoke_call_counts().await;
    for action in ["CreateTags", "DeleteTags", "CreateRoute", "DeleteRoute"] {
        assert_eq!(counts.get(action), None, "{action}: {counts:?}");
    }
    assert_eq!(
        world.owner_tag(&attachment).await,
        Some(second_claim.clone())
    );
    world.emulator.clear_calls().await.unwrap();
    let destroyed = world.tf.destroy(&config).await.unwrap();
    assert!(!destroyed.has_errors(), "{:#?}", destroyed.errors());
    assert!(
        destroyed
            .diagnostics
            .iter()
            .any(|(_, d)| d.summary == "Left to another instance" && d.detail.contains(&attachment)),
        "{:#?}",
        destroyed.diagnostics
    );
    assert!(
        world.tf.state_value(ADDRESS).is_none(),
        "gone from the old state"
    );
    let counts = world.spoke_call_counts().await;
    for action in [
        "DeleteTransitGatewayVpcAttachment",
        "DeleteRoute",
        "DeleteTags",
    ] {
        assert_eq!(counts.get(action), None, "{action}: {counts:?}");
    }
    assert_eq!(world.owner_tag(&attachment).await, Some(second_claim));
    let routes = world.routes(&spoke.table).await;
    for network in HUB_NETWORKS {
        assert!(
            routes.contains(&(network.to_string(), tgw.clone())),
            "{routes:?}"
        );
    }
    assert_eq!(
        world.hub_sees(&tgw).await,
        vec![(attachment.clone(), "available".to_string())]
    );

    // The new owner's destroy deletes them.
    let destroyed = second.destroy(&taking).await.unwrap();
    assert!(!destroyed.has_errors(), "{:#?}", destroyed.errors());
    let routes = world.routes(&spoke.table).await;
    assert!(
        routes.iter().all(|(_, target)| *target != tgw),
        "{routes:?}"
    );
    assert!(
        world
            .hub_sees(&tgw)
            .await
            .iter()
            .all(|(_, state)| state == "deleted"),
        "{:?}",
        world.hub_sees(&tgw).await
    );
}

#[tokio::test]
async fn updates_in_place_and_shows_drift_route_by_route() {
    let mut world = World::start(true).await;
    let tgw = world.gateway(true).await;
    world.share_with_the_organization(&tgw).await;
    let spoke = world.spoke_vpc().await;
    let second_table = seed::route_table(&world.spoke.ec2, &spoke.vpc)
        .await
        .unwrap();
    let config = world.config(&tgw, &spoke, "");
    world.converge(&config).await;
    let attachment = text(&world.state(), &["id"]);

    // A route deleted out of band shows as that one route, keyed by table and destination.
    world
        .spoke
        .ec2
        .delete_route()
        .route_table_id(&spoke.table)
        .destination_cidr_block(HUB_NETWORKS[1])
        .send()
        .await
        .unwrap();
    let drifted = world.tf.plan(&config).await.unwrap();
    let change = drifted.change(ADDRESS).unwrap();
    let changed = changed_attributes(&change.prior, &change.planned);
    assert_eq!(changed.len(), 1, "{changed:?}");
    assert!(changed[0].starts_with("routes"), "{changed:?}");
    world.converge(&config).await;

    // Another hub network, one less, a second table, one subnet: all in place.
    let updated = config
        .replace(
            &format!("[\"{}\"]", spoke.table),
            &format!("[\"{}\", \"{second_table}\"]", spoke.table),
        )
        .replace("\"192.168.0.0/16\"", "\"172.16.0.0/12\"")
        .replace(
            "hub_cidr_blocks",
            &format!("subnet_ids = [\"{}\"]\n  hub_cidr_blocks", spoke.subnets[1]),
        );
    let plan = world.tf.plan(&updated).await.unwrap();
    assert!(!plan.has_errors(), "{:#?}", plan.errors());
    assert_eq!(
        plan.change(ADDRESS).unwrap().action,
        harness::terraform::Action::Update
    );
    world.converge(&updated).await;
    let state = world.state();
    assert_eq!(text(&state, &["id"]), attachment, "updated in place");
    assert_eq!(
        get(&state, &["subnet_ids"]),
        &Value::Set(vec![Value::String(spoke.subnets[1].clone())])
    );
    for table in [&spoke.table, &second_table] {
        let routes = world.routes(table).await;
        let to_hub: BTreeSet<&str> = routes
            .iter()
            .filter(|(_, target)| target == &tgw)
            .map(|(d, _)| d.as_str())
            .collect();
        assert_eq!(
            to_hub,
            BTreeSet::from(["10.1.0.0/16", "172.16.0.0/12"]),
            "{table}"
        );
    }
}
