//! `migration_hub_network` with Client VPN endpoints attached to its Transit Gateway
//! (`TransitGatewayConfiguration`, AWS 2026) declared as spokes: one made by another account on
//! the shared gateway (its `client-vpn` attachment waits in `pendingAcceptance`, since the hub
//! does not auto-accept), one of the hub's own account. Undeclared, the waiting one is a
//! warning saying how to declare it; declared, the hub accepts it (and only it) with
//! AcceptTransitGatewayClientVpnAttachment, propagates both into its route table, routes its
//! VPCs to both client CIDRs and reports each spoke `propagated`.

use std::collections::BTreeSet;

use harness::seed;
use terraform_provider_migration::config::clients::AwsClients;
use terraform_provider_migration::protocol::cty::Value;

use crate::hub_network_spokes::{SPOKE, join_share, vpc_routes};
use crate::hub_network_support::*;

/// A Client VPN endpoint of `account` on `tgw` with `client_cidr`, authenticating against a
/// Managed AD of its own (in a VPC `vpc_cidr`); its id.
async fn endpoint_on(
    clients: &AwsClients,
    account: &str,
    tgw: &str,
    client_cidr: &str,
    vpc_cidr: &str,
) -> String {
    let ec2 = &clients.ec2;
    let vpc = seed::vpc(ec2, vpc_cidr).await.unwrap();
    let mut subnets = Vec::new();
    for (i, zone) in ["a", "b"].iter().enumerate() {
        let cidr = vpc_cidr.replace(".0.0/16", &format!(".{i}.0/24"));
        subnets.push(seed::subnet(ec2, &vpc, &cidr, zone).await.unwrap());
    }
    let directory = seed::managed_ad(&clients.directory, &vpc, &subnets)
        .await
        .unwrap();
    seed::client_vpn_endpoint_on_transit_gateway(ec2, account, client_cidr, &directory, tgw)
        .await
        .unwrap()
}

/// The `client-vpn` attachment of `endpoint`, as the hub account sees it: (id, state).
async fn attachment_of(world: &World, endpoint: &str) -> Option<(String, String)> {
    let found = world
        .aws
        .ec2
        .describe_transit_gateway_attachments()
        .send()
        .await
        .unwrap();
    found
        .transit_gateway_attachments()
        .iter()
        .find(|a| a.resource_id() == Some(endpoint))
        .map(|a| {
            (
                a.transit_gateway_attachment_id().unwrap().to_string(),
                a.state().unwrap().as_str().to_string(),
            )
        })
}

/// Destinations the VPC route table `table` sends to `tgw`.
async fn routed_to(world: &World, table: &str, tgw: &str) -> BTreeSet<String> {
    vpc_routes(world, table)
        .await
        .into_iter()
        .filter(|(_, target)| target == tgw)
        .map(|(destination, _)| destination)
        .collect()
}

#[tokio::test]
async fn client_vpn_endpoints_declared_as_spokes_are_accepted_propagated_and_routed() {
    let mut world = World::start().await;
    let staging = world.vpc(1, 2, 1).await;
    let hub = |spokes: &str| {
        format!(
            r#"
  name                           = "migration-hub"
  auto_accept_shared_attachments = false
  transit_gateway_cidr_blocks    = ["10.99.0.0/24"]
  share_with                     = ["{SPOKE}"]
  vpc_attachments = {{
    staging = {{
      vpc_id          = "{}"
      subnet_ids      = {}
      route_table_ids = {}
    }}
  }}
{spokes}
"#,
            staging.vpc,
            list(&staging.subnets),
            list(&staging.tables),
        )
    };
    let bare = world.config(&hub(""));
    world.converge(&bare).await;
    let tgw = text(&world.state(), &["id"]);

    // Another account's endpoint on the shared gateway waits for the hub; one of the hub's
    // own account is attached at once.
    let spoke_clients = world.emulator.clients(SPOKE).await.unwrap();
    join_share(&spoke_clients, &tgw).await;
    let engineers = endpoint_on(&spoke_clients, SPOKE, &tgw, "172.16.0.0/22", "10.60.0.0/16").await;
    let staff = endpoint_on(&world.aws, OWNER, &tgw, "172.20.0.0/22", "10.61.0.0/16").await;
    let (engineers_attachment, state) = attachment_of(&world, &engineers).await.unwrap();
    assert_eq!(state, "pendingAcceptance");
    let (staff_attachment, _) = attachment_of(&world, &staff).await.unwrap();

    // Undeclared: a warning naming the endpoint and how to declare it; nothing accepted.
    let plan = world.tf.plan(&bare).await.unwrap();
    assert!(!plan.has_errors(), "{:#?}", plan.errors());
    let warned: Vec<_> = plan
        .warnings()
        .into_iter()
        .filter(|w| w.summary == "Client VPN endpoint not declared")
        .collect();
    assert_eq!(warned.len(), 1, "{:#?}", plan.warnings());
    assert!(
        warned[0].detail.contains(&engineers_attachment)
            && warned[0]
                .detail
                .contains(&format!("client_vpn_endpoint_id = \"{engineers}\"")),
        "{}",
        warned[0].detail
    );

    // Declared: accepted, propagated, routed; the next plan is empty (converge checks it).
    let declared = world.config(&hub(&format!(
        r#"
  spokes = {{
    engineers = {{
      account_id             = "{SPOKE}"
      client_vpn_endpoint_id = "{engineers}"
      cidr_blocks            = ["172.16.0.0/22"]
    }}
    staff = {{
      client_vpn_endpoint_id = "{staff}"
      cidr_blocks            = ["172.20.0.0/22"]
    }}
  }}
"#
    )));
    let applied = world.converge(&declared).await;
    assert!(
        applied.plan.warnings().is_empty(),
        "{:#?}",
        applied.plan.warnings()
    );
    let state = world.state();
    for (name, attachment) in [
        ("engineers", &engineers_attachment),
        ("staff", &staff_attachment),
    ] {
        assert_eq!(text(&state, &["spokes", name, "status"]), "propagated");
        assert_eq!(
            get(&state, &["spokes", name, "attachment_ids"]),
            &Value::Set(vec![Value::string(attachment)])
        );
    }
    assert_eq!(
        attachment_of(&world, &engineers).await.unwrap().1,
        "available"
    );
    let accepts: Vec<String> = world
        .calls()
        .await
        .into_iter()
        .filter(|c| c.action.starts_with("AcceptTransitGateway") && c.error.is_none())
        .map(|c| format!("{} {}", c.action, c.params))
        .collect();
    assert_eq!(accepts.len(), 1, "{accepts:?}");
    assert!(
        accepts[0].starts_with("AcceptTransitGatewayClientVpnAttachment")
            && accepts[0].contains(&engineers_attachment),
        "{accepts:?}"
    );
    // Client VPN on a Transit Gateway keeps the clients' addresses: every VPC routes back to
    // both client CIDRs, and `routes` says whose they are.
    let table = &staging.tables[0];
    let routed = routed_to(&world, table, &tgw).await;
    assert!(
        routed.contains("172.16.0.0/22") && routed.contains("172.20.0.0/22"),
        "{routed:?}"
    );
    assert_eq!(
        text(&state, &["routes", table, "destinations", "172.16.0.0/22"]),
        "spokes[\"engineers\"]"
    );
    // The hub route table learned each client CIDR from its attachment.
    let hub_table = text(&state, &["route_table_id"]);
    let learned = world
        .aws
        .ec2
        .search_transit_gateway_routes()
        .transit_gateway_route_table_id(&hub_table)
        .filters(
            aws_sdk_ec2::types::Filter::builder()
                .name("type")
                .values("propagated")
                .build(),
        )
        .send()
        .await
        .unwrap();
    let learned: BTreeSet<(String, String)> = learned
        .routes()
        .iter()
        .filter_map(|r| {
            Some((
                r.destination_cidr_block()?.to_string(),
                r.transit_gateway_attachments()
                    .first()?
                    .transit_gateway_attachment_id()?
                    .to_string(),
            ))
        })
        .collect();
    assert!(
        learned.contains(&("172.16.0.0/22".to_string(), engineers_attachment.clone()))
            && learned.contains(&("172.20.0.0/22".to_string(), staff_attachment.clone())),
        "{learned:?}"
    );
}
