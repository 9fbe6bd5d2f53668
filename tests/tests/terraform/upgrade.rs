//! State saved by release 0.1.0 (schema version 0: routes and rules as lists) upgrades to
//! today's layout (UpgradeResourceState) and plans no change, on real Terraform.

use harness::cli::Cli;
use harness::docs::repository_root;
use harness::{release_0_1_0, seed};
use serde_json::Value as Json;

use crate::scenario;
use crate::world::{ACCOUNT, World};

pub fn scenarios() -> Vec<crate::Scenario> {
    vec![scenario!(state_of_release_0_1_0_plans_no_change)]
}

/// The blueprint applied, its state rewritten in 0.1.0's layout (exactly what 0.1.0 saved, as
/// `release_0_1_0`'s unit tests check against a state 0.1.0 wrote), then planned: no change,
/// with and without refresh, and the state saved afterwards is in today's layout.
async fn state_of_release_0_1_0_plans_no_change(cli: Cli) {
    let world = World::empty(&cli, "upgrade").await;
    world
        .ws
        .use_dir(&repository_root().join("examples/blueprint"));
    let spoke = world
        .emulator
        .clients(seed::BLUEPRINT_SPOKE_ACCOUNT)
        .await
        .expect("spoke clients");
    let seeded = seed::blueprint(&world.aws, &spoke, ACCOUNT)
        .await
        .expect("seed");
    world.ws.set_vars(&Json::Object(seeded.variables));
    // The blueprint as 0.1.0 could express it: the hub's `spokes` came later.
    world.ws.write(
        "before_spokes_override.tf",
        "resource \"migration_hub_network\" \"hub\" {\n  spokes = null\n}\n",
    );
    world.ws.init().await;
    world.ws.apply(&[]).await.ok();

    let current = world.ws.state_file();
    let v0 = release_0_1_0::state_file(&current);
    assert_ne!(v0, current, "the layouts differ");
    world.ws.write(
        "terraform.tfstate",
        &serde_json::to_string_pretty(&v0).unwrap(),
    );
    for extra in [&["-refresh=false"][..], &[]] {
        let plan = world.ws.plan(extra).await;
        assert_eq!(
            plan.code,
            Some(0),
            "{}",
            plan.report("a 0.1.0 state should upgrade to an empty plan")
        );
    }
    world
        .ws
        .run(&["apply", "-auto-approve", "-refresh-only"])
        .await
        .ok();
    let saved = world.ws.state_file();
    // The resources 0.1.0 had: the data sources the blueprint reads, its spoke and its
    // replication staging area (newer than 0.1.0) have their own versions (0).
    let managed = saved["resources"].as_array().unwrap().iter().filter(|r| {
        r["mode"] == "managed"
            && r["type"] != "migration_hub_spoke"
            && r["type"] != "migration_replication_staging_area"
    });
    for resource in managed {
        assert_eq!(
            resource["instances"][0]["schema_version"], 1,
            "{} is saved in today's layout",
            resource["type"]
        );
    }
    world.ws.destroy(&[]).await.ok();
}
