//! Two `migration_hub_network` instances on the same route tables: a replacement under
//! `create_before_destroy` (the new instance is created beside the old one, then the old one is
//! destroyed) and a copy of a module. A route's target records its owner: the new hub
//! re-targets the routes in place (ReplaceRoute, so no moment without them), a copy is refused
//! unless told to `take_over`, and a destroy leaves what another hub took. A Direct Connect
//! link cannot be shared by two hubs: the replacement moves it (a short data-center gap),
//! another hub is refused at plan before anything is made.

use std::collections::BTreeSet;

use harness::{LaunchOptions, Terraform};

use crate::hub_network_support::*;

/// Every VPC route of `tables` that points at a Transit Gateway: (table, destination, target).
async fn routes_to_gateways(
    world: &World,
    tables: &[String],
) -> BTreeSet<(String, String, String)> {
    let answer = world
        .aws
        .ec2
        .describe_route_tables()
        .set_route_table_ids(Some(tables.to_vec()))
        .send()
        .await
        .unwrap();
    answer
        .route_tables()
        .iter()
        .flat_map(|table| {
            table.routes().iter().filter_map(|route| {
                Some((
                    table.route_table_id()?.to_string(),
                    route.destination_cidr_block()?.to_string(),
                    route.transit_gateway_id()?.to_string(),
                ))
            })
        })
        .collect()
}

fn another_terraform(world: &World) -> Terraform {
    Terraform::new(LaunchOptions {
        env: world.emulator.provider_env(OWNER),
        ..Default::default()
    })
}

fn hub_body(name: &str, staging: &Net, target: &Net, extra: &str) -> String {
    format!(
        r#"
  name = "{name}"
  {extra}
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
"#,
        staging.vpc,
        list(&staging.subnets),
        list(&staging.tables),
        target.vpc,
        list(&target.subnets),
        list(&target.tables),
    )
}

fn summaries(
    diagnostics: &[&terraform_provider_migration::protocol::diagnostics::Diagnostic],
) -> Vec<String> {
    diagnostics.iter().map(|d| d.summary.clone()).collect()
}

#[tokio::test]
async fn a_replacement_takes_the_routes_over_in_place_and_the_old_destroy_leaves_them() {
    let mut world = World::start().await;
    let staging = world.vpc(1, 2, 1).await;
    let target = world.vpc(2, 2, 1).await;
    let tables: Vec<String> = staging
        .tables
        .iter()
        .chain(&target.tables)
        .cloned()
        .collect();
    let config = world.config(&hub_body("hub", &staging, &target, ""));
    world.converge(&config).await;
    let old_tgw = text(&world.state(), &["id"]);
    let before = routes_to_gateways(&world, &tables).await;
    assert_eq!(before.len(), 2, "each VPC routes the other: {before:?}");
    assert!(before.iter().all(|(_, _, t)| *t == old_tgw));
    let from = next_seq(&world.calls().await);

    // What `create_before_destroy` does on `-replace`: the new instance first.
    let mut new = another_terraform(&world);
    let applied = new.apply(&config).await.unwrap();
    assert!(!applied.has_errors(), "{:#?}", applied.diagnostics);
    let warnings = applied.plan.warnings();
    assert_eq!(
        summaries(&warnings),
        ["Taking over routes from another hub"],
        "{warnings:#?}"
    );
    assert!(warnings[0].detail.contains(&old_tgw));
    let new_tgw = text(&new.state_value(ADDRESS).unwrap(), &["id"]);
    assert_ne!(new_tgw, old_tgw);
    let calls = counts(&world.calls().await, from);
    assert_eq!(calls.get("ReplaceRoute"), Some(&2), "{calls:?}");
    assert_eq!(calls.get("CreateRoute"), None, "{calls:?}");
    assert_eq!(calls.get("DeleteRoute"), None, "{calls:?}");
    let taken = routes_to_gateways(&world, &tables).await;
    let expected: BTreeSet<_> = before
        .iter()
        .map(|(table, destination, _)| (table.clone(), destination.clone(), new_tgw.clone()))
        .collect();
    assert_eq!(taken, expected);
    assert_eq!(
        route_entries(&new.state_value(ADDRESS).unwrap()).len(),
        2,
        "the new state lists the routes it took"
    );

    // Then the old instance's destroy: its gateway goes, the routes stay with the new hub.
    let from = next_seq(&world.calls().await);
    let destroyed = world.tf.destroy(&config).await.unwrap();
    assert!(!destroyed.has_errors(), "{:#?}", destroyed.diagnostics);
    let calls = counts(&world.calls().await, from);
    assert_eq!(calls.get("DeleteRoute"), None, "{calls:?}");
    assert_eq!(calls.get("DeleteTransitGateway"), Some(&1), "{calls:?}");
    assert_eq!(routes_to_gateways(&world, &tables).await, expected);
    assert_nothing_left(&world.inventory().await, &old_tgw);
    let plan = new.plan(&config).await.unwrap();
    assert!(!plan.has_errors(), "{:#?}", plan.errors());
    assert_no_changes(&plan);

    // And the new hub's own destroy removes them.
    let destroyed = new.destroy(&config).await.unwrap();
    assert!(!destroyed.has_errors(), "{:#?}", destroyed.diagnostics);
    assert!(routes_to_gateways(&world, &tables).await.is_empty());
}

#[tokio::test]
async fn a_second_hub_on_the_same_route_tables_is_refused_unless_told_to_take_over() {
    let mut world = World::start().await;
    let staging = world.vpc(1, 2, 1).await;
    let target = world.vpc(2, 2, 1).await;
    let tables: Vec<String> = staging
        .tables
        .iter()
        .chain(&target.tables)
        .cloned()
        .collect();
    let first = world.config(&hub_body("hub", &staging, &target, ""));
    world.converge(&first).await;
    let first_tgw = text(&world.state(), &["id"]);
    let from = next_seq(&world.calls().await);

    // A copy of the module under another name: refused at plan, nothing made.
    let mut copy = another_terraform(&world);
    let refused = world.config(&hub_body("copy", &staging, &target, ""));
    let plan = copy.plan(&refused).await.unwrap();
    let errors = plan.errors();
    assert_eq!(errors.len(), 2, "one per route table: {errors:#?}");
    for error in &errors {
        assert_eq!(error.summary, "Route owned by another hub");
        assert!(
            error.detail.contains(&first_tgw) && error.detail.contains("take_over = true"),
            "{error:#?}"
        );
        assert!(
            error
                .attribute
                .as_ref()
                .is_some_and(|p| p.to_string().ends_with(".route_table_ids")),
            "{error:#?}"
        );
    }
    let calls = counts(&world.calls().await, from);
    assert_eq!(calls.get("CreateTransitGateway"), None, "{calls:?}");

    // Told to: it takes them over, and the first hub, not told to, does not fight back.
    let told = world.config(&hub_body("copy", &staging, &target, "take_over = true"));
    let applied = copy.apply(&told).await.unwrap();
    assert!(!applied.has_errors(), "{:#?}", applied.diagnostics);
    assert_eq!(
        summaries(&applied.plan.warnings()),
        ["Taking over routes from another hub"]
    );
    let copy_tgw = text(&copy.state_value(ADDRESS).unwrap(), &["id"]);
    assert!(
        routes_to_gateways(&world, &tables)
            .await
            .iter()
            .all(|(_, _, t)| *t == copy_tgw)
    );
    // The first hub leaves them: its plan warns, drops them from its state, changes nothing.
    let plan = world.tf.plan(&first).await.unwrap();
    assert!(!plan.has_errors(), "{:#?}", plan.errors());
    assert_eq!(
        summaries(&plan.warnings()),
        ["Route held by another hub", "Route held by another hub"]
    );
    assert_no_changes(&plan);
    let applied = world.tf.apply(&first).await.unwrap();
    assert!(!applied.has_errors(), "{:#?}", applied.diagnostics);
    assert!(
        routes_to_gateways(&world, &tables)
            .await
            .iter()
            .all(|(_, _, t)| *t == copy_tgw),
        "the first hub's apply does not take them back"
    );

    // The first hub's destroy leaves the copy's routes.
    let destroyed = world.tf.destroy(&first).await.unwrap();
    assert!(!destroyed.has_errors(), "{:#?}", destroyed.diagnostics);
    assert_eq!(routes_to_gateways(&world, &tables).await.len(), 2);
    let destroyed = copy.destroy(&told).await.unwrap();
    assert!(!destroyed.has_errors(), "{:#?}", destroyed.diagnostics);
    assert!(routes_to_gateways(&world, &tables).await.is_empty());
}

#[tokio::test]
async fn a_direct_connect_link_moves_to_the_replacement_and_is_refused_to_another_hub() {
    let mut world = World::start().await;
    let staging = world.vpc(1, 2, 1).await;
    let target = world.vpc(2, 2, 1).await;
    let dx = world.direct_connect_gateway(65000).await;
    let data_center = format!(
        r#"data_center = {{
    cidr_blocks               = ["192.168.0.0/16"]
    direct_connect_gateway_id = "{dx}"
  }}"#
    );
    let config = world.config(&hub_body("hub", &staging, &target, &data_center));
    world.converge(&config).await;
    let old_tgw = text(&world.state(), &["id"]);
    let from = next_seq(&world.calls().await);

    // A hub of another name on the same gateway: refused at plan, naming the old hub's
    // gateway and take_over; nothing is made.
    let other = world.config(&hub_body("other", &staging, &target, &data_center));
    let plan = another_terraform(&world).plan(&other).await.unwrap();
    let errors: Vec<_> = plan
        .errors()
        .into_iter()
        .filter(|e| e.summary == "Data center link held by another Transit Gateway")
        .collect();
    assert_eq!(errors.len(), 1, "{:#?}", plan.errors());
    assert_eq!(
        errors[0]
            .attribute
            .as_ref()
            .map(ToString::to_string)
            .as_deref(),
        Some("data_center.direct_connect_gateway_id")
    );
    assert!(
        errors[0].detail.contains(&old_tgw) && errors[0].detail.contains("take_over = true"),
        "{:#?}",
        errors[0]
    );
    let calls = counts(&world.calls().await, from);
    assert_eq!(calls.get("CreateTransitGateway"), None, "{calls:?}");

    // A new instance of the same hub (its replacement), the old one still there as under
    // create_before_destroy: it comes up, deletes the old association right before making its
    // own, and takes the routes over; the old hub's destroy then leaves both.
    let mut new = another_terraform(&world);
    let applied = new.apply(&config).await.unwrap();
    assert!(!applied.has_errors(), "{:#?}", applied.diagnostics);
    let warned = summaries(&applied.plan.warnings());
    assert!(
        warned.contains(&"Moving the data center link from another Transit Gateway".to_string())
            && warned.contains(&"Taking over routes from another hub".to_string()),
        "{warned:?}"
    );
    let new_tgw = text(&new.state_value(ADDRESS).unwrap(), &["id"]);
    let associations = |inventory: &serde_json::Value| -> Vec<String> {
        inventory["dx_gateway_associations"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|a| {
                a["transit_gateway_id"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string()
            })
            .collect()
    };
    assert_eq!(
        associations(&world.inventory().await),
        std::slice::from_ref(&new_tgw)
    );
    let destroyed = world.tf.destroy(&config).await.unwrap();
    assert!(!destroyed.has_errors(), "{:#?}", destroyed.diagnostics);
    assert_eq!(
        associations(&world.inventory().await),
        std::slice::from_ref(&new_tgw)
    );
    assert_nothing_left(&world.inventory().await, &old_tgw);
    let plan = new.plan(&config).await.unwrap();
    assert!(!plan.has_errors(), "{:#?}", plan.errors());
    assert_no_changes(&plan);
}
