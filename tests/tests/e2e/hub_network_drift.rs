//! Drift and import: what changes behind Terraform's back shows in the next plan and is put
//! back by the next apply (touching only that); a Transit Gateway deleted out of band leaves
//! state; an imported hub plans empty against a matching configuration.

use std::time::Duration;

use aws_sdk_ec2::types::Filter;
use harness::Action;
use terraform_provider_migration::protocol::cty::Value;

use crate::hub_network_support::*;

struct Seeded {
    a: Net,
    b: Net,
}

async fn seed(world: &World) -> Seeded {
    let a = world.vpc(1, 1, 1).await;
    let b = world.vpc(2, 2, 1).await;
    world.secondary_cidr(&b.vpc, "100.64.0.0/24").await;
    Seeded { a, b }
}

fn body(seeded: &Seeded, data_center: &str) -> String {
    format!(
        r#"
  name       = "hub"
  share_with = ["444455556666", "777788889999"]
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
      appliance_mode_support = true
    }}
  }}
  {data_center}
  tags = {{ team = "migration" }}
"#,
        seeded.a.vpc,
        list(&seeded.a.subnets),
        list(&seeded.a.tables),
        seeded.b.vpc,
        list(&seeded.b.subnets),
        list(&seeded.b.tables),
    )
}

/// Plans, insists the hub is to be updated, applies, and returns what the apply did.
async fn repaired(
    world: &mut World,
    config: &str,
    what: &str,
) -> std::collections::BTreeMap<String, usize> {
    let plan = world.tf.plan(config).await.unwrap();
    assert!(!plan.has_errors(), "{what}: {:#?}", plan.errors());
    let change = plan.change(ADDRESS).unwrap();
    assert_eq!(change.action, Action::Update, "{what} shows as a change");
    let from = next_seq(&world.calls().await);
    world.converge(config).await;
    counts(&world.calls().await, from)
}

#[tokio::test]
async fn out_of_band_changes_show_and_are_repaired() {
    let mut world = World::start().await;
    let seeded = seed(&world).await;
    let cgw = world.customer_gateway().await;
    let config = world.config(&body(
        &seeded,
        &format!("data_center = {{\n cidr_blocks = [\"192.168.0.0/16\"]\n vpn = {{ customer_gateway_id = \"{cgw}\" }}\n }}"),
    ));
    world.converge(&config).await;
    let state = world.state();
    let tgw = text(&state, &["id"]);
    let hub_table = text(&state, &["route_table_id"]);
    let ec2 = world.aws.ec2.clone();

    // A VPC route.
    ec2.delete_route()
        .route_table_id(&seeded.a.tables[0])
        .destination_cidr_block("10.2.0.0/16")
        .send()
        .await
        .unwrap();
    let made = repaired(&mut world, &config, "a deleted route").await;
    assert_eq!(made.get("CreateRoute"), Some(&1), "{made:#?}");

    // Propagation of one attachment.
    let staging_attachment = text(
        &world.state(),
        &["vpc_attachments", "staging", "attachment_id"],
    );
    ec2.disable_transit_gateway_route_table_propagation()
        .transit_gateway_route_table_id(&hub_table)
        .transit_gateway_attachment_id(&staging_attachment)
        .send()
        .await
        .unwrap();
    let made = repaired(&mut world, &config, "a disabled propagation").await;
    assert_eq!(
        made.get("EnableTransitGatewayRouteTablePropagation"),
        Some(&1),
        "{made:#?}"
    );

    // A principal.
    world
        .aws
        .ram
        .disassociate_resource_share()
        .resource_share_arn(text(&world.state(), &["resource_share_arn"]))
        .principals("777788889999")
        .send()
        .await
        .unwrap();
    let made = repaired(&mut world, &config, "a removed principal").await;
    assert_eq!(made.get("AssociateResourceShare"), Some(&1), "{made:#?}");
    assert_eq!(made.get("CreateResourceShare"), None);

    // A static route of the hub route table.
    ec2.delete_transit_gateway_route()
        .transit_gateway_route_table_id(&hub_table)
        .destination_cidr_block("192.168.0.0/16")
        .send()
        .await
        .unwrap();
    let made = repaired(&mut world, &config, "a deleted hub route").await;
    assert_eq!(made.get("CreateTransitGatewayRoute"), Some(&1), "{made:#?}");

    // A tag of the Transit Gateway.
    ec2.delete_tags()
        .resources(&tgw)
        .tags(aws_sdk_ec2::types::Tag::builder().key("team").build())
        .send()
        .await
        .unwrap();
    let made = repaired(&mut world, &config, "a removed tag").await;
    assert_eq!(made.get("CreateTags"), Some(&1), "{made:#?}");

    // A tag of a child.
    let staging_attachment = text(
        &world.state(),
        &["vpc_attachments", "staging", "attachment_id"],
    );
    ec2.create_tags()
        .resources(&staging_attachment)
        .tags(
            aws_sdk_ec2::types::Tag::builder()
                .key("team")
                .value("someone-else")
                .build(),
        )
        .send()
        .await
        .unwrap();
    let made = repaired(&mut world, &config, "a child's changed tag").await;
    assert_eq!(made.get("CreateTags"), Some(&1), "{made:#?}");

    // A whole attachment: recreated, the routes still in place are adopted.
    let target_attachment = text(
        &world.state(),
        &["vpc_attachments", "target", "attachment_id"],
    );
    ec2.delete_transit_gateway_vpc_attachment()
        .transit_gateway_attachment_id(&target_attachment)
        .send()
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;
    let made = repaired(&mut world, &config, "a deleted attachment").await;
    assert_eq!(
        made.get("CreateTransitGatewayVpcAttachment"),
        Some(&1),
        "{made:#?}"
    );
    assert_eq!(
        made.get("CreateRoute"),
        None,
        "routes to the gateway survived and are kept"
    );
    assert_ne!(
        text(
            &world.state(),
            &["vpc_attachments", "target", "attachment_id"]
        ),
        target_attachment
    );

    world.tf.destroy(&config).await.unwrap();
    assert_nothing_left(&world.inventory().await, &tgw);
}

#[tokio::test]
async fn a_gateway_deleted_out_of_band_leaves_state() {
    let mut world = World::start().await;
    let config = world.config(r#"name = "hub""#);
    world.converge(&config).await;
    let tgw = text(&world.state(), &["id"]);
    world
        .aws
        .ec2
        .delete_transit_gateway()
        .transit_gateway_id(&tgw)
        .send()
        .await
        .unwrap();
    let plan = world.tf.plan(&config).await.unwrap();
    assert!(!plan.has_errors(), "{:#?}", plan.errors());
    assert_eq!(
        plan.change(ADDRESS).unwrap().action,
        Action::Create,
        "read returned null: the hub is created again"
    );
}

/// Creates the hub, forgets it, imports it by id and plans: nothing to do. Returns the
/// imported state.
async fn import_round_trip(world: &mut World, config: &str) -> Value {
    world.converge(config).await;
    let before = world.state();
    let tgw = text(&before, &["id"]);
    assert!(world.tf.forget(ADDRESS));
    let diagnostics = world.tf.import(config, ADDRESS, &tgw).await.unwrap();
    assert!(
        diagnostics.iter().all(|(_, d)| d.severity
            != terraform_provider_migration::protocol::diagnostics::Severity::Error),
        "{diagnostics:#?}"
    );
    let imported = world.state();
    for path in [
        &["vpc_attachments"][..],
        &["routes"],
        &["data_center"],
        &["share_with"],
        &["tags"],
        &["resource_share_arn"],
    ] {
        assert_eq!(
            get(&imported, path),
            get(&before, path),
            "imported {path:?}"
        );
    }
    assert_eq!(get(&imported, &["tags_all"]), get(&before, &["tags_all"]));
    let plan = world.tf.plan(config).await.unwrap();
    assert!(!plan.has_errors(), "{:#?}", plan.errors());
    assert_no_changes(&plan);
    let destroyed = world.tf.destroy(config).await.unwrap();
    assert!(!destroyed.has_errors(), "{:#?}", destroyed.errors());
    assert_nothing_left(&world.inventory().await, &tgw);
    imported
}

#[tokio::test]
async fn an_imported_direct_connect_hub_plans_empty() {
    let mut world = World::start().await;
    let seeded = seed(&world).await;
    let dx = world.direct_connect_gateway(65010).await;
    // default_tags reach every object but stay out of the imported `tags`.
    let config = world.config_with("default_tags {\n tags = { env = \"test\" }\n }", &body(
        &seeded,
        &format!("data_center = {{\n cidr_blocks = [\"192.168.0.0/16\", \"172.16.0.0/16\"]\n direct_connect_gateway_id = \"{dx}\"\n }}"),
    ));
    let imported = import_round_trip(&mut world, &config).await;
    assert_eq!(text(&imported, &["tags_all", "env"]), "test");
    assert!(
        get(&imported, &["tags", "env"]).is_null(),
        "default tags are not the hub's own"
    );
}

#[tokio::test]
async fn an_imported_vpn_hub_plans_empty() {
    let mut world = World::start().await;
    let seeded = seed(&world).await;
    let cgw = world.customer_gateway().await;
    let config = world.config(&body(
        &seeded,
        &format!("data_center = {{\n cidr_blocks = [\"192.168.0.0/16\"]\n vpn = {{ customer_gateway_id = \"{cgw}\" }}\n }}"),
    ));
    import_round_trip(&mut world, &config).await;
    // Import refuses what is not a Transit Gateway id.
    let refused = world.tf.import(&config, ADDRESS, "vpc-123").await.unwrap();
    assert!(
        refused
            .iter()
            .any(|(_, d)| d.summary == "Invalid import id"),
        "{refused:#?}"
    );
    let described = world
        .aws
        .ec2
        .describe_transit_gateways()
        .filters(Filter::builder().name("state").values("available").build())
        .send()
        .await
        .unwrap();
    assert!(
        described.transit_gateways().is_empty(),
        "nothing left running"
    );
}
