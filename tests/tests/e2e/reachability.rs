//! `data "migration_reachability"` against the emulator: a hub read as AWS holds it, every pair
//! reachable there and back; a route deleted behind Terraform's back shows in the next plan as the
//! hop it broke, both ways; a spoke of another account, from not attached through
//! `pendingAcceptance` to propagated (unverified: its own tables are not visible from the hub
//! account) and back to not propagating; ids that are wrong or name nothing are errors on their
//! attribute.

use harness::terraform::Plan;
use terraform_provider_migration::aws::call::Aws;
use terraform_provider_migration::aws::waiter::{Poll, poll, wait_until};
use terraform_provider_migration::protocol::cty::Value;

use crate::hub_network_spokes::{SPOKE, attach_from, budget, declared_branch};
use crate::hub_network_support::*;

const DATA: &str = "data.migration_reachability.hub";

fn hub(staging: &Net, target: &Net, dx: &str) -> String {
    format!(
        r#"
  name = "hub"
  vpc_attachments = {{
    staging = {{
      vpc_id          = "{}"
      subnet_ids      = {}
      route_table_ids = {}
    }}
    target = {{
      vpc_id          = "{}"
      subnet_ids      = {}
      route_table_ids = {}
    }}
  }}
  data_center = {{
    cidr_blocks               = ["192.168.0.0/16"]
    direct_connect_gateway_id = "{dx}"
  }}
"#,
        staging.vpc,
        list(&staging.subnets),
        list(&staging.tables),
        target.vpc,
        list(&target.subnets),
        list(&target.tables),
    )
}

fn with_data(config: &str, arguments: &str) -> String {
    format!("{config}\ndata \"migration_reachability\" \"hub\" {{\n{arguments}\n}}\n")
}

fn read(plan: &Plan) -> &Value {
    assert!(!plan.has_errors(), "{:#?}", plan.errors());
    let value = &plan.data[DATA];
    assert!(value.is_wholly_known(), "read during plan: {value:?}");
    value
}

fn hop(value: &Value, pair: &str) -> Option<String> {
    let path = get(value, &["paths", pair]);
    assert!(!path.is_null(), "no pair {pair:?} in {value:?}");
    get(path, &["missing_hop"]).as_str().map(str::to_string)
}

#[tokio::test]
async fn the_matrix_follows_aws_and_a_deleted_route_is_the_missing_hop() {
    let mut world = World::start().await;
    let staging = world.vpc(1, 2, 1).await;
    let target = world.vpc(2, 2, 1).await;
    let dx = world.direct_connect_gateway(65000).await;
    let config = world.config(&hub(&staging, &target, &dx));
    world.converge(&config).await;
    let tgw = text(&world.state(), &["id"]);

    let with = with_data(&config, &format!("transit_gateway_id = \"{tgw}\""));
    let plan = world.tf.plan(&with).await.unwrap();
    let value = read(&plan);
    let networks = ["data_center", "staging", "target"];
    for source in networks {
        for destination in networks.iter().filter(|d| **d != source) {
            let pair = format!("{source} -> {destination}");
            assert_eq!(hop(value, &pair), None, "{pair} is reachable");
        }
    }
    assert_eq!(
        get(value, &["paths"]).as_map().map(|m| m.len()),
        Some(6),
        "three networks, each to the two others"
    );
    let reached = get(value, &["reachable", "staging"]);
    assert_eq!(
        reached,
        &Value::Set(vec![Value::string("data_center"), Value::string("target")])
    );
    let table = text(value, &["table"]);
    assert!(table.starts_with("source "), "{table}");
    assert_eq!(table.lines().count(), 7, "{table}");

    // A mesh route deleted out of band: staging cannot send to target, and target's answers to
    // staging come back fine but staging's to target do not.
    world
        .aws
        .ec2
        .delete_route()
        .route_table_id(&staging.tables[0])
        .destination_cidr_block("10.2.0.0/16")
        .send()
        .await
        .unwrap();
    let plan = world.tf.plan(&with).await.unwrap();
    let value = read(&plan);
    let table_id = &staging.tables[0];
    assert_eq!(
        hop(value, "staging -> target").as_deref(),
        Some(
            format!("route table {table_id} of staging has no route for 10.2.0.0/16 (target)")
                .as_str()
        )
    );
    assert_eq!(
        hop(value, "target -> staging").as_deref(),
        Some(
            format!(
                "return path: route table {table_id} of staging has no route for 10.2.0.0/16 \
                 (target)"
            )
            .as_str()
        )
    );
    assert_eq!(hop(value, "staging -> data_center"), None);
    assert_eq!(
        get(value, &["reachable", "staging"]),
        &Value::Set(vec![Value::string("data_center")])
    );
}

fn status(value: &Value, pair: &str) -> String {
    text(get(value, &["paths", pair]), &["status"])
}

fn unverified(value: &Value, pair: &str) -> Option<String> {
    get(value, &["paths", pair, "unverified_hop"])
        .as_str()
        .map(str::to_string)
}

#[tokio::test]
async fn a_spoke_is_seen_as_far_as_the_hub_account_sees_it() {
    let mut world = World::start().await;
    let staging = world.vpc(1, 2, 1).await;
    let config = declared_branch(&world, &staging);
    world.converge(&config).await;
    let tgw = text(&world.state(), &["id"]);
    let hub_table = text(&world.state(), &["route_table_id"]);
    let declared = format!(
        "transit_gateway_id = \"{tgw}\"\n  spokes = {{\n    branch = {{\n      account_id  = \"{SPOKE}\"\n      cidr_blocks = [\"10.50.0.0/16\"]\n    }}\n  }}"
    );
    let with = with_data(&config, &declared);

    // Declared, not attached: the hub VPC routes the spoke's CIDRs, the hub route table does not.
    let value = read(&world.tf.plan(&with).await.unwrap()).clone();
    assert_eq!(
        hop(&value, "staging -> branch"),
        Some(format!(
            "Transit Gateway route table {hub_table} has no route for 10.50.0.0/16 (branch): no \
             static route, and branch is not attached to the Transit Gateway"
        ))
    );
    assert_eq!(status(&value, "staging -> branch"), "unreachable");

    // The spoke account attaches; with auto-accept off the attachment waits for the hub.
    let spoke_clients = world.emulator.clients(SPOKE).await.unwrap();
    let (attachment, vpc) = attach_from(&spoke_clients, &tgw, "10.50.0.0/16").await;
    let budget = budget();
    let hub_clients = world.aws.clone();
    let hub_aws = Aws::new(&hub_clients, &budget);
    wait_until(&budget, "the attachment pendingAcceptance", || async {
        poll(hub_aws.vpc_attachments(&tgw).await.map(|all| {
            if all
                .iter()
                .any(|a| a.id == attachment && a.state == "pendingAcceptance")
            {
                Poll::Done(())
            } else {
                Poll::Pending("not yet".into())
            }
        }))
    })
    .await
    .unwrap();
    let value = read(&world.tf.plan(&with).await.unwrap()).clone();
    let pending =
        "the Transit Gateway attachment of branch is pendingAcceptance, not available".to_string();
    assert_eq!(hop(&value, "staging -> branch"), Some(pending.clone()));
    assert_eq!(hop(&value, "branch -> staging"), Some(pending));

    // The hub accepts it, associates it and propagates it: every hop the hub account sees is
    // there, and the spoke VPC's own tables are named as not visible, neither way reachable.
    world.converge(&config).await;
    let value = read(&world.tf.plan(&with).await.unwrap()).clone();
    let unseen = format!(
        "the route tables of branch's VPC {vpc} are account {SPOKE}'s and not visible from the \
         hub account (`migration_hub_spoke` there routes them to the hub)"
    );
    assert_eq!(status(&value, "branch -> staging"), "unverified");
    assert_eq!(hop(&value, "branch -> staging"), None);
    assert_eq!(
        unverified(&value, "branch -> staging"),
        Some(unseen.clone())
    );
    assert_eq!(status(&value, "staging -> branch"), "unverified");
    assert_eq!(
        unverified(&value, "staging -> branch"),
        Some(format!("return path: {unseen}"))
    );
    assert_eq!(
        get(&value, &["paths", "staging -> branch", "reachable"]),
        &Value::Bool(false)
    );
    assert_eq!(get(&value, &["reachable", "staging"]), &Value::Set(vec![]));
    assert!(
        text(&value, &["table"]).contains(" unverified "),
        "{}",
        text(&value, &["table"])
    );

    // Without the declaration the spoke is named by its account and VPC.
    let unnamed = read(
        &world
            .tf
            .plan(&with_data(
                &config,
                &format!("transit_gateway_id = \"{tgw}\""),
            ))
            .await
            .unwrap(),
    )
    .clone();
    let name = format!("spoke:{SPOKE}:{vpc}");
    assert_eq!(
        status(&unnamed, &format!("staging -> {name}")),
        "unverified"
    );

    // Its propagation turned off behind the hub's back: the hub route table no longer routes
    // to it, and the declared CIDRs stand for the ones it no longer shows.
    world
        .aws
        .ec2
        .disable_transit_gateway_route_table_propagation()
        .transit_gateway_route_table_id(&hub_table)
        .transit_gateway_attachment_id(&attachment)
        .send()
        .await
        .unwrap();
    let value = read(&world.tf.plan(&with).await.unwrap()).clone();
    assert_eq!(
        hop(&value, "staging -> branch"),
        Some(format!(
            "Transit Gateway route table {hub_table} has no route for 10.50.0.0/16 (branch): no \
             static route, and branch's attachment does not propagate into it"
        ))
    );
    assert_eq!(unverified(&value, "staging -> branch"), None);
    // Undeclared, the spoke now has no address space the hub account knows of.
    let unnamed = read(
        &world
            .tf
            .plan(&with_data(
                &config,
                &format!("transit_gateway_id = \"{tgw}\""),
            ))
            .await
            .unwrap(),
    )
    .clone();
    assert_eq!(
        hop(&unnamed, &format!("staging -> {name}")),
        Some(format!(
            "the attachment of {name} propagates into no Transit Gateway route table, so the \
             hub account knows none of its CIDR blocks and no route to it can be checked \
             (declare them in the data source's `spokes`)"
        ))
    );
}

#[tokio::test]
async fn ids_that_are_wrong_or_name_nothing_are_errors_on_their_attribute() {
    let mut world = World::start().await;
    let provider = world.emulator.provider_block("");
    let plan = world
        .tf
        .plan(&format!(
            "{provider}\ndata \"migration_reachability\" \"hub\" {{\n  transit_gateway_id = \"vpc-0a1b\"\n}}\n"
        ))
        .await
        .unwrap();
    let errors = plan.errors();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0].summary, "Invalid Transit Gateway id");
    assert_eq!(
        errors[0]
            .attribute
            .as_ref()
            .map(ToString::to_string)
            .as_deref(),
        Some("transit_gateway_id")
    );

    let plan = world
        .tf
        .plan(&format!(
            "{provider}\ndata \"migration_reachability\" \"hub\" {{\n  transit_gateway_id = \"tgw-0123456789abcdef0\"\n}}\n"
        ))
        .await
        .unwrap();
    let errors = plan.errors();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0].summary, "Transit Gateway not found");
    assert!(
        errors[0].detail.contains("tgw-0123456789abcdef0"),
        "{}",
        errors[0].detail
    );
}
