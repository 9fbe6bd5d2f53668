//! `migration_hub_network`'s side of the spoke contract, with three accounts: the hub
//! (111122223333) declares one spoke account (222233334444) in `spokes` and shares its gateway
//! with a third, undeclared one (333344445555). Both other accounts attach a VPC through the
//! provider's shared finders (as `migration_hub_spoke` does), with the hub's
//! `auto_accept_shared_attachments = false`. The hub's next apply accepts exactly the declared
//! spoke's attachment, routes its VPCs to the spoke's CIDRs and shows its status; the other is a
//! warning naming it, left in `pendingAcceptance`. Also: a spoke whose VPC brings a network
//! outside its declaration (not propagated, a warning on the spoke), an import of a hub with
//! spokes, and with auto-accept, AWS connecting a spoke at once (the hub's default propagation)
//! with the hub's next apply still checking what it brought.

use std::collections::BTreeSet;
use std::time::Duration;

use harness::seed;
use terraform_provider_migration::aws::Tags;
use terraform_provider_migration::aws::call::Aws;
use terraform_provider_migration::aws::ec2::attachment::VpcAttachmentSpec;
use terraform_provider_migration::aws::retry::Budget;
use terraform_provider_migration::aws::waiter::{Poll, poll, wait_until};
use terraform_provider_migration::config::clients::AwsClients;
use terraform_provider_migration::protocol::cty::Value;
use tokio_util::sync::CancellationToken;

use crate::hub_network_support::*;

pub(crate) const SPOKE: &str = "222233334444";
const STRANGER: &str = "333344445555";

pub(crate) fn budget() -> Budget {
    Budget::new(Duration::from_secs(120), CancellationToken::new(), 3)
}

/// As another account does it before attaching anything: accepts the share's invitation and
/// waits until the gateway is visible.
pub(crate) async fn join_share(clients: &AwsClients, tgw: &str) {
    let budget = budget();
    let aws = Aws::new(clients, &budget);
    let invitation = wait_until(&budget, "the share invitation", || async {
        poll(Ok(match aws.share_invitations(None).await {
            Ok(found) if !found.is_empty() => Poll::Done(found[0].arn.clone()),
            _ => Poll::Pending("no invitation yet".into()),
        }))
    })
    .await
    .unwrap();
    aws.accept_share_invitation(&invitation).await.unwrap();
    wait_until(&budget, "the shared gateway", || async {
        poll(Ok(match aws.find_transit_gateway(tgw).await {
            Ok(Some(t)) => Poll::Done(t),
            _ => Poll::Pending("not visible yet".into()),
        }))
    })
    .await
    .unwrap();
}

/// As a spoke account does it: accepts the share's invitation, waits until the gateway is
/// visible, attaches a new VPC `cidr` (one subnet) and answers the attachment's id and the VPC.
pub(crate) async fn attach_from(clients: &AwsClients, tgw: &str, cidr: &str) -> (String, String) {
    join_share(clients, tgw).await;
    let budget = budget();
    let aws = Aws::new(clients, &budget);
    let vpc = seed::vpc(&clients.ec2, cidr).await.unwrap();
    let subnet_cidr = cidr.replace(".0.0/16", ".0.0/24");
    let subnet = seed::subnet(&clients.ec2, &vpc, &subnet_cidr, "a")
        .await
        .unwrap();
    let attachment = aws
        .create_vpc_attachment(VpcAttachmentSpec {
            transit_gateway_id: tgw,
            vpc_id: &vpc,
            subnet_ids: &BTreeSet::from([subnet]),
            appliance_mode_support: false,
            dns_support: true,
            tags: &Tags::new(),
        })
        .await
        .unwrap()
        .id;
    (attachment, vpc)
}

/// The attachments of the gateway as the hub sees them: id → state.
async fn states(world: &World, tgw: &str) -> Vec<(String, String)> {
    let budget = budget();
    Aws::new(&world.aws, &budget)
        .vpc_attachments(tgw)
        .await
        .unwrap()
        .into_iter()
        .map(|a| (a.id, a.state))
        .collect()
}

/// The hub's VPC route table: destination → the Transit Gateway it is routed to.
pub(crate) async fn vpc_routes(world: &World, table: &str) -> BTreeSet<(String, String)> {
    let tables = world
        .aws
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
                r.transit_gateway_id()?.to_string(),
            ))
        })
        .collect()
}

#[tokio::test]
async fn declared_spokes_are_accepted_routed_and_reported_and_strangers_only_warned_about() {
    let mut world = World::start().await;
    let staging = world.vpc(1, 2, 1).await;
    let config = world.config(&format!(
        r#"
  name                           = "migration-hub"
  auto_accept_shared_attachments = false
  share_with                     = ["{STRANGER}"]
  vpc_attachments = {{
    staging = {{
      vpc_id          = "{}"
      subnet_ids      = {}
      route_table_ids = {}
    }}
  }}
  spokes = {{
    branch = {{
      account_id  = "{SPOKE}"
      cidr_blocks = ["10.50.0.0/16"]
    }}
  }}
"#,
        staging.vpc,
        list(&staging.subnets),
        list(&staging.tables),
    ));

    // Before anyone attaches: shared with both accounts, the spoke's CIDRs routed from the hub
    // VPCs, the spoke "not attached"; `share_with` shows only what it names.
    world.converge(&config).await;
    let state = world.state();
    let tgw = text(&state, &["id"]);
    assert_eq!(
        text(&state, &["spokes", "branch", "status"]),
        "not attached"
    );
    assert_eq!(
        get(&state, &["spokes", "branch", "attachment_ids"]),
        &Value::Set(vec![])
    );
    assert_eq!(
        get(&state, &["share_with"]),
        &Value::Set(vec![Value::string(STRANGER)])
    );
    let table = &staging.tables[0];
    assert!(
        vpc_routes(&world, table)
            .await
            .contains(&("10.50.0.0/16".to_string(), tgw.clone())),
        "the hub VPC routes the spoke's CIDRs to the gateway"
    );
    assert_eq!(
        text(&state, &["routes", table, "destinations", "10.50.0.0/16"]),
        "spokes[\"branch\"]"
    );

    // Both other accounts attach; with auto-accept off both wait for the hub.
    let spoke_clients = world.emulator.clients(SPOKE).await.unwrap();
    let stranger_clients = world.emulator.clients(STRANGER).await.unwrap();
    let (spoke_attachment, _) = attach_from(&spoke_clients, &tgw, "10.50.0.0/16").await;
    let (stranger_attachment, _) = attach_from(&stranger_clients, &tgw, "10.60.0.0/16").await;
    let budget = budget();
    let hub_clients = world.aws.clone();
    let hub_aws = Aws::new(&hub_clients, &budget);
    wait_until(&budget, "both attachments pendingAcceptance", || async {
        let seen = hub_aws.vpc_attachments(&tgw).await.map(|all| {
            all.iter()
                .filter(|a| a.state == "pendingAcceptance")
                .count()
        });
        poll(seen.map(|n| {
            if n == 2 {
                Poll::Done(())
            } else {
                Poll::Pending(format!("{n} pending acceptance"))
            }
        }))
    })
    .await
    .unwrap();

    // The plan: the refresh shows the spoke pendingAcceptance, the apply will act on it (its
    // entry alone is known after apply), the stranger is a warning naming its attachment.
    let plan = world.tf.plan(&config).await.unwrap();
    assert!(!plan.has_errors(), "{:#?}", plan.errors());
    let change = plan.change(ADDRESS).unwrap();
    assert_eq!(
        text(&change.prior, &["spokes", "branch", "status"]),
        "pendingAcceptance"
    );
    assert!(
        !get(&change.planned, &["spokes", "branch", "status"]).is_wholly_known(),
        "{:?}",
        get(&change.planned, &["spokes"])
    );
    assert_eq!(
        changed_attributes(&change.prior, &change.planned)
            .iter()
            .map(|c| c.split(':').next().unwrap())
            .collect::<Vec<_>>(),
        ["spokes"]
    );
    let warned: Vec<_> = plan
        .warnings()
        .into_iter()
        .filter(|w| w.summary == "Attachment of an undeclared account")
        .collect();
    assert_eq!(warned.len(), 1, "{:#?}", plan.warnings());
    assert!(
        warned[0].detail.contains(&stranger_attachment) && warned[0].detail.contains(STRANGER),
        "{}",
        warned[0].detail
    );

    // The apply accepts the spoke's attachment alone, connects it; the next plan is empty.
    let applied = world.converge(&config).await;
    assert!(
        applied
            .plan
            .warnings()
            .iter()
            .any(|w| w.detail.contains(&stranger_attachment)),
        "the warning stays until the stranger is declared or gone"
    );
    let state = world.state();
    assert_eq!(text(&state, &["spokes", "branch", "status"]), "propagated");
    assert_eq!(
        get(&state, &["spokes", "branch", "attachment_ids"]),
        &Value::Set(vec![Value::string(&spoke_attachment)])
    );
    let seen: std::collections::BTreeMap<String, String> =
        states(&world, &tgw).await.into_iter().collect();
    assert_eq!(seen[&spoke_attachment], "available");
    assert_eq!(
        seen[&stranger_attachment], "pendingAcceptance",
        "never accepted, never rejected"
    );
    let accepts: Vec<String> = world
        .calls()
        .await
        .into_iter()
        .filter(|c| c.action == "AcceptTransitGatewayVpcAttachment" && c.error.is_none())
        .map(|c| c.params.to_string())
        .collect();
    assert_eq!(accepts.len(), 1, "{accepts:?}");
    assert!(accepts[0].contains(&spoke_attachment), "{accepts:?}");
    // The hub route table learned the spoke's network by propagation; the hub's VPC still
    // routes it to the gateway.
    let hub_table = text(&state, &["route_table_id"]);
    let learned = hub_aws.propagated_routes(&hub_table).await.unwrap();
    assert!(
        learned
            .routes
            .iter()
            .any(|r| r.destination == "10.50.0.0/16"
                && r.attachment_id.as_deref() == Some(spoke_attachment.as_str())),
        "{:?}",
        learned.routes
    );
    assert!(
        vpc_routes(&world, table)
            .await
            .contains(&("10.50.0.0/16".to_string(), tgw.clone()))
    );

    // The hub cannot remove what it does not own: destroy leaves the spokes' attachments to
    // their accounts, so they delete theirs first.
    for (clients, id) in [
        (&spoke_clients, &spoke_attachment),
        (&stranger_clients, &stranger_attachment),
    ] {
        clients
            .ec2
            .delete_transit_gateway_vpc_attachment()
            .transit_gateway_attachment_id(id)
            .send()
            .await
            .unwrap();
    }
    // The spoke leaving changes its status on the refresh alone: the plan stays empty (the
    // status is read, not planned), and the stranger's warning is gone with its attachment.
    let plan = world.tf.plan(&config).await.unwrap();
    assert!(!plan.has_errors(), "{:#?}", plan.errors());
    assert_no_changes(&plan);
    let change = plan.change(ADDRESS).unwrap();
    assert_eq!(
        text(&change.prior, &["spokes", "branch", "status"]),
        "not attached"
    );
    assert!(
        plan.warnings()
            .iter()
            .all(|w| !w.detail.contains(&stranger_attachment)),
        "{:#?}",
        plan.warnings()
    );

    // Import cannot tell the spokes' names: the imported hub shows the spoke's account in
    // `share_with` and its routes without a network name; the first plan adds `spokes`, takes
    // the account out of `share_with` and names the routes, and applying that leaves the
    // share's principals as they were.
    assert!(world.tf.forget(ADDRESS));
    let imported = world.tf.import(&config, ADDRESS, &tgw).await.unwrap();
    assert!(
        imported.iter().all(|(_, d)| d.severity
            != terraform_provider_migration::protocol::diagnostics::Severity::Error),
        "{imported:#?}"
    );
    assert_eq!(
        get(&world.state(), &["share_with"]),
        &Value::Set(vec![Value::string(SPOKE), Value::string(STRANGER)])
    );
    let plan = world.tf.plan(&config).await.unwrap();
    assert!(!plan.has_errors(), "{:#?}", plan.errors());
    let change = plan.change(ADDRESS).unwrap();
    let changed: Vec<String> = changed_attributes(&change.prior, &change.planned)
        .iter()
        .map(|c| c.split(':').next().unwrap().to_string())
        .collect();
    assert_eq!(changed, ["routes", "share_with", "spokes"]);
    // `routes` only gains the name of the network of the routes to the spoke.
    let label = |state: &Value| {
        get(
            state,
            &["routes", &staging.tables[0], "destinations", "10.50.0.0/16"],
        )
        .clone()
    };
    assert_eq!(label(&change.prior), Value::Null);
    assert_eq!(label(&change.planned), Value::string("spokes[\"branch\"]"));
    let from = next_seq(&world.calls().await);
    world.converge(&config).await;
    let ram_changes: Vec<String> = counts(&world.calls().await, from)
        .into_keys()
        .filter(|action| action.contains("ResourceShare") && !action.starts_with("Get"))
        .collect();
    assert!(ram_changes.is_empty(), "{ram_changes:?}");
    assert_eq!(
        text(&world.state(), &["spokes", "branch", "status"]),
        "not attached"
    );
}

/// A hub with auto-accept off, its staging VPC and one spoke `branch` of [`SPOKE`] declared
/// with 10.50.0.0/16.
pub(crate) fn declared_branch(world: &World, staging: &Net) -> String {
    world.config(&format!(
        r#"
  name                           = "migration-hub"
  auto_accept_shared_attachments = false
  vpc_attachments = {{
    staging = {{
      vpc_id          = "{}"
      subnet_ids      = {}
      route_table_ids = {}
    }}
  }}
  spokes = {{
    branch = {{
      account_id  = "{SPOKE}"
      cidr_blocks = ["10.50.0.0/16"]
    }}
  }}
"#,
        staging.vpc,
        list(&staging.subnets),
        list(&staging.tables),
    ))
}

#[tokio::test]
async fn a_spoke_bringing_undeclared_networks_is_not_propagated_and_warned_about() {
    let mut world = World::start().await;
    let staging = world.vpc(1, 2, 1).await;
    let config = declared_branch(&world, &staging);
    world.converge(&config).await;
    let tgw = text(&world.state(), &["id"]);
    let hub_table = text(&world.state(), &["route_table_id"]);

    // The spoke account attaches a VPC that also holds 10.90.0.0/16, which the hub never
    // declared. The hub cannot read that VPC: it accepts on the account alone.
    let spoke_clients = world.emulator.clients(SPOKE).await.unwrap();
    let (attachment, vpc) = attach_from(&spoke_clients, &tgw, "10.50.0.0/16").await;
    spoke_clients
        .ec2
        .associate_vpc_cidr_block()
        .vpc_id(&vpc)
        .cidr_block("10.90.0.0/16")
        .send()
        .await
        .unwrap();
    let budget = budget();
    let hub_clients = world.aws.clone();
    let hub_aws = Aws::new(&hub_clients, &budget);
    wait_until(&budget, "the attachment pendingAcceptance", || async {
        let seen = hub_aws.vpc_attachments(&tgw).await.map(|all| {
            if all.iter().any(|a| a.state == "pendingAcceptance") {
                Poll::Done(())
            } else {
                Poll::Pending("not yet".into())
            }
        });
        poll(seen)
    })
    .await
    .unwrap();
    let accepted = world.tf.apply(&config).await.unwrap();
    assert!(!accepted.has_errors(), "{:#?}", accepted.errors());

    // Once the hub route table has learned what the attachment brings, the plan warns on the
    // spoke, naming the attachment and the network outside the declaration, and the apply
    // turns the attachment's propagation off.
    let plan = world.tf.plan(&config).await.unwrap();
    assert!(!plan.has_errors(), "{:#?}", plan.errors());
    let warned: Vec<_> = plan
        .warnings()
        .into_iter()
        .filter(|w| w.summary == "Spoke attachment brings undeclared networks")
        .collect();
    assert_eq!(warned.len(), 1, "{:#?}", plan.warnings());
    assert!(
        warned[0].detail.contains(&attachment) && warned[0].detail.contains("10.90.0.0/16"),
        "{}",
        warned[0].detail
    );
    assert_eq!(
        warned[0]
            .attribute
            .as_ref()
            .map(|p| p.to_string())
            .as_deref(),
        Some(r#"spokes["branch"].cidr_blocks"#)
    );
    let applied = world.converge(&config).await;
    assert!(
        applied
            .plan
            .warnings()
            .iter()
            .any(|w| w.detail.contains(&attachment)),
        "the warning stays while the attachment brings more than declared"
    );
    let state = world.state();
    assert_eq!(text(&state, &["spokes", "branch", "status"]), "available");
    assert_eq!(
        get(&state, &["spokes", "branch", "attachment_ids"]),
        &Value::Set(vec![Value::string(&attachment)])
    );
    let propagating = hub_aws.propagations(&hub_table).await.unwrap();
    assert!(!propagating.contains(&attachment), "{propagating:?}");
    // The hub's VPC routes only what was declared.
    let routed = vpc_routes(&world, &staging.tables[0]).await;
    assert!(routed.contains(&("10.50.0.0/16".to_string(), tgw.clone())));
    assert!(
        routed.iter().all(|(d, _)| d != "10.90.0.0/16"),
        "{routed:?}"
    );

    // Declaring the network too: the attachment propagates again and the warning goes.
    let widened = config.replace(
        r#"cidr_blocks = ["10.50.0.0/16"]"#,
        r#"cidr_blocks = ["10.50.0.0/16", "10.90.0.0/16"]"#,
    );
    let applied = world.converge(&widened).await;
    assert!(
        applied
            .plan
            .warnings()
            .iter()
            .all(|w| !w.detail.contains(&attachment)),
        "{:#?}",
        applied.plan.warnings()
    );
    assert_eq!(
        text(&world.state(), &["spokes", "branch", "status"]),
        "propagated"
    );
    assert!(
        hub_aws
            .propagations(&hub_table)
            .await
            .unwrap()
            .contains(&attachment)
    );
}

#[tokio::test]
async fn with_auto_accept_aws_connects_the_spoke_at_once_and_the_hub_checks_it_after() {
    let mut world = World::start().await;
    let staging = world.vpc(1, 2, 1).await;
    let config = declared_branch(&world, &staging).replace(
        "auto_accept_shared_attachments = false",
        "auto_accept_shared_attachments = true",
    );
    world.converge(&config).await;
    let tgw = text(&world.state(), &["id"]);
    let hub_table = text(&world.state(), &["route_table_id"]);
    let from = next_seq(&world.calls().await);
    let spoke_clients = world.emulator.clients(SPOKE).await.unwrap();
    let (attachment, vpc) = attach_from(&spoke_clients, &tgw, "10.50.0.0/16").await;
    let budget = budget();
    let hub_clients = world.aws.clone();
    let hub_aws = Aws::new(&hub_clients, &budget);

    // With nothing run in the hub account, AWS accepts the attachment, associates it with the
    // hub route table and propagates it there: the hub is the gateway's default propagation
    // table, so a spoke made in the same apply as its hub needs no second apply.
    wait_until(&budget, "the spoke's attachment propagating", || async {
        poll(hub_aws.propagations(&hub_table).await.map(|propagating| {
            if propagating.contains(&attachment) {
                Poll::Done(())
            } else {
                Poll::Pending("not yet".into())
            }
        }))
    })
    .await
    .unwrap();
    let changed: Vec<String> = counts(&world.calls().await, from)
        .into_keys()
        .filter(|action| {
            !["Describe", "Get", "Search", "List"]
                .iter()
                .any(|r| action.starts_with(r))
        })
        .collect();
    assert!(
        changed.is_empty(),
        "the hub account changed nothing: {changed:?}"
    );

    // The hub's next plan reads the spoke as connected and changes nothing.
    let plan = world.tf.plan(&config).await.unwrap();
    assert!(!plan.has_errors(), "{:#?}", plan.errors());
    assert_no_changes(&plan);
    let change = plan.change(ADDRESS).unwrap();
    assert_eq!(
        text(&change.prior, &["spokes", "branch", "status"]),
        "propagated"
    );

    // What AWS connected is still checked against the declaration: once the VPC brings a
    // network nobody declared, the plan warns and the apply turns its propagation off.
    spoke_clients
        .ec2
        .associate_vpc_cidr_block()
        .vpc_id(&vpc)
        .cidr_block("10.90.0.0/16")
        .send()
        .await
        .unwrap();
    let plan = world.tf.plan(&config).await.unwrap();
    assert!(
        plan.warnings().iter().any(
            |w| w.summary == "Spoke attachment brings undeclared networks"
                && w.detail.contains("10.90.0.0/16")
        ),
        "{:#?}",
        plan.warnings()
    );
    world.converge(&config).await;
    assert!(
        !hub_aws
            .propagations(&hub_table)
            .await
            .unwrap()
            .contains(&attachment)
    );
    let calls = counts(&world.calls().await, from);
    assert_eq!(
        calls.get("AcceptTransitGatewayVpcAttachment"),
        None,
        "AWS accepted it: {calls:?}"
    );
    assert_eq!(
        calls.get("EnableTransitGatewayRouteTablePropagation"),
        None,
        "AWS propagated it: {calls:?}"
    );
}
