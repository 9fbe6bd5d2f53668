//! Crash safety on real Terraform: the provider process killed (SIGKILL, as the OOM killer or a
//! lost CI runner does: no answer, no Shutdown) in the middle of a create, at a moment read from
//! the emulator's call record rather than slept for; then `terraform apply` again. AWS must
//! then hold exactly what one uninterrupted apply makes (no second Transit Gateway, share,
//! attachment, association, rule or route), the next plan must be empty with the unconfirmed
//! marker gone, and destroy must leave nothing.

use std::time::Duration;

use harness::cli::Cli;
use serde_json::{Value as Json, json};

use crate::client_vpn::{self, Access};
use crate::hub_network::{self, Hub};
use crate::scenario;
use crate::world::{
    World, assert_no_changes, assert_nothing_left, created_counts, delays_with, objects,
    small_delays, with,
};

pub fn scenarios() -> Vec<crate::Scenario> {
    vec![
        scenario!(hub_killed_once_the_transit_gateway_is_created),
        scenario!(hub_killed_once_the_share_is_created),
        scenario!(hub_killed_while_the_attachments_settle),
        scenario!(hub_killed_during_the_data_center_link),
        scenario!(hub_killed_during_the_routes),
        scenario!(hub_two_interrupts_while_the_attachments_settle),
        scenario!(client_vpn_killed_while_the_rules_settle),
        scenario!(client_vpn_killed_while_the_routes_settle),
        scenario!(hub_killed_during_an_update_adding_the_data_center),
        scenario!(hub_killed_during_destroy),
        scenario!(hub_converges_through_dropped_connections_and_server_errors),
    ]
}

/// How the apply is cut short.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cut {
    /// SIGKILL to the provider process.
    KillProvider,
    /// Two SIGINTs to Terraform: after the second it stops waiting for the provider and exits
    /// without saving what the provider was doing.
    TwoInterrupts,
}

/// Where a create is killed: once the emulator has answered `count` calls of `action` (`0`: as
/// soon as the first one arrives, while it is in flight), with `slow` transitions keeping the
/// provider busy there.
struct Moment {
    cut: Cut,
    what: &'static str,
    action: &'static str,
    count: usize,
    slow: &'static [(&'static str, f64)],
    /// Milliseconds every AWS call takes, so that the apply is still running when the moment
    /// comes (a phase with nothing to wait for would otherwise end before the kill).
    latency_ms: u64,
}

/// What the provider creates, by kind, in the emulator: the counts compared between a retried
/// and a clean apply (Client VPN routes without those AWS adds on association).
async fn made(world: &World) -> Vec<(String, usize)> {
    let inventory = world.inventory().await;
    let mut counts = created_counts(&inventory);
    let routes = objects(&inventory, "client_vpn_routes")
        .into_iter()
        .filter(|r| r["origin"] != "associate")
        .count();
    counts.push(("client_vpn_routes".to_string(), routes));
    counts
}

fn shown(counts: &[(String, usize)]) -> String {
    let shown: Vec<String> = counts
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(kind, n)| format!("{kind}={n}"))
        .collect();
    if shown.is_empty() {
        "nothing".to_string()
    } else {
        shown.join(" ")
    }
}

/// Starts the create of `address` (its variables already written), cuts it short at `moment`,
/// checks that Terraform saved nothing of it (when the provider was killed), applies again
/// (`adopts`: a resource whose retry must say it adopts what the dead process made, when
/// nothing was saved), and compares AWS with a clean apply of the same configuration, kind by
/// kind.
async fn killed_at(cli: &Cli, world: &World, address: &str, moment: Moment, adopts: bool) {
    world
        .emulator
        .configure(delays_with(moment.slow))
        .await
        .unwrap();
    world
        .emulator
        .configure(json!({"latency_ms": moment.latency_ms}))
        .await
        .unwrap();
    let running = world.ws.spawn(&["apply", "-auto-approve"]);
    if moment.count == 0 {
        world.wait_for_call(moment.action).await;
    } else {
        world.wait_for_answers(moment.action, moment.count).await;
    }
    let crashed = match moment.cut {
        Cut::KillProvider => {
            let killed = world.ws.kill_providers();
            assert!(killed >= 1, "a provider process to kill");
            running.finish(Duration::from_secs(120)).await
        }
        Cut::TwoInterrupts => {
            running.interrupt();
            tokio::time::sleep(Duration::from_millis(200)).await;
            running.interrupt();
            let run = running.finish(Duration::from_secs(120)).await;
            // A provider Terraform no longer waits for must not keep working on its own.
            world.wait_until_quiet().await;
            let orphans = world.ws.kill_providers();
            eprintln!(
                "[{}] provider processes still running after Terraform exited: {orphans}",
                cli.version
            );
            run
        }
    };
    assert!(
        !crashed.success(),
        "{}",
        crashed.report("an apply whose provider was killed fails")
    );
    // A killed provider never answers, so Terraform saves nothing; after two Ctrl-Cs it may
    // have saved the partial state the first one asked for, if it came before the second.
    let saved = world.ws.resource(address).await.is_some();
    assert!(
        !(saved && moment.cut == Cut::KillProvider),
        "Terraform saved nothing of {address} (the provider never answered)"
    );
    let adopts = adopts && !saved;
    world.wait_until_quiet().await;
    let left = made(world).await;

    world.emulator.configure(small_delays()).await.unwrap();
    world
        .emulator
        .configure(json!({"latency_ms": 0}))
        .await
        .unwrap();
    let retried = world.ws.apply(&[]).await.ok();
    assert_eq!(
        retried
            .output()
            .contains("Adopting what an interrupted apply made"),
        adopts,
        "{}",
        retried.report("the retry says whether it adopts")
    );
    let after_retry = made(world).await;
    assert_no_changes(&world.ws, "the retry").await;
    let inventory: Json = world.inventory().await;
    for gateway in objects(&inventory, "transit_gateways") {
        assert!(
            gateway["tags"].get("migration:unconfirmed").is_none(),
            "the refresh of the saved resource removed the unconfirmed marker: {gateway:#}"
        );
    }
    world.ws.destroy(&[]).await.ok();
    assert_nothing_left(&world.inventory().await);

    // What one uninterrupted apply of the same configuration makes.
    world.ws.apply(&[]).await.ok();
    let clean = made(world).await;
    world.ws.destroy(&[]).await.ok();
    assert_nothing_left(&world.inventory().await);
    eprintln!(
        "[{}] {address} cut ({:?}) {}: left {} | after the retry {} | one clean apply {} | \
         state saved before the retry: {saved}",
        cli.version,
        moment.cut,
        moment.what,
        shown(&left),
        shown(&after_retry),
        shown(&clean)
    );
    assert_eq!(
        after_retry, clean,
        "after the kill and a retry AWS holds what one clean apply makes, no more"
    );
}

async fn hub_killed_at(cli: Cli, moment: Moment) {
    let hub = Hub::seed(&cli).await;
    hub.world.ws.set_vars(&hub.vars());
    killed_at(&cli, &hub.world, hub_network::HUB, moment, true).await;
}

/// Killed while the new gateway is `pending`: before its owner tag, the share, anything else.
async fn hub_killed_once_the_transit_gateway_is_created(cli: Cli) {
    let moment = Moment {
        cut: Cut::KillProvider,
        what: "once the Transit Gateway is created",
        action: "CreateTransitGateway",
        count: 1,
        slow: &[("transit_gateway.pending", 5.0)],
        latency_ms: 0,
    };
    hub_killed_at(cli, moment).await;
}

/// Killed once the RAM share is created (with the gateway in it and the owner tag on it), before
/// the attachments.
async fn hub_killed_once_the_share_is_created(cli: Cli) {
    let moment = Moment {
        cut: Cut::KillProvider,
        what: "once the share is created",
        action: "CreateResourceShare",
        count: 1,
        slow: &[
            ("transit_gateway.pending", 1.0),
            ("vpc_attachment.pending", 10.0),
        ],
        latency_ms: 0,
    };
    hub_killed_at(cli, moment).await;
}

/// Killed once both VPC attachments are created, while they are `pending`.
async fn hub_killed_while_the_attachments_settle(cli: Cli) {
    let moment = Moment {
        cut: Cut::KillProvider,
        what: "while the attachments settle",
        action: "CreateTransitGatewayVpcAttachment",
        count: 2,
        slow: &[("vpc_attachment.pending", 10.0)],
        latency_ms: 0,
    };
    hub_killed_at(cli, moment).await;
}

/// Killed once the Direct Connect gateway association is created, while it is `associating`.
async fn hub_killed_during_the_data_center_link(cli: Cli) {
    let moment = Moment {
        cut: Cut::KillProvider,
        what: "during the data center link",
        action: "CreateDirectConnectGatewayAssociation",
        count: 1,
        slow: &[("dx_association.associating", 10.0)],
        latency_ms: 0,
    };
    hub_killed_at(cli, moment).await;
}

/// Killed while the first VPC route to the gateway is being created (every call takes 1 s): the
/// emulator makes the route, the provider never hears of it, and the retry must adopt it (AWS
/// refuses a second route to the same destination).
async fn hub_killed_during_the_routes(cli: Cli) {
    let moment = Moment {
        cut: Cut::KillProvider,
        what: "during the routes",
        action: "CreateRoute",
        count: 0,
        slow: &[],
        latency_ms: 1000,
    };
    hub_killed_at(cli, moment).await;
}

/// Ctrl-C twice once both VPC attachments are created, while they are `pending`.
async fn hub_two_interrupts_while_the_attachments_settle(cli: Cli) {
    let moment = Moment {
        cut: Cut::TwoInterrupts,
        what: "while the attachments settle",
        action: "CreateTransitGatewayVpcAttachment",
        count: 2,
        slow: &[("vpc_attachment.pending", 10.0)],
        latency_ms: 0,
    };
    hub_killed_at(cli, moment).await;
}

/// Killed once the first rule is authorized, while it is `authorizing`: AWS refuses a second
/// rule of the same SID and network, and the resource adopts the first (no marker needed, so
/// no adoption warning).
async fn client_vpn_killed_while_the_rules_settle(cli: Cli) {
    let access = Access::seed(&cli).await;
    access.world.ws.set_vars(&access.vars());
    let moment = Moment {
        cut: Cut::KillProvider,
        what: "while the rules settle",
        action: "AuthorizeClientVpnIngress",
        count: 1,
        slow: &[("client_vpn_rule.authorizing", 10.0)],
        latency_ms: 0,
    };
    killed_at(&cli, &access.world, client_vpn::ACCESS, moment, false).await;
}

/// Killed during a destroy, once the first VPC route is deleted: the state keeps the hub (the
/// provider never answered), and a second destroy removes what is left.
async fn hub_killed_during_destroy(cli: Cli) {
    let hub = Hub::seed(&cli).await;
    let world = &hub.world;
    world.ws.set_vars(&hub.vars());
    world.ws.apply(&[]).await.ok();
    world
        .emulator
        .configure(delays_with(&[("vpc_attachment.deleting", 10.0)]))
        .await
        .unwrap();
    let running = world.ws.spawn(&["destroy", "-auto-approve"]);
    world
        .wait_for_answers("DeleteTransitGatewayVpcAttachment", 1)
        .await;
    assert!(world.ws.kill_providers() >= 1, "a provider process to kill");
    let crashed = running.finish(Duration::from_secs(120)).await;
    assert!(
        !crashed.success(),
        "{}",
        crashed.report("the destroy fails")
    );
    assert!(
        world.ws.resource(hub_network::HUB).await.is_some(),
        "the hub stays in state until a destroy finishes"
    );
    world.wait_until_quiet().await;
    let left = made(world).await;
    world.emulator.configure(small_delays()).await.unwrap();
    world.ws.destroy(&[]).await.ok();
    assert_nothing_left(&world.inventory().await);
    eprintln!(
        "[{}] hub killed during destroy: left {} | after a second destroy: nothing",
        cli.version,
        shown(&left)
    );
}

/// One AWS call in ten fails (seeded): half by a dropped connection, half by a 500 error, on
/// every API, through a create, a no-op plan and a destroy. Each command may have to be run
/// again, as a user would; the hub converges to what one clean apply makes, with no duplicate,
/// and the destroy leaves nothing.
async fn hub_converges_through_dropped_connections_and_server_errors(cli: Cli) {
    let hub = Hub::seed(&cli).await;
    let world = &hub.world;
    world.ws.set_vars(&hub.vars());
    world.ws.apply(&[]).await.ok();
    let clean = made(world).await;
    world.ws.destroy(&[]).await.ok();
    assert_nothing_left(&world.inventory().await);
    world.emulator.clear_calls().await.unwrap();

    world
        .emulator
        .configure(json!({"faults": [
            {"action": "*", "drop_connection": true, "count": -1, "probability": 0.05, "seed": 7},
            {"action": "*", "error": "InternalError", "status": 500, "count": -1,
             "probability": 0.05, "seed": 11},
        ]}))
        .await
        .unwrap();
    let mut attempts = Vec::new();
    for command in [
        &["apply", "-auto-approve"][..],
        &["plan", "-detailed-exitcode"][..],
    ] {
        let mut runs = 0;
        loop {
            runs += 1;
            let run = world.ws.run(command).await;
            let done = match command[0] {
                "plan" => run.code == Some(0),
                _ => run.success(),
            };
            if done {
                break;
            }
            assert!(
                runs < 3,
                "{}",
                run.report(&format!("{} still fails after {runs} runs", command[0]))
            );
        }
        attempts.push(format!("{} ×{runs}", command[0]));
    }
    let faulted = made(world).await;
    let mut destroys = 0;
    loop {
        destroys += 1;
        let run = world.ws.destroy(&[]).await;
        if run.success() {
            break;
        }
        assert!(destroys < 3, "{}", run.report("destroy still fails"));
    }
    attempts.push(format!("destroy ×{destroys}"));
    let calls = world.calls().await;
    let failed = calls.iter().filter(|c| c.error.is_some()).count();
    world
        .emulator
        .configure(json!({"faults": []}))
        .await
        .unwrap();
    assert_nothing_left(&world.inventory().await);
    eprintln!(
        "[{}] 10 % faults: {} of {} calls failed; runs: {}; after apply {} | clean {}",
        cli.version,
        failed,
        calls.len(),
        attempts.join(", "),
        shown(&faulted),
        shown(&clean)
    );
    assert_eq!(faulted, clean, "no duplicate, nothing missing");
}

/// Killed once the first Client VPN route is created, while it is `creating`.
async fn client_vpn_killed_while_the_routes_settle(cli: Cli) {
    let access = Access::seed(&cli).await;
    access.world.ws.set_vars(&access.vars());
    let moment = Moment {
        cut: Cut::KillProvider,
        what: "while the routes settle",
        action: "CreateClientVpnRoute",
        count: 1,
        slow: &[("client_vpn_route.creating", 10.0)],
        latency_ms: 0,
    };
    killed_at(&cli, &access.world, client_vpn::ACCESS, moment, false).await;
}

/// An update killed: the hub exists without a data center, the update adds it, and the provider
/// dies once the Direct Connect association is created. The state still holds the hub as it was;
/// the retry must find the association (on the hub's gateway) instead of asking for a second,
/// and end where one clean apply of the new configuration ends.
async fn hub_killed_during_an_update_adding_the_data_center(cli: Cli) {
    let hub = Hub::seed(&cli).await;
    let world = &hub.world;
    world
        .ws
        .set_vars(&with(&hub.vars(), json!({"data_center": null})));
    world.ws.apply(&[]).await.ok();
    world.ws.set_vars(&hub.vars());
    world
        .emulator
        .configure(delays_with(&[("dx_association.associating", 10.0)]))
        .await
        .unwrap();
    let running = world.ws.spawn(&["apply", "-auto-approve"]);
    world
        .wait_for_answers("CreateDirectConnectGatewayAssociation", 1)
        .await;
    assert!(world.ws.kill_providers() >= 1, "a provider process to kill");
    let crashed = running.finish(Duration::from_secs(120)).await;
    assert!(!crashed.success(), "{}", crashed.report("the update fails"));
    world.wait_until_quiet().await;
    let left = made(world).await;
    world.emulator.configure(small_delays()).await.unwrap();
    world.ws.apply(&[]).await.ok();
    let after_retry = made(world).await;
    assert_no_changes(&world.ws, "the retried update").await;
    world.ws.destroy(&[]).await.ok();
    assert_nothing_left(&world.inventory().await);
    world.ws.apply(&[]).await.ok();
    let clean = made(world).await;
    world.ws.destroy(&[]).await.ok();
    assert_nothing_left(&world.inventory().await);
    eprintln!(
        "[{}] hub killed during an update adding the data center: left {} | after the retry {} \
         | one clean apply {}",
        cli.version,
        shown(&left),
        shown(&after_retry),
        shown(&clean)
    );
    assert_eq!(after_retry, clean, "no second association, nothing missing");
}
