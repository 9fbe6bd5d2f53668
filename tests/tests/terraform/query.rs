//! `terraform query` (Terraform ≥ 1.14): an estate built in one working directory (the case
//! `query`: a hub, a spoke joining it from a second account, and a Client VPN group access) is
//! found from another with no state by the `list` blocks of `query_list`, and
//! `-generate-config-out` writes import blocks and configuration that plan only the imports
//! and, once applied, nothing.

use harness::cli::Cli;
use harness::seed;
use serde_json::json;

use crate::scenario;
use crate::world::{World, assert_no_changes, text};

const SPOKE_ACCOUNT: &str = "222233334444";

pub fn scenarios() -> Vec<crate::Scenario> {
    vec![scenario!(
        query_lists_the_estate_and_generates_configuration_that_imports_it,
        needs "1.14"
    )]
}

async fn query_lists_the_estate_and_generates_configuration_that_imports_it(cli: Cli) {
    let world = World::empty(&cli, "query").await;
    world.ws.use_cases(&["query_providers", "query"]);
    let net = world.vpc(1, 2, 1).await;
    let site = world.client_vpn_site(&["Engineers"]).await;
    let spoke_aws = world.emulator.clients(SPOKE_ACCOUNT).await.unwrap();
    let spoke_vpc = seed::vpc(&spoke_aws.ec2, "10.50.0.0/16").await.unwrap();
    seed::subnet(&spoke_aws.ec2, &spoke_vpc, "10.50.0.0/24", "a")
        .await
        .unwrap();
    let spoke_table = seed::route_table(&spoke_aws.ec2, &spoke_vpc).await.unwrap();
    world.ws.set_vars(&json!({
        "hub_vpc": net.attachment(),
        "hub_vpc_cidr": net.cidr,
        "client_vpn_endpoint_id": site.endpoint_id,
        "engineers_sid": site.sid("Engineers"),
        "spoke_account": SPOKE_ACCOUNT,
        // The emulator takes a 12-digit access key for that account's credentials.
        "spoke_access_key": SPOKE_ACCOUNT,
        "spoke_vpc_id": spoke_vpc,
        "spoke_route_table_ids": [spoke_table],
    }));
    world.ws.init().await;
    let applied = world.ws.apply(&[]).await;
    assert!(applied.success(), "{}", applied.report("builds the estate"));
    // The estate at rest: the refresh confirms what the apply made.
    assert_no_changes(&world.ws, "building the estate").await;
    let tgw = text(
        &world
            .ws
            .resource("migration_hub_network.hub")
            .await
            .unwrap(),
        "id",
    );
    let attachment = text(
        &world
            .ws
            .resource("migration_hub_spoke.spoke")
            .await
            .unwrap(),
        "id",
    );
    let endpoint = site.endpoint_id.clone();

    let fresh = world.workspace("query-fresh");
    fresh.use_cases(&["query_providers", "query_list"]);
    fresh.set_vars(&json!({"spoke_access_key": SPOKE_ACCOUNT}));
    fresh.init().await;

    // Each list block finds its one object, by its identity, with a display name.
    let listed = fresh.run(&["query"]).await;
    assert!(listed.success(), "{}", listed.report("lists the estate"));
    let lines: Vec<&str> = listed
        .stdout
        .lines()
        .filter(|l| l.starts_with("list."))
        .collect();
    let expected = [
        (
            "list.migration_hub_network.hubs",
            format!("account_id=111122223333,id={tgw},region=eu-west-1"),
            format!("queried-hub ({tgw})"),
        ),
        (
            "list.migration_client_vpn_group_access.accesses",
            format!("account_id=111122223333,client_vpn_endpoint_id={endpoint},region=eu-west-1"),
            format!("{endpoint}: 1 group"),
        ),
        (
            "list.migration_hub_spoke.spokes",
            format!("account_id={SPOKE_ACCOUNT},id={attachment},region=eu-west-1"),
            format!("{spoke_vpc} to {tgw} ({attachment})"),
        ),
    ];
    assert_eq!(
        lines.len(),
        expected.len(),
        "{}",
        listed.report("one result per block")
    );
    for (block, identity, display_name) in &expected {
        let line = lines
            .iter()
            .find(|l| l.starts_with(&format!("{block} ")))
            .unwrap_or_else(|| panic!("{}", listed.report(&format!("lists {block}"))));
        let fields: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(fields.get(1), Some(&identity.as_str()), "{line}");
        assert!(line.ends_with(display_name.as_str()), "{line}");
    }

    // The generated configuration imports all three and changes nothing.
    let generated = fresh
        .run(&["query", "-generate-config-out=generated.tf"])
        .await;
    assert!(
        generated.success(),
        "{}",
        generated.report("generates configuration")
    );
    let config = fresh.read("generated.tf");
    for needle in [
        "resource \"migration_hub_network\" \"hubs_0\"",
        "resource \"migration_client_vpn_group_access\" \"accesses_0\"",
        "resource \"migration_hub_spoke\" \"spokes_0\"",
        "provider = migration.spoke",
        "to       = migration_hub_spoke.spokes_0",
    ] {
        assert!(config.contains(needle), "{needle} in:\n{config}");
    }
    let plan = fresh.plan(&[]).await;
    assert!(
        plan.stdout
            .contains("Plan: 3 to import, 0 to add, 0 to change, 0 to destroy."),
        "{}\n--- generated.tf\n{config}",
        plan.report("imports without a change")
    );
    let applied = fresh.apply(&[]).await;
    assert!(
        applied
            .stdout
            .contains("Resources: 3 imported, 0 added, 0 changed, 0 destroyed."),
        "{}",
        applied.report("imports")
    );
    assert_no_changes(&fresh, "importing with the generated configuration").await;
}
