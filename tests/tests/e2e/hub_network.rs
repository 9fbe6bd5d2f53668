//! `migration_hub_network` through its life: create, the state it reports, an empty plan right
//! after, destroy leaving nothing behind.

use crate::hub_network_support::*;
use terraform_provider_migration::protocol::cty::Value;

#[tokio::test]
async fn create_replan_and_destroy_a_full_hub() {
    let mut world = World::start().await;
    let staging = world.vpc(1, 2, 1).await;
    let target = world.vpc(2, 2, 2).await;
    world.secondary_cidr(&target.vpc, "100.64.0.0/24").await;
    let dx = world.direct_connect_gateway(65010).await;
    let config = world.config(&format!(
        r#"
  name        = "migration-hub"
  description = "Migration hub"
  share_with  = ["444455556666", "arn:aws:organizations::123456789012:organization/o-abcdefghij"]
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
  tags = {{ team = "migration" }}
"#,
        staging.vpc,
        list(&staging.subnets),
        list(&staging.tables),
        target.vpc,
        list(&target.subnets),
        list(&target.tables),
    ));
    let plan = world.tf.plan(&config).await.unwrap();
    assert!(!plan.has_errors(), "{:#?}", plan.errors());
    let planned = &plan.change(ADDRESS).unwrap().planned;
    // Known at plan time: the VPC CIDRs (read from AWS) and so the whole mesh.
    assert_eq!(
        get(planned, &["vpc_attachments", "target", "cidr_blocks"]),
        &Value::Set(vec![
            Value::string("10.2.0.0/16"),
            Value::string("100.64.0.0/24")
        ])
    );
    let planned_routes = route_entries(planned).len();
    // staging's table → target's 2 CIDRs + data center; target's 2 tables → staging + DC.
    assert_eq!(planned_routes, 3 + 2 * 2);

    world.converge(&config).await;
    let state = world.state();
    let tgw = text(&state, &["id"]);
    assert!(tgw.starts_with("tgw-"), "{tgw}");
    assert_eq!(
        text(&state, &["vpc_attachments", "staging", "state"]),
        "available"
    );
    assert!(text(&state, &["resource_share_arn"]).starts_with("arn:aws:ram:"));
    assert!(text(&state, &["data_center", "association_id"]).len() > 4);
    assert!(text(&state, &["data_center", "attachment_id"]).starts_with("tgw-attach-"));
    assert_eq!(
        get(&state, &["data_center", "allowed_prefixes"]),
        &Value::Set(
            ["10.1.0.0/16", "10.2.0.0/16", "100.64.0.0/24"]
                .iter()
                .map(|s| Value::string(*s))
                .collect()
        ),
        "default allowed prefixes: every VPC CIDR"
    );
    // Only routes that deliver (active) are listed.
    let routes = route_entries(&state);
    assert_eq!(routes.len(), planned_routes);
    assert_eq!(
        get(&state, &["tags_all"]),
        &Value::Map([("team".to_string(), Value::string("migration"))].into())
    );

    // What AWS holds: everything tagged as this hub's, routes in place, propagation on.
    let inventory = world.inventory().await;
    let attachments = ours(&inventory, "transit_gateway_attachments", &tgw);
    assert_eq!(
        attachments.len(),
        3,
        "two VPCs and the Direct Connect gateway: {attachments:#?}"
    );
    for attachment in attachments.iter().filter(|a| a["resource_type"] == "vpc") {
        assert_eq!(attachment["tags"]["migration:owner"], tgw.as_str());
        assert_eq!(attachment["tags"]["team"], "migration");
        let key = attachment["tags"]["migration:network"].as_str().unwrap();
        assert_eq!(attachment["tags"]["Name"], format!("migration-hub-{key}"));
    }
    assert_eq!(
        ours(&inventory, "vpc_routes_to_transit_gateways", &tgw).len(),
        planned_routes
    );
    let tables = ours(&inventory, "transit_gateway_route_tables", &tgw);
    let propagated: Vec<&str> = tables[0]["routes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["type"] == "propagated")
        .map(|r| r["destination"].as_str().unwrap())
        .collect();
    assert_eq!(
        propagated,
        vec!["10.1.0.0/16", "10.2.0.0/16", "100.64.0.0/24"]
    );
    let shares = ours(&inventory, "ram_resource_shares", &tgw);
    assert_eq!(shares.len(), 1);
    assert_eq!(shares[0]["name"], "migration-hub");

    let destroyed = world.tf.destroy(&config).await.unwrap();
    assert!(!destroyed.has_errors(), "{:#?}", destroyed.errors());
    assert!(world.tf.state_value(ADDRESS).is_none());
    assert_nothing_left(&world.inventory().await, &tgw);
    let deletes = world
        .calls()
        .await
        .into_iter()
        .filter(|c| c.action == "DeleteTransitGateway")
        .collect::<Vec<_>>();
    assert!(
        deletes.iter().all(|c| c.error.is_none()),
        "DeleteTransitGateway never meets IncorrectState: {deletes:#?}"
    );
}
