//! `data "migration_hub_network"` on real Terraform, as two teams use it: the hub team's
//! workspace applies the hub; the spoke team's workspace (`tests/terraform/cases/
//! hub_network_data/`, its own account's provider plus a read-only alias for the hub account)
//! finds the hub by name and joins it with `migration_hub_spoke`, taking every value from the
//! data source. AWS is read back in the spoke account.

use std::collections::BTreeSet;

use harness::cli::{Cli, Workspace, diagnostics};
use harness::seed;
use serde_json::{Value as Json, json};

use crate::hub_network::Hub;
use crate::scenario;
use crate::spoke::spoke_routes;
use crate::world::{ACCOUNT, assert_no_changes, assert_nothing_left, aws_env, with};

const SPOKE_ACCOUNT: &str = "222233334444";

pub fn scenarios() -> Vec<crate::Scenario> {
    vec![scenario!(a_spoke_team_joins_a_hub_it_reads_by_name)]
}

async fn a_spoke_team_joins_a_hub_it_reads_by_name(cli: Cli) {
    // The hub team's workspace.
    let hub = Hub::seed(&cli).await;
    let world = &hub.world;
    world
        .ws
        .set_vars(&with(&hub.vars(), json!({"share_with": [SPOKE_ACCOUNT]})));
    world.ws.apply(&[]).await.ok();
    let tgw = world
        .ws
        .resource("migration_hub_network.hub")
        .await
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();

    // The spoke team's workspace, in its own account.
    let spoke_aws = world.emulator.clients(SPOKE_ACCOUNT).await.unwrap();
    let spoke_vpc = seed::vpc(&spoke_aws.ec2, "10.50.0.0/16").await.unwrap();
    for (cidr, zone) in [("10.50.0.0/24", "a"), ("10.50.1.0/24", "b")] {
        seed::subnet(&spoke_aws.ec2, &spoke_vpc, cidr, zone)
            .await
            .unwrap();
    }
    let spoke_table = seed::route_table(&spoke_aws.ec2, &spoke_vpc).await.unwrap();
    let ws = Workspace::new(&cli, "spoke-team", &aws_env(&world.emulator, SPOKE_ACCOUNT));
    ws.use_case("hub_network_data");
    let vars = json!({
        // The emulator takes a 12-digit access key for that account's credentials.
        "hub_access_key": ACCOUNT,
        "hub_name": "migration-hub",
        "spoke_vpc_id": spoke_vpc,
        "spoke_route_table_ids": [spoke_table],
    });
    ws.set_vars(&vars);
    ws.init().await;

    let applied = ws.apply(&[]).await.ok();
    assert!(
        applied.stdout.contains("Resources: 1 added"),
        "{}",
        applied.report("the spoke joins the hub")
    );
    let outputs = ws.run(&["output", "-json"]).await.ok();
    let outputs: Json = serde_json::from_str(&outputs.stdout).expect("output -json");
    assert_eq!(
        outputs["hub_networks"]["value"],
        json!({"staging": ["10.1.0.0/16"], "target": ["10.2.0.0/16"]})
    );
    assert_eq!(outputs["hub_owner"]["value"], ACCOUNT);
    let spoke = ws.resource("migration_hub_spoke.spoke").await.unwrap();
    assert_eq!(spoke["transit_gateway_id"], tgw.as_str());
    assert_eq!(spoke["attachment_state"], "available");
    // The spoke's VPC routes every network behind the hub to the hub's gateway.
    assert_eq!(
        spoke_routes(&spoke_aws.ec2, &spoke_table, &tgw).await,
        BTreeSet::from([
            "10.1.0.0/16".to_string(),
            "10.2.0.0/16".to_string(),
            "192.168.0.0/16".to_string(),
        ])
    );
    assert_no_changes(&ws, "the spoke's apply").await;

    // A name no hub carries: the plan fails on the data source, listing the hubs there are.
    ws.set_vars(&with(&vars, json!({"hub_name": "migration-hubb"})));
    let plan = ws.plan(&[]).await;
    let found = diagnostics(&plan.output());
    assert!(
        found.iter().any(|d| d.summary == "Hub not found"
            && d.body
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .contains(&format!("{tgw} \"migration-hub\""))),
        "{}",
        plan.report("a name no hub carries")
    );
    ws.set_vars(&vars);

    // Each team destroys its own; nothing is left in either account.
    ws.destroy(&[]).await.ok();
    assert!(
        spoke_routes(&spoke_aws.ec2, &spoke_table, &tgw)
            .await
            .is_empty()
    );
    world.ws.destroy(&[]).await.ok();
    assert_nothing_left(&world.inventory().await);
    assert_nothing_left(&world.emulator.inventory(SPOKE_ACCOUNT).await.unwrap());
}
