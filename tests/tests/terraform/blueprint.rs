//! `examples/blueprint/` as a user runs it: init, plan, apply, an empty plan, an empty
//! refresh-only plan, destroy leaving nothing of ours in AWS.

use harness::cli::Cli;
use harness::docs::repository_root;
use harness::seed;
use serde_json::Value as Json;

use crate::scenario;
use crate::world::{ACCOUNT, World, assert_refresh_only_empty, created_counts};

pub fn scenarios() -> Vec<crate::Scenario> {
    vec![scenario!(whole_cycle)]
}

async fn whole_cycle(cli: Cli) {
    let world = World::empty(&cli, "blueprint").await;
    world
        .ws
        .use_dir(&repository_root().join("examples/blueprint"));
    let seeded = seed::blueprint(&world.aws, ACCOUNT).await.expect("seed");
    world.ws.set_vars(&Json::Object(seeded.variables));
    world.ws.init().await;

    let plan = world.ws.plan(&[]).await;
    assert_eq!(plan.code, Some(2), "{}", plan.report("should plan changes"));
    assert!(
        plan.stdout
            .contains("Plan: 2 to add, 0 to change, 0 to destroy."),
        "{}",
        plan.report("plans two resources")
    );

    let applied = world.ws.apply(&[]).await.ok();
    assert!(
        applied
            .stdout
            .contains("Apply complete! Resources: 2 added, 0 changed, 0 destroyed."),
        "{}",
        applied.report("applies two resources")
    );
    let hub = world
        .ws
        .resource("migration_hub_network.hub")
        .await
        .expect("hub in state");
    assert!(hub["id"].as_str().unwrap().starts_with("tgw-"), "{hub:#}");
    let inventory = world.inventory().await;
    let counts = created_counts(&inventory);
    assert!(
        counts.iter().all(|(_, n)| *n > 0),
        "every kind of object exists after apply: {counts:?}"
    );

    world.ws.assert_no_changes().await;
    assert_refresh_only_empty(&world.ws, "apply").await;

    world.ws.destroy(&[]).await.ok();
    let inventory = world.inventory().await;
    let left: Vec<_> = created_counts(&inventory)
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .collect();
    assert!(left.is_empty(), "destroy leaves nothing: {left:?}");
}
