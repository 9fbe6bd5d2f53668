//! Crash safety on real Terraform: the provider process killed (SIGKILL, as the OOM killer or a
//! lost CI runner does: no answer, no Shutdown) in the middle of a create, at a moment read from
//! the emulator's call record rather than slept for; then `terraform apply` again. AWS must
//! then hold exactly what one successful apply makes (no second Transit Gateway, share,
//! attachment or association), the next plan must be empty with the unconfirmed marker gone,
//! and destroy must leave nothing.

use std::time::Duration;

use harness::cli::Cli;
use serde_json::Value as Json;

use crate::hub_network::{HUB, Hub};
use crate::scenario;
use crate::world::{
    World, assert_no_changes, assert_nothing_left, created_counts, delays_with, objects,
    small_delays,
};

pub fn scenarios() -> Vec<crate::Scenario> {
    vec![
        scenario!(killed_once_the_transit_gateway_is_created),
        scenario!(killed_while_the_attachments_settle),
        scenario!(killed_during_the_data_center_link),
        scenario!(killed_during_the_routes),
    ]
}

/// Where a create is killed: once the emulator has answered `count` calls of `action`, with
/// `slow` transitions keeping the provider busy there.
struct Moment {
    what: &'static str,
    action: &'static str,
    count: usize,
    slow: &'static [(&'static str, f64)],
}

/// Starts the hub's create, kills the provider at `moment`, checks that Terraform saved nothing
/// of the hub, then applies again and compares AWS with a clean apply of the same
/// configuration, object kind by object kind.
async fn killed_at(cli: Cli, moment: Moment) {
    let hub = Hub::seed(&cli).await;
    let world = &hub.world;
    world.ws.set_vars(&hub.vars());
    world
        .emulator
        .configure(delays_with(moment.slow))
        .await
        .unwrap();
    let running = world.ws.spawn(&["apply", "-auto-approve"]);
    world.wait_for_answers(moment.action, moment.count).await;
    let killed = world.ws.kill_providers();
    assert!(killed >= 1, "a provider process to kill");
    let crashed = running.finish(Duration::from_secs(120)).await;
    assert!(
        !crashed.success(),
        "{}",
        crashed.report("an apply whose provider was killed fails")
    );
    assert!(
        world.ws.resource(HUB).await.is_none(),
        "Terraform saved nothing of the hub (the provider never answered)"
    );
    let left = created_counts(&world.inventory().await);
    world.wait_until_quiet().await;

    world.emulator.configure(small_delays()).await.unwrap();
    let retried = world.ws.apply(&[]).await.ok();
    assert!(
        retried
            .output()
            .contains("Adopting what an interrupted apply made"),
        "{}",
        retried.report("the retry says what it adopts")
    );
    let after_retry = created_counts(&world.inventory().await);
    assert_no_changes(&world.ws, "the retry").await;
    let tgw = single_gateway(world).await;
    let gateway = world.transit_gateway(&tgw).await;
    assert!(
        gateway
            .tags()
            .iter()
            .all(|t| t.key() != Some("migration:unconfirmed")),
        "the refresh of the saved hub removed the unconfirmed marker: {:?}",
        gateway.tags()
    );
    world.ws.destroy(&[]).await.ok();
    assert_nothing_left(&world.inventory().await);

    // What one uninterrupted apply of the same configuration makes.
    world.ws.apply(&[]).await.ok();
    let clean = created_counts(&world.inventory().await);
    world.ws.destroy(&[]).await.ok();
    assert_nothing_left(&world.inventory().await);
    eprintln!(
        "[{}] killed {}: left {} ; after the retry {} ; one clean apply {}",
        cli.version,
        moment.what,
        counts(&left),
        counts(&after_retry),
        counts(&clean)
    );
    assert_eq!(
        after_retry, clean,
        "after the kill and a retry AWS holds what one clean apply makes, no more"
    );
}

fn counts(counts: &[(String, usize)]) -> String {
    counts
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(kind, n)| format!("{kind}={n}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The one Transit Gateway in the emulator (panics on none or several).
async fn single_gateway(world: &World) -> String {
    let inventory: Json = world.inventory().await;
    let gateways = objects(&inventory, "transit_gateways");
    assert_eq!(gateways.len(), 1, "one gateway: {gateways:#?}");
    gateways[0]["id"].as_str().unwrap_or_default().to_string()
}

/// Killed while the new gateway is `pending`: before the owner tag, the share, anything else.
async fn killed_once_the_transit_gateway_is_created(cli: Cli) {
    killed_at(
        cli,
        Moment {
            what: "once the Transit Gateway is created",
            action: "CreateTransitGateway",
            count: 1,
            slow: &[("transit_gateway.pending", 5.0)],
        },
    )
    .await;
}

/// Killed once both VPC attachments are created, while they are `pending`.
async fn killed_while_the_attachments_settle(cli: Cli) {
    killed_at(
        cli,
        Moment {
            what: "while the attachments settle",
            action: "CreateTransitGatewayVpcAttachment",
            count: 2,
            slow: &[("vpc_attachment.pending", 10.0)],
        },
    )
    .await;
}

/// Killed once the Direct Connect gateway association is created, while it is `associating`.
async fn killed_during_the_data_center_link(cli: Cli) {
    killed_at(
        cli,
        Moment {
            what: "during the data center link",
            action: "CreateDirectConnectGatewayAssociation",
            count: 1,
            slow: &[("dx_association.associating", 10.0)],
        },
    )
    .await;
}

/// Killed once the first VPC route to the gateway is created.
async fn killed_during_the_routes(cli: Cli) {
    killed_at(
        cli,
        Moment {
            what: "during the routes",
            action: "CreateRoute",
            count: 1,
            slow: &[],
        },
    )
    .await;
}
