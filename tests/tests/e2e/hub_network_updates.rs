//! Every argument of `migration_hub_network` changed in place, one at a time: each update
//! touches only its delta (checked in the emulator's call record), never recreates the
//! Transit Gateway, and leaves an empty plan behind.

use std::collections::BTreeMap;

use crate::hub_network_support::*;
use terraform_provider_migration::protocol::cty::Value;

struct Hub {
    staging: Net,
    target: Net,
    dev: Net,
    other: Net,
    dx: String,
    cgw: String,
}

/// The configuration knobs the steps turn.
#[derive(Clone)]
struct Knobs {
    name: &'static str,
    extra: String,
    staging_key: &'static str,
    target_subnets: usize,
    target_options: &'static str,
    dev_vpc: Option<String>,
    share_with: &'static str,
    data_center: String,
    tags: &'static str,
}

fn body(hub: &Hub, k: &Knobs) -> String {
    let dev = match &k.dev_vpc {
        Some(vpc) => {
            let net = if *vpc == hub.dev.vpc {
                &hub.dev
            } else {
                &hub.other
            };
            format!(
                "dev = {{\n vpc_id = \"{}\"\n subnet_ids = {}\n route_table_ids = {}\n }}",
                net.vpc,
                list(&net.subnets[..1]),
                list(&net.tables)
            )
        }
        None => String::new(),
    };
    format!(
        r#"
  name       = "{name}"
  share_with = {share_with}
  {extra}
  vpc_attachments = {{
    {staging_key} = {{
      vpc_id          = "{staging_vpc}"
      subnet_ids      = {staging_subnets}
      route_table_ids = {staging_tables}
    }}
    target = {{
      vpc_id          = "{target_vpc}"
      subnet_ids      = {target_subnets}
      route_table_ids = {target_tables}
      {target_options}
    }}
    {dev}
  }}
  {data_center}
  tags = {tags}
"#,
        name = k.name,
        share_with = k.share_with,
        extra = k.extra,
        staging_key = k.staging_key,
        staging_vpc = hub.staging.vpc,
        staging_subnets = list(&hub.staging.subnets),
        staging_tables = list(&hub.staging.tables),
        target_vpc = hub.target.vpc,
        target_subnets = list(&hub.target.subnets[..k.target_subnets]),
        target_tables = list(&hub.target.tables),
        target_options = k.target_options,
        data_center = k.data_center,
        tags = k.tags,
    )
}

/// Applies one step; returns the successful calls it made, by action.
async fn step(world: &mut World, hub: &Hub, knobs: &Knobs) -> BTreeMap<String, usize> {
    let from = next_seq(&world.calls().await);
    world.converge(&world.config(&body(hub, knobs))).await;
    let made = counts(&world.calls().await, from);
    for never in ["CreateTransitGateway", "DeleteTransitGateway"] {
        assert!(!made.contains_key(never), "{never} in an update: {made:#?}");
    }
    made
}

fn n(made: &BTreeMap<String, usize>, action: &str) -> usize {
    made.get(action).copied().unwrap_or(0)
}

#[tokio::test]
async fn every_argument_updates_in_place_touching_only_the_delta() {
    let mut world = World::start().await;
    let hub = Hub {
        staging: world.vpc(1, 1, 1).await,
        target: world.vpc(2, 2, 1).await,
        dev: world.vpc(3, 1, 1).await,
        other: world.vpc(4, 1, 1).await,
        dx: world.direct_connect_gateway(65010).await,
        cgw: world.customer_gateway().await,
    };
    let dx_center = |prefixes: &str| {
        format!(
            "data_center = {{\n cidr_blocks = [\"192.168.0.0/16\"]\n direct_connect_gateway_id = \"{}\"\n {prefixes}\n }}",
            hub.dx
        )
    };
    let mut knobs = Knobs {
        name: "hub",
        extra: String::new(),
        staging_key: "staging",
        target_subnets: 1,
        target_options: "",
        dev_vpc: None,
        share_with: r#"["444455556666"]"#,
        data_center: dx_center(""),
        tags: r#"{ team = "migration" }"#,
    };
    let from = next_seq(&world.calls().await);
    world.converge(&world.config(&body(&hub, &knobs))).await;
    let made = counts(&world.calls().await, from);
    assert_eq!(n(&made, "CreateTransitGateway"), 1);
    assert_eq!(n(&made, "CreateTransitGatewayVpcAttachment"), 2);
    let attachment = text(
        &world.state(),
        &["vpc_attachments", "staging", "attachment_id"],
    );
    let routes_before = n(&made, "CreateRoute");
    assert_eq!(
        routes_before, 4,
        "each table: the other VPC and the data center"
    );

    // A new key for the same VPC retags the attachment.
    knobs.staging_key = "replication";
    let made = step(&mut world, &hub, &knobs).await;
    assert!(n(&made, "CreateTags") >= 1, "{made:#?}");
    for action in [
        "CreateTransitGatewayVpcAttachment",
        "DeleteTransitGatewayVpcAttachment",
        "CreateRoute",
        "DeleteRoute",
    ] {
        assert_eq!(n(&made, action), 0, "{action}: {made:#?}");
    }
    assert_eq!(
        text(
            &world.state(),
            &["vpc_attachments", "replication", "attachment_id"]
        ),
        attachment
    );

    // Subnets and options change in place.
    knobs.target_subnets = 2;
    let made = step(&mut world, &hub, &knobs).await;
    assert_eq!(
        n(&made, "ModifyTransitGatewayVpcAttachment"),
        1,
        "{made:#?}"
    );
    knobs.target_options = "appliance_mode_support = true\n dns_support = false";
    let made = step(&mut world, &hub, &knobs).await;
    assert_eq!(
        n(&made, "ModifyTransitGatewayVpcAttachment"),
        1,
        "{made:#?}"
    );
    let state = world.state();
    assert_eq!(
        get(
            &state,
            &["vpc_attachments", "target", "appliance_mode_support"]
        )
        .as_bool(),
        Some(true)
    );

    // A third network: one attachment, its routes and the routes to it, nothing else.
    knobs.dev_vpc = Some(hub.dev.vpc.clone());
    let made = step(&mut world, &hub, &knobs).await;
    assert_eq!(
        n(&made, "CreateTransitGatewayVpcAttachment"),
        1,
        "{made:#?}"
    );
    assert_eq!(
        n(&made, "CreateRoute"),
        3 + 2,
        "dev's table gets 3, the others 1 each: {made:#?}"
    );
    assert_eq!(n(&made, "DeleteRoute"), 0);
    assert_eq!(
        n(&made, "EnableTransitGatewayRouteTablePropagation"),
        0,
        "AWS propagates it: the hub route table is the default propagation table"
    );
    assert_eq!(
        n(&made, "UpdateDirectConnectGatewayAssociation"),
        1,
        "default allowed prefixes follow the VPCs"
    );

    // Another VPC under the same key replaces that attachment only.
    knobs.dev_vpc = Some(hub.other.vpc.clone());
    let made = step(&mut world, &hub, &knobs).await;
    assert_eq!(
        n(&made, "CreateTransitGatewayVpcAttachment"),
        1,
        "{made:#?}"
    );
    assert_eq!(n(&made, "DeleteTransitGatewayVpcAttachment"), 1);
    assert_eq!(
        text(
            &world.state(),
            &["vpc_attachments", "replication", "attachment_id"]
        ),
        attachment
    );

    // Removing it removes its attachment and every route to or from it.
    knobs.dev_vpc = None;
    let made = step(&mut world, &hub, &knobs).await;
    assert_eq!(
        n(&made, "DeleteTransitGatewayVpcAttachment"),
        1,
        "{made:#?}"
    );
    assert_eq!(n(&made, "DeleteRoute"), 3 + 2);
    assert_eq!(n(&made, "CreateRoute"), 0);

    // Principals are keyed by value.
    knobs.share_with =
        r#"["777788889999", "arn:aws:organizations::123456789012:organization/o-abcdefghij"]"#;
    let made = step(&mut world, &hub, &knobs).await;
    assert_eq!(n(&made, "AssociateResourceShare"), 1, "{made:#?}");
    assert_eq!(n(&made, "DisassociateResourceShare"), 1);
    assert_eq!(n(&made, "CreateResourceShare"), 0);
    knobs.extra = "allow_external_principals = false".into();
    let made = step(&mut world, &hub, &knobs).await;
    assert_eq!(n(&made, "UpdateResourceShare"), 1, "{made:#?}");

    // Transit Gateway options, all in one ModifyTransitGateway.
    knobs.extra = r#"allow_external_principals = false
  description = "changed"
  auto_accept_shared_attachments = false
  dns_support = false
  vpn_ecmp_support = false
  transit_gateway_cidr_blocks = ["10.99.0.0/24"]"#
        .into();
    let made = step(&mut world, &hub, &knobs).await;
    assert_eq!(n(&made, "ModifyTransitGateway"), 1, "{made:#?}");
    assert_eq!(
        n(&made, "CreateRoute"),
        2,
        "every table reaches the gateway's CIDR block"
    );
    // Without auto-accept nothing propagates before the hub has looked at it: the same call
    // turned the gateway's default propagation off.
    let tgw = text(&world.state(), &["id"]);
    let described = world
        .aws
        .ec2
        .describe_transit_gateways()
        .transit_gateway_ids(&tgw)
        .send()
        .await
        .unwrap();
    let options = described.transit_gateways()[0].options().unwrap();
    assert_eq!(
        options
            .default_route_table_propagation()
            .map(|v| v.as_str()),
        Some("disable")
    );

    // Propagation toggles in place.
    let extra = knobs.extra.clone();
    knobs.extra = format!("{extra}\n route_propagation = false");
    let made = step(&mut world, &hub, &knobs).await;
    assert_eq!(
        n(&made, "DisableTransitGatewayRouteTablePropagation"),
        3,
        "two VPCs and the data center: {made:#?}"
    );
    knobs.extra = format!("{extra}\n route_propagation = true");
    let made = step(&mut world, &hub, &knobs).await;
    assert_eq!(
        n(&made, "EnableTransitGatewayRouteTablePropagation"),
        3,
        "{made:#?}"
    );

    // Mesh routes off and on.
    knobs.extra = format!("{extra}\n mesh_routes = false");
    let made = step(&mut world, &hub, &knobs).await;
    assert_eq!(n(&made, "DeleteRoute"), 6, "{made:#?}");
    knobs.extra = extra.clone();
    let made = step(&mut world, &hub, &knobs).await;
    assert_eq!(n(&made, "CreateRoute"), 6, "{made:#?}");

    // Tags and name: retagging only, and the share's name.
    knobs.tags = r#"{ owner = "platform" }"#;
    knobs.name = "renamed-hub";
    let made = step(&mut world, &hub, &knobs).await;
    assert!(
        n(&made, "CreateTags") >= 3 && n(&made, "DeleteTags") >= 3,
        "{made:#?}"
    );
    assert_eq!(n(&made, "UpdateResourceShare"), 1);
    let inventory = world.inventory().await;
    let tgw = text(&world.state(), &["id"]);
    for attachment in ours(&inventory, "transit_gateway_attachments", &tgw) {
        assert_eq!(attachment["tags"]["owner"], "platform", "{attachment:#?}");
        assert!(attachment["tags"].get("team").is_none());
    }

    // Allowed prefixes in place, without touching the association.
    knobs.data_center = dx_center(r#"allowed_prefixes = ["10.0.0.0/8"]"#);
    let made = step(&mut world, &hub, &knobs).await;
    assert_eq!(
        n(&made, "UpdateDirectConnectGatewayAssociation"),
        1,
        "{made:#?}"
    );
    assert_eq!(n(&made, "DeleteDirectConnectGatewayAssociation"), 0);

    // Without a data center the ASN may change; then a static VPN.
    knobs.data_center = String::new();
    let made = step(&mut world, &hub, &knobs).await;
    assert_eq!(
        n(&made, "DeleteDirectConnectGatewayAssociation"),
        1,
        "{made:#?}"
    );
    assert_eq!(n(&made, "DeleteRoute"), 2, "the routes to the data center");
    knobs.extra = format!("{extra}\n amazon_side_asn = 65100");
    let made = step(&mut world, &hub, &knobs).await;
    assert_eq!(n(&made, "ModifyTransitGateway"), 1, "{made:#?}");
    knobs.data_center = format!(
        "data_center = {{\n cidr_blocks = [\"192.168.0.0/16\", \"172.16.0.0/16\"]\n vpn = {{ customer_gateway_id = \"{}\" }}\n }}",
        hub.cgw
    );
    let made = step(&mut world, &hub, &knobs).await;
    assert_eq!(n(&made, "CreateVpnConnection"), 1, "{made:#?}");
    assert_eq!(
        n(&made, "CreateTransitGatewayRoute"),
        2,
        "a static route per data-center CIDR"
    );
    assert_eq!(n(&made, "CreateRoute"), 4);
    let state = world.state();
    let hub_routes: Vec<_> = route_entries(&state)
        .into_iter()
        .filter(|(table, ..)| table.starts_with("tgw-rtb-"))
        .map(|(_, destination, _)| destination)
        .collect();
    assert_eq!(hub_routes, vec!["172.16.0.0/16", "192.168.0.0/16"]);

    // Static routing cannot change on a live VPN: switching to BGP replaces the connection,
    // and the hub's static routes to the data center go (BGP propagates them). The re-plan
    // inside `step` is empty only if AWS now reports the connection as dynamic.
    knobs.data_center = format!(
        "data_center = {{\n cidr_blocks = [\"192.168.0.0/16\", \"172.16.0.0/16\"]\n vpn = {{ customer_gateway_id = \"{}\"\n static_routes_only = false }}\n }}",
        hub.cgw
    );
    let made = step(&mut world, &hub, &knobs).await;
    assert_eq!(n(&made, "DeleteVpnConnection"), 1, "{made:#?}");
    assert_eq!(n(&made, "CreateVpnConnection"), 1, "{made:#?}");
    assert_eq!(n(&made, "DeleteTransitGatewayRoute"), 2, "{made:#?}");
    assert_eq!(n(&made, "CreateRoute") + n(&made, "DeleteRoute"), 0);
    let state = world.state();
    assert_eq!(
        get(&state, &["data_center", "vpn", "static_routes_only"]),
        &Value::Bool(false)
    );
    assert!(
        route_entries(&state)
            .iter()
            .all(|(table, ..)| !table.starts_with("tgw-rtb-")),
        "no static hub routes under BGP"
    );
}
